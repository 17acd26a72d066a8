"""Read API of the jurisdiction tree, the buildings and point → grid lookup.

Every queryset starts from `gongzhi.regions.selectors`, so an object outside the user's
jurisdiction answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from gongzhi.core.access import region_scope
from gongzhi.core.api.errors import api_error
from gongzhi.core.api.pagination import LimitOffset
from gongzhi.core.api.renderers import GeoJSONRenderer
from gongzhi.core.api.schema import error_responses
from gongzhi.regions import selectors
from gongzhi.regions.api.filters import BuildingFilterSet, RegionFilterSet
from gongzhi.regions.api.serializers import (
    BuildingSerializer,
    LocateBatchRequestSerializer,
    LocateBatchResultSerializer,
    LocateQuerySerializer,
    LocationSerializer,
    RegionDetailSerializer,
    RegionFeatureCollectionSerializer,
    RegionFeatureSerializer,
    RegionSerializer,
)
from gongzhi.regions.locate import locate, locate_many
from gongzhi.regions.models import Building, BuildingUnit, Region, Room
from gongzhi.regions.permissions import CanViewRegions

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
CODE_PATTERN = r"\d{6,15}"


def _count(model: type[Region] | type[BuildingUnit] | type[Room], link: str) -> Coalesce:
    """COUNT(*) of `model` rows whose `link` is the outer row, as a correlated subquery.

    A JOIN + GROUP BY would aggregate the whole scoped table before LIMIT; the subquery runs only
    for the rows of the page.
    """
    rows = model._default_manager.filter(**{link: OuterRef("pk")}).order_by().values(link)
    counted = rows.annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_child_count(regions: QuerySet[Region]) -> QuerySet[Region]:
    return regions.annotate(child_count=_count(Region, "parent"))


# ------------------------------------------------------------------------------ regions

_GEOMETRY_PARAM = OpenApiParameter(
    "geometry",
    OpenApiTypes.BOOL,
    description="Include each region's GeoJSON geometry (`1`/`true`). Off by default: polygons are large.",
)
_FEATURE_EXAMPLE = OpenApiExample(
    "feature",
    value={
        "type": "Feature",
        "id": "320113001001001",
        "bbox": [118.8, 32.13, 118.825, 32.16],
        "geometry": {"type": "Polygon", "coordinates": [[[118.8, 32.13], [118.825, 32.13], [118.825, 32.16]]]},
        "properties": {
            "code": "320113001001001",
            "name": "第一网格",
            "level": "grid",
            "parent_code": "320113001001",
            "grid_kind": "comprehensive",
            "dedicated_type": None,
            "child_count": 0,
            "area_km2": 7.9,
        },
    },
    response_only=True,
    media_type="application/geo+json",
)


@extend_schema_view(
    list=extend_schema(
        summary="List regions",
        description="Regions within your jurisdiction, ordered by code. Paginated with `limit`/`offset` "
        "(at most 1,000 per page).",
        parameters=[_GEOMETRY_PARAM],
        responses={200: RegionSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Region detail",
        description=(
            "One region by code, with its ancestors, child count, bounding box, area, label point and "
            "geometry.\n\nThe same region as a single GeoJSON Feature: `GET /api/v1/regions/{code}.geojson`, "
            "`?format=geojson`, or `Accept: application/geo+json`."
        ),
        responses={
            (200, "application/json"): RegionDetailSerializer,
            (200, "application/geo+json"): RegionFeatureSerializer,
            **error_responses(404),
        },
        examples=[_FEATURE_EXAMPLE],
    ),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    permission_classes = [IsAuthenticated, CanViewRegions]
    lookup_field = "code"
    lookup_value_regex = CODE_PATTERN
    pagination_class = LimitOffset
    filterset_class = RegionFilterSet

    def _with_geometry(self) -> bool:
        if self.action != "list":
            return True
        return self.request.query_params.get("geometry", "").strip().lower() in TRUE_VALUES

    def get_queryset(self) -> QuerySet[Region]:
        regions = selectors.regions_for(self.request.user).select_related("parent").order_by("code")
        if not self._with_geometry():
            regions = regions.defer("geometry")
        return _with_child_count(regions)

    def get_object(self) -> Region:
        region = selectors.access_region_by_code(self.request.user, self.kwargs["code"])
        # Children of an in-scope region are in scope too (codes nest), so this count needs no filter.
        region.child_count = region.children.count()  # type: ignore[attr-defined]
        return region

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return RegionDetailSerializer if self.action == "retrieve" else RegionSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "with_geometry": self._with_geometry()}

    def get_renderers(self) -> list[BaseRenderer]:
        renderers = super().get_renderers()
        if self.action == "retrieve":
            # Last, so that only an explicit format or Accept header selects it.
            return [*renderers, GeoJSONRenderer()]
        if self.action == "children":
            # First: a FeatureCollection is GeoJSON, but clients asking for JSON still get it.
            return [GeoJSONRenderer(), *renderers]
        return renderers

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        region = self.get_object()
        if request.accepted_renderer.format == GeoJSONRenderer.format:
            return Response(RegionFeatureSerializer(region).data)
        return Response(self.get_serializer(region).data)

    @extend_schema(
        summary="Children as GeoJSON",
        description="The direct children of a region as an RFC 7946 FeatureCollection (all of them, "
        "unpaginated: a node has at most a few dozen children). Empty for a grid.",
        filters=False,
        responses={
            (200, "application/geo+json"): RegionFeatureCollectionSerializer,
            (200, "application/json"): RegionFeatureCollectionSerializer,
            **error_responses(404),
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def children(self, request: Request, code: str) -> Response:
        region = selectors.access_region_by_code(request.user, code)
        children = selectors.children_of(request.user, region).select_related("parent")
        return Response(RegionFeatureCollectionSerializer({"features": children}).data)


# ---------------------------------------------------------------------------- buildings


@extend_schema_view(
    list=extend_schema(
        summary="List buildings",
        description="Buildings (楼栋) in grids within your jurisdiction, ordered by code. Paginated with "
        "`limit`/`offset`.",
        responses={200: BuildingSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Building detail",
        description="One building by its 19-digit code (grid code + 4-digit sequence).",
        responses={200: BuildingSerializer, **error_responses(404)},
    ),
)
class BuildingViewSet(viewsets.ReadOnlyModelViewSet[Building]):
    permission_classes = [IsAuthenticated, CanViewRegions]
    serializer_class = BuildingSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d{19}"
    pagination_class = LimitOffset
    filterset_class = BuildingFilterSet

    def get_queryset(self) -> QuerySet[Building]:
        return (
            selectors.buildings_for(self.request.user)
            .select_related("compound", "grid", "community__parent__parent")
            .annotate(unit_count=_count(BuildingUnit, "building"), room_count=_count(Room, "unit__building"))
            .order_by("code")
        )

    def get_object(self) -> Building:
        building = selectors.access_building_by_code(self.request.user, self.kwargs["code"])
        building.unit_count = building.units.count()  # type: ignore[attr-defined]
        building.room_count = selectors.rooms_of(building).count()  # type: ignore[attr-defined]
        return building


# ------------------------------------------------------------------------------- locate


def _outside() -> exceptions.APIException:
    # One answer for "in no grid" and "in a grid outside your jurisdiction": the second must not
    # reveal that a grid exists there.
    return api_error(
        exceptions.NotFound, "lon", "outside_grids", _("The point is not inside any grid within your jurisdiction.")
    )


class LocateView(APIView):
    """Point → grid: the reference lookup behind case intake, building placement and imports."""

    permission_classes = [IsAuthenticated, CanViewRegions]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Locate a point",
        description=(
            "The grid containing a point, with its ancestors (city first, community last) and the point "
            "in WGS-84. A point on an edge shared by two grids goes to the lower code.\n\n"
            "Any signed-in user may ask, but a grid outside your jurisdiction answers 404 "
            "`outside_grids`, exactly like a point in no grid at all."
        ),
        parameters=[LocateQuerySerializer],
        responses={
            200: LocationSerializer,
            **error_responses(400, 404, s404="`outside_grids`: the point is in no grid within your jurisdiction."),
        },
    )
    def get(self, request: Request) -> Response:
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = locate(query.validated_data["lon"], query.validated_data["lat"], query.validated_data["crs"])
        if found is None:
            raise _outside()
        # The scoped selector doubles as the jurisdiction check and fetches what the index lacks.
        grid = (
            selectors.regions_for(request.user)
            .filter(code=found.grid.code)
            .only("code", "name", "level", "grid_kind", "dedicated_type")
            .first()
        )
        if grid is None:
            raise _outside()
        location = {
            "grid": grid,
            "ancestors": found.ancestors,
            "wgs84": {"lon": round(found.lon, 7), "lat": round(found.lat, 7)},
        }
        return Response(LocationSerializer(location, context={"request": request}).data)


class LocateBatchView(APIView):
    permission_classes = [IsAuthenticated, CanViewRegions]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Locate many points",
        description=(
            "Grid code for each of up to 10,000 points, for imports. Same rules as `GET /locate/`: "
            "null for a point in no grid or in a grid outside your jurisdiction. The first invalid "
            "point is reported as `points.<index>`."
        ),
        request=LocateBatchRequestSerializer,
        responses={200: LocateBatchResultSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "two points",
                value={"crs": "gcj02", "points": [[118.8175, 32.1428], [121.47, 31.23]]},
                request_only=True,
            ),
            OpenApiExample(
                "result",
                value={"crs": "gcj02", "count": 2, "located": 1, "grids": ["320113001001001", None]},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        body = LocateBatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        crs = body.validated_data["crs"]
        lons, lats = body.validated_data["points"]
        scope = region_scope(request.user)
        grids = [
            loc.grid.code if loc is not None and scope.covers(loc.grid.code) else None
            for loc in locate_many(lons, lats, crs)
        ]
        result = {"crs": crs, "count": len(grids), "located": sum(g is not None for g in grids), "grids": grids}
        return Response(LocateBatchResultSerializer(result).data)
