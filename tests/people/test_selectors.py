"""Scoped reads: each role sees its subtree and nothing past its edge; missing and hidden look alike."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.core.models import Role
from gongzhi.people import selectors
from gongzhi.people.models import Person
from tests.people.conftest import EDGES, PeopleTree

pytestmark = pytest.mark.django_db

READERS = [r for r, (inside, _) in EDGES.items() if inside and r != Role.DEPARTMENT_STAFF]


@pytest.mark.parametrize("role", READERS)
def test_each_role_sees_its_side_of_the_edge(people_tree: PeopleTree, role: str) -> None:
    user = people_tree.users[role]
    inside, outside = people_tree.inside(role), people_tree.outside(role)
    assert inside is not None

    visible = set(selectors.people_for(user).values_list("pk", flat=True))

    assert {p.pk for p in inside.residents} <= visible
    assert selectors.access_person_by_id(user, inside.resident.pk) == inside.resident
    if outside is not None:
        assert not {p.pk for p in outside.residents} & visible
        with pytest.raises(NotFound):
            selectors.access_person_by_id(user, outside.resident.pk)


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_roles_without_people_see_none(people_tree: PeopleTree, role: str) -> None:
    assert not selectors.people_for(people_tree.users[role]).exists()


def test_anonymous_and_missing_look_the_same(people_tree: PeopleTree) -> None:
    assert not selectors.people_for(AnonymousUser()).exists()
    with pytest.raises(NotFound):
        selectors.access_person_by_id(people_tree.users[Role.CITY_LEADER], 10**9)


def test_the_household_is_the_visible_people_of_one_room(people_tree: PeopleTree) -> None:
    place = people_tree.place("grid1")

    household = selectors.household_of(people_tree.users[Role.GRID_WORKER], place.resident)

    assert list(household) == place.residents


def test_in_service_members_are_seen_where_they_registered_not_where_they_live(people_tree: PeopleTree) -> None:
    staff = people_tree.users[Role.COMMUNITY_STAFF]
    member = people_tree.in_service_member

    assert selectors.access_party_member_by_id(staff, member.pk) == member
    assert not selectors.people_for(staff).filter(pk=member.person_id).exists()
    with pytest.raises(NotFound):  # 尧化门 grid 1 is not where they registered
        selectors.access_party_member_by_id(people_tree.users[Role.GRID_WORKER], member.pk)


def test_party_organisations_units_and_departments_are_scoped(people_tree: PeopleTree) -> None:
    street = people_tree.users[Role.STREET_STAFF]
    leader = people_tree.users[Role.DISTRICT_LEADER]

    assert selectors.access_party_organization_by_id(street, people_tree.street_committee.pk)
    with pytest.raises(NotFound):
        selectors.access_party_organization_by_id(street, people_tree.place("street2").branch.pk)
    assert selectors.access_unit_by_id(street, people_tree.place("grid3").unit.pk)
    with pytest.raises(NotFound):
        selectors.access_unit_by_id(street, people_tree.place("street2").unit.pk)
    # Departments belong to a district: its people see them, a street below does not.
    assert list(selectors.departments_for(leader)) == [people_tree.department]
    assert list(selectors.departments_for(people_tree.users[Role.DEPARTMENT_STAFF])) == [people_tree.department]
    assert not selectors.departments_for(street).exists()
    with pytest.raises(NotFound):
        selectors.access_department_by_id(leader, people_tree.other_department.pk)
    assert set(selectors.departments_for(people_tree.users[Role.SYSTEM_ADMIN])) == {
        people_tree.department,
        people_tree.other_department,
    }


def test_require_capability_separates_seeing_from_doing(people_tree: PeopleTree) -> None:
    code = people_tree.place("grid1").grid.code

    selectors.require_capability(people_tree.users[Role.COMMUNITY_SECRETARY], Cap.PEOPLE_UNMASK, code)
    with pytest.raises(PermissionDenied):
        selectors.require_capability(people_tree.users[Role.COMMUNITY_STAFF], Cap.PEOPLE_UNMASK, code)
    with pytest.raises(PermissionDenied):
        selectors.require_capability(people_tree.users[Role.DISTRICT_LEADER], Cap.PEOPLE_EDIT, code)


def test_search_of_an_empty_text_lists_everyone_visible(people_tree: PeopleTree) -> None:
    worker = people_tree.users[Role.GRID_WORKER]

    assert set(selectors.search_people(worker, " ")) == set(
        Person.objects.filter(region_code__startswith="320113001001001")
    )
