"""Working-day deadlines on the Chinese calendar: 2026 National Day (Oct 1–7 off; Sun Sep 20 and
Sat Oct 10 worked) and 2025's (Oct 1–8 off with Mid-Autumn; Sun Sep 28 and Sat Oct 11 worked)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.cases import sla
from gongzhi.cases.actions.common import SYSTEM
from gongzhi.cases.actions.config import do_set_calendar_day

LOCAL = sla.LOCAL
NO_OVERRIDES: dict[dt.date, bool] = {}


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=LOCAL)


def end_of(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=LOCAL)


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (dt.date(2026, 9, 20), True),  # Sunday worked in exchange
        (dt.date(2026, 9, 19), False),  # an ordinary Saturday
        (dt.date(2026, 10, 1), False),
        (dt.date(2026, 10, 5), False),  # a Monday inside the holiday
        (dt.date(2026, 10, 7), False),
        (dt.date(2026, 10, 8), True),
        (dt.date(2026, 10, 10), True),  # make-up Saturday
        (dt.date(2026, 10, 11), False),
        (dt.date(2025, 9, 28), True),  # 2025: make-up Sunday
        (dt.date(2025, 10, 8), False),  # 2025: Mid-Autumn joined to National Day
        (dt.date(2025, 10, 11), True),  # 2025: make-up Saturday
    ],
)
def test_calendar_knows_holidays_and_make_up_days(day: dt.date, workday: bool) -> None:
    assert sla.is_workday(day, NO_OVERRIDES) is workday


def test_deadline_across_national_day_2026() -> None:
    # given a case registered on Wednesday 30 September 2026 with 3 working days
    start = at(2026, 9, 30, 16)
    # then day 1 is Thu 8 Oct, day 2 Fri 9 Oct, day 3 the make-up Saturday 10 Oct
    assert sla.deadline(start, 1, NO_OVERRIDES) == end_of(2026, 10, 8)
    assert sla.deadline(start, 3, NO_OVERRIDES) == end_of(2026, 10, 10)
    # and 4 days skip Sunday 11 Oct to Monday 12 Oct
    assert sla.deadline(start, 4, NO_OVERRIDES) == end_of(2026, 10, 12)


def test_deadline_started_inside_the_holiday_counts_from_the_first_working_day() -> None:
    assert sla.deadline(at(2026, 10, 3), 1, NO_OVERRIDES) == end_of(2026, 10, 8)
    assert sla.deadline(at(2025, 10, 2), 2, NO_OVERRIDES) == end_of(2025, 10, 10)
    assert sla.deadline(at(2025, 10, 2), 3, NO_OVERRIDES) == end_of(2025, 10, 11)


def test_make_up_sunday_counts_before_the_holiday() -> None:
    # Friday 18 Sep 2026 + 1 working day is the make-up Sunday 20 Sep, not Monday
    assert sla.deadline(at(2026, 9, 18), 1, NO_OVERRIDES) == end_of(2026, 9, 20)


def test_deadline_uses_the_local_date_of_a_utc_time() -> None:
    # 30 Sep 2026 17:00 UTC is already 1 Oct 01:00 in Shanghai: counting starts after 1 Oct
    start = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert sla.deadline(start, 1, NO_OVERRIDES) == end_of(2026, 10, 8)


def test_working_days_left_and_overdue() -> None:
    due = end_of(2026, 10, 10)
    assert sla.working_days_left(at(2026, 9, 30), due, NO_OVERRIDES) == 3
    assert sla.working_days_left(at(2026, 10, 10, 9), due, NO_OVERRIDES) == 0
    assert sla.working_days_left(at(2026, 10, 12, 9), due, NO_OVERRIDES) < 0


def test_response_limit_is_in_natural_hours() -> None:
    assert sla.response_deadline(at(2026, 10, 1, 9), 2) == at(2026, 10, 1, 11)


@pytest.mark.django_db
def test_an_override_changes_the_calendar() -> None:
    # given the administrator declares Monday 12 Oct 2026 a day off (a local arrangement)
    with pytest.MonkeyPatch.context():
        do_set_calendar_day(actor=SYSTEM, date=dt.date(2026, 10, 12), is_workday=False, note="地方调休")
        sla.overrides_changed()
        # then 4 working days from 30 Sep end on Tuesday 13 Oct
        assert sla.deadline(at(2026, 9, 30), 4) == end_of(2026, 10, 13)
    sla.overrides_changed()


def test_years_beyond_the_package_fall_back_to_weekdays() -> None:
    assert sla.is_workday(dt.date(2099, 6, 1), NO_OVERRIDES) is True  # a Monday
    assert sla.is_workday(dt.date(2099, 6, 6), NO_OVERRIDES) is False  # a Saturday
