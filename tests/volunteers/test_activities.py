"""Activities: who creates and runs them, the sign-up limit, QR check-in/out, hours, confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.volunteers.actions.activities import (
    do_cancel_sign_up,
    do_create_activity,
    do_set_activity_status,
    do_sign_up,
)
from gongzhi.volunteers.actions.attendance import (
    do_check_in,
    do_check_out,
    do_confirm_all,
    do_confirm_attendance,
    do_scan,
)
from gongzhi.volunteers.actions.register import do_create_team
from gongzhi.volunteers.models import Activity, ActivityStatus, Attendance, ServiceKind, ServiceRecord, SignUp
from gongzhi.volunteers.tokens import Mode, make_token
from tests.serviceloop.world import World
from tests.volunteers.conftest import START, counts, make_activity

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


def _token(activity: Activity, mode: Mode, at: dt.datetime) -> str:
    return make_token(activity.qr_secret, activity.pk, mode, at.timestamp())


def _scan(w: World, key: str, activity: Activity, mode: Mode, at: dt.datetime) -> Attendance:
    return do_scan(actor=w.user(key), token=_token(activity, mode, at), at=at)[0]


# ── creating and running ─────────────────────────────────────────────────────────────────────────


def test_staff_create_a_draft_and_publish_it(world: World) -> None:
    staff = world.user("community")
    activity = do_create_activity(
        actor=staff,
        community=world.community,
        title="敬老院义诊",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=3),
        place="尧化门敬老院",
        capacity=5,
        category_code="MED01",
    )
    assert activity.status == ActivityStatus.DRAFT and activity.organiser_user == staff
    assert len(activity.qr_secret) == 64
    do_set_activity_status(actor=staff, activity_id=activity.pk, status=ActivityStatus.OPEN)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.OPEN
    # a finished activity cannot reopen: someone acted first / it moved on
    do_set_activity_status(actor=staff, activity_id=activity.pk, status=ActivityStatus.DONE)
    with pytest.raises(Conflict):
        do_set_activity_status(actor=staff, activity_id=activity.pk, status=ActivityStatus.OPEN)


def test_create_refusals_change_nothing(world: World) -> None:
    before = counts()
    kwargs = {
        "community": world.community,
        "title": "x",
        "starts_at": START,
        "ends_at": START + dt.timedelta(hours=1),
        "place": "p",
        "capacity": 3,
    }
    with pytest.raises(PermissionDenied):
        do_create_activity(actor=world.user("grid"), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        do_create_activity(actor=world.user("dept"), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        do_create_activity(actor=world.user("wang"), **kwargs)  # type: ignore[arg-type]  # not a team leader
    with pytest.raises(DomainError) as caught:
        do_create_activity(
            actor=world.user("community"),
            community=world.community,
            title="",
            starts_at=START,
            ends_at=START,
            place="",
            capacity=0,
            category_code="ZZZ",
        )
    assert {i.field for i in caught.value.items} == {"title", "place", "ends_at", "capacity", "category_code"}
    assert counts() == before


def test_team_leader_creates_and_runs_their_team_activity(world: World) -> None:
    team = do_create_team(actor=None, community=world.community, name="红马甲", leader=world.volunteers["wang"])
    wang = world.user("wang")
    activity = do_create_activity(
        actor=wang,
        community=world.community,
        title="楼道清理",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
        place="1幢",
        capacity=2,
        organiser_team=team,
        publish=True,
    )
    assert activity.organiser_volunteer == world.volunteers["wang"] and activity.organiser_user is None
    do_set_activity_status(actor=wang, activity_id=activity.pk, status=ActivityStatus.CLOSED)
    # another volunteer may not run it; they do not even see it as an organiser
    with pytest.raises(NotFound):
        do_set_activity_status(actor=world.user("wu"), activity_id=activity.pk, status=ActivityStatus.OPEN)
    # a grid worker sees the community's activities but may not run them
    with pytest.raises(PermissionDenied):
        do_set_activity_status(actor=world.user("grid"), activity_id=activity.pk, status=ActivityStatus.OPEN)


# ── sign-up ──────────────────────────────────────────────────────────────────────────────────────


def test_sign_up_limit_and_cancel_frees_a_place(world: World) -> None:
    activity = make_activity(world, capacity=2)
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    do_sign_up(actor=world.user("wu"), activity_id=activity.pk)
    do_sign_up(actor=world.user("wu"), activity_id=activity.pk)  # again: a no-op
    before = counts()
    with pytest.raises(Conflict) as caught:
        do_sign_up(actor=world.user("zhao"), activity_id=activity.pk)
    assert caught.value.items[0].code == "full"
    assert counts() == before
    do_cancel_sign_up(actor=world.user("wu"), activity_id=activity.pk)
    do_sign_up(actor=world.user("zhao"), activity_id=activity.pk)
    signed = set(SignUp.objects.filter(activity=activity, status="signed_up").values_list("volunteer_id", flat=True))
    assert signed == {world.volunteers["wang"].pk, world.volunteers["zhao"].pk}


def test_only_volunteers_who_serve_in_the_community_sign_up(world: World) -> None:
    activity = make_activity(world)
    draft = make_activity(world, publish=False, title="草稿")
    before = counts()
    with pytest.raises(NotFound):
        do_sign_up(actor=world.user("sun"), activity_id=activity.pk)  # registration still pending
    with pytest.raises(NotFound):
        do_sign_up(actor=world.user("wang"), activity_id=draft.pk)  # drafts are not shown
    with pytest.raises(PermissionDenied):
        do_sign_up(actor=world.user("community"), activity_id=activity.pk)  # staff are not participants
    assert counts() == before


def test_sign_up_refused_when_closed_or_over(world: World) -> None:
    activity = make_activity(world)
    do_set_activity_status(actor=None, activity_id=activity.pk, status=ActivityStatus.CLOSED)
    with pytest.raises(DomainError) as caught:
        do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    assert caught.value.items[0].code == "not_open"
    do_set_activity_status(actor=None, activity_id=activity.pk, status=ActivityStatus.OPEN)
    with pytest.raises(DomainError) as caught:
        do_sign_up(actor=world.user("wang"), activity_id=activity.pk, at=activity.ends_at)
    assert caught.value.items[0].code == "over"
    # cancelling after the start is refused
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk, at=START - MIN)
    with pytest.raises(DomainError):
        do_cancel_sign_up(actor=world.user("wang"), activity_id=activity.pk, at=START + MIN)


# ── QR check-in and check-out ────────────────────────────────────────────────────────────────────


def test_check_in_needs_a_sign_up(world: World) -> None:
    activity = make_activity(world)
    before = counts()
    with pytest.raises(DomainError) as caught:
        _scan(world, "wang", activity, Mode.IN, START)
    assert caught.value.items[0].code == "not_signed_up"
    assert counts() == before


def test_check_in_and_out_credits_capped_rounded_hours(world: World) -> None:
    activity = make_activity(world, hours=2)
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    # arrives 20 minutes early, leaves 40 minutes late: 3 h present, capped at 2 h
    arrival = START - 20 * MIN
    attendance = _scan(world, "wang", activity, Mode.IN, arrival)
    assert attendance.checked_in_at == arrival and attendance.hours is None
    again = _scan(world, "wang", activity, Mode.IN, arrival + 5 * MIN)  # a second scan changes nothing
    assert again.checked_in_at == arrival
    attendance = _scan(world, "wang", activity, Mode.OUT, activity.ends_at + 25 * MIN)
    assert attendance.hours == Decimal("2.0")


def test_check_out_rounds_to_half_hours(world: World) -> None:
    activity = make_activity(world, hours=3)
    do_sign_up(actor=world.user("wu"), activity_id=activity.pk)
    _scan(world, "wu", activity, Mode.IN, START)
    attendance = _scan(world, "wu", activity, Mode.OUT, START + 74 * MIN)
    assert attendance.hours == Decimal("1.0")


def test_scan_refusals_say_why_and_change_nothing(world: World) -> None:
    activity = make_activity(world)
    other = make_activity(world, title="另一个活动")
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    wang = world.user("wang")
    before = counts()
    cases = {
        "expired": _token(activity, Mode.IN, START - 5 * MIN),
        "forged": _token(activity, Mode.IN, START)[:-4] + "0000",
        "malformed": "not-a-token",
    }
    for code, token in cases.items():
        with pytest.raises(DomainError) as caught:
            do_scan(actor=wang, token=token, at=START)
        assert caught.value.items[0].code == code
        assert caught.value.items[0].message  # a sentence for the volunteer
    # a valid token of another activity, at the API's endpoint of this one
    with pytest.raises(DomainError) as caught:
        do_check_in(actor=wang, token=_token(other, Mode.IN, START), activity_id=activity.pk, at=START)
    assert caught.value.items[0].code == "wrong_activity"
    # the check-out code at the check-in endpoint
    with pytest.raises(DomainError) as caught:
        do_check_in(actor=wang, token=_token(activity, Mode.OUT, START), at=START)
    assert caught.value.items[0].code == "wrong_mode_in"
    # check-out before check-in
    with pytest.raises(DomainError) as caught:
        do_check_out(actor=wang, token=_token(activity, Mode.OUT, START), at=START)
    assert caught.value.items[0].code == "not_checked_in"
    # too early (more than 30 minutes before the start) and after the end
    early = START - 31 * MIN
    with pytest.raises(DomainError) as caught:
        do_check_in(actor=wang, token=_token(activity, Mode.IN, early), at=early)
    assert caught.value.items[0].code == "too_early"
    late = activity.ends_at + MIN
    with pytest.raises(DomainError) as caught:
        do_check_in(actor=wang, token=_token(activity, Mode.IN, late), at=late)
    assert caught.value.items[0].code == "too_late"
    assert counts() == before


def test_no_check_in_once_cancelled(world: World) -> None:
    activity = make_activity(world)
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    do_set_activity_status(actor=None, activity_id=activity.pk, status=ActivityStatus.CANCELLED)
    with pytest.raises(DomainError) as caught:
        _scan(world, "wang", activity, Mode.IN, START)
    assert caught.value.items[0].code == "not_running"


# ── confirmation ─────────────────────────────────────────────────────────────────────────────────


def _attended(w: World, activity: Activity, key: str, minutes: int) -> Attendance:
    do_sign_up(actor=w.user(key), activity_id=activity.pk)
    _scan(w, key, activity, Mode.IN, START)
    return _scan(w, key, activity, Mode.OUT, START + minutes * MIN)


def test_confirmation_records_the_service_once(world: World) -> None:
    activity = make_activity(world, hours=2)
    attendance = _attended(world, activity, "wang", 95)
    staff = world.user("community")
    confirmed, created = do_confirm_attendance(actor=staff, activity_id=activity.pk, attendance_id=attendance.pk)
    assert created and confirmed.confirmed_by == staff and confirmed.confirmed_at is not None
    again, created_again = do_confirm_attendance(actor=staff, activity_id=activity.pk, attendance_id=attendance.pk)
    assert not created_again and again.confirmed_at == confirmed.confirmed_at
    assert do_confirm_all(actor=staff, activity_id=activity.pk) == []
    record = ServiceRecord.objects.get()
    assert record.kind == ServiceKind.ACTIVITY and record.source_id == attendance.pk
    assert record.volunteer == world.volunteers["wang"] and record.community == world.community
    assert record.hours == Decimal("1.50") and record.summary == activity.title
    assert record.served_on == dt.date(2030, 6, 1)


def test_confirm_all_skips_those_still_checked_in(world: World) -> None:
    activity = make_activity(world, hours=2)
    _attended(world, activity, "wang", 120)
    _attended(world, activity, "wu", 60)
    do_sign_up(actor=world.user("zhao"), activity_id=activity.pk)
    still_in = _scan(world, "zhao", activity, Mode.IN, START)
    confirmed = do_confirm_all(actor=world.user("street"), activity_id=activity.pk)
    assert len(confirmed) == 2
    hours = dict(ServiceRecord.objects.values_list("volunteer__user__username", "hours"))
    assert hours == {"wang": Decimal("2.00"), "wu": Decimal("1.00")}
    with pytest.raises(DomainError) as caught:
        do_confirm_attendance(actor=world.user("street"), activity_id=activity.pk, attendance_id=still_in.pk)
    assert caught.value.items[0].code == "not_checked_out"


def test_who_may_confirm(world: World) -> None:
    team = do_create_team(actor=None, community=world.community, name="红马甲", leader=world.volunteers["li"])
    activity = make_activity(world, team=team)
    attendance = _attended(world, activity, "wang", 60)
    before = counts()
    with pytest.raises(PermissionDenied):
        do_confirm_attendance(actor=world.user("grid"), activity_id=activity.pk, attendance_id=attendance.pk)
    with pytest.raises(NotFound):
        do_confirm_attendance(actor=world.user("dept"), activity_id=activity.pk, attendance_id=attendance.pk)
    with pytest.raises(NotFound):  # a participant who does not organise it
        do_confirm_attendance(actor=world.user("wu"), activity_id=activity.pk, attendance_id=attendance.pk)
    assert counts() == before
    # the team's leader confirms
    _, created = do_confirm_attendance(actor=world.user("li"), activity_id=activity.pk, attendance_id=attendance.pk)
    assert created and ServiceRecord.objects.filter(volunteer=world.volunteers["wang"]).count() == 1
