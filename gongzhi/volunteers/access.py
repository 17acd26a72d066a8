"""Who sees which volunteers, teams and activities, and who may run an activity.

Staff see by `services.view` over the record's community (a volunteer also where an approved
member registration brings them); participants (no staff role) see their own things through
`registrations.access.volunteer_of`. The `access_*` helpers raise NotFound for missing and
out-of-sight alike.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.core.access import AnyUser, Scope, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.registrations.access import communities_served, volunteer_of
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus
from gongzhi.volunteers.models import Activity, ActivityStatus, SignUp, SignUpStatus, Team, Volunteer

# What a participant can see of an activity: not while it is prepared.
PUBLISHED = (ActivityStatus.OPEN, ActivityStatus.CLOSED, ActivityStatus.DONE, ActivityStatus.CANCELLED)


COMMUNITY_CODE = 12  # digits of a community's code; volunteers, teams and activities carry it


def sight_q(scope: Scope, field: str = "region_code") -> Q:
    """Records filed by community code that a scope sees: inside it, or the community of a grid in it.

    A grid worker's scope is their grid, but the service loop files volunteers, teams and
    activities by community, so they see their grid's community's.
    """
    query = scope.q(field)
    around = sorted({p[:COMMUNITY_CODE] for p in scope.prefixes if len(p) > COMMUNITY_CODE})
    if around:
        query |= Q(**{f"{field}__in": around})
    return query


def sees(scope: Scope, community_code: str) -> bool:
    return scope.covers(community_code) or any(p[:COMMUNITY_CODE] == community_code for p in scope.prefixes)


def view_scope(user: AnyUser) -> Scope:
    return capability_scope(user, Cap.SERVICES_VIEW)


def volunteers_for(user: AnyUser) -> QuerySet[Volunteer]:
    """Volunteers of the communities in the user's `services.view` sight, and those registered with them."""
    scope = view_scope(user)
    if not scope.everything and not scope.prefixes:
        return Volunteer.objects.none()
    registered = MemberRegistration.objects.filter(sight_q(scope), status=RegistrationStatus.APPROVED)
    return Volunteer.objects.filter(sight_q(scope) | Q(pk__in=registered.values("volunteer_id")))


def access_volunteer_by_id(user: AnyUser, volunteer_id: int) -> Volunteer:
    volunteer = (
        volunteers_for(user).select_related("person", "community", "user", "building").filter(pk=volunteer_id).first()
    )
    if volunteer is None:
        raise NotFound(volunteer_id)
    return volunteer


def teams_for(user: AnyUser) -> QuerySet[Team]:
    return Team.objects.filter(sight_q(view_scope(user)))


def access_team_by_id(user: AnyUser, team_id: int) -> Team:
    team = teams_for(user).select_related("community", "unit", "leader__person").filter(pk=team_id).first()
    if team is None:
        raise NotFound(team_id)
    return team


def _organised_by(volunteer: Volunteer) -> Q:
    return Q(organiser_volunteer=volunteer) | Q(organiser_team__leader=volunteer)


def activities_for(user: AnyUser) -> QuerySet[Activity]:
    """Staff: activities in their `services.view` scope; a participant: the ones they organise."""
    query = sight_q(view_scope(user))
    volunteer = volunteer_of(user)
    if volunteer is not None:
        query |= _organised_by(volunteer)
    return Activity.objects.filter(query)


def access_activity_by_id(user: AnyUser, activity_id: int) -> Activity:
    """The activity as its staff or organisers see it (sign-ups, attendance, QR code)."""
    activity = (
        activities_for(user)
        .select_related("community", "organiser_team__leader__person", "organiser_volunteer__person")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound(activity_id)
    return activity


def may_organise(user: AnyUser, activity: Activity) -> bool:
    """Runs the activity: staff with `services.manage` over its community, its organiser, its team's leader."""
    if capability_scope(user, Cap.SERVICES_MANAGE).covers(activity.region_code):
        return True
    volunteer = volunteer_of(user)
    return volunteer is not None and is_organiser(volunteer, activity)


def is_organiser(volunteer: Volunteer, activity: Activity) -> bool:
    if activity.organiser_volunteer_id == volunteer.pk:
        return True
    return (
        activity.organiser_team_id is not None
        and Team.objects.filter(pk=activity.organiser_team_id, leader=volunteer, is_active=True).exists()
    )


def led_teams(volunteer: Volunteer) -> QuerySet[Team]:
    return Team.objects.filter(leader=volunteer, is_active=True)


def activities_open_to(volunteer: Volunteer) -> QuerySet[Activity]:
    """What a participant sees: published activities of the communities they serve, and any they signed up for."""
    mine = SignUp.objects.filter(volunteer=volunteer).values("activity_id")
    return Activity.objects.filter(
        Q(status__in=PUBLISHED, community_id__in=communities_served(volunteer)) | Q(pk__in=mine)
    ).exclude(status=ActivityStatus.DRAFT)


def access_activity_for_participant(volunteer: Volunteer, activity_id: int) -> Activity:
    activity = (
        activities_open_to(volunteer).select_related("community", "organiser_team").filter(pk=activity_id).first()
    )
    if activity is None:
        raise NotFound(activity_id)
    return activity


def signed_up(volunteer: Volunteer, activity: Activity) -> bool:
    return SignUp.objects.filter(activity=activity, volunteer=volunteer, status=SignUpStatus.SIGNED_UP).exists()
