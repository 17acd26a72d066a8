"""Who may serve where, and which units a signed-in participant acts for."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from gongzhi.core.access import AnyUser, Scope, capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.people.models import Unit
from gongzhi.regions.models import Level, Region
from gongzhi.registrations.models import (
    JointMeeting,
    MemberRegistration,
    RegistrationStatus,
    UnitRegistration,
)
from gongzhi.volunteers.models import Volunteer

COMMUNITY_CODE_LEN = 12
STREET_CODE_LEN = 9


def volunteer_of(user: AnyUser) -> Volunteer | None:
    """The signed-in participant's volunteer profile, or None for staff and visitors."""
    if not isinstance(user, User):
        return None
    return Volunteer.objects.filter(user=user, is_active=True).select_related("person", "community").first()


def communities_served(volunteer: Volunteer) -> set[int]:
    """The communities a volunteer may serve in: their own, and every one that approved their registration."""
    approved = MemberRegistration.objects.filter(volunteer=volunteer, status=RegistrationStatus.APPROVED)
    return {volunteer.community_id, *approved.values_list("community_id", flat=True)}


def may_serve_in(volunteer: Volunteer, community_id: int) -> bool:
    return volunteer.is_active and community_id in communities_served(volunteer)


def units_acted_for(user: AnyUser) -> QuerySet[Unit]:
    """Units whose approved registration names this user's volunteer profile as liaison."""
    if not isinstance(user, User):
        return Unit.objects.none()
    return Unit.objects.filter(
        registrations__status=RegistrationStatus.APPROVED, registrations__liaison__user=user
    ).distinct()


def unit_registered_in(unit: Unit, community_id: int) -> bool:
    return UnitRegistration.objects.filter(
        unit=unit, community_id=community_id, status=RegistrationStatus.APPROVED
    ).exists()


# ------------------------------------------------------------------ staff: scope and object access
#
# Order of checks (as everywhere): no capability anywhere → PermissionDenied (403); object missing or
# outside the capability's regions → NotFound (404); only then the rules of the act itself.


def require_capability(user: AnyUser, cap: Cap) -> None:
    if not has_capability(user, cap):
        raise PermissionDenied(cap)


def unit_registrations_for(user: AnyUser, cap: Cap = Cap.SERVICES_VIEW) -> QuerySet[UnitRegistration]:
    scope = capability_scope(user, cap)
    return UnitRegistration.objects.filter(scope.q("region_code")).select_related(
        "unit", "community", "liaison__person"
    )


def member_registrations_for(user: AnyUser, cap: Cap = Cap.SERVICES_VIEW) -> QuerySet[MemberRegistration]:
    scope = capability_scope(user, cap)
    return MemberRegistration.objects.filter(scope.q("region_code")).select_related(
        "member__person", "member__employer", "community", "volunteer__person"
    )


def access_unit_registration_by_id(user: AnyUser, pk: int, cap: Cap = Cap.SERVICES_VIEW) -> UnitRegistration:
    registration = unit_registrations_for(user, cap).filter(pk=pk).first()
    if registration is None:
        raise NotFound(pk)
    return registration


def access_member_registration_by_id(user: AnyUser, pk: int, cap: Cap = Cap.SERVICES_VIEW) -> MemberRegistration:
    registration = member_registrations_for(user, cap).filter(pk=pk).first()
    if registration is None:
        raise NotFound(pk)
    return registration


def communities_for(user: AnyUser, cap: Cap = Cap.SERVICES_VIEW) -> QuerySet[Region]:
    scope = capability_scope(user, cap)
    # A grid worker's scope is a grid: the community it lies in is the one whose registrations they see.
    enclosing = sorted({p[:COMMUNITY_CODE_LEN] for p in scope.prefixes if len(p) > COMMUNITY_CODE_LEN})
    return Region.objects.filter(scope.q("code") | Q(code__in=enclosing), level=Level.COMMUNITY).order_by("code")


def access_community_by_id(user: AnyUser, pk: int, cap: Cap = Cap.SERVICES_MANAGE) -> Region:
    community = communities_for(user, cap).filter(pk=pk).first()
    if community is None:
        raise NotFound(pk)
    return community


def _meeting_q(scope: Scope) -> Q:
    """Meetings held inside the scope, and the street meetings of the streets the scope lies in."""
    streets = {p[:STREET_CODE_LEN] for p in scope.prefixes if len(p) > STREET_CODE_LEN}
    return scope.q("region_code") | Q(region_code__in=sorted(streets))


def meetings_for(user: AnyUser, cap: Cap = Cap.SERVICES_VIEW) -> QuerySet[JointMeeting]:
    return JointMeeting.objects.filter(_meeting_q(capability_scope(user, cap))).select_related("region")


def access_meeting_by_id(user: AnyUser, pk: int, cap: Cap = Cap.SERVICES_VIEW) -> JointMeeting:
    meeting = meetings_for(user, cap).filter(pk=pk).first()
    if meeting is None:
        raise NotFound(pk)
    return meeting


def own_member_registrations(user: AnyUser) -> QuerySet[MemberRegistration]:
    """The registrations of the signed-in participant's own volunteer profile."""
    if not isinstance(user, User):
        return MemberRegistration.objects.none()
    return MemberRegistration.objects.filter(volunteer__user=user).select_related("community", "member__person")
