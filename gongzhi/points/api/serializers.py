"""Shapes of the points API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gongzhi.points.actions import MAX_QUANTITY
from gongzhi.points.models import CatalogItem, PointEntry, PointTransaction, Station


class EntrySerializer(serializers.ModelSerializer[PointEntry]):
    transaction = serializers.IntegerField(source="transaction_id", read_only=True)
    kind = serializers.CharField(source="transaction.kind", read_only=True)
    memo = serializers.CharField(source="transaction.memo", read_only=True)
    created_at = serializers.DateTimeField(source="transaction.created_at", read_only=True)
    reverses = serializers.IntegerField(source="transaction.reverses_id", read_only=True, allow_null=True)
    reversed = serializers.SerializerMethodField()

    class Meta:
        model = PointEntry
        fields = ("id", "transaction", "kind", "memo", "amount", "balance_after", "created_at", "reverses", "reversed")

    def get_reversed(self, entry: PointEntry) -> bool:
        return hasattr(entry.transaction, "reversal")


class StationSerializer(serializers.ModelSerializer[Station]):
    community = serializers.CharField(source="region_code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Station
        fields = ("id", "name", "community", "community_name", "address", "opening_hours", "is_active")


class ItemSerializer(serializers.ModelSerializer[CatalogItem]):
    class Meta:
        model = CatalogItem
        fields = ("id", "name", "cost", "stock", "is_active")


class RedeemRequestSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)


class RedemptionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    item = serializers.IntegerField()
    item_name = serializers.CharField()
    station = serializers.IntegerField()
    quantity = serializers.IntegerField()
    points = serializers.IntegerField(help_text="Points paid.")
    balance = serializers.IntegerField(help_text="The member's balance after the redemption.")
    created_at = serializers.DateTimeField()


class ReverseRequestSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(min_length=2, max_length=200)


class TransactionEntrySerializer(serializers.ModelSerializer[PointEntry]):
    class Meta:
        model = PointEntry
        fields = ("account", "amount", "balance_after")


class TransactionSerializer(serializers.ModelSerializer[PointTransaction]):
    entries = TransactionEntrySerializer(many=True, read_only=True)

    class Meta:
        model = PointTransaction
        fields = ("id", "kind", "memo", "reverses", "created_at", "entries")


class MyPointsSerializer(serializers.Serializer[Any]):
    balance = serializers.IntegerField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EntrySerializer(many=True)
