"""The demo city's people: about 50,000 valid residents, the party tree, members, units and departments."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from gongzhi.core import pii
from gongzhi.core.models import AuditEvent, Membership, Role
from gongzhi.demo.load import clear_all
from gongzhi.demo.organisations import DEPARTMENTS
from gongzhi.demo.people import clear_people, do_seed_people, household, people_sha256
from gongzhi.people.models import (
    Department,
    MemberKind,
    PartyMember,
    PartyOrganization,
    PartyOrgKind,
    Person,
    ResidenceType,
    Unit,
)
from gongzhi.people.validators import validate_credit_code, validate_id_number, validate_mobile
from gongzhi.regions.actions import do_create_building
from gongzhi.regions.models import Level, Region
from tests.conftest import SmallTree

pytestmark = pytest.mark.django_db

ABOLISHED = ("320103", "320107", "320124", "320125")


def _seed(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("seed", *args, stdout=out, stderr=StringIO())
    result: dict[str, object] = json.loads(out.getvalue().strip().splitlines()[-1])
    return result


def _years(earlier: dt.date, later: dt.date) -> float:
    return (later - earlier).days / 365.25


def _check_residents() -> None:
    """A sample of residents: valid ID numbers agreeing with gender and birth date, valid phones, homes."""
    sample = Person.objects.select_related("room__unit__building__grid").order_by("id")[::25]
    origins: Counter[str] = Counter()
    for person in sample:
        info = validate_id_number(pii.decrypt(person.id_number_ciphertext))
        assert (info.gender, info.birth_date) == (person.gender, person.birth_date)
        assert person.id_number_masked == pii.mask_id_number(info.number)
        if person.phone_ciphertext:
            assert validate_mobile(pii.decrypt(person.phone_ciphertext)) == pii.decrypt(person.phone_ciphertext)
        assert person.room is not None and person.region_code == person.room.unit.building.grid.code
        origins[info.region_code] += 1
    assert sum(origins[c] for c in ABOLISHED) > 0  # people born under codes abolished since
    assert any(not code.startswith("32") for code in origins)  # migrants from other provinces


def _check_households() -> None:
    heads = Counter(Person.objects.filter(household_relation="head").values_list("room_id", flat=True))
    assert set(heads.values()) == {1}  # one head per household
    rooms = Person.objects.values("room_id").annotate(n=Count("id"))
    assert {r["n"] for r in rooms} <= {1, 2, 3, 4, 5}
    by_room: dict[int | None, dict[str, list[dt.date]]] = {}
    for room_id, relation, born in Person.objects.values_list("room_id", "household_relation", "birth_date"):
        assert born is not None
        by_room.setdefault(room_id, {}).setdefault(relation, []).append(born)
    for people in list(by_room.values())[::10]:
        head = people["head"][0]
        # Children of the head are 20+ years younger; the head's parent 20+ years older.
        assert all(_years(head, child) >= 20 for child in people.get("child", [])), people
        assert all(_years(parent, head) >= 20 for parent in people.get("parent", [])), people


def _check_party_tree() -> None:
    kinds = Counter(PartyOrganization.objects.values_list("kind", flat=True))
    assert kinds[PartyOrgKind.STREET_WORKING_COMMITTEE] == Region.objects.filter(level=Level.STREET).count()
    assert kinds[PartyOrgKind.COMMUNITY_COMMITTEE] + kinds[PartyOrgKind.COMMUNITY_GENERAL_BRANCH] == (
        Region.objects.filter(level=Level.COMMUNITY).count()
    )
    assert kinds[PartyOrgKind.COMMUNITY_COMMITTEE] > 0 and kinds[PartyOrgKind.COMMUNITY_GENERAL_BRANCH] > 0
    comprehensive = Region.objects.filter(level=Level.GRID, grid_kind="comprehensive").count()
    assert kinds[PartyOrgKind.GRID_BRANCH] == comprehensive
    assert kinds[PartyOrgKind.BUILDING_GROUP] > 50 and kinds[PartyOrgKind.CENTRAL_HOUSEHOLD] > 20
    for org in PartyOrganization.objects.select_related("parent", "building__grid", "region"):
        assert org.region_code == org.region.code
        if org.parent is not None:
            assert org.region_code.startswith(org.parent.region_code)
        if org.kind in (PartyOrgKind.BUILDING_GROUP, PartyOrgKind.CENTRAL_HOUSEHOLD):
            assert org.building is not None and org.building.grid.code == org.region_code


def _check_members() -> None:
    kinds = Counter(PartyMember.objects.values_list("kind", flat=True))
    total = sum(kinds.values())
    assert 4_500 <= total <= 5_500
    assert 0.25 <= kinds[MemberKind.IN_SERVICE] / total <= 0.35
    other_street = 0
    for member in PartyMember.objects.select_related("person", "organization", "registered_community"):
        person = member.person
        assert person.birth_date is not None and member.joined_on is not None
        assert _years(person.birth_date, member.joined_on) >= 18 - 1 / 365
        if member.kind == MemberKind.RESIDENT:
            assert member.region_code == person.region_code
            assert person.region_code.startswith(member.organization.region_code)
        else:
            assert member.registered_community is not None
            assert member.region_code == member.registered_community.code
            other_street += member.region_code[:9] != person.region_code[:9]
    assert other_street > 100  # some serve a community in another street than their home's


def _check_units_and_departments() -> None:
    codes = list(Unit.objects.values_list("credit_code", flat=True))
    assert len(codes) == 300 and all(validate_credit_code(c) == c for c in codes)
    prefixes = Counter(c[0] for c in codes)
    assert prefixes["N"] > 0 and prefixes["Y"] > 0 and prefixes["9"] > 100
    assert Unit.objects.filter(is_cobuilding=True).exists()
    assert {d.short_name for d in Department.objects.all()} == {short for short, _ in DEPARTMENTS}
    assert Department.objects.get(short_name="城管局").name == "南京市栖霞区城市管理局"


@pytest.mark.slow
def test_the_demo_city_gets_its_people() -> None:
    # When the demo city is seeded
    result = _seed("--size", "demo", "--seed", "1", "--no-cases", "--no-services")

    # Then the JSON line reports the people, in the numbers the issue asks for
    assert 49_000 <= int(str(result["persons"])) <= 51_000
    assert result["units"] == 300 and result["departments"] == 20
    assert 4_500 <= int(str(result["party_members"])) <= 5_500
    assert Person.objects.count() == result["persons"]
    assert 0.15 <= Person.objects.filter(residence_type=ResidenceType.MIGRANT).count() / Person.objects.count() <= 0.25
    # And every part holds together
    _check_residents()
    _check_households()
    _check_party_tree()
    _check_members()
    _check_units_and_departments()
    # And the demo accounts include a department worker in 城管局, and a grid worker with residents
    dept = Membership.objects.select_related("department").get(user__username="dept")
    assert dept.role == Role.DEPARTMENT_STAFF and dept.department is not None and dept.department.short_name == "城管局"
    grid = Membership.objects.select_related("region").get(user__username="grid").region
    assert grid is not None and Person.objects.filter(region_code=grid.code).count() > 100
    assert AuditEvent.objects.filter(action="people.seed").count() == 1


# ── a small city, for what does not need the whole demo ───────────────────────────────────────────


def _small_city(tree: SmallTree) -> None:
    for community, name, lon, lat in (
        (tree.community, "1幢", 118.81, 32.145),
        (tree.community, "2幢", 118.815, 32.15),
        (tree.community, "3幢", 118.84, 32.145),
        (tree.community2, "教工楼", 118.82, 32.115),  # in a dedicated grid, which has no party branch
    ):
        do_create_building(
            actor=None, community=community, name=name, lon=lon, lat=lat, floors=6, units=2, rooms_per_floor=2
        )


def _fingerprint(seed: int) -> str:
    clear_people()
    do_seed_people(actor=None, seed=seed, progress=lambda _: None, target=120)
    return people_sha256()


def test_the_same_seed_gives_the_same_people(small_tree: SmallTree) -> None:
    _small_city(small_tree)

    first, again, other = _fingerprint(3), _fingerprint(3), _fingerprint(4)

    assert first == again and first != other


def test_a_small_city_gets_members_even_where_a_grid_has_no_branch(small_tree: SmallTree) -> None:
    _small_city(small_tree)

    counts = do_seed_people(actor=None, seed=1, progress=lambda _: None, target=120)

    assert 120 <= counts.persons <= 124
    assert counts.party_members == PartyMember.objects.count() > 0
    dedicated = PartyMember.objects.filter(region_code__startswith=small_tree.grid3.code, kind="resident")
    assert all(m.organization.region_code == small_tree.community2.code for m in dedicated)


def test_replacing_the_city_removes_its_people(small_tree: SmallTree) -> None:
    _small_city(small_tree)
    do_seed_people(actor=None, seed=1, progress=lambda _: None, target=120)

    clear_all()

    assert not Person.objects.exists() and not PartyOrganization.objects.exists() and not Department.objects.exists()
    assert not Region.objects.exists()


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_households_have_one_head_and_consistent_ages(size: int) -> None:
    rng = random.Random(size)
    for _ in range(500):
        members = household(rng, size)
        assert len(members) == size and [m.relation for m in members].count("head") == 1
        head = members[0]
        assert head.relation == "head" and head.age >= 22
        for m in members:
            if m.relation == "spouse":
                assert m.male != head.male and m.age >= 20
            if m.relation == "child":
                assert head.age - m.age >= 22 and m.age >= 0
            if m.relation == "parent":
                assert m.age - head.age >= 22 and m.age <= 96
