"""`pts`: the service-loop world with the default earning rules, one station and two items.

The station (爱心驿站) is in 尧化门社区 (world.community), created by the community's staff; items:
大米 (30 points, stock 5) and 洗衣液 (50 points, stock 2). `earn(pts, "wang", 100)` credits a volunteer
through the one real path (a recorded service); each call is a new record.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest

from gongzhi.points import actions
from gongzhi.points.earning import ensure_default_rules
from gongzhi.points.models import CatalogItem, EarningRule, PointTransaction, Station
from gongzhi.volunteers.models import ServiceKind
from gongzhi.volunteers.records import do_record_service
from tests.serviceloop.world import World, world  # noqa: F401

_sources = itertools.count(1000)


@dataclass
class Pts:
    world: World
    station: Station
    rice: CatalogItem
    soap: CatalogItem


def make_pts(w: World) -> Pts:
    ensure_default_rules()
    staff = w.user("community")
    station = actions.do_create_station(
        actor=staff,
        community=w.community,
        name="爱心驿站",
        address="尧化门社区服务中心一楼",
        opening_hours="周一至周五 9:00-17:00",
    )
    rice = actions.do_create_catalog_item(actor=staff, station=station, name="大米", cost=30, stock=5)
    soap = actions.do_create_catalog_item(actor=staff, station=station, name="洗衣液", cost=50, stock=2)
    return Pts(world=w, station=station, rice=rice, soap=soap)


@pytest.fixture
def pts(world: World) -> Pts:  # noqa: F811
    return make_pts(world)


def earn(p: Pts, key: str, points: int) -> PointTransaction:
    """Credit `points` to volunteer `key` by recording one hour-based activity worth exactly that."""
    EarningRule.objects.filter(kind=ServiceKind.ACTIVITY).update(points=points, per_hour=True, is_active=True)
    record, created = do_record_service(
        actor=None,
        kind=ServiceKind.ACTIVITY,
        source_id=next(_sources),
        community=p.world.community,
        served_on=dt.date(2025, 3, 1),
        summary="社区志愿活动",
        volunteer=p.world.volunteers[key],
        hours=Decimal("1"),
        key_suffix=key,
    )
    assert created
    return PointTransaction.objects.get(source_key=record.key)
