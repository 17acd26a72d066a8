"""Invariants of the ledger, asserted after every test that writes to it."""

from __future__ import annotations

from django.db.models import Sum

from gongzhi.points.models import AccountKind, CatalogItem, PointAccount, PointEntry, PointTransaction, StockMovement


def assert_ledger_consistent() -> None:
    for account in PointAccount.objects.all():
        total = PointEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
        assert account.balance == total, (account, account.balance, total)
        if account.kind != AccountKind.ISSUANCE:
            assert account.balance >= 0, account
        last = PointEntry.objects.filter(account=account).order_by("-id").first()
        assert (last.balance_after if last else 0) == account.balance
    for txn in PointTransaction.objects.all():
        assert PointEntry.objects.filter(transaction=txn).aggregate(s=Sum("amount"))["s"] == 0, txn
    for item in CatalogItem.objects.all():
        assert item.stock >= 0
        moved = StockMovement.objects.filter(item=item).aggregate(s=Sum("delta"))["s"] or 0
        assert item.stock == moved, (item, item.stock, moved)
