"""Time limits in working days, on the Chinese holiday and make-up-workday calendar.

The State Council publishes each year's holidays and the weekend days worked in exchange (调休);
`chinese_calendar` carries those announcements, and `WorkCalendarDay` rows override it for a year
not yet in the package or a local change. Outside the package's years a day is a working day when it
is Monday to Friday, which is the rule the announcements amend.

Rule (docs/indicators.md): a limit of N working days started at time t ends at the end of the Nth
working day after t's date, in Asia/Shanghai. A case reported on a Wednesday evening with 1 day has
until Thursday 23:59:59; one reported during the National Day holiday starts counting on the first
working day after it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL = ZoneInfo("Asia/Shanghai")
_END_OF_DAY = dt.time(23, 59, 59)


# Overrides change a few times a year; each process re-reads them at most once a minute, and at once
# after a change it made itself.
_TTL = dt.timedelta(seconds=60)
_cache: tuple[dt.datetime, dict[dt.date, bool]] | None = None


def overrides_changed() -> None:
    global _cache
    _cache = None


def _overrides() -> dict[dt.date, bool]:
    global _cache
    from gongzhi.cases.models import WorkCalendarDay

    now = dt.datetime.now(dt.UTC)
    if _cache is None or now - _cache[0] > _TTL:
        _cache = (now, dict(WorkCalendarDay.objects.values_list("date", "is_workday")))
    return _cache[1]


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    table = _overrides() if overrides is None else overrides
    if day in table:
        return table[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int, overrides: dict[dt.date, bool] | None = None) -> dt.date:
    """The date of the `days`-th working day after `start` (start itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, overrides: dict[dt.date, bool] | None = None) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, overrides)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return count


def deadline(start: dt.datetime, working_days: int, overrides: dict[dt.date, bool] | None = None) -> dt.datetime:
    """End of the Nth working day after `start`'s local date, as an aware datetime."""
    local_date = start.astimezone(LOCAL).date()
    end_day = add_working_days(local_date, working_days, overrides)
    return dt.datetime.combine(end_day, _END_OF_DAY, tzinfo=LOCAL)


def response_deadline(start: dt.datetime, hours: int) -> dt.datetime:
    """Response limits are natural hours: a burst water main does not wait for Monday."""
    return start + dt.timedelta(hours=hours)


def working_days_left(now: dt.datetime, due: dt.datetime, overrides: dict[dt.date, bool] | None = None) -> int:
    """Whole working days from today to the deadline's day; 0 on the last day, negative once overdue."""
    today = now.astimezone(LOCAL).date()
    due_day = due.astimezone(LOCAL).date()
    if now > due:
        return -max(1, working_days_between(due_day, today, overrides))
    return working_days_between(today, due_day, overrides)


def extend(due: dt.datetime, working_days: int, overrides: dict[dt.date, bool] | None = None) -> dt.datetime:
    """A deadline moved on by N working days (an approved extension or the time a case was suspended)."""
    return deadline(due, working_days, overrides)
