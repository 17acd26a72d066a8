"""GeoJSON for the Leaflet maps: one FeatureCollection per page, small enough to inline or fetch.

Every feature carries what the browser needs to style, label and link it, so `regionmap.js` stays
free of domain knowledge: `role` (self / child / building), `kind` (the colour key), `label` (the
translated kind shown on hover) and `url`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import shapely
from django.urls import reverse

from gongzhi.regions.geometry import from_geojson, to_geojson
from gongzhi.regions.models import Building, Level, Region

# Ground resolution of the drawn outlines as a share of the page's extent: a 1,000-pixel map
# never shows the difference, and a district's detailed boundary shrinks from megabytes to kilobytes.
SIMPLIFY_SHARE = 1 / 4000
# Six decimals is about 0.1 m, far below anything a map shows.
PRECISION = 6

Feature = dict[str, Any]


def region_kind(region: Region) -> str:
    """The colour key: the level, except grids, which are told apart by their kind."""
    if region.level == Level.GRID:
        return region.grid_kind or "comprehensive"
    return region.level


def region_kind_label(region: Region) -> str:
    return str(region.get_grid_kind_display() if region.level == Level.GRID else region.get_level_display())


def _map_geometry(data: dict[str, Any] | None, tolerance: float) -> dict[str, Any] | None:
    geom = from_geojson(data)
    if geom is None:
        return None
    if tolerance > 0:
        simplified = shapely.simplify(geom, tolerance, preserve_topology=True)
        if not simplified.is_empty:
            geom = simplified
    return to_geojson(geom, precision=PRECISION)


def region_feature(region: Region, role: str, tolerance: float = 0.0) -> Feature:
    return {
        "type": "Feature",
        "id": region.code,
        "geometry": _map_geometry(region.geometry, tolerance),
        "properties": {
            "role": role,
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "grid_kind": region.grid_kind,
            "kind": region_kind(region),
            "label": region_kind_label(region),
            "url": reverse("regions:detail", args=[region.code]),
            # A point guaranteed inside the polygon (unlike the centroid), for the name label.
            "label_at": (
                [region.label_lon, region.label_lat]
                if region.label_lon is not None and region.label_lat is not None
                else None
            ),
        },
    }


def building_feature(building: Building) -> Feature:
    return {
        "type": "Feature",
        "id": building.code,
        "geometry": {"type": "Point", "coordinates": [round(building.lon, PRECISION), round(building.lat, PRECISION)]},
        "properties": {
            "role": "building",
            "code": building.code,
            "name": str(building),
            "kind": "building",
            "label": str(Building._meta.verbose_name),
            "url": reverse("regions:building", args=[building.code]),
        },
    }


def tolerance_for(region: Region) -> float:
    min_lon, min_lat, max_lon, max_lat = region.min_lon, region.min_lat, region.max_lon, region.max_lat
    if min_lon is None or min_lat is None or max_lon is None or max_lat is None:
        return 0.0
    return max(max_lon - min_lon, max_lat - min_lat) * SIMPLIFY_SHARE


def region_collection(region: Region, children: Iterable[Region], buildings: Iterable[Building] = ()) -> dict[str, Any]:
    """The node itself first (drawn underneath), then its children, then building points."""
    tolerance = tolerance_for(region)
    features = [region_feature(region, "self", tolerance)]
    features += [region_feature(child, "child", tolerance) for child in children]
    features += [building_feature(b) for b in buildings]
    return {
        "type": "FeatureCollection",
        "properties": {"code": region.code, "name": region.name, "level": region.level},
        "features": features,
    }
