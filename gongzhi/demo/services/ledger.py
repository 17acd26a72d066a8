"""The demo's points ledger, lived through in time order by the rules of `gongzhi.points`.

Earnings (one per confirmed service record, by the earning rules), restocks, members' visits to the
stations and a few staff reversals go into one queue ordered by time. Each is applied as the actions
would apply it: a redemption only when the member's balance and the item's stock allow it (a member
who cannot afford anything just goes home), a reversal only when the points are still there. Ids are
handed out in that order, so replaying entries by id gives every running balance (`balance_after`)
and no account that may not go negative ever does.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from dataclasses import dataclass, field
from typing import Any

from gongzhi.demo.services.rows import Ids, insert
from gongzhi.points.actions import CODE_ALPHABET, CODE_LENGTH
from gongzhi.points.models import (
    AccountKind,
    CatalogItem,
    MovementKind,
    PointAccount,
    PointEntry,
    PointTransaction,
    Redemption,
    StockMovement,
    TransactionKind,
)

Owner = tuple[str, int]  # (account kind, owner id): ("member", volunteer id), ("issuance", community id)…


@dataclass(slots=True)
class Account:
    id: int
    kind: str
    owner: int
    region_code: str
    created_at: dt.datetime
    balance: int = 0


@dataclass(slots=True)
class Item:
    id: int
    station_id: int
    name: str
    cost: int
    restock: int
    created_at: dt.datetime
    stock: int = 0
    restock_due: bool = False
    last_at: dt.datetime | None = None


@dataclass(slots=True)
class Station:
    id: int
    name: str
    community_id: int
    region_code: str
    items: list[Item] = field(default_factory=list)


@dataclass(slots=True)
class Earning:
    at: dt.datetime
    source_key: str
    owner: Owner  # ("member", volunteer id) or ("unit", unit id)
    owner_region: str
    community_id: int
    community_code: str
    amount: int
    memo: str
    by: int | None
    txn_id: int = 0
    reverse_at: dt.datetime | None = None
    reverse_reason: str = ""
    reverse_by: int | None = None


@dataclass(slots=True)
class Visit:
    """A member at a station's counter, choosing what their points buy there and then."""

    at: dt.datetime
    volunteer_id: int
    volunteer_region: str
    user_id: int | None
    station: Station


@dataclass
class Counts:
    transactions: int = 0
    earned: int = 0
    redemptions: int = 0
    reversals: int = 0
    restocks: int = 0


class Book:
    def __init__(self, ids: Ids, rng: random.Random, as_of: dt.datetime) -> None:
        self.ids, self.rng, self.as_of = ids, rng, as_of
        self.accounts: dict[Owner, Account] = {}
        self.queue: list[tuple[dt.datetime, int, str, Any]] = []
        self._seq = 0
        self.txns: list[tuple[Any, ...]] = []
        self.entries: list[tuple[Any, ...]] = []
        self.movements: list[tuple[Any, ...]] = []
        self.redemptions: list[tuple[Any, ...]] = []
        self.codes: set[str] = set()
        self.counts = Counts()

    # ── queueing ──

    def _push(self, at: dt.datetime, kind: str, payload: Any) -> None:
        self._seq += 1
        heapq.heappush(self.queue, (at, self._seq, kind, payload))

    def earn(self, earning: Earning) -> None:
        self._push(earning.at, "earn", earning)

    def visit(self, visit: Visit) -> None:
        self._push(visit.at, "visit", visit)

    def restock(self, at: dt.datetime, item: Item, quantity: int, by: int | None = None) -> None:
        self._push(at, "restock", (item, quantity, by))

    # ── accounts and postings ──

    def account(self, owner: Owner, region_code: str, at: dt.datetime) -> Account:
        found = self.accounts.get(owner)
        if found is None:
            found = Account(self.ids.take(PointAccount), owner[0], owner[1], region_code, at)
            self.accounts[owner] = found
        return found

    def _post(
        self,
        kind: str,
        at: dt.datetime,
        lines: list[tuple[Account, int]],
        memo: str,
        region_code: str,
        by: int | None,
        source_key: str | None = None,
        reverses: int | None = None,
    ) -> int:
        txn_id = self.ids.take(PointTransaction)
        self.txns.append((txn_id, kind, memo[:200], region_code, source_key, reverses, by, at))
        for account, amount in lines:
            account.balance += amount
            self.entries.append((self.ids.take(PointEntry), txn_id, account.id, amount, account.balance))
        self.counts.transactions += 1
        return txn_id

    def _move(self, item: Item, kind: str, delta: int, at: dt.datetime, txn_id: int | None, by: int | None) -> None:
        item.stock += delta
        item.last_at = at
        self.movements.append((self.ids.take(StockMovement), item.id, kind, delta, item.stock, txn_id, by, at))

    # ── living through the queue ──

    def run(self) -> None:
        while self.queue:
            at, _seq, kind, payload = heapq.heappop(self.queue)
            if kind == "earn":
                self._apply_earning(payload)
            elif kind == "reverse":
                self._apply_reversal(at, payload)
            elif kind == "visit":
                self._apply_visit(payload)
            else:
                item, quantity, by = payload
                item.restock_due = False
                self._move(item, MovementKind.RESTOCK, quantity, at, None, by)
                self.counts.restocks += 1

    def _apply_earning(self, e: Earning) -> None:
        source = self.account(("issuance", e.community_id), e.community_code, e.at)
        target = self.account(e.owner, e.owner_region, e.at)
        e.txn_id = self._post(
            TransactionKind.EARN, e.at, [(source, -e.amount), (target, e.amount)], e.memo, e.community_code, e.by,
            source_key=e.source_key,
        )  # fmt: skip
        self.counts.earned += e.amount
        if e.reverse_at is not None and e.reverse_at < self.as_of:
            self._push(e.reverse_at, "reverse", e)

    def _apply_reversal(self, at: dt.datetime, e: Earning) -> None:
        target, source = self.accounts[e.owner], self.accounts[("issuance", e.community_id)]
        if target.balance < e.amount:
            return  # spent meanwhile: the action refuses, the mistake stays on the books
        # The mirror of the original, in the order its entries are read (newest first).
        lines = [(target, -e.amount), (source, e.amount)]
        self._post(
            TransactionKind.REVERSE, at, lines, e.reverse_reason, e.community_code, e.reverse_by, reverses=e.txn_id
        )
        self.counts.reversals += 1

    def _apply_visit(self, v: Visit) -> None:
        member = self.accounts.get(("member", v.volunteer_id))
        if member is None:
            return
        items = [i for i in v.station.items if i.cost <= member.balance and i.stock > 0]
        if not items:
            return
        # Everyday goods go first; the dear vouchers are saved up for.
        weights = [1.0 / (1 + i.cost / 40) for i in items]
        item = self.rng.choices(items, weights)[0]
        quantity = 2 if item.cost * 2 <= member.balance and item.stock >= 2 and self.rng.random() < 0.15 else 1
        cost = item.cost * quantity
        counter = self.accounts[("station", v.station.id)]
        txn_id = self._post(
            TransactionKind.REDEEM, v.at, [(member, -cost), (counter, cost)],
            f"{item.name} × {quantity} @ {v.station.name}", v.station.region_code, v.user_id,
        )  # fmt: skip
        self._move(item, MovementKind.REDEEM, -quantity, v.at, txn_id, v.user_id)
        self.redemptions.append(
            (self.ids.take(Redemption), txn_id, item.id, quantity, v.volunteer_id, self._code(), v.at)
        )
        self.counts.redemptions += 1
        if item.stock <= max(2, item.restock // 4) and not item.restock_due:
            at = v.at + dt.timedelta(days=self.rng.randint(1, 6), hours=self.rng.randint(0, 5))
            if at < self.as_of:
                item.restock_due = True
                self.restock(at, item, item.restock)

    def _code(self) -> str:
        while True:
            code = "".join(self.rng.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def top_up_empty_shelves(self, stations: list[Station], by: int | None = None) -> None:
        """Whatever ran out is restocked the day before the seed's moment, so every shelf has something."""
        for station in stations:
            for item in station.items:
                if item.stock == 0:
                    last = item.last_at or self.as_of - dt.timedelta(days=2)
                    at = max(last + dt.timedelta(minutes=30), self.as_of - dt.timedelta(hours=30))
                    self.restock(min(at, self.as_of - dt.timedelta(minutes=1)), item, item.restock, by)
        self.run()

    # ── writing it down ──

    def write(self, stations: list[Station]) -> None:
        accounts = sorted(self.accounts.values(), key=lambda a: a.id)
        owner_field: dict[str, int] = {
            AccountKind.MEMBER: 0, AccountKind.UNIT: 1, AccountKind.ISSUANCE: 2, AccountKind.STATION: 3,
        }  # fmt: skip
        rows = []
        for a in accounts:
            owners: list[int | None] = [None, None, None, None]
            owners[owner_field[a.kind]] = a.owner
            rows.append((a.id, a.kind, *owners, a.region_code, a.balance, a.created_at))
        insert(
            PointAccount,
            ("id", "kind", "volunteer_id", "unit_id", "community_id", "station_id", "region_code", "balance",
             "created_at"),
            rows,
        )  # fmt: skip
        txn_fields = ("id", "kind", "memo", "region_code", "source_key", "reverses_id", "created_by_id", "created_at")
        insert(PointTransaction, txn_fields, self.txns)
        insert(PointEntry, ("id", "transaction_id", "account_id", "amount", "balance_after"), self.entries)
        insert(
            CatalogItem,
            ("id", "station_id", "name", "cost", "stock", "is_active", "created_at"),
            ((i.id, s.id, i.name, i.cost, i.stock, True, i.created_at) for s in stations for i in s.items),
        )
        insert(
            StockMovement,
            ("id", "item_id", "kind", "delta", "stock_after", "transaction_id", "created_by_id", "created_at"),
            self.movements,
        )
        insert(
            Redemption,
            ("id", "transaction_id", "item_id", "quantity", "volunteer_id", "code", "created_at"),
            self.redemptions,
        )
