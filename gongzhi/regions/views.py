"""Pages of the jurisdiction tree: the region browser, building pages and search.

Every object comes through a scoped `access_*` selector wrapped in `get_or_404`, so a code outside
the user's jurisdiction answers exactly like a code that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from gongzhi.core.access import AnyUser, region_scope
from gongzhi.regions import addresses, selectors
from gongzhi.regions.filtersets import RegionFilterSet
from gongzhi.regions.forms import SearchForm
from gongzhi.regions.models import CHILD_LEVEL, Building, Compound, GridKind, Level, Region, Room
from gongzhi.regions.permissions import regions_section
from gongzhi.web import maps
from gongzhi.web.shortcuts import get_or_404

PAGE_SIZE = 50
SEARCH_LIMIT = 50

CHILD_HEADINGS = {
    Level.CITY: _("Districts"),
    Level.DISTRICT: _("Streets"),
    Level.STREET: _("Communities"),
    Level.COMMUNITY: _("Grids"),
}

# The map legend; the keys are the `kind` property of `gongzhi.web.maps` and the colours are the
# `--kind-<key>` variables of gongzhi.css.
LEGEND = (
    ("city", _("City")),
    ("district", _("District")),
    ("street", _("Street")),
    ("community", _("Community")),
    (GridKind.COMPREHENSIVE.value, _("Comprehensive grid")),
    (GridKind.DEDICATED.value, _("Dedicated grid")),
    ("building", _("Building")),
    ("highlight", _("This building")),
)


def legend_for(kinds: Iterable[str]) -> list[tuple[str, str]]:
    """Only what the map actually shows: a legend of six colours for two grids is noise."""
    shown = set(kinds)
    return [(kind, str(label)) for kind, label in LEGEND if kind in shown]


def _count_of(queryset: QuerySet[Building], group: str) -> Coalesce:
    """A correlated COUNT, so it can sit next to `children_of`'s own COUNT without multiplying it."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _children(user: AnyUser, region: Region) -> QuerySet[Region]:
    children = selectors.children_of(user, region)
    if region.level == Level.COMMUNITY:
        return children.annotate(building_count=_count_of(Building.objects.filter(grid=OuterRef("pk")), "grid"))
    if region.level == Level.STREET:
        return children.annotate(
            building_count=_count_of(Building.objects.filter(community=OuterRef("pk")), "community")
        )
    return children


@dataclass(frozen=True, slots=True)
class Crumb:
    region: Region
    linked: bool  # ancestors above the user's jurisdiction are named but not linked: they would 404


def _breadcrumb(user: AnyUser, chain: Iterable[Region]) -> list[Crumb]:
    scope = region_scope(user)
    return [Crumb(region=r, linked=scope.covers(r.code)) for r in chain]


@login_required
@regions_section
@require_GET
def region_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    roots = selectors.roots_for(user).annotate(child_count=Count("children")).order_by("code")
    filterset = RegionFilterSet(
        request.GET or None, queryset=selectors.regions_for(user).select_related("parent").order_by("code")
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page")) if filterset.is_active else None
    return render(request, "regions/region_list.html", {"roots": roots, "filterset": filterset, "page": page})


@login_required
@regions_section
@require_GET
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    region = get_or_404(selectors.access_region_by_code, user, code)
    children = list(_children(user, region))
    kinds = {maps.region_kind(r) for r in [region, *children]}
    context: dict[str, object] = {
        "region": region,
        "breadcrumb": _breadcrumb(user, region.ancestors()),
        "children": children,
        "children_heading": CHILD_HEADINGS.get(Level(region.level)),
        "grandchildren_heading": CHILD_HEADINGS.get(Level(CHILD_LEVEL.get(region.level) or Level.GRID)),
        "building_total": selectors.buildings_for(user).filter(code__startswith=region.prefix).count(),
    }
    if region.level == Level.COMMUNITY:
        context["compounds"] = (
            Compound.objects.filter(community=region).annotate(building_count=Count("buildings")).order_by("name")
        )
    if region.level == Level.GRID:
        buildings = list(
            selectors.buildings_for(user)
            .filter(grid=region)
            .select_related("compound")
            .annotate(unit_count=Count("units"))
            .order_by("code")
        )
        context["buildings"] = buildings
        if buildings:
            kinds.add("building")
    context["legend"] = legend_for(kinds)
    return render(request, "regions/region_detail.html", context)


@login_required
@regions_section
@require_GET
def region_geojson(request: HttpRequest, code: str) -> JsonResponse:
    user = request.user
    region = get_or_404(selectors.access_region_by_code, user, code)
    buildings: Iterable[Building] = ()
    if region.level == Level.GRID:
        buildings = selectors.buildings_for(user).filter(grid=region).select_related("compound").order_by("code")
    collection = maps.region_collection(region, selectors.children_of(user, region), buildings)
    return JsonResponse(collection, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False})


@dataclass(frozen=True, slots=True)
class FloorRow:
    floor: int
    rooms: list[Room | None]  # padded to the unit's widest floor so the table stays rectangular


@dataclass(frozen=True, slots=True)
class UnitPlan:
    number: int
    floors: list[FloorRow]  # top floor first, as the building is drawn
    columns: int
    room_count: int


def unit_plans(rooms: Iterable[Room]) -> list[UnitPlan]:
    """Rooms (ordered by unit, floor, number) laid out as one floor × room grid per unit."""
    by_unit: dict[int, dict[int, list[Room]]] = defaultdict(lambda: defaultdict(list))
    for room in rooms:
        by_unit[room.unit.number][room.floor].append(room)
    plans = []
    for number, floors in sorted(by_unit.items()):
        columns = max(len(r) for r in floors.values())
        rows = [
            FloorRow(floor=floor, rooms=[*floors[floor], *([None] * (columns - len(floors[floor])))])
            for floor in sorted(floors, reverse=True)
        ]
        plans.append(
            UnitPlan(number=number, floors=rows, columns=columns, room_count=sum(len(r) for r in floors.values()))
        )
    return plans


@login_required
@regions_section
@require_GET
def building_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    building = get_or_404(selectors.access_building_by_code, user, code)
    plans = unit_plans(selectors.rooms_of(building))
    return render(
        request,
        "regions/building_detail.html",
        {
            "building": building,
            "address_parts": addresses.building_parts(building),
            "address": addresses.building_address(building),
            "breadcrumb": _breadcrumb(user, [*building.community.ancestors(), building.community, building.grid]),
            "plans": plans,
            "room_total": sum(p.room_count for p in plans),
            "legend": legend_for([maps.region_kind(building.grid), "building", "highlight"]),
        },
    )


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware


@login_required
@regions_section
@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    # Shown top-down (street before its communities before their grids): a code's length is its depth.
    regions = list(selectors.search_regions(user, q, limit=SEARCH_LIMIT))
    buildings = list(selectors.search_buildings(user, q, limit=SEARCH_LIMIT)) if q else []
    # A full code is a request for that object, not for a list — except while htmx searches as the
    # user types, where a community's code is also the prefix of the grid code still being typed.
    if q.isdigit() and not request.htmx:
        for region in regions:
            if region.code == q:
                return redirect("regions:detail", code=region.code)
        for building in buildings:
            if building.code == q:
                return redirect("regions:building", code=building.code)
    return render(
        request,
        "regions/search.html",
        {"form": form, "q": q, "regions": regions, "buildings": buildings, "limit": SEARCH_LIMIT},
    )
