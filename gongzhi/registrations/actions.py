"""双报到 writes: applying, deciding, withdrawing, the liaison, contacts, joint meetings, duty hours.

Who may do what:

- Staff with `services.manage` over the community do everything here for their communities (a
  community's staff and secretary; the street's staff for its communities). No `services.manage`
  anywhere → PermissionDenied; the community or the registration outside their regions → NotFound.
- A participant may act for themselves: an in-service party member applies for their own
  registration (their sign-in becomes their volunteer profile's) and withdraws it; a unit's liaison
  (an approved registration names them) applies for the unit with another community and withdraws
  the unit's registrations. Neither decides anything.
- Approving a unit opens the proposed liaison's term; approving a member fills
  `PartyMember.registered_community` (and its `region_code`) when it is still empty — a member
  registered elsewhere first keeps that community as the one recorded with the party organisation.
- Required yearly hours: street staff (`services.manage` covering the street) for their street; the
  system administrator (`services.config`) for the city-wide default.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.access import AnyUser, capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.models import Membership
from gongzhi.people.models import MemberKind, PartyMember, Unit
from gongzhi.regions.models import Level, Region
from gongzhi.registrations.access import (
    access_community_by_id,
    access_meeting_by_id,
    access_member_registration_by_id,
    access_unit_registration_by_id,
    require_capability,
    units_acted_for,
    volunteer_of,
)
from gongzhi.registrations.models import (
    ContactChannel,
    DutyHours,
    JointMeeting,
    LiaisonTerm,
    MeetingAttendance,
    MemberRegistration,
    RegistrationStatus,
    UnitContact,
    UnitRegistration,
)
from gongzhi.services.models import NeedCategory
from gongzhi.volunteers.models import ALL_DAYS, Volunteer

MIN_REASON_CHARS = 2
MAX_CAPACITY = 31
OPEN = (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)


def _user(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _today() -> dt.date:
    return timezone.localdate()


def _manages(actor: AnyUser | None, code: str) -> bool:
    return actor is not None and capability_scope(actor, Cap.SERVICES_MANAGE).covers(code)


def _community_for_staff(actor: AnyUser | None, community_id: int) -> Region:
    """403 without services.manage anywhere; 404 for a community outside it."""
    if actor is None:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    require_capability(actor, Cap.SERVICES_MANAGE)
    return access_community_by_id(actor, community_id, Cap.SERVICES_MANAGE)


def _community(community_id: int) -> Region:
    community = Region.objects.filter(pk=community_id, level=Level.COMMUNITY).first()
    if community is None:
        raise NotFound(community_id)
    return community


def _reason(reason: str, required: bool) -> str:
    reason = (reason or "").strip()
    if required and len(reason) < MIN_REASON_CHARS:
        raise DomainError.single("reason", "required", _("Give a reason of at least two characters."))
    return reason[:200]


def _volunteer(volunteer_id: int, field: str) -> Volunteer:
    volunteer = Volunteer.objects.select_related("person").filter(pk=volunteer_id, is_active=True).first()
    if volunteer is None:
        raise DomainError.single(field, "not_a_volunteer", _("Choose an active volunteer."))
    return volunteer


def _reopen(registration: UnitRegistration | MemberRegistration) -> None:
    registration.status = RegistrationStatus.PENDING
    registration.applied_at = timezone.now()
    registration.decided_at = None
    registration.decided_by = None
    registration.reason = ""


# ------------------------------------------------------------------------------------- units


@transaction.atomic
def do_apply_unit_registration(
    *,
    actor: AnyUser | None,
    unit_id: int,
    community_id: int,
    offers: str = "",
    liaison_id: int | None = None,
) -> UnitRegistration:
    """A unit registers with a community (pending until the community decides).

    Staff with services.manage over the community apply for any unit; a unit's liaison applies for
    their own unit with any community. A rejected or withdrawn registration is reopened.
    """
    unit = Unit.objects.filter(pk=unit_id).first()
    acts_for_unit = unit is not None and actor is not None and units_acted_for(actor).filter(pk=unit.pk).exists()
    community = _community(community_id) if acts_for_unit else _community_for_staff(actor, community_id)
    if unit is None:
        raise NotFound(unit_id)
    liaison = _volunteer(liaison_id, "liaison") if liaison_id is not None else None
    existing = UnitRegistration.objects.select_for_update().filter(unit=unit, community=community).first()
    if existing is not None and existing.status in OPEN:
        raise DomainError.single(
            "unit", "already_registered", _("This unit is already registered with this community.")
        )
    registration = existing or UnitRegistration(unit=unit, community=community, region_code=community.code)
    if existing is not None:
        _reopen(registration)
    registration.offers = (offers or "").strip()[:2000]
    registration.liaison = liaison
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        raise Conflict.single(
            "unit", "already_registered", _("This unit is already registered with this community.")
        ) from exc
    audit.record(
        actor=_user(actor),
        action="registrations.unit.apply",
        obj=registration,
        changes={"unit": unit.pk, "community": community.code, "liaison": liaison_id, "offers": registration.offers},
    )
    return registration


def _open_term(registration: UnitRegistration, volunteer: Volunteer, actor: AnyUser | None, day: dt.date) -> None:
    LiaisonTerm.objects.create(registration=registration, volunteer=volunteer, started_on=day, set_by=_user(actor))


def _close_terms(registration: UnitRegistration, day: dt.date) -> None:
    # A registration approved with a liaison before terms were kept (or loaded by hand) gets its
    # implicit term written first, so the months it covered keep their liaison.
    if registration.liaison_id is not None and not LiaisonTerm.objects.filter(registration=registration).exists():
        since = registration.decided_at or registration.applied_at
        LiaisonTerm.objects.create(
            registration=registration,
            volunteer_id=registration.liaison_id,
            started_on=timezone.localdate(since) if since else day,
        )
    for term in LiaisonTerm.objects.select_for_update().filter(registration=registration, ended_on__isnull=True):
        # A term opened and closed on the same day still counts for that day.
        term.ended_on = max(day, term.started_on)
        term.save(update_fields=["ended_on"])


@transaction.atomic
def do_set_unit_liaison(*, actor: AnyUser | None, registration_id: int, volunteer_id: int) -> UnitRegistration:
    """一名联络员: name (or change) the unit's liaison; on an approved registration a new term starts today."""
    if actor is None:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    require_capability(actor, Cap.SERVICES_MANAGE)
    found = access_unit_registration_by_id(actor, registration_id, Cap.SERVICES_MANAGE)
    registration = UnitRegistration.objects.select_for_update().get(pk=found.pk)
    if registration.status not in OPEN:
        raise Conflict.single("status", "closed", _("This registration is no longer open."))
    volunteer = _volunteer(volunteer_id, "liaison")
    before = registration.liaison_id
    if before == volunteer.pk:
        return registration
    if registration.status == RegistrationStatus.APPROVED:
        today = _today()
        _close_terms(registration, today)
        _open_term(registration, volunteer, actor, today)
    registration.liaison = volunteer
    registration.save(update_fields=["liaison"])
    audit.record(
        actor=_user(actor),
        action="registrations.unit.liaison",
        obj=registration,
        changes={"liaison": [before, volunteer.pk]},
    )
    return registration


# ----------------------------------------------------------------------------------- members


def _clean_skills(skills: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(s.strip() for s in skills if s and s.strip()))
    known = set(NeedCategory.objects.filter(code__in=wanted, is_active=True).values_list("code", flat=True))
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise DomainError.single(
            "skills", "unknown", _("Unknown service categories: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    return wanted


def _sign_in(username: str, member: PartyMember) -> User:
    """An existing participant account (no staff role, no other volunteer profile) to link."""
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise DomainError.single("username", "unknown", _("No active account has this user name."))
    if Membership.objects.filter(user=user).exists():
        raise DomainError.single("username", "staff", _("A staff account cannot be a volunteer's sign-in."))
    other = Volunteer.objects.filter(user=user).exclude(person_id=member.person_id).exists()
    if other:
        raise DomainError.single("username", "taken", _("This account already signs in another volunteer."))
    return user


@transaction.atomic
def do_apply_member_registration(
    *,
    actor: AnyUser | None,
    member_id: int,
    community_id: int,
    skills: list[str] | None = None,
    available_days: int = ALL_DAYS,
    monthly_capacity: int = 4,
    username: str = "",
) -> MemberRegistration:
    """An in-service party member registers with a community (pending until it decides).

    Staff with services.manage over the community register any in-service member and may link an
    existing participant account (`username`); the member may apply for themselves (their own
    sign-in is linked). The member's volunteer profile is created (serving in this community) or
    reused, and takes the given skills (need-category codes), days (bit 0 = Monday) and capacity.
    """
    member = PartyMember.objects.select_related("person").filter(pk=member_id).first()
    own = volunteer_of(actor) if actor is not None else None
    self_service = member is not None and own is not None and own.person_id == member.person_id
    community = _community(community_id) if self_service else _community_for_staff(actor, community_id)
    if member is None:
        raise NotFound(member_id)
    if member.kind != MemberKind.IN_SERVICE:
        raise DomainError.single(
            "member", "not_in_service", _("Only in-service party members register with a community.")
        )
    clean_skills = _clean_skills(skills or [])
    if not 0 < available_days <= ALL_DAYS:
        raise DomainError.single("available_days", "invalid", _("Choose at least one day of the week."))
    if not 0 < monthly_capacity <= MAX_CAPACITY:
        raise DomainError.single(
            "monthly_capacity", "invalid", _("Tasks a month must be between 1 and %(n)d.") % {"n": MAX_CAPACITY}
        )
    user = _user(actor) if self_service else (_sign_in(username, member) if username.strip() else None)

    existing = MemberRegistration.objects.select_for_update().filter(member=member, community=community).first()
    if existing is not None and existing.status in OPEN:
        raise DomainError.single(
            "member", "already_registered", _("This member is already registered with this community.")
        )
    volunteer = Volunteer.objects.select_for_update().filter(person_id=member.person_id).first()
    created = volunteer is None
    if volunteer is None:
        volunteer = Volunteer(person=member.person, community=community, region_code=community.code, joined_on=_today())
    volunteer.skills = clean_skills
    volunteer.available_days = available_days
    volunteer.monthly_capacity = monthly_capacity
    volunteer.is_active = True
    if user is not None and volunteer.user_id is None:
        volunteer.user = user
    volunteer.save()

    registration = existing or MemberRegistration(member=member, community=community, region_code=community.code)
    if existing is not None:
        _reopen(registration)
    registration.volunteer = volunteer
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        raise Conflict.single(
            "member", "already_registered", _("This member is already registered with this community.")
        ) from exc
    audit.record(
        actor=_user(actor),
        action="registrations.member.apply",
        obj=registration,
        changes={
            "member": member.pk,
            "community": community.code,
            "volunteer": volunteer.pk,
            "volunteer_created": created,
            "skills": clean_skills,
            "available_days": available_days,
            "monthly_capacity": monthly_capacity,
            "sign_in": volunteer.user_id,
        },
    )
    return registration


# ----------------------------------------------------------------------------- both: decide, withdraw

UNIT = "unit"
MEMBER = "member"
KINDS = (UNIT, MEMBER)


def _locked(kind: str, actor: AnyUser, registration_id: int) -> UnitRegistration | MemberRegistration:
    if kind == UNIT:
        found_unit = access_unit_registration_by_id(actor, registration_id, Cap.SERVICES_MANAGE)
        return UnitRegistration.objects.select_for_update().get(pk=found_unit.pk)
    if kind == MEMBER:
        found_member = access_member_registration_by_id(actor, registration_id, Cap.SERVICES_MANAGE)
        return MemberRegistration.objects.select_for_update().get(pk=found_member.pk)
    raise NotFound(kind)


@transaction.atomic
def do_decide_registration(
    *, actor: AnyUser | None, kind: str, registration_id: int, approve: bool, reason: str = ""
) -> UnitRegistration | MemberRegistration:
    """The community approves or rejects (with a reason) a pending registration."""
    if actor is None:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    require_capability(actor, Cap.SERVICES_MANAGE)
    registration = _locked(kind, actor, registration_id)
    clean_reason = _reason(reason, required=not approve)
    if registration.status != RegistrationStatus.PENDING:
        raise Conflict.single("status", "decided", _("This registration has already been decided."))
    now = timezone.now()
    registration.status = RegistrationStatus.APPROVED if approve else RegistrationStatus.REJECTED
    registration.decided_at = now
    registration.decided_by = _user(actor)
    registration.reason = clean_reason
    registration.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    changes: dict[str, object] = {"status": registration.status, "reason": clean_reason}
    if approve and isinstance(registration, UnitRegistration) and registration.liaison_id is not None:
        assert registration.liaison is not None  # noqa: S101 - id set
        _open_term(registration, registration.liaison, actor, timezone.localdate(now))
    if approve and isinstance(registration, MemberRegistration):
        member = PartyMember.objects.select_for_update().get(pk=registration.member_id)
        if member.registered_community_id is None:
            member.registered_community = registration.community
            member.region_code = registration.community.code
            member.save(update_fields=["registered_community", "region_code"])
            changes["registered_community"] = registration.community.code
    audit.record(actor=_user(actor), action=f"registrations.{kind}.decide", obj=registration, changes=changes)
    return registration


@transaction.atomic
def do_withdraw_registration(
    *, actor: AnyUser | None, kind: str, registration_id: int, reason: str = ""
) -> UnitRegistration | MemberRegistration:
    """Ends a pending or approved registration: by the community's staff, the member themselves, or
    the unit's liaison. The liaison's term ends today; the member's recorded community is kept."""
    if actor is None:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    registration: UnitRegistration | MemberRegistration | None = None
    if kind == MEMBER:
        own = volunteer_of(actor)
        if own is not None and MemberRegistration.objects.filter(pk=registration_id, volunteer=own).exists():
            registration = MemberRegistration.objects.select_for_update().get(pk=registration_id)
    elif kind == UNIT:
        acted = UnitRegistration.objects.filter(pk=registration_id, unit__in=units_acted_for(actor))
        if acted.exists():
            registration = UnitRegistration.objects.select_for_update().get(pk=registration_id)
    if registration is None:
        require_capability(actor, Cap.SERVICES_MANAGE)
        registration = _locked(kind, actor, registration_id)
    clean_reason = _reason(reason, required=False)
    if registration.status not in OPEN:
        raise Conflict.single("status", "closed", _("This registration is no longer open."))
    before = registration.status
    registration.status = RegistrationStatus.WITHDRAWN
    registration.decided_at = timezone.now()
    registration.decided_by = _user(actor)
    registration.reason = clean_reason
    registration.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    if isinstance(registration, UnitRegistration):
        _close_terms(registration, _today())
    audit.record(
        actor=_user(actor),
        action=f"registrations.{kind}.withdraw",
        obj=registration,
        changes={"status": [before, registration.status], "reason": clean_reason},
    )
    return registration


# ------------------------------------------------------------------------------- contacts, meetings


@transaction.atomic
def do_log_unit_contact(
    *,
    actor: AnyUser | None,
    registration_id: int,
    contacted_on: dt.date,
    channel: str,
    summary: str,
) -> UnitContact:
    """每月联系: the community logs one contact with an approved unit (today or earlier)."""
    if actor is None:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    require_capability(actor, Cap.SERVICES_MANAGE)
    registration = access_unit_registration_by_id(actor, registration_id, Cap.SERVICES_MANAGE)
    if registration.status != RegistrationStatus.APPROVED:
        raise DomainError.single("registration", "not_approved", _("Contacts are logged for approved units only."))
    if channel not in ContactChannel.values:
        raise DomainError.single("channel", "invalid", _("Choose how the contact was made."))
    if contacted_on > _today():
        raise DomainError.single("contacted_on", "future", _("The date cannot be in the future."))
    clean = (summary or "").strip()
    if len(clean) < MIN_REASON_CHARS:
        raise DomainError.single("summary", "required", _("Say briefly what the contact was about."))
    contact = UnitContact.objects.create(
        unit_id=registration.unit_id,
        community_id=registration.community_id,
        region_code=registration.region_code,
        contacted_on=contacted_on,
        channel=channel,
        summary=clean[:300],
        logged_by=_user(actor),
    )
    audit.record(
        actor=_user(actor),
        action="registrations.contact.log",
        obj=contact,
        changes={"unit": registration.unit_id, "date": str(contacted_on), "channel": channel},
    )
    return contact


@transaction.atomic
def do_create_joint_meeting(
    *, actor: AnyUser | None, region_id: int, held_on: dt.date, subject: str, minutes: str = ""
) -> JointMeeting:
    """联席会议 of a community or a street, by staff with services.manage covering it."""
    if actor is None:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    require_capability(actor, Cap.SERVICES_MANAGE)
    region = Region.objects.filter(pk=region_id, level__in=(Level.COMMUNITY, Level.STREET)).first()
    if region is None or not _manages(actor, region.code):
        raise NotFound(region_id)
    clean = (subject or "").strip()
    if len(clean) < MIN_REASON_CHARS:
        raise DomainError.single("subject", "required", _("Give the meeting a subject."))
    meeting = JointMeeting.objects.create(
        region=region,
        region_code=region.code,
        held_on=held_on,
        subject=clean[:200],
        minutes=(minutes or "").strip(),
        created_by=_user(actor),
    )
    audit.record(
        actor=_user(actor),
        action="registrations.meeting.create",
        obj=meeting,
        changes={"region": region.code, "held_on": str(held_on), "subject": meeting.subject},
    )
    return meeting


@transaction.atomic
def do_mark_attendance(
    *,
    actor: AnyUser | None,
    meeting_id: int,
    unit_id: int,
    attendee_name: str = "",
    volunteer_id: int | None = None,
) -> MeetingAttendance:
    """A registered unit signed in at a meeting that has taken place (today or before).

    The unit needs an approved registration with a community the meeting covers (the meeting's
    community, or any community of the meeting's street) and the actor manages.
    """
    if actor is None:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    require_capability(actor, Cap.SERVICES_MANAGE)
    meeting = access_meeting_by_id(actor, meeting_id, Cap.SERVICES_MANAGE)
    scope = capability_scope(actor, Cap.SERVICES_MANAGE)
    registered = UnitRegistration.objects.filter(
        unit_id=unit_id, status=RegistrationStatus.APPROVED, region_code__startswith=meeting.region_code
    )
    if not any(scope.covers(code) for code in registered.values_list("region_code", flat=True)):
        raise DomainError.single(
            "unit", "not_registered", _("This unit has no approved registration that this meeting covers.")
        )
    if meeting.held_on > _today():
        raise DomainError.single("meeting", "not_held", _("Attendance is marked once the meeting has taken place."))
    volunteer = _volunteer(volunteer_id, "volunteer") if volunteer_id is not None else None
    name = (attendee_name or "").strip() or (volunteer.person.name if volunteer is not None else "")
    if not name:
        raise DomainError.single("attendee_name", "required", _("Say who attended for the unit."))
    if MeetingAttendance.objects.filter(meeting=meeting, unit_id=unit_id).exists():
        raise DomainError.single("unit", "already_marked", _("This unit's attendance is already recorded."))
    try:
        with transaction.atomic():
            attendance = MeetingAttendance.objects.create(
                meeting=meeting,
                unit_id=unit_id,
                attendee_name=name[:50],
                volunteer=volunteer,
                signed_at=timezone.now(),
                recorded_by=_user(actor),
            )
    except IntegrityError as exc:
        raise Conflict.single("unit", "already_marked", _("This unit's attendance is already recorded.")) from exc
    audit.record(
        actor=_user(actor),
        action="registrations.meeting.attend",
        obj=attendance,
        changes={"meeting": meeting.pk, "unit": unit_id, "attendee": attendance.attendee_name},
    )
    return attendance


# ---------------------------------------------------------------------------------- duty hours


@transaction.atomic
def do_set_duty_hours(*, actor: AnyUser | None, region_id: int | None, hours: Decimal | str) -> DutyHours:
    """Yearly hours required of in-service members: a street's (street staff with services.manage over
    it) or the city-wide default (region_id None; services.config)."""
    if actor is None:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    if region_id is None:
        if not has_capability(actor, Cap.SERVICES_CONFIG):
            raise PermissionDenied(Cap.SERVICES_CONFIG)
        region = None
    else:
        require_capability(actor, Cap.SERVICES_MANAGE)
        region = Region.objects.filter(pk=region_id, level=Level.STREET).first()
        if region is None or not _manages(actor, region.code):
            raise NotFound(region_id)
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError.single("hours", "invalid", _("Enter a number of hours.")) from exc
    if not Decimal("0") <= value <= Decimal("1000"):
        raise DomainError.single("hours", "invalid", _("Hours must be between 0 and 1000."))
    row = DutyHours.objects.select_for_update().filter(region=region).first()
    before = str(row.hours) if row is not None else None
    if row is None:
        row = DutyHours(region=region)
    row.hours = value
    row.updated_by = _user(actor)
    row.save()
    audit.record(
        actor=_user(actor),
        action="registrations.duty_hours.set",
        obj=row,
        changes={"region": region.code if region else None, "hours": [before, str(value)]},
    )
    return row
