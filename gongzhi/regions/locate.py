"""Point → grid → ancestors, from an in-process index rebuilt whenever grid geometry changes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from gongzhi.regions.crs import to_wgs84, to_wgs84_many
from gongzhi.regions.geometry import Polygonal, from_geojson
from gongzhi.regions.models import GeometryRevision, Level, Region
from gongzhi.regions.spatial_index import GridIndex


@dataclass(frozen=True, slots=True)
class Node:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class Location:
    lon: float
    lat: float
    grid: Node
    ancestors: tuple[Node, ...]  # city first, community last


@dataclass(slots=True)
class _Loaded:
    revision: int
    index: GridIndex
    nodes: dict[str, Node]


_lock = threading.Lock()
_loaded: _Loaded | None = None
# Every intake locates a point; reading the revision row on each call was a database round trip per
# report (8 % of intake's time). Another process's geometry change is seen within this many seconds;
# this process's own changes at once (bump_revision drops the index).
REVISION_CHECK_S = 1.0
_checked_at = 0.0


def current_revision() -> int:
    row = GeometryRevision.objects.filter(pk=1).values_list("revision", flat=True).first()
    return int(row or 0)


def bump_revision() -> None:
    """Call inside the transaction that changes grid geometry."""
    row, _created = GeometryRevision.objects.select_for_update().get_or_create(pk=1)
    row.revision += 1
    row.save(update_fields=["revision", "changed_at"])
    # Dropped now, so this transaction's own reads see the change, and again on commit, so an index
    # rebuilt meanwhile from a view that was not yet committed does not outlive it.
    invalidate()
    transaction.on_commit(invalidate)


def invalidate() -> None:
    global _loaded, _checked_at
    with _lock:
        _loaded = None
        _checked_at = 0.0


def _build(revision: int) -> _Loaded:
    nodes: dict[str, Node] = {}
    codes: list[str] = []
    geoms: list[Polygonal] = []
    rows = Region.objects.values_list("code", "name", "level", "parent__code", "geometry").order_by("code")
    for code, name, level, parent_code, geometry in rows.iterator(chunk_size=2000):
        nodes[code] = Node(code=code, name=name, level=level, parent_code=parent_code)
        if level == Level.GRID and geometry:
            geom = from_geojson(geometry)
            if geom is not None:
                codes.append(code)
                geoms.append(geom)
    return _Loaded(revision=revision, index=GridIndex.build(codes, geoms), nodes=nodes)


def _get() -> _Loaded:
    global _loaded, _checked_at
    loaded = _loaded
    if loaded is not None and time.monotonic() - _checked_at < REVISION_CHECK_S:
        return loaded
    revision = current_revision()
    if loaded is not None and loaded.revision == revision:
        _checked_at = time.monotonic()
        return loaded
    with _lock:
        if _loaded is None or _loaded.revision != revision:
            _loaded = _build(revision)
        _checked_at = time.monotonic()
        return _loaded


def get_index() -> GridIndex:
    return _get().index


def _location(loaded: _Loaded, lon: float, lat: float, code: str) -> Location:
    grid = loaded.nodes[code]
    chain: list[Node] = []
    parent = grid.parent_code
    while parent is not None:
        node = loaded.nodes[parent]
        chain.append(node)
        parent = node.parent_code
    return Location(lon=lon, lat=lat, grid=grid, ancestors=tuple(reversed(chain)))


def locate(lon: float, lat: float, crs: str = "wgs84") -> Location | None:
    """The grid covering the point (lowest code on a shared edge), or None outside every grid."""
    wlon, wlat = to_wgs84(lon, lat, crs)
    loaded = _get()
    code = loaded.index.locate(wlon, wlat)
    return None if code is None else _location(loaded, wlon, wlat, code)


def locate_many(lons: np.ndarray, lats: np.ndarray, crs: str = "wgs84") -> list[Location | None]:
    wlons, wlats = to_wgs84_many(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float), crs)
    loaded = _get()
    indices = loaded.index.locate_many(wlons, wlats)
    codes = loaded.index.codes
    return [
        None if i < 0 else _location(loaded, float(x), float(y), codes[int(i)])
        for i, x, y in zip(indices, wlons, wlats, strict=True)
    ]
