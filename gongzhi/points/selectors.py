"""Reads of the points ledger, already limited to what the user may see.

A participant (volunteer_of(user)) sees their own account and redemptions, and the stations of the
communities they serve in. Staff see, by services.view over the region: stations, and accounts that
belong there or that took part in a transaction of that region (a member from another community who
earned here). `access_*_by_*` raise NotFound for missing and out-of-scope alike.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.core.access import AnyUser, Scope, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.points.models import (
    AccountKind,
    CatalogItem,
    EarningRule,
    PointAccount,
    PointEntry,
    PointTransaction,
    Redemption,
    Station,
)
from gongzhi.registrations.access import communities_served, volunteer_of
from gongzhi.volunteers.models import Volunteer


def staff_scope(user: AnyUser, cap: str = Cap.SERVICES_VIEW) -> Scope:
    return capability_scope(user, cap)


def is_staff(user: AnyUser) -> bool:
    scope = staff_scope(user)
    return scope.everything or bool(scope.prefixes)


def can_manage(user: AnyUser, region_code: str) -> bool:
    return staff_scope(user, Cap.SERVICES_MANAGE).covers(region_code)


# ── stations ─────────────────────────────────────────────────────────────────────────────────────


def stations_for(user: AnyUser) -> QuerySet[Station]:
    """Open stations of the participant's communities, and every station in the staff's scope."""
    scope = staff_scope(user)
    if scope.everything:
        return Station.objects.all()
    q = scope.q("region_code") if scope.prefixes else Q(pk__in=[])
    volunteer = volunteer_of(user)
    if volunteer is not None:
        q |= Q(community_id__in=communities_served(volunteer), is_active=True)
    return Station.objects.filter(q)


def access_station_by_id(user: AnyUser, pk: int) -> Station:
    station = stations_for(user).select_related("community").filter(pk=pk).first()
    if station is None:
        raise NotFound(pk)
    return station


def catalogue(station: Station, *, everything: bool = False) -> QuerySet[CatalogItem]:
    """The station's items on offer (all of them for its staff)."""
    items = CatalogItem.objects.filter(station=station)
    return items if everything else items.filter(is_active=True)


def access_item_by_id(user: AnyUser, pk: int) -> CatalogItem:
    item = CatalogItem.objects.select_related("station").filter(pk=pk, station__in=stations_for(user)).first()
    if item is None:
        raise NotFound(pk)
    return item


# ── accounts and statements ──────────────────────────────────────────────────────────────────────


def account_of(volunteer: Volunteer) -> PointAccount | None:
    return PointAccount.objects.filter(volunteer=volunteer).first()


def balance_of(volunteer: Volunteer) -> int:
    account = account_of(volunteer)
    return account.balance if account is not None else 0


def accounts_for(user: AnyUser) -> QuerySet[PointAccount]:
    scope = staff_scope(user)
    if scope.everything:
        return PointAccount.objects.all()
    if not scope.prefixes:
        return PointAccount.objects.none()
    here = PointEntry.objects.filter(transaction__in=PointTransaction.objects.filter(scope.q("region_code")))
    return PointAccount.objects.filter(scope.q("region_code") | Q(pk__in=here.values("account_id")))


def people_accounts_for(user: AnyUser, query: str = "") -> QuerySet[PointAccount]:
    """Members' and units' accounts in the staff's scope, by name when `query` is given."""
    accounts = accounts_for(user).filter(kind__in=(AccountKind.MEMBER, AccountKind.UNIT))
    if query:
        accounts = accounts.filter(Q(volunteer__person__name__icontains=query) | Q(unit__name__icontains=query))
    return accounts.select_related("volunteer__person", "unit").order_by("-balance", "id")


def access_account_by_id(user: AnyUser, pk: int) -> PointAccount:
    account = (
        accounts_for(user).select_related("volunteer__person", "unit", "station", "community").filter(pk=pk).first()
    )
    if account is None:
        raise NotFound(pk)
    return account


def statement(account: PointAccount) -> QuerySet[PointEntry]:
    """The account's entries, newest first, each with the running balance after it."""
    return (
        PointEntry.objects.filter(account=account)
        .select_related("transaction", "transaction__reversal", "transaction__reverses", "transaction__redemption")
        .order_by("-id")
    )


def transactions_for(user: AnyUser, cap: str = Cap.SERVICES_VIEW) -> QuerySet[PointTransaction]:
    scope = staff_scope(user, cap)
    if not (scope.everything or scope.prefixes):
        return PointTransaction.objects.none()
    return PointTransaction.objects.filter(scope.q("region_code"))


def access_transaction_by_id(user: AnyUser, pk: int) -> PointTransaction:
    txn = transactions_for(user).filter(pk=pk).first()
    if txn is None:
        raise NotFound(pk)
    return txn


# ── redemptions and rules ────────────────────────────────────────────────────────────────────────


def redemptions_of(volunteer: Volunteer) -> QuerySet[Redemption]:
    return (
        Redemption.objects.filter(volunteer=volunteer)
        .select_related("item__station", "transaction__reversal")
        .order_by("-id")
    )


def access_redemption_by_code(user: AnyUser, code: str) -> Redemption:
    """The member's own redemption, or one at a station in the staff's scope."""
    redemption = (
        Redemption.objects.select_related("item__station", "volunteer__person", "transaction__reversal")
        .filter(code=code.upper())
        .first()
    )
    if redemption is None:
        raise NotFound(code)
    volunteer = volunteer_of(user)
    if volunteer is not None and redemption.volunteer_id == volunteer.pk:
        return redemption
    if staff_scope(user).covers(redemption.item.station.region_code):
        return redemption
    raise NotFound(code)


def earning_rules() -> QuerySet[EarningRule]:
    return EarningRule.objects.order_by("kind")
