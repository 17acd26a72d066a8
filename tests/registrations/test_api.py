"""/api/v1/registrations/…: lists in scope, apply, decide (in scope / out of scope / no capability), contacts,
meetings and attendance, the compliance board and hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from gongzhi.core.models import Membership, Role
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus, UnitContact
from tests.core.signin import force_login_verified
from tests.registrations.helpers import serve, world_registration
from tests.serviceloop.world import World
from tests.web.users import make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/registrations"


def api(world: World, who: str) -> Client:
    return force_login_verified(Client(), world.user(who))


def test_lists_are_scoped(world: World) -> None:
    units = api(world, "community").get(f"{API}/units/").json()
    assert [r["unit"]["name"] for r in units["results"]] == [world.unit.name]  # type: ignore[union-attr]
    members = api(world, "community").get(f"{API}/members/", {"status": "pending"}).json()
    assert [r["member"]["name"] for r in members["results"]] == ["孙建国"]
    assert api(world, "secadmin").get(f"{API}/units/").status_code == 403
    assert api(world, "wang").get(f"{API}/units/").status_code == 403


def test_apply_and_decide_through_the_api(world: World) -> None:
    client = api(world, "community")
    unit = world.people.places["grid2"].unit
    created = client.post(
        f"{API}/units/",
        {"unit": unit.pk, "community": world.community.pk, "liaison": world.volunteers["wang"].pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["status"] == "pending"
    # no reason to reject → 400, nothing changes
    refused = client.post(f"{API}/units/{pk}/decide/", {"approve": False}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    approved = client.post(f"{API}/units/{pk}/decide/", {"approve": True}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = client.post(f"{API}/units/{pk}/decide/", {"approve": True}, content_type="application/json")
    assert again.status_code == 409


def test_decide_out_of_scope_is_404_and_without_capability_403(world: World) -> None:
    sun = MemberRegistration.objects.get(member=world.members["sun"])
    body = {"approve": True}
    other = make_user("maqun")
    Membership.objects.create(user=other, role=Role.COMMUNITY_STAFF, region=world.people.places["street2"].community)
    outside = force_login_verified(Client(), other)
    assert outside.post(f"{API}/members/{sun.pk}/decide/", body, content_type="application/json").status_code == 404
    assert (
        api(world, "leader").post(f"{API}/members/{sun.pk}/decide/", body, content_type="application/json").status_code
        == 403
    )
    assert MemberRegistration.objects.get(pk=sun.pk).status == RegistrationStatus.PENDING


def test_member_application_through_the_api(world: World) -> None:
    response = api(world, "street").post(
        f"{API}/members/",
        {
            "member": world.members["wu"].pk,
            "community": world.people.tree.community2.pk,
            "skills": ["EDU01"],
            "available_days": 3,
            "monthly_capacity": 2,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["volunteer"]["skills"] == ["EDU01"]
    bad = api(world, "street").post(
        f"{API}/members/",
        {"member": world.members["wang"].pk, "community": world.community.pk},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "not_in_service"


def test_contacts_meetings_and_the_board(world: World) -> None:
    client = api(world, "community")
    registration = world_registration(world)
    contact = client.post(
        f"{API}/contacts/",
        {"registration": registration.pk, "contacted_on": "2026-10-08", "channel": "visit", "summary": "走访"},
        content_type="application/json",
    )
    assert contact.status_code == 201
    assert UnitContact.objects.count() == 1
    assert client.get(f"{API}/contacts/", {"unit": world.unit.pk}).json()["count"] == 1  # type: ignore[union-attr]
    meeting = client.post(
        f"{API}/meetings/",
        {"region": world.community.pk, "held_on": "2026-10-09", "subject": "联席会议"},
        content_type="application/json",
    )
    assert meeting.status_code == 201
    attended = client.post(
        f"{API}/meetings/{meeting.json()['id']}/attendance/",
        {"unit": world.unit.pk, "volunteer": world.volunteers["li"].pk},  # type: ignore[union-attr]
        content_type="application/json",
    )
    assert attended.status_code == 201 and attended.json()["attendee_name"] == "李秀英"
    serve(world.community, dt.date(2026, 10, 20), unit=world.unit)
    board = client.get(f"{API}/compliance/", {"period": "2026-10"}).json()
    assert board["period"] == "2026-10" and board["community"]["code"] == world.community.code
    items = {i["key"]: i["status"] for i in board["units"][0]["items"]}
    assert items == {"liaison": "met", "contact": "met", "meeting": "met", "team": "not_met", "service": "met"}
    assert board["units"][0]["overall"] == "not_compliant"
    assert board["totals"]["items"]["contact"] == 1
    assert client.get(f"{API}/compliance/", {"period": "2026-13"}).status_code == 400
    assert client.get(f"{API}/compliance/", {"community": "320114001001"}).status_code == 404


def test_hours_endpoint(world: World) -> None:
    serve(world.community, dt.date(2026, 5, 1), volunteer=world.volunteers["zhao"], hours="30")
    data = api(world, "community").get(f"{API}/hours/", {"year": 2026}).json()
    assert {(m["name"], m["status"], m["shortfall"]) for m in data["members"]} == {
        ("吴敏", "short", "24.00"),
        ("赵建国", "met", "0.00"),
    }
