"""GridIndex must agree exactly with "every polygon that intersects the point, lowest code wins"."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, Polygon, box

from gongzhi.regions.spatial_index import GridIndex, Polygonal


def brute_force(codes: list[str], geoms: list[Polygonal], xs: np.ndarray, ys: np.ndarray) -> list[str | None]:
    """The definition, with no index at all: test every polygon, keep the lowest covering code."""
    best: list[str | None] = [None] * len(xs)
    for code, geom in sorted(zip(codes, geoms, strict=True), reverse=True):
        for i in np.flatnonzero(shapely.intersects_xy(geom, xs, ys)):
            best[i] = code  # later (lower) codes overwrite higher ones
    return best


def assert_exact(index: GridIndex, codes: list[str], geoms: list[Polygonal], xs: np.ndarray, ys: np.ndarray) -> None:
    expected = brute_force(codes, geoms, xs, ys)
    batch = index.codes_for(index.locate_many(xs, ys))
    single = [index.locate(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]
    bad = [i for i, (e, b, s) in enumerate(zip(expected, batch, single, strict=True)) if not e == b == s]
    assert not bad, [(xs[i], ys[i], expected[i], batch[i], single[i]) for i in bad[:5]]


def random_tiling(n: int, seed: int) -> tuple[list[str], list[Polygonal]]:
    rng = np.random.default_rng(seed)
    seeds = rng.uniform(0, 1, (n, 2))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box(0, 0, 1, 1)))
    geoms = list(shapely.intersection(cells, box(0, 0, 1, 1)))
    codes = [f"G{k:05d}" for k in rng.permutation(n)]
    return codes, geoms


def vertices(geoms: list[Polygonal]) -> tuple[np.ndarray, np.ndarray]:
    xy = shapely.get_coordinates(geoms)
    return xy[:, 0].copy(), xy[:, 1].copy()


# ------------------------------------------------------------------ hand-made cases


def test_inside_outside_and_shared_edge_goes_to_lower_code() -> None:
    index = GridIndex.build(["B", "A"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    assert index.codes == ("A", "B")
    assert index.locate(0.5, 0.5) == "B"
    assert index.locate(1.5, 0.5) == "A"
    assert index.locate(1.0, 0.5) == "A"  # on the shared edge
    assert index.locate(1.0, 1.0) == "A"  # shared corner
    assert index.locate(0.0, 0.5) == "B"  # outer boundary counts as covered
    assert index.locate(3.0, 3.0) is None
    assert index.locate(-1e-9, 0.5) is None
    assert index.locate(2.0 + 1e-12, 0.5) is None


def test_vertex_shared_by_many_polygons() -> None:
    quads = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)]
    index = GridIndex.build(["D", "C", "B", "E"], quads)
    assert index.locate(1.0, 1.0) == "B"
    # Three triangles around the origin, the origin a vertex of each.
    fan = [Polygon([(0, 0), (1, 0), (0, 1)]), Polygon([(0, 0), (0, 1), (-1, -1)]), Polygon([(0, 0), (-1, -1), (1, 0)])]
    index = GridIndex.build(["t3", "t1", "t2"], fan)
    assert index.locate(0.0, 0.0) == "t1"
    assert index.locate(0.2, 0.2) == "t3"
    assert index.locate(-0.5, 0.0) == "t1"


def test_hole_filled_by_another_grid_and_empty_hole() -> None:
    ring = box(0, 0, 10, 10).difference(box(4, 4, 6, 6))
    index = GridIndex.build(["Z", "A"], [ring, box(4, 4, 6, 6)])
    assert index.locate(5, 5) == "A"
    assert index.locate(1, 1) == "Z"
    assert index.locate(4, 5) == "A"  # the hole's edge is shared, lower code wins
    index = GridIndex.build(["Z"], [ring])
    assert index.locate(5, 5) is None
    assert index.locate(4, 5) == "Z"
    assert index.locate(6 + 1e-9, 5) == "Z"


def test_multipolygon_parts_and_exclave() -> None:
    exclave = MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])
    host = box(4, 4, 7, 7).difference(box(5, 5, 6, 6))
    index = GridIndex.build(["M", "H"], [exclave, host])
    assert index.locate(0.5, 0.5) == "M"
    assert index.locate(5.5, 5.5) == "M"
    assert index.locate(4.5, 4.5) == "H"
    assert index.locate(5.0, 5.5) == "H"  # the exclave's edge is shared with its host
    assert index.locate(2.5, 2.5) is None


def test_overlapping_and_nested_polygons_lowest_code_wins() -> None:
    big, small = box(0, 0, 10, 10), box(2, 2, 3, 3)
    index = GridIndex.build(["A", "B"], [big, small])
    assert index.locate(2.5, 2.5) == "A"
    index = GridIndex.build(["B", "A"], [big, small])
    assert index.locate(2.5, 2.5) == "A"
    assert index.locate(5, 5) == "B"
    assert index.stats["valid_coverage"] == 0.0


def test_input_order_does_not_matter() -> None:
    codes, geoms = random_tiling(60, seed=3)
    rng = np.random.default_rng(0)
    xs, ys = rng.uniform(-0.1, 1.1, 2000), rng.uniform(-0.1, 1.1, 2000)
    perm = rng.permutation(len(codes))
    a = GridIndex.build(codes, geoms)
    b = GridIndex.build([codes[i] for i in perm], [geoms[i] for i in perm])
    assert a.codes == b.codes == tuple(sorted(codes))
    assert np.array_equal(a.locate_many(xs, ys), b.locate_many(xs, ys))


# ---------------------------------------------------------------- randomised exactness


def test_random_tiling_matches_brute_force_including_vertices() -> None:
    codes, geoms = random_tiling(400, seed=7)
    index = GridIndex.build(codes, geoms)
    rng = np.random.default_rng(11)
    vx, vy = vertices(geoms)  # every vertex lies on 1-3 polygon boundaries
    xs = np.concatenate([rng.uniform(-0.05, 1.05, 4000), vx])
    ys = np.concatenate([rng.uniform(-0.05, 1.05, 4000), vy])
    assert_exact(index, codes, geoms, xs, ys)


def test_points_on_lattice_lines_and_axis_aligned_edges() -> None:
    # Unit squares put every edge on an integer, right where lattice lines fall too.
    codes = [f"S{x}{y}" for x in range(6) for y in range(6)]
    geoms: list[Polygonal] = [box(x, y, x + 1, y + 1) for x in range(6) for y in range(6)]
    index = GridIndex.build(codes, geoms)
    rng = np.random.default_rng(2)
    on_x = np.repeat(np.arange(7.0), 50)
    along = rng.uniform(-0.5, 6.5, on_x.size)
    steps = np.arange(0.0, 6.0, 0.05)  # near multiples of the cell size (0.05 here)
    grid_x, grid_y = np.meshgrid(steps, steps)
    xs = np.concatenate([on_x, along, grid_x.ravel(), np.nextafter(on_x, 99)])
    ys = np.concatenate([along, on_x, grid_y.ravel(), along])
    assert_exact(index, codes, geoms, xs, ys)


def test_long_edges_are_subdivided() -> None:
    sliver = Polygon([(0, 0), (100, 1), (100, 1.001)])  # edges crossing thousands of cells
    codes = ["sliver", *(f"b{i:03d}" for i in range(100))]
    geoms: list[Polygonal] = [sliver, *(box(i, 2, i + 1, 3) for i in range(100))]
    index = GridIndex.build(codes, geoms)
    t = np.random.default_rng(4).uniform(0, 100, 3000)
    offsets = np.array([-1e-9, 0.0, 1e-9, 5e-4])
    xs = np.repeat(t, offsets.size)
    ys = (np.repeat(t / 100, offsets.size) + np.tile(offsets, t.size)).astype(float)
    assert_exact(index, codes, geoms, xs, ys)


def test_overlapping_circles_match_brute_force() -> None:
    rng = np.random.default_rng(5)
    centres = rng.uniform(0, 1, (150, 2))
    geoms: list[Polygonal] = [
        Point(x, y).buffer(r, 8) for (x, y), r in zip(centres, rng.uniform(0.01, 0.2, 150), strict=True)
    ]
    codes = [f"C{k:03d}" for k in rng.permutation(150)]
    index = GridIndex.build(codes, geoms)
    vx, vy = vertices(geoms)
    xs = np.concatenate([rng.uniform(-0.2, 1.2, 5000), vx])
    ys = np.concatenate([rng.uniform(-0.2, 1.2, 5000), vy])
    assert_exact(index, codes, geoms, xs, ys)


def test_jittered_tiling_with_slivers_and_gaps() -> None:
    codes, geoms = random_tiling(300, seed=9)
    rng = np.random.default_rng(9)
    jittered: list[Polygonal] = [
        affinity.scale(g, f, f) for g, f in zip(geoms, rng.uniform(0.98, 1.02, 300), strict=True)
    ]
    index = GridIndex.build(codes, jittered)
    vx, vy = vertices(jittered)
    xs = np.concatenate([rng.uniform(0, 1, 4000), vx])
    ys = np.concatenate([rng.uniform(0, 1, 4000), vy])
    assert_exact(index, codes, jittered, xs, ys)


def test_coarse_lattice_is_still_exact() -> None:
    codes, geoms = random_tiling(200, seed=12)
    index = GridIndex.build(codes, geoms, max_cells=500)
    rng = np.random.default_rng(1)
    xs, ys = rng.uniform(0, 1, 3000), rng.uniform(0, 1, 3000)
    assert_exact(index, codes, geoms, xs, ys)
    assert index.stats["cells"] <= 500


def test_batch_equals_single_and_keeps_shape() -> None:
    codes, geoms = random_tiling(150, seed=21)
    index = GridIndex.build(codes, geoms)
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(-0.2, 1.2, (40, 50)), rng.uniform(-0.2, 1.2, (40, 50))
    batch = index.locate_many(xs, ys)
    assert batch.shape == (40, 50) and batch.dtype == np.int32
    single = [index.locate(x, y) for x, y in zip(xs.ravel().tolist(), ys.ravel().tolist(), strict=True)]
    assert index.codes_for(batch) == single
    # numpy float32 scalars must be widened exactly as the batch path widens float32 arrays.
    x32, y32 = np.array([0.3], dtype=np.float32), np.array([0.7], dtype=np.float32)
    assert index.locate(x32[0], y32[0]) == index.codes_for(index.locate_many(x32, y32))[0]


def test_matches_geopandas_sjoin_lowest_code() -> None:
    gpd = pytest.importorskip("geopandas")
    codes, geoms = random_tiling(300, seed=31)
    index = GridIndex.build(codes, geoms)
    rng = np.random.default_rng(8)
    vx, vy = vertices(geoms)
    xs = np.concatenate([rng.uniform(-0.05, 1.05, 5000), vx])
    ys = np.concatenate([rng.uniform(-0.05, 1.05, 5000), vy])
    grids = gpd.GeoDataFrame({"code": codes}, geometry=geoms)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys))
    joined = gpd.sjoin(points, grids, how="inner", predicate="intersects")
    lowest = joined.groupby(level=0)["code"].min()
    expected = [lowest.get(i) for i in range(len(xs))]
    assert index.codes_for(index.locate_many(xs, ys)) == expected


# ------------------------------------------------------------------------ edge cases


def test_non_finite_points_and_empty_index() -> None:
    index = GridIndex.build(["A"], [box(0, 0, 1, 1)])
    for x, y in [(np.nan, 0.5), (0.5, np.inf), (-np.inf, 0.5)]:
        assert index.locate(x, y) is None
        assert index.locate_many([x], [y]).tolist() == [-1]
    empty = GridIndex.build([], [])
    assert len(empty) == 0
    assert empty.locate(0.5, 0.5) is None
    assert empty.locate_many(np.array([0.5]), np.array([0.5])).tolist() == [-1]


def test_empty_geometry_is_never_matched() -> None:
    index = GridIndex.build(["A", "B"], [Polygon(), box(0, 0, 1, 1)])
    assert index.locate(0.5, 0.5) == "B"
    assert len(index) == 2


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="unique"):
        GridIndex.build(["A", "A"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    with pytest.raises(ValueError, match="geometries"):
        GridIndex.build(["A"], [])
    with pytest.raises(TypeError, match="Polygon"):
        GridIndex.build(["A"], [Point(0, 0)])
    index = GridIndex.build(["A"], [box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="shape"):
        index.locate_many([0.5, 0.5], [0.5])
