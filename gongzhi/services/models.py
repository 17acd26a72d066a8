"""The supply–demand loop: the need taxonomy every list, wish and skill uses, the three lists
(资源清单 Resource, 需求清单 Need, 项目清单 Project + ProjectClaim) and ordered services
(ServiceOrder + its append-only OrderEvent timeline; the states are services.workflow's table).

Micro-wishes live in `gongzhi.wishes`; a volunteer's `skills` and a team's services are codes of
the taxonomy. See docs/services.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NeedCategory(models.Model):
    """需求分类: two levels, major (parent empty) and minor. Codes are stable; names are editable."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=40)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("major class")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")
        ordering = ("sort_order", "code")
        constraints = [
            models.UniqueConstraint(fields=("parent", "name"), name="services_needcategory_parent_name_uniq"),
            # Two levels only: a minor class's parent is a major class (checked in the actions too).
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_major(self) -> bool:
        return self.parent_id is None


# ── the three lists (三张清单) ─────────────────────────────────────────────────────────────────────

MON_TO_SUN = 0b1111111  # bit 0 is Monday, bit 6 Sunday (as volunteers.models.ALL_DAYS)


class ResourceKind(models.TextChoices):
    SERVICE = "service", _("Service")  # 服务 (people's time and skills)
    VENUE = "venue", _("Venue")  # 场地
    GOODS = "goods", _("Goods")  # 物资
    FUNDS = "funds", _("Funds")  # 资金
    OTHER = "other", _("Other")


class Resource(models.Model):
    """资源清单: what a unit, a team or a volunteer offers (exactly one of them), where and when."""

    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices, default=ResourceKind.SERVICE)
    category = models.ForeignKey(
        NeedCategory, on_delete=models.PROTECT, related_name="resources", verbose_name=_("need category")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        "people.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("unit"),
    )
    team = models.ForeignKey(
        "volunteers.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("team"),
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("volunteer"),
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=1)
    capacity_unit = models.CharField(_("capacity per"), max_length=20, blank=True)  # 次/月, 人, 平方米
    availability = models.CharField(_("when"), max_length=100, blank=True)
    days = models.PositiveSmallIntegerField(_("days of the week"), default=MON_TO_SUN)
    place = models.CharField(_("where"), max_length=200, blank=True)
    # The community (12 digits) or the whole street (9 digits) the resource serves.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("community or street")
    )
    region_code = models.CharField(_("region code"), max_length=15, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resource list")
        ordering = ("region_code", "-id")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(unit__isnull=False, team__isnull=True, volunteer__isnull=True)
                    | models.Q(unit__isnull=True, team__isnull=False, volunteer__isnull=True)
                    | models.Q(unit__isnull=True, team__isnull=True, volunteer__isnull=False)
                ),
                name="services_resource_one_provider",
            ),
        ]
        indexes = [
            models.Index(fields=("region_code",), name="services_res_region_like", opclasses=("varchar_pattern_ops",))
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def provider(self) -> object:
        return self.unit or self.team or self.volunteer

    def available_on(self, weekday: int) -> bool:
        return bool(self.days & (1 << weekday))


class Urgency(models.TextChoices):
    LOW = "low", _("Not urgent")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("Urgent")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")  # 待对接
    MATCHED = "matched", _("Matched")  # 已对接
    MET = "met", _("Met")  # 已解决
    CLOSED = "closed", _("Closed")  # 已关闭


class NeedSource(models.TextChoices):
    RESIDENT = "resident", _("Raised by a resident")
    STAFF = "staff", _("Raised by staff")


class Need(models.Model):
    """需求清单: what residents (or staff for the community) need; the resident is shown masked only."""

    category = models.ForeignKey(
        NeedCategory, on_delete=models.PROTECT, related_name="needs", verbose_name=_("need category")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("raised by"), max_length=10, choices=NeedSource.choices, default=NeedSource.STAFF)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("resident")
    )
    resident_masked = models.CharField(_("resident"), max_length=20, blank=True)  # 王*英, never the full name
    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    # The resident's grid when known, else the community.
    region_code = models.CharField(_("region code"), max_length=15, db_index=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs", verbose_name=_("resource")
    )
    order = models.ForeignKey(
        "services.ServiceOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
        verbose_name=_("ordered service"),
    )
    # A micro-wish of gongzhi.wishes (plain id: that app's models depend on this one, not the reverse).
    wish_id = models.PositiveBigIntegerField(_("micro-wish"), null=True, blank=True)
    status_note = models.CharField(_("note"), max_length=300, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("need list")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("region_code",), name="services_need_region_like", opclasses=("varchar_pattern_ops",)),
            models.Index(fields=("status", "region_code"), name="services_need_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    PUBLISHED = "published", _("Open for claims")  # 认领中
    CLOSED = "closed", _("Claims closed")  # 停止认领
    DONE = "done", _("Done")  # 已完成


class Project(models.Model):
    """项目清单: a community's project (goal, period, slots, budget) that units claim (项目认领)."""

    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    category = models.ForeignKey(
        NeedCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("need category"),
    )
    title = models.CharField(_("title"), max_length=100)
    goal = models.TextField(_("goal"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    slots = models.PositiveSmallIntegerField(_("units wanted"), default=1)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("project list")
        ordering = ("-starts_on", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="services_project_period"
            ),
            models.CheckConstraint(condition=models.Q(slots__gte=1), name="services_project_slots_gte_1"),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="services_project_budget_gte_0"),
        ]

    def __str__(self) -> str:
        return self.title


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")  # 已认领
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已放弃
    DELIVERED = "delivered", _("Delivered")  # 已交付, awaiting the community
    CONFIRMED = "confirmed", _("Confirmed")  # 社区确认


ACTIVE_CLAIM = ~models.Q(status=ClaimStatus.WITHDRAWN)


class ProjectClaim(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="claims", verbose_name=_("project"))
    unit = models.ForeignKey(
        "people.Unit", on_delete=models.PROTECT, related_name="project_claims", verbose_name=_("unit")
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.CLAIMED)
    plan = models.CharField(_("what the unit will do"), max_length=300, blank=True)
    evidence = models.TextField(_("what was delivered"), blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("project claim")
        verbose_name_plural = _("project claims")
        ordering = ("claimed_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("project", "unit"), condition=ACTIVE_CLAIM, name="services_claim_one_active_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.project}"


# ── ordered services (社区点单—联盟下单—单位接单) ──────────────────────────────────────────────────


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")  # 已点单, waits for the alliance
    DISPATCHED = "dispatched", _("Passed to a unit")  # 已派单
    DECLINED = "declined", _("Declined")  # 被拒单, back with the alliance
    ACCEPTED = "accepted", _("Accepted")  # 已接单
    IN_PROGRESS = "in_progress", _("In progress")  # 服务中
    COMPLETED = "completed", _("Completed")  # 已完成, waits for the community
    CONFIRMED = "confirmed", _("Confirmed")  # 社区确认
    CANCELLED = "cancelled", _("Cancelled")  # 已取消


OPEN_ORDER_STATUSES = frozenset(
    {
        OrderStatus.ORDERED,
        OrderStatus.DISPATCHED,
        OrderStatus.DECLINED,
        OrderStatus.ACCEPTED,
        OrderStatus.IN_PROGRESS,
    }
)


class ServiceOrder(models.Model):
    """点单: a community orders a service from its street's alliance, which passes it to a unit or team."""

    number = models.CharField(_("order number"), max_length=20, unique=True, null=True, blank=True)
    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("ordering community")
    )
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    street = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("street (alliance)")
    )
    street_code = models.CharField(_("street code"), max_length=15, db_index=True)
    category = models.ForeignKey(
        NeedCategory, on_delete=models.PROTECT, related_name="orders", verbose_name=_("need category")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    wanted_by = models.DateField(_("wanted by"))
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    unit = models.ForeignKey(
        "people.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("unit"),
    )
    team = models.ForeignKey(
        "volunteers.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("team"),
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    dispatched_at = models.DateTimeField(_("passed on at"), null=True, blank=True)
    accept_due = models.DateTimeField(_("accept by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    decline_count = models.PositiveSmallIntegerField(_("times declined"), default=0)
    decline_reason = models.CharField(_("last decline reason"), max_length=300, blank=True)
    completion_note = models.TextField(_("what was done"), blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, null=True, blank=True)
    send_back_count = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    send_back_reason = models.CharField(_("last send-back reason"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ordered service")
        verbose_name_plural = _("ordered services")
        ordering = ("-ordered_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True) | models.Q(team__isnull=True), name="services_order_one_assignee"
            ),
        ]
        indexes = [
            models.Index(
                fields=("region_code",), name="services_order_region_like", opclasses=("varchar_pattern_ops",)
            ),
            models.Index(fields=("street_code", "status"), name="services_order_street_idx"),
            models.Index(fields=("unit", "status"), name="services_order_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def assignee(self) -> object:
        return self.unit or self.team

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES

    def accept_overdue(self, now: dt.datetime | None = None) -> bool:
        """Passed to a unit and not accepted (or declined) within the time the alliance gave."""
        return (
            self.status == OrderStatus.DISPATCHED
            and self.accept_due is not None
            and (now or timezone.now()) > self.accept_due
        )

    def completion_overdue(self, today: dt.date | None = None) -> bool:
        """Still open after the day the community wanted it by."""
        return self.is_open and (today or timezone.localdate()) > self.wanted_by

    @property
    def is_overdue(self) -> bool:
        return self.accept_overdue() or self.completion_overdue()


class OrderEventQuerySet(models.QuerySet["OrderEvent"]):
    def update(self, **kwargs: object) -> int:
        raise TypeError("the order timeline is append-only")


class OrderEvent(models.Model):
    """The order's timeline: one row per step; never changed."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=60, blank=True)
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=OrderStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = OrderEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order timeline")
        ordering = ("occurred_at", "id")
        indexes = [models.Index(fields=("order", "occurred_at"), name="services_orderevent_time_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the order timeline is append-only")
        super().save(*args, **kwargs)
