"""/api/v1/wishes/ and the resident's /api/v1/wish-tickets/: scope, idempotent posting, the acts, errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongzhi.volunteers.models import ServiceRecord
from gongzhi.wishes.actions import Actor, WishDraft, do_post_wish
from gongzhi.wishes.models import Wish, WishStatus
from tests.people.conftest import client_for
from tests.serviceloop.world import World
from tests.wishes.helpers import claimed, fulfilled, png, post

pytestmark = pytest.mark.django_db

BASE = "/api/v1/wishes/"


def _client(world: World, key: str) -> Client:
    return client_for(world.user(key))


def _json(response: Any) -> Any:
    return response.json()


def test_lists_are_scoped_to_the_caller(world: World, client: Client) -> None:
    wish, _token = post(world)
    maqun = world.people.places["street2"].community
    other = do_post_wish(
        actor=Actor(), draft=WishDraft(title="马群的心愿", category_code="FIX01", community_id=maqun.pk, name="赵六")
    ).wish
    numbers = {r["number"] for r in _json(_client(world, "wu").get(BASE))["results"]}
    assert numbers == {wish.number}
    numbers = {r["number"] for r in _json(_client(world, "zhao").get(BASE))["results"]}
    assert numbers == {wish.number, other.number}
    assert _json(_client(world, "sun").get(BASE))["results"] == []
    staff = _json(_client(world, "community").get(BASE))["results"]
    assert [r["number"] for r in staff] == [wish.number] and staff[0]["resident_phone"] == "139****5678"
    assert _json(_client(world, "wu").get(BASE))["results"][0]["resident_phone"] == ""
    assert _json(_client(world, "wu").get(BASE))["results"][0]["resident"] == "王*明"
    assert _client(world, "dept").get(BASE).status_code == 403
    assert client.get(BASE).status_code in (401, 403)


def test_retrieve_outside_the_area_is_not_found(world: World) -> None:
    maqun = world.people.places["street2"].community
    other = do_post_wish(
        actor=Actor(), draft=WishDraft(title="马群的心愿", category_code="FIX01", community_id=maqun.pk, name="赵六")
    ).wish
    response = _client(world, "community").get(f"{BASE}{other.number}/")
    assert response.status_code == 404 and _json(response)["errors"][0]["code"] == "not_found"
    assert _client(world, "zhao").get(f"{BASE}{other.number}/").status_code == 200


def test_staff_post_idempotently(world: World) -> None:
    grid = _client(world, "grid")
    body = {"title": "想学用智能手机", "category": "EDU02", "person": world.resident().pk, "client_key": "api-1"}
    first = grid.post(BASE, body, content_type="application/json")
    assert first.status_code == 201, first.content
    data = _json(first)
    assert data["created"] is True and data["token"] and data["number"].startswith("W")
    again = grid.post(BASE, body, content_type="application/json")
    assert again.status_code == 200 and _json(again)["number"] == data["number"] and _json(again)["token"] == ""
    assert Wish.objects.count() == 1
    refused = grid.post(BASE, {"title": "x", "category": "NOPE", "name": "王五"}, content_type="application/json")
    assert refused.status_code == 400 and {e["field"] for e in _json(refused)["errors"]} >= {"category"}
    assert _client(world, "wu").post(BASE, body, content_type="application/json").status_code == 403
    assert Wish.objects.count() == 1


def test_claim_once_then_conflict(world: World) -> None:
    wish, _token = post(world)
    first = _client(world, "wu").post(f"{BASE}{wish.number}/claim/", {}, content_type="application/json")
    assert first.status_code == 200 and _json(first)["status"] == WishStatus.CLAIMED
    assert _json(first)["claimant"]["name"] == "吴敏"  # the claimant sees their own name
    second = _client(world, "zhao").post(f"{BASE}{wish.number}/claim/", {}, content_type="application/json")
    assert second.status_code == 409 and _json(second)["errors"][0]["code"] == "conflict"
    assert (
        _client(world, "sun").post(f"{BASE}{wish.number}/claim/", {}, content_type="application/json").status_code
        == 404
    )
    assert (
        _client(world, "community").post(f"{BASE}{wish.number}/claim/", {}, content_type="application/json").status_code
        == 403
    )
    assert (
        _client(world, "wu").post(f"{BASE}W0000000000/claim/", {}, content_type="application/json").status_code == 404
    )
    wish.refresh_from_db()
    assert wish.claimant_volunteer == world.volunteers["wu"]


def test_a_unit_claims_through_its_liaison(world: World) -> None:
    wish, _token = post(world)
    assert world.unit is not None
    response = _client(world, "li").post(
        f"{BASE}{wish.number}/claim/", {"unit": world.unit.pk}, content_type="application/json"
    )
    assert response.status_code == 200 and _json(response)["claimant"] == {
        "kind": "unit",
        "name": world.unit.name,
        "unit_id": world.unit.pk,
    }


def test_fulfil_needs_a_photo_then_the_resident_confirms_by_ticket(world: World, client: Client) -> None:
    wish, token = claimed(world, "wu")
    wu = _client(world, "wu")
    missing = wu.post(f"{BASE}{wish.number}/fulfil/", {"note": "做好了"})
    assert missing.status_code == 400 and _json(missing)["errors"][0]["field"] == "photos"
    done = wu.post(f"{BASE}{wish.number}/fulfil/", {"note": "做好了", "photos": [png()]})
    assert done.status_code == 200 and _json(done)["status"] == WishStatus.FULFILLED and len(_json(done)["photos"]) == 1
    # the resident's ticket
    ticket = client.get(f"/api/v1/wish-tickets/{wish.number}/", {"token": token})
    assert ticket.status_code == 200 and _json(ticket)["claimant"] == "吴*" and len(_json(ticket)["photos"]) == 1
    assert client.get(f"/api/v1/wish-tickets/{wish.number}/", {"token": "nope-nope"}).status_code == 404
    confirmed = client.post(
        f"/api/v1/wish-tickets/{wish.number}/confirm/", {"token": token}, content_type="application/json"
    )
    assert confirmed.status_code == 200 and _json(confirmed)["status"] == WishStatus.CONFIRMED
    again = client.post(
        f"/api/v1/wish-tickets/{wish.number}/confirm/", {"token": token}, content_type="application/json"
    )
    assert again.status_code == 409
    assert ServiceRecord.objects.filter(source_id=wish.pk).count() == 1


def test_staff_confirm_release_and_cancel(world: World) -> None:
    wish, _token = fulfilled(world, "wu")
    assert (
        _client(world, "wu").post(f"{BASE}{wish.number}/confirm/", {}, content_type="application/json").status_code
        == 403
    )
    response = _client(world, "community").post(f"{BASE}{wish.number}/confirm/", {}, content_type="application/json")
    assert response.status_code == 200 and _json(response)["status"] == WishStatus.CONFIRMED
    assert [e["kind"] for e in _json(response)["timeline"]] == ["post", "claim", "fulfil", "confirm"]
    other, _token = claimed(world, "wu")
    assert (
        _client(world, "wu").post(f"{BASE}{other.number}/release/", {}, content_type="application/json").status_code
        == 400
    )
    released = _client(world, "wu").post(
        f"{BASE}{other.number}/release/", {"reason": "出差"}, content_type="application/json"
    )
    assert released.status_code == 200 and _json(released)["status"] == WishStatus.OPEN
    cancelled = _client(world, "community").post(
        f"{BASE}{other.number}/cancel/", {"reason": "已解决"}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and _json(cancelled)["status"] == WishStatus.CANCELLED


def test_the_schema_builds(world: World) -> None:
    response = _client(world, "community").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/wishes/{number}/claim/" in response.content
