from __future__ import annotations

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.regions.actions import do_create_building
from gongzhi.regions.addresses import building_address, room_address
from gongzhi.regions.models import Building, Compound, Room
from tests.conftest import SmallTree

pytestmark = pytest.mark.django_db


def test_building_is_placed_in_the_grid_its_point_falls_in(small_tree: SmallTree) -> None:
    compound = Compound.objects.create(community=small_tree.community, name="银城东苑", lon=118.83, lat=32.14)
    building = do_create_building(
        actor=None, community=small_tree.community, compound=compound, name="3栋",
        lon=118.83, lat=32.14, floors=6, units=2, rooms_per_floor=2,
    )
    assert building.grid == small_tree.grid2
    assert building.code == "3201130010010020001"
    assert Room.objects.filter(unit__building=building).count() == 6 * 2 * 2
    room = Room.objects.select_related("unit__building__compound", "unit__building__community__parent__parent").get(
        unit__building=building, unit__number=2, number="502"
    )
    assert room_address(room) == "栖霞区/尧化街道/尧化门社区/银城东苑/3栋/2单元/502室"
    assert building_address(building) == "栖霞区/尧化街道/尧化门社区/银城东苑/3栋"


def test_building_outside_its_community_is_refused(small_tree: SmallTree) -> None:
    with pytest.raises(DomainError) as info:
        do_create_building(
            actor=None, community=small_tree.community, name="1栋", lon=118.83, lat=32.11,
            floors=6, units=1, rooms_per_floor=2,
        )
    assert info.value.items[0].code == "outside_community"
    assert not Building.objects.exists()
