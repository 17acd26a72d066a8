"""Every write of the people domain: allowed roles write and audit; refused ones change nothing at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models

from gongzhi.core import pii
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.models import AuditEvent, Role
from gongzhi.people import actions
from gongzhi.people.models import (
    Department,
    MemberKind,
    PartyMember,
    PartyOrganization,
    PartyOrgKind,
    Person,
    ResidenceType,
    Unit,
    UnitType,
)
from gongzhi.people.validators import validate_id_number
from tests.people.conftest import PeopleTree, make_credit_code, make_id_number

pytestmark = pytest.mark.django_db

TABLES: tuple[type[models.Model], ...] = (Person, Unit, PartyOrganization, PartyMember, Department, AuditEvent)
NEW_ID = make_id_number("320113", dt.date(1990, 5, 17), 35)  # a man: sequence 035 is odd


def _snapshot() -> list[list[dict[str, Any]]]:
    return [list(table.objects.order_by("pk").values()) for table in TABLES]  # type: ignore[attr-defined]


@contextmanager
def nothing_written() -> Iterator[None]:
    before = _snapshot()
    yield
    assert _snapshot() == before


def refused(exc: type[Exception], call: Callable[[], object]) -> Exception:
    with nothing_written(), pytest.raises(exc) as info:
        call()
    return info.value


def domain_codes(call: Callable[[], object]) -> set[tuple[str, str]]:
    error = refused(DomainError, call)
    assert isinstance(error, DomainError)
    return {(i.field, i.code) for i in error.items}


def last_audit(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None
    return event


# ── do_create_person ──────────────────────────────────────────────────────────────────────────────


def test_community_staff_registers_a_resident_in_a_room(people_tree: PeopleTree) -> None:
    staff = people_tree.users[Role.COMMUNITY_STAFF]
    room = people_tree.place("grid1").rooms[1]

    person = actions.do_create_person(
        actor=staff, name=" 张伟 ", id_number=NEW_ID, phone="139 1234 5678", room=room, household_relation="head"
    )

    person.refresh_from_db()
    assert person.name == "张伟"
    assert (person.gender, person.birth_date) == ("M", dt.date(1990, 5, 17))
    assert person.region_code == people_tree.tree.grid1.code and person.room_id == room.pk
    assert person.id_number_masked == NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert person.phone_masked == "139****5678"
    assert NEW_ID not in person.id_number_ciphertext and pii.decrypt(person.id_number_ciphertext) == NEW_ID
    assert pii.decrypt(person.phone_ciphertext) == "13912345678"
    assert person.id_number_digest == pii.digest(NEW_ID)
    event = last_audit("person.create")
    assert event.actor == staff and event.object_id == str(person.pk)
    assert event.changes["id_number"] == person.id_number_masked and event.changes["phone"] == "139****5678"
    assert NEW_ID not in str(event.changes) and "13912345678" not in str(event.changes)


def test_a_grid_worker_registers_in_their_own_grid(people_tree: PeopleTree) -> None:
    person = actions.do_create_person(
        actor=people_tree.users[Role.GRID_WORKER], name="何静", id_number=NEW_ID, grid=people_tree.tree.grid1
    )

    assert person.region_code == people_tree.tree.grid1.code and person.room is None and person.phone_masked == ""


def test_the_rooms_grid_wins_over_the_grid_given(people_tree: PeopleTree) -> None:
    room = people_tree.place("grid2").rooms[1]

    person = actions.do_create_person(actor=None, name="何静", id_number=NEW_ID, room=room, grid=people_tree.tree.grid1)

    assert person.region_code == people_tree.tree.grid2.code


def test_registering_with_a_15_digit_id_stores_the_18_digit_form(people_tree: PeopleTree) -> None:
    person = actions.do_create_person(actor=None, name="老户", id_number="320113560101021", grid=people_tree.tree.grid1)

    full = validate_id_number("320113560101021").number
    assert pii.decrypt(person.id_number_ciphertext) == full and person.birth_date == dt.date(1956, 1, 1)


def test_the_same_person_cannot_be_registered_twice_even_in_the_15_digit_form(people_tree: PeopleTree) -> None:
    actions.do_create_person(actor=None, name="老户", id_number="320113560101021", grid=people_tree.tree.grid1)
    full = validate_id_number("320113560101021").number

    codes = domain_codes(
        lambda: actions.do_create_person(actor=None, name="老户", id_number=full, grid=people_tree.tree.grid2)
    )

    assert codes == {("id_number", "duplicate")}


def test_every_field_error_is_reported_at_once(people_tree: PeopleTree) -> None:
    codes = domain_codes(
        lambda: actions.do_create_person(
            actor=None,
            name=" ",
            id_number="320124198507150015",
            phone="12345",
            grid=people_tree.tree.grid1,
            household_relation="cousin",
            residence_type="tourist",
        )
    )

    assert codes == {
        ("name", "required"),
        ("id_number", "checksum"),
        ("phone", "format"),
        ("household_relation", "invalid_choice"),
        ("residence_type", "invalid_choice"),
    }


def test_a_home_is_required_and_must_be_a_grid(people_tree: PeopleTree) -> None:
    assert domain_codes(lambda: actions.do_create_person(actor=None, name="何静", id_number=NEW_ID)) == {
        ("grid", "required")
    }
    assert domain_codes(
        lambda: actions.do_create_person(actor=None, name="何静", id_number=NEW_ID, grid=people_tree.tree.community)
    ) == {("grid", "not_a_grid")}


@pytest.mark.parametrize("role", [Role.DISTRICT_LEADER, Role.CITY_LEADER])
def test_roles_that_only_read_cannot_register(people_tree: PeopleTree, role: str) -> None:
    refused(
        PermissionDenied,
        lambda: actions.do_create_person(
            actor=people_tree.users[role], name="何静", id_number=NEW_ID, grid=people_tree.tree.grid1
        ),
    )


@pytest.mark.parametrize(
    "role", [Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]
)
def test_registering_outside_what_one_sees_is_not_found(people_tree: PeopleTree, role: str) -> None:
    refused(
        NotFound,
        lambda: actions.do_create_person(
            actor=people_tree.users[role], name="何静", id_number=NEW_ID, grid=people_tree.tree.grid2
        ),
    )


# ── do_update_person ──────────────────────────────────────────────────────────────────────────────


def test_an_update_is_audited_with_masked_values_only(people_tree: PeopleTree) -> None:
    person = people_tree.place("grid1").resident
    old_phone = people_tree.plaintext[person.pk][1]

    updated = actions.do_update_person(
        actor=people_tree.users[Role.GRID_WORKER], person=person, phone="18912345678", residence_type="migrant"
    )

    assert updated.phone_masked == "189****5678" and pii.decrypt(updated.phone_ciphertext) == "18912345678"
    assert updated.residence_type == ResidenceType.MIGRANT
    changes = last_audit("person.update").changes
    assert changes["phone"] == [pii.mask_phone(old_phone), "189****5678"]
    assert changes["residence_type"] == ["registered", "migrant"]
    assert set(changes) == {"phone", "residence_type"}
    assert old_phone not in str(changes) and "18912345678" not in str(changes)


def test_an_empty_phone_clears_it(people_tree: PeopleTree) -> None:
    person = actions.do_update_person(actor=None, person=people_tree.place("grid1").resident, phone="")

    assert (person.phone_ciphertext, person.phone_digest, person.phone_masked) == ("", "", "")


def test_an_update_without_changes_writes_no_audit_row(people_tree: PeopleTree) -> None:
    person = people_tree.place("grid1").resident
    before = AuditEvent.objects.count()

    actions.do_update_person(actor=None, person=person, name=person.name)

    assert AuditEvent.objects.count() == before


def test_moving_someone_to_another_grid_of_the_community(people_tree: PeopleTree) -> None:
    person = people_tree.place("grid1").residents[2]
    room = people_tree.place("grid2").rooms[3]

    moved = actions.do_update_person(actor=people_tree.users[Role.COMMUNITY_STAFF], person=person, room=room)

    assert moved.region_code == people_tree.tree.grid2.code and moved.room_id == room.pk
    assert last_audit("person.update").changes["region_code"] == [
        people_tree.tree.grid1.code,
        people_tree.tree.grid2.code,
    ]


def test_a_grid_without_a_room_clears_the_room(people_tree: PeopleTree) -> None:
    moved = actions.do_update_person(
        actor=None, person=people_tree.place("grid1").resident, grid=people_tree.tree.grid2
    )

    assert moved.room is None and moved.region_code == people_tree.tree.grid2.code


def test_a_grid_worker_cannot_move_someone_out_of_their_grid(people_tree: PeopleTree) -> None:
    refused(
        NotFound,
        lambda: actions.do_update_person(
            actor=people_tree.users[Role.GRID_WORKER],
            person=people_tree.place("grid1").resident,
            room=people_tree.place("grid2").rooms[1],
        ),
    )


def test_an_invalid_update_changes_nothing(people_tree: PeopleTree) -> None:
    codes = domain_codes(
        lambda: actions.do_update_person(actor=None, person=people_tree.place("grid1").resident, name="", phone="110")
    )

    assert codes == {("name", "required"), ("phone", "format")}


def test_a_leader_cannot_edit(people_tree: PeopleTree) -> None:
    refused(
        PermissionDenied,
        lambda: actions.do_update_person(
            actor=people_tree.users[Role.DISTRICT_LEADER], person=people_tree.place("grid1").resident, name="改名"
        ),
    )


def test_editing_someone_outside_the_scope_is_not_found(people_tree: PeopleTree) -> None:
    refused(
        NotFound,
        lambda: actions.do_update_person(
            actor=people_tree.users[Role.COMMUNITY_STAFF], person=people_tree.place("grid3").resident, name="改名"
        ),
    )


# ── do_unmask_person_field ────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("role", "field", "index"),
    [
        (Role.COMMUNITY_SECRETARY, "phone", 1),
        (Role.STREET_STAFF, "id_number", 0),
    ],
)
def test_roles_with_the_right_see_the_full_value_and_are_logged(
    people_tree: PeopleTree, role: str, field: str, index: int
) -> None:
    person = people_tree.place("grid1").resident
    plaintext = people_tree.plaintext[person.pk][index]

    value = actions.do_unmask_person_field(
        actor=people_tree.users[role], person=person, field=field, reason="  核实低保申请  "
    )

    assert value == plaintext
    event = last_audit("pii.unmask")
    masked = person.phone_masked if field == "phone" else person.id_number_masked
    assert event.changes == {"field": field, "reason": "核实低保申请", "masked": masked}
    assert event.actor == people_tree.users[role] and event.object_id == str(person.pk)


@pytest.mark.parametrize("role", [Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.DISTRICT_LEADER])
def test_roles_without_the_right_are_refused_and_nothing_is_logged(people_tree: PeopleTree, role: str) -> None:
    refused(
        PermissionDenied,
        lambda: actions.do_unmask_person_field(
            actor=people_tree.users[role], person=people_tree.place("grid1").resident, field="phone", reason="核实"
        ),
    )


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.SECURITY_ADMIN, Role.DEPARTMENT_STAFF])
def test_administrators_never_see_personal_data(people_tree: PeopleTree, role: str) -> None:
    refused(
        NotFound,
        lambda: actions.do_unmask_person_field(
            actor=people_tree.users[role], person=people_tree.place("grid1").resident, field="phone", reason="核实"
        ),
    )


def test_unmasking_outside_the_scope_is_not_found(people_tree: PeopleTree) -> None:
    refused(
        NotFound,
        lambda: actions.do_unmask_person_field(
            actor=people_tree.users[Role.COMMUNITY_SECRETARY],
            person=people_tree.place("grid3").resident,
            field="id_number",
            reason="核实",
        ),
    )


@pytest.mark.parametrize("reason", ["", "   ", "核", " x "])
def test_a_reason_of_at_least_two_characters_is_required(people_tree: PeopleTree, reason: str) -> None:
    codes = domain_codes(
        lambda: actions.do_unmask_person_field(
            actor=people_tree.users[Role.COMMUNITY_SECRETARY],
            person=people_tree.place("grid1").resident,
            field="phone",
            reason=reason,
        )
    )

    assert codes == {("reason", "required")}


def test_only_id_number_and_phone_can_be_unmasked(people_tree: PeopleTree) -> None:
    codes = domain_codes(
        lambda: actions.do_unmask_person_field(
            actor=None, person=people_tree.place("grid1").resident, field="name", reason="核实"
        )
    )

    assert codes == {("field", "invalid_choice")}


def test_an_empty_phone_cannot_be_unmasked(people_tree: PeopleTree) -> None:
    person = actions.do_create_person(actor=None, name="何静", id_number=NEW_ID, grid=people_tree.tree.grid1)

    codes = domain_codes(
        lambda: actions.do_unmask_person_field(actor=None, person=person, field="phone", reason="核实")
    )

    assert codes == {("field", "empty")}


# ── units ─────────────────────────────────────────────────────────────────────────────────────────

N_CODE = make_credit_code("N2", "320113", "12345678")


def test_community_staff_registers_a_village_collective(people_tree: PeopleTree) -> None:
    staff = people_tree.users[Role.COMMUNITY_STAFF]

    unit = actions.do_create_unit(
        actor=staff,
        community=people_tree.tree.community,
        name="尧化门村股份经济合作社",
        credit_code=N_CODE.lower(),
        unit_type=UnitType.OTHER,
        liaison_name="钱主任",
        liaison_phone="025-85671234",
    )

    assert unit.credit_code == N_CODE and unit.region_code == people_tree.tree.community.code
    assert unit.liaison_phone_masked == "025****1234" and pii.decrypt(unit.liaison_phone_ciphertext) == "02585671234"
    changes = last_audit("unit.create").changes
    assert changes["liaison_phone"] == "025****1234" and "02585671234" not in str(changes)


def test_unit_duplicates_and_bad_codes_are_refused(people_tree: PeopleTree) -> None:
    existing = people_tree.place("grid1").unit

    def create(name: str, code: str) -> object:
        return actions.do_create_unit(
            actor=None, community=people_tree.tree.community, name=name, credit_code=code, unit_type="other"
        )

    assert domain_codes(lambda: create("新单位", existing.credit_code)) == {("credit_code", "duplicate")}
    assert domain_codes(lambda: create(existing.name, N_CODE)) == {("name", "duplicate")}
    assert domain_codes(lambda: create("新单位", N_CODE[:-1] + "0")) == {("credit_code", "checksum")}
    assert domain_codes(lambda: create("新单位", "320113000123456")) == {("credit_code", "legacy_registration_number")}


def test_a_unit_belongs_to_a_community(people_tree: PeopleTree) -> None:
    codes = domain_codes(
        lambda: actions.do_create_unit(
            actor=None, community=people_tree.tree.grid1, name="新单位", credit_code=N_CODE, unit_type="other"
        )
    )

    assert codes == {("community", "not_a_community")}


@pytest.mark.parametrize(
    ("role", "exc"),
    [
        (Role.DEPARTMENT_STAFF, PermissionDenied),  # sees units of the district, edits none
        (Role.DISTRICT_LEADER, PermissionDenied),
        (Role.GRID_WORKER, NotFound),  # units sit at community level, above a grid
        (Role.SYSTEM_ADMIN, NotFound),
    ],
)
def test_units_refused(people_tree: PeopleTree, role: str, exc: type[Exception]) -> None:
    refused(
        exc,
        lambda: actions.do_create_unit(
            actor=people_tree.users[role],
            community=people_tree.tree.community,
            name="新单位",
            credit_code=N_CODE,
            unit_type="other",
        ),
    )


def test_a_unit_update_is_audited(people_tree: PeopleTree) -> None:
    unit = people_tree.place("grid1").unit

    updated = actions.do_update_unit(
        actor=people_tree.users[Role.STREET_STAFF], unit=unit, address="尧佳路 8 号", liaison_phone="13300001111"
    )

    assert updated.address == "尧佳路 8 号" and updated.liaison_phone_masked == "133****1111"
    assert set(last_audit("unit.update").changes) == {"address", "liaison_phone"}


def test_a_unit_outside_the_scope_cannot_be_updated(people_tree: PeopleTree) -> None:
    refused(
        NotFound,
        lambda: actions.do_update_unit(
            actor=people_tree.users[Role.COMMUNITY_STAFF], unit=people_tree.place("grid3").unit, name="改名"
        ),
    )


def test_a_unit_update_to_a_taken_credit_code_is_refused(people_tree: PeopleTree) -> None:
    codes = domain_codes(
        lambda: actions.do_update_unit(
            actor=None, unit=people_tree.place("grid1").unit, credit_code=people_tree.place("grid2").unit.credit_code
        )
    )

    assert codes == {("credit_code", "duplicate")}


def test_the_liaison_phone_is_unmasked_only_with_the_right(people_tree: PeopleTree) -> None:
    unit = people_tree.place("grid1").unit

    value = actions.do_unmask_unit_liaison_phone(
        actor=people_tree.users[Role.COMMUNITY_SECRETARY], unit=unit, reason="联系共建活动"
    )

    assert value == pii.decrypt(unit.liaison_phone_ciphertext) and value.startswith("137")
    assert last_audit("pii.unmask").changes["field"] == "liaison_phone"
    refused(
        PermissionDenied,
        lambda: actions.do_unmask_unit_liaison_phone(
            actor=people_tree.users[Role.COMMUNITY_STAFF], unit=unit, reason="联系共建活动"
        ),
    )


# ── party organisations ───────────────────────────────────────────────────────────────────────────


def test_a_community_adds_a_building_party_group(people_tree: PeopleTree) -> None:
    grid2 = people_tree.place("grid2")

    group = actions.do_create_party_organization(
        actor=people_tree.users[Role.COMMUNITY_SECRETARY],
        name="第二网格1幢党小组",
        kind=PartyOrgKind.BUILDING_GROUP,
        region=grid2.grid,
        parent=grid2.branch,
        building=grid2.building,
    )

    assert group.region_code == grid2.grid.code and group.parent == grid2.branch
    assert last_audit("party_organization.create").object_id == str(group.pk)


def test_party_organisations_must_mirror_the_tree(people_tree: PeopleTree) -> None:
    tree = people_tree.tree
    grid1 = people_tree.place("grid1")

    def create(kind: str, region: Any, parent: Any = None, building: Any = None) -> object:
        return actions.do_create_party_organization(
            actor=None, name="新组织", kind=kind, region=region, parent=parent, building=building
        )

    assert domain_codes(lambda: create("grid_branch", tree.grid1, people_tree.street_committee)) == {
        ("parent", "parent_kind")
    }
    assert domain_codes(lambda: create("grid_branch", tree.grid1)) == {("parent", "parent_kind")}
    assert domain_codes(lambda: create("street_committee", tree.street, people_tree.street_committee)) == {
        ("parent", "parent_not_allowed")
    }
    assert domain_codes(lambda: create("community_committee", tree.grid1, people_tree.street_committee)) == {
        ("region", "region_level")
    }
    assert domain_codes(lambda: create("grid_branch", tree.grid3, people_tree.community_committee)) == {
        ("region", "outside_parent")
    }
    assert domain_codes(lambda: create("building_group", tree.grid1, grid1.branch)) == {("building", "required")}
    assert domain_codes(
        lambda: create("building_group", tree.grid1, grid1.branch, people_tree.place("grid2").building)
    ) == {("building", "outside_region")}
    assert domain_codes(lambda: create("unknown", tree.grid1)) == {("kind", "invalid_choice")}


def test_a_duplicate_name_under_one_parent_is_refused(people_tree: PeopleTree) -> None:
    grid1 = people_tree.place("grid1")

    codes = domain_codes(
        lambda: actions.do_create_party_organization(
            actor=None,
            name=grid1.branch.name,
            kind="grid_branch",
            region=grid1.grid,
            parent=people_tree.community_committee,
        )
    )

    assert codes == {("name", "duplicate")}


@pytest.mark.parametrize(
    ("role", "exc"),
    [(Role.GRID_WORKER, PermissionDenied), (Role.COMMUNITY_STAFF, NotFound), (Role.SYSTEM_ADMIN, NotFound)],
)
def test_party_organisations_refused(people_tree: PeopleTree, role: str, exc: type[Exception]) -> None:
    place = people_tree.place("grid1") if exc is PermissionDenied else people_tree.place("grid3")
    refused(
        exc,
        lambda: actions.do_create_party_organization(
            actor=people_tree.users[role],
            name="新党小组",
            kind="building_group",
            region=place.grid,
            parent=place.branch,
            building=place.building,
        ),
    )


def test_renaming_a_party_organisation(people_tree: PeopleTree) -> None:
    branch = people_tree.place("grid1").branch

    renamed = actions.do_update_party_organization(
        actor=people_tree.users[Role.COMMUNITY_STAFF], organization=branch, name="第一网格联合党支部"
    )

    assert renamed.name == "第一网格联合党支部"
    assert last_audit("party_organization.update").changes == {"name": [branch.name, "第一网格联合党支部"]}
    refused(
        PermissionDenied,
        lambda: actions.do_update_party_organization(
            actor=people_tree.users[Role.DISTRICT_LEADER], organization=branch, name="再改名"
        ),
    )


# ── party members ─────────────────────────────────────────────────────────────────────────────────


def test_a_resident_member_is_scoped_by_their_home(people_tree: PeopleTree) -> None:
    grid1 = people_tree.place("grid1")

    member = actions.do_create_party_member(
        actor=people_tree.users[Role.COMMUNITY_STAFF],
        person=grid1.residents[1],
        organization=people_tree.building_group,
        kind=MemberKind.RESIDENT,
        joined_on=dt.date(2001, 7, 1),
    )

    assert member.region_code == grid1.grid.code and member.registered_community is None
    assert last_audit("party_member.create").changes["organization"] == people_tree.building_group.pk


def test_an_in_service_member_is_scoped_by_the_community_they_registered_with(people_tree: PeopleTree) -> None:
    commuter = people_tree.place("district2").residents[1]

    member = actions.do_create_party_member(
        actor=people_tree.users[Role.COMMUNITY_SECRETARY],
        person=commuter,
        organization=people_tree.community_committee,
        kind=MemberKind.IN_SERVICE,
        registered_community=people_tree.tree.community,
    )

    assert member.region_code == people_tree.tree.community.code
    assert member.registered_community == people_tree.tree.community


def test_member_rules(people_tree: PeopleTree) -> None:
    grid1 = people_tree.place("grid1")

    def create(person: Person, organization: PartyOrganization, kind: str, **extra: Any) -> object:
        return actions.do_create_party_member(actor=None, person=person, organization=organization, kind=kind, **extra)

    assert domain_codes(lambda: create(grid1.resident, grid1.branch, "resident")) == {("person", "duplicate")}
    assert domain_codes(lambda: create(grid1.residents[1], people_tree.place("grid2").branch, "resident")) == {
        ("organization", "outside_home")
    }
    assert domain_codes(lambda: create(grid1.residents[1], grid1.branch, "in_service")) == {
        ("registered_community", "required")
    }
    assert domain_codes(
        lambda: create(
            grid1.residents[1],
            people_tree.place("grid3").branch,
            "in_service",
            registered_community=people_tree.tree.community,
        )
    ) == {("organization", "outside_community")}
    assert domain_codes(lambda: create(grid1.residents[1], grid1.branch, "sympathiser")) == {("kind", "invalid_choice")}


def test_members_join_at_eighteen_and_not_in_the_future(people_tree: PeopleTree) -> None:
    child = people_tree.place("grid1").residents[2]  # born 2008-02-29
    branch = people_tree.place("grid1").branch

    def join(on: dt.date) -> object:
        return actions.do_create_party_member(
            actor=None, person=child, organization=branch, kind="resident", joined_on=on
        )

    # A Feb 29 birthday comes of age on Mar 1 in a common year.
    assert domain_codes(lambda: join(dt.date(2026, 2, 28))) == {("joined_on", "too_young")}
    assert domain_codes(lambda: join(dt.date(2100, 1, 1))) == {("joined_on", "future")}
    assert join(dt.date(2026, 3, 1)) is not None


@pytest.mark.parametrize(
    ("role", "place", "exc"),
    [
        (Role.DISTRICT_LEADER, "grid1", PermissionDenied),
        (Role.GRID_WORKER, "grid1", PermissionDenied),
        (Role.COMMUNITY_STAFF, "grid3", NotFound),
        (Role.DEPARTMENT_STAFF, "grid1", NotFound),
    ],
)
def test_members_refused(people_tree: PeopleTree, role: str, place: str, exc: type[Exception]) -> None:
    where = people_tree.place(place)
    refused(
        exc,
        lambda: actions.do_create_party_member(
            actor=people_tree.users[role], person=where.residents[1], organization=where.branch, kind="resident"
        ),
    )


def test_moving_a_member_to_another_organisation(people_tree: PeopleTree) -> None:
    member = people_tree.place("grid1").member

    moved = actions.do_update_party_member(
        actor=people_tree.users[Role.COMMUNITY_STAFF], member=member, organization=people_tree.building_group
    )

    assert moved.organization == people_tree.building_group
    assert last_audit("party_member.update").changes == {
        "organization": [people_tree.place("grid1").branch.pk, people_tree.building_group.pk]
    }
    refused(
        NotFound,
        lambda: actions.do_update_party_member(
            actor=people_tree.users[Role.COMMUNITY_STAFF],
            member=people_tree.place("grid3").member,
            joined_on=dt.date(2000, 1, 1),
        ),
    )


# ── departments ───────────────────────────────────────────────────────────────────────────────────


def test_the_system_administrator_adds_a_department(people_tree: PeopleTree) -> None:
    department = actions.do_create_department(
        actor=people_tree.users[Role.SYSTEM_ADMIN],
        region=people_tree.tree.district,
        code="320113-02",
        name="南京市栖霞区住房和城乡建设局",
        short_name="住建局",
    )

    assert department.region == people_tree.tree.district
    assert last_audit("department.create").changes["code"] == "320113-02"


def test_department_rules(people_tree: PeopleTree) -> None:
    district = people_tree.tree.district

    def create(code: str, name: str, region: Any = district) -> object:
        return actions.do_create_department(actor=None, region=region, code=code, name=name)

    assert domain_codes(lambda: create("320113-01", "新部门")) == {("code", "duplicate")}
    assert domain_codes(lambda: create("320113-09", people_tree.department.name)) == {("name", "duplicate")}
    assert domain_codes(lambda: create("", "")) == {("code", "required"), ("name", "required")}
    assert domain_codes(lambda: create("320113-09", "新部门", people_tree.tree.grid1)) == {("region", "region_level")}


@pytest.mark.parametrize(
    ("role", "exc"),
    [
        (Role.DISTRICT_LEADER, PermissionDenied),
        (Role.DEPARTMENT_STAFF, PermissionDenied),
        (Role.COMMUNITY_STAFF, NotFound),
    ],
)
def test_departments_refused(people_tree: PeopleTree, role: str, exc: type[Exception]) -> None:
    refused(
        exc,
        lambda: actions.do_create_department(
            actor=people_tree.users[role], region=people_tree.tree.district, code="320113-09", name="新部门"
        ),
    )


def test_updating_a_department(people_tree: PeopleTree) -> None:
    updated = actions.do_update_department(
        actor=people_tree.users[Role.SYSTEM_ADMIN], department=people_tree.department, phone="025-85550000"
    )

    assert updated.phone == "025-85550000"
    assert last_audit("department.update").changes == {"phone": ["", "025-85550000"]}
    refused(
        PermissionDenied,
        lambda: actions.do_update_department(
            actor=people_tree.users[Role.DEPARTMENT_STAFF], department=people_tree.department, name="改名"
        ),
    )
