"""The double-entry core: finding accounts, locking them in one order, posting balanced transactions.

Locking order, for every action of the ledger: the original transaction (a reversal only), then the
accounts by id, then the catalogue item. Two actions touching the same rows therefore queue up
instead of deadlocking. `post` must be called with the accounts already locked by `lock_accounts`
in the same database transaction; it refuses (DomainError, nothing written) when an account that
may not go negative would.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core.access import AnyUser
from gongzhi.core.errors import DomainError
from gongzhi.people.models import Unit
from gongzhi.points.models import AccountKind, PointAccount, PointEntry, PointTransaction, Station
from gongzhi.regions.models import Region
from gongzhi.volunteers.models import Volunteer

Line = tuple[PointAccount, int]  # (locked account, signed amount)


def _get_or_create(kind: str, region_code: str, **owner: object) -> PointAccount:
    account = PointAccount.objects.filter(**owner).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return PointAccount.objects.create(kind=kind, region_code=region_code, **owner)
    except IntegrityError:  # created meanwhile by a concurrent request
        return PointAccount.objects.get(**owner)


def member_account(volunteer: Volunteer) -> PointAccount:
    return _get_or_create(AccountKind.MEMBER, volunteer.region_code, volunteer=volunteer)


def unit_account(unit: Unit) -> PointAccount:
    return _get_or_create(AccountKind.UNIT, unit.region_code, unit=unit)


def issuance_account(community: Region) -> PointAccount:
    return _get_or_create(AccountKind.ISSUANCE, community.code, community=community)


def station_account(station: Station) -> PointAccount:
    return _get_or_create(AccountKind.STATION, station.region_code, station=station)


def lock_accounts(accounts: Iterable[PointAccount]) -> dict[int, PointAccount]:
    """Lock the accounts' rows in id order and return fresh copies by id."""
    ids = sorted({a.pk for a in accounts})
    return {a.pk: a for a in PointAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def shortfall(account: PointAccount, amount: int) -> bool:
    """Whether adding `amount` would take an account that may not go negative below zero."""
    return not account.may_go_negative and account.balance + amount < 0


def post(
    *,
    kind: str,
    lines: Sequence[Line],
    memo: str,
    region_code: str,
    actor: AnyUser | None,
    source_key: str | None = None,
    reverses: PointTransaction | None = None,
) -> PointTransaction:
    """Write one balanced transaction and move the locked accounts' balances with it."""
    if not lines or sum(amount for _account, amount in lines) != 0 or any(amount == 0 for _a, amount in lines):
        raise ValueError("a transaction's entries must be non-zero and sum to zero")
    for account, amount in lines:
        if shortfall(account, amount):
            raise DomainError.single(
                "balance",
                "insufficient_points",
                _("Not enough points: the balance is %(balance)d, %(needed)d are needed.")
                % {"balance": account.balance, "needed": -amount},
            )
    txn = PointTransaction.objects.create(
        kind=kind,
        memo=memo[:200],
        region_code=region_code,
        source_key=source_key,
        reverses=reverses,
        created_by=actor if isinstance(actor, User) else None,
    )
    for account, amount in lines:
        account.balance += amount
        account.save(update_fields=["balance"])
        PointEntry.objects.create(transaction=txn, account=account, amount=amount, balance_after=account.balance)
    return txn
