"""Writes of the points ledger: redemptions, reversals, stations, the catalogue and earning rules.

Each action is one transaction with its audit row. Locks are taken in the ledger's one order (the
original transaction, then accounts by id, then the catalogue item; see `ledger`). No action ever
edits an entry: a correction is a reversal transaction mirroring the original.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.access import AnyUser, capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.points import ledger
from gongzhi.points.models import (
    CatalogItem,
    EarningRule,
    MovementKind,
    PointTransaction,
    Redemption,
    Station,
    StockMovement,
    TransactionKind,
)
from gongzhi.regions.models import Level, Region
from gongzhi.registrations.access import may_serve_in
from gongzhi.volunteers.models import ServiceKind, Volunteer

MAX_QUANTITY = 99  # one redemption; more than that is not a visit to a station
MAX_RESTOCK = 10_000
MIN_REASON_CHARS = 2
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out at the counter
CODE_LENGTH = 8


def _require(actor: AnyUser, cap: str, region_code: str) -> User:
    if not isinstance(actor, User) or not capability_scope(actor, cap).covers(region_code):
        raise PermissionDenied(cap)
    return actor


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _is_self(actor: AnyUser, volunteer: Volunteer) -> bool:
    return isinstance(actor, User) and volunteer.user_id is not None and volunteer.user_id == actor.pk


def _move_stock(item: CatalogItem, kind: str, delta: int, actor: AnyUser, txn: PointTransaction | None) -> None:
    """Change a locked item's stock and write the movement that explains it."""
    item.stock += delta
    item.save(update_fields=["stock"])
    StockMovement.objects.create(
        item=item,
        kind=kind,
        delta=delta,
        stock_after=item.stock,
        transaction=txn,
        created_by=actor if isinstance(actor, User) else None,
    )


# ── redemption ───────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_redeem_item(*, actor: AnyUser, volunteer: Volunteer, item: CatalogItem, quantity: int = 1) -> Redemption:
    """A member exchanges points for `quantity` of a station's item; the stock drops with it.

    Who: the member themselves at a station of a community they serve in, or station staff
    (services.manage over the station's community) for the member standing at the counter.
    Refused, with nothing written, when the balance or the stock is short.
    """
    station = item.station
    if _is_self(actor, volunteer):
        if not may_serve_in(volunteer, station.community_id):
            raise PermissionDenied("station")
    else:
        _require(actor, Cap.SERVICES_MANAGE, station.region_code)
        if not volunteer.is_active:
            raise DomainError.single("volunteer", "inactive", _("This volunteer is no longer active."))
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError.single(
            "quantity", "invalid", _("Choose a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY}
        )
    member = ledger.member_account(volunteer)
    counter = ledger.station_account(station)
    locked = ledger.lock_accounts([member, counter])
    item = CatalogItem.objects.select_for_update().select_related("station").get(pk=item.pk)
    if not (item.is_active and item.station.is_active):
        raise DomainError.single("item", "unavailable", _("This item is not on offer now."))
    cost = item.cost * quantity
    if locked[member.pk].balance < cost:
        raise DomainError.single(
            "quantity",
            "insufficient_points",
            _("Not enough points: this costs %(cost)d, the balance is %(balance)d.")
            % {"cost": cost, "balance": locked[member.pk].balance},
        )
    if item.stock < quantity:
        raise DomainError.single(
            "quantity", "out_of_stock", _("Not enough in stock: %(stock)d left.") % {"stock": item.stock}
        )
    txn = ledger.post(
        kind=TransactionKind.REDEEM,
        lines=[(locked[member.pk], -cost), (locked[counter.pk], cost)],
        memo=f"{item.name} × {quantity} @ {station.name}",
        region_code=station.region_code,
        actor=actor,
    )
    _move_stock(item, MovementKind.REDEEM, -quantity, actor, txn)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                redemption = Redemption.objects.create(
                    transaction=txn, item=item, quantity=quantity, volunteer=volunteer, code=_new_code()
                )
            break
        except IntegrityError:  # a code already taken: draw another
            continue
    else:  # pragma: no cover - 32^8 codes
        raise RuntimeError("could not draw a free redemption code")
    audit.record(
        actor=actor,
        action="points.redeem",
        obj=redemption,
        changes={"item": item.pk, "quantity": quantity, "points": cost, "volunteer": volunteer.pk},
    )
    return redemption


# ── reversal ─────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_reverse_transaction(*, actor: AnyUser, transaction_id: int, reason: str) -> PointTransaction:
    """Mirror a transaction with a reversal (kind `reverse`); a reversed redemption returns the stock.

    Staff with services.manage over the transaction's community. Refused when it is itself a
    reversal, was reversed already, or when reversing would take a member below zero (the points
    earned were spent meanwhile).
    """
    reason = (reason or "").strip()
    original = PointTransaction.objects.select_for_update().filter(pk=transaction_id).first()
    if original is None:
        raise NotFound(transaction_id)
    user = _require(actor, Cap.SERVICES_MANAGE, original.region_code)
    if len(reason) < MIN_REASON_CHARS:
        raise DomainError.single("reason", "required", _("Give the reason for the reversal."))
    if original.kind == TransactionKind.REVERSE:
        raise DomainError.single("transaction", "is_reversal", _("A reversal cannot be reversed."))
    if PointTransaction.objects.filter(reverses=original).exists():
        raise DomainError.single("transaction", "already_reversed", _("This transaction has been reversed already."))
    entries = list(original.entries.all())
    locked = ledger.lock_accounts(e.account for e in entries)
    redemption = Redemption.objects.filter(transaction=original).first()
    item = None
    if redemption is not None:
        item = CatalogItem.objects.select_for_update().get(pk=redemption.item_id)
    lines = [(locked[e.account_id], -e.amount) for e in entries]
    for account, amount in lines:
        if ledger.shortfall(account, amount):
            raise DomainError.single(
                "transaction",
                "insufficient_points",
                _("Reversing this would leave %(owner)s with %(balance)d points; the points have been spent.")
                % {"owner": account.owner_name(), "balance": account.balance + amount},
            )
    reversal = ledger.post(
        kind=TransactionKind.REVERSE,
        lines=lines,
        memo=reason,
        region_code=original.region_code,
        actor=user,
        reverses=original,
    )
    if redemption is not None and item is not None:
        _move_stock(item, MovementKind.RETURN, redemption.quantity, user, reversal)
    audit.record(
        actor=user,
        action="points.reverse",
        obj=reversal,
        changes={"reverses": original.pk, "kind": original.kind, "reason": reason},
    )
    return reversal


# ── stations and their catalogue ─────────────────────────────────────────────────────────────────


def _clean_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError.single(field, "required", _("Enter a name."))
    return name[:100]


@transaction.atomic
def do_create_station(
    *, actor: AnyUser, community: Region, name: str, address: str = "", opening_hours: str = ""
) -> Station:
    user = _require(actor, Cap.SERVICES_MANAGE, community.code)
    name = _clean_name(name)
    if community.level != Level.COMMUNITY:
        raise DomainError.single("community", "not_community", _("A station belongs to a community."))
    if Station.objects.filter(community=community, name=name).exists():
        raise DomainError.single("name", "duplicate", _("This community already has a station of that name."))
    station = Station.objects.create(
        name=name,
        community=community,
        region_code=community.code,
        address=(address or "").strip()[:200],
        opening_hours=(opening_hours or "").strip()[:100],
    )
    ledger.station_account(station)
    audit.record(actor=user, action="points.station.create", obj=station, changes={"community": community.code})
    return station


@transaction.atomic
def do_update_station(
    *, actor: AnyUser, station: Station, name: str, address: str, opening_hours: str, is_active: bool
) -> Station:
    user = _require(actor, Cap.SERVICES_MANAGE, station.region_code)
    station = Station.objects.select_for_update().get(pk=station.pk)
    name = _clean_name(name)
    if Station.objects.filter(community_id=station.community_id, name=name).exclude(pk=station.pk).exists():
        raise DomainError.single("name", "duplicate", _("This community already has a station of that name."))
    before = {
        "name": station.name,
        "address": station.address,
        "opening_hours": station.opening_hours,
        "is_active": station.is_active,
    }
    station.name, station.address = name, (address or "").strip()[:200]
    station.opening_hours, station.is_active = (opening_hours or "").strip()[:100], is_active
    station.save(update_fields=["name", "address", "opening_hours", "is_active"])
    after = {
        "name": station.name,
        "address": station.address,
        "opening_hours": station.opening_hours,
        "is_active": station.is_active,
    }
    audit.record(actor=user, action="points.station.update", obj=station, changes=audit.diff(before, after))
    return station


def _check_cost(cost: int) -> None:
    if cost < 1:
        raise DomainError.single("cost", "invalid", _("An item costs at least 1 point."))


@transaction.atomic
def do_create_catalog_item(*, actor: AnyUser, station: Station, name: str, cost: int, stock: int = 0) -> CatalogItem:
    """A new item in a station's catalogue; an opening stock is written as a restock movement."""
    user = _require(actor, Cap.SERVICES_MANAGE, station.region_code)
    name = _clean_name(name)
    _check_cost(cost)
    if not 0 <= stock <= MAX_RESTOCK:
        raise DomainError.single("stock", "invalid", _("Stock must be from 0 to %(max)d.") % {"max": MAX_RESTOCK})
    if CatalogItem.objects.filter(station=station, name=name).exists():
        raise DomainError.single("name", "duplicate", _("This station already offers an item of that name."))
    item = CatalogItem.objects.create(station=station, name=name, cost=cost, stock=0)
    if stock:
        _move_stock(item, MovementKind.RESTOCK, stock, user, None)
    audit.record(actor=user, action="points.item.create", obj=item, changes={"cost": cost, "stock": stock})
    return item


@transaction.atomic
def do_update_catalog_item(*, actor: AnyUser, item: CatalogItem, cost: int, is_active: bool) -> CatalogItem:
    """Change an item's price or take it off offer; the stock changes only by movements."""
    user = _require(actor, Cap.SERVICES_MANAGE, item.station.region_code)
    _check_cost(cost)
    item = CatalogItem.objects.select_for_update().get(pk=item.pk)
    before = {"cost": item.cost, "is_active": item.is_active}
    item.cost, item.is_active = cost, is_active
    item.save(update_fields=["cost", "is_active"])
    audit.record(
        actor=user,
        action="points.item.update",
        obj=item,
        changes=audit.diff(before, {"cost": cost, "is_active": is_active}),
    )
    return item


@transaction.atomic
def do_restock_item(*, actor: AnyUser, item: CatalogItem, quantity: int) -> CatalogItem:
    user = _require(actor, Cap.SERVICES_MANAGE, item.station.region_code)
    if not 1 <= quantity <= MAX_RESTOCK:
        raise DomainError.single(
            "quantity", "invalid", _("Restock from 1 to %(max)d at a time.") % {"max": MAX_RESTOCK}
        )
    item = CatalogItem.objects.select_for_update().get(pk=item.pk)
    _move_stock(item, MovementKind.RESTOCK, quantity, user, None)
    audit.record(
        actor=user, action="points.item.restock", obj=item, changes={"quantity": quantity, "stock": item.stock}
    )
    return item


# ── earning rules ────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_update_earning_rule(*, actor: AnyUser, kind: str, points: int, per_hour: bool, is_active: bool) -> EarningRule:
    """Set the rule for a kind of service (creating it if missing). Past earnings stay as they were."""
    if not has_capability(actor, Cap.SERVICES_CONFIG):
        raise PermissionDenied(Cap.SERVICES_CONFIG)
    if kind not in ServiceKind.values:
        raise DomainError.single("kind", "invalid", _("Unknown kind of service."))
    if not 0 <= points <= 10_000:
        raise DomainError.single("points", "invalid", _("Points must be from 0 to 10000."))
    rule = EarningRule.objects.select_for_update().filter(kind=kind).first()
    before = {"points": rule.points, "per_hour": rule.per_hour, "is_active": rule.is_active} if rule else {}
    if rule is None:
        rule = EarningRule.objects.create(kind=kind, points=points, per_hour=per_hour, is_active=is_active)
    else:
        rule.points, rule.per_hour, rule.is_active = points, per_hour, is_active
        rule.save(update_fields=["points", "per_hour", "is_active", "updated_at"])
    after = {"points": points, "per_hour": per_hour, "is_active": is_active}
    audit.record(actor=actor, action="points.rule.update", obj=rule, changes=audit.diff(before, after))
    return rule
