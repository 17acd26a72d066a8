"""Property tests of the ledger: any sequence of earn, redeem, reverse and restock, against the real actions.

A plain-Python model predicts each outcome (which operations must be refused, every balance, every
stock); after each step the database must agree with it, every account's balance must equal the sum
of its entries (and never be negative outside issuance), every transaction must sum to zero and no
stock may drop below zero. A refused step must change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import DomainError
from gongzhi.points import actions
from gongzhi.points.models import CatalogItem, PointAccount, PointEntry, PointTransaction
from tests.points.conftest import Pts, earn
from tests.points.ledger_checks import assert_ledger_consistent

pytestmark = pytest.mark.django_db

MEMBERS = ("wang", "wu", "zhao")
ITEMS = ("rice", "soap")

Op = tuple[str, str, str, int]  # (kind, member, item, n)

ops = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.sampled_from(MEMBERS), st.just(""), st.integers(1, 90)),
        st.tuples(st.just("redeem"), st.sampled_from(MEMBERS), st.sampled_from(ITEMS), st.integers(1, 3)),
        st.tuples(st.just("reverse"), st.just(""), st.just(""), st.integers(0, 40)),
        st.tuples(st.just("restock"), st.just(""), st.sampled_from(ITEMS), st.integers(1, 3)),
    ),
    min_size=1,
    max_size=20,
)


class Rollback(Exception):
    pass


@dataclass
class Model:
    balances: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEMBERS, 0))
    station: int = 0
    issued: int = 0
    stock: dict[str, int] = field(default_factory=lambda: {"rice": 5, "soap": 2})
    # transaction id → (kind, member, points, item, quantity), "reversed"/"reversal" flags
    txns: list[dict[str, object]] = field(default_factory=list)


def _state(p: Pts) -> tuple[int, int, int]:
    return (
        PointTransaction.objects.count(),
        PointEntry.objects.count(),
        sum(CatalogItem.objects.values_list("stock", flat=True)),
    )


def _balance(p: Pts, key: str) -> int:
    account = PointAccount.objects.filter(volunteer=p.world.volunteers[key]).first()
    return account.balance if account else 0


def _step(p: Pts, model: Model, op: Op) -> None:
    kind, member, item_key, n = op
    items = {"rice": p.rice, "soap": p.soap}
    staff = p.world.user("community")
    before = _state(p)
    if kind == "earn":
        txn = earn(p, member, n)
        model.balances[member] += n
        model.issued -= n
        model.txns.append({"id": txn.pk, "kind": "earn", "member": member, "points": n})
    elif kind == "redeem":
        item = items[item_key]
        cost = item.cost * n
        ok = model.balances[member] >= cost and model.stock[item_key] >= n
        try:
            redemption = actions.do_redeem_item(
                actor=p.world.user(member), volunteer=p.world.volunteers[member], item=item, quantity=n
            )
        except DomainError as refused:
            assert not ok, refused
            assert refused.items[0].code in {"insufficient_points", "out_of_stock"}
            assert _state(p) == before
        else:
            assert ok
            model.balances[member] -= cost
            model.station += cost
            model.stock[item_key] -= n
            model.txns.append(
                {
                    "id": redemption.transaction_id,
                    "kind": "redeem",
                    "member": member,
                    "points": cost,
                    "item": item_key,
                    "quantity": n,
                }
            )
    elif kind == "reverse":
        if not model.txns:
            return
        target = model.txns[n % len(model.txns)]
        member_key = str(target.get("member", ""))
        points = int(str(target.get("points", 0)))
        if target["kind"] == "reversal":
            expected = "is_reversal"
        elif target.get("reversed"):
            expected = "already_reversed"
        elif target["kind"] == "earn" and model.balances[member_key] < points:
            expected = "insufficient_points"
        else:
            expected = ""
        try:
            reversal = actions.do_reverse_transaction(
                actor=staff, transaction_id=int(str(target["id"])), reason="属性测试冲正"
            )
        except DomainError as refused:
            assert refused.items[0].code == expected, (refused, expected)
            assert _state(p) == before
        else:
            assert expected == "", expected
            target["reversed"] = True
            if target["kind"] == "earn":
                model.balances[member_key] -= points
                model.issued += points
            else:
                model.balances[member_key] += points
                model.station -= points
                model.stock[str(target["item"])] += int(str(target["quantity"]))
            model.txns.append({"id": reversal.pk, "kind": "reversal"})
    else:
        actions.do_restock_item(actor=staff, item=items[item_key], quantity=n)
        model.stock[item_key] += n
    # the database agrees with the model, and the ledger's own invariants hold
    for key in MEMBERS:
        assert _balance(p, key) == model.balances[key]
    assert CatalogItem.objects.get(pk=p.rice.pk).stock == model.stock["rice"]
    assert CatalogItem.objects.get(pk=p.soap.pk).stock == model.stock["soap"]
    assert PointAccount.objects.get(station=p.station).balance == model.station


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=ops)
def test_any_sequence_keeps_the_ledger_balanced_and_never_negative(pts: Pts, sequence: list[Op]) -> None:
    # each example runs in a savepoint that is rolled back, so every example starts from the fixture
    try:
        with transaction.atomic():
            model = Model()
            for op in sequence:
                _step(pts, model, op)
            assert_ledger_consistent()
            raise Rollback
    except Rollback:
        pass
    assert PointTransaction.objects.count() == 0


def test_refusals_in_the_property_model_are_real_refusals(pts: Pts) -> None:
    """A fixed run through every refusal the property test relies on (documents the codes)."""
    model = Model()
    _step(pts, model, ("redeem", "wang", "rice", 1))  # no points yet
    _step(pts, model, ("earn", "wang", "", 90))
    _step(pts, model, ("redeem", "wang", "soap", 1))
    _step(pts, model, ("redeem", "wu", "soap", 2))  # wu has nothing
    _step(pts, model, ("redeem", "wang", "soap", 3))  # stock 1 left
    _step(pts, model, ("reverse", "", "", 0))  # the earning: 40 left of 90 → refused
    _step(pts, model, ("reverse", "", "", 1))  # the redemption → fine
    _step(pts, model, ("reverse", "", "", 1))  # again → already reversed
    _step(pts, model, ("reverse", "", "", 2))  # the reversal → refused
    _step(pts, model, ("reverse", "", "", 0))  # the earning, now unspent → fine
    assert model.balances["wang"] == 0 and model.stock == {"rice": 5, "soap": 2}
    assert_ledger_consistent()
    with pytest.raises(PermissionDenied):
        actions.do_redeem_item(actor=pts.world.user("wu"), volunteer=pts.world.volunteers["wang"], item=pts.rice)
