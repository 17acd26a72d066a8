"""Every read of the tree and the addresses, already limited to the user's jurisdiction."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length

from gongzhi.core.access import AnyUser, region_scope
from gongzhi.core.errors import NotFound
from gongzhi.regions.models import Building, Level, Region, Room


def regions_for(user: AnyUser) -> QuerySet[Region]:
    return Region.objects.filter(region_scope(user).q("code"))


def roots_for(user: AnyUser) -> QuerySet[Region]:
    """The top nodes a user may browse from: their own regions, or the cities for everyone-scopes."""
    scope = region_scope(user)
    if scope.everything:
        return Region.objects.filter(parent__isnull=True)
    query = Q(pk__in=[])
    for prefix in scope.prefixes:
        query |= Q(code=prefix) | Q(level=Level.CITY, code__startswith=prefix)
    return Region.objects.filter(query)


def access_region_by_code(user: AnyUser, code: str) -> Region:
    region = regions_for(user).select_related("parent__parent__parent__parent").filter(code=code).first()
    if region is None:
        raise NotFound(code)
    return region


def access_region_by_id(user: AnyUser, region_id: int) -> Region:
    region = regions_for(user).select_related("parent__parent__parent__parent").filter(pk=region_id).first()
    if region is None:
        raise NotFound(region_id)
    return region


def children_of(user: AnyUser, region: Region) -> QuerySet[Region]:
    return regions_for(user).filter(parent=region).annotate(child_count=Count("children")).order_by("code")


def search_regions(user: AnyUser, text: str, limit: int = 50) -> QuerySet[Region]:
    text = text.strip()
    qs = regions_for(user).select_related("parent")
    if not text:
        return qs.none()
    if text.isdigit():
        return qs.filter(code__startswith=text).order_by("code")[:limit]
    # Shorter codes are higher levels: districts before streets before communities before grids.
    return qs.filter(name__contains=text).order_by(Length("code"), "code")[:limit]


def buildings_for(user: AnyUser) -> QuerySet[Building]:
    return Building.objects.filter(region_scope(user).q("grid__code"))


def access_building_by_code(user: AnyUser, code: str) -> Building:
    building = (
        buildings_for(user)
        .select_related("compound", "grid", "community__parent__parent")
        .filter(code=code)
        .first()
    )
    if building is None:
        raise NotFound(code)
    return building


def search_buildings(user: AnyUser, text: str, limit: int = 50) -> QuerySet[Building]:
    text = text.strip()
    qs = buildings_for(user).select_related("compound", "grid")
    if not text:
        return qs.none()
    if text.isdigit():
        return qs.filter(code__startswith=text).order_by("code")[:limit]
    return qs.filter(Q(compound__name__contains=text) | Q(name=text)).order_by("code")[:limit]


def rooms_of(building: Building) -> QuerySet[Room]:
    rooms = Room.objects.filter(unit__building=building).select_related("unit")
    return rooms.order_by("unit__number", "floor", "number")
