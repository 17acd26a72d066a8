"""Exact point → grid lookup on a uniform lattice, for millions of points per second.

Answer semantics: a point belongs to the polygon with the smallest code among all polygons that
cover it (boundary included), so a point on an edge shared by two grids goes to the lower code,
and a point in no polygon gets nothing.  This is what ``geopandas.sjoin(predicate="intersects")``
followed by the minimum code per point gives, only deterministic and much faster.

Why it is exact.  Let ``f`` be the cell-index function ``floor((x - x0) * inv_dx)`` evaluated in
float64 (likewise for y).  ``f`` is monotone, so the points it maps to one cell form a rectangle and
those rectangles tile the plane.  At build time every polygon edge is cut into pieces shorter than a
cell, and each piece marks every cell that ``f`` maps any point of its epsilon-padded bounding box
to; the padding only has to absorb the rounding of the interpolated piece ends.  So any boundary
point maps to a marked ("mixed") cell, and the rectangle of an unmarked cell holds no boundary.
Two 4-adjacent unmarked rectangles form a larger boundary-free rectangle, so the set of polygons
covering a point is constant on each 4-connected component of unmarked cells: one representative
query labels the component and lookups there are one array gather.  Points in mixed cells are
tested with GEOS against the cell's candidates in code order, the first hit winning.

A mixed cell's candidates are the polygons whose edges marked it.  That misses only a polygon that
swallows the cell whole while another polygon's edge runs through it, which needs two interiors to
overlap.  Unless the input is a valid coverage (no overlaps), we therefore also add the polygons
covering each mixed cell's centre: any polygon covering the whole cell covers its centre.

Deliberately free of Django so it can be benchmarked, tested and reused standalone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely
from scipy import ndimage
from shapely.geometry import MultiPolygon, Polygon

Polygonal: TypeAlias = Polygon | MultiPolygon
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
IndexArray: TypeAlias = npt.NDArray[np.int32]
CellArray: TypeAlias = npt.NDArray[np.signedinteger[Any]]
GeomArray: TypeAlias = npt.NDArray[np.object_]

NONE = -1  # "no polygon": in results, and as the value of a cell no polygon touches
MIXED = -2  # cell value: resolve through the candidate table

# Each (median) polygon should span about this many cells: enough that nine points in ten skip
# GEOS entirely, few enough that the lattice stays in the tens of megabytes.
DEFAULT_CELLS_PER_POLYGON = 400
MAX_CELLS = 16_000_000  # also keeps every cell id and table offset within int32
# Edge pieces shorter than a cell have padded bounding boxes of at most 2 x 2 cells, close to the
# cells the edge really crosses.  Shorter pieces mark a little less but cost build time: at 0.5 the
# build doubles for ~10% fewer mixed cells.
PIECE_CELLS = 0.9
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class _Lattice:
    x0: float
    y0: float
    inv_size: float
    nx: int
    ny: int

    def col(self, x: FloatArray) -> FloatArray:
        # The one cell-index formula.  Exactness rests on build and lookups sharing it verbatim
        # (GridIndex.locate spells the same IEEE operations in plain floats).
        return np.floor((x - self.x0) * self.inv_size)

    def row(self, y: FloatArray) -> FloatArray:
        return np.floor((y - self.y0) * self.inv_size)

    def flat_of(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Flat cell id of each point; -1 off the lattice (NaN included)."""
        fx, fy = self.col(x), self.row(y)
        inside = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        out = np.full(x.shape, -1, dtype=np.int64)
        out[inside] = fy[inside].astype(np.int64) * self.nx + fx[inside].astype(np.int64)
        return out

    def centres(self, flat: IntArray) -> tuple[FloatArray, FloatArray]:
        """Cell centres, checked to map back to their own cell so they may stand in for it."""
        iy, ix = np.divmod(flat, self.nx)
        cx = self.x0 + (ix + 0.5) / self.inv_size
        cy = self.y0 + (iy + 0.5) / self.inv_size
        if not np.array_equal(self.flat_of(cx, cy), flat):
            raise RuntimeError("lattice cells too small for float64 precision")
        return cx, cy


class GridIndex:
    """Immutable point-in-polygon index over polygons identified by unique string codes.

    `codes` is sorted; polygon index i everywhere means `codes[i]`.
    """

    __slots__ = ("_cand", "_cells", "_geoms", "_lattice", "_mixed", "_offsets", "codes", "stats")

    codes: tuple[str, ...]
    stats: dict[str, float]

    def __init__(
        self,
        codes: tuple[str, ...],
        geoms: GeomArray,
        lattice: _Lattice,
        cells: CellArray,
        candidates: tuple[IndexArray, IndexArray, IndexArray],
        stats: dict[str, float],
    ) -> None:
        self.codes = codes
        self.stats = stats
        self._geoms = geoms
        self._lattice = lattice
        self._cells = cells
        # CSR table: mixed cell ids (sorted), row offsets, candidate polygons in code order.
        self._mixed, self._offsets, self._cand = candidates
        for array in (geoms, cells, *candidates):
            array.flags.writeable = False  # shared by every request thread: keep it read-only

    @classmethod
    def build(
        cls,
        codes: Sequence[str],
        geometries: Sequence[Polygonal],
        *,
        cells_per_polygon: int = DEFAULT_CELLS_PER_POLYGON,
        max_cells: int = MAX_CELLS,
    ) -> GridIndex:
        """Index polygons by code; ~1 s for 12k grids.

        The geometries are prepared in place (`shapely.prepare`), which callers sharing them notice
        only as faster predicates.  `cells_per_polygon` and `max_cells` trade memory and build time
        for lookup speed (800 gives ~1.5x the throughput at twice the memory).
        """
        if len(codes) != len(geometries):
            raise ValueError(f"{len(codes)} codes but {len(geometries)} geometries")
        if len(set(codes)) != len(codes):
            raise ValueError("codes must be unique")
        if not 1 <= max_cells < 2**31:
            raise ValueError("max_cells must be positive and fit in int32")
        order = sorted(range(len(codes)), key=codes.__getitem__)
        geoms = np.empty(len(order), dtype=object)
        geoms[:] = [_checked(codes[i], geometries[i]) for i in order]
        return _build(tuple(codes[i] for i in order), geoms, cells_per_polygon, max_cells)

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        return f"<GridIndex {len(self)} polygons, {self._lattice.nx}x{self._lattice.ny} cells>"

    def locate(self, lon: float, lat: float) -> str | None:
        """Code of the grid covering the point, or None.  Always agrees with `locate_many`."""
        lon, lat = float(lon), float(lat)  # float32 input would otherwise round differently
        lattice = self._lattice
        fx = (lon - lattice.x0) * lattice.inv_size
        fy = (lat - lattice.y0) * lattice.inv_size
        if not (0.0 <= fx < lattice.nx and 0.0 <= fy < lattice.ny):  # also rejects NaN
            return None
        flat = math.floor(fy) * lattice.nx + math.floor(fx)
        value = int(self._cells[flat])
        if value >= 0:
            return self.codes[value]
        if value == NONE:
            return None
        # An int32 needle: a Python int would make searchsorted cast the whole table to int64.
        row = int(self._mixed.searchsorted(np.int32(flat)))
        polys: list[int] = self._cand[self._offsets[row] : self._offsets[row + 1]].tolist()
        for poly in polys:
            if shapely.intersects_xy(self._geoms[poly], lon, lat):
                return self.codes[poly]
        return None

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> IndexArray:
        """Index into `codes` of the grid covering each point, -1 where none does.

        The result has the shape of the inputs.
        """
        x = np.asarray(lons, dtype=np.float64)
        y = np.asarray(lats, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError("lons and lats must have the same shape")
        shape = x.shape
        x, y = x.ravel(), y.ravel()
        flat = self._lattice.flat_of(x, y)
        on_lattice = np.flatnonzero(flat >= 0)
        result = np.full(x.size, NONE, dtype=np.int32)
        values = self._cells[flat[on_lattice]].astype(np.int32)
        result[on_lattice] = values
        mixed = on_lattice[values == MIXED]
        if mixed.size:
            result[mixed] = self._resolve_mixed(x[mixed], y[mixed], flat[mixed])
        return result.reshape(shape)

    def codes_for(self, indices: npt.ArrayLike) -> list[str | None]:
        """Codes for `locate_many` results, None for -1."""
        codes = self.codes
        flat: list[int] = np.asarray(indices, dtype=np.int64).ravel().tolist()
        return [codes[i] if i >= 0 else None for i in flat]

    def _resolve_mixed(self, x: FloatArray, y: FloatArray, flat: IntArray) -> IndexArray:
        rows = np.searchsorted(self._mixed, flat.astype(np.int32))  # same dtype: no copy of _mixed
        at, stop = self._offsets[rows], self._offsets[rows + 1]
        out = np.full(x.size, NONE, dtype=np.int32)
        # Round k tests every unresolved point against its k-th candidate, so a point stops at its
        # first hit, which is its lowest code, and most points need one GEOS call, not all.
        pending = np.arange(x.size)
        while pending.size:
            cand = self._cand[at[pending]]
            hit = shapely.intersects_xy(self._geoms[cand], x[pending], y[pending])
            out[pending[hit]] = cand[hit]
            at[pending] += 1
            pending = pending[~hit & (at[pending] < stop[pending])]
        return out


# ------------------------------------------------------------------------------ build


def _checked(code: str, geom: object) -> Polygonal:
    if not isinstance(geom, Polygon | MultiPolygon):
        raise TypeError(f"{code}: expected Polygon or MultiPolygon, got {type(geom).__name__}")
    return geom


def _build(codes: tuple[str, ...], geoms: GeomArray, cells_per_polygon: int, max_cells: int) -> GridIndex:
    started = time.perf_counter()
    n = len(codes)
    bounds = _bounds(geoms)
    eps = 1e-10 * max(1.0, *map(abs, bounds))  # ~1e-8° for China: ~10^6 ulps of the coordinates
    lattice = _make_lattice(geoms, bounds, eps, cells_per_polygon, max_cells)
    keys = _edge_keys(geoms, lattice, eps)  # sorted, unique cell * n + polygon
    mixed = _sorted_unique(keys // max(n, 1))
    tree = shapely.STRtree(geoms)
    disjoint = _is_valid_coverage(geoms)
    if not disjoint:
        keys = _sorted_unique(np.concatenate([keys, _centre_keys(tree, lattice, mixed, n)]))
    offsets = np.append(np.searchsorted(keys // max(n, 1), mixed), keys.size)
    # int32 throughout: cell ids stay below max_cells and the table is a few million entries.
    candidates = (mixed.astype(np.int32), offsets.astype(np.int32), (keys % max(n, 1)).astype(np.int32))
    cells = _label_cells(tree, lattice, mixed, n)
    _prepare(geoms)
    stats = {
        "build_s": time.perf_counter() - started,
        "cells": float(cells.size),
        "mixed_cells": float(mixed.size),
        "candidates_per_mixed_cell": keys.size / max(mixed.size, 1),
        "valid_coverage": float(disjoint),
    }
    return GridIndex(codes, geoms, lattice, cells, candidates, stats)


def _prepare(geoms: GeomArray) -> None:
    """Prepare every polygon for point tests and build its lazy GEOS index now.

    Mixed-cell tests then reuse each polygon's edge index.  GEOS builds that index on the first
    query and is not thread-safe while doing so (libgeos/geos#825), so one query per polygon here,
    on the building thread, leaves later lookups from any thread only reading it.
    """
    shapely.prepare(geoms)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    first = np.flatnonzero(np.diff(owner, prepend=-1))  # a vertex: inside the envelope
    shapely.intersects_xy(geoms[owner[first]], coords[first, 0], coords[first, 1])


def _sorted_unique(values: IntArray) -> IntArray:
    # np.unique hashes int64 since numpy 2.3, ~100x slower here than sort-and-compare.
    values = np.sort(values)
    keep = np.ones(values.size, dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _bounds(geoms: GeomArray) -> tuple[float, float, float, float]:
    boxes = shapely.bounds(geoms).reshape(-1, 4)
    boxes = boxes[np.isfinite(boxes).all(axis=1)]  # empty geometries have NaN bounds
    if not boxes.size:
        return 0.0, 0.0, 1.0, 1.0
    x0, y0 = boxes[:, :2].min(axis=0).tolist()
    x1, y1 = boxes[:, 2:].max(axis=0).tolist()
    return x0, y0, x1, y1


def _make_lattice(
    geoms: GeomArray, bounds: tuple[float, float, float, float], eps: float, per_polygon: int, max_cells: int
) -> _Lattice:
    x0, y0, x1, y1 = bounds
    areas = shapely.area(geoms)
    areas = areas[areas > 0]
    # The median, not the mean: a few huge rural grids must not coarsen the lattice for the many
    # small urban ones.
    size = math.sqrt(float(np.median(areas)) / per_polygon) if areas.size else max(x1 - x0, y1 - y0, 1.0)
    # Never more than max_cells, and never so fine that cell edges approach float noise.
    size = max(size, math.sqrt((x1 - x0) * (y1 - y0) / max_cells), 1e4 * eps)
    inv = 1.0 / size
    nx = math.floor((x1 - x0) * inv) + 1
    ny = math.floor((y1 - y0) * inv) + 1
    while nx * ny > max_cells:  # the floors and the +1 can overshoot slightly
        inv *= 0.99
        nx, ny = math.floor((x1 - x0) * inv) + 1, math.floor((y1 - y0) * inv) + 1
    return _Lattice(x0=x0, y0=y0, inv_size=inv, nx=nx, ny=ny)


def _segments(geoms: GeomArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray]:
    """Every ring edge of every polygon: start x, start y, end x, end y, polygon index."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same = coord_ring[1:] == coord_ring[:-1]  # consecutive vertices of one ring form an edge
    start, end = coords[:-1][same], coords[1:][same]
    owner = part_owner[ring_part[coord_ring[:-1][same]]].astype(np.int64)
    return start[:, 0], start[:, 1], end[:, 0], end[:, 1], owner


def _edge_keys(geoms: GeomArray, lattice: _Lattice, eps: float) -> IntArray:
    """Sorted unique keys cell * n + polygon for every cell an edge of the polygon may touch."""
    ax, ay, bx, by, owner = _segments(geoms)
    if not owner.size:
        return np.empty(0, dtype=np.int64)
    cells_long = np.maximum(np.abs(bx - ax), np.abs(by - ay)) * lattice.inv_size
    pieces = np.maximum(np.ceil(cells_long / PIECE_CELLS), 1).astype(np.int64)
    seg = np.repeat(np.arange(owner.size), pieces)
    step = np.arange(seg.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    t0 = step / pieces[seg]
    t1 = (step + 1) / pieces[seg]
    i0, i1 = _cell_span(lattice.col, lattice.nx, ax[seg], bx[seg], t0, t1, eps)
    j0, j1 = _cell_span(lattice.row, lattice.ny, ay[seg], by[seg], t0, t1, eps)
    poly, nx, n = owner[seg], lattice.nx, geoms.size
    dx, dy = i1 != i0, j1 != j0
    keys = [
        (j0 * nx + i0) * n + poly,
        ((j0 * nx + i1) * n + poly)[dx],
        ((j1 * nx + i0) * n + poly)[dy],
        ((j1 * nx + i1) * n + poly)[dx & dy],
    ]
    return _sorted_unique(np.concatenate(keys))


def _cell_span(
    index: Callable[[FloatArray], FloatArray],
    limit: int,
    a: FloatArray,
    b: FloatArray,
    t0: FloatArray,
    t1: FloatArray,
    eps: float,
) -> tuple[IntArray, IntArray]:
    """First and last cell index along one axis of each padded edge piece."""
    p = a + t0 * (b - a)
    q = a + t1 * (b - a)
    lo = np.clip(index(np.minimum(p, q) - eps), 0, limit - 1).astype(np.int64)
    hi = np.clip(index(np.maximum(p, q) + eps), 0, limit - 1).astype(np.int64)
    if np.any(hi - lo > 1):  # impossible for pieces under a cell long; the marking relies on it
        raise RuntimeError("edge piece spans more than two cells")
    return lo, hi


def _is_valid_coverage(geoms: GeomArray) -> bool:
    """True when polygon interiors are pairwise disjoint (checked via GEOS coverage validation)."""
    if geoms.size < 2:
        return True
    if not bool(np.all(shapely.is_valid(geoms))):
        return False
    return bool(shapely.coverage_is_valid(geoms))


def _centre_keys(tree: shapely.STRtree, lattice: _Lattice, mixed: IntArray, n: int) -> IntArray:
    """Keys for the polygons covering each mixed cell's centre: all that may swallow the cell."""
    cx, cy = lattice.centres(mixed)
    point, poly = tree.query(shapely.points(cx, cy), predicate="intersects")
    keys: IntArray = mixed[point] * n + poly.astype(np.int64)
    return keys


def _lowest_cover(tree: shapely.STRtree, x: FloatArray, y: FloatArray) -> IndexArray:
    """Lowest polygon index covering each point, -1 for none: the slow reference answer."""
    point, poly = tree.query(shapely.points(x, y), predicate="intersects")
    out = np.full(x.size, np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(out, point, poly.astype(np.int32))
    out[out == np.iinfo(np.int32).max] = NONE
    return out


def _cell_dtype(n: int) -> type[np.signedinteger[Any]]:
    for dtype in (np.int8, np.int16, np.int32):
        if n - 1 <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _label_cells(tree: shapely.STRtree, lattice: _Lattice, mixed: IntArray, n: int) -> CellArray:
    """Lattice of answers: polygon index, NONE, or MIXED."""
    free = np.ones(lattice.ny * lattice.nx, dtype=bool)
    free[mixed] = False
    four_connected = ndimage.generate_binary_structure(2, 1)
    labels, count = ndimage.label(free.reshape(lattice.ny, lattice.nx), structure=four_connected, output=np.int32)
    labels = labels.ravel()
    representative = np.zeros(count + 1, dtype=np.int64)
    for start in range(0, labels.size, _CHUNK):  # chunks bound the temporary index arrays
        members = np.flatnonzero(labels[start : start + _CHUNK])
        # Any member cell represents its component, so whichever duplicate index wins is fine.
        representative[labels[start + members]] = start + members
    answers = np.empty(count + 1, dtype=_cell_dtype(n))
    answers[0] = MIXED
    answers[1:] = _lowest_cover(tree, *lattice.centres(representative[1:]))
    cells: CellArray = answers[labels]
    return cells
