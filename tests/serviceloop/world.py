"""`world`: the people tree with the service loop's participants, shared by every service-loop test.

Built on tests/people/conftest.py's people tree (尧化门社区 = tree.community holds grid1 and grid2;
新尧社区 = tree.community2; 马群社区 in 马群街道 = tree.street2; 西善桥社区 in 雨花台区).

  volunteer key  who                                           sign-in   serves in
  wang           王建国, resident party member, grid1            "wang"    尧化门社区 (home)
  wu             吴敏, in-service member, lives in 马群 (street2), "wu"      尧化门社区 (registration approved)
                 works for grid1's unit
  zhao           赵建国, resident member of 马群社区              "zhao"    马群社区, and 尧化门社区 (approved)
  sun            孙建国, member in 西善桥 (another district)       "sun"     西善桥社区; 尧化门 registration PENDING
  li             李秀英 (grid1), plain resident volunteer, liaison "li"       尧化门社区; acts for grid1's unit
                 of grid1's unit (approved unit registration)

Staff sign-ins are the people tree's: grid, community, secretary, street, dept, leader, city, sysadmin,
secadmin, auditor (password tests.web.users.PASSWORD). `world.user(key)` finds either kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User

from gongzhi.people.models import PartyMember, Person, Unit
from gongzhi.points.earning import ensure_default_rules
from gongzhi.regions.models import Region
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus, UnitRegistration
from gongzhi.services.seed import ensure_need_taxonomy
from gongzhi.volunteers.models import Volunteer
from tests.conftest import SmallTree
from tests.people.conftest import USERNAMES, PeopleTree, make_people_tree
from tests.web.users import PASSWORD

__all__ = ["PASSWORD", "World", "make_world"]


@dataclass
class World:
    people: PeopleTree
    volunteers: dict[str, Volunteer] = field(default_factory=dict)
    members: dict[str, PartyMember] = field(default_factory=dict)
    unit: Unit | None = None  # grid1's co-building unit, registered with 尧化门社区, liaison li

    @property
    def community(self) -> Region:  # 尧化门社区
        return self.people.tree.community

    @property
    def street(self) -> Region:  # 尧化街道
        return self.people.tree.street

    def user(self, key: str) -> User:
        if key in self.volunteers:
            user = self.volunteers[key].user
            assert user is not None
            return user
        return User.objects.get(username=key)

    def resident(self, place: str = "grid1", index: int = 2) -> Person:
        """A resident who is not a volunteer (the grid1 child by default) — the one who wishes."""
        return self.people.places[place].residents[index]


def _volunteer(key: str, person: Person, community: Region, skills: list[str]) -> Volunteer:
    user = User.objects.create_user(username=key, password=PASSWORD, first_name=person.name)
    building = person.room.unit.building if person.room is not None else None
    return Volunteer.objects.create(
        person=person,
        user=user,
        community=community,
        region_code=community.code,
        building=building,
        skills=skills,
        joined_on=dt.date(2025, 1, 1),
    )


def _member_registration(member: PartyMember, volunteer: Volunteer, community: Region, status: str) -> None:
    MemberRegistration.objects.create(
        member=member,
        volunteer=volunteer,
        community=community,
        region_code=community.code,
        status=status,
        decided_at=None if status == RegistrationStatus.PENDING else dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
    )


def make_world(people: PeopleTree) -> World:
    # A transactional test before this one may have flushed what the migrations seeded.
    ensure_need_taxonomy()
    ensure_default_rules()
    tree = people.tree
    places = people.places
    world = World(people=people)
    maqun = places["street2"].community
    xishan = places["district2"].community
    world.members = {
        "wang": places["grid1"].member,
        "wu": people.in_service_member,
        "zhao": places["street2"].member,
        "sun": places["district2"].member,
    }
    world.volunteers = {
        "wang": _volunteer("wang", places["grid1"].member.person, tree.community, ["ELD01", "FIX02"]),
        "wu": _volunteer("wu", people.in_service_member.person, tree.community, ["EDU01", "LAW01"]),
        "zhao": _volunteer("zhao", places["street2"].member.person, maqun, ["FIX01", "FIX02"]),
        "sun": _volunteer("sun", places["district2"].member.person, xishan, ["MED01"]),
        "li": _volunteer("li", places["grid1"].residents[1], tree.community, ["ELD02", "CUL01"]),
    }
    _member_registration(world.members["wu"], world.volunteers["wu"], tree.community, RegistrationStatus.APPROVED)
    _member_registration(world.members["zhao"], world.volunteers["zhao"], tree.community, RegistrationStatus.APPROVED)
    _member_registration(world.members["sun"], world.volunteers["sun"], tree.community, RegistrationStatus.PENDING)
    world.unit = places["grid1"].unit
    UnitRegistration.objects.create(
        unit=world.unit,
        community=tree.community,
        region_code=tree.community.code,
        status=RegistrationStatus.APPROVED,
        liaison=world.volunteers["li"],
        decided_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
    )
    return world


@pytest.fixture
def world(small_tree: SmallTree) -> World:
    return make_world(make_people_tree(small_tree))


STAFF = dict(USERNAMES)
