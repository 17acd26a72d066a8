"""`people_tree`: the small tree filled with people, and one user for every role.

Built on `small_tree`, plus one community and grid in 马群街道 and a second district (320114 雨花台区)
so that every scope has a neighbour just outside it:

  place       grid                          community     street     district   just outside of
  grid1       320113001001001 第一网格        尧化门社区     尧化街道    栖霞区      —
  grid2       320113001001002 第二网格        尧化门社区     尧化街道    栖霞区      the grid worker (grid1)
  grid3       320113001002001 学校专属网格     新尧社区       尧化街道    栖霞区      尧化门社区 staff
  street2     320113002001001 马群社区第一网格  马群社区       马群街道    栖霞区      尧化街道 staff
  district2   320114001001001 西善桥第一网格    西善桥社区     西善桥街道  雨花台区    栖霞区 leader, 城管局

Each place has a building with four rooms, a household of three (head, spouse, child) in the
first room, a unit in its community, a grid party branch under its community's and street's
organisations, and the head as a resident party member. Also: one in-service member who lives in
马群 but registered with 尧化门社区, a 楼栋党小组 in grid1, and 城管局 in each district.

Users (password tests.web.users.PASSWORD), one per Role: grid→grid1, community & secretary→尧化门社区,
street→尧化街道, dept & leader→栖霞区 (dept in 城管局), city→南京市, the three administrators region-less.
Plaintext ID numbers and phones are kept in `plaintext` for tests that look for leaks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.test import Client
from shapely.geometry import box

from gongzhi.core.models import Membership, Role
from gongzhi.people.actions import (
    do_create_department,
    do_create_party_member,
    do_create_party_organization,
    do_create_person,
    do_create_unit,
)
from gongzhi.people.models import (
    Department,
    HouseholdRelation,
    MemberKind,
    PartyMember,
    PartyOrganization,
    PartyOrgKind,
    Person,
    ResidenceType,
    Unit,
    UnitType,
)
from gongzhi.people.validators import id_check_char, org_code_check_char, uscc_check_char
from gongzhi.regions.actions import do_create_building, do_create_region
from gongzhi.regions.models import Building, Region, Room
from tests.conftest import SmallTree
from tests.web.users import PASSWORD

__all__ = ["EDGES", "PASSWORD", "PeopleTree", "Place", "make_credit_code", "make_id_number"]


def make_id_number(region: str, born: dt.date, sequence: int) -> str:
    """A valid 18-digit ID number; an odd sequence is a man, an even one a woman."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def make_credit_code(prefix: str, region: str, organisation: str) -> str:
    """A valid credit code from its 2-char prefix, 6-digit county and the 8-char organisation body."""
    body = prefix + region + organisation + org_code_check_char(organisation)
    return body + uscc_check_char(body)


@dataclass
class Place:
    key: str
    grid: Region
    community: Region
    street: Region
    building: Building
    rooms: list[Room]
    residents: list[Person]  # head, spouse, child — all in rooms[0]
    unit: Unit
    branch: PartyOrganization  # the grid's party branch
    member: PartyMember  # the head, a resident member of `branch`

    @property
    def resident(self) -> Person:
        return self.residents[0]


@dataclass
class PeopleTree:
    tree: SmallTree
    places: dict[str, Place]
    users: dict[str, User]  # by Role value
    street_committee: PartyOrganization  # 尧化街道党工委
    community_committee: PartyOrganization  # 尧化门社区党委
    building_group: PartyOrganization  # a 楼栋党小组 in grid1
    in_service_member: PartyMember  # lives in 马群, registered with 尧化门社区
    department: Department  # 栖霞区城市管理局
    other_department: Department  # 雨花台区城市管理局
    plaintext: dict[int, tuple[str, str]] = field(default_factory=dict)  # person pk → (ID number, phone)

    def place(self, key: str) -> Place:
        return self.places[key]

    def inside(self, role: str) -> Place | None:
        key = EDGES[role][0]
        return self.places[key] if key else None

    def outside(self, role: str) -> Place | None:
        key = EDGES[role][1]
        return self.places[key] if key else None

    def all_plaintext(self) -> list[str]:
        return [value for pair in self.plaintext.values() for value in pair if value]


# Role → (a place inside its scope, the nearest place just outside). Departments see departments only.
EDGES: dict[str, tuple[str | None, str | None]] = {
    Role.GRID_WORKER: ("grid1", "grid2"),
    Role.COMMUNITY_STAFF: ("grid1", "grid3"),
    Role.COMMUNITY_SECRETARY: ("grid1", "grid3"),
    Role.STREET_STAFF: ("grid3", "street2"),
    Role.DEPARTMENT_STAFF: ("street2", "district2"),
    Role.DISTRICT_LEADER: ("street2", "district2"),
    Role.CITY_LEADER: ("district2", None),
    Role.SYSTEM_ADMIN: (None, None),
    Role.SECURITY_ADMIN: (None, None),
    Role.AUDIT_ADMIN: (None, None),
}

USERNAMES: dict[str, str] = {
    Role.GRID_WORKER: "grid",
    Role.COMMUNITY_STAFF: "community",
    Role.COMMUNITY_SECRETARY: "secretary",
    Role.STREET_STAFF: "street",
    Role.DEPARTMENT_STAFF: "dept",
    Role.DISTRICT_LEADER: "leader",
    Role.CITY_LEADER: "city",
    Role.SYSTEM_ADMIN: "sysadmin",
    Role.SECURITY_ADMIN: "secadmin",
    Role.AUDIT_ADMIN: "auditor",
}


def _region(level: str, code: str, name: str, parent: Region, bounds: tuple[float, float, float, float]) -> Region:
    kind = "comprehensive" if level == "grid" else ""
    return do_create_region(
        actor=None, level=level, code=code, name=name, parent=parent, geometry=box(*bounds), grid_kind=kind
    )


class _Builder:
    def __init__(self, tree: SmallTree) -> None:
        self.tree = tree
        self.plaintext: dict[int, tuple[str, str]] = {}
        self.sequence = 0

    def person(self, name: str, born: dt.date, male: bool, room: Room, relation: str, origin: str = "320113") -> Person:
        self.sequence += 1
        # Sequences stay unique across the fixture; their parity carries the gender.
        sequence = self.sequence * 2 + (1 if male else 0)
        id_number = make_id_number(origin, born, sequence)
        phone = f"1390000{self.sequence:04d}"
        residence = ResidenceType.REGISTERED if origin.startswith("32") else ResidenceType.MIGRANT
        person = do_create_person(
            actor=None,
            name=name,
            id_number=id_number,
            phone=phone,
            room=room,
            household_relation=relation,
            residence_type=residence,
        )
        self.plaintext[person.pk] = (id_number, phone)
        return person

    def place(
        self, key: str, grid: Region, point: tuple[float, float], surname: str, parent_org: PartyOrganization
    ) -> Place:
        community = grid.parent
        assert community is not None and community.parent is not None
        building = do_create_building(
            actor=None,
            community=community,
            name=f"{grid.name}1幢",
            lon=point[0],
            lat=point[1],
            floors=2,
            units=1,
            rooms_per_floor=2,
        )
        rooms = list(Room.objects.filter(unit__building=building).order_by("floor", "number"))
        # The spouse was born in 溧水县 (320124), a code merged away in 2013: still a valid ID.
        residents = [
            self.person(f"{surname}建国", dt.date(1972, 3, 8), True, rooms[0], HouseholdRelation.HEAD),
            self.person("李秀英", dt.date(1975, 11, 20), False, rooms[0], HouseholdRelation.SPOUSE, "320124"),
            self.person(f"{surname}子涵", dt.date(2008, 2, 29), True, rooms[0], HouseholdRelation.CHILD),
        ]
        organisation = self.sequence
        unit = do_create_unit(
            actor=None,
            community=community,
            name=f"{grid.name}物业服务有限公司",
            credit_code=make_credit_code("91", "320113", f"MA{organisation:06d}"),
            unit_type=UnitType.PRIVATE_ENTERPRISE,
            address=f"{community.name}{building.name}",
            is_cobuilding=True,
            liaison_name="周经理",
            liaison_phone=f"1370000{organisation:04d}",
        )
        branch = do_create_party_organization(
            actor=None, name=f"{grid.name}党支部", kind=PartyOrgKind.GRID_BRANCH, region=grid, parent=parent_org
        )
        member = do_create_party_member(
            actor=None,
            person=residents[0],
            organization=branch,
            kind=MemberKind.RESIDENT,
            joined_on=dt.date(1998, 7, 1),
        )
        return Place(key, grid, community, community.parent, building, rooms, residents, unit, branch, member)


def _extra_regions(tree: SmallTree) -> tuple[Region, Region]:
    """马群社区 (in 马群街道) and a whole chain in 雨花台区, each down to one comprehensive grid."""
    maqun = _region("community", "320113002001", "马群社区", tree.street2, (118.85, 32.1, 118.9, 32.16))
    maqun_grid = _region("grid", "320113002001001", "马群社区第一网格", maqun, (118.85, 32.1, 118.9, 32.16))
    bounds = (118.7, 32.0, 118.8, 32.1)
    yuhua = _region("district", "320114", "雨花台区", tree.city, bounds)
    xishan = _region("street", "320114001", "西善桥街道", yuhua, bounds)
    xishan_c = _region("community", "320114001001", "西善桥社区", xishan, bounds)
    xishan_grid = _region("grid", "320114001001001", "西善桥第一网格", xishan_c, bounds)
    return maqun_grid, xishan_grid


def _party_root(name: str, kind: str, region: Region, parent: PartyOrganization | None = None) -> PartyOrganization:
    return do_create_party_organization(actor=None, name=name, kind=kind, region=region, parent=parent)


def _users(tree: SmallTree, department: Department) -> dict[str, User]:
    where: dict[str, Region | None] = {
        Role.GRID_WORKER: tree.grid1,
        Role.COMMUNITY_STAFF: tree.community,
        Role.COMMUNITY_SECRETARY: tree.community,
        Role.STREET_STAFF: tree.street,
        Role.DEPARTMENT_STAFF: tree.district,
        Role.DISTRICT_LEADER: tree.district,
        Role.CITY_LEADER: tree.city,
        Role.SYSTEM_ADMIN: None,
        Role.SECURITY_ADMIN: None,
        Role.AUDIT_ADMIN: None,
    }
    users: dict[str, User] = {}
    for role, region in where.items():
        user = User.objects.create_user(username=USERNAMES[role], password=PASSWORD, first_name=USERNAMES[role])
        Membership.objects.create(
            user=user,
            role=role,
            region=region,
            department=department if role == Role.DEPARTMENT_STAFF else None,
        )
        users[role] = user
    return users


def make_people_tree(tree: SmallTree) -> PeopleTree:
    maqun_grid, xishan_grid = _extra_regions(tree)
    builder = _Builder(tree)
    yaohua = _party_root("尧化街道党工委", PartyOrgKind.STREET_WORKING_COMMITTEE, tree.street)
    yaohuamen = _party_root("尧化门社区党委", PartyOrgKind.COMMUNITY_COMMITTEE, tree.community, yaohua)
    xinyao = _party_root("新尧社区党总支", PartyOrgKind.COMMUNITY_GENERAL_BRANCH, tree.community2, yaohua)
    maqun_street = _party_root("马群街道党工委", PartyOrgKind.STREET_WORKING_COMMITTEE, tree.street2)
    maqun = _party_root(
        "马群社区党委", PartyOrgKind.COMMUNITY_COMMITTEE, maqun_grid.parent or tree.street2, maqun_street
    )
    xishan_community = xishan_grid.parent
    assert xishan_community is not None and xishan_community.parent is not None
    xishan_street = _party_root("西善桥街道党工委", PartyOrgKind.STREET_WORKING_COMMITTEE, xishan_community.parent)
    xishan = _party_root("西善桥社区党委", PartyOrgKind.COMMUNITY_COMMITTEE, xishan_community, xishan_street)
    places = {
        "grid1": builder.place("grid1", tree.grid1, (118.81, 32.145), "王", yaohuamen),
        "grid2": builder.place("grid2", tree.grid2, (118.84, 32.145), "陈", yaohuamen),
        "grid3": builder.place("grid3", tree.grid3, (118.82, 32.115), "刘", xinyao),
        "street2": builder.place("street2", maqun_grid, (118.87, 32.13), "赵", maqun),
        "district2": builder.place("district2", xishan_grid, (118.75, 32.05), "孙", xishan),
    }
    group = do_create_party_organization(
        actor=None,
        name="第一网格1幢党小组",
        kind=PartyOrgKind.BUILDING_GROUP,
        region=tree.grid1,
        parent=places["grid1"].branch,
        building=places["grid1"].building,
    )
    commuter = builder.person(
        "吴敏", dt.date(1985, 6, 1), False, places["street2"].rooms[1], HouseholdRelation.HEAD, "410102"
    )
    in_service = do_create_party_member(
        actor=None,
        person=commuter,
        organization=yaohuamen,
        kind=MemberKind.IN_SERVICE,
        registered_community=tree.community,
        employer=places["grid1"].unit,
        joined_on=dt.date(2010, 7, 1),
    )
    department = do_create_department(
        actor=None, region=tree.district, code="320113-01", name="南京市栖霞区城市管理局", short_name="城管局"
    )
    other = do_create_department(
        actor=None,
        region=Region.objects.get(code="320114"),
        code="320114-01",
        name="南京市雨花台区城市管理局",
        short_name="城管局",
    )
    return PeopleTree(
        tree=tree,
        places=places,
        users=_users(tree, department),
        street_committee=yaohua,
        community_committee=yaohuamen,
        building_group=group,
        in_service_member=in_service,
        department=department,
        other_department=other,
        plaintext=builder.plaintext,
    )


@pytest.fixture
def people_tree(small_tree: SmallTree) -> PeopleTree:
    return make_people_tree(small_tree)


def client_for(user: User) -> Client:
    """A client signed in as `user`, second factor included where the role requires one."""
    from tests.core.signin import force_login_verified

    return force_login_verified(Client(), user)


@pytest.fixture
def grid_worker(people_tree: PeopleTree) -> Client:
    return client_for(people_tree.users[Role.GRID_WORKER])


@pytest.fixture
def community(people_tree: PeopleTree) -> Client:
    return client_for(people_tree.users[Role.COMMUNITY_STAFF])


@pytest.fixture
def secretary(people_tree: PeopleTree) -> Client:
    return client_for(people_tree.users[Role.COMMUNITY_SECRETARY])


@pytest.fixture
def street(people_tree: PeopleTree) -> Client:
    return client_for(people_tree.users[Role.STREET_STAFF])
