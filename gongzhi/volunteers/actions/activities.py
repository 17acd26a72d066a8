"""Activities and sign-ups: create, open/close/finish/cancel, sign up and cancel within the limit.

Lock order, everywhere in this app: the activity row, then its sign-ups, then its attendances. The
sign-up limit holds under concurrency because every sign-up locks the activity row first and
counts inside the lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.regions.models import Region
from gongzhi.registrations.access import may_serve_in, volunteer_of
from gongzhi.volunteers import tokens
from gongzhi.volunteers.access import activities_for, is_organiser, sees
from gongzhi.volunteers.actions.common import Errors, check_community, clean_skills, clean_text, now
from gongzhi.volunteers.models import (
    Activity,
    ActivityStatus,
    Attendance,
    SignUp,
    SignUpStatus,
    Team,
    Volunteer,
)

MAX_CAPACITY = 1000
MAX_LENGTH = dt.timedelta(hours=24)

# status → the statuses it may move to
NEXT: dict[str, frozenset[str]] = {
    ActivityStatus.DRAFT: frozenset({ActivityStatus.OPEN, ActivityStatus.CANCELLED}),
    ActivityStatus.OPEN: frozenset({ActivityStatus.CLOSED, ActivityStatus.DONE, ActivityStatus.CANCELLED}),
    ActivityStatus.CLOSED: frozenset({ActivityStatus.OPEN, ActivityStatus.DONE, ActivityStatus.CANCELLED}),
    ActivityStatus.DONE: frozenset(),
    ActivityStatus.CANCELLED: frozenset(),
}


def _activity_state(a: Activity) -> dict[str, Any]:
    return {
        "title": a.title,
        "community": a.region_code,
        "team": a.organiser_team_id,
        "organiser_volunteer": a.organiser_volunteer_id,
        "category": a.category_code,
        "starts_at": a.starts_at.isoformat(),
        "ends_at": a.ends_at.isoformat(),
        "place": a.place,
        "capacity": a.capacity,
        "status": a.status,
    }


def _may_create(actor: AnyUser | None, community: Region, team: Team | None) -> Volunteer | None:
    """Staff with `services.manage` there, or the leader of the organising team. Returns the leader."""
    if actor is None or capability_scope(actor, Cap.SERVICES_MANAGE).covers(community.code):
        return None
    volunteer = volunteer_of(actor)
    if volunteer is not None and team is not None and team.leader_id == volunteer.pk and team.is_active:
        return volunteer
    if volunteer is None and not sees(capability_scope(actor, Cap.SERVICES_VIEW), community.code):
        raise NotFound(community.code)
    raise PermissionDenied(Cap.SERVICES_MANAGE)


@transaction.atomic
def do_create_activity(
    *,
    actor: AnyUser | None,
    community: Region,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    capacity: int,
    description: str = "",
    organiser_team: Team | None = None,
    organiser_volunteer: Volunteer | None = None,
    category_code: str = "",
    publish: bool = False,
) -> Activity:
    """A new activity, a draft or (`publish`) open for sign-up at once.

    The organiser is the staff user who creates it, or the team leader who does; staff may name a
    volunteer organiser, who then runs the QR code and confirms attendance as the leader would.
    """
    errors = Errors()
    check_community(errors, community)
    errors.raise_if_any()
    leader = _may_create(actor, community, organiser_team)
    title = clean_text(errors, "title", title, 100)
    place = clean_text(errors, "place", place, 200)
    description = clean_text(errors, "description", description, 4000, required=False)
    codes = clean_skills(errors, [category_code] if category_code else [], field="category_code")
    if ends_at <= starts_at:
        errors.add("ends_at", "before_start", _("The activity must end after it starts."))
    elif ends_at - starts_at > MAX_LENGTH:
        errors.add("ends_at", "too_long", _("An activity lasts at most 24 hours."))
    elif actor is not None and ends_at <= now():
        errors.add("ends_at", "past", _("The activity would already be over."))
    if not 1 <= capacity <= MAX_CAPACITY:
        errors.add("capacity", "out_of_range", _("Between 1 and %(n)d places.") % {"n": MAX_CAPACITY})
    if organiser_team is not None and (organiser_team.community_id != community.pk or not organiser_team.is_active):
        errors.add("organiser_team", "not_in_community", _("The team is not an active team of this community."))
    organiser = organiser_volunteer or leader
    if organiser is not None and not may_serve_in(organiser, community.pk):
        errors.add(
            "organiser_volunteer",
            "not_in_community",
            _("%(name)s does not serve in this community.") % {"name": organiser.person.name},
        )
    errors.raise_if_any()
    activity = Activity.objects.create(
        title=title,
        description=description,
        community=community,
        region_code=community.code,
        organiser_team=organiser_team,
        organiser_volunteer=organiser,
        organiser_user=actor if leader is None and isinstance(actor, User) else None,
        category_code=codes[0] if codes else "",
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
        status=ActivityStatus.OPEN if publish else ActivityStatus.DRAFT,
        qr_secret=tokens.new_secret(),
    )
    audit.record(actor=actor, action="activity.create", obj=activity, changes=_activity_state(activity))
    return activity


def lock_activity_as_organiser(actor: AnyUser | None, activity_id: int) -> Activity:
    """Lock the activity for one of its organisers (None is the system).

    Not visible to the actor → NotFound; visible but not theirs to run → PermissionDenied.
    """
    if actor is not None and not activities_for(actor).filter(pk=activity_id).exists():
        raise NotFound(activity_id)
    activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(activity_id)
    if actor is None or capability_scope(actor, Cap.SERVICES_MANAGE).covers(activity.region_code):
        return activity
    volunteer = volunteer_of(actor)
    if volunteer is None or not is_organiser(volunteer, activity):
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    return activity


@transaction.atomic
def do_set_activity_status(*, actor: AnyUser | None, activity_id: int, status: str) -> Activity:
    """Publish, close or reopen sign-up, finish, cancel (see NEXT). Setting the current status is a no-op."""
    activity = lock_activity_as_organiser(actor, activity_id)
    if status not in ActivityStatus.values:
        raise DomainError.single(
            "status", "invalid_choice", _("%(value)s is not one of the available choices.") % {"value": status}
        )
    if activity.status == status:
        return activity
    if status not in NEXT[activity.status]:
        raise Conflict.single(
            "status",
            "conflict",
            _("The activity is now “%(status)s”, so it cannot become “%(target)s”.")
            % {"status": ActivityStatus(activity.status).label, "target": ActivityStatus(status).label},
        )
    before = activity.status
    activity.status = status
    activity.save(update_fields=["status"])
    audit.record(actor=actor, action="activity.status", obj=activity, changes={"status": [before, status]})
    return activity


# ── sign-up ──────────────────────────────────────────────────────────────────────────────────────


def participant(actor: AnyUser | None, volunteer: Volunteer | None) -> Volunteer:
    """The volunteer acting: the signed-in participant, or the one the system (actor None) acts for."""
    if actor is None:
        if volunteer is None:
            raise ValueError("the system must name the volunteer it acts for")
        return volunteer
    own = volunteer_of(actor)
    if own is None:
        raise PermissionDenied("volunteers only")
    return own


def lock_activity_for_participant(volunteer: Volunteer, activity_id: int) -> Activity:
    """Lock an activity the volunteer may see: published, in a community they serve (or already theirs)."""
    activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
    if activity is None or activity.status == ActivityStatus.DRAFT:
        raise NotFound(activity_id)
    if (
        not may_serve_in(volunteer, activity.community_id)
        and not SignUp.objects.filter(activity=activity, volunteer=volunteer).exists()
    ):
        raise NotFound(activity_id)
    return activity


def _not_open_message(activity: Activity) -> str:
    if activity.status == ActivityStatus.CANCELLED:
        return _("This activity has been cancelled.")
    if activity.status == ActivityStatus.DONE:
        return _("This activity is over.")
    return _("Sign-up for this activity has closed.")


@transaction.atomic
def do_sign_up(
    *, actor: AnyUser | None, activity_id: int, volunteer: Volunteer | None = None, at: dt.datetime | None = None
) -> SignUp:
    """Signs the volunteer up while places last; signing up again is a no-op.

    Refusals: not a community they serve → NotFound; not open, over, or full (Conflict: the last
    place went to someone else) → nothing written.
    """
    at = at or now()
    who = participant(actor, volunteer)
    activity = lock_activity_for_participant(who, activity_id)
    if not may_serve_in(who, activity.community_id):
        raise NotFound(activity_id)
    existing = SignUp.objects.select_for_update().filter(activity=activity, volunteer=who).first()
    if existing is not None and existing.status == SignUpStatus.SIGNED_UP:
        return existing
    if activity.status != ActivityStatus.OPEN:
        raise DomainError.single("activity", "not_open", _not_open_message(activity))
    if at >= activity.ends_at:
        raise DomainError.single("activity", "over", _("This activity is over."))
    taken = SignUp.objects.filter(activity=activity, status=SignUpStatus.SIGNED_UP).count()
    if taken >= activity.capacity:
        raise Conflict.single("activity", "full", _("All places have been taken."))
    if existing is None:
        signup = SignUp.objects.create(activity=activity, volunteer=who, signed_up_at=at)
    else:
        existing.status, existing.signed_up_at, existing.cancelled_at = SignUpStatus.SIGNED_UP, at, None
        existing.save(update_fields=["status", "signed_up_at", "cancelled_at"])
        signup = existing
    audit.record(
        actor=actor, action="activity.sign_up", obj=signup, changes={"activity": activity.pk, "volunteer": who.pk}
    )
    return signup


@transaction.atomic
def do_cancel_sign_up(
    *, actor: AnyUser | None, activity_id: int, volunteer: Volunteer | None = None, at: dt.datetime | None = None
) -> SignUp:
    """Gives the place back, until the activity starts and as long as they have not checked in."""
    at = at or now()
    who = participant(actor, volunteer)
    activity = lock_activity_for_participant(who, activity_id)
    signup = SignUp.objects.select_for_update().filter(activity=activity, volunteer=who).first()
    if signup is None or signup.status != SignUpStatus.SIGNED_UP:
        raise DomainError.single("activity", "not_signed_up", _("You have not signed up for this activity."))
    if Attendance.objects.filter(activity=activity, volunteer=who).exists():
        raise DomainError.single("activity", "checked_in", _("You have already checked in."))
    if at >= activity.starts_at:
        raise DomainError.single(
            "activity", "started", _("The activity has started; the sign-up can no longer be cancelled.")
        )
    signup.status, signup.cancelled_at = SignUpStatus.CANCELLED, at
    signup.save(update_fields=["status", "cancelled_at"])
    audit.record(
        actor=actor,
        action="activity.cancel_sign_up",
        obj=signup,
        changes={"activity": activity.pk, "volunteer": who.pk},
    )
    return signup
