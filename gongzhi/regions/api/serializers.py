"""One serializer per model, a brief one for nesting (NetBox style), and the GeoJSON and locate shapes.

Everything here is read-only output except the two locate inputs at the bottom.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from gongzhi.regions.addresses import building_address
from gongzhi.regions.crs import CRS_NAMES
from gongzhi.regions.models import Building, Compound, DedicatedType, GridKind, Level, Region

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_BATCH_POINTS = 10_000

_GEOMETRY_SCHEMA = {
    "type": "object",
    "description": "GeoJSON geometry (RFC 7946), WGS-84 lon/lat.",
    "properties": {
        "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
        "coordinates": {"type": "array", "items": {}},
    },
    "required": ["type", "coordinates"],
    "nullable": True,
}
_BBOX_SCHEMA = {
    "type": "array",
    "description": "[min_lon, min_lat, max_lon, max_lat] in WGS-84; null without geometry.",
    "items": {"type": "number", "format": "double"},
    "minItems": 4,
    "maxItems": 4,
    "nullable": True,
}


# ------------------------------------------------------------------------------- fields


@extend_schema_field(_GEOMETRY_SCHEMA)
class GeometryField(serializers.JSONField):
    """Stored as GeoJSON already, so it passes through untouched."""


@extend_schema_field(_BBOX_SCHEMA)
class BBoxField(serializers.Field[Region, Any, list[float] | None, Any]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Region) -> list[float] | None:
        box = (value.min_lon, value.min_lat, value.max_lon, value.max_lat)
        return None if any(v is None for v in box) else [float(v) for v in box if v is not None]


class PointSerializer(serializers.Serializer[Any]):
    lon = serializers.FloatField(read_only=True)
    lat = serializers.FloatField(read_only=True)


@extend_schema_field(PointSerializer(allow_null=True))
class LabelField(serializers.Field[Region, Any, dict[str, float] | None, Any]):
    """Where to print the region's name on a map: a point guaranteed inside the polygon."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Region) -> dict[str, float] | None:
        if value.label_lon is None or value.label_lat is None:
            return None
        return {"lon": value.label_lon, "lat": value.label_lat}


class BlankAsNullChoiceField(serializers.ChoiceField):
    """The models store "no value" as "" (NOT NULL columns); API clients expect null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(value) if value else None


# ------------------------------------------------------------------------------ regions


class RegionBriefSerializer(serializers.Serializer[Any]):
    """A region nested in another object."""

    # A plain Serializer so that it also serialises `locate.Node`, which has the same attributes.

    url = serializers.HyperlinkedIdentityField(view_name="regions-api:region-detail", lookup_field="code")
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    level = serializers.ChoiceField(choices=Level.choices, read_only=True)


class RegionSerializer(serializers.ModelSerializer[Region]):
    """A region (市/区/街道/社区/网格). In lists, `geometry` is present only with `?geometry=1`."""

    # `geometry` only when the view asks for it (context `with_geometry`): polygons are most of the
    # bytes and most list clients only want names.

    url = serializers.HyperlinkedIdentityField(view_name="regions-api:region-detail", lookup_field="code")
    parent = RegionBriefSerializer(read_only=True, allow_null=True)
    grid_kind = BlankAsNullChoiceField(choices=GridKind.choices)
    dedicated_type = BlankAsNullChoiceField(choices=DedicatedType.choices)
    child_count = serializers.IntegerField(read_only=True, help_text="Number of direct children.")
    bbox = BBoxField()
    label_point = LabelField()
    # Not read_only, only because the schema generator marks every read-only field as required and
    # this one may be absent.  The serializer is never used for input.
    geometry = GeometryField(required=False)

    class Meta:
        model = Region
        fields: tuple[str, ...] = (
            "url",
            "code",
            "name",
            "level",
            "parent",
            "grid_kind",
            "dedicated_type",
            "child_count",
            "area_km2",
            "bbox",
            "label_point",
            "updated_at",
            "geometry",
        )
        read_only_fields = fields

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.context.get("with_geometry", True):
            self.fields.pop("geometry")


class RegionDetailSerializer(RegionSerializer):
    """A region on its own, with its ancestors (city first) and its geometry."""

    # Ancestors above the user's jurisdiction are listed too: they are the names a worker sees on
    # every letterhead, and listing them grants no access to them.

    ancestors = RegionBriefSerializer(many=True, read_only=True)
    geometry = GeometryField(read_only=True)

    class Meta(RegionSerializer.Meta):
        fields = (*RegionSerializer.Meta.fields[:5], "ancestors", *RegionSerializer.Meta.fields[5:])
        read_only_fields = fields


class RegionFeaturePropertiesSerializer(serializers.ModelSerializer[Region]):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)
    grid_kind = BlankAsNullChoiceField(choices=GridKind.choices)
    dedicated_type = BlankAsNullChoiceField(choices=DedicatedType.choices)
    child_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent_code", "grid_kind", "dedicated_type", "child_count", "area_km2")
        read_only_fields = fields


class RegionFeatureSerializer(serializers.Serializer[Region]):
    """A region as an RFC 7946 GeoJSON Feature; `id` is the region code."""

    type = serializers.SerializerMethodField()
    id = serializers.CharField(source="code", read_only=True)
    bbox = BBoxField()
    geometry = GeometryField(read_only=True)
    properties = RegionFeaturePropertiesSerializer(source="*", read_only=True)

    @extend_schema_field({"type": "string", "enum": ["Feature"]})
    def get_type(self, obj: Region) -> str:
        return "Feature"


class RegionFeatureCollectionSerializer(serializers.Serializer[Any]):
    type = serializers.SerializerMethodField()
    features = RegionFeatureSerializer(many=True, read_only=True)

    @extend_schema_field({"type": "string", "enum": ["FeatureCollection"]})
    def get_type(self, obj: Any) -> str:
        return "FeatureCollection"


# ---------------------------------------------------------------------------- buildings


class CompoundBriefSerializer(serializers.ModelSerializer[Compound]):
    class Meta:
        model = Compound
        fields = ("id", "name")
        read_only_fields = fields


class BuildingSerializer(serializers.ModelSerializer[Building]):
    """A building (楼栋) with its standard address."""

    # Expects the view's queryset to select compound, grid and community→street→district and to
    # annotate `unit_count` and `room_count`, so a page of buildings costs one query.

    url = serializers.HyperlinkedIdentityField(view_name="regions-api:building-detail", lookup_field="code")
    address = serializers.SerializerMethodField(help_text="Standard address 区/街道/社区/小区/楼栋.")
    compound = CompoundBriefSerializer(read_only=True, allow_null=True)
    community = RegionBriefSerializer(read_only=True)
    grid = RegionBriefSerializer(read_only=True)
    units = serializers.IntegerField(source="unit_count", read_only=True, help_text="Number of units (单元).")
    room_count = serializers.IntegerField(read_only=True, help_text="Number of rooms (户室) over all units.")

    class Meta:
        model = Building
        fields = (
            "url",
            "code",
            "name",
            "address",
            "compound",
            "community",
            "grid",
            "lon",
            "lat",
            "floors",
            "units",
            "room_count",
        )
        read_only_fields = fields

    def get_address(self, obj: Building) -> str:
        return building_address(obj)


# ------------------------------------------------------------------------------- locate


def _normalise_crs(value: Any) -> Any:
    # Map SDK docs spell them "GCJ-02", "BD09", "WGS 84"; accept what people paste.
    if isinstance(value, str):
        return value.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    return value


class CrsField(serializers.ChoiceField):
    default_error_messages = {
        "invalid_choice": _('Unknown coordinate system "{input}"; use wgs84, gcj02 or bd09.'),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=sorted(CRS_NAMES), default="wgs84", **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(_normalise_crs(data)))


class CoordinateField(serializers.FloatField):
    """A longitude or latitude: a finite number within ±limit, with messages naming the axis."""

    def __init__(self, *, limit: float, messages: dict[str, StrOrPromise], **kwargs: Any) -> None:
        super().__init__(error_messages=messages, **kwargs)
        # Read by the schema generator only; the check itself is in to_internal_value so that it
        # can carry its own code.
        self.min_value, self.max_value = -limit, limit
        self.limit = limit

    def to_internal_value(self, data: Any) -> float:
        value = float(super().to_internal_value(data))
        if not -self.limit <= value <= self.limit:
            self.fail("out_of_range")
        return value


class LocateQuerySerializer(serializers.Serializer[Any]):
    lon = CoordinateField(
        limit=180,
        help_text="Longitude in the given `crs`.",
        messages={
            "required": _("Longitude is required."),
            "invalid": _("Longitude must be a number."),
            "out_of_range": _("Longitude must be between -180 and 180."),
        },
    )
    lat = CoordinateField(
        limit=90,
        help_text="Latitude in the given `crs`.",
        messages={
            "required": _("Latitude is required."),
            "invalid": _("Latitude must be a number."),
            "out_of_range": _("Latitude must be between -90 and 90."),
        },
    )
    crs = CrsField(
        help_text="Coordinate system of the input: `wgs84` (GPS, default), `gcj02` (AMap, Tencent) or `bd09` (Baidu)."
    )


class LocatedGridSerializer(RegionBriefSerializer):
    grid_kind = BlankAsNullChoiceField(choices=GridKind.choices)
    dedicated_type = BlankAsNullChoiceField(choices=DedicatedType.choices)


class LocationSerializer(serializers.Serializer[Any]):
    grid = LocatedGridSerializer(read_only=True)
    ancestors = RegionBriefSerializer(many=True, read_only=True, help_text="City first, community last.")
    wgs84 = PointSerializer(read_only=True, help_text="The input point converted to WGS-84.")


_POINTS_SCHEMA = {
    "type": "array",
    "description": f"Up to {MAX_BATCH_POINTS:,} points as [lon, lat] pairs in the given `crs`.",
    "maxItems": MAX_BATCH_POINTS,
    "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
}


def _point_error(index: int, message: StrOrPromise, code: str) -> serializers.ValidationError:
    # Keyed by index so the error body says "points.17": the client can find the bad row.
    return serializers.ValidationError({str(index): [ErrorDetail(str(message), code=code)]})


def _is_number(value: Any) -> bool:
    # Exact types: bool is an int subclass, and `true` is no coordinate.
    if type(value) is float:
        return math.isfinite(value)
    # JSON integers are unbounded and a huge one would overflow the float conversion; anything
    # beyond this bound fails the range check anyway.
    return type(value) is int and abs(value) <= 1_000_000


@extend_schema_field(_POINTS_SCHEMA)
class PointListField(serializers.Field[Any, Any, Any, Any]):
    """[[lon, lat], ...] → (lons, lats) arrays.

    Checked in one pass rather than with nested DRF fields, which would build 20,000 field
    validations for a full batch; only the first bad point is reported.
    """

    default_error_messages = {
        "not_a_list": _("Points must be a list of [lon, lat] pairs."),
        "max_length": _("At most {max} points per request."),
        "invalid": _("Each point must be a [lon, lat] pair of numbers."),
        "lon_range": _("Longitude must be between -180 and 180."),
        "lat_range": _("Latitude must be between -90 and 90."),
    }

    def to_internal_value(self, data: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        if not isinstance(data, list):
            self.fail("not_a_list")
        if len(data) > MAX_BATCH_POINTS:
            self.fail("max_length", max=MAX_BATCH_POINTS)
        for index, point in enumerate(data):
            if not (isinstance(point, list) and len(point) == 2 and all(_is_number(v) for v in point)):
                raise _point_error(index, self.error_messages["invalid"], "invalid")
        pairs = np.asarray(data, dtype=np.float64).reshape(-1, 2)
        lons, lats = pairs[:, 0], pairs[:, 1]
        bad = np.flatnonzero((np.abs(lons) > 180) | (np.abs(lats) > 90))
        if bad.size:
            first = int(bad[0])
            key = "lon_range" if abs(lons[first]) > 180 else "lat_range"
            raise _point_error(first, self.error_messages[key], "out_of_range")
        return lons, lats

    def to_representation(self, value: Any) -> Any:
        return value


class LocateBatchRequestSerializer(serializers.Serializer[Any]):
    crs = CrsField(help_text="Coordinate system of every point: `wgs84` (default), `gcj02` or `bd09`.")
    points = PointListField()


class LocateBatchResultSerializer(serializers.Serializer[Any]):
    crs = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True, help_text="Number of points sent.")
    located = serializers.IntegerField(read_only=True, help_text="Number of points with a grid.")
    grids = serializers.ListField(
        child=serializers.CharField(allow_null=True),
        read_only=True,
        help_text="Grid code per point, in input order; null outside every grid of your jurisdiction.",
    )
