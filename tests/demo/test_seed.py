"""`gongzhi seed`: the demo city lands whole, deterministically, and a bad plan lands not at all."""

from __future__ import annotations

import dataclasses
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import box

from gongzhi.core.models import AuditEvent, Membership
from gongzhi.demo.plan import CityPlan, generate
from gongzhi.regions.locate import locate
from gongzhi.regions.models import Building, Level, Region, Room

pytestmark = pytest.mark.django_db

EXPECTED_STREETS = {
    "320113001": "尧化街道",
    "320113002": "马群街道",
    "320113003": "迈皋桥街道",
    "320113004": "燕子矶街道",
    "320113005": "栖霞街道",
    "320113006": "龙潭街道",
    "320113007": "仙林街道",
    "320113009": "八卦洲街道",
    "320113010": "西岗街道",
}


def _seed(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("seed", *args, stdout=out, stderr=StringIO())
    result: dict[str, object] = json.loads(out.getvalue().strip().splitlines()[-1])
    return result


def test_demo_seed_builds_qixia_with_its_real_streets() -> None:
    # When the demo city is seeded
    result = _seed("--size", "demo", "--seed", "1", "--no-cases", "--no-services")
    # Then the JSON line reports the district as the issue describes it
    assert {k: result[k] for k in ("districts", "streets", "communities", "grids")} == {
        "districts": 1,
        "streets": 9,
        "communities": 127,
        "grids": 1063,
    }
    assert set(result) >= {"buildings", "rooms", "seconds", "geometry_sha256"}
    assert 18_000 <= int(str(result["rooms"])) <= 21_000
    # And the database holds exactly that, with the real street codes and names
    streets = dict(Region.objects.filter(level=Level.STREET).values_list("code", "name"))
    assert streets == EXPECTED_STREETS
    assert Region.objects.get(level=Level.DISTRICT).code == "320113"
    grids = Region.objects.filter(level=Level.GRID)
    assert grids.count() == 1063
    dedicated = grids.filter(grid_kind="dedicated").count()
    assert 140 <= dedicated <= 220  # about one in six
    assert Room.objects.count() == result["rooms"]
    # And every building stands in the grid the lookup finds for its point
    for building in Building.objects.select_related("grid")[:200]:
        found = locate(building.lon, building.lat)
        assert found is not None and found.grid.code == building.grid.code
    # And the demo accounts exist with their roles, and the load was audited
    assert Membership.objects.filter(user__username="grid", role="grid_worker").exists()
    assert AuditEvent.objects.filter(action="city.seed").count() == 1


def test_same_seed_gives_the_same_geometry_digest_and_another_seed_does_not() -> None:
    first = _seed("--size", "demo", "--seed", "7", "--no-rooms")
    again = _seed("--size", "demo", "--seed", "7", "--no-rooms", "--replace")
    other = _seed("--size", "demo", "--seed", "8", "--no-rooms", "--replace")
    assert first["geometry_sha256"] == again["geometry_sha256"]
    assert first["geometry_sha256"] != other["geometry_sha256"]


def test_seeding_twice_without_replace_is_refused_and_changes_nothing() -> None:
    _seed("--size", "demo", "--seed", "1", "--no-rooms")
    before = Region.objects.count(), Building.objects.count()
    with pytest.raises(CommandError, match="already holds a tree"):
        _seed("--size", "demo", "--seed", "2", "--no-rooms")
    assert (Region.objects.count(), Building.objects.count()) == before


def test_a_plan_that_breaks_a_rule_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a demo plan in which one grid is stretched over its neighbour
    plan = generate("demo", 1)
    grids = [r for r in plan.regions if r.level == "grid"]
    victim = grids[0]
    stretched = dataclasses.replace(victim, geometry=victim.geometry.union(box(*grids[1].geometry.bounds)))
    broken = CityPlan(
        regions=[stretched if r.code == victim.code else r for r in plan.regions],
        compounds=plan.compounds,
        buildings=plan.buildings,
    )
    monkeypatch.setattr("gongzhi.demo.management.commands.seed.generate", lambda size, seed: broken)
    # When it is loaded
    with pytest.raises(CommandError) as info:
        _seed("--size", "demo", "--seed", "1")
    # Then the error names the rule and not one row was written
    assert "overlaps" in str(info.value) or "outside" in str(info.value)
    assert not Region.objects.exists()
    assert not Building.objects.exists()
