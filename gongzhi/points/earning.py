"""Earning points for recorded service, by the earning rules.

`gongzhi.volunteers.records.do_record_service` calls `award_for_service` inside its own transaction
for every new ServiceRecord, so points have one source (the record) and a record pays at most once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction

from gongzhi.core import audit
from gongzhi.points import ledger
from gongzhi.points.models import EarningRule, PointTransaction, TransactionKind
from gongzhi.volunteers.models import ServiceKind, ServiceRecord

# (service kind, points, per hour) — also seeded by migration 0001; `ensure_default_rules` restores
# them where a database was emptied (tests that flush, a fresh demo).
DEFAULT_RULES: tuple[tuple[str, int, bool], ...] = (
    (ServiceKind.ACTIVITY, 10, True),
    (ServiceKind.WISH, 20, False),
    (ServiceKind.PROJECT, 50, False),
    (ServiceKind.ORDER, 20, False),
)


def ensure_default_rules() -> None:
    for kind, points, per_hour in DEFAULT_RULES:
        EarningRule.objects.get_or_create(kind=kind, defaults={"points": points, "per_hour": per_hour})


def points_for(rule: EarningRule, hours: Decimal) -> int:
    """Per hour: points × hours, rounded half up to a whole point; otherwise the rule's points."""
    if not rule.per_hour:
        return rule.points
    return int((Decimal(rule.points) * Decimal(hours)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def award_for_service(
    record: ServiceRecord, *, actor: AbstractBaseUser | AnonymousUser | None
) -> PointTransaction | None:
    """Credits the points the earning rules give for `record` (idempotent per record).

    The volunteer is credited, or the unit when the record names no volunteer, from the record's
    community's issuance account. No active rule for the kind, or nothing to pay → None. A second
    call for the same record returns the first transaction and writes nothing.
    """
    existing = PointTransaction.objects.filter(source_key=record.key).first()
    if existing is not None:
        return existing
    rule = EarningRule.objects.filter(kind=record.kind, is_active=True).first()
    if rule is None:
        return None
    amount = points_for(rule, record.hours)
    if amount <= 0:
        return None
    try:
        with transaction.atomic():
            if record.volunteer is not None:
                target = ledger.member_account(record.volunteer)
            elif record.unit is not None:
                target = ledger.unit_account(record.unit)
            else:  # pragma: no cover - the record's check constraint names one of them
                return None
            source = ledger.issuance_account(record.community)
            locked = ledger.lock_accounts([target, source])
            txn = ledger.post(
                kind=TransactionKind.EARN,
                lines=[(locked[source.pk], -amount), (locked[target.pk], amount)],
                memo=record.summary,
                region_code=record.community.code,
                actor=actor,
                source_key=record.key,
            )
            audit.record(
                actor=actor,
                action="points.earn",
                obj=txn,
                changes={"record": record.key, "account": target.pk, "points": amount},
            )
    except IntegrityError:  # the same record awarded by a concurrent call
        return PointTransaction.objects.get(source_key=record.key)
    return txn
