"""Who may serve where, and which units a signed-in participant acts for."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from gongzhi.core.access import AnyUser
from gongzhi.people.models import Unit
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus, UnitRegistration
from gongzhi.volunteers.models import Volunteer


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
