"""The volunteer register and the teams: register, update, deactivate; create teams, add and remove members.

Authorisation: a None actor is the system (seed, demo). Otherwise the actor needs `services.manage`
over the volunteer's (or team's) community: NotFound when the record is outside what they see,
PermissionDenied when they see it but may not manage it. Refusals write nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.access import AnyUser
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.models import UserSecurity
from gongzhi.core.security import passwords
from gongzhi.people.models import Person, Unit
from gongzhi.people.selectors import people_for
from gongzhi.regions.models import Building, Region
from gongzhi.registrations.access import may_serve_in, unit_registered_in
from gongzhi.volunteers.access import teams_for, volunteers_for
from gongzhi.volunteers.actions.common import (
    Errors,
    authorise_manage,
    check_community,
    clean_skills,
    clean_text,
    now,
    require_manage,
)
from gongzhi.volunteers.models import (
    ALL_DAYS,
    Activity,
    SignUp,
    SignUpStatus,
    Team,
    TeamMember,
    Volunteer,
)

MAX_MONTHLY_CAPACITY = 60


def _check_days(errors: Errors, available_days: int) -> None:
    if not 1 <= available_days <= ALL_DAYS:
        errors.add("available_days", "invalid", _("Choose at least one day of the week."))


def _check_capacity(errors: Errors, monthly_capacity: int) -> None:
    if not 1 <= monthly_capacity <= MAX_MONTHLY_CAPACITY:
        errors.add(
            "monthly_capacity",
            "out_of_range",
            _("Between 1 and %(n)d tasks a month.") % {"n": MAX_MONTHLY_CAPACITY},
        )


def _volunteer_state(v: Volunteer) -> dict[str, Any]:
    return {
        "person": v.person_id,
        "community": v.region_code,
        "skills": list(v.skills),
        "available_days": v.available_days,
        "monthly_capacity": v.monthly_capacity,
        "is_active": v.is_active,
        "user": v.user_id,
    }


def _check_username(errors: Errors, username: str) -> str:
    username = username.strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        errors.add("username", "invalid", _("A user name may hold letters, digits and @.+-_ only."))
        return username
    if len(username) > 150:
        errors.add("username", "too_long", _("At most %(n)d characters.") % {"n": 150})
    elif User.objects.filter(username__iexact=username).exists():
        errors.add("username", "taken", _("The user name %(name)s is taken.") % {"name": username})
    return username


def _create_sign_in(person: Person, username: str) -> tuple[User, str]:
    """A participant account (no staff role) with a temporary password to be changed at first sign-in."""
    temporary = passwords.temporary_password()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=temporary, first_name=person.name)
    except IntegrityError as exc:
        raise DomainError.single(
            "username", "taken", _("The user name %(name)s is taken.") % {"name": username}
        ) from exc
    UserSecurity.objects.create(user=user, must_change_password=True)
    return user, temporary


@transaction.atomic
def do_register_volunteer(
    *,
    actor: AnyUser | None,
    person: Person,
    community: Region,
    skills: Iterable[str] = (),
    available_days: int = ALL_DAYS,
    monthly_capacity: int = 4,
    building: Building | None = None,
    joined_on: dt.date | None = None,
    username: str = "",
) -> tuple[Volunteer, str]:
    """Registers a resident as a volunteer of `community`; with `username`, also a sign-in account.

    Returns the volunteer and the account's temporary password ("" without an account): shown once,
    stored nowhere, to be changed at the first sign-in (UserSecurity.must_change_password).
    """
    errors = Errors()
    check_community(errors, community)
    errors.raise_if_any()
    authorise_manage(actor, community.code)
    if actor is not None and not people_for(actor).filter(pk=person.pk).exists():
        raise NotFound(person.pk)
    codes = clean_skills(errors, skills)
    _check_days(errors, available_days)
    _check_capacity(errors, monthly_capacity)
    if not person.is_active:
        errors.add(
            "person", "inactive", _("%(name)s is no longer on the register of residents.") % {"name": person.name}
        )
    if Volunteer.objects.filter(person=person).exists():
        errors.add("person", "duplicate", _("%(name)s is already registered as a volunteer.") % {"name": person.name})
    username = _check_username(errors, username) if (username or "").strip() else ""
    errors.raise_if_any()
    if building is None and person.room_id is not None:
        home = Person.objects.select_related("room__unit__building").get(pk=person.pk)
        building = home.room.unit.building if home.room is not None else None
    user, temporary = _create_sign_in(person, username) if username else (None, "")
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                person=person,
                user=user,
                community=community,
                region_code=community.code,
                building=building,
                skills=codes,
                available_days=available_days,
                monthly_capacity=monthly_capacity,
                joined_on=joined_on or timezone.localdate(),
            )
    except IntegrityError as exc:
        raise DomainError.single(
            "person", "duplicate", _("%(name)s is already registered as a volunteer.") % {"name": person.name}
        ) from exc
    changes = _volunteer_state(volunteer) | {"username": username, "must_change_password": bool(username)}
    audit.record(actor=actor, action="volunteer.register", obj=volunteer, changes=changes)
    return volunteer, temporary


def _lock_volunteer(actor: AnyUser | None, volunteer: Volunteer) -> Volunteer:
    if actor is not None and not volunteers_for(actor).filter(pk=volunteer.pk).exists():
        raise NotFound(volunteer.pk)
    locked = Volunteer.objects.select_for_update().select_related("person").filter(pk=volunteer.pk).first()
    if locked is None:
        raise NotFound(volunteer.pk)
    require_manage(actor, locked.region_code)  # seen (maybe by registration) but managed only at home
    return locked


@transaction.atomic
def do_update_volunteer(
    *,
    actor: AnyUser | None,
    volunteer: Volunteer,
    skills: Iterable[str] | None = None,
    available_days: int | None = None,
    monthly_capacity: int | None = None,
    building: Building | None = None,
) -> Volunteer:
    """None leaves a field alone. Only the home community's staff may change a volunteer."""
    locked = _lock_volunteer(actor, volunteer)
    before = _volunteer_state(locked)
    errors = Errors()
    if skills is not None:
        locked.skills = clean_skills(errors, skills)
    if available_days is not None:
        _check_days(errors, available_days)
        locked.available_days = available_days
    if monthly_capacity is not None:
        _check_capacity(errors, monthly_capacity)
        locked.monthly_capacity = monthly_capacity
    if building is not None:
        locked.building = building
    errors.raise_if_any()
    locked.save(update_fields=["skills", "available_days", "monthly_capacity", "building"])
    after = _volunteer_state(locked)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        audit.record(actor=actor, action="volunteer.update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def do_deactivate_volunteer(*, actor: AnyUser | None, volunteer: Volunteer, reason: str = "") -> Volunteer:
    """Off the register: no more sign-ups or scans; sign-ups for activities not yet started are cancelled.

    Records of past service stay. The sign-in account stays too (accounts are the security
    administrator's), but without an active volunteer profile it opens no participant page.
    """
    locked = _lock_volunteer(actor, volunteer)
    if not locked.is_active:
        return locked
    at = now()
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    upcoming = Activity.objects.filter(starts_at__gt=at).values("pk")
    cancelled = list(
        SignUp.objects.select_for_update()
        .filter(volunteer=locked, status=SignUpStatus.SIGNED_UP, activity_id__in=upcoming)
        .values_list("pk", flat=True)
    )
    SignUp.objects.filter(pk__in=cancelled).update(status=SignUpStatus.CANCELLED, cancelled_at=at)
    audit.record(
        actor=actor,
        action="volunteer.deactivate",
        obj=locked,
        changes={"is_active": [True, False], "reason": reason.strip()[:200], "signups_cancelled": cancelled},
    )
    return locked


@transaction.atomic
def do_reactivate_volunteer(*, actor: AnyUser | None, volunteer: Volunteer) -> Volunteer:
    locked = _lock_volunteer(actor, volunteer)
    if locked.is_active:
        return locked
    locked.is_active = True
    locked.save(update_fields=["is_active"])
    audit.record(actor=actor, action="volunteer.reactivate", obj=locked, changes={"is_active": [False, True]})
    return locked


# ── teams ────────────────────────────────────────────────────────────────────────────────────────


def _check_member_candidate(errors: Errors, volunteer: Volunteer, community_id: int, field: str) -> None:
    if not may_serve_in(volunteer, community_id):
        errors.add(
            field,
            "not_in_community",
            _("%(name)s does not serve in this community.") % {"name": volunteer.person.name},
        )


@transaction.atomic
def do_create_team(
    *,
    actor: AnyUser | None,
    community: Region,
    name: str,
    unit: Unit | None = None,
    leader: Volunteer | None = None,
    skills: Iterable[str] = (),
    founded_on: dt.date | None = None,
) -> Team:
    """A community's team, or with `unit` the unit's own team; the leader becomes its first member."""
    errors = Errors()
    check_community(errors, community)
    errors.raise_if_any()
    authorise_manage(actor, community.code)
    name = clean_text(errors, "name", name, 100)
    codes = clean_skills(errors, skills)
    if name and Team.objects.filter(community=community, name=name).exists():
        errors.add("name", "duplicate", _("This community already has a team called %(name)s.") % {"name": name})
    if unit is not None and unit.community_id != community.pk and not unit_registered_in(unit, community.pk):
        errors.add(
            "unit", "not_in_community", _("%(name)s is not registered with this community.") % {"name": unit.name}
        )
    if leader is not None:
        _check_member_candidate(errors, leader, community.pk, "leader")
    errors.raise_if_any()
    day = founded_on or timezone.localdate()
    try:
        with transaction.atomic():
            team = Team.objects.create(
                name=name,
                community=community,
                region_code=community.code,
                unit=unit,
                leader=leader,
                skills=codes,
                founded_on=day,
            )
    except IntegrityError as exc:
        raise DomainError.single(
            "name", "duplicate", _("This community already has a team called %(name)s.") % {"name": name}
        ) from exc
    if leader is not None:
        TeamMember.objects.create(team=team, volunteer=leader, joined_on=day)
    audit.record(
        actor=actor,
        action="team.create",
        obj=team,
        changes={
            "name": name,
            "community": community.code,
            "unit": unit.pk if unit else None,
            "leader": leader.pk if leader else None,
            "skills": codes,
        },
    )
    return team


def _lock_team(actor: AnyUser | None, team: Team) -> Team:
    if actor is not None and not teams_for(actor).filter(pk=team.pk).exists():
        raise NotFound(team.pk)
    locked = Team.objects.select_for_update().filter(pk=team.pk).first()
    if locked is None:
        raise NotFound(team.pk)
    require_manage(actor, locked.region_code)
    return locked


@transaction.atomic
def do_add_team_member(
    *, actor: AnyUser | None, team: Team, volunteer: Volunteer, joined_on: dt.date | None = None
) -> TeamMember:
    locked = _lock_team(actor, team)
    errors = Errors()
    if not locked.is_active:
        errors.add("team", "inactive", _("The team has been disbanded."))
    _check_member_candidate(errors, volunteer, locked.community_id, "volunteer")
    if TeamMember.objects.filter(team=locked, volunteer=volunteer).exists():
        errors.add("volunteer", "duplicate", _("%(name)s is already a member.") % {"name": volunteer.person.name})
    errors.raise_if_any()
    member = TeamMember.objects.create(team=locked, volunteer=volunteer, joined_on=joined_on or timezone.localdate())
    audit.record(actor=actor, action="team.member_add", obj=locked, changes={"volunteer": volunteer.pk})
    return member


@transaction.atomic
def do_remove_team_member(*, actor: AnyUser | None, team: Team, volunteer: Volunteer) -> Team:
    """Removing the leader leaves the team without one until another is chosen."""
    locked = _lock_team(actor, team)
    member = TeamMember.objects.select_for_update().filter(team=locked, volunteer=volunteer).first()
    if member is None:
        raise DomainError.single(
            "volunteer", "not_a_member", _("%(name)s is not a member of this team.") % {"name": volunteer.person.name}
        )
    member.delete()
    changes: dict[str, Any] = {"volunteer": volunteer.pk}
    if locked.leader_id == volunteer.pk:
        locked.leader = None
        locked.save(update_fields=["leader"])
        changes["leader"] = [volunteer.pk, None]
    audit.record(actor=actor, action="team.member_remove", obj=locked, changes=changes)
    return locked


@transaction.atomic
def do_set_team_leader(*, actor: AnyUser | None, team: Team, volunteer: Volunteer) -> Team:
    """The leader organises the team's activities (QR code, confirmation); they must be a member."""
    locked = _lock_team(actor, team)
    if not TeamMember.objects.filter(team=locked, volunteer=volunteer).exists():
        raise DomainError.single(
            "leader", "not_a_member", _("%(name)s is not a member of this team.") % {"name": volunteer.person.name}
        )
    if not volunteer.is_active:
        raise DomainError.single(
            "leader", "inactive", _("%(name)s is no longer an active volunteer.") % {"name": volunteer.person.name}
        )
    before = locked.leader_id
    if before != volunteer.pk:
        locked.leader = volunteer
        locked.save(update_fields=["leader"])
        audit.record(actor=actor, action="team.leader", obj=locked, changes={"leader": [before, volunteer.pk]})
    return locked


__all__ = [
    "do_add_team_member",
    "do_create_team",
    "do_deactivate_volunteer",
    "do_reactivate_volunteer",
    "do_register_volunteer",
    "do_remove_team_member",
    "do_set_team_leader",
    "do_update_volunteer",
]
