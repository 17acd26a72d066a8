"""Point → grid → ancestors through the cached index, and its rebuild when boundaries move."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from gongzhi.regions.actions import do_update_region
from gongzhi.regions.crs import gcj02_to_bd09, wgs84_to_gcj02
from gongzhi.regions.locate import locate, locate_many
from tests.conftest import SmallTree

pytestmark = pytest.mark.django_db


def test_a_point_is_located_to_its_grid_and_every_ancestor(small_tree: SmallTree) -> None:
    found = locate(118.81, 32.15)

    assert found is not None
    assert found.grid.code == "320113001001001"
    assert [(n.level, n.code) for n in found.ancestors] == [
        ("city", "320100"),
        ("district", "320113"),
        ("street", "320113001"),
        ("community", "320113001001"),
    ]


def test_a_point_on_a_shared_edge_goes_to_the_lower_code(small_tree: SmallTree) -> None:
    found = locate(118.825, 32.15)

    assert found is not None and found.grid.code == "320113001001001"


def test_a_point_outside_every_grid_is_none(small_tree: SmallTree) -> None:
    # 马群街道 has no grids, and 119.5 is outside the city.
    assert locate(118.87, 32.12) is None
    assert locate(119.5, 32.12) is None


def test_map_sdk_coordinates_are_converted_before_lookup(small_tree: SmallTree) -> None:
    # A point 30 m west of the 第一/第二网格 edge in WGS-84; the GCJ-02 offset (≈ 500 m east) would
    # put the raw numbers in 第二网格 if they were not converted.
    lon, lat = 118.8247, 32.15
    glon, glat = wgs84_to_gcj02(lon, lat)
    blon, blat = gcj02_to_bd09(glon, glat)

    assert locate(glon, glat) is not None and locate(glon, glat).grid.code == "320113001001002"  # type: ignore[union-attr]
    for x, y, crs in ((glon, glat, "gcj02"), (blon, blat, "bd09")):
        found = locate(x, y, crs)
        assert found is not None and found.grid.code == "320113001001001", crs
        assert found.lon == pytest.approx(lon, abs=1e-7) and found.lat == pytest.approx(lat, abs=1e-7)


def test_batch_answers_equal_single_answers(small_tree: SmallTree) -> None:
    rng = np.random.default_rng(3)
    lons = rng.uniform(118.79, 118.91, 500)
    lats = rng.uniform(32.09, 32.17, 500)

    batch = locate_many(lons, lats)

    singles = [locate(float(x), float(y)) for x, y in zip(lons, lats, strict=True)]
    assert [b.grid.code if b else None for b in batch] == [s.grid.code if s else None for s in singles]
    assert sum(1 for b in batch if b is not None) > 100


def test_moving_a_boundary_rebuilds_the_index(small_tree: SmallTree) -> None:
    # Given a point in 第二网格, just east of the edge at 118.825
    assert locate(118.827, 32.15).grid.code == "320113001001002"  # type: ignore[union-attr]
    # When the edge moves east to 118.83 (shrink the neighbour first so they never overlap)
    do_update_region(actor=None, region=small_tree.grid2, geometry=box(118.83, 32.13, 118.85, 32.16))
    do_update_region(actor=None, region=small_tree.grid1, geometry=box(118.8, 32.13, 118.83, 32.16))
    # Then the same point now answers 第一网格, without any manual reload
    assert locate(118.827, 32.15).grid.code == "320113001001001"  # type: ignore[union-attr]
