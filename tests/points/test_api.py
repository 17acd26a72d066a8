"""The points API: my points, stations and catalogue, redeeming; staff statements and reversals."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from gongzhi.points import actions, selectors
from gongzhi.points.models import CatalogItem, PointTransaction, Redemption
from tests.core.signin import force_login_verified
from tests.points.conftest import Pts, earn

pytestmark = pytest.mark.django_db


def _as(user: User) -> Client:
    return force_login_verified(Client(), user)


def test_my_points_gives_balance_and_statement(pts: Pts) -> None:
    earn(pts, "wang", 40)
    earn(pts, "wang", 5)
    body = _as(pts.world.user("wang")).get("/api/v1/points/me/").json()
    assert body["balance"] == 45 and body["count"] == 2
    newest = body["results"][0]
    assert newest["amount"] == 5 and newest["balance_after"] == 45 and newest["kind"] == "earn"
    assert newest["reversed"] is False and newest["reverses"] is None
    # a participant without any points yet
    empty = _as(pts.world.user("wu")).get("/api/v1/points/me/").json()
    assert empty == {"balance": 0, "count": 0, "next": None, "previous": None, "results": []}


def test_my_points_is_for_participants_only(pts: Pts) -> None:
    response = _as(pts.world.user("community")).get("/api/v1/points/me/")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"
    assert Client().get("/api/v1/points/me/").status_code == 403


def test_stations_and_their_catalogue(pts: Pts) -> None:
    w = pts.world
    wang = _as(w.user("wang"))
    stations = wang.get("/api/v1/points/stations/").json()
    assert [s["name"] for s in stations["results"]] == ["爱心驿站"]
    assert stations["results"][0]["community"] == w.community.code
    items = wang.get(f"/api/v1/points/stations/{pts.station.pk}/items/").json()
    assert [(i["name"], i["cost"], i["stock"]) for i in items] == [("大米", 30, 5), ("洗衣液", 50, 2)]
    # an item taken off offer disappears for members, stays for the station's staff
    actions.do_update_catalog_item(actor=w.user("community"), item=pts.soap, cost=50, is_active=False)
    assert len(wang.get(f"/api/v1/points/stations/{pts.station.pk}/items/").json()) == 1
    staff_items = _as(w.user("community")).get(f"/api/v1/points/stations/{pts.station.pk}/items/").json()
    assert len(staff_items) == 2
    # out of sight → 404; neither participant nor service staff → 403
    sun = _as(w.user("sun"))
    assert sun.get("/api/v1/points/stations/").json()["results"] == []
    assert sun.get(f"/api/v1/points/stations/{pts.station.pk}/").status_code == 404
    assert sun.get(f"/api/v1/points/stations/{pts.station.pk}/items/").status_code == 404
    assert _as(w.user("dept")).get("/api/v1/points/stations/").status_code == 403


def test_redeem_through_the_api(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 100)
    response = _as(w.user("wang")).post(
        "/api/v1/points/redemptions/", {"item": pts.rice.pk, "quantity": 3}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["points"] == 90 and body["balance"] == 10 and body["quantity"] == 3
    assert Redemption.objects.get().code == body["code"]
    assert CatalogItem.objects.get(pk=pts.rice.pk).stock == 2


def test_a_refused_redemption_is_a_structured_400_in_chinese(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 10)
    client = _as(w.user("wang"))
    response = client.post("/api/v1/points/redemptions/", {"item": pts.rice.pk}, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "quantity" and error["code"] == "insufficient_points" and "积分不足" in error["message"]
    bad = client.post(
        "/api/v1/points/redemptions/", {"item": pts.rice.pk, "quantity": 0}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "quantity"
    assert Redemption.objects.count() == 0 and selectors.balance_of(w.volunteers["wang"]) == 10


def test_redeeming_through_the_api_checks_who_and_where(pts: Pts) -> None:
    w = pts.world
    earn(pts, "sun", 100)
    body = {"item": pts.rice.pk, "quantity": 1}
    assert (
        _as(w.user("sun")).post("/api/v1/points/redemptions/", body, content_type="application/json").status_code == 404
    )
    missing = {"item": 999999, "quantity": 1}
    assert (
        _as(w.user("wang")).post("/api/v1/points/redemptions/", missing, content_type="application/json").status_code
        == 404
    )
    staff = _as(w.user("community")).post("/api/v1/points/redemptions/", body, content_type="application/json")
    assert staff.status_code == 403
    assert Redemption.objects.count() == 0


def test_staff_read_a_statement_and_reverse(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 40)
    account = selectors.account_of(w.volunteers["wang"])
    assert account is not None
    staff = _as(w.user("community"))
    statement = staff.get(f"/api/v1/points/accounts/{account.pk}/statement/").json()
    assert statement["balance"] == 40 and statement["kind"] == "member" and statement["count"] == 1
    # when the staff reverse the earning
    response = staff.post(
        f"/api/v1/points/transactions/{txn.pk}/reverse/", {"reason": "重复记录"}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "reverse" and body["reverses"] == txn.pk
    assert sorted(e["amount"] for e in body["entries"]) == [-40, 40]
    # then a second attempt is refused with its code, and the statement shows both
    again = staff.post(
        f"/api/v1/points/transactions/{txn.pk}/reverse/", {"reason": "再来"}, content_type="application/json"
    )
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "already_reversed"
    statement = staff.get(f"/api/v1/points/accounts/{account.pk}/statement/").json()
    assert statement["balance"] == 0 and statement["results"][1]["reversed"] is True


def test_staff_endpoints_check_role_scope_and_body(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 40)
    account = selectors.account_of(w.volunteers["wang"])
    assert account is not None
    url = f"/api/v1/points/accounts/{account.pk}/statement/"
    reverse = f"/api/v1/points/transactions/{txn.pk}/reverse/"
    body = {"reason": "越权"}
    for who in ("wang", "dept"):
        assert _as(w.user(who)).get(url).status_code == 403
    assert _as(w.user("grid")).get(url).status_code == 404
    assert _as(w.user("leader")).get(url).status_code == 200
    assert _as(w.user("leader")).post(reverse, body, content_type="application/json").status_code == 403
    assert _as(w.user("grid")).post(reverse, body, content_type="application/json").status_code == 403
    secretary = _as(w.user("secretary"))
    assert (
        secretary.post("/api/v1/points/transactions/999999/reverse/", body, content_type="application/json").status_code
        == 404
    )
    no_reason = secretary.post(reverse, {"reason": ""}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    assert PointTransaction.objects.count() == 1


def test_the_schema_documents_the_points_endpoints(pts: Pts) -> None:
    schema = _as(pts.world.user("community")).get("/api/schema/", {"format": "json"}).json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/points/me/",
        "/api/v1/points/stations/",
        "/api/v1/points/stations/{id}/items/",
        "/api/v1/points/redemptions/",
        "/api/v1/points/accounts/{id}/statement/",
        "/api/v1/points/transactions/{id}/reverse/",
    } <= paths
