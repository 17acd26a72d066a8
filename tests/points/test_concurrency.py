"""Races on PostgreSQL: concurrent redemptions never drive a balance or a stock below zero."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from gongzhi.core.errors import DomainError
from gongzhi.points import actions, selectors
from gongzhi.points.models import CatalogItem, Redemption
from tests.points.conftest import Pts, earn
from tests.points.ledger_checks import assert_ledger_consistent
from tests.races import needs_postgres, race

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_redemptions_of_an_item_with_three_in_stock_three_succeed(pts: Pts) -> None:
    needs_postgres()
    # given an item with 3 in stock and four members with points enough for several each
    w = pts.world
    item = actions.do_create_catalog_item(
        actor=w.user("community"), station=pts.station, name="食用油", cost=10, stock=3
    )
    members = ["wang", "wu", "zhao", "li"]
    for key in members:
        earn(pts, key, 100)

    def redeem(key: str) -> Callable[[], object]:
        return lambda: actions.do_redeem_item(actor=w.user(key), volunteer=w.volunteers[key], item=item)

    # when ten redemptions arrive at once
    wins, errors = race([redeem(members[i % len(members)]) for i in range(10)])
    # then exactly three succeed, the rest are told the stock ran out, and nothing went below zero
    assert wins == 3
    assert len(errors) == 7 and all(isinstance(e, DomainError) for e in errors)
    assert {e.items[0].code for e in errors if isinstance(e, DomainError)} == {"out_of_stock"}
    assert CatalogItem.objects.get(pk=item.pk).stock == 0
    assert Redemption.objects.filter(item=item).count() == 3
    assert sum(selectors.balance_of(w.volunteers[k]) for k in members) == 400 - 30
    assert_ledger_consistent()


def test_concurrent_redemptions_by_one_member_stop_at_the_balance(pts: Pts) -> None:
    needs_postgres()
    # given wang with 60 points and rice at 30 with plenty of stock
    w = pts.world
    earn(pts, "wang", 60)
    actions.do_restock_item(actor=w.user("community"), item=pts.rice, quantity=20)
    wang = w.volunteers["wang"]
    # when wang (on his phone) and the station keeper press redeem ten times at once
    calls: list[Callable[[], object]] = [
        (lambda: actions.do_redeem_item(actor=w.user("wang"), volunteer=wang, item=pts.rice))
        if i % 2
        else (lambda: actions.do_redeem_item(actor=w.user("community"), volunteer=wang, item=pts.rice))
        for i in range(10)
    ]
    wins, errors = race(calls)
    # then exactly two succeed and the balance is zero, not below
    assert wins == 2
    assert all(isinstance(e, DomainError) and e.items[0].code == "insufficient_points" for e in errors)
    assert selectors.balance_of(wang) == 0
    assert CatalogItem.objects.get(pk=pts.rice.pk).stock == 25 - 2
    assert_ledger_consistent()


def test_two_staff_reversing_one_redemption_at_once_reverse_it_once(pts: Pts) -> None:
    needs_postgres()
    w = pts.world
    earn(pts, "wang", 60)
    redemption = actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice)
    users = [w.user(who) for who in ("community", "secretary", "street")]

    def reverse(user: User) -> Callable[[], object]:
        return lambda: actions.do_reverse_transaction(
            actor=user, transaction_id=redemption.transaction_id, reason="同时冲正"
        )

    wins, errors = race([reverse(user) for user in users])
    assert wins == 1
    assert all(isinstance(e, DomainError) and e.items[0].code == "already_reversed" for e in errors)
    assert selectors.balance_of(w.volunteers["wang"]) == 60
    assert CatalogItem.objects.get(pk=pts.rice.pk).stock == 5
    assert_ledger_consistent()
