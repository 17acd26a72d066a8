"""Point → grid lookup: our GridIndex against geopandas.sjoin, on the same points, same answers.

    python -m bench.grid_lookup --synthetic        # a generated Nanjing-sized tiling
    gongzhi bench grid-lookup                      # the seeded city from the database

Prints one JSON line: points, grids, ours_per_s, geopandas_per_s, ratio, mismatches,
p99_single_us, build_s.  `run` never touches the database; callers hand it (code, geometry) pairs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from gongzhi.regions.spatial_index import GridIndex, Polygonal

Region = tuple[str, Polygonal]
T = TypeVar("T")

DESCRIPTION = "Point → grid lookup: GridIndex against geopandas.sjoin."
SINGLE_CALLS = 20_000
NANJING_BBOX = (118.35, 31.2, 119.25, 32.6)  # lon/lat extent of 南京市, roughly


# ------------------------------------------------------------------------- benchmark


def run(regions: Sequence[Region], points: int = 1_000_000, seed: int = 1, repeats: int = 3) -> dict[str, Any]:
    """Benchmark lookups of `points` uniform random points in the regions' bounding box.

    Both contenders get the best of `repeats` runs on identical inputs: the machine is shared, and
    the minimum is the least noisy estimate of what each costs.

    `mismatches` counts every disagreement: batch answer vs geopandas (all points) plus single-point
    `locate` vs batch answer (the first SINGLE_CALLS points).  Anything but 0 is a bug.
    """
    codes = [code for code, _ in regions]
    geoms = [geom for _, geom in regions]
    index, build_s = _timed(lambda: GridIndex.build(codes, geoms))
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    xs, ys = rng.uniform(x0, x1, points), rng.uniform(y0, y1, points)

    ours, ours_s = _timed(lambda: index.locate_many(xs, ys), repeats)
    theirs, geopandas_s = _geopandas(index.codes, dict(regions), xs, ys, repeats)
    p99_us, single_mismatches = _single_calls(index, xs[:SINGLE_CALLS], ys[:SINGLE_CALLS], ours)

    ours_per_s, geopandas_per_s = points / ours_s, points / geopandas_s
    return {
        "points": points,
        "grids": len(index),
        "ours_per_s": round(ours_per_s),
        "geopandas_per_s": round(geopandas_per_s),
        "ratio": round(ours_per_s / geopandas_per_s, 2),
        "mismatches": int(np.count_nonzero(ours != theirs)) + single_mismatches,
        "p99_single_us": round(p99_us, 2),
        "build_s": round(build_s, 3),
    }


def _timed(fn: Callable[[], T], repeats: int = 1) -> tuple[T, float]:
    """The last result and the fastest of `repeats` runs."""
    best = float("inf")
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return result, best


def _geopandas(
    codes: Sequence[str],
    geoms_by_code: dict[str, Polygonal],
    xs: npt.NDArray[np.float64],
    ys: npt.NDArray[np.float64],
    repeats: int,
) -> tuple[npt.NDArray[np.int32], float]:
    """geopandas' answers as indices into `codes`, and the seconds its best run took."""
    import geopandas as gpd

    # Fairness: the grids frame and its spatial index are built outside the timer, as our index
    # build is.  The frame is in code order, so the lowest index_right per point is the lowest code
    # and the reduction can be the cheap integer one.  Inside the timer is everything a caller
    # holding two coordinate arrays must do: make the points frame, join, reduce.
    grids = gpd.GeoDataFrame({"code": list(codes)}, geometry=[geoms_by_code[c] for c in codes])
    _ = grids.sindex

    def lookup() -> Any:
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys))
        joined = gpd.sjoin(points, grids, how="inner", predicate="intersects")
        return joined["index_right"].groupby(level=0).min()

    lowest, seconds = _timed(lookup, repeats)
    answers = np.full(xs.size, -1, dtype=np.int32)
    answers[lowest.index.to_numpy()] = lowest.to_numpy()
    return answers, seconds


def _single_calls(
    index: GridIndex, xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64], batch: npt.NDArray[np.int32]
) -> tuple[float, int]:
    """p99 latency of one `locate` call in µs, and how often it disagreed with the batch answer."""
    locate, clock = index.locate, time.perf_counter_ns
    elapsed = np.empty(xs.size, dtype=np.int64)
    answers: list[str | None] = []
    for i, (x, y) in enumerate(zip(xs.tolist(), ys.tolist(), strict=True)):
        started = clock()
        code = locate(x, y)
        elapsed[i] = clock() - started
        answers.append(code)
    expected = index.codes_for(batch[: xs.size])
    mismatches = sum(a != b for a, b in zip(answers, expected, strict=True))
    return float(np.percentile(elapsed, 99)) / 1000.0, mismatches


# ------------------------------------------------------------------ synthetic city


def synthetic_regions(count: int = 12_246, seed: int = 1, islands: int = 40) -> list[Region]:
    """A Voronoi tiling of a Nanjing-sized, river-split, lake-pierced city into `count` grids.

    Like the real thing it has MultiPolygons (grids cut by the river, and exclaves), polygons
    with holes filled by other grids (enclaves and exclaves), gaps (the river and the lake), and
    edges shared exactly between neighbours.  Codes are shuffled so they say nothing about place.
    """
    rng = np.random.default_rng(seed)
    land = _land()
    seeds = _sample_inside(land, count - islands // 2, rng)
    cells = _voronoi_cells(seeds, land)
    cells = _carve_islands(cells, seeds, islands, rng)
    numbers = rng.permutation(len(cells))
    return [(f"3201{number:08d}", cell) for number, cell in zip(numbers.tolist(), cells, strict=True)]


def _land() -> Polygonal:
    """A lobed blob filling NANJING_BBOX, minus a lake and a river running SW to NE."""
    theta = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    radius = 1 + 0.18 * np.sin(3 * theta + 0.4) + 0.1 * np.cos(5 * theta + 1.0) + 0.05 * np.sin(11 * theta)
    x, y = radius * np.cos(theta), radius * np.sin(theta)
    lon0, lat0, lon1, lat1 = NANJING_BBOX
    lon = lon0 + (x - x.min()) / (x.max() - x.min()) * (lon1 - lon0)
    lat = lat0 + (y - y.min()) / (y.max() - y.min()) * (lat1 - lat0)
    blob = Polygon(np.column_stack([lon, lat]))
    lake = Point(blob.centroid.x, blob.centroid.y + 0.15).buffer(0.03)
    t = np.linspace(0.0, 1.0, 200)
    river = LineString(
        np.column_stack([lon0 + t * (lon1 - lon0), lat0 + 0.3 + t * 0.8 + 0.04 * np.sin(t * 9.0)])
    ).buffer(0.0025)
    return _polygonal(blob.difference(lake).difference(river))


def _sample_inside(area: Polygonal, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    shapely.prepare(area)
    lon0, lat0, lon1, lat1 = area.bounds
    batches, found = [], 0
    while found < n:
        x, y = rng.uniform(lon0, lon1, n), rng.uniform(lat0, lat1, n)
        keep = shapely.contains_xy(area, x, y)
        batches.append(np.column_stack([x[keep], y[keep]]))
        found += int(keep.sum())
    return np.concatenate(batches)[:n]


def _voronoi_cells(seeds: npt.NDArray[np.float64], land: Polygonal) -> list[Polygonal]:
    lon0, lat0, lon1, lat1 = land.bounds
    frame = shapely.box(lon0 - 1, lat0 - 1, lon1 + 1, lat1 + 1)
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True)
    clipped = shapely.intersection(np.asarray(shapely.get_parts(diagram)), land)
    return [_polygonal(cell) for cell in clipped]


def _polygonal(geom: Any) -> Polygonal:
    """Drop the stray points and lines an overlay can leave next to the areas."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [part for part in shapely.get_parts(geom) if isinstance(part, Polygon)]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _carve_islands(
    cells: list[Polygonal], seeds: npt.NDArray[np.float64], islands: int, rng: np.random.Generator
) -> list[Polygonal]:
    """Punch hexagonal holes in some grids; half become new grids, half exclaves of a neighbour."""
    cells = list(cells)
    tree = shapely.STRtree(cells)
    order = [int(i) for i in rng.permutation(len(cells)) if isinstance(cells[i], Polygon)]
    hosts, owners = order[:islands], set(order[islands:])
    for k, host in enumerate(hosts):
        shell = cells[host]
        assert isinstance(shell, Polygon)
        seed = Point(seeds[host])
        size = 0.4 * shell.boundary.distance(seed)
        angles = np.linspace(0.0, 2.0 * np.pi, 6, endpoint=False) + rng.uniform(0, 1)
        island = Polygon(np.column_stack([seed.x + size * np.cos(angles), seed.y + size * np.sin(angles)]))
        # The hole takes the island's own vertices, so host and island share their edges exactly.
        cells[host] = Polygon(shell.exterior.coords, [island.exterior.coords])
        if k % 2 == 0:
            cells.append(island)
            continue
        # An exclave of a neighbour, which must not be a host: hosts are carved as single Polygons.
        owner = next(int(j) for j in tree.query(shell, predicate="touches") if int(j) in owners)
        cells[owner] = MultiPolygon([*shapely.get_parts(cells[owner]), island])
    return cells


# ------------------------------------------------------------------------------ CLI


def city_regions(source: str, seed: int, log: Callable[[str], None]) -> list[Region]:
    """The `city` tree's grids: generated in memory (as `seed --size city` would) or read from the database."""
    if source == "db":
        from gongzhi.regions.geometry import from_geojson
        from gongzhi.regions.models import Level
        from gongzhi.regions.models import Region as RegionModel

        rows = RegionModel.objects.filter(level=Level.GRID).order_by("code").values_list("code", "geometry")
        found = [(code, from_geojson(geometry)) for code, geometry in rows]
        regions = [(code, geom) for code, geom in found if geom is not None]
        if not regions:
            raise SystemExit("no grids in the database; run `gongzhi seed --size city` or use --source plan")
        return regions
    from gongzhi.demo.plan import generate

    log(f"generating the city tree (seed {seed}) in memory…")
    plan = generate("city", seed)
    return [(r.code, r.geometry) for r in plan.regions if r.level == "grid"]


def run_from_cli(options: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """Entry point of `gongzhi bench grid-lookup`."""
    regions = city_regions(options["source"], options["seed"], log)
    log(f"{len(regions)} grids; timing {options['points']:,} points against geopandas…")
    return run(regions, points=options["points"], seed=options["seed"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.grid_lookup", description=DESCRIPTION)
    parser.add_argument("--synthetic", action="store_true", help="use a generated Nanjing-sized tiling")
    parser.add_argument("--grids", type=int, default=12_246, help="synthetic grid count")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many timed runs each")
    args = parser.parse_args(argv)
    if not args.synthetic:
        parser.error("without the database, only --synthetic is available (see `gongzhi bench grid-lookup`)")
    regions = synthetic_regions(args.grids, seed=args.seed)
    print(json.dumps(run(regions, points=args.points, seed=args.seed, repeats=args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
