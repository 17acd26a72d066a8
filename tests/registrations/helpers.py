"""Small builders for the registration tests: service records, teams, the world's unit registration."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from gongzhi.people.models import Unit
from gongzhi.regions.models import Region
from gongzhi.registrations.models import UnitRegistration
from gongzhi.volunteers.models import ServiceKind, ServiceRecord, Team, TeamMember, Volunteer
from gongzhi.volunteers.records import do_record_service
from tests.serviceloop.world import World

_sources = itertools.count(1)


def serve(
    community: Region,
    day: dt.date,
    *,
    volunteer: Volunteer | None = None,
    unit: Unit | None = None,
    hours: str = "2",
) -> ServiceRecord:
    """A confirmed piece of service, written the one way the loop writes them."""
    record, created = do_record_service(
        actor=None,
        kind=ServiceKind.OTHER,
        source_id=next(_sources),
        community=community,
        served_on=day,
        summary="test service",
        volunteer=volunteer,
        unit=unit,
        hours=Decimal(hours),
    )
    assert created
    return record


def unit_team(world: World, *, founded: dt.date = dt.date(2026, 1, 1), name: str = "共建志愿服务队") -> Team:
    assert world.unit is not None
    return Team.objects.create(
        name=name, community=world.community, region_code=world.community.code, unit=world.unit, founded_on=founded
    )


def join(team: Team, volunteer: Volunteer, day: dt.date) -> TeamMember:
    return TeamMember.objects.create(team=team, volunteer=volunteer, joined_on=day)


def world_registration(world: World) -> UnitRegistration:
    return UnitRegistration.objects.get(unit=world.unit, community=world.community)
