"""The shared service-loop fixture holds what its docstring promises."""

from __future__ import annotations

import pytest

from gongzhi.registrations.access import communities_served, may_serve_in, units_acted_for, volunteer_of
from tests.serviceloop.world import World

pytestmark = pytest.mark.django_db


def test_registered_members_serve_where_approved_only(world: World) -> None:
    community = world.community
    assert may_serve_in(world.volunteers["wu"], community.pk)
    assert may_serve_in(world.volunteers["zhao"], community.pk)
    assert not may_serve_in(world.volunteers["sun"], community.pk)  # registration still pending
    assert communities_served(world.volunteers["sun"]) == {world.volunteers["sun"].community_id}


def test_liaison_acts_for_the_unit_and_staff_for_none(world: World) -> None:
    assert list(units_acted_for(world.user("li"))) == [world.unit]
    assert list(units_acted_for(world.user("wang"))) == []
    assert volunteer_of(world.user("community")) is None
    assert volunteer_of(world.user("wu")) == world.volunteers["wu"]
