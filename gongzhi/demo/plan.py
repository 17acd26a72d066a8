"""A deterministic synthetic city: jurisdiction tree (市→区→街道→社区→网格), compounds and buildings.

``generate("demo", seed)`` builds 栖霞区 alone (9 real streets, 127 communities, 1,063 grids, about
20,000 homes); ``generate("city", seed)`` builds all of 南京市 (11 districts, 101 real streets,
1,232 communities, 12,246 grids).  Real codes and names are used down to streets; below that
everything is invented.  The output is plain data for a loader — nothing here touches a database.

Determinism: every random draw comes from generators spawned from ``seed``; nothing iterates a
set or depends on hashing, so the same seed yields byte-identical geometry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Polygon

from . import facts, names
from .geometry import (
    DensityFn,
    FloatArray,
    Frame,
    GeomArray,
    Polygonal,
    blob,
    city_outline,
    density_fn,
    kmeans_sites,
    place_inside,
    power_split,
    reading_order,
    sample_inside,
    scatter,
    snap_tiling,
    translate,
    union_tiles,
    voronoi_split,
)

LEVELS = ("city", "district", "street", "community", "grid")


@dataclass(frozen=True, slots=True)
class RegionPlan:
    code: str
    name: str
    level: str
    parent_code: str | None
    # WGS-84 lon/lat, coordinates on a 1e-7° grid; siblings share edges exactly.
    geometry: Polygon | MultiPolygon
    grid_kind: str = ""
    dedicated_type: str = ""


@dataclass(frozen=True, slots=True)
class CompoundPlan:
    community_code: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class BuildingPlan:
    code: str
    compound_name: str | None
    community_code: str
    grid_code: str
    name: str
    lon: float
    lat: float
    floors: int
    units: int
    rooms_per_floor: int

    @property
    def rooms(self) -> int:
        return self.floors * self.units * self.rooms_per_floor


@dataclass(frozen=True, slots=True)
class CityPlan:
    # Parents before children; within a level sorted by code.
    regions: list[RegionPlan]
    compounds: list[CompoundPlan]
    buildings: list[BuildingPlan]

    def at_level(self, level: str) -> list[RegionPlan]:
        return [r for r in self.regions if r.level == level]

    @property
    def room_count(self) -> int:
        return sum(b.rooms for b in self.buildings)


@dataclass(frozen=True, slots=True)
class _Size:
    districts: tuple[str, ...]
    communities: dict[str, int]
    grids: int
    dedicated: int
    # demo: keep adding buildings until this many homes exist; city: a fixed range per grid.
    target_rooms: int | None
    buildings_per_grid: tuple[int, int]


_SIZES: dict[str, _Size] = {
    "demo": _Size(
        districts=(facts.DEMO_DISTRICT,),
        communities={facts.DEMO_DISTRICT: 127},
        grids=1_063,
        dedicated=177,
        target_rooms=19_500,
        buildings_per_grid=(0, 0),
    ),
    "city": _Size(
        districts=tuple(d.code for d in facts.DISTRICTS),
        communities=dict(facts.DISTRICT_COMMUNITIES),
        grids=12_246,
        dedicated=1_995,
        target_rooms=None,
        buildings_per_grid=(5, 10),
    ),
}

# Below this density (≈ 1 in the old city) a community outside the central districts is a village.
_VILLAGE_DENSITY = 0.11
# How strongly density concentrates communities (k-means over samples ∝ density^γ gives cells of
# area ∝ density^(−γ/2)); 1.6 makes a village roughly 15× the size of an old-city community.
_COMMUNITY_GAMMA = 1.6
_STREET_GAMMA = 1.0

_URBAN_MIX: dict[str, float] = {
    "school": 0.30,
    "hospital": 0.10,
    "park": 0.15,
    "market": 0.16,
    "station": 0.10,
    "campus": 0.05,
    "industrial_park": 0.14,
}
_VILLAGE_MIX: dict[str, float] = {
    "school": 0.16,
    "hospital": 0.05,
    "park": 0.24,
    "market": 0.14,
    "station": 0.03,
    "campus": 0.0,
    "industrial_park": 0.38,
}
_KINDS = tuple(_URBAN_MIX)


def apportion(
    total: int,
    weights: Sequence[float] | FloatArray,
    minimum: int = 0,
    maximum: Sequence[int] | npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.int64]:
    """Integers summing to ``total``, roughly proportional to ``weights``, each within bounds.

    Largest-remainder style, repeated so that items hitting their cap hand their share on.
    """
    w = np.asarray(weights, dtype=np.float64)
    n = len(w)
    cap = np.full(n, total, dtype=np.int64) if maximum is None else np.asarray(maximum, dtype=np.int64)
    alloc = np.full(n, minimum, dtype=np.int64)
    if alloc.sum() > total or cap.sum() < total or (alloc > cap).any():
        raise ValueError(f"cannot split {total} into {n} parts within bounds")
    remaining = total - int(alloc.sum())
    while remaining > 0:
        free = alloc < cap
        share_w = np.where(free, w, 0.0)
        if share_w.sum() <= 0:
            share_w = free.astype(np.float64)
        share = share_w / share_w.sum() * remaining
        add = np.minimum(np.floor(share).astype(np.int64), cap - alloc)
        if add.sum() == 0:
            order = np.argsort(-(share - np.floor(share)) - free * 2.0, kind="stable")
            for i in order[:remaining]:
                if alloc[i] < cap[i]:
                    alloc[i] += 1
                    remaining -= 1
            continue
        alloc += add
        remaining -= int(add.sum())
    return alloc


def generate(size: str, seed: int) -> CityPlan:
    """Build the synthetic city.  ``size`` is "demo" (栖霞区 only) or "city" (all of 南京市)."""
    if size not in _SIZES:
        raise ValueError(f"size must be 'demo' or 'city', not {size!r}")
    return _Builder(_SIZES[size], seed).build()


@dataclass(slots=True)
class _Piece:
    """A region under construction; ``geom`` is in frame km until the final snap."""

    parent: int
    geom: Polygonal
    density: float = 0.0
    code: str = ""
    name: str = ""
    village: bool = False
    kind: str = ""
    dedicated: str = ""


class _Builder:
    def __init__(self, size: _Size, seed: int) -> None:
        self.size = size
        streams = np.random.SeedSequence(seed).spawn(8)
        # One stream per stage, so changing how one stage draws leaves the others' output alone.
        (
            self.rng_outline,
            self.rng_streets,
            self.rng_communities,
            self.rng_grids,
            self.rng_names,
            self.rng_kinds,
            self.rng_homes,
            self.rng_points,
        ) = (np.random.default_rng(s) for s in streams)
        if len(size.districts) == 1:
            d = _district(size.districts[0])
            self.frame = Frame(d.lon, d.lat)
        else:
            self.frame = Frame(118.85, 31.92)
        self.density: DensityFn = density_fn(self.frame)

    # -- geometry, top-down in km ---------------------------------------------------------------

    def build(self) -> CityPlan:
        districts = self._districts()
        streets = self._streets(districts)
        communities = self._communities(districts, streets)
        grids = self._grids(communities)
        self._snap(districts, streets, communities, grids)
        self._codes(streets, communities, grids)
        self._grid_kinds(districts, streets, communities, grids)
        regions = self._regions(districts, streets, communities, grids)
        compounds, buildings = self._homes(communities, grids)
        return CityPlan(regions=regions, compounds=compounds, buildings=buildings)

    def _districts(self) -> list[_Piece]:
        codes = self.size.districts
        if len(codes) == 1:
            d = _district(codes[0])
            ((cx, cy),) = self.frame.to_km(np.array([[d.lon, d.lat]]))
            shape = blob(self.rng_outline, d.area_km2, aspect=d.width_km / d.height_km, roughness=0.2)
            return [_Piece(parent=0, geom=translate(shape, cx, cy), code=d.code, name=d.name)]
        outline = city_outline(self.rng_outline, self.frame)
        ds = [_district(c) for c in codes]
        sites = self.frame.to_km(np.array([[d.lon, d.lat] for d in ds]))
        pieces = power_split(outline, sites, [d.area_km2 for d in ds])
        return [_Piece(parent=0, geom=g, code=d.code, name=d.name) for g, d in zip(pieces, ds, strict=True)]

    def _streets(self, districts: list[_Piece]) -> list[_Piece]:
        out: list[_Piece] = []
        for di, district in enumerate(districts):
            real = facts.STREETS[district.code]
            if district.code == facts.DEMO_DISTRICT:
                geoms = self._sketched_streets(district.geom, real)
            else:
                pts = sample_inside(district.geom, 40 * len(real), self.rng_streets, self._weight(_STREET_GAMMA))
                sites = kmeans_sites(pts, len(real), self.rng_streets)
                cells = voronoi_split(district.geom, sites)
                # Real codes run roughly from the urban core outwards (towns, 1xx, come last),
                # so the densest cell takes the first code.
                dens = [self._mean_density(g) for g in cells]
                geoms = [cells[i] for i in np.argsort(-np.asarray(dens), kind="stable")]
            for (code, name), g in zip(real, geoms, strict=True):
                out.append(_Piece(parent=di, geom=g, code=code, name=name, density=self._mean_density(g)))
        return out

    def _sketched_streets(self, outline: Polygonal, real: Sequence[tuple[str, str]]) -> list[Polygonal]:
        sketch = {s.code: s for s in facts.QIXIA_SKETCH}
        minx, miny, maxx, maxy = outline.bounds
        uv = np.array([[sketch[c].u, sketch[c].v] for c, _ in real])
        sites = np.column_stack((minx + uv[:, 0] * (maxx - minx), miny + uv[:, 1] * (maxy - miny)))
        sites += self.rng_streets.normal(0.0, 0.6, size=sites.shape)
        sites = place_inside(outline, sites, margin=1.5)
        return power_split(outline, sites, [sketch[c].area_share for c, _ in real])

    def _communities(self, districts: list[_Piece], streets: list[_Piece]) -> list[_Piece]:
        out: list[_Piece] = []
        for di, district in enumerate(districts):
            mine = [i for i, s in enumerate(streets) if s.parent == di]
            total = self.size.communities[district.code]
            sketch = {s.code: s.communities for s in facts.QIXIA_SKETCH}
            if district.code == facts.DEMO_DISTRICT and sum(sketch.values()) == total:
                counts = np.array([sketch[streets[i].code] for i in mine], dtype=np.int64)
            else:
                weights = [streets[i].geom.area * streets[i].density for i in mine]
                counts = apportion(total, weights, minimum=3)
            for si, k in zip(mine, counts, strict=True):
                street = streets[si]
                pts = sample_inside(street.geom, 30 * int(k), self.rng_communities, self._weight(_COMMUNITY_GAMMA))
                sites = kmeans_sites(pts, int(k), self.rng_communities)
                for g in voronoi_split(street.geom, sites):
                    rep = np.array(g.representative_point().coords)
                    dens = float(self.density(rep)[0])
                    village = district.code not in facts.URBAN_DISTRICTS and dens < _VILLAGE_DENSITY
                    out.append(_Piece(parent=si, geom=g, density=dens, village=village))
        return out

    def _grids(self, communities: list[_Piece]) -> list[_Piece]:
        # Grids follow population (area × density), square-rooted because a big village still
        # needs only a handful of grid workers and a dense old-city community not dozens.
        weights = [math.sqrt(c.geom.area * c.density) for c in communities]
        counts = apportion(self.size.grids, weights, minimum=3)
        out: list[_Piece] = []
        for ci, (community, k) in enumerate(zip(communities, counts, strict=True)):
            pts = sample_inside(community.geom, 25 * int(k), self.rng_grids, self.density)
            sites = kmeans_sites(pts, int(k), self.rng_grids)
            for g in voronoi_split(community.geom, sites):
                out.append(_Piece(parent=ci, geom=g, density=community.density, village=community.village))
        return out

    def _weight(self, gamma: float) -> DensityFn:
        density = self.density

        def weight(xy: FloatArray) -> FloatArray:
            out: FloatArray = density(xy) ** gamma
            return out

        return weight

    def _mean_density(self, geom: Polygonal) -> float:
        pts = sample_inside(geom, 48, np.random.default_rng(0))
        return float(self.density(pts).mean())

    def _snap(
        self, districts: list[_Piece], streets: list[_Piece], communities: list[_Piece], grids: list[_Piece]
    ) -> None:
        """Convert to lon/lat, snap the grids to the output precision, rebuild parents as unions."""
        km: GeomArray = np.array([g.geom for g in grids], dtype=object)
        snapped = snap_tiling(self.frame.geoms_to_lonlat(km))
        for g, geom in zip(grids, snapped, strict=True):
            g.geom = geom
        # Parents are rebuilt from their children rather than converted themselves, so that every
        # level is exactly the union of the level below it.
        for parents, children in ((communities, grids), (streets, communities), (districts, streets)):
            groups = _group(children, len(parents))
            for i, p in enumerate(parents):
                p.geom = union_tiles(np.array([children[j].geom for j in groups[i]], dtype=object))

    # -- codes and names --------------------------------------------------------------------------

    def _codes(self, streets: list[_Piece], communities: list[_Piece], grids: list[_Piece]) -> None:
        rng = self.rng_names
        for si, members in enumerate(_group(communities, len(streets))):
            street = streets[si]
            urban = [i for i in members if not communities[i].village]
            rural = [i for i in members if communities[i].village]
            for group, first in ((urban, 1), (rural, 201)):
                if not group:
                    continue
                order = _read(np.array([communities[i].geom for i in group], dtype=object), street.geom)
                for seq, k in enumerate(order):
                    communities[group[k]].code = f"{street.code}{first + seq:03d}"
            used: set[str] = set()
            # The street's own name goes to its densest community, as 尧化门社区 sits in 尧化街道.
            by_code = sorted(members, key=lambda i: communities[i].code)
            namesake = max(urban or rural, key=lambda i: communities[i].density)
            stem = names.street_stem(street.name)
            communities[namesake].name = names.community_name(rng, used, communities[namesake].village, stem)
            for i in by_code:
                if i != namesake:
                    communities[i].name = names.community_name(rng, used, communities[i].village)

        for ci, members in enumerate(_group(grids, len(communities))):
            community = communities[ci]
            order = _read(np.array([grids[i].geom for i in members], dtype=object), community.geom)
            for seq, k in enumerate(order):
                grids[members[k]].code = f"{community.code}{seq + 1:03d}"

    def _regions(
        self, districts: list[_Piece], streets: list[_Piece], communities: list[_Piece], grids: list[_Piece]
    ) -> list[RegionPlan]:
        city_geom = union_tiles(np.array([d.geom for d in districts], dtype=object))
        regions = [RegionPlan(facts.CITY_CODE, facts.CITY_NAME, "city", None, city_geom)]
        for d in sorted(districts, key=lambda p: p.code):
            regions.append(RegionPlan(d.code, d.name, "district", facts.CITY_CODE, d.geom))
        for s in sorted(streets, key=lambda p: p.code):
            regions.append(RegionPlan(s.code, s.name, "street", districts[s.parent].code, s.geom))
        for c in sorted(communities, key=lambda p: p.code):
            regions.append(RegionPlan(c.code, c.name, "community", streets[c.parent].code, c.geom))
        for g in sorted(grids, key=lambda p: p.code):
            regions.append(RegionPlan(g.code, g.name, "grid", communities[g.parent].code, g.geom, g.kind, g.dedicated))
        return regions

    def _grid_kinds(
        self, districts: list[_Piece], streets: list[_Piece], communities: list[_Piece], grids: list[_Piece]
    ) -> None:
        """Pick the dedicated grids, their facility type and name; number the rest 第N网格."""
        rng = self.rng_kinds
        members = _group(grids, len(communities))
        sizes = np.array([len(m) for m in members])
        # Gamma noise so that some communities have no dedicated grid and some have a few, but no
        # more than 40 % of a community is ever fenced off for facilities.
        weights = sizes * rng.gamma(3.0, 1.0 / 3.0, size=len(sizes))
        cap = np.minimum(sizes - 2, np.ceil(0.4 * sizes)).astype(np.int64)
        per = apportion(self.size.dedicated, weights, minimum=0, maximum=np.maximum(cap, 0))
        used_by_district: dict[int, set[str]] = {}
        for ci in sorted(range(len(communities)), key=lambda i: communities[i].code):
            community = communities[ci]
            street = streets[community.parent]
            district = districts[street.parent]
            ordered = sorted(members[ci], key=lambda i: grids[i].code)
            picked = set(rng.choice(len(ordered), size=int(per[ci]), replace=False).tolist())
            used = used_by_district.setdefault(street.parent, set())
            stems = (names.strip_suffix(community.name, ("社区", "村")), names.street_stem(street.name))
            n = 0
            for pos, gi in enumerate(ordered):
                if pos in picked:
                    kind = self._facility_kind(community, street)
                    grids[gi].name = names.facility_name(
                        self.rng_names, kind, stems, names.district_stem(district.name), used
                    )
                    grids[gi].kind, grids[gi].dedicated = "dedicated", kind
                else:
                    n += 1
                    grids[gi].kind = "comprehensive"
                    grids[gi].name = names.grid_name(community.name, n)

    def _facility_kind(self, community: _Piece, street: _Piece) -> str:
        mix = dict(_VILLAGE_MIX if community.village else _URBAN_MIX)
        flavour = facts.STREET_FLAVOUR.get(street.code)
        if flavour is not None:
            mix[flavour] = mix[flavour] * 4.0 + 0.05
        p = np.array([mix[k] for k in _KINDS])
        return _KINDS[int(self.rng_kinds.choice(len(_KINDS), p=p / p.sum()))]

    # -- compounds and buildings ------------------------------------------------------------------

    def _homes(self, communities: list[_Piece], grids: list[_Piece]) -> tuple[list[CompoundPlan], list[BuildingPlan]]:
        rng = self.rng_homes
        members = _group(grids, len(communities))
        comprehensive = {i for i, g in enumerate(grids) if g.kind == "comprehensive"}
        # A site is one comprehensive grid that gets housing: a compound or a village cluster.
        sites: list[int] = []
        if self.size.target_rooms is None:
            sites = sorted(comprehensive, key=lambda i: grids[i].code)
        else:
            for ci in sorted(range(len(communities)), key=lambda i: communities[i].code):
                options = sorted((i for i in members[ci] if i in comprehensive), key=lambda i: grids[i].code)
                # One estate (or village cluster) per community: each community page has homes,
                # and the rooms budget still leaves a few buildings per estate.
                sites.append(options[int(rng.integers(len(options)))])
        styles = [self._style(grids[i]) for i in sites]
        specs = self._building_specs(styles)
        counts = np.bincount([s for s, _ in specs], minlength=len(sites)).astype(np.int64)

        polys: GeomArray = np.array([grids[i].geom for i in sites], dtype=object)
        centres_list = scatter(
            polys, np.ones(len(sites), dtype=np.int64), self.rng_points, self.frame, margin_km=0.03, spacing_km=0.0
        )
        centres = np.array([c[0] for c in centres_list])
        area_km2 = shapely.area(polys) * self.frame.kx * self.frame.ky
        spread = np.clip(0.25 * np.sqrt(area_km2), 0.04, 0.2)
        points = scatter(polys, counts, self.rng_points, self.frame, centres=centres, spread_km=spread)

        by_site: list[list[tuple[int, int, int]]] = [[] for _ in sites]
        for s, dims in specs:
            by_site[s].append(dims)

        compounds: list[CompoundPlan] = []
        buildings: list[BuildingPlan] = []
        used_compound: dict[int, set[str]] = {}
        house_no: dict[int, int] = {}
        for s, gi in enumerate(sites):
            grid = grids[gi]
            community = communities[grid.parent]
            pts = points[s]
            order = reading_order(pts, _bounds(pts))
            compound: str | None = None
            if styles[s] != "village":
                used = used_compound.setdefault(community.parent, set())
                stem = names.strip_suffix(community.name, ("社区", "村"))
                compound = names.compound_name(self.rng_names, stem, used, old=styles[s] == "old")
                lon, lat = (float(v) for v in centres[s])
                compounds.append(CompoundPlan(community.code, compound, lon, lat))
            for seq, k in enumerate(order, start=1):
                floors, units, rpf = by_site[s][seq - 1]
                if compound is None:
                    house_no[grid.parent] = house_no.get(grid.parent, 0) + 1
                    label = f"{house_no[grid.parent]}号"
                else:
                    label = f"{seq}栋"
                lon, lat = (float(v) for v in pts[k])
                buildings.append(
                    BuildingPlan(
                        code=f"{grid.code}{seq:04d}",
                        compound_name=compound,
                        community_code=community.code,
                        grid_code=grid.code,
                        name=label,
                        lon=lon,
                        lat=lat,
                        floors=floors,
                        units=units,
                        rooms_per_floor=rpf,
                    )
                )
        compounds.sort(key=lambda c: (c.community_code, c.name))
        buildings.sort(key=lambda b: b.code)
        return compounds, buildings

    def _style(self, grid: _Piece) -> str:
        if grid.village:
            return "village"
        # Old walk-up 新村 dominate the old city; new towns are mostly high-rise estates.
        p_old = 0.45 if grid.density > 0.45 else 0.25
        r = self.rng_homes.random()
        if r < p_old:
            return "old"
        return "mid" if r < p_old + 0.35 else "high"

    def _building_specs(self, styles: list[str]) -> list[tuple[int, tuple[int, int, int]]]:
        """(site index, (floors, units, rooms per floor)) for every building to put up."""
        rng = self.rng_homes
        specs: list[tuple[int, tuple[int, int, int]]] = []
        if self.size.target_rooms is None:
            lo, hi = self.size.buildings_per_grid
            for s, style in enumerate(styles):
                for _ in range(int(rng.integers(lo, hi + 1))):
                    specs.append((s, _dims(rng, style)))
            return specs
        rooms = 0
        turn = 0
        # Round-robin so that every site gets buildings before any gets many; small buildings come
        # several to a turn so a village or a 新村 is not just one or two blocks.
        while rooms < self.size.target_rooms:
            site = turn % len(styles)
            for _ in range(_PER_TURN[styles[site]]):
                dims = _dims(rng, styles[site])
                specs.append((site, dims))
                rooms += dims[0] * dims[1] * dims[2]
            turn += 1
        return specs


_PER_TURN = {"village": 3, "old": 2, "mid": 1, "high": 1}


def _dims(rng: np.random.Generator, style: str) -> tuple[int, int, int]:
    if style == "village":
        return int(rng.integers(4, 6)), int(rng.integers(1, 3)), 2
    if style == "old":
        return int(rng.choice((5, 6, 6, 6, 7))), int(rng.integers(2, 5)), 2
    if style == "mid":
        return int(rng.integers(11, 19)), int(rng.integers(1, 4)), int(rng.integers(2, 5))
    return int(rng.integers(24, 34)), int(rng.integers(1, 3)), int(rng.integers(2, 5))


def _district(code: str) -> facts.District:
    return next(d for d in facts.DISTRICTS if d.code == code)


def _group(children: Sequence[_Piece], n_parents: int) -> list[list[int]]:
    groups: list[list[int]] = [[] for _ in range(n_parents)]
    for i, c in enumerate(children):
        groups[c.parent].append(i)
    return groups


def _bounds_tuple(geom: Polygonal) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = geom.bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def _bounds(pts: FloatArray) -> tuple[float, float, float, float]:
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def _read(geoms: GeomArray, parent: Polygonal) -> list[int]:
    """Reading order (north→south, west→east) of pieces by their representative points."""
    reps = shapely.get_coordinates(shapely.point_on_surface(geoms))
    return [int(i) for i in reading_order(reps, _bounds_tuple(parent))]


__all__ = ["LEVELS", "BuildingPlan", "CityPlan", "CompoundPlan", "RegionPlan", "apportion", "generate"]
