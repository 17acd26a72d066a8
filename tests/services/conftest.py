"""The service-loop world (tests/serviceloop/world.py) and a volunteer team led by wang."""

from __future__ import annotations

import pytest

from gongzhi.volunteers.models import Team
from tests.serviceloop.world import World, world  # noqa: F401
from tests.services.builders import make_team


@pytest.fixture
def team(world: World) -> Team:  # noqa: F811
    return make_team(world)
