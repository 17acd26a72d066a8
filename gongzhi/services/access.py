"""Who sees which entries of the three lists and which ordered services, and as which party.

Staff see by capability and region, as everywhere (`services.view` over the entry's region_code); a
street-wide resource is also seen by the staff of the street's communities. Participants hold no
staff role: a unit's liaison (registrations.access.units_acted_for) sees the unit's resources, the
projects of the communities the unit is registered with, and the orders passed to the unit; a
team's leader sees the team's resources and orders. `access_<x>_by_id` raise NotFound for missing
and out-of-sight alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from gongzhi.core.access import AnyUser, Scope, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.registrations.access import units_acted_for, volunteer_of
from gongzhi.registrations.models import RegistrationStatus, UnitRegistration
from gongzhi.services.models import Need, OrderStatus, Project, ProjectClaim, ProjectStatus, Resource, ServiceOrder
from gongzhi.services.workflow import Party
from gongzhi.volunteers.models import Volunteer

STREET_LEN = 9
COMMUNITY_LEN = 12


def _ancestors(prefix: str) -> list[str]:
    """The street (and community) codes above a scope prefix: street-wide entries are seen below them."""
    return [prefix[:n] for n in (STREET_LEN, COMMUNITY_LEN) if len(prefix) > n]


def _with_street_wide(scope: Scope, column: str) -> Q:
    q = scope.q(column)
    if scope.everything or not scope.prefixes:
        return q
    above = sorted({a for p in scope.prefixes for a in _ancestors(p)})
    return q | Q(**{f"{column}__in": above}) if above else q


@dataclass(slots=True)
class Participant:
    """A signed-in participant's standing: the units they act for, their volunteer profile."""

    volunteer: Volunteer | None = None
    unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_participant(self) -> bool:
        return self.volunteer is not None or bool(self.unit_ids)


def participant_of(user: AnyUser) -> Participant:
    if not user.is_authenticated:
        return Participant()
    return Participant(
        volunteer=volunteer_of(user), unit_ids=frozenset(units_acted_for(user).values_list("pk", flat=True))
    )


def registered_communities(unit_ids: frozenset[int] | set[int]) -> QuerySet[UnitRegistration]:
    return UnitRegistration.objects.filter(unit_id__in=unit_ids, status=RegistrationStatus.APPROVED)


# ── the lists ─────────────────────────────────────────────────────────────────────────────────────


def resources_for(user: AnyUser, participant: Participant | None = None) -> QuerySet[Resource]:
    me = participant or participant_of(user)
    q = _with_street_wide(capability_scope(user, Cap.SERVICES_VIEW), "region_code")
    if me.unit_ids:
        q |= Q(unit_id__in=me.unit_ids)
    if me.volunteer is not None:
        q |= Q(volunteer=me.volunteer) | Q(team__leader=me.volunteer)
    return Resource.objects.filter(q)


def needs_for(user: AnyUser) -> QuerySet[Need]:
    return Need.objects.filter(capability_scope(user, Cap.SERVICES_VIEW).q("region_code"))


def projects_for(user: AnyUser, participant: Participant | None = None) -> QuerySet[Project]:
    me = participant or participant_of(user)
    q = capability_scope(user, Cap.SERVICES_VIEW).q("region_code")
    if me.unit_ids:
        registered = registered_communities(me.unit_ids).values("community_id")
        q |= Q(community_id__in=registered) & ~Q(status=ProjectStatus.DRAFT)
        q |= Q(pk__in=ProjectClaim.objects.filter(unit_id__in=me.unit_ids).values("project_id"))
    return Project.objects.filter(q)


def claims_for(user: AnyUser, participant: Participant | None = None) -> QuerySet[ProjectClaim]:
    return ProjectClaim.objects.filter(project__in=projects_for(user, participant))


def access_resource_by_id(user: AnyUser, resource_id: int) -> Resource:
    resource = (
        resources_for(user)
        .select_related("category", "unit", "team", "volunteer__person")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None:
        raise NotFound(resource_id)
    return resource


def access_need_by_id(user: AnyUser, need_id: int) -> Need:
    need = needs_for(user).select_related("category", "community", "resource", "order").filter(pk=need_id).first()
    if need is None:
        raise NotFound(need_id)
    return need


def access_project_by_id(user: AnyUser, project_id: int) -> Project:
    project = projects_for(user).select_related("community", "category").filter(pk=project_id).first()
    if project is None:
        raise NotFound(project_id)
    return project


def access_claim_by_id(user: AnyUser, claim_id: int) -> ProjectClaim:
    claim = claims_for(user).select_related("project", "unit").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound(claim_id)
    return claim


def can_manage(user: AnyUser, region_code: str) -> bool:
    return capability_scope(user, Cap.SERVICES_MANAGE).covers(region_code)


def claiming_units(user: AnyUser, project: Project, participant: Participant | None = None) -> list[int]:
    """The units the user acts for that are registered with the project's community."""
    me = participant or participant_of(user)
    if not me.unit_ids:
        return []
    return list(
        registered_communities(me.unit_ids).filter(community_id=project.community_id).values_list("unit_id", flat=True)
    )


# ── ordered services ──────────────────────────────────────────────────────────────────────────────


def _assignee_q(me: Participant) -> Q:
    q = Q(pk__in=[])
    if me.unit_ids:
        q |= Q(unit_id__in=me.unit_ids)
    if me.volunteer is not None:
        q |= Q(team__leader=me.volunteer)
    return q


def orders_for(user: AnyUser, participant: Participant | None = None) -> QuerySet[ServiceOrder]:
    me = participant or participant_of(user)
    q = capability_scope(user, Cap.SERVICES_VIEW).q("region_code")
    q |= capability_scope(user, Cap.SERVICES_ALLIANCE).q("street_code")
    return ServiceOrder.objects.filter(q | _assignee_q(me))


def assigned_orders(user: AnyUser, participant: Participant | None = None) -> QuerySet[ServiceOrder]:
    """Orders passed to a unit the user acts for or a team they lead (the unit's inbox)."""
    return ServiceOrder.objects.filter(_assignee_q(participant or participant_of(user)))


def access_order_by_id(user: AnyUser, order_id: int) -> ServiceOrder:
    order = _order_rows(orders_for(user)).filter(pk=order_id).first()
    if order is None:
        raise NotFound(order_id)
    return order


def access_order_by_number(user: AnyUser, number: str) -> ServiceOrder:
    order = _order_rows(orders_for(user)).filter(number=number).first()
    if order is None:
        raise NotFound(number)
    return order


def _order_rows(qs: QuerySet[ServiceOrder]) -> QuerySet[ServiceOrder]:
    return qs.select_related("community", "street", "category", "unit", "team__leader__person")


def order_parties_of(user: AnyUser, order: ServiceOrder, participant: Participant | None = None) -> frozenset[Party]:
    if not user.is_authenticated:
        return frozenset()
    parties: set[Party] = set()
    if capability_scope(user, Cap.SERVICES_MANAGE).covers(order.region_code):
        parties.add(Party.COMMUNITY)
    if capability_scope(user, Cap.SERVICES_ALLIANCE).covers(order.street_code):
        parties.add(Party.ALLIANCE)
    if order.status != OrderStatus.CANCELLED and (order.unit_id is not None or order.team_id is not None):
        me = participant or participant_of(user)
        if order.unit_id is not None and order.unit_id in me.unit_ids:
            parties.add(Party.ASSIGNEE)
        if order.team is not None and me.volunteer is not None and order.team.leader_id == me.volunteer.pk:
            parties.add(Party.ASSIGNEE)
    return frozenset(parties)
