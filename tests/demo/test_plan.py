"""The synthetic city generator: counts, codes, tiling, buildings, determinism.

Pure Python, no database: run with ``pytest tests/demo -p no:django``.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections import Counter, defaultdict

import numpy as np
import pytest
import shapely

from gongzhi.demo import facts, names
from gongzhi.demo.plan import CityPlan, RegionPlan, apportion, generate

CODE_LENGTH = {"city": 6, "district": 6, "street": 9, "community": 12, "grid": 15}
LEVELS = ("city", "district", "street", "community", "grid")


@pytest.fixture(scope="module")
def demo() -> CityPlan:
    return generate("demo", 1)


@pytest.fixture(scope="module")
def city() -> CityPlan:
    return generate("city", 1)


def children_of(plan: CityPlan) -> dict[str | None, list[RegionPlan]]:
    out: dict[str | None, list[RegionPlan]] = defaultdict(list)
    for r in plan.regions:
        out[r.parent_code].append(r)
    return out


# -- shared checks ---------------------------------------------------------------------------------


def check_tree(plan: CityPlan) -> None:
    regions = plan.regions
    codes = [r.code for r in regions]
    assert len(set(codes)) == len(codes)
    by_code = {r.code: r for r in regions}
    # Parents come before children and each level is sorted by code.
    assert [r.level for r in regions] == sorted((r.level for r in regions), key=LEVELS.index)
    for level in LEVELS:
        level_codes = [r.code for r in regions if r.level == level]
        assert level_codes == sorted(level_codes)
    seen: set[str] = set()
    for r in regions:
        assert len(r.code) == CODE_LENGTH[r.level], r
        assert r.code.isdigit()
        if r.level == "city":
            assert (r.code, r.name, r.parent_code) == ("320100", "南京市", None)
        else:
            assert r.parent_code in seen, r
            parent_plan = by_code[r.parent_code]
            assert LEVELS.index(parent_plan.level) == LEVELS.index(r.level) - 1
            prefix = parent_plan.code[:4] if parent_plan.level == "city" else parent_plan.code
            assert r.code.startswith(prefix), r
        seen.add(r.code)
        if r.level == "grid":
            assert r.grid_kind in ("comprehensive", "dedicated")
            assert (r.dedicated_type != "") == (r.grid_kind == "dedicated")
            assert r.name.endswith("专属网格" if r.grid_kind == "dedicated" else "网格")
        else:
            assert r.grid_kind == r.dedicated_type == ""
    for parent, kids in children_of(plan).items():
        names = [k.name for k in kids]
        assert len(set(names)) == len(names), parent


def check_real_names(plan: CityPlan) -> None:
    real_streets = {c: n for streets in facts.STREETS.values() for c, n in streets}
    real_districts = {d.code: d.name for d in facts.DISTRICTS}
    for r in plan.regions:
        if r.level == "district":
            assert real_districts[r.code] == r.name
        elif r.level == "street":
            assert real_streets[r.code] == r.name
        elif r.level == "community":
            seq = int(r.code[9:])
            # 001–199 are 居委会 (社区), 200–399 村委会.
            assert (1 <= seq <= 199 and r.name.endswith("社区")) or (200 <= seq <= 399 and r.name.endswith("村")), r


def check_geometry(plan: CityPlan) -> None:
    """Children tile their parent: union equals parent (relative 1e-9) and no two overlap."""
    for r in plan.regions:
        assert r.geometry.geom_type in ("Polygon", "MultiPolygon")
        assert r.geometry.is_valid, r.code
        assert r.geometry.area > 0
        coords = shapely.get_coordinates(r.geometry)
        assert np.array_equal(np.round(coords, 7), coords)
    by_code = {r.code: r for r in plan.regions}
    for parent_code, kids in children_of(plan).items():
        if parent_code is None:
            continue
        parent_area = by_code[parent_code].geometry.area
        union = shapely.union_all([k.geometry for k in kids])
        assert math.isclose(union.area, parent_area, rel_tol=1e-9), parent_code
        assert math.isclose(sum(k.geometry.area for k in kids), parent_area, rel_tol=1e-9), parent_code
        assert shapely.symmetric_difference(union, by_code[parent_code].geometry).area <= 1e-9 * parent_area
    # Every level tiles the city, so checking each level as a whole covers sibling overlaps too.
    for level in LEVELS[1:]:
        geoms = np.array([r.geometry for r in plan.regions if r.level == level], dtype=object)
        tree = shapely.STRtree(geoms)
        a, b = tree.query(geoms, predicate="intersects")
        pair = a < b
        overlap = shapely.area(shapely.intersection(geoms[a[pair]], geoms[b[pair]]))
        smaller = np.minimum(shapely.area(geoms[a[pair]]), shapely.area(geoms[b[pair]]))
        assert (overlap <= 1e-9 * smaller).all(), level


def check_reading_order(plan: CityPlan) -> None:
    """Grid sequence numbers run north→south in latitude bands, west→east within a band."""
    by_code = {r.code: r for r in plan.regions}
    for community_code, kids in children_of(plan).items():
        if not kids or kids[0].level != "grid":
            continue
        grids = sorted(kids, key=lambda g: g.code)
        assert [int(g.code[-3:]) for g in grids] == list(range(1, len(grids) + 1))
        assert community_code is not None
        minx, miny, maxx, maxy = by_code[community_code].geometry.bounds
        n = len(grids)
        width = (maxx - minx) * math.cos(math.radians((miny + maxy) / 2))
        rows = max(1, round(math.sqrt(n * (maxy - miny) / width)))
        band = (maxy - miny) / rows
        keys = []
        for g in grids:
            p = g.geometry.point_on_surface()
            keys.append((min(int((maxy - p.y) / band), rows - 1), p.x))
        assert keys == sorted(keys), community_code


def check_buildings(plan: CityPlan) -> None:
    grids = {r.code: r for r in plan.regions if r.level == "grid"}
    communities = {r.code for r in plan.regions if r.level == "community"}
    compounds = {(c.community_code, c.name) for c in plan.compounds}
    assert len(compounds) == len(plan.compounds)
    codes = [b.code for b in plan.buildings]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    labels = Counter((b.community_code, b.compound_name, b.name) for b in plan.buildings)
    assert max(labels.values()) == 1
    for b in plan.buildings:
        assert len(b.code) == 19 and b.code.startswith(b.grid_code)
        assert b.grid_code.startswith(b.community_code) and b.community_code in communities
        assert grids[b.grid_code].grid_kind == "comprehensive"
        assert b.compound_name is None or (b.community_code, b.compound_name) in compounds
        assert 4 <= b.floors <= 33 and 1 <= b.units <= 4 and 2 <= b.rooms_per_floor <= 4
        assert (round(b.lon, 7), round(b.lat, 7)) == (b.lon, b.lat)
        assert b.name.endswith("号" if b.compound_name is None else "栋")
    # The building's grid is the one grid whose polygon contains it, a few metres in.
    geoms = np.array([grids[b.grid_code].geometry for b in plan.buildings], dtype=object)
    points = shapely.points([(b.lon, b.lat) for b in plan.buildings])
    assert shapely.contains(geoms, points).all()
    metres_per_degree = 111_320 * math.cos(math.radians(32.5))
    assert (shapely.distance(shapely.boundary(geoms), points) * metres_per_degree >= 3.0).all()
    all_grids = list(grids.values())
    tree = shapely.STRtree([g.geometry for g in all_grids])
    hit_point, hit_grid = tree.query(points, predicate="within")
    assert np.array_equal(hit_point, np.arange(len(points)))
    assert [all_grids[i].code for i in hit_grid] == [b.grid_code for b in plan.buildings]
    for c in plan.compounds:
        assert (round(c.lon, 7), round(c.lat, 7)) == (c.lon, c.lat)


def level_counts(plan: CityPlan) -> Counter[str]:
    return Counter(r.level for r in plan.regions)


# -- demo ------------------------------------------------------------------------------------------


def test_demo_counts(demo: CityPlan) -> None:
    assert level_counts(demo) == {"city": 1, "district": 1, "street": 9, "community": 127, "grid": 1063}
    (district,) = demo.at_level("district")
    assert (district.code, district.name) == ("320113", "栖霞区")
    kinds = Counter(r.grid_kind for r in demo.at_level("grid"))
    assert kinds == {"comprehensive": 886, "dedicated": 177}
    assert [s.code for s in demo.at_level("street")] == [c for c, _ in facts.STREETS["320113"]]
    per_community = Counter(g.parent_code for g in demo.at_level("grid"))
    assert min(per_community.values()) >= 3
    # Both kinds of community exist: 社区 in town, 村 in the countryside.
    suffixes = Counter(c.name[-1] for c in demo.at_level("community"))
    assert suffixes["区"] > 60 and suffixes["村"] > 5


def test_demo_tree(demo: CityPlan) -> None:
    check_tree(demo)
    check_real_names(demo)


def test_demo_geometry(demo: CityPlan) -> None:
    check_geometry(demo)
    city, district = demo.regions[0], demo.regions[1]
    assert city.geometry.equals(district.geometry)
    centroid = district.geometry.centroid
    assert abs(centroid.x - 118.9586) < 0.01 and abs(centroid.y - 32.1592) < 0.01
    km2 = district.geometry.area * 111.32 * math.cos(math.radians(32.16)) * 110.574
    assert 380 < km2 < 405


def test_demo_reading_order(demo: CityPlan) -> None:
    check_reading_order(demo)


def test_demo_homes(demo: CityPlan) -> None:
    check_buildings(demo)
    assert 18_000 <= demo.room_count <= 21_000
    assert any(b.compound_name is None for b in demo.buildings)
    assert any(b.floors == 6 for b in demo.buildings) and any(b.floors >= 24 for b in demo.buildings)
    # Every community has somewhere to live.
    assert {b.community_code for b in demo.buildings} == {c.code for c in demo.at_level("community")}


def test_demo_is_deterministic(demo: CityPlan) -> None:
    again = generate("demo", 1)
    assert [(r.code, r.name, r.grid_kind, r.dedicated_type) for r in again.regions] == [
        (r.code, r.name, r.grid_kind, r.dedicated_type) for r in demo.regions
    ]
    assert [r.geometry.wkb for r in again.regions] == [r.geometry.wkb for r in demo.regions]
    assert again.compounds == demo.compounds
    assert again.buildings == demo.buildings


def test_other_seed_differs(demo: CityPlan) -> None:
    other = generate("demo", 2)
    assert level_counts(other) == level_counts(demo)
    assert [r.geometry.wkb for r in other.regions] != [r.geometry.wkb for r in demo.regions]
    assert other.buildings != demo.buildings
    check_tree(other)


def test_pure_python() -> None:
    code = "import sys, gongzhi.demo.plan; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_size() -> None:
    with pytest.raises(ValueError):
        generate("town", 1)


def test_apportion() -> None:
    assert apportion(10, [1, 1, 1], minimum=3).tolist() == [4, 3, 3]
    got = apportion(100, [5, 1, 0, 3], minimum=2, maximum=[40, 50, 50, 50])
    assert got.sum() == 100 and got[0] == 40 and got[2] == 2
    with pytest.raises(ValueError):
        apportion(5, [1, 1], minimum=3)


def test_numerals_and_stems() -> None:
    assert [names.numeral(n) for n in (1, 10, 12, 20, 23, 99)] == ["一", "十", "十二", "二十", "二十三", "九十九"]
    assert names.grid_name("仙林湖社区", 11) == "仙林湖第十一网格"
    assert names.grid_name("龙潭村", 2) == "龙潭村第二网格"
    assert names.street_stem("迈皋桥街道") == "迈皋桥" and names.street_stem("竹镇镇") == "竹镇"


def test_facts() -> None:
    assert sum(len(v) for v in facts.STREETS.values()) == 101
    assert [c for c, _ in facts.STREETS["320113"]] == [f"320113{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10)]
    assert all(code[6] != "4" for streets in facts.STREETS.values() for code, _ in streets)
    assert sum(facts.DISTRICT_COMMUNITIES.values()) == 1232
    assert sum(s.communities for s in facts.QIXIA_SKETCH) == 127


# -- city ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_city_counts(city: CityPlan) -> None:
    assert level_counts(city) == {"city": 1, "district": 11, "street": 101, "community": 1232, "grid": 12246}
    kinds = Counter(r.grid_kind for r in city.at_level("grid"))
    assert kinds == {"comprehensive": 10251, "dedicated": 1995}
    assert [d.code for d in city.at_level("district")] == [d.code for d in facts.DISTRICTS]
    per_district = Counter(c.code[:6] for c in city.at_level("community"))
    assert per_district == facts.DISTRICT_COMMUNITIES
    per_grid = Counter(b.grid_code for b in city.buildings)
    comprehensive = {g.code for g in city.at_level("grid") if g.grid_kind == "comprehensive"}
    assert set(per_grid) == comprehensive
    assert min(per_grid.values()) >= 5 and max(per_grid.values()) <= 10


@pytest.mark.slow
def test_city_tree(city: CityPlan) -> None:
    check_tree(city)
    check_real_names(city)


@pytest.mark.slow
def test_city_geometry(city: CityPlan) -> None:
    check_geometry(city)
    # Districts keep roughly their real sizes.
    for d in city.at_level("district"):
        real = next(x for x in facts.DISTRICTS if x.code == d.code)
        lat = d.geometry.centroid.y
        km2 = d.geometry.area * 111.32 * math.cos(math.radians(lat)) * 110.574
        assert abs(km2 / real.area_km2 - 1) < 0.05, d.name


@pytest.mark.slow
def test_city_reading_order_and_homes(city: CityPlan) -> None:
    check_reading_order(city)
    check_buildings(city)
