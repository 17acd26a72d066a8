"""Planar building blocks for the synthetic city: outlines, partitions, sampling, final snapping.

Everything is computed in a local kilometre frame (so Voronoi cells are not squashed by the
longitude scale) and only converted to WGS-84 at the end.  Partitions are exact tilings because a
child is always the intersection of a cell with its parent; the last step snaps all leaves to a
1e-7° grid together so that shared edges stay shared after rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import MultiPoint, MultiPolygon, Polygon

from . import facts

Polygonal: TypeAlias = Polygon | MultiPolygon
FloatArray: TypeAlias = npt.NDArray[np.float64]
GeomArray: TypeAlias = npt.NDArray[np.object_]
DensityFn: TypeAlias = Callable[[FloatArray], FloatArray]

# Output coordinates are multiples of this (about 1 cm), so serialised geometry is short and stable.
GRID_SIZE_DEG = 1e-7
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320


@dataclass(frozen=True, slots=True)
class Frame:
    """Equirectangular projection about (lon0, lat0); within a city the area error stays under ~2 %."""

    lon0: float
    lat0: float

    @property
    def kx(self) -> float:
        return _KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(self.lat0))

    @property
    def ky(self) -> float:
        return _KM_PER_DEG_LAT

    def to_km(self, lonlat: FloatArray) -> FloatArray:
        lonlat = np.asarray(lonlat, dtype=np.float64)
        return np.column_stack(((lonlat[:, 0] - self.lon0) * self.kx, (lonlat[:, 1] - self.lat0) * self.ky))

    def to_lonlat(self, xy: FloatArray) -> FloatArray:
        xy = np.asarray(xy, dtype=np.float64)
        return np.column_stack((self.lon0 + xy[:, 0] / self.kx, self.lat0 + xy[:, 1] / self.ky))

    def geoms_to_lonlat(self, geoms: GeomArray) -> GeomArray:
        # A pure per-coordinate map: a vertex shared by two cells maps to the same float in both.
        out: GeomArray = shapely.transform(geoms, self.to_lonlat)
        return out


def density_fn(frame: Frame) -> DensityFn:
    """Settlement density (arbitrary units, ~1 in the old city) at points given in frame km."""
    centres = frame.to_km(np.array([[c.lon, c.lat] for c in facts.URBAN_CENTRES]))
    weights = np.array([c.weight for c in facts.URBAN_CENTRES])
    inv_two_sigma2 = 1.0 / (2.0 * np.array([c.sigma_km for c in facts.URBAN_CENTRES]) ** 2)

    def density(xy: FloatArray) -> FloatArray:
        d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1)
        out: FloatArray = facts.RURAL_DENSITY + (weights * np.exp(-d2 * inv_two_sigma2)).sum(axis=1)
        return out

    return density


# -- outlines ------------------------------------------------------------------------------------


def blob(
    rng: np.random.Generator,
    area_km2: float,
    aspect: float = 1.0,
    vertices: int = 160,
    roughness: float = 0.22,
) -> Polygon:
    """A smooth star-shaped outline centred (by centroid) on the origin.

    The radius is 1 plus a few low-frequency harmonics, so the shape is lumpy like an administrative
    boundary but never self-intersects; ``aspect`` > 1 stretches it east–west.
    """
    theta = np.linspace(0.0, 2.0 * math.pi, vertices, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 7):
        amplitude = rng.normal(0.0, roughness / k)
        phase = rng.uniform(0.0, 2.0 * math.pi)
        radius += amplitude * np.cos(k * theta + phase)
    radius = np.clip(radius, 0.45, None)
    stretch = math.sqrt(aspect)
    shape = Polygon(np.column_stack((radius * np.cos(theta) * stretch, radius * np.sin(theta) / stretch)))
    return _fit(shape, area_km2, (0.0, 0.0))


def _fit(shape: Polygon, area_km2: float, centre: tuple[float, float]) -> Polygon:
    """``shape`` scaled to ``area_km2`` with its centroid moved to ``centre``."""
    scale = math.sqrt(area_km2 / shape.area)
    c = shape.centroid
    coords = np.asarray(shape.exterior.coords, dtype=np.float64)
    return Polygon((coords - np.array((c.x, c.y))) * scale + np.array(centre))


def city_outline(rng: np.random.Generator, frame: Frame) -> Polygon:
    """One connected outline for all districts: a blob per district at its real centroid, merged.

    A closing (buffer out, then in) fuses the blobs into one lobed shape and fills the gaps between
    them; the result is rescaled so the total matches the real city area.
    """
    parts = []
    for d in facts.DISTRICTS:
        ((cx, cy),) = frame.to_km(np.array([[d.lon, d.lat]]))
        part = blob(rng, d.area_km2, aspect=d.width_km / d.height_km, vertices=96, roughness=0.12)
        parts.append(translate(part, cx, cy))
    merged = shapely.union_all(parts).buffer(4.0, quad_segs=4).buffer(-4.0, quad_segs=4)
    largest = max(shapely.get_parts(merged), key=lambda p: p.area)
    outline = Polygon(largest.exterior.coords)
    total = sum(d.area_km2 for d in facts.DISTRICTS)
    c = outline.centroid
    # Simplify away the buffer's dense arc vertices; every vertex here ends up in many descendants.
    return _fit(outline.simplify(0.15), total, (c.x, c.y))


def translate(p: Polygon, dx: float, dy: float) -> Polygon:
    return Polygon(np.asarray(p.exterior.coords) + np.array((dx, dy)))


def reading_order(points: FloatArray, bounds: tuple[float, float, float, float]) -> npt.NDArray[np.intp]:
    """Indices of lon/lat ``points`` in reading order: north→south bands, west→east within a band.

    The box (``bounds`` of the parent) is cut into ``rows`` equal latitude bands, with
    rows = max(1, round(sqrt(n · height / width))) so bands are roughly as tall as the pieces;
    width is scaled by cos(latitude) so it is comparable with height.
    """
    minx, miny, maxx, maxy = bounds
    n = len(points)
    width = (maxx - minx) * math.cos(math.radians((miny + maxy) / 2.0))
    height = maxy - miny
    rows = max(1, round(math.sqrt(n * height / width))) if width > 0 else 1
    band = height / rows
    row = np.minimum(((maxy - points[:, 1]) / band).astype(np.int64), rows - 1) if band > 0 else np.zeros(n)
    order: npt.NDArray[np.intp] = np.lexsort((points[:, 0], row))
    return order


# -- sampling ------------------------------------------------------------------------------------


def sample_inside(
    poly: Polygonal,
    n: int,
    rng: np.random.Generator,
    weight: DensityFn | None = None,
) -> FloatArray:
    """``n`` random points inside ``poly``, with probability proportional to ``weight`` if given."""
    shapely.prepare(poly)
    minx, miny, maxx, maxy = poly.bounds
    chunks: list[FloatArray] = []
    have = 0
    ceiling = -1.0
    fill = max(poly.area / ((maxx - minx) * (maxy - miny)), 0.05)
    while have < n:
        m = max(int(1.5 * (n - have) / fill) + 16, 64)
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(m, 2))
        xy = xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]
        if weight is not None and len(xy):
            w = weight(xy)
            if ceiling < 0:
                # The first batch sets the acceptance ceiling; a slightly low ceiling only
                # flattens the very densest spots, and fixing it keeps the draw deterministic.
                ceiling = float(w.max())
                fill *= float(w.mean()) / ceiling
            xy = xy[rng.random(len(xy)) * ceiling < w]
        chunks.append(xy)
        have += len(xy)
    return np.concatenate(chunks)[:n]


def kmeans_sites(points: FloatArray, k: int, rng: np.random.Generator, iterations: int = 12) -> FloatArray:
    """``k`` well-spread sites among ``points``: k-means++ then Lloyd, snapped back onto samples.

    Snapping each centre to a sample point keeps sites inside a non-convex parent (a centroid of
    a crescent-shaped cluster can fall outside it), and sites inside the parent guarantee that no
    clipped Voronoi cell is empty.
    """
    m = len(points)
    if k >= m:
        raise ValueError("need more sample points than sites")
    first = int(rng.integers(m))
    chosen = [first]
    d2 = ((points - points[first]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = d2.sum()
        nxt = int(rng.choice(m, p=d2 / total)) if total > 0 else int(rng.integers(m))
        chosen.append(nxt)
        d2 = np.minimum(d2, ((points - points[nxt]) ** 2).sum(axis=1))
    centres = points[chosen].copy()
    for _ in range(iterations):
        labels = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1).argmin(axis=1)
        counts = np.bincount(labels, minlength=k)
        sx = np.bincount(labels, weights=points[:, 0], minlength=k)
        sy = np.bincount(labels, weights=points[:, 1], minlength=k)
        ok = counts > 0
        centres[ok, 0] = sx[ok] / counts[ok]
        centres[ok, 1] = sy[ok] / counts[ok]
    dist = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1)
    used = np.zeros(m, dtype=bool)
    sites = np.empty((k, 2))
    for j in range(k):
        order = np.argsort(dist[:, j], kind="stable")
        pick = next(int(i) for i in order if not used[i])
        used[pick] = True
        sites[j] = points[pick]
    return sites


# -- partitions ----------------------------------------------------------------------------------


def polygonal(geom: shapely.Geometry) -> Polygonal:
    """Only the areal parts of an overlay result (a clip can add stray boundary lines or points)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    polys = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def voronoi_split(parent: Polygonal, sites: FloatArray) -> list[Polygonal]:
    """The parent cut into one piece per site (same order), by intersection with Voronoi cells."""
    if len(sites) == 1:
        return [parent]
    cells = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(sites), extend_to=parent, ordered=True))
    pieces = shapely.intersection(cells, parent)
    return [polygonal(p) for p in pieces]


def _clip_halfplane(ring: FloatArray, a: FloatArray, b: float) -> FloatArray:
    """Keep the part of convex polygon ``ring`` where a·x ≤ b (Sutherland–Hodgman, one edge)."""
    if len(ring) == 0:
        return ring
    d = ring @ a - b
    out: list[FloatArray] = []
    n = len(ring)
    for i in range(n):
        p, q = ring[i], ring[(i + 1) % n]
        dp, dq = d[i], d[(i + 1) % n]
        if dp <= 0:
            out.append(p)
        if (dp <= 0) != (dq <= 0):
            out.append(p + (dp / (dp - dq)) * (q - p))
    return np.array(out) if out else np.empty((0, 2))


def _power_cells(sites: FloatArray, weights: FloatArray, box: FloatArray) -> list[FloatArray]:
    norms = (sites**2).sum(axis=1)
    cells = []
    for i in range(len(sites)):
        ring = box
        for j in range(len(sites)):
            if j != i:
                # |x−si|²−wi ≤ |x−sj|²−wj  ⇔  2x·(sj−si) ≤ |sj|²−|si|²−wj+wi
                ring = _clip_halfplane(ring, 2.0 * (sites[j] - sites[i]), norms[j] - norms[i] - weights[j] + weights[i])
        cells.append(ring)
    return cells


def power_split(
    parent: Polygonal,
    sites: FloatArray,
    targets_km2: Sequence[float],
    iterations: int = 160,
    anchor: float = 0.35,
) -> list[Polygonal]:
    """The parent cut into pieces of (nearly) the given areas, one per site.

    A power diagram is a Voronoi diagram whose sites carry weights; raising a site's weight pushes
    its boundaries outwards.  The weights are adjusted until every clipped cell has its target area,
    which plain Voronoi cells around fixed sites cannot do.  For the first part of the run each site
    also drifts towards its cell's centroid (held back by ``anchor`` towards where it started):
    without that, a small cell wedged between big ones comes out as a long sliver.
    """
    targets = np.asarray(targets_km2, dtype=np.float64)
    targets = targets * parent.area / targets.sum()
    minx, miny, maxx, maxy = parent.bounds
    pad = max(maxx - minx, maxy - miny)
    box = np.array(
        [[minx - pad, miny - pad], [maxx + pad, miny - pad], [maxx + pad, maxy + pad], [minx - pad, maxy + pad]]
    )
    home = np.asarray(sites, dtype=np.float64)
    sites = home.copy()
    weights = np.zeros(len(sites))
    relax_steps = iterations // 2
    shapely.prepare(parent)
    best: list[Polygonal] = []
    best_err = math.inf
    for step in range(iterations):
        rings = _power_cells(sites, weights, box)
        pieces = [polygonal(shapely.intersection(Polygon(r), parent)) if len(r) >= 3 else Polygon() for r in rings]
        areas = np.array([p.area for p in pieces])
        err = float(np.abs(areas / targets - 1.0).max())
        if step >= relax_steps and err < best_err and (areas > 0).all():
            best, best_err = pieces, err
            if err < 0.002:
                break
        if step < relax_steps:
            for i, piece in enumerate(pieces):
                if areas[i] > 0:
                    c = piece.centroid
                    sites[i] = anchor * home[i] + (1.0 - anchor) * np.array([c.x, c.y])
        # For a roughly round cell, raising the weight by δ grows the area by about πδ/2.
        eta = 0.7 if step < iterations * 3 // 4 else 0.35
        weights += eta * 2.0 * (targets - areas) / math.pi
    if not best:
        raise RuntimeError("power diagram did not converge to non-empty cells")
    return best


def place_inside(parent: Polygonal, xy: FloatArray, margin: float) -> FloatArray:
    """Pull points that fall outside (or within ``margin`` of the edge of) ``parent`` towards its middle."""
    shapely.prepare(parent)
    edge = parent.boundary
    anchor = np.array(parent.representative_point().coords[0])
    out = xy.copy()
    for i, p in enumerate(xy):
        for t in np.linspace(0.0, 1.0, 41):
            q = p + t * (anchor - p)
            pt = shapely.Point(q)
            if parent.contains(pt) and edge.distance(pt) >= margin:
                break
        out[i] = q
    return out


# -- final snapping ------------------------------------------------------------------------------


def snap_tiling(pieces: GeomArray, grid_size: float = GRID_SIZE_DEG) -> GeomArray:
    """Round a tiling's coordinates to ``grid_size`` without opening gaps or overlaps.

    Rounding each piece on its own would move a vertex of one piece off the straight edge of its
    neighbour.  Instead all edges are noded together with snap-rounding, the faces rebuilt, and
    each face handed back to the piece it lies in, so neighbours share identical edges afterwards.
    """
    noded = shapely.union_all(shapely.boundary(pieces), grid_size=grid_size)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.area(faces) > 0]
    tree = shapely.STRtree(pieces)
    face_idx, piece_idx = tree.query(shapely.point_on_surface(faces), predicate="within")
    owner = np.full(len(faces), -1, dtype=np.int64)
    # Should a face's label point sit on a boundary, the lower piece index wins, deterministically.
    order = np.lexsort((piece_idx, face_idx))
    first = np.unique(face_idx[order], return_index=True)[1]
    owner[face_idx[order][first]] = piece_idx[order][first]
    lost = np.flatnonzero(owner < 0)
    if len(lost):
        # Slivers between pieces that only touched up to float noise go to the nearest piece.
        near_face, near_piece = tree.query_nearest(faces[lost], all_matches=False)
        owner[lost[near_face]] = near_piece
    result = np.empty(len(pieces), dtype=object)
    by_owner = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[by_owner], np.arange(len(pieces) + 1))
    for i in range(len(pieces)):
        mine = faces[by_owner[bounds[i] : bounds[i + 1]]]
        if len(mine) == 0:
            raise RuntimeError(f"piece {i} vanished while snapping")
        result[i] = mine[0] if len(mine) == 1 else polygonal(shapely.coverage_union_all(mine))
    out: GeomArray = shapely.orient_polygons(result)
    return out


def union_tiles(tiles: GeomArray) -> Polygonal:
    """Union of pieces that share exact edges (as after :func:`snap_tiling`)."""
    if len(tiles) == 1:
        return polygonal(tiles[0])
    return polygonal(shapely.orient_polygons(shapely.coverage_union_all(tiles)))


# -- points inside pieces ------------------------------------------------------------------------


def scatter(
    polys: GeomArray,
    counts: npt.NDArray[np.int64],
    rng: np.random.Generator,
    frame: Frame,
    *,
    centres: FloatArray | None = None,
    spread_km: FloatArray | None = None,
    margin_km: float = 0.006,
    spacing_km: float = 0.02,
) -> list[FloatArray]:
    """``counts[i]`` lon/lat points inside ``polys[i]``, rounded to 7 decimals.

    Points keep ``margin_km`` from their polygon's edge (so rounding or a loader's float noise can
    never move one into the neighbouring grid) and ``spacing_km`` from each other (two houses on
    one spot look broken on a map).  With ``centres`` they cluster normally around them with
    standard deviation ``spread_km``; otherwise they are uniform.  Candidates are drawn for all
    polygons at once and tested with vectorised predicates; a few rounds mop up stragglers.
    """
    n = len(polys)
    shapely.prepare(polys)
    edges = shapely.boundary(polys)
    bounds = shapely.bounds(polys)
    # kx < ky, so a distance in degrees times kx never overstates the true distance in km.
    margin_deg = margin_km / frame.kx
    need = np.asarray(counts, dtype=np.int64).copy()
    found: list[list[FloatArray]] = [[] for _ in range(n)]
    placed = np.empty((0, 2))
    spacing = spacing_km
    for attempt in range(40):
        todo = np.flatnonzero(need > 0)
        if len(todo) == 0:
            break
        per = need[todo] * 6 + 4
        owner = np.repeat(todo, per)
        if centres is not None and spread_km is not None and attempt < 8:
            sigma = spread_km[owner]
            jitter = rng.normal(size=(len(owner), 2)) * sigma[:, None]
            cand = centres[owner] + jitter / [frame.kx, frame.ky]
        else:
            lo, hi = bounds[owner, :2], bounds[owner, 2:]
            cand = lo + rng.random((len(owner), 2)) * (hi - lo)
        cand = np.round(cand, 7)
        ok = shapely.contains_xy(polys[owner], cand[:, 0], cand[:, 1])
        ok[ok] = shapely.distance(edges[owner[ok]], shapely.points(cand[ok])) >= margin_deg
        cand, owner = cand[ok], owner[ok]
        km = frame.to_km(cand)
        if len(placed) and len(km):
            d, _ = cKDTree(placed).query(km, distance_upper_bound=spacing)
            keep = ~np.isfinite(d)
            cand, owner, km = cand[keep], owner[keep], km[keep]
        if len(km) > 1:
            # A candidate loses to any earlier one nearby (even one that loses itself): cheap,
            # order-deterministic, and there are spare candidates.
            pairs = cKDTree(km).query_pairs(spacing, output_type="ndarray")
            keep = np.ones(len(km), dtype=bool)
            keep[pairs.max(axis=1)] = False
            cand, owner, km = cand[keep], owner[keep], km[keep]
        start = np.searchsorted(owner, owner)
        take = (np.arange(len(owner)) - start) < need[owner]
        for i, p in zip(owner[take], cand[take], strict=True):
            found[int(i)].append(p)
        need -= np.bincount(owner[take], minlength=n)
        placed = np.concatenate((placed, km[take]))
        if attempt >= 8:
            # Tiny or thin grids cannot hold the full spacing; shrink it rather than give up.
            spacing *= 0.8
    if (need > 0).any():
        raise RuntimeError(f"could not place points in {int((need > 0).sum())} polygons")
    return [np.array(f).reshape(-1, 2) for f in found]
