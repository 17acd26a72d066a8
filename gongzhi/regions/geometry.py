"""GeoJSON ⇄ shapely, bounding boxes and areas, and the tolerances the tree rules use."""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

Polygonal: TypeAlias = Polygon | MultiPolygon

# Topology tolerance in metres: generous enough for float noise and digitising slop between
# neighbouring offices, small enough that no real building can fall on the wrong side.
TOLERANCE_M = 1.0
METRES_PER_DEGREE_LAT = 111_320.0


def degrees_for_metres(metres: float, lat: float) -> float:
    """A distance in degrees that is at least `metres` in both axes at this latitude."""
    return metres / (METRES_PER_DEGREE_LAT * math.cos(math.radians(min(abs(lat), 89.0))))


def from_geojson(data: dict[str, Any] | None) -> Polygonal | None:
    if not data:
        return None
    geom = shape(data)
    if not isinstance(geom, (Polygon, MultiPolygon)):
        raise ValueError(f"expected Polygon or MultiPolygon, got {geom.geom_type}")
    return geom


def to_geojson(geom: Polygonal, precision: int = 7) -> dict[str, Any]:
    rounded = shapely.set_precision(geom, 10.0**-precision) if precision else geom
    if rounded.is_empty:
        rounded = geom
    return dict(mapping(rounded))


def area_km2(geom: Polygonal) -> float:
    """Equal-area approximation around the geometry's own latitude; plenty for a district."""
    lat = geom.centroid.y
    kx = METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))
    return float(geom.area * kx * METRES_PER_DEGREE_LAT / 1e6)


def bbox_fields(geom: Polygonal) -> dict[str, float]:
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    label = geom.representative_point()
    return {
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "label_lon": round(label.x, 7),
        "label_lat": round(label.y, 7),
        "area_km2": round(area_km2(geom), 6),
    }
