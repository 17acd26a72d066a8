"""The points ledger (志愿积分): accounts, double-entry transactions, earning rules, stations and stock.

Every movement of points is a `PointTransaction` whose `PointEntry` rows sum to zero: an earning
debits the community's issuance account and credits the volunteer (or unit); a redemption debits the
member and credits the station. Transactions, entries, stock movements and redemptions are
append-only (ORM guard here, a trigger on PostgreSQL); a mistake is corrected by a reversal
transaction that mirrors the original. `PointAccount.balance` and `CatalogItem.stock` are running
totals kept in step under row locks by `gongzhi.points.actions` and checked by the database.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import Unit
from gongzhi.regions.models import Region
from gongzhi.volunteers.models import ServiceKind, Volunteer

APPEND_ONLY = "points ledger rows are append-only"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: object) -> int:
        raise TypeError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(APPEND_ONLY)


class AppendOnly(models.Model):
    """Rows that are written once and never changed or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(APPEND_ONLY)


class Station(models.Model):
    """党员爱心驿站: where members exchange points for goods from the station's catalogue."""

    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="stations", verbose_name=_("community")
    )
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ("region_code", "name")
        constraints = [models.UniqueConstraint(fields=("community", "name"), name="points_station_community_name_uniq")]

    def __str__(self) -> str:
        return self.name


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Member")  # a volunteer's own points
    UNIT = "unit", _("Organisation unit")  # a co-building unit's points
    ISSUANCE = "issuance", _("Issuance")  # a community's source of every earning (goes negative)
    STATION = "station", _("Station")  # where redeemed points go


def _owner(kind: str, field: str) -> Q:
    owners = ("volunteer", "unit", "community", "station")
    q = Q(kind=kind)
    for name in owners:
        q &= Q(**{f"{name}__isnull": name != field})
    return q


class PointAccount(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    volunteer = models.OneToOneField(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="point_account",
        verbose_name=_("volunteer"),
    )
    unit = models.OneToOneField(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="point_account", verbose_name=_("unit")
    )
    community = models.OneToOneField(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issuance_account",
        verbose_name=_("community"),
    )
    station = models.OneToOneField(
        Station, null=True, blank=True, on_delete=models.PROTECT, related_name="account", verbose_name=_("station")
    )
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    # The sum of the account's entries, written under the account's row lock with each entry.
    balance = models.IntegerField(_("balance"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        ordering = ("region_code", "id")
        constraints = [
            models.CheckConstraint(
                condition=_owner(AccountKind.MEMBER, "volunteer")
                | _owner(AccountKind.UNIT, "unit")
                | _owner(AccountKind.ISSUANCE, "community")
                | _owner(AccountKind.STATION, "station"),
                name="points_account_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind=AccountKind.ISSUANCE) | Q(balance__gte=0),
                name="points_account_balance_gte_0",
            ),
        ]
        indexes = [
            models.Index(fields=("region_code",), name="points_account_region_like", opclasses=("varchar_pattern_ops",))
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def may_go_negative(self) -> bool:
        return self.kind == AccountKind.ISSUANCE

    def owner_name(self) -> str:
        if self.volunteer is not None:
            return self.volunteer.person.name
        if self.unit is not None:
            return self.unit.name
        if self.station is not None:
            return self.station.name
        if self.community is not None:
            return self.community.name
        return ""


class TransactionKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    REVERSE = "reverse", _("Reversal")


class PointTransaction(AppendOnly):
    kind = models.CharField(_("kind"), max_length=10, choices=TransactionKind.choices)
    memo = models.CharField(_("memo"), max_length=200)
    # The community whose staff answer for it: the issuing community of an earning, the station's of
    # a redemption, the original's of a reversal.
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    # Idempotency: an earning carries its ServiceRecord key, so a record pays once.
    source_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("reverses")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("points transaction")
        verbose_name_plural = _("points transactions")
        ordering = ("-id",)
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=TransactionKind.REVERSE, reverses__isnull=False)
                | (~Q(kind=TransactionKind.REVERSE) & Q(reverses__isnull=True)),
                name="points_transaction_reversal_names_original",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class PointEntry(AppendOnly):
    transaction = models.ForeignKey(
        PointTransaction, on_delete=models.PROTECT, related_name="entries", verbose_name=_("transaction")
    )
    account = models.ForeignKey(
        PointAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    amount = models.IntegerField(_("points"))  # signed: credit > 0, debit < 0
    balance_after = models.IntegerField(_("balance after"))  # the account's running balance

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ("-id",)
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="points_entry_amount_not_0")]
        indexes = [models.Index(fields=("account", "-id"), name="points_entry_account_idx")]

    def __str__(self) -> str:
        return f"{self.amount:+d}"


class EarningRule(models.Model):
    """How many points a kind of confirmed service earns: per hour served, or per item."""

    kind = models.CharField(_("service kind"), max_length=10, choices=ServiceKind.choices, unique=True)
    points = models.PositiveIntegerField(_("points"))
    per_hour = models.BooleanField(_("per hour"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ("kind",)

    def __str__(self) -> str:
        return self.get_kind_display()


class CatalogItem(models.Model):
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="items", verbose_name=_("station"))
    name = models.CharField(_("name"), max_length=100)
    cost = models.PositiveIntegerField(_("points each"))
    stock = models.IntegerField(_("stock"), default=0)  # changed only with a StockMovement
    is_active = models.BooleanField(_("on offer"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ("station", "cost", "name")
        constraints = [
            models.UniqueConstraint(fields=("station", "name"), name="points_item_station_name_uniq"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="points_item_stock_gte_0"),
            models.CheckConstraint(condition=Q(cost__gt=0), name="points_item_cost_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name


class MovementKind(models.TextChoices):
    RESTOCK = "restock", _("Restocked")
    REDEEM = "redeem", _("Redeemed")
    RETURN = "return", _("Returned")


class StockMovement(AppendOnly):
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="movements", verbose_name=_("item"))
    kind = models.CharField(_("kind"), max_length=10, choices=MovementKind.choices)
    delta = models.IntegerField(_("change"))
    stock_after = models.IntegerField(_("stock after"))
    transaction = models.ForeignKey(
        PointTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transaction"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ("-id",)
        constraints = [
            models.CheckConstraint(condition=~Q(delta=0), name="points_movement_delta_not_0"),
            models.CheckConstraint(condition=Q(stock_after__gte=0), name="points_movement_stock_after_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.delta:+d}"


class Redemption(AppendOnly):
    transaction = models.OneToOneField(
        PointTransaction, on_delete=models.PROTECT, related_name="redemption", verbose_name=_("transaction")
    )
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("item"))
    quantity = models.PositiveIntegerField(_("quantity"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("volunteer")
    )
    # Shown on the member's phone and read by the station keeper when handing the goods over.
    code = models.CharField(_("redemption code"), max_length=12, unique=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ("-id",)
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="points_redemption_quantity_gt_0")]

    def __str__(self) -> str:
        return self.code
