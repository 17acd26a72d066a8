"""The permission matrix: every role × every people and region page and API endpoint × one object
inside and one just outside the role's jurisdiction → allowed, 403 or 404.

The expected answer is *derived* — from `CAPABILITIES` (what a role may do) and the code-prefix rule
of DESIGN.md (where it may do it) — by `expected()`, so a capability added to or taken from a role
changes the expectations here and the product alike. A derivation that is wrong in the same way as
the product would pass unnoticed, so `SPOT_CHECKS` pins a few dozen cases by hand, written from
the issue's own words ("a grid worker cannot unmask", "the system administrator sees no personal
data"…); if the table drifts from them, that test fails.

Every denied or refused write is checked to leave the database as it was: row counts of every
people table and of the audit trail, and the target object's columns.

The data is built once per module inside an outer transaction that is rolled back at the end;
each test runs in a savepoint of it (as Django's `setUpTestData` does), which keeps the thousand
cases under a minute.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Model
from django.test import Client
from openpyxl import Workbook, load_workbook
from pytest_django import DjangoDbBlocker
from shapely.geometry import box

from gongzhi.core.capabilities import CAPABILITIES, Cap
from gongzhi.core.models import AuditEvent, Membership, Role
from gongzhi.people.actions import (
    do_create_department,
    do_create_party_member,
    do_create_party_organization,
    do_create_person,
    do_create_unit,
)
from gongzhi.people.imports import COLUMNS, GRID, ID_NUMBER, NAME, PHONE
from gongzhi.people.models import (
    Department,
    MemberKind,
    PartyMember,
    PartyOrganization,
    PartyOrgKind,
    Person,
    Unit,
    UnitType,
)
from gongzhi.regions.actions import do_create_building, do_create_region
from gongzhi.regions.models import Region, Room
from tests.conftest import make_small_tree
from tests.core.signin import force_login_verified
from tests.people.conftest import EDGES, PeopleTree, Place, make_credit_code, make_id_number, make_people_tree

ALLOWED, DENIED, NOT_FOUND, INVALID = "allowed", "denied (403)", "not found (404)", "invalid"
INSIDE, OUTSIDE = "inside", "outside"
ROLES = [str(r) for r in Role]

# Where each test user's one membership sits: its code prefix (a city's is its first four digits),
# or None for the region-less administrators, who act city-wide on what their capabilities cover.
# Mirrors tests/people/conftest.py's `_users`; `test_jurisdictions_match_the_fixture` keeps it honest.
JURISDICTION: dict[str, str | None] = {
    Role.GRID_WORKER: "320113001001001",
    Role.COMMUNITY_STAFF: "320113001001",
    Role.COMMUNITY_SECRETARY: "320113001001",
    Role.STREET_STAFF: "320113001",
    Role.DEPARTMENT_STAFF: "320113",
    Role.DISTRICT_LEADER: "320113",
    Role.CITY_LEADER: "3201",
    Role.SYSTEM_ADMIN: None,
    Role.SECURITY_ADMIN: None,
    Role.AUDIT_ADMIN: None,
}

# The fixture has nothing outside 南京市; this module adds 苏州市 for the city leader's "outside".
ELSEWHERE = "elsewhere"


# ----------------------------------------------------------------------------- the world


@dataclass
class World:
    people: PeopleTree
    elsewhere: Place
    elsewhere_department: Department

    def place(self, role: str, side: str) -> Place:
        inside, outside = EDGES[role]
        key = (inside or "grid1") if side == INSIDE else (outside or ELSEWHERE)
        return self.elsewhere if key == ELSEWHERE else self.people.place(key)

    def department(self, role: str, side: str) -> Department:
        district = self.place(role, side).grid.code[:6]
        return {
            self.people.department.region.code: self.people.department,
            self.people.other_department.region.code: self.people.other_department,
        }.get(district, self.elsewhere_department)

    def user(self, role: str) -> User:
        return self.people.users[role]


def _make_elsewhere() -> tuple[Place, Department]:
    """苏州市 → 姑苏区 → 双塔街道 → 定慧寺社区 → 第一网格, with one of everything in it."""
    city = do_create_region(
        actor=None, level="city", code="320500", name="苏州市", parent=None, geometry=box(120.5, 31.2, 120.7, 31.4)
    )
    chain: list[Region] = [city]
    for level, code, name in (
        ("district", "320508", "姑苏区"),
        ("street", "320508001", "双塔街道"),
        ("community", "320508001001", "定慧寺社区"),
        ("grid", "320508001001001", "定慧寺第一网格"),
    ):
        chain.append(
            do_create_region(
                actor=None,
                level=level,
                code=code,
                name=name,
                parent=chain[-1],
                geometry=box(120.5, 31.2, 120.7, 31.4),
                grid_kind="comprehensive" if level == "grid" else "",
            )
        )
    _city, district, street, community, grid = chain
    building = do_create_building(
        actor=None, community=community, name="1幢", lon=120.6, lat=31.3, floors=1, units=1, rooms_per_floor=2
    )
    rooms = list(Room.objects.filter(unit__building=building).order_by("number"))
    resident = do_create_person(
        actor=None,
        name="钱苏州",
        id_number=make_id_number("320508", dt.date(1980, 1, 2), 901),
        phone="13700009999",
        room=rooms[0],
        household_relation="head",
    )
    unit = do_create_unit(
        actor=None,
        community=community,
        name="定慧寺物业公司",
        credit_code=make_credit_code("91", "320508", "MA000901"),
        unit_type=UnitType.PRIVATE_ENTERPRISE,
        liaison_name="钱经理",
        liaison_phone="13700008888",
    )
    committee = do_create_party_organization(
        actor=None, name="双塔街道党工委", kind=PartyOrgKind.STREET_WORKING_COMMITTEE, region=street
    )
    community_committee = do_create_party_organization(
        actor=None, name="定慧寺社区党委", kind=PartyOrgKind.COMMUNITY_COMMITTEE, region=community, parent=committee
    )
    branch = do_create_party_organization(
        actor=None, name="定慧寺第一网格党支部", kind=PartyOrgKind.GRID_BRANCH, region=grid, parent=community_committee
    )
    member = do_create_party_member(actor=None, person=resident, organization=branch, kind=MemberKind.RESIDENT)
    department = do_create_department(actor=None, region=district, code="320508-01", name="苏州市姑苏区城市管理局")
    place = Place(ELSEWHERE, grid, community, street, building, rooms, [resident], unit, branch, member)
    return place, department


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """Built once; an outer transaction rolled back at the end keeps it out of other modules."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            people = make_people_tree(make_small_tree())
            elsewhere, department = _make_elsewhere()
            yield World(people, elsewhere, department)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# ------------------------------------------------------------------------------ endpoints

Payload = Callable[[World, str, str], dict[str, Any]]


@dataclass(frozen=True)
class Endpoint:
    """One page or API endpoint.

    `section` is what the role must hold somewhere to use it at all; `act` what it must hold where
    the object is (None: `section` is enough); `target` names the object the URL points at (object
    endpoints) or the place a write goes to (create and import); lists have neither and show only
    what is in scope.
    """

    name: str
    method: str
    url: Callable[[World, str, str], str]
    section: Cap
    act: Cap | None = None
    target: str | None = None  # person unit partyorg partymember department grid building
    creates: str | None = None  # create/import: the target is a place, and outside it is refused as input
    payload: Payload | None = None
    api: bool = False
    success: int = 200
    # For lists and searches: the side's object, which must be listed exactly when it is in scope.
    listed: Callable[[World, str, str], tuple[str, str]] | None = None

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def __str__(self) -> str:
        return self.name


def _obj(world: World, kind: str, role: str, side: str) -> Model:
    place = world.place(role, side)
    return {
        "person": place.resident,
        "unit": place.unit,
        "partyorg": place.branch,
        "partymember": place.member,
        "department": world.department(role, side),
        "grid": place.grid,
        "building": place.building,
    }[kind]


def _code_of(obj: Model) -> str:
    """The code that scopes the object: what the selectors filter on."""
    if isinstance(obj, Department):
        return obj.region.code
    if isinstance(obj, Region):
        return obj.code
    if hasattr(obj, "region_code"):
        return str(obj.region_code)
    return str(obj.grid.code)  # type: ignore[attr-defined]


def _fresh_id(world: World, role: str, side: str) -> str:
    # The same number in every case: each case is rolled back, so it is never a duplicate.
    return make_id_number("320113", dt.date(1990, 5, 6), 777)


def _person_create(world: World, role: str, side: str) -> dict[str, Any]:
    grid = world.place(role, side).grid.code
    return {
        "name": "新居民",
        "id_number": _fresh_id(world, role, side),
        "phone": "13800138000",
        "grid": grid,
        "residence_type": "registered",
    }


def _import_file(world: World, role: str, side: str) -> dict[str, Any]:
    place = world.place(role, side)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    row = {NAME: "导入居民", ID_NUMBER: _fresh_id(world, role, side), PHONE: "13800138001", GRID: place.grid.code}
    sheet.append([row.get(c, "") for c in COLUMNS])
    data = io.BytesIO()
    workbook.save(data)
    upload = io.BytesIO(data.getvalue())
    upload.name = "people.xlsx"
    return {"community": place.community.code, "file": upload}


def _unit_create(world: World, role: str, side: str) -> dict[str, Any]:
    return {
        "name": "新共建单位",
        "credit_code": make_credit_code("91", "320113", "MA000777"),
        "unit_type": "other",
        "community": world.place(role, side).community.code,
    }


def _department_create(world: World, role: str, side: str) -> dict[str, Any]:
    return {"region": world.place(role, side).grid.code[:6], "code": "TEST-01", "name": "测试局"}


def _listed(kind: str) -> Callable[[World, str, str], tuple[str, str]]:
    """The side's object as a list shows it (its name) and the code that decides who may see it."""

    def listed(world: World, role: str, side: str) -> tuple[str, str]:
        obj = _obj(world, kind, role, side)
        name = obj.person.name if isinstance(obj, PartyMember) else str(obj)
        return name, _code_of(obj)

    return listed


def _search_by_id(world: World, role: str, side: str) -> dict[str, Any]:
    """Search for the side's resident by exact ID number: found inside, never from outside."""
    resident = world.place(role, side).resident
    return {"q": world.people.plaintext.get(resident.pk, ("",))[0] or _elsewhere_id()}


def _elsewhere_id() -> str:
    return make_id_number("320508", dt.date(1980, 1, 2), 901)


def _u(template: str, kind: str | None = None) -> Callable[[World, str, str], str]:
    def url(world: World, role: str, side: str) -> str:
        if kind is None:
            return template
        obj = _obj(world, kind, role, side)
        key = obj.code if isinstance(obj, Region) or kind == "building" else obj.pk  # type: ignore[attr-defined]
        return template.format(key)

    return url


ENDPOINTS: list[Endpoint] = [
    # ---- pages: residents
    Endpoint("page person list", "GET", _u("/people/"), Cap.PEOPLE_VIEW, listed=_listed("person")),
    Endpoint(
        "page person search", "POST", _u("/people/"), Cap.PEOPLE_VIEW, payload=_search_by_id, listed=_listed("person")
    ),
    Endpoint("page person detail", "GET", _u("/people/{}/", "person"), Cap.PEOPLE_VIEW, target="person"),
    Endpoint("page person add form", "GET", _u("/people/add/"), Cap.PEOPLE_EDIT),
    Endpoint(
        "page person add",
        "POST",
        _u("/people/add/"),
        Cap.PEOPLE_EDIT,
        creates="grid",
        payload=_person_create,
        success=302,
    ),
    Endpoint(
        "page person edit form",
        "GET",
        _u("/people/{}/edit/", "person"),
        Cap.PEOPLE_VIEW,
        act=Cap.PEOPLE_EDIT,
        target="person",
    ),
    Endpoint(
        "page person edit",
        "POST",
        _u("/people/{}/edit/", "person"),
        Cap.PEOPLE_VIEW,
        act=Cap.PEOPLE_EDIT,
        target="person",
        success=302,
        payload=lambda w, r, s: {"name": "改了名", "residence_type": "migrant", "is_active": "on"},
    ),
    Endpoint(
        "page person unmask",
        "POST",
        _u("/people/{}/unmask/phone/", "person"),
        Cap.PEOPLE_VIEW,
        act=Cap.PEOPLE_UNMASK,
        target="person",
        payload=lambda w, r, s: {"reason": "入户核实"},
    ),
    Endpoint("page person import form", "GET", _u("/people/import/"), Cap.PEOPLE_IMPORT),
    Endpoint(
        "page person import",
        "POST",
        _u("/people/import/"),
        Cap.PEOPLE_IMPORT,
        creates="community",
        payload=_import_file,
        success=302,
    ),
    Endpoint("page person import template", "GET", _u("/people/import/template.xlsx"), Cap.PEOPLE_IMPORT),
    Endpoint(
        "page person export",
        "POST",
        _u("/people/export/"),
        Cap.PEOPLE_EXPORT,
        payload=lambda w, r, s: {},
        listed=_listed("person"),
    ),
    # ---- pages: party, units, departments
    Endpoint("page partyorg list", "GET", _u("/party-organizations/"), Cap.PARTY_VIEW, listed=_listed("partyorg")),
    Endpoint(
        "page partyorg detail", "GET", _u("/party-organizations/{}/", "partyorg"), Cap.PARTY_VIEW, target="partyorg"
    ),
    Endpoint("page partymember list", "GET", _u("/party-members/"), Cap.PARTY_VIEW, listed=_listed("partymember")),
    Endpoint(
        "page partymember detail", "GET", _u("/party-members/{}/", "partymember"), Cap.PARTY_VIEW, target="partymember"
    ),
    Endpoint("page unit list", "GET", _u("/units/"), Cap.UNITS_VIEW, listed=_listed("unit")),
    Endpoint("page unit detail", "GET", _u("/units/{}/", "unit"), Cap.UNITS_VIEW, target="unit"),
    Endpoint("page unit add form", "GET", _u("/units/add/"), Cap.UNITS_EDIT),
    Endpoint(
        "page unit add",
        "POST",
        _u("/units/add/"),
        Cap.UNITS_EDIT,
        creates="community",
        payload=_unit_create,
        success=302,
    ),
    Endpoint(
        "page unit edit",
        "POST",
        _u("/units/{}/edit/", "unit"),
        Cap.UNITS_VIEW,
        act=Cap.UNITS_EDIT,
        target="unit",
        payload=lambda w, r, s: {"name": "改名单位", "unit_type": "other"},
        success=302,
    ),
    Endpoint(
        "page unit unmask",
        "POST",
        _u("/units/{}/unmask/", "unit"),
        Cap.UNITS_VIEW,
        act=Cap.PEOPLE_UNMASK,
        target="unit",
        payload=lambda w, r, s: {"reason": "联系共建事宜"},
    ),
    Endpoint("page department list", "GET", _u("/departments/"), Cap.DEPARTMENTS_VIEW, listed=_listed("department")),
    Endpoint(
        "page department detail", "GET", _u("/departments/{}/", "department"), Cap.DEPARTMENTS_VIEW, target="department"
    ),
    Endpoint("page department add form", "GET", _u("/departments/add/"), Cap.DEPARTMENTS_EDIT),
    Endpoint(
        "page department add",
        "POST",
        _u("/departments/add/"),
        Cap.DEPARTMENTS_EDIT,
        creates="district",
        payload=_department_create,
        success=302,
    ),
    # ---- pages: regions (existing)
    Endpoint("page region list", "GET", _u("/regions/"), Cap.REGIONS_VIEW),
    Endpoint("page region search", "GET", _u("/search/?q=网格"), Cap.REGIONS_VIEW),
    Endpoint("page region detail", "GET", _u("/regions/{}/", "grid"), Cap.REGIONS_VIEW, target="grid"),
    Endpoint("page region geojson", "GET", _u("/regions/{}/geojson", "grid"), Cap.REGIONS_VIEW, target="grid"),
    Endpoint("page building detail", "GET", _u("/buildings/{}/", "building"), Cap.REGIONS_VIEW, target="building"),
    # ---- API: residents
    Endpoint("api person list", "GET", _u("/api/v1/people/"), Cap.PEOPLE_VIEW, api=True, listed=_listed("person")),
    Endpoint(
        "api person detail", "GET", _u("/api/v1/people/{}/", "person"), Cap.PEOPLE_VIEW, target="person", api=True
    ),
    Endpoint(
        "api person create",
        "POST",
        _u("/api/v1/people/"),
        Cap.PEOPLE_EDIT,
        creates="grid",
        payload=_person_create,
        api=True,
        success=201,
    ),
    Endpoint(
        "api person update",
        "PATCH",
        _u("/api/v1/people/{}/", "person"),
        Cap.PEOPLE_VIEW,
        act=Cap.PEOPLE_EDIT,
        target="person",
        api=True,
        payload=lambda w, r, s: {"name": "改了名"},
    ),
    Endpoint(
        "api person unmask",
        "POST",
        _u("/api/v1/people/{}/unmask/", "person"),
        Cap.PEOPLE_VIEW,
        act=Cap.PEOPLE_UNMASK,
        target="person",
        api=True,
        payload=lambda w, r, s: {"field": "id_number", "reason": "办理业务核验"},
    ),
    Endpoint(
        "api person search",
        "POST",
        _u("/api/v1/people/search/"),
        Cap.PEOPLE_VIEW,
        payload=_search_by_id,
        api=True,
        listed=_listed("person"),
    ),
    # ---- API: party, units, departments, regions
    Endpoint(
        "api partyorg list",
        "GET",
        _u("/api/v1/party-organizations/"),
        Cap.PARTY_VIEW,
        api=True,
        listed=_listed("partyorg"),
    ),
    Endpoint(
        "api partyorg detail",
        "GET",
        _u("/api/v1/party-organizations/{}/", "partyorg"),
        Cap.PARTY_VIEW,
        target="partyorg",
        api=True,
    ),
    Endpoint(
        "api partymember list",
        "GET",
        _u("/api/v1/party-members/"),
        Cap.PARTY_VIEW,
        api=True,
        listed=_listed("partymember"),
    ),
    Endpoint(
        "api partymember detail",
        "GET",
        _u("/api/v1/party-members/{}/", "partymember"),
        Cap.PARTY_VIEW,
        target="partymember",
        api=True,
    ),
    Endpoint("api unit list", "GET", _u("/api/v1/units/"), Cap.UNITS_VIEW, api=True, listed=_listed("unit")),
    Endpoint("api unit detail", "GET", _u("/api/v1/units/{}/", "unit"), Cap.UNITS_VIEW, target="unit", api=True),
    Endpoint(
        "api unit unmask",
        "POST",
        _u("/api/v1/units/{}/unmask/", "unit"),
        Cap.UNITS_VIEW,
        act=Cap.PEOPLE_UNMASK,
        target="unit",
        api=True,
        payload=lambda w, r, s: {"reason": "联系共建事宜"},
    ),
    Endpoint(
        "api department list",
        "GET",
        _u("/api/v1/departments/"),
        Cap.DEPARTMENTS_VIEW,
        api=True,
        listed=_listed("department"),
    ),
    Endpoint(
        "api department detail",
        "GET",
        _u("/api/v1/departments/{}/", "department"),
        Cap.DEPARTMENTS_VIEW,
        target="department",
        api=True,
    ),
    Endpoint(
        "api region list",
        "GET",
        _u("/api/v1/regions/?level=grid&limit=1000"),
        Cap.REGIONS_VIEW,
        api=True,
        listed=_listed("grid"),
    ),
    Endpoint("api region detail", "GET", _u("/api/v1/regions/{}/", "grid"), Cap.REGIONS_VIEW, target="grid", api=True),
    Endpoint(
        "api building detail",
        "GET",
        _u("/api/v1/buildings/{}/", "building"),
        Cap.REGIONS_VIEW,
        target="building",
        api=True,
    ),
]
BY_NAME = {e.name: e for e in ENDPOINTS}


# ---------------------------------------------------------------------------- expectation


def covers(role: str, code: str) -> bool:
    """DESIGN.md rule 2: a node's code is its path, so jurisdiction is a prefix test."""
    prefix = JURISDICTION[role]
    return prefix is None or code.startswith(prefix)


def target_code(world: World, endpoint: Endpoint, role: str, side: str) -> str:
    place = world.place(role, side)
    if endpoint.creates == "grid":
        return place.grid.code
    if endpoint.creates == "community":
        return place.community.code
    if endpoint.creates == "district":
        return place.grid.code[:6]
    assert endpoint.target is not None
    return _code_of(_obj(world, endpoint.target, role, side))


def expected(world: World, role: str, endpoint: Endpoint, side: str) -> str:
    """What the capability table and the prefix rule say the answer must be."""
    caps = CAPABILITIES[role]
    if endpoint.section not in caps:
        return DENIED  # the page is not for this role at all: 403 before any lookup
    if endpoint.target is not None and not covers(role, target_code(world, endpoint, role, side)):
        return NOT_FOUND  # missing and out of scope look the same
    if endpoint.act is not None and endpoint.act not in caps:
        return DENIED  # visible, but this act is not the role's
    if endpoint.creates is not None and not covers(role, target_code(world, endpoint, role, side)):
        return INVALID  # a place outside the jurisdiction is not among the choices: a form/400 error
    return ALLOWED


# Hand-written from the issue and DESIGN.md, independently of CAPABILITIES: if the table is changed
# in a way these sentences forbid, this list catches it.
SPOT_CHECKS: list[tuple[str, str, str, str]] = [
    # "a grid worker … sees only their grid's residents"; cannot open the next grid's (404)
    (Role.GRID_WORKER, "page person detail", INSIDE, ALLOWED),
    (Role.GRID_WORKER, "page person detail", OUTSIDE, NOT_FOUND),
    (Role.GRID_WORKER, "api person detail", OUTSIDE, NOT_FOUND),
    (Role.GRID_WORKER, "page person add", INSIDE, ALLOWED),  # 即报即办: grid workers register residents
    (Role.GRID_WORKER, "page person add", OUTSIDE, INVALID),
    # only the roles that need the full value may press 「查看」
    (Role.GRID_WORKER, "page person unmask", INSIDE, DENIED),
    (Role.GRID_WORKER, "page person unmask", OUTSIDE, NOT_FOUND),
    (Role.COMMUNITY_STAFF, "api person unmask", INSIDE, DENIED),
    (Role.COMMUNITY_SECRETARY, "page person unmask", INSIDE, ALLOWED),
    (Role.COMMUNITY_SECRETARY, "page person unmask", OUTSIDE, NOT_FOUND),
    (Role.STREET_STAFF, "api person unmask", INSIDE, ALLOWED),
    (Role.DISTRICT_LEADER, "page person unmask", INSIDE, DENIED),
    (Role.COMMUNITY_SECRETARY, "page unit unmask", INSIDE, ALLOWED),
    # leaders look, they do not write
    (Role.DISTRICT_LEADER, "page person edit", INSIDE, DENIED),
    (Role.DISTRICT_LEADER, "page person export", INSIDE, ALLOWED),
    (Role.CITY_LEADER, "page person detail", OUTSIDE, NOT_FOUND),
    (Role.CITY_LEADER, "page person export", INSIDE, DENIED),
    (Role.CITY_LEADER, "api person create", INSIDE, DENIED),
    # imports are the community's job
    (Role.COMMUNITY_STAFF, "page person import", INSIDE, ALLOWED),
    (Role.COMMUNITY_STAFF, "page person import", OUTSIDE, INVALID),
    (Role.STREET_STAFF, "page person import", INSIDE, DENIED),
    (Role.GRID_WORKER, "page person export", INSIDE, DENIED),
    # "a department only what was sent to it": no residents
    (Role.DEPARTMENT_STAFF, "page person list", INSIDE, DENIED),
    (Role.DEPARTMENT_STAFF, "api person detail", INSIDE, DENIED),
    (Role.DEPARTMENT_STAFF, "page department detail", INSIDE, ALLOWED),
    (Role.DEPARTMENT_STAFF, "page department detail", OUTSIDE, NOT_FOUND),
    # units sit at community level: a grid worker's grid does not contain them
    (Role.GRID_WORKER, "page unit detail", INSIDE, NOT_FOUND),
    (Role.COMMUNITY_STAFF, "page unit edit", INSIDE, ALLOWED),
    (Role.COMMUNITY_STAFF, "page unit edit", OUTSIDE, NOT_FOUND),
    # 三员分立: system admin keeps reference data, sees no personal data
    (Role.SYSTEM_ADMIN, "page person list", INSIDE, DENIED),
    (Role.SYSTEM_ADMIN, "api person detail", INSIDE, DENIED),
    (Role.SYSTEM_ADMIN, "page partymember detail", INSIDE, DENIED),
    (Role.SYSTEM_ADMIN, "page department add", INSIDE, ALLOWED),
    (Role.SYSTEM_ADMIN, "page department detail", OUTSIDE, ALLOWED),  # city-wide reference data
    (Role.SYSTEM_ADMIN, "page region detail", OUTSIDE, ALLOWED),
    # … the security administrator manages accounts only, the audit administrator reads the trail only
    (Role.SECURITY_ADMIN, "page person list", INSIDE, DENIED),
    (Role.SECURITY_ADMIN, "page department list", INSIDE, DENIED),
    (Role.AUDIT_ADMIN, "api person list", INSIDE, DENIED),
    (Role.AUDIT_ADMIN, "page unit detail", INSIDE, DENIED),
    (Role.AUDIT_ADMIN, "page region detail", INSIDE, DENIED),
]

# Cases where the product does not (yet) do what the capability table says. Strict xfail: the day
# the product is fixed the case passes, the suite fails, and this entry has to go.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def test_spot_checks_agree_with_the_derived_table(world: World) -> None:
    wrong = [
        (role, name, side, want, expected(world, role, BY_NAME[name], side))
        for role, name, side, want in SPOT_CHECKS
        if expected(world, role, BY_NAME[name], side) != want
    ]
    assert not wrong, f"the expectation table contradicts hand-written cases: {wrong}"


def test_jurisdictions_match_the_fixture(world: World) -> None:
    for role in ROLES:
        region = Membership.objects.get(user=world.user(role)).region
        assert (region.prefix if region is not None else None) == JURISDICTION[role], role


def test_every_role_and_capability_is_exercised() -> None:
    # A new role or capability without an endpoint here would slip through the matrix.
    assert set(CAPABILITIES) == set(Role)
    used = {e.section for e in ENDPOINTS} | {e.act for e in ENDPOINTS if e.act is not None}
    not_ours = {Cap.REGIONS_EDIT, Cap.PARTY_EDIT, Cap.ACCOUNTS_MANAGE, Cap.AUDIT_VIEW}  # no people page uses them
    # The case loop's capabilities are exercised by its own matrix (tests/cases/test_transitions.py,
    # test_access.py, test_views.py), where the party, not only the role, decides.
    not_ours |= {c for c in Cap if c.value.startswith(("cases.", "kpi."))}
    # The service loop's, by tests/serviceloop/test_permission_matrix.py and each service app's tests.
    not_ours |= {c for c in Cap if c.value.startswith("services.")}
    assert set(Cap) - used == not_ours


# ------------------------------------------------------------------------------- the run


WATCHED: tuple[type[Model], ...] = (Person, Unit, Department, PartyOrganization, PartyMember, AuditEvent, Membership)


def _snapshot(obj: Model | None) -> dict[str, Any]:
    counts = {model.__name__: model._default_manager.count() for model in WATCHED}
    row = type(obj)._default_manager.filter(pk=obj.pk).values().first() if obj is not None else None
    return {"counts": counts, "row": row}


def _send(client: Client, endpoint: Endpoint, url: str, payload: dict[str, Any] | None) -> Any:
    if endpoint.method == "GET":
        return client.get(url)
    if endpoint.api:
        send = client.patch if endpoint.method == "PATCH" else client.post
        return send(url, payload or {}, content_type="application/json")
    return client.post(url, payload or {})


def _status_of(outcome: str, endpoint: Endpoint) -> int:
    if outcome == ALLOWED:
        return endpoint.success
    if outcome == DENIED:
        return 403
    if outcome == NOT_FOUND:
        return 404
    return 400 if endpoint.api else 200  # INVALID: the API says 400, a page shows the form again


CASES = [
    pytest.param(
        role,
        endpoint.name,
        side,
        id=f"{role}|{endpoint.name}|{side}",
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[(role, endpoint.name)])]
        if (role, endpoint.name) in KNOWN_GAPS
        else [],
    )
    for role in ROLES
    for endpoint in ENDPOINTS
    for side in (INSIDE, OUTSIDE)
]


@pytest.mark.parametrize(("role", "name", "side"), CASES)
def test_matrix(world: World, db: None, role: str, name: str, side: str) -> None:
    endpoint = BY_NAME[name]
    want = expected(world, role, endpoint, side)
    target = _obj(world, endpoint.target, role, side) if endpoint.target else None
    url = endpoint.url(world, role, side)
    payload = endpoint.payload(world, role, side) if endpoint.payload else None
    client = force_login_verified(Client(), world.user(role))
    before = _snapshot(target)

    response = _send(client, endpoint, url, payload)

    assert response.status_code == _status_of(want, endpoint), (
        f"{role} {endpoint.method} {url} ({side}): expected {want}, got {response.status_code}"
    )
    after = _snapshot(target)
    if endpoint.writes and want != ALLOWED:
        # Refused: not one row anywhere, the target untouched, no audit row.
        assert after == before
    if want == INVALID:
        body = response.json() if endpoint.api else None
        if body is not None:
            assert {e["field"] for e in body["errors"]} & {"grid", "community", "region"}
    if want == ALLOWED and endpoint.writes and "search" not in endpoint.name:
        assert after["counts"]["AuditEvent"] > before["counts"]["AuditEvent"], "an allowed write leaves an audit row"
    if want == ALLOWED and endpoint.listed is not None:
        # Lists answer whatever the side, but show the object exactly when it is in scope.
        name, code = endpoint.listed(world, role, side)
        shown = name in _text_of(response)
        assert shown == covers(role, code), f"{name} {'listed' if shown else 'missing'} for {role}"


def _text_of(response: Any) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        return "\n".join(" ".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True))
    return str(response.content.decode())
