"""`loop`: the small tree with the case loop set up — taxonomy, duty lists, departments, one user per party.

  user        role                 where
  grid        grid worker          第一网格 320113001001001
  grid2       grid worker          第二网格 320113001001002
  community   community staff      尧化门社区 320113001001
  community2  community staff      新尧社区 320113001002
  street      street staff         尧化街道 320113001
  street2     street staff         马群街道 320113002 (with 马群社区 and its grid)
  dept        department staff     栖霞区城市管理局 (城管局)
  water       department staff     栖霞区水务局 (水务局)
  leader      district leader      栖霞区
  city        city leader          南京市
  sysadmin    system administrator —
  nobody      no role              —

Points: GRID1_POINT in 第一网格, GRID2_POINT in 第二网格, STREET2_POINT in 马群社区第一网格.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from shapely.geometry import box

from gongzhi.cases import routing, sla
from gongzhi.cases.actions.common import SYSTEM, Actor
from gongzhi.cases.actions.config import do_load_default_duty_lists, do_load_default_taxonomy
from gongzhi.cases.actions.intake import Filed, Report, do_file_case
from gongzhi.cases.models import Case
from gongzhi.core.models import Membership, Role
from gongzhi.people.models import Department
from gongzhi.regions.actions import do_create_region
from gongzhi.regions.models import Region
from tests.conftest import SmallTree, make_small_tree
from tests.web.users import PASSWORD

__all__ = ["GRID1_POINT", "GRID2_POINT", "PASSWORD", "STREET2_POINT", "Loop"]

GRID1_POINT = (118.81, 32.15)
GRID2_POINT = (118.84, 32.15)
STREET2_POINT = (118.87, 32.12)


@dataclass
class Loop:
    tree: SmallTree
    street2_community: Region
    street2_grid: Region
    department: Department  # 城管局
    water: Department  # 水务局
    police: Department  # 公安分局
    users: dict[str, User] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return Actor(user=self.users[name])

    def file(
        self,
        *,
        category: str = "SJ0302",
        point: tuple[float, float] = GRID1_POINT,
        channel: str = "h5",
        title: str = "工地夜间扬尘严重",
        description: str = "小区东侧工地晚上渣土车进出，扬尘很大，窗户都不敢开。",
        actor: Actor | None = None,
        **extra: object,
    ) -> Filed:
        report = Report(
            channel=channel,
            title=title,
            description=description,
            category_code=category,
            lon=point[0],
            lat=point[1],
            **extra,  # type: ignore[arg-type]
        )
        return do_file_case(actor=actor or Actor(), report=report)

    def reload(self, case: Case) -> Case:
        return Case.objects.get(pk=case.pk)


def _user(name: str, role: str | None, region: Region | None = None, department: Department | None = None) -> User:
    user = User.objects.create_user(username=name, password=PASSWORD, first_name=name)
    if role is not None:
        Membership.objects.create(user=user, role=role, region=region, department=department)
    return user


def make_loop() -> Loop:
    routing.forget_cached()
    sla.overrides_changed()
    tree = make_small_tree()
    community = do_create_region(
        actor=None,
        level="community",
        code="320113002001",
        name="马群社区",
        parent=tree.street2,
        geometry=box(118.85, 32.1, 118.9, 32.16),
    )
    grid = do_create_region(
        actor=None,
        level="grid",
        code="320113002001001",
        name="马群第一网格",
        parent=community,
        geometry=box(118.85, 32.1, 118.9, 32.16),
        grid_kind="comprehensive",
    )
    district = tree.district
    departments = {
        short: Department.objects.create(
            region=district, code=f"320113-{i:02d}", name=f"栖霞区{short}", short_name=short
        )
        for i, short in enumerate(("城管局", "水务局", "公安分局", "交通局"), start=1)
    }
    do_load_default_taxonomy(actor=SYSTEM)
    do_load_default_duty_lists(actor=SYSTEM)
    loop = Loop(tree, community, grid, departments["城管局"], departments["水务局"], departments["公安分局"])
    loop.users = {
        "grid": _user("grid", Role.GRID_WORKER, tree.grid1),
        "grid2": _user("grid2", Role.GRID_WORKER, tree.grid2),
        "community": _user("community", Role.COMMUNITY_STAFF, tree.community),
        "community2": _user("community2", Role.COMMUNITY_STAFF, tree.community2),
        "street": _user("street", Role.STREET_STAFF, tree.street),
        "street2": _user("street2", Role.STREET_STAFF, tree.street2),
        "dept": _user("dept", Role.DEPARTMENT_STAFF, district, departments["城管局"]),
        "water": _user("water", Role.DEPARTMENT_STAFF, district, departments["水务局"]),
        "leader": _user("leader", Role.DISTRICT_LEADER, district),
        "city": _user("city", Role.CITY_LEADER, tree.city),
        "sysadmin": _user("sysadmin", Role.SYSTEM_ADMIN, None),
        "nobody": _user("nobody", None),
    }
    return loop


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test's database is new: forget what the last test's process-wide caches held."""
    from gongzhi.cases.api.auth import forget_clients

    routing.forget_cached()
    forget_clients()


@pytest.fixture
def loop(db: None) -> Loop:
    return make_loop()
