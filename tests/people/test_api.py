"""The people API: /api/v1/people/, /party-organizations/, /party-members/, /units/, /departments/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from gongzhi.core.models import AuditEvent, Role
from gongzhi.people.models import Person
from tests.people.conftest import PeopleTree, client_for, make_id_number

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


def errors(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def new_id(sequence: int = 851) -> str:
    return make_id_number("320113", dt.date(1990, 5, 6), sequence)


# ------------------------------------------------------------------------------- people


def test_people_list_is_scoped_masked_and_paginated(people_tree: PeopleTree, grid_worker: Client) -> None:
    response = grid_worker.get(f"{API}/people/", {"limit": 2})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 3 and len(body["results"]) == 2 and "offset=2" in body["next"]
    person = people_tree.place("grid1").resident
    everyone = grid_worker.get(f"{API}/people/").json()["results"]
    head = next(r for r in everyone if r["id"] == person.pk)
    assert head["name"] == person.name
    assert head["id_number_masked"] == person.id_number_masked and head["phone_masked"] == person.phone_masked
    assert head["gender"] == "M" and head["birth_date"] == "1972-03-08"
    assert head["grid"]["code"] == "320113001001001" and head["grid"]["name"] == "第一网格"
    assert head["home"]["building"] == people_tree.place("grid1").building.code
    assert head["home"]["address"].startswith("栖霞区/尧化街道/尧化门社区/")
    assert head["party_member"]["organization"]["name"] == "第一网格党支部"
    assert "id_number" not in head and "phone" not in head
    text = response.content.decode()
    for value in people_tree.all_plaintext():
        assert value not in text


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"grid": "320113001001002"}, 3),
        ({"community": "320113001001"}, 6),
        ({"region": "320113001"}, 9),
        ({"household_relation": "spouse"}, 3),
        ({"gender": "F"}, 3),
        ({"is_active": "true"}, 9),
        ({"residence_type": "foreign"}, 0),
    ],
)
def test_people_list_filters(street: Client, params: dict[str, str], count: int) -> None:
    response = street.get(f"{API}/people/", params)

    assert response.status_code == 200 and response.json()["count"] == count


def test_people_filters_take_no_names_or_numbers_and_refuse_bad_codes(street: Client) -> None:
    bad = street.get(f"{API}/people/", {"grid": "3201"})
    ignored = street.get(f"{API}/people/", {"name": "王建国", "id_number": "x"})

    assert bad.status_code == 400 and errors(bad) == [("grid", "invalid_code")]
    assert ignored.json()["count"] == 9  # unknown parameters filter nothing


def test_people_detail_and_the_404_for_outside(people_tree: PeopleTree, grid_worker: Client) -> None:
    inside = people_tree.place("grid1").residents[1]
    outside = people_tree.place("grid2").resident

    ok = grid_worker.get(f"{API}/people/{inside.pk}/")
    hidden = grid_worker.get(f"{API}/people/{outside.pk}/")
    missing = grid_worker.get(f"{API}/people/999999/")

    assert ok.json()["name"] == "李秀英" and ok.json()["household_relation"] == "spouse"
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content  # byte for byte: "not yours" reads as "not there"
    assert errors(hidden) == [("non_field_errors", "not_found")]


def test_create_person(people_tree: PeopleTree, grid_worker: Client) -> None:
    grid1 = people_tree.place("grid1")
    response = grid_worker.post(
        f"{API}/people/",
        {
            "name": "赵新",
            "id_number": new_id(),
            "phone": "13800138000",
            "building": grid1.building.code,
            "unit": 1,
            "room": grid1.rooms[3].number,
            "household_relation": "head",
        },
        content_type=JSON,
    )

    body = response.json()
    assert response.status_code == 201
    assert body["name"] == "赵新" and body["grid"]["code"] == grid1.grid.code
    assert body["phone_masked"] == "138****8000" and body["home"]["room"] == grid1.rooms[3].number
    assert AuditEvent.objects.filter(action="person.create", object_id=str(body["id"])).exists()


def test_create_errors_are_structured_per_field(people_tree: PeopleTree, grid_worker: Client) -> None:
    bad_id = new_id()[:-1] + ("1" if new_id()[-1] != "1" else "2")
    response = grid_worker.post(
        f"{API}/people/",
        {"name": "赵新", "id_number": bad_id, "phone": "12", "grid": "320113001001001"},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 400
    assert ("id_number", "checksum") in errors(response) and "phone" in {field for field, _ in errors(response)}
    assert any("校验" in e["message"] for e in response.json()["errors"])  # messages in the request's language
    assert not Person.objects.filter(name="赵新").exists()


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"grid": "320113001001002"}, ("grid", "does_not_exist")),  # the next grid: not theirs
        ({"grid": "320113009009009"}, ("grid", "does_not_exist")),  # no such grid: the same answer
        ({"building": "3201130010010010001"}, ("room", "incomplete")),
        ({"building": "3201130010010029999", "unit": 1, "room": "101"}, ("room", "does_not_exist")),
    ],
)
def test_create_refuses_places_outside_like_missing_ones(
    grid_worker: Client, payload: dict[str, Any], error: tuple[str, str]
) -> None:
    response = grid_worker.post(f"{API}/people/", {"name": "赵新", "id_number": new_id(), **payload}, content_type=JSON)

    assert response.status_code == 400 and error in errors(response)


def test_patch_person(people_tree: PeopleTree, community: Client) -> None:
    person = people_tree.place("grid2").residents[2]

    response = community.patch(
        f"{API}/people/{person.pk}/", {"name": "陈梓涵", "phone": "", "is_active": False}, content_type=JSON
    )

    body = response.json()
    assert response.status_code == 200
    assert body["name"] == "陈梓涵" and body["phone_masked"] == "" and body["is_active"] is False
    assert community.put(f"{API}/people/{person.pk}/", {}, content_type=JSON).status_code == 405


def test_unmask_returns_the_value_uncached_and_logs_it(people_tree: PeopleTree) -> None:
    secretary = client_for(people_tree.users[Role.COMMUNITY_SECRETARY])
    person = people_tree.place("grid2").resident

    response = secretary.post(
        f"{API}/people/{person.pk}/unmask/", {"field": "id_number", "reason": "办理低保核验"}, content_type=JSON
    )

    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": people_tree.plaintext[person.pk][0]}
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="pii.unmask")
    assert event.source == "api" and event.changes["reason"] == "办理低保核验" and event.changes["field"] == "id_number"


def test_unmask_checks_the_right_before_the_body(people_tree: PeopleTree, community: Client) -> None:
    person = people_tree.place("grid1").resident

    no_right = community.post(f"{API}/people/{person.pk}/unmask/", {}, content_type=JSON)
    secretary = client_for(people_tree.users[Role.COMMUNITY_SECRETARY])
    no_reason = secretary.post(f"{API}/people/{person.pk}/unmask/", {"field": "phone"}, content_type=JSON)
    bad_field = secretary.post(
        f"{API}/people/{person.pk}/unmask/", {"field": "name", "reason": "看看"}, content_type=JSON
    )

    assert no_right.status_code == 403 and errors(no_right) == [("non_field_errors", "permission_denied")]
    assert no_reason.status_code == 400 and ("reason", "required") in errors(no_reason)
    assert bad_field.status_code == 400 and ("field", "invalid_choice") in errors(bad_field)
    assert not AuditEvent.objects.filter(action="pii.unmask").exists()


def test_search_by_number_is_exact_and_scoped(people_tree: PeopleTree, street: Client) -> None:
    person = people_tree.place("grid3").residents[1]
    id_number, phone = people_tree.plaintext[person.pk]
    outside = people_tree.place("street2").resident

    by_id = street.post(f"{API}/people/search/", {"q": id_number.lower()}, content_type=JSON)
    by_phone = street.post(f"{API}/people/search/", {"q": phone}, content_type=JSON)
    by_name = street.post(f"{API}/people/search/", {"q": "建国"}, content_type=JSON)
    filtered = street.post(f"{API}/people/search/?grid=320113001002001", {"q": "建国"}, content_type=JSON)
    not_theirs = street.post(f"{API}/people/search/", {"q": people_tree.plaintext[outside.pk][0]}, content_type=JSON)

    assert [r["id"] for r in by_id.json()["results"]] == [person.pk]
    assert [r["id"] for r in by_phone.json()["results"]] == [person.pk]
    assert by_name.json()["count"] == 3 and filtered.json()["count"] == 1
    assert not_theirs.json() == {"count": 0, "results": []}
    assert by_id["Cache-Control"] == "no-store"
    assert street.get(f"{API}/people/search/").status_code == 405  # never in a URL


# -------------------------------------------------------------------------------- party


def test_party_organizations_in_tree_order_with_counts(people_tree: PeopleTree, community: Client) -> None:
    body = community.get(f"{API}/party-organizations/").json()

    names = [r["name"] for r in body["results"]]
    assert names == ["尧化门社区党委", "第一网格党支部", "第一网格1幢党小组", "第二网格党支部"]
    committee = body["results"][0]
    assert committee["kind"] == "community_committee" and committee["child_count"] == 2
    assert committee["member_count"] == 1  # the in-service member registered here
    assert committee["parent"]["name"] == "尧化街道党工委"  # named, though its own URL would 404 here
    group = body["results"][2]
    assert group["building"] == people_tree.place("grid1").building.code


def test_party_organization_filters_and_detail(people_tree: PeopleTree, street: Client) -> None:
    branches = street.get(f"{API}/party-organizations/", {"kind": "grid_branch"}).json()
    children = street.get(f"{API}/party-organizations/", {"parent": people_tree.street_committee.pk}).json()
    detail = street.get(f"{API}/party-organizations/{people_tree.community_committee.pk}/").json()

    assert branches["count"] == 3
    assert {r["name"] for r in children["results"]} == {"尧化门社区党委", "新尧社区党总支"}
    assert detail["region"]["code"] == "320113001001" and detail["parent"]["name"] == "尧化街道党工委"


def test_party_members(people_tree: PeopleTree, community: Client) -> None:
    body = community.get(f"{API}/party-members/").json()
    in_service = community.get(f"{API}/party-members/", {"kind": "in_service"}).json()["results"][0]

    assert {r["person"]["name"] for r in body["results"]} == {"王建国", "陈建国", "吴敏"}
    assert in_service["registered_community"]["code"] == "320113001001"
    assert in_service["employer"]["name"] == people_tree.place("grid1").unit.name
    assert in_service["person"]["phone_masked"].startswith("139****")
    assert community.get(f"{API}/party-members/{people_tree.place('grid3').member.pk}/").status_code == 404


# -------------------------------------------------------------------------------- units


def test_units_are_masked_and_filterable(people_tree: PeopleTree, street: Client) -> None:
    unit = people_tree.place("grid1").unit

    body = street.get(f"{API}/units/", {"community": "320113001001"}).json()
    by_code = street.get(f"{API}/units/", {"credit_code": unit.credit_code.lower()}).json()
    bad_type = street.get(f"{API}/units/", {"unit_type": "castle"})

    assert body["count"] == 2
    first = body["results"][0]
    assert first["liaison_phone_masked"].startswith("137****") and "liaison_phone" not in first
    assert [r["id"] for r in by_code["results"]] == [unit.pk]
    assert bad_type.status_code == 400


def test_unit_unmask(people_tree: PeopleTree, street: Client, community: Client) -> None:
    unit = people_tree.place("grid3").unit

    shown = street.post(f"{API}/units/{unit.pk}/unmask/", {"reason": "联系共建活动"}, content_type=JSON)
    refused = community.post(
        f"{API}/units/{people_tree.place('grid1').unit.pk}/unmask/", {"reason": "x"}, content_type=JSON
    )

    assert shown.status_code == 200 and shown.json()["value"].startswith("1370000")
    assert shown["Cache-Control"] == "no-store"
    assert refused.status_code == 403


# -------------------------------------------------------------------------- departments


def test_departments(people_tree: PeopleTree) -> None:
    staff = client_for(people_tree.users[Role.DEPARTMENT_STAFF])
    admin = client_for(people_tree.users[Role.SYSTEM_ADMIN])

    mine = staff.get(f"{API}/departments/").json()
    everyone = admin.get(f"{API}/departments/").json()
    detail = staff.get(f"{API}/departments/{people_tree.department.pk}/").json()

    assert [r["name"] for r in mine["results"]] == ["南京市栖霞区城市管理局"]
    assert everyone["count"] == 2
    assert detail["region"]["code"] == "320113" and detail["short_name"] == "城管局"
    assert staff.get(f"{API}/departments/{people_tree.other_department.pk}/").status_code == 404


# ------------------------------------------------------------------------------- schema


def test_schema_documents_the_people_endpoints(people_tree: PeopleTree, street: Client) -> None:
    schema = street.get("/api/schema/", {"format": "json"}).json()

    paths = set(schema["paths"])
    assert {
        "/api/v1/people/",
        "/api/v1/people/{id}/",
        "/api/v1/people/{id}/unmask/",
        "/api/v1/people/search/",
        "/api/v1/party-organizations/",
        "/api/v1/party-organizations/{id}/",
        "/api/v1/party-members/",
        "/api/v1/party-members/{id}/",
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/units/{id}/unmask/",
        "/api/v1/departments/",
        "/api/v1/departments/{id}/",
    } <= paths
    people = schema["paths"]["/api/v1/people/"]
    assert set(people) >= {"get", "post"}
    assert "patch" in schema["paths"]["/api/v1/people/{id}/"] and "put" not in schema["paths"]["/api/v1/people/{id}/"]
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert "id_number_masked" in person and "id_number" not in person
    assert set(schema["paths"]["/api/v1/people/{id}/unmask/"]["post"]["responses"]) >= {"200", "400", "403", "404"}
