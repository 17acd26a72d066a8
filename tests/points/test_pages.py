"""The points pages: a participant's balance, stations and redeeming on the phone; staff management."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from gongzhi.points import actions, selectors
from gongzhi.points.models import CatalogItem, EarningRule, PointTransaction, Redemption, Station
from tests.core.signin import force_login_verified
from tests.points.conftest import Pts, earn
from tests.points.ledger_checks import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def _as(user: User) -> Client:
    return force_login_verified(Client(), user)


# ── participant ──────────────────────────────────────────────────────────────────────────────────


def test_a_member_sees_their_balance_and_statement(pts: Pts) -> None:
    earn(pts, "wang", 40)
    earn(pts, "wang", 15)
    page = _as(pts.world.user("wang")).get("/points/me/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-balance="55"' in text
    assert text.count("data-entry=") == 2 and "+15" in text and "社区志愿活动" in text
    assert "我的积分" in text  # Chinese page, and the nav entry


def test_my_points_is_not_for_staff_or_visitors(pts: Pts) -> None:
    assert _as(pts.world.user("community")).get("/points/me/").status_code == 404
    assert Client().get("/points/me/").status_code == 302


def test_a_member_sees_the_stations_of_their_communities(pts: Pts) -> None:
    w = pts.world
    mark = f'data-station="{pts.station.pk}"'
    assert mark in _as(w.user("zhao")).get("/points/stations/").content.decode()  # serves in 尧化门 too
    # sun's registration with 尧化门 is pending: no station, and the station page is 404
    sun = _as(w.user("sun"))
    assert mark not in sun.get("/points/stations/").content.decode()
    assert sun.get(f"/points/stations/{pts.station.pk}/").status_code == 404
    # someone who is neither a participant nor service staff has no stations page
    assert _as(w.user("dept")).get("/points/stations/").status_code == 403


def test_a_member_redeems_from_the_catalogue_and_gets_a_code(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 100)
    client = _as(w.user("wang"))
    # the catalogue shows cost and stock and a 兑换 button, but no management
    page = client.get(f"/points/stations/{pts.station.pk}/").content.decode()
    assert "大米" in page and "30 积分" in page and "库存 5" in page and "兑换" in page
    assert "补货" not in page and "/restock/" not in page
    # when wang redeems two bags of rice
    response = client.post(f"/points/items/{pts.rice.pk}/redeem/", {"quantity": "2"})
    # then the code and the new balance are shown
    redemption = Redemption.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/points/redemptions/{redemption.code}/"
    shown = client.get(response["Location"]).content.decode()
    assert redemption.code in shown and 'id="balance-now">40<' in shown
    assert CatalogItem.objects.get(pk=pts.rice.pk).stock == 3


def test_a_refused_redemption_says_why_in_chinese_and_changes_nothing(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 20)
    client = _as(w.user("wang"))
    response = client.post(f"/points/items/{pts.rice.pk}/redeem/", {"quantity": "1"}, follow=True)
    assert "积分不足" in response.content.decode()
    response = client.post(f"/points/items/{pts.rice.pk}/redeem/", {"quantity": "0"}, follow=True)
    assert response.redirect_chain and "errorlist" not in response.content.decode()
    assert Redemption.objects.count() == 0 and selectors.balance_of(w.volunteers["wang"]) == 20


def test_redeeming_is_for_participants_in_scope(pts: Pts) -> None:
    w = pts.world
    earn(pts, "sun", 100)
    assert _as(w.user("sun")).post(f"/points/items/{pts.rice.pk}/redeem/", {"quantity": "1"}).status_code == 404
    assert _as(w.user("community")).post(f"/points/items/{pts.rice.pk}/redeem/", {"quantity": "1"}).status_code == 403
    assert Redemption.objects.count() == 0


def test_a_redemption_page_is_the_members_or_the_stations_staffs(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 100)
    code = actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice).code
    assert _as(w.user("community")).get(f"/points/redemptions/{code}/").status_code == 200
    assert _as(w.user("wu")).get(f"/points/redemptions/{code}/").status_code == 404
    assert _as(w.user("grid")).get(f"/points/redemptions/{code}/").status_code == 404


# ── station staff ────────────────────────────────────────────────────────────────────────────────


def test_staff_manage_the_catalogue(pts: Pts) -> None:
    staff = _as(pts.world.user("community"))
    page = staff.get(f"/points/stations/{pts.station.pk}/").content.decode()
    assert "补货" in page and 'id="item-add"' in page and "/redeem/" not in page
    staff.post(f"/points/stations/{pts.station.pk}/items/", {"item-name": "毛巾", "item-cost": "8", "item-stock": "4"})
    towel = CatalogItem.objects.get(name="毛巾")
    assert towel.cost == 8 and towel.stock == 4
    staff.post(f"/points/items/{towel.pk}/restock/", {"restock-quantity": "6"})
    assert CatalogItem.objects.get(pk=towel.pk).stock == 10
    staff.post(f"/points/items/{towel.pk}/toggle/")
    assert not CatalogItem.objects.get(pk=towel.pk).is_active
    # invalid input is reported, not written
    response = staff.post(f"/points/items/{towel.pk}/restock/", {"restock-quantity": "0"}, follow=True)
    assert CatalogItem.objects.get(pk=towel.pk).stock == 10 and response.status_code == 200
    response = staff.post(
        f"/points/stations/{pts.station.pk}/items/",
        {"item-name": "毛巾", "item-cost": "8", "item-stock": "0"},
        follow=True,
    )
    assert "已有同名" in response.content.decode()
    assert_ledger_consistent()


def test_catalogue_management_is_refused_outside_the_role_or_scope(pts: Pts) -> None:
    # a grid worker has no services.manage at all → 403; 马群's volunteer zhao neither
    for who in ("grid", "zhao"):
        client = _as(pts.world.user(who))
        assert client.post(f"/points/items/{pts.rice.pk}/restock/", {"restock-quantity": "1"}).status_code == 403
    assert CatalogItem.objects.get(pk=pts.rice.pk).stock == 5


def test_staff_add_a_station(pts: Pts) -> None:
    w = pts.world
    staff = _as(w.user("community"))
    assert staff.get("/points/stations/new/").status_code == 200
    response = staff.post(
        "/points/stations/new/", {"community": w.community.pk, "name": "东区驿站", "address": "", "opening_hours": ""}
    )
    station = Station.objects.get(name="东区驿站")
    assert response["Location"] == f"/points/stations/{station.pk}/"
    duplicate = staff.post("/points/stations/new/", {"community": w.community.pk, "name": "东区驿站"})
    assert duplicate.status_code == 200 and "已有同名" in duplicate.content.decode()
    assert _as(w.user("grid")).get("/points/stations/new/").status_code == 403
    assert _as(w.user("wang")).get("/points/stations/new/").status_code == 403


def test_out_of_scope_staff_get_404_for_the_station(pts: Pts) -> None:
    # the grid worker's services.view covers grid1, not the community's station
    assert _as(pts.world.user("grid")).get(f"/points/stations/{pts.station.pk}/").status_code == 404


# ── accounts and reversals ───────────────────────────────────────────────────────────────────────


def test_staff_find_an_account_and_reverse_a_transaction(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 40)
    staff = _as(w.user("community"))
    listing = staff.get("/points/accounts/", {"q": "王"}).content.decode()
    account = selectors.account_of(w.volunteers["wang"])
    assert account is not None and f'data-account="{account.pk}"' in listing
    page = staff.get(f"/points/accounts/{account.pk}/").content.decode()
    assert f'action="/points/transactions/{txn.pk}/reverse/"' in page
    # a reversal without a reason is refused
    back = f"/points/accounts/{account.pk}/"
    staff.post(f"/points/transactions/{txn.pk}/reverse/", {"reason": "", "next": back})
    assert PointTransaction.objects.count() == 1
    response = staff.post(f"/points/transactions/{txn.pk}/reverse/", {"reason": "重复记录", "next": back})
    assert response["Location"] == back
    assert selectors.balance_of(w.volunteers["wang"]) == 0
    page = staff.get(back).content.decode()
    assert "已冲正" in page and "/reverse/" not in page  # neither the original nor the reversal offers it again
    # a second attempt says why
    again = staff.post(f"/points/transactions/{txn.pk}/reverse/", {"reason": "再来", "next": back}, follow=True)
    assert "已冲正过" in again.content.decode()


def test_an_earning_already_spent_cannot_be_reversed_from_the_page(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 30)
    actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice)
    response = _as(w.user("community")).post(
        f"/points/transactions/{txn.pk}/reverse/", {"reason": "重复记录"}, follow=True
    )
    assert "已被使用" in response.content.decode()
    assert PointTransaction.objects.count() == 2


def test_a_member_from_elsewhere_is_visible_where_they_earned(pts: Pts) -> None:
    earn(pts, "zhao", 10)  # zhao's account belongs to 马群, the earning to 尧化门
    account = selectors.account_of(pts.world.volunteers["zhao"])
    assert account is not None
    assert _as(pts.world.user("community")).get(f"/points/accounts/{account.pk}/").status_code == 200


def test_account_pages_check_role_then_scope_then_act(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 40)
    account = selectors.account_of(w.volunteers["wang"])
    assert account is not None
    # no services.view at all → 403; a participant neither
    for who in ("dept", "wang"):
        assert _as(w.user(who)).get(f"/points/accounts/{account.pk}/").status_code == 403
    # services.view but out of scope → 404 (and not in the list)
    grid = _as(w.user("grid"))
    assert grid.get(f"/points/accounts/{account.pk}/").status_code == 404
    assert f'data-account="{account.pk}"' not in grid.get("/points/accounts/").content.decode()
    # the district leader sees the statement but may not reverse
    leader = _as(w.user("leader"))
    page = leader.get(f"/points/accounts/{account.pk}/").content.decode()
    assert 'data-balance="40"' in page and "/reverse/" not in page
    assert leader.post(f"/points/transactions/{txn.pk}/reverse/", {"reason": "越权"}).status_code == 403
    assert grid.post(f"/points/transactions/{txn.pk}/reverse/", {"reason": "越权"}).status_code == 403
    assert (
        _as(w.user("secretary")).post("/points/transactions/999999/reverse/", {"reason": "不存在"}).status_code == 404
    )
    assert PointTransaction.objects.count() == 1


# ── earning rules and navigation ─────────────────────────────────────────────────────────────────


def test_the_system_administrator_edits_earning_rules(pts: Pts) -> None:
    admin = _as(pts.world.user("sysadmin"))
    page = admin.get("/points/rules/").content.decode()
    assert 'id="rule-wish"' in page and 'id="rule-other"' in page
    response = admin.post("/points/rules/", {"kind": "wish", "wish-points": "30", "wish-is_active": "on"})
    assert response.status_code == 302
    assert EarningRule.objects.get(kind="wish").points == 30
    invalid = admin.post("/points/rules/", {"kind": "wish", "wish-points": "-3"})
    assert invalid.status_code == 200 and EarningRule.objects.get(kind="wish").points == 30
    assert _as(pts.world.user("community")).get("/points/rules/").status_code == 403


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("wang", ["nav-points-me", "nav-points-stations"], ["nav-points-accounts", "nav-points-rules"]),
        ("community", ["nav-points-stations", "nav-points-accounts"], ["nav-points-me", "nav-points-rules"]),
        ("sysadmin", ["nav-points-rules"], ["nav-points-me", "nav-points-accounts"]),
        ("dept", [], ["nav-points-me", "nav-points-stations", "nav-points-accounts", "nav-points-rules"]),
    ],
)
def test_navigation_shows_what_the_user_can_open(pts: Pts, who: str, shown: list[str], hidden: list[str]) -> None:
    page = _as(pts.world.user(who)).get("/", follow=True).content.decode()  # participants land on /serve/
    for entry in shown:
        assert entry in page
    for entry in hidden:
        assert entry not in page


# ── redeeming for a member at the counter ────────────────────────────────────────────────────────


def _counter(client: Client, pts: Pts, phone: str, item: CatalogItem | None = None, quantity: int = 1) -> object:
    return client.post(
        f"/points/stations/{pts.station.pk}/counter/",
        {"counter-item": (item or pts.rice).pk, "counter-quantity": quantity, "counter-phone": phone},
        follow=True,
    )


def _phone_of(pts: Pts, key: str) -> str:
    person = pts.world.volunteers[key].person
    return pts.world.people.plaintext[person.pk][1]


def test_station_staff_redeem_for_a_member_identified_by_phone(pts: Pts) -> None:
    # given wang has 100 points and the community's staff keep the station
    w = pts.world
    earn(pts, "wang", 100)
    client = _as(w.user("community"))
    assert "柜台代兑换" in client.get(f"/points/stations/{pts.station.pk}/").content.decode()
    # when wang gives his mobile number (spaced, as people say it) at the counter for two bags of rice
    phone = _phone_of(pts, "wang")
    response = _counter(client, pts, f"{phone[:3]} {phone[3:7]} {phone[7:]}", quantity=2)
    # then the redemption is his, his balance and the stock drop, and the page shows the code
    redemption = Redemption.objects.get()
    assert redemption.volunteer_id == w.volunteers["wang"].pk
    assert redemption.code in response.content.decode()  # type: ignore[attr-defined]
    assert selectors.balance_of(w.volunteers["wang"]) == 40
    assert CatalogItem.objects.get(pk=pts.rice.pk).stock == 3
    assert_ledger_consistent()


@pytest.mark.parametrize(("phone", "message"), [("13800000000", "没有使用此手机号的在册志愿者"), ("12345", "手机号")])
def test_an_unknown_or_malformed_phone_is_refused_and_nothing_changes(pts: Pts, phone: str, message: str) -> None:
    earn(pts, "wang", 100)
    response = _counter(_as(pts.world.user("community")), pts, phone)
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert Redemption.objects.count() == 0 and CatalogItem.objects.get(pk=pts.rice.pk).stock == 5


def test_a_member_who_does_not_serve_here_is_not_found_at_the_counter(pts: Pts) -> None:
    # given sun, who serves in 西善桥 (his registration here is only pending), has points
    earn(pts, "sun", 100)
    # when the station's staff enter his mobile number
    response = _counter(_as(pts.world.user("community")), pts, _phone_of(pts, "sun"))
    # then he is not found, exactly as an unknown number, and nothing changes
    assert "没有使用此手机号的在册志愿者" in response.content.decode()  # type: ignore[attr-defined]
    assert Redemption.objects.count() == 0 and selectors.balance_of(pts.world.volunteers["sun"]) == 100


def test_a_short_balance_at_the_counter_says_why_and_changes_nothing(pts: Pts) -> None:
    earn(pts, "wang", 20)
    response = _counter(_as(pts.world.user("community")), pts, _phone_of(pts, "wang"))
    assert "积分不足" in response.content.decode()  # type: ignore[attr-defined]
    assert Redemption.objects.count() == 0 and selectors.balance_of(pts.world.volunteers["wang"]) == 20


@pytest.mark.parametrize("who", ["grid", "wang", "leader", "dept", "auditor"])
def test_only_the_stations_staff_redeem_at_its_counter(pts: Pts, who: str) -> None:
    # given wu has points
    earn(pts, "wu", 100)
    # when someone without the station's manage right tries the counter
    response = _as(pts.world.user(who)).post(
        f"/points/stations/{pts.station.pk}/counter/",
        {"counter-item": pts.rice.pk, "counter-quantity": 1, "counter-phone": _phone_of(pts, "wu")},
    )
    # then it is refused (no manage right: 403; the station out of sight: 404) and nothing changes
    assert response.status_code in {403, 404}
    assert Redemption.objects.count() == 0 and selectors.balance_of(pts.world.volunteers["wu"]) == 100
