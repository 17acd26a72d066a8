"""The services API: the lists, claims and the order actions, with the structured error body."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gongzhi.services.models import Need, OrderStatus, Resource, ServiceOrder
from gongzhi.volunteers.models import ServiceKind, ServiceRecord
from tests.serviceloop.world import World
from tests.services.builders import make_project, reach

pytestmark = pytest.mark.django_db


def _api(world: World, username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.user(username))
    return client


def test_resources_and_needs_crud(world: World) -> None:
    community = _api(world, "community")
    assert world.unit is not None
    made = community.post(
        "/api/v1/resources/",
        {"region": world.community.code, "category": "FIX02", "title": "水电维修", "unit": world.unit.pk, "days": 31},
        format="json",
    )
    assert made.status_code == 201, made.json()
    rid = made.json()["id"]
    assert made.json()["provider"] == {"type": "unit", "id": world.unit.pk, "name": world.unit.name}
    changed = community.patch(f"/api/v1/resources/{rid}/", {"is_active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["status"] == "inactive"
    listed = community.get("/api/v1/resources/?status=inactive").json()
    assert [r["id"] for r in listed["results"]] == [rid]
    # no capability, out of scope, bad input
    assert _api(world, "dept").get("/api/v1/resources/").status_code == 403
    assert _api(world, "wang").get(f"/api/v1/resources/{rid}/").status_code == 404
    assert _api(world, "leader").patch(f"/api/v1/resources/{rid}/", {"title": "x"}, format="json").status_code == 403
    bad = community.post(
        "/api/v1/resources/",
        {"region": world.community.code, "category": "NOPE", "title": "x", "unit": world.unit.pk},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "category_invalid"
    assert Resource.objects.count() == 1
    need = community.post(
        "/api/v1/needs/",
        {"community": world.community.code, "category": "ELD01", "title": "助老", "person": world.resident().pk},
        format="json",
    )
    assert need.status_code == 201 and need.json()["resident_masked"] != world.resident().name
    closed = community.post(f"/api/v1/needs/{need.json()['id']}/status/", {"status": "closed"}, format="json")
    assert closed.status_code == 400 and closed.json()["errors"][0]["field"] == "note"
    assert Need.objects.get().status == "open"


def test_projects_and_claims(world: World) -> None:
    start = timezone.localdate()
    community = _api(world, "community")
    made = community.post(
        "/api/v1/projects/",
        {
            "community": world.community.code,
            "title": "楼道微更新",
            "goal": "照明",
            "starts_on": start.isoformat(),
            "ends_on": (start + dt.timedelta(days=30)).isoformat(),
            "slots": 1,
            "budget": "3000",
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["status"] == "draft"
    pid = made.json()["id"]
    li = _api(world, "li")
    assert li.get(f"/api/v1/projects/{pid}/").status_code == 404  # drafts stay with the community
    assert community.post(f"/api/v1/projects/{pid}/status/", {"status": "published"}, format="json").status_code == 200
    claimed = li.post(f"/api/v1/projects/{pid}/claim/", {"unit": world.unit.pk if world.unit else 0}, format="json")
    assert claimed.status_code == 201
    cid = claimed.json()["id"]
    again = li.post(f"/api/v1/projects/{pid}/claim/", {"unit": world.unit.pk if world.unit else 0}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "already_claimed"
    assert li.post(f"/api/v1/project-claims/{cid}/deliver/", {"evidence": "换灯"}, format="json").status_code == 200
    assert community.post(f"/api/v1/project-claims/{cid}/confirm/", {}, format="json").status_code == 200
    assert community.post(f"/api/v1/project-claims/{cid}/confirm/", {}, format="json").status_code == 409
    assert ServiceRecord.objects.filter(kind=ServiceKind.PROJECT).count() == 1
    detail = community.get(f"/api/v1/projects/{pid}/").json()
    assert detail["claims"][0]["status"] == "confirmed"


def test_orders_and_their_actions(world: World) -> None:
    community, street, li = _api(world, "community"), _api(world, "street"), _api(world, "li")
    made = community.post(
        "/api/v1/orders/",
        {
            "community": world.community.code,
            "category": "ELD01",
            "title": "理发",
            "wanted_by": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
        },
        format="json",
    )
    assert made.status_code == 201
    oid = made.json()["id"]
    assert made.json()["status"] == "ordered" and made.json()["timeline"][0]["action"] == "order"
    queue = street.get("/api/v1/orders/?queue=alliance").json()
    assert [o["id"] for o in queue["results"]] == [oid] and "dispatch" in queue["results"][0]["actions"]
    assert li.post(f"/api/v1/orders/{oid}/accept/", {}, format="json").status_code == 404  # not passed to it yet
    assert world.unit is not None
    sent = street.post(f"/api/v1/orders/{oid}/dispatch/", {"unit": world.unit.pk, "accept_hours": 12}, format="json")
    assert sent.status_code == 200 and sent.json()["assignee"]["id"] == world.unit.pk
    assert community.post(f"/api/v1/orders/{oid}/accept/", {}, format="json").status_code == 403
    no_reason = li.post(f"/api/v1/orders/{oid}/decline/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["code"] == "reason_required"
    declined = li.post(f"/api/v1/orders/{oid}/decline/", {"reason": "人手不足"}, format="json")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["assignee"] is None
    assert street.post(f"/api/v1/orders/{oid}/dispatch/", {"unit": world.unit.pk}, format="json").status_code == 200
    assert li.post(f"/api/v1/orders/{oid}/accept/", {}, format="json").status_code == 200
    assert li.post(f"/api/v1/orders/{oid}/accept/", {}, format="json").status_code == 409
    assert li.post(f"/api/v1/orders/{oid}/complete/", {"note": "done"}, format="json").status_code == 200
    back = community.post(f"/api/v1/orders/{oid}/send_back/", {"reason": "还没弄好"}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "in_progress" and back.json()["send_back_count"] == 1
    assert li.post(f"/api/v1/orders/{oid}/complete/", {"note": "done"}, format="json").status_code == 200
    confirmed = community.post(f"/api/v1/orders/{oid}/confirm/", {"hours": "2.5"}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert ServiceRecord.objects.filter(kind=ServiceKind.ORDER, source_id=oid).count() == 1
    assert li.post(f"/api/v1/orders/{oid}/nonsense/", {}, format="json").status_code == 404


def test_inbox_lists_only_the_units_orders(world: World) -> None:
    mine = reach(world, OrderStatus.DISPATCHED)
    reach(world, OrderStatus.ORDERED)
    rows = _api(world, "li").get("/api/v1/orders/?queue=inbox").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert rows[0]["actions"] == ["accept", "decline"]
    assert ServiceOrder.objects.count() == 2


def test_need_categories_and_unknown_project(world: World) -> None:
    rows = _api(world, "community").get("/api/v1/need-categories/").json()
    assert len([r for r in rows if r["parent"] is None]) == 10 and len(rows) == 28
    make_project(world)
    assert _api(world, "community").get("/api/v1/projects/999999/").json()["errors"][0]["code"] == "not_found"
