"""Applying, deciding, withdrawing, the liaison, contacts and meetings: who may, and refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.models import AuditEvent, Membership, Role
from gongzhi.people.models import PartyMember
from gongzhi.registrations.actions import (
    do_apply_member_registration,
    do_apply_unit_registration,
    do_create_joint_meeting,
    do_decide_registration,
    do_log_unit_contact,
    do_mark_attendance,
    do_set_duty_hours,
    do_set_unit_liaison,
    do_withdraw_registration,
)
from gongzhi.registrations.models import (
    DutyHours,
    LiaisonTerm,
    MeetingAttendance,
    MemberRegistration,
    RegistrationStatus,
    UnitContact,
    UnitRegistration,
)
from gongzhi.volunteers.models import Volunteer
from tests.registrations.helpers import world_registration
from tests.serviceloop.world import World
from tests.web.users import make_user

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[object, ...]:
    return (
        list(UnitRegistration.objects.values_list("pk", "status", "liaison_id", "reason").order_by("pk")),
        list(MemberRegistration.objects.values_list("pk", "status", "reason").order_by("pk")),
        LiaisonTerm.objects.count(),
        UnitContact.objects.count(),
        MeetingAttendance.objects.count(),
        list(PartyMember.objects.values_list("pk", "registered_community_id").order_by("pk")),
        AuditEvent.objects.filter(action__startswith="registrations.").count(),
    )


def _pending_unit(world: World, place: str = "grid2") -> UnitRegistration:
    return do_apply_unit_registration(
        actor=world.user("community"),
        unit_id=world.people.places[place].unit.pk,
        community_id=world.community.pk,
        offers="法律咨询",
        liaison_id=world.volunteers["wang"].pk,
    )


# ------------------------------------------------------------------------------ deciding


def test_staff_in_scope_approve_a_unit_and_the_liaison_term_opens(world: World) -> None:
    registration = _pending_unit(world)
    assert registration.status == RegistrationStatus.PENDING
    do_decide_registration(actor=world.user("secretary"), kind="unit", registration_id=registration.pk, approve=True)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert registration.decided_by == world.user("secretary")
    term = LiaisonTerm.objects.get(registration=registration)
    assert (term.volunteer, term.started_on, term.ended_on) == (
        world.volunteers["wang"],
        timezone.localdate(),
        None,
    )
    assert AuditEvent.objects.filter(action="registrations.unit.decide", object_id=str(registration.pk)).exists()


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("street", None),  # 尧化街道 staff cover 尧化门社区
        ("leader", PermissionDenied),  # services.view only
        ("grid", PermissionDenied),  # services.report, no manage
        ("wang", PermissionDenied),  # a participant
        ("sysadmin", PermissionDenied),  # services.config, not manage
    ],
)
def test_who_may_decide(world: World, who: str, error: type[Exception] | None) -> None:
    registration = _pending_unit(world)
    before = _snapshot()
    if error is None:
        do_decide_registration(actor=world.user(who), kind="unit", registration_id=registration.pk, approve=True)
        assert UnitRegistration.objects.get(pk=registration.pk).status == RegistrationStatus.APPROVED
    else:
        with pytest.raises(error):
            do_decide_registration(actor=world.user(who), kind="unit", registration_id=registration.pk, approve=True)
        assert _snapshot() == before


def test_staff_out_of_scope_get_not_found_and_nothing_changes(world: World) -> None:
    # given sun's pending registration with 尧化门社区 and a manager of another street
    sun = MemberRegistration.objects.get(member=world.members["sun"])
    other = make_user("maqun_staff")
    Membership.objects.create(user=other, role=Role.COMMUNITY_STAFF, region=world.people.places["street2"].community)
    before = _snapshot()
    with pytest.raises(NotFound):
        do_decide_registration(actor=other, kind="member", registration_id=sun.pk, approve=True)
    with pytest.raises(NotFound):
        do_decide_registration(actor=world.user("community"), kind="member", registration_id=999999, approve=True)
    assert _snapshot() == before


def test_rejecting_needs_a_reason_and_a_decided_one_cannot_be_decided_again(world: World) -> None:
    sun = MemberRegistration.objects.get(member=world.members["sun"])
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        do_decide_registration(actor=world.user("community"), kind="member", registration_id=sun.pk, approve=False)
    assert refused.value.items[0].field == "reason"
    assert _snapshot() == before
    do_decide_registration(
        actor=world.user("community"), kind="member", registration_id=sun.pk, approve=False, reason="材料不全"
    )
    sun.refresh_from_db()
    assert (sun.status, sun.reason) == (RegistrationStatus.REJECTED, "材料不全")
    before = _snapshot()
    with pytest.raises(Conflict):
        do_decide_registration(actor=world.user("community"), kind="member", registration_id=sun.pk, approve=True)
    assert _snapshot() == before


def test_approving_a_member_records_the_community_only_when_none_yet(world: World) -> None:
    sun = MemberRegistration.objects.get(member=world.members["sun"])
    PartyMember.objects.filter(pk=world.members["sun"].pk).update(kind="in_service", registered_community=None)
    do_decide_registration(actor=world.user("community"), kind="member", registration_id=sun.pk, approve=True)
    member = PartyMember.objects.get(pk=world.members["sun"].pk)
    assert (member.registered_community_id, member.region_code) == (world.community.pk, world.community.code)
    # wu was already recorded with 尧化门社区: approving wu elsewhere keeps it
    other = do_apply_member_registration(
        actor=world.user("street"), member_id=world.members["wu"].pk, community_id=world.people.tree.community2.pk
    )
    do_decide_registration(actor=world.user("street"), kind="member", registration_id=other.pk, approve=True)
    wu = PartyMember.objects.get(pk=world.members["wu"].pk)
    assert wu.registered_community_id == world.members["wu"].registered_community_id


# ------------------------------------------------------------------------------ applying


def test_staff_register_an_in_service_member_with_a_new_volunteer_profile(world: World) -> None:
    # given wu's approved registration withdrawn, wu registers with 新尧社区 via the street staff
    community2 = world.people.tree.community2
    registration = do_apply_member_registration(
        actor=world.user("street"),
        member_id=world.members["wu"].pk,
        community_id=community2.pk,
        skills=["EDU01", "ELD01"],
        available_days=0b1100000,
        monthly_capacity=2,
    )
    wu = Volunteer.objects.get(pk=world.volunteers["wu"].pk)
    assert registration.status == RegistrationStatus.PENDING
    assert registration.volunteer == wu  # reused, not duplicated
    assert (wu.skills, wu.available_days, wu.monthly_capacity) == (["EDU01", "ELD01"], 0b1100000, 2)


def test_member_application_refusals_change_nothing(world: World) -> None:
    before = _snapshot()
    volunteers = list(Volunteer.objects.values_list("pk", "skills").order_by("pk"))
    cases = [
        ({"member_id": world.members["wang"].pk}, "member"),  # a resident member
        ({"member_id": world.members["wu"].pk}, "member"),  # already registered with 尧化门
        ({"member_id": world.members["wu"].pk, "skills": ["NOPE"]}, "skills"),
        ({"member_id": world.members["wu"].pk, "available_days": 0}, "available_days"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as refused:
            do_apply_member_registration(actor=world.user("community"), community_id=world.community.pk, **kwargs)  # type: ignore[arg-type]
        assert refused.value.items[0].field == field
    with pytest.raises(NotFound):  # 新尧社区 is outside the community staff's regions
        do_apply_member_registration(
            actor=world.user("community"),
            member_id=world.members["wu"].pk,
            community_id=world.people.tree.community2.pk,
        )
    with pytest.raises(PermissionDenied):
        do_apply_member_registration(
            actor=world.user("leader"), member_id=world.members["wu"].pk, community_id=world.community.pk
        )
    assert _snapshot() == before
    assert list(Volunteer.objects.values_list("pk", "skills").order_by("pk")) == volunteers


def test_a_member_applies_for_themselves_and_links_their_sign_in(world: World) -> None:
    registration = do_apply_member_registration(
        actor=world.user("wu"), member_id=world.members["wu"].pk, community_id=world.people.tree.community2.pk
    )
    assert registration.volunteer.user == world.user("wu")
    # but not for somebody else
    with pytest.raises(PermissionDenied):
        do_apply_member_registration(
            actor=world.user("wu"), member_id=world.members["zhao"].pk, community_id=world.people.tree.community2.pk
        )


def test_the_liaison_applies_for_their_unit_and_a_closed_registration_reopens(world: World) -> None:
    assert world.unit is not None
    registration = do_apply_unit_registration(
        actor=world.user("li"), unit_id=world.unit.pk, community_id=world.people.tree.community2.pk
    )
    assert registration.status == RegistrationStatus.PENDING
    with pytest.raises(DomainError):  # already open
        do_apply_unit_registration(actor=world.user("li"), unit_id=world.unit.pk, community_id=world.community.pk)
    do_withdraw_registration(actor=world.user("li"), kind="unit", registration_id=registration.pk)
    again = do_apply_unit_registration(
        actor=world.user("street"), unit_id=world.unit.pk, community_id=world.people.tree.community2.pk
    )
    assert (again.pk, again.status, again.decided_at) == (registration.pk, RegistrationStatus.PENDING, None)
    with pytest.raises(PermissionDenied):  # wang acts for no unit
        do_apply_unit_registration(actor=world.user("wang"), unit_id=world.unit.pk, community_id=world.community.pk)


# ------------------------------------------------------------------------------ withdrawing, liaison


def test_withdrawal_by_the_member_ends_it_and_nobody_else_can(world: World) -> None:
    wu = MemberRegistration.objects.get(member=world.members["wu"])
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        do_withdraw_registration(actor=world.user("zhao"), kind="member", registration_id=wu.pk)
    assert _snapshot() == before
    do_withdraw_registration(actor=world.user("wu"), kind="member", registration_id=wu.pk, reason="工作调动")
    wu.refresh_from_db()
    assert wu.status == RegistrationStatus.WITHDRAWN
    with pytest.raises(Conflict):
        do_withdraw_registration(actor=world.user("community"), kind="member", registration_id=wu.pk)


def test_changing_the_liaison_closes_one_term_and_opens_the_next(world: World) -> None:
    registration = world_registration(world)
    do_set_unit_liaison(
        actor=world.user("community"), registration_id=registration.pk, volunteer_id=world.volunteers["wang"].pk
    )
    do_set_unit_liaison(
        actor=world.user("community"), registration_id=registration.pk, volunteer_id=world.volunteers["wu"].pk
    )
    terms = list(
        LiaisonTerm.objects.filter(registration=registration).values_list("volunteer_id", "started_on", "ended_on")
    )
    today = timezone.localdate()
    # li's term from the 2025 approval is kept, then wang's (a day), then wu's
    assert terms == [
        (world.volunteers["li"].pk, dt.date(2025, 1, 2), today),
        (world.volunteers["wang"].pk, today, today),
        (world.volunteers["wu"].pk, today, None),
    ]
    other = make_user("other_street")
    Membership.objects.create(user=other, role=Role.STREET_STAFF, region=world.people.tree.street2)
    before = _snapshot()
    with pytest.raises(NotFound):  # another street's staff
        do_set_unit_liaison(actor=other, registration_id=registration.pk, volunteer_id=world.volunteers["wang"].pk)
    with pytest.raises(PermissionDenied):  # no services.manage at all
        do_set_unit_liaison(
            actor=world.user("grid"), registration_id=registration.pk, volunteer_id=world.volunteers["wang"].pk
        )
    with pytest.raises(DomainError):
        do_set_unit_liaison(actor=world.user("community"), registration_id=registration.pk, volunteer_id=999999)
    assert _snapshot() == before


# ------------------------------------------------------------------------------ contacts and meetings


def test_contact_refusals(world: World) -> None:
    registration = world_registration(world)
    pending = _pending_unit(world)
    before = _snapshot()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for kwargs in (
        {"registration_id": registration.pk, "contacted_on": tomorrow, "channel": "visit", "summary": "走访"},
        {"registration_id": registration.pk, "contacted_on": dt.date(2026, 1, 5), "channel": "fax", "summary": "走访"},
        {"registration_id": registration.pk, "contacted_on": dt.date(2026, 1, 5), "channel": "visit", "summary": " "},
        {"registration_id": pending.pk, "contacted_on": dt.date(2026, 1, 5), "channel": "visit", "summary": "走访"},
    ):
        with pytest.raises(DomainError):
            do_log_unit_contact(actor=world.user("community"), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        do_log_unit_contact(
            actor=world.user("grid"),
            registration_id=registration.pk,
            contacted_on=dt.date(2026, 1, 5),
            channel="visit",
            summary="走访",
        )
    assert _snapshot() == before


def test_attendance_needs_a_held_meeting_and_a_registered_unit_once(world: World) -> None:
    assert world.unit is not None
    future = do_create_joint_meeting(
        actor=world.user("community"),
        region_id=world.community.pk,
        held_on=timezone.localdate() + dt.timedelta(days=3),
        subject="下月会议",
    )
    held = do_create_joint_meeting(
        actor=world.user("community"), region_id=world.community.pk, held_on=dt.date(2026, 10, 9), subject="联席会议"
    )
    before = _snapshot()
    with pytest.raises(DomainError):
        do_mark_attendance(
            actor=world.user("community"), meeting_id=future.pk, unit_id=world.unit.pk, attendee_name="周经理"
        )
    with pytest.raises(DomainError):  # grid3's unit has no registration here
        do_mark_attendance(
            actor=world.user("community"),
            meeting_id=held.pk,
            unit_id=world.people.places["grid3"].unit.pk,
            attendee_name="某",
        )
    assert _snapshot() == before
    do_mark_attendance(actor=world.user("community"), meeting_id=held.pk, unit_id=world.unit.pk, attendee_name="周经理")
    before = _snapshot()
    with pytest.raises(DomainError):
        do_mark_attendance(
            actor=world.user("community"), meeting_id=held.pk, unit_id=world.unit.pk, attendee_name="周经理"
        )
    assert _snapshot() == before
    with pytest.raises(NotFound):  # a street meeting is not the community staff's to create
        do_create_joint_meeting(
            actor=world.user("community"), region_id=world.street.pk, held_on=dt.date(2026, 10, 9), subject="街道会议"
        )


def test_duty_hours_by_street_staff_and_the_system_administrator_only(world: World) -> None:
    with pytest.raises(NotFound):  # a community manager does not cover the street
        do_set_duty_hours(actor=world.user("community"), region_id=world.street.pk, hours="10")
    with pytest.raises(PermissionDenied):
        do_set_duty_hours(actor=world.user("street"), region_id=None, hours="10")
    with pytest.raises(DomainError):
        do_set_duty_hours(actor=world.user("street"), region_id=world.street.pk, hours="-1")
    assert not DutyHours.objects.exists()
    do_set_duty_hours(actor=world.user("sysadmin"), region_id=None, hours="30")
    do_set_duty_hours(actor=world.user("sysadmin"), region_id=None, hours="20")
    do_set_duty_hours(actor=world.user("street"), region_id=world.street.pk, hours="16")
    assert dict(DutyHours.objects.values_list("region_id", "hours")) == {None: 20, world.street.pk: 16}
