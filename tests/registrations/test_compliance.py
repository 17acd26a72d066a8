"""五个一: each item turns met / not met from the rows that record what happened, never by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.people.models import Unit
from gongzhi.registrations.actions import (
    do_create_joint_meeting,
    do_decide_registration,
    do_log_unit_contact,
    do_mark_attendance,
    do_set_duty_hours,
    do_set_unit_liaison,
    do_withdraw_registration,
)
from gongzhi.registrations.compliance import (
    DEFAULT_DUTY_HOURS,
    ItemStatus,
    Overall,
    community_compliance,
    community_member_hours,
    member_hours,
    unit_compliance,
)
from gongzhi.registrations.models import RegistrationStatus, UnitRegistration
from gongzhi.registrations.periods import Period, parse_period
from tests.registrations.helpers import join, serve, unit_team, world_registration
from tests.serviceloop.world import World

pytestmark = pytest.mark.django_db

OCT = parse_period("2026-10")
AFTER_Q4 = dt.date(2027, 1, 10)  # every month of 2026 is over
MID_NOV = dt.date(2026, 11, 21)  # October over, the fourth quarter still running


def _item(world: World, key: str, period: Period = OCT, today: dt.date = AFTER_Q4) -> ItemStatus:
    assert world.unit is not None
    result = unit_compliance(world.unit, world.community, period, today=today)
    return next(i for i in result.items if i.key == key).status


def _contact(world: World, day: dt.date) -> None:
    do_log_unit_contact(
        actor=world.user("community"),
        registration_id=world_registration(world).pk,
        contacted_on=day,
        channel="visit",
        summary="走访共建单位",
    )


def _meeting(world: World, day: dt.date, region_user: str = "community", street: bool = False) -> int:
    region = world.street if street else world.community
    meeting = do_create_joint_meeting(
        actor=world.user(region_user), region_id=region.pk, held_on=day, subject="联席会议"
    )
    return meeting.pk


def _new_registration(world: World, place: str = "grid2") -> UnitRegistration:
    unit = world.people.places[place].unit
    return UnitRegistration.objects.create(
        unit=unit, community=world.community, region_code=world.community.code, status=RegistrationStatus.PENDING
    )


# ---------------------------------------------------------------------------- 1 一名联络员


def test_liaison_is_met_while_an_approved_registration_names_one(world: World) -> None:
    # given the world's unit: approved in 2025 with li as liaison
    assert _item(world, "liaison") == ItemStatus.MET


def test_liaison_counts_from_the_day_it_was_set(world: World) -> None:
    # given a unit approved without a liaison
    registration = _new_registration(world)
    do_decide_registration(actor=world.user("community"), kind="unit", registration_id=registration.pk, approve=True)
    this_month = Period.current_month(timezone.localdate())
    unit = registration.unit
    assert _status(unit, world, "liaison", this_month) == ItemStatus.NOT_MET
    # when the community names a liaison today
    do_set_unit_liaison(
        actor=world.user("community"), registration_id=registration.pk, volunteer_id=world.volunteers["wang"].pk
    )
    # then this month is met, the month before is not (the term started today)
    assert _status(unit, world, "liaison", this_month) == ItemStatus.MET
    assert _status(unit, world, "liaison", this_month.previous()) == ItemStatus.NOT_MET


def test_liaison_is_not_met_once_the_registration_is_withdrawn(world: World) -> None:
    do_withdraw_registration(actor=world.user("li"), kind="unit", registration_id=world_registration(world).pk)
    assert _item(world, "liaison", Period.current_month(timezone.localdate())) == ItemStatus.NOT_MET


def _status(unit: Unit, world: World, key: str, period: Period) -> ItemStatus:
    result = unit_compliance(unit, world.community, period, today=timezone.localdate())
    return next(i for i in result.items if i.key == key).status


# ---------------------------------------------------------------------------- 2 每月联系


def test_contact_needs_a_logged_contact_in_that_month(world: World) -> None:
    assert _item(world, "contact") == ItemStatus.NOT_MET
    # a contact in September does not count for October
    _contact(world, dt.date(2026, 9, 30))
    assert _item(world, "contact") == ItemStatus.NOT_MET
    _contact(world, dt.date(2026, 10, 1))
    result = unit_compliance(world.unit, world.community, OCT, today=AFTER_Q4)  # type: ignore[arg-type]
    contact = result.items[1]
    assert contact.status == ItemStatus.MET
    assert contact.evidence == {"count": 1, "dates": ["2026-10-01"]}


def test_contact_is_pending_while_the_month_runs(world: World) -> None:
    assert _item(world, "contact", OCT, today=dt.date(2026, 10, 20)) == ItemStatus.PENDING
    assert _item(world, "contact", OCT, today=dt.date(2026, 11, 1)) == ItemStatus.NOT_MET


# ---------------------------------------------------------------------------- 3 每季度联席会议


def test_meeting_is_met_by_attendance_anywhere_in_the_quarter(world: World) -> None:
    assert world.unit is not None
    # no sign-in yet: pending while the quarter runs, not met once it is over
    assert _item(world, "meeting", today=MID_NOV) == ItemStatus.PENDING
    assert _item(world, "meeting", today=AFTER_Q4) == ItemStatus.NOT_MET
    # a meeting attended in September (third quarter) does not count for October
    september = _meeting(world, dt.date(2026, 9, 20))
    do_mark_attendance(
        actor=world.user("community"), meeting_id=september, unit_id=world.unit.pk, attendee_name="周经理"
    )
    assert _item(world, "meeting", today=AFTER_Q4) == ItemStatus.NOT_MET
    assert _item(world, "meeting", parse_period("2026-09"), today=AFTER_Q4) == ItemStatus.MET
    # the street's meeting in November covers October's quarter
    november = _meeting(world, dt.date(2026, 11, 5), region_user="street", street=True)
    do_mark_attendance(
        actor=world.user("street"), meeting_id=november, unit_id=world.unit.pk, volunteer_id=world.volunteers["li"].pk
    )
    assert _item(world, "meeting", today=AFTER_Q4) == ItemStatus.MET
    assert _item(world, "meeting", parse_period("2026-12"), today=AFTER_Q4) == ItemStatus.MET


def test_a_meeting_held_but_not_attended_does_not_count(world: World) -> None:
    _meeting(world, dt.date(2026, 10, 9))
    assert _item(world, "meeting") == ItemStatus.NOT_MET


# ---------------------------------------------------------------------------- 4 至少一支志愿服务队


def test_team_needs_an_active_team_of_the_unit_with_a_member_by_the_months_end(world: World) -> None:
    assert _item(world, "team") == ItemStatus.NOT_MET
    team = unit_team(world)
    assert _item(world, "team") == ItemStatus.NOT_MET  # no member yet
    join(team, world.volunteers["wu"], dt.date(2026, 11, 2))
    assert _item(world, "team") == ItemStatus.NOT_MET  # joined after October
    assert _item(world, "team", parse_period("2026-11")) == ItemStatus.MET
    join(team, world.volunteers["li"], dt.date(2026, 10, 15))
    assert _item(world, "team") == ItemStatus.MET
    team.is_active = False
    team.save()
    assert _item(world, "team") == ItemStatus.NOT_MET


# ---------------------------------------------------------------------------- 5 每月至少一次服务


def test_service_by_the_unit_itself_in_that_month(world: World) -> None:
    assert _item(world, "service") == ItemStatus.NOT_MET
    serve(world.community, dt.date(2026, 9, 28), unit=world.unit)
    assert _item(world, "service") == ItemStatus.NOT_MET  # September does not count for October
    serve(world.people.tree.community2, dt.date(2026, 10, 3), unit=world.unit)
    assert _item(world, "service") == ItemStatus.NOT_MET  # served another community
    serve(world.community, dt.date(2026, 10, 3), unit=world.unit)
    assert _item(world, "service") == ItemStatus.MET


def test_service_by_a_member_of_the_units_team_counts_from_joining(world: World) -> None:
    team = unit_team(world)
    join(team, world.volunteers["wu"], dt.date(2026, 10, 10))
    serve(world.community, dt.date(2026, 10, 5), volunteer=world.volunteers["wu"])
    assert _item(world, "service") == ItemStatus.NOT_MET  # before joining the team
    serve(world.community, dt.date(2026, 10, 12), volunteer=world.volunteers["wang"])
    assert _item(world, "service") == ItemStatus.NOT_MET  # not a member
    serve(world.community, dt.date(2026, 10, 12), volunteer=world.volunteers["wu"])
    assert _item(world, "service") == ItemStatus.MET


# ---------------------------------------------------------------------------- overall, quarter, board


def _all_five_in_october(world: World) -> None:
    assert world.unit is not None
    _contact(world, dt.date(2026, 10, 8))
    meeting = _meeting(world, dt.date(2026, 10, 9))
    do_mark_attendance(actor=world.user("community"), meeting_id=meeting, unit_id=world.unit.pk, attendee_name="周经理")
    team = unit_team(world)
    join(team, world.volunteers["li"], dt.date(2026, 10, 1))
    serve(world.community, dt.date(2026, 10, 20), volunteer=world.volunteers["li"])


def test_overall_is_compliant_only_when_all_five_are_met(world: World) -> None:
    assert world.unit is not None
    _all_five_in_october(world)
    result = unit_compliance(world.unit, world.community, OCT, today=AFTER_Q4)
    assert [i.status for i in result.items] == [ItemStatus.MET] * 5
    assert result.overall == Overall.COMPLIANT
    # November: liaison, meeting (same quarter) and team carry on; no contact, no service
    november = unit_compliance(world.unit, world.community, parse_period("2026-11"), today=AFTER_Q4)
    assert [i.key for i in november.items if not i.met] == ["contact", "service"]
    assert november.overall == Overall.NOT_COMPLIANT
    # while November runs, the missing monthly items are pending, not failed
    running = unit_compliance(world.unit, world.community, parse_period("2026-11"), today=MID_NOV)
    assert running.overall == Overall.PENDING


def test_a_quarter_is_its_months(world: World) -> None:
    assert world.unit is not None
    _all_five_in_october(world)
    quarter = unit_compliance(world.unit, world.community, parse_period("2026-Q4"), today=AFTER_Q4)
    assert [m.month.label for m in quarter.months] == ["2026-10", "2026-11", "2026-12"]
    contact = quarter.items[1]
    assert contact.status == ItemStatus.NOT_MET
    assert contact.evidence == {"months": 3, "months_met": 1, "months_not_met": ["2026-11", "2026-12"]}
    assert quarter.items[0].status == ItemStatus.MET
    assert quarter.overall == Overall.NOT_COMPLIANT
    # a quarter still running holds only the months begun so far
    running = unit_compliance(world.unit, world.community, parse_period("2026-Q4"), today=dt.date(2026, 10, 25))
    assert [m.month.label for m in running.months] == ["2026-10"]


def test_community_board_lists_approved_units_in_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    _all_five_in_october(world)
    board = community_compliance(world.community, OCT, today=AFTER_Q4)
    assert [u.unit for u in board.units] == [world.unit]
    assert board.totals()["overall"]["compliant"] == 1
    # two more approved units (one with a liaison) cost no extra queries
    for place, liaison in (("grid2", "wang"), ("grid3", None)):
        registration = _new_registration(world, place)
        if liaison:
            registration.liaison = world.volunteers[liaison]
            registration.save()
        do_decide_registration(actor=world.user("street"), kind="unit", registration_id=registration.pk, approve=True)
    _new_registration(world, "street2")  # pending: not on the board
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        board = community_compliance(world.community, parse_period("2026-11"), today=AFTER_Q4)
        totals = board.totals()
    assert len(board.units) == 3
    assert totals["units"] == 3
    assert totals["items"]["liaison"] == 2
    assert totals["overall"]["not_compliant"] == 3


# ---------------------------------------------------------------------------- hours


def test_member_hours_sum_the_years_service_records_against_the_street_setting(world: World) -> None:
    wu = world.volunteers["wu"]
    serve(world.community, dt.date(2026, 3, 1), volunteer=wu, hours="10")
    serve(world.people.tree.community2, dt.date(2026, 6, 1), volunteer=wu, hours="4.5")
    serve(world.community, dt.date(2025, 12, 31), volunteer=wu, hours="30")  # another year
    hours = member_hours(wu, 2026)
    assert (hours.hours, hours.required, hours.status, hours.shortfall) == (
        Decimal("14.5"),
        DEFAULT_DUTY_HOURS,
        "short",
        Decimal("9.5"),
    )
    # the street lowers its requirement: the same hours now meet it
    do_set_duty_hours(actor=world.user("street"), region_id=world.street.pk, hours="12")
    hours = member_hours(wu, 2026)
    assert (hours.required, hours.status, hours.shortfall) == (Decimal("12"), "met", Decimal("0"))


def test_community_hours_list_every_approved_member(world: World) -> None:
    serve(world.community, dt.date(2026, 3, 1), volunteer=world.volunteers["zhao"], hours="30")
    rows = community_member_hours(world.community, 2026)
    # wu and zhao approved (sun pending): the short one first
    assert [(r.volunteer.person.name, r.status) for r in rows] == [
        (world.volunteers["wu"].person.name, "short"),
        (world.volunteers["zhao"].person.name, "met"),
    ]
