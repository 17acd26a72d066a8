"""资源清单 and 需求清单: offering resources, raising needs, keeping both current.

Staff with `services.manage` over the community (or street) keep both lists. A unit's liaison may
also offer resources for their unit, in a community the unit is registered with. Grid workers and
other holders of `services.report` raise needs for residents; the resident's name is kept only
masked on the need.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.pii import mask_name
from gongzhi.people.models import Person, Unit
from gongzhi.regions.models import Level, Region
from gongzhi.registrations.access import communities_served, unit_registered_in, units_acted_for
from gongzhi.registrations.models import RegistrationStatus, UnitRegistration
from gongzhi.services.access import STREET_LEN, needs_for, resources_for
from gongzhi.services.actions.common import (
    Actor,
    authorise,
    category,
    community,
    db_user,
    positive_int,
    reason,
    text,
)
from gongzhi.services.models import (
    MON_TO_SUN,
    Need,
    NeedSource,
    NeedStatus,
    Resource,
    ResourceKind,
    ServiceOrder,
    Urgency,
)
from gongzhi.volunteers.models import Team, Volunteer

RESOURCE_FIELDS = (
    "kind",
    "category",
    "title",
    "description",
    "capacity",
    "capacity_unit",
    "availability",
    "days",
    "place",
    "is_active",
)
NEED_FIELDS = ("category", "title", "description", "urgency")


def _resource_state(r: Resource) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "category": r.category.code,
        "title": r.title,
        "capacity": r.capacity,
        "capacity_unit": r.capacity_unit,
        "availability": r.availability,
        "days": r.days,
        "place": r.place,
        "region": r.region_code,
        "unit": r.unit_id,
        "team": r.team_id,
        "volunteer": r.volunteer_id,
        "is_active": r.is_active,
    }


def _apply_resource_fields(resource: Resource, data: Mapping[str, Any]) -> None:
    if "kind" in data:
        if data["kind"] not in ResourceKind.values:
            raise DomainError.single("kind", "invalid_choice", _("Choose a kind from the list."))
        resource.kind = data["kind"]
    if "category" in data:
        resource.category = category(data["category"])
    if "title" in data:
        resource.title = text(data["title"], "title", 100, required=True)
    if "description" in data:
        resource.description = text(data["description"], "description", 2000)
    if "capacity" in data:
        resource.capacity = positive_int(data["capacity"], "capacity", maximum=10000)
    if "capacity_unit" in data:
        resource.capacity_unit = text(data["capacity_unit"], "capacity_unit", 20)
    if "availability" in data:
        resource.availability = text(data["availability"], "availability", 100)
    if "days" in data:
        resource.days = positive_int(data["days"], "days", minimum=1, maximum=MON_TO_SUN)
    if "place" in data:
        resource.place = text(data["place"], "place", 200)
    if "is_active" in data:
        resource.is_active = bool(data["is_active"])


def _service_region(region: Region | None) -> Region:
    if region is None or region.level not in (Level.COMMUNITY, Level.STREET):
        raise DomainError.single("region", "not_a_community", _("Choose a community or a street."))
    return region


def _unit_serves(unit: Unit, region: Region) -> bool:
    """The unit sits in the region, or its registration with a community there was approved."""
    if unit.region_code.startswith(region.code):
        return True
    return UnitRegistration.objects.filter(
        unit=unit, status=RegistrationStatus.APPROVED, region_code__startswith=region.code
    ).exists()


def _check_provider(region: Region, unit: Unit | None, team: Team | None, volunteer: Volunteer | None) -> None:
    if sum(x is not None for x in (unit, team, volunteer)) != 1:
        raise DomainError.single(
            "provider", "one_provider", _("Name exactly one provider: a unit, a team or a volunteer.")
        )
    street = region.code[:STREET_LEN]
    if unit is not None and not _unit_serves(unit, region):
        raise DomainError.single("unit", "not_here", _("This unit is not registered with this community."))
    if team is not None and (not team.is_active or not team.region_code.startswith(street)):
        raise DomainError.single("team", "not_here", _("This team does not serve here."))
    if volunteer is not None:
        served = Region.objects.filter(pk__in=communities_served(volunteer), code__startswith=street)
        if not volunteer.is_active or not served.exists():
            raise DomainError.single("volunteer", "not_here", _("This volunteer does not serve here."))


@transaction.atomic
def do_create_resource(
    *,
    actor: Actor,
    region: Region | None,
    category_code: str,
    title: str,
    unit: Unit | None = None,
    team: Team | None = None,
    volunteer: Volunteer | None = None,
    kind: str = ResourceKind.SERVICE,
    description: str = "",
    capacity: int = 1,
    capacity_unit: str = "",
    availability: str = "",
    days: int = MON_TO_SUN,
    place: str = "",
) -> Resource:
    """资源清单: staff offer for any provider in their area; a unit's liaison for their own unit."""
    region = _service_region(region)
    if not capability_scope(actor, Cap.SERVICES_MANAGE).covers(region.code):
        # Not staff here: a liaison offering for their own unit, where the unit is registered.
        acts_for = unit is not None and units_acted_for(actor).filter(pk=unit.pk).exists()
        if not acts_for:
            authorise(actor, region.code, act=Cap.SERVICES_MANAGE)
        assert unit is not None  # noqa: S101 - acts_for implies it
        if team is not None or volunteer is not None or not unit_registered_in(unit, region.pk):
            raise PermissionDenied(Cap.SERVICES_MANAGE)
    _check_provider(region, unit, team, volunteer)
    resource = Resource(
        region=region, region_code=region.code, unit=unit, team=team, volunteer=volunteer, created_by=db_user(actor)
    )
    _apply_resource_fields(
        resource,
        {
            "kind": kind,
            "category": category_code,
            "title": title,
            "description": description,
            "capacity": capacity,
            "capacity_unit": capacity_unit,
            "availability": availability,
            "days": days,
            "place": place,
        },
    )
    resource.save()
    audit.record(actor=actor, action="services.resource.create", obj=resource, changes=_resource_state(resource))
    return resource


def _may_change_resource(actor: Actor, resource: Resource) -> bool:
    if capability_scope(actor, Cap.SERVICES_MANAGE).covers(resource.region_code):
        return True
    return resource.unit_id is not None and units_acted_for(actor).filter(pk=resource.unit_id).exists()


@transaction.atomic
def do_update_resource(*, actor: Actor, resource_id: int, data: Mapping[str, Any]) -> Resource:
    """Change the given fields (RESOURCE_FIELDS); `is_active=False` takes it off the list."""
    if not resources_for(actor).filter(pk=resource_id).exists():
        raise NotFound(resource_id)
    resource = Resource.objects.select_for_update(of=("self",)).select_related("category").get(pk=resource_id)
    if not _may_change_resource(actor, resource):
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    unknown = set(data) - set(RESOURCE_FIELDS)
    if unknown:
        raise DomainError.single(sorted(unknown)[0], "not_editable", _("This field cannot be changed."))
    before = _resource_state(resource)
    _apply_resource_fields(resource, data)
    resource.save()
    changes = audit.diff(before, _resource_state(resource))
    audit.record(actor=actor, action="services.resource.update", obj=resource, changes=changes)
    return resource


# ── needs ─────────────────────────────────────────────────────────────────────────────────────────


def _need_state(n: Need) -> dict[str, Any]:
    return {
        "category": n.category.code,
        "title": n.title,
        "urgency": n.urgency,
        "status": n.status,
        "resource": n.resource_id,
        "order": n.order_id,
        "wish": n.wish_id,
    }


def _apply_need_fields(need: Need, data: Mapping[str, Any]) -> None:
    if "category" in data:
        need.category = category(data["category"])
    if "title" in data:
        need.title = text(data["title"], "title", 100, required=True)
    if "description" in data:
        need.description = text(data["description"], "description", 2000)
    if "urgency" in data:
        if data["urgency"] not in Urgency.values:
            raise DomainError.single("urgency", "invalid_choice", _("Choose the urgency from the list."))
        need.urgency = data["urgency"]


@transaction.atomic
def do_create_need(
    *,
    actor: Actor,
    community_region: Region | None,
    category_code: str,
    title: str,
    description: str = "",
    urgency: str = Urgency.NORMAL,
    person: Person | None = None,
    resident_name: str = "",
) -> Need:
    """需求清单: a need raised for a resident (person or just a name, kept masked) or by staff."""
    where = community(community_region)
    region_code = where.code
    if person is not None:
        if not person.region_code.startswith(where.code):
            raise DomainError.single("person", "not_here", _("This resident does not live in this community."))
        region_code = person.region_code
    else:
        # A grid worker raises it in their own grid of the community.
        scope = capability_scope(actor, Cap.SERVICES_REPORT)
        if not scope.covers(region_code):
            inside = sorted(p for p in scope.prefixes if p.startswith(where.code))
            region_code = inside[0] if inside else region_code
    authorise(actor, region_code, act=Cap.SERVICES_REPORT)
    name = text(resident_name, "resident_name", 50)
    need = Need(
        community=where,
        region_code=region_code,
        person=person,
        resident_masked=mask_name(person.name if person is not None else name),
        source=NeedSource.RESIDENT if person is not None or name else NeedSource.STAFF,
        raised_by=db_user(actor),
    )
    _apply_need_fields(
        need, {"category": category_code, "title": title, "description": description, "urgency": urgency}
    )
    need.save()
    audit.record(actor=actor, action="services.need.create", obj=need, changes=_need_state(need))
    return need


def _lock_need(actor: Actor, need_id: int) -> Need:
    if not needs_for(actor).filter(pk=need_id).exists():
        raise NotFound(need_id)
    return Need.objects.select_for_update(of=("self",)).select_related("category").get(pk=need_id)


@transaction.atomic
def do_update_need(*, actor: Actor, need_id: int, data: Mapping[str, Any]) -> Need:
    need = _lock_need(actor, need_id)
    authorise(actor, need.region_code, act=Cap.SERVICES_MANAGE)
    unknown = set(data) - set(NEED_FIELDS)
    if unknown:
        raise DomainError.single(sorted(unknown)[0], "not_editable", _("This field cannot be changed."))
    if need.status in (NeedStatus.MET, NeedStatus.CLOSED):
        raise DomainError.single("status", "finished", _("This need is finished and can no longer be changed."))
    before = _need_state(need)
    _apply_need_fields(need, data)
    need.save()
    audit.record(actor=actor, action="services.need.update", obj=need, changes=audit.diff(before, _need_state(need)))
    return need


# What a need's status may become from each status.
NEED_MOVES: dict[str, frozenset[str]] = {
    NeedStatus.OPEN: frozenset({NeedStatus.MATCHED, NeedStatus.MET, NeedStatus.CLOSED}),
    NeedStatus.MATCHED: frozenset({NeedStatus.OPEN, NeedStatus.MET, NeedStatus.CLOSED}),
    NeedStatus.MET: frozenset(),
    NeedStatus.CLOSED: frozenset(),
}


@transaction.atomic
def do_set_need_status(
    *,
    actor: Actor,
    need_id: int,
    status: str,
    note: str = "",
    resource_id: int | None = None,
    order_id: int | None = None,
    wish_id: int | None = None,
) -> Need:
    """Matched (to a resource, an ordered service or a micro-wish), met, closed, or open again."""
    need = _lock_need(actor, need_id)
    authorise(actor, need.region_code, act=Cap.SERVICES_MANAGE)
    if status not in NEED_MOVES.get(need.status, frozenset()):
        raise DomainError.single(
            "status", "invalid_move", _("A need that is “%(s)s” cannot become that.") % {"s": need.get_status_display()}
        )
    before = _need_state(need)
    if resource_id is not None:
        resource = resources_for(actor).filter(pk=resource_id, is_active=True).first()
        if resource is None:
            raise DomainError.single("resource", "invalid", _("Choose an active resource you can see."))
        need.resource = resource
    if order_id is not None:
        order = ServiceOrder.objects.filter(pk=order_id, region_code=need.community.code).first()
        if order is None:
            raise DomainError.single("order", "invalid", _("Choose an order of this community."))
        need.order = order
    if wish_id is not None:
        need.wish_id = wish_id
    if status == NeedStatus.MATCHED and need.resource_id is None and need.order_id is None and need.wish_id is None:
        raise DomainError.single("resource", "link_required", _("Name the resource, order or wish that meets it."))
    if status == NeedStatus.CLOSED:
        note = reason(note, "note")
    need.status = status
    need.status_note = text(note, "note", 300)
    need.save()
    audit.record(actor=actor, action="services.need.status", obj=need, changes=audit.diff(before, _need_state(need)))
    return need
