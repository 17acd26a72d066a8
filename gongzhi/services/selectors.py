"""Reads for the service pages and API: the hub's lists with filters and counts, the order queues.

Every queryset starts from services.access (already limited to what the user may see).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet

from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.regions.models import Level, Region
from gongzhi.services.access import (
    Participant,
    assigned_orders,
    needs_for,
    orders_for,
    projects_for,
    resources_for,
)
from gongzhi.services.models import (
    NeedCategory,
    NeedStatus,
    OrderStatus,
    ProjectStatus,
    ServiceOrder,
)

M = TypeVar("M", bound=Model)

LISTS = ("resources", "needs", "projects")
ALLIANCE_WAITING = (OrderStatus.ORDERED, OrderStatus.DECLINED)
INBOX_STATUSES = (OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED)


def service_regions(user: AnyUser) -> list[Region]:
    """Communities and streets the user may look at (the hub's region picker), tree order."""
    scope = capability_scope(user, Cap.SERVICES_VIEW)
    if not scope.everything and not scope.prefixes:
        return []
    rows = Region.objects.filter(level__in=(Level.STREET, Level.COMMUNITY))
    if not scope.everything:
        # Their streets and communities, and the ones inside them.
        rows = rows.filter(scope.q("code") | Q(code__in=[p for p in scope.prefixes if len(p) in (9, 12)]))
    return list(rows.order_by("code")[:500])


def category_filter(qs: QuerySet[M], code: str, column: str = "category") -> QuerySet[M]:
    """A major class's code selects its minor classes too."""
    if not code:
        return qs
    return qs.filter(Q(**{f"{column}__code": code}) | Q(**{f"{column}__parent__code": code}))


def in_region(qs: QuerySet[M], code: str, column: str = "region_code") -> QuerySet[M]:
    if not code:
        return qs
    # Street-wide entries belong to every community of the street.
    above = [code[:n] for n in (9, 12) if len(code) > n]
    return qs.filter(Q(**{f"{column}__startswith": code}) | Q(**{f"{column}__in": above}))


@dataclass(frozen=True, slots=True)
class HubFilters:
    region: str = ""
    category: str = ""
    status: str = ""
    q: str = ""


def _text(qs: QuerySet[M], q: str) -> QuerySet[M]:
    return qs.filter(title__icontains=q) if q else qs


def hub_resources(user: AnyUser, f: HubFilters, participant: Participant | None = None) -> QuerySet[Any]:
    qs = in_region(resources_for(user, participant), f.region)
    qs = _text(category_filter(qs, f.category), f.q)
    if f.status == "active":
        qs = qs.filter(is_active=True)
    elif f.status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.select_related("category", "unit", "team", "volunteer__person").order_by(
        "-is_active", "region_code", "-id"
    )


def hub_needs(user: AnyUser, f: HubFilters) -> QuerySet[Any]:
    qs = _text(category_filter(in_region(needs_for(user), f.region), f.category), f.q)
    if f.status in NeedStatus.values:
        qs = qs.filter(status=f.status)
    return qs.select_related("category", "community").order_by("-created_at", "-id")


def hub_projects(user: AnyUser, f: HubFilters, participant: Participant | None = None) -> QuerySet[Any]:
    qs = _text(category_filter(in_region(projects_for(user, participant), f.region), f.category), f.q)
    if f.status in ProjectStatus.values:
        qs = qs.filter(status=f.status)
    active = Count("claims", filter=~Q(claims__status="withdrawn"))
    return qs.select_related("category", "community").annotate(claimed=active).order_by("-starts_on", "-id")


def status_counts(qs: QuerySet[Any], column: str = "status") -> dict[str, int]:
    return {row[column]: row["n"] for row in qs.order_by().values(column).annotate(n=Count("pk"))}


def hub_counts(user: AnyUser, f: HubFilters, participant: Participant | None = None) -> dict[str, int]:
    """How many rows each tab holds under the region and category filters (status and text aside)."""
    base = HubFilters(region=f.region, category=f.category)
    return {
        "resources": hub_resources(user, base, participant).filter(is_active=True).count(),
        "needs": hub_needs(user, base).filter(status__in=(NeedStatus.OPEN, NeedStatus.MATCHED)).count(),
        "projects": hub_projects(user, base, participant).exclude(status=ProjectStatus.DRAFT).count(),
    }


def major_categories() -> QuerySet[NeedCategory]:
    return NeedCategory.objects.filter(parent__isnull=True, is_active=True).prefetch_related("children")


def minor_categories() -> QuerySet[NeedCategory]:
    return NeedCategory.objects.filter(parent__isnull=False, is_active=True).select_related("parent")


# ── orders ────────────────────────────────────────────────────────────────────────────────────────


def _order_rows(qs: QuerySet[ServiceOrder]) -> QuerySet[ServiceOrder]:
    return qs.select_related("community", "category", "unit", "team")


def community_orders(user: AnyUser, status: str = "") -> QuerySet[ServiceOrder]:
    """我的点单: orders of the communities the user manages services for."""
    qs = orders_for(user).filter(capability_scope(user, Cap.SERVICES_MANAGE).q("region_code"))
    if status == "open":
        qs = qs.exclude(status__in=(OrderStatus.CONFIRMED, OrderStatus.CANCELLED))
    elif status in OrderStatus.values:
        qs = qs.filter(status=status)
    return _order_rows(qs).order_by("-ordered_at", "-id")


def alliance_queue(user: AnyUser, waiting_only: bool = True) -> QuerySet[ServiceOrder]:
    """待派单: orders of the user's streets that wait for the alliance (new and declined first)."""
    qs = ServiceOrder.objects.filter(capability_scope(user, Cap.SERVICES_ALLIANCE).q("street_code"))
    if waiting_only:
        qs = qs.filter(status__in=ALLIANCE_WAITING)
    return _order_rows(qs).order_by("wanted_by", "ordered_at", "id")


def unit_inbox(user: AnyUser, participant: Participant | None = None, done: bool = False) -> QuerySet[ServiceOrder]:
    """The orders passed to the units the user acts for (or the team they lead): waiting first."""
    qs = assigned_orders(user, participant)
    qs = qs.filter(status__in=(OrderStatus.CONFIRMED,)) if done else qs.filter(status__in=INBOX_STATUSES)
    return _order_rows(qs).order_by("wanted_by", "id")
