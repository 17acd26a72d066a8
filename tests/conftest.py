"""Shared fixtures: a small hand-made jurisdiction tree with simple rectangles.

The tree (all in WGS-84, near Nanjing):
  320100 南京市 ─ 320113 栖霞区 (118.80–118.90, 32.10–32.16)
    ├ 320113001 尧化街道 (west half: 118.80–118.85)
    │   ├ 320113001001 尧化门社区 (118.80–118.85, 32.13–32.16)
    │   │   ├ …001001001 第一网格 (118.80–118.825)   comprehensive
    │   │   └ …001001002 第二网格 (118.825–118.85)   comprehensive
    │   └ 320113001002 新尧社区 (118.80–118.85, 32.10–32.13)
    │       └ …001002001 新尧学校专属网格 (whole community) dedicated
    └ 320113002 马群街道 (east half: 118.85–118.90), no communities
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from shapely.geometry import box

from gongzhi.regions.actions import do_create_region
from gongzhi.regions.locate import invalidate
from gongzhi.regions.models import Region

CHROMIUM = "/usr/bin/chromium"


@dataclass
class SmallTree:
    city: Region
    district: Region
    street: Region
    street2: Region
    community: Region
    community2: Region
    grid1: Region
    grid2: Region
    grid3: Region


def make_small_tree() -> SmallTree:
    invalidate()
    city = do_create_region(
        actor=None, level="city", code="320100", name="南京市", parent=None, geometry=box(118.7, 32.0, 119.0, 32.3)
    )
    district = do_create_region(
        actor=None, level="district", code="320113", name="栖霞区", parent=city, geometry=box(118.8, 32.1, 118.9, 32.16)
    )
    street = do_create_region(
        actor=None,
        level="street",
        code="320113001",
        name="尧化街道",
        parent=district,
        geometry=box(118.8, 32.1, 118.85, 32.16),
    )
    street2 = do_create_region(
        actor=None,
        level="street",
        code="320113002",
        name="马群街道",
        parent=district,
        geometry=box(118.85, 32.1, 118.9, 32.16),
    )
    community = do_create_region(
        actor=None,
        level="community",
        code="320113001001",
        name="尧化门社区",
        parent=street,
        geometry=box(118.8, 32.13, 118.85, 32.16),
    )
    community2 = do_create_region(
        actor=None,
        level="community",
        code="320113001002",
        name="新尧社区",
        parent=street,
        geometry=box(118.8, 32.1, 118.85, 32.13),
    )
    grid1 = do_create_region(
        actor=None,
        level="grid",
        code="320113001001001",
        name="第一网格",
        parent=community,
        geometry=box(118.8, 32.13, 118.825, 32.16),
        grid_kind="comprehensive",
    )
    grid2 = do_create_region(
        actor=None,
        level="grid",
        code="320113001001002",
        name="第二网格",
        parent=community,
        geometry=box(118.825, 32.13, 118.85, 32.16),
        grid_kind="comprehensive",
    )
    grid3 = do_create_region(
        actor=None,
        level="grid",
        code="320113001002001",
        name="新尧学校专属网格",
        parent=community2,
        geometry=box(118.8, 32.1, 118.85, 32.13),
        grid_kind="dedicated",
        dedicated_type="school",
    )
    return SmallTree(city, district, street, street2, community, community2, grid1, grid2, grid3)


@pytest.fixture
def small_tree(db: None) -> SmallTree:
    return make_small_tree()


@pytest.fixture(autouse=True)
def _fresh_lookup_index() -> None:
    """Each test database starts at geometry revision 0; never reuse another test's index."""
    invalidate()


def chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is required in CI (installed by .ci/run)")
    pytest.skip(f"browser test skipped: {CHROMIUM} not installed (apt-get install chromium)")
    return shutil.which("chromium") or CHROMIUM
