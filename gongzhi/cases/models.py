"""The case loop: taxonomy, duty lists, cases and their timeline, joint handling, notifications.

A case carries `region_code` (the grid it was located to, or the most specific region known), so
scoping is one prefix filter; `owner_code` is the region whose office currently answers for
dispatching it (a community, a street, the district); `department` / `assignee_code` say who must
act on it once dispatched. Timestamps are UTC; deadlines are computed in working days (sla.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import Department
from gongzhi.regions.models import Region


class HandlingLevel(models.TextChoices):
    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DEPARTMENT = "department", _("Department")


class Family(models.TextChoices):
    APPEAL = "MS", _("Citizen appeal")  # 民生诉求
    COMPONENT = "BJ", _("City component")  # 城市部件
    EVENT = "SJ", _("City event")  # 城市事件


class Category(models.Model):
    """A node of the category tree; cases are filed under leaves (depth 3)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    family = models.CharField(_("family"), max_length=2, choices=Family.choices)
    depth = models.PositiveSmallIntegerField(_("depth"))
    handling_level = models.CharField(
        _("default handling level"), max_length=12, choices=HandlingLevel.choices, default=HandlingLevel.COMMUNITY
    )
    response_hours = models.PositiveIntegerField(_("response limit (hours)"), default=24)
    handling_days = models.PositiveIntegerField(_("handling limit (working days)"), default=5)
    # [{"key", "label", "type": text|number|choice, "choices"?, "required"}]
    attributes = models.JSONField(_("required attributes"), default=list, blank=True)
    # Labels other schemes use for this node (a hotline's first-level sector names, say).
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ("code",)
        constraints = [models.UniqueConstraint(fields=("parent", "name"), name="cases_category_parent_name_uniq")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return self.depth == 3


class DutyItem(models.Model):
    """事项清单: a category a level (grid/community/street) or a department may be given (非准不入)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="duty_items")
    level = models.CharField(_("level"), max_length=12, choices=HandlingLevel.choices, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="duty_items"
    )

    class Meta:
        verbose_name = _("duty list item")
        verbose_name_plural = _("duty list")
        constraints = [
            models.CheckConstraint(
                condition=(Q(department__isnull=True) & ~Q(level="")) | (Q(department__isnull=False) & Q(level="")),
                name="cases_dutyitem_level_xor_department",
            ),
            models.UniqueConstraint(
                fields=("category", "level"), condition=Q(department__isnull=True), name="cases_dutyitem_level_uniq"
            ),
            models.UniqueConstraint(
                fields=("category", "department"),
                condition=Q(department__isnull=False),
                name="cases_dutyitem_department_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.department or self.get_level_display()}"


class Admission(models.Model):
    """准入: a street lets an item outside the duty list be given to a level or department in its area."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="admissions")
    level = models.CharField(_("level"), max_length=12, choices=HandlingLevel.choices, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="admissions"
    )
    street = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("street"))
    reason = models.CharField(_("reason"), max_length=200)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")

    def __str__(self) -> str:
        return f"{self.street} 准入 {self.category} → {self.department or self.get_level_display()}"


class Responsibility(models.Model):
    """Which department answers for a category, optionally only in an area (the most specific wins)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="responsibilities")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="responsibilities")
    area_code = models.CharField(_("area code"), max_length=15, blank=True)

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibility map")
        constraints = [
            models.UniqueConstraint(fields=("category", "department", "area_code"), name="cases_responsibility_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.department}"


class Channel(models.TextChoices):
    H5 = "h5", _("Resident (phone)")
    PATROL = "patrol", _("Grid patrol")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    HOTLINE = "hotline", _("12345 hotline")
    STAFF = "staff", _("Staff entry")


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting acceptance")  # 待受理
    REGISTERED = "registered", _("Registered")  # 已立案
    REJECTED = "rejected", _("Not registered")  # 不予立案
    DISPATCHED = "dispatched", _("Dispatched")  # 已派遣
    SIGNED = "signed", _("Signed for")  # 已签收
    RETURNED = "returned", _("Returned")  # 已退回
    HANDLING = "handling", _("In hand")  # 处置中
    HANDLED = "handled", _("Handled")  # 已办结
    VERIFYING = "verifying", _("Awaiting verification")  # 待核查
    CLOSED = "closed", _("Closed")  # 已结案
    REWORK = "rework", _("Rework")  # 返工
    SUSPENDED = "suspended", _("Suspended")  # 挂起
    MERGED = "merged", _("Merged")  # 合并到另一案件


TERMINAL_STATUSES = frozenset({Status.REJECTED, Status.CLOSED, Status.MERGED})
OPEN_STATUSES = frozenset(set(Status) - TERMINAL_STATUSES)


class Resolution(models.TextChoices):
    SOLVED = "solved", _("Solved")
    EXPLAINED = "explained", _("Explained")
    UNSOLVABLE = "unsolvable", _("Cannot be solved")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Fairly satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Case(models.Model):
    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    # The resident's status page is reached by ticket number plus this token; only its digest is kept.
    token_digest = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Idempotent intake: the same (channel, source, client_key) is one case.
    source = models.CharField(_("source"), max_length=64, blank=True)
    client_key = models.CharField(_("client key"), max_length=100, blank=True)

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    suggested_category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    suggestion_confidence = models.FloatField(null=True, blank=True)
    suggestions = models.JSONField(default=list, blank=True)  # [[category code, confidence], …] best first
    suggested_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A probable duplicate found at intake (same category, nearby, recent, still open): shown with a merge button.
    duplicate_candidate = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)  # WGS-84
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    region_code = models.CharField(_("region code"), max_length=15, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    owner_code = models.CharField(_("office in charge"), max_length=15, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("department")
    )
    # A grid code when a grid worker handles it (下发到网格 or 即报即办).
    assignee_code = models.CharField(_("assigned grid"), max_length=15, blank=True)
    suspended_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    reporter_name_masked = models.CharField(_("reporter"), max_length=20, blank=True)
    reporter_phone_ciphertext = models.TextField(blank=True, editable=False)
    reporter_phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    reporter_phone_masked = models.CharField(_("reporter phone"), max_length=20, blank=True, editable=False)
    # The title and description as typed, sealed (pii.encrypt of a JSON object), when intake masked a
    # phone or ID number in them; empty otherwise. Shown only through the logged 「查看」.
    original_text_sealed = models.TextField(blank=True, default="", editable=False)

    created_at = models.DateTimeField(_("reported at"))
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    handle_due = models.DateTimeField(_("deadline"), null=True, blank=True)
    # Frozen when the event happens, so indicators are plain counts over indexed columns.
    responded_on_time = models.BooleanField(null=True, blank=True)
    handled_on_time = models.BooleanField(null=True, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    warned_at = models.DateTimeField(null=True, blank=True)
    escalation_step = models.PositiveSmallIntegerField(default=0)
    supervised = models.BooleanField(_("under supervision"), default=False)

    resolution = models.CharField(_("resolution"), max_length=12, choices=Resolution.choices, blank=True)
    result = models.TextField(_("result"), blank=True)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    closed_on_spot = models.BooleanField(_("closed on the spot"), default=False)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("channel", "source", "client_key"),
                condition=~Q(client_key=""),
                name="cases_case_client_key_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=("region_code", "created_at"),
                name="cases_case_region_pattern_idx",
                opclasses=("varchar_pattern_ops", "timestamptz_ops"),
            ),
            models.Index(fields=("status", "owner_code"), name="cases_case_status_owner_idx"),
            models.Index(fields=("department", "status"), name="cases_case_dept_status_idx"),
            models.Index(fields=("assignee_code", "status"), name="cases_case_assignee_idx"),
            models.Index(fields=("handle_due",), name="cases_case_handle_due_idx", condition=Q(closed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES


class CaseEvent(models.Model):
    """The case's timeline: one row per transition, note, photo or rating; never changed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=60, blank=True)
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case timeline")
        ordering = ("occurred_at", "id")
        indexes = [models.Index(fields=("case", "occurred_at"), name="cases_event_case_time_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the case timeline is append-only")
        super().save(*args, **kwargs)


class PhotoStage(models.TextChoices):
    REPORT = "report", _("Report")
    RESULT = "result", _("Result")
    VERIFY = "verify", _("Verification")
    PART = "part", _("Joint handling")


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=8, choices=PhotoStage.choices)
    image = models.FileField(_("photo"), upload_to="cases/%Y/%m/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"


class PartyRole(models.TextChoices):
    LEAD = "lead", _("Lead")  # 主办
    ASSIST = "assist", _("Assisting")  # 协办
    NOTIFY = "notify", _("Notified")  # 知会


class Whistle(models.Model):
    """吹哨: the street summons departments to one case; each reports in (报到) by the deadline."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="whistle")
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField()
    report_in_due = models.DateTimeField(_("report-in deadline"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("whistle order")
        verbose_name_plural = _("whistle orders")

    def __str__(self) -> str:
        return f"吹哨 {self.case_id}"


class WhistleParty(models.Model):
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="parties")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="whistle_parties")
    role = models.CharField(_("role"), max_length=8, choices=PartyRole.choices)
    reported_in_at = models.DateTimeField(_("reported in"), null=True, blank=True)
    part = models.TextField(_("their part"), blank=True)
    part_submitted_at = models.DateTimeField(_("part submitted"), null=True, blank=True)
    # Set by the sweep when the report-in deadline passed without this department reporting in.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("whistle party")
        verbose_name_plural = _("whistle parties")
        ordering = ("role", "id")
        constraints = [
            models.UniqueConstraint(fields=("whistle", "department"), name="cases_whistleparty_department_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.department} ({self.get_role_display()})"


class RequestKind(models.TextChoices):
    SUSPEND = "suspend", _("Suspension")  # 挂起
    EXTEND = "extend", _("Extension")  # 延期


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class CaseRequest(models.Model):
    """A handler's request to suspend the case or extend its deadline, decided by the office in charge."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=8, choices=RequestKind.choices)
    days = models.PositiveSmallIntegerField(_("working days"), default=0)
    reason = models.CharField(_("reason"), max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(_("status"), max_length=8, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("case request")
        verbose_name_plural = _("case requests")
        ordering = ("-requested_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("case", "kind"), condition=Q(status="pending"), name="cases_request_one_pending_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("user", "read_at"), name="cases_notification_user_idx")]

    def __str__(self) -> str:
        return self.message


class WorkCalendarDay(models.Model):
    """An override of the built-in holiday calendar (a newly announced holiday or make-up workday)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working calendar")
        ordering = ("date",)

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class EscalationStep(models.Model):
    """What the overdue sweep does once a case has been overdue this long (the configurable rule)."""

    order = models.PositiveSmallIntegerField(_("step"), unique=True)
    overdue_hours = models.PositiveIntegerField(_("hours overdue"))
    target_level = models.CharField(_("escalate to"), max_length=12, choices=HandlingLevel.choices)
    supervise = models.BooleanField(_("put under supervision"), default=False)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation rule")
        ordering = ("order",)

    def __str__(self) -> str:
        return f"{self.order}: +{self.overdue_hours}h → {self.target_level}"


class LoopSettings(models.Model):
    """One row: indicator weights and the warning threshold, editable by the system administrator."""

    weight_response = models.PositiveSmallIntegerField(_("weight of response rate"), default=30)
    weight_solution = models.PositiveSmallIntegerField(_("weight of solution rate"), default=35)
    weight_satisfaction = models.PositiveSmallIntegerField(_("weight of satisfaction rate"), default=35)
    warn_hours_before = models.PositiveSmallIntegerField(_("warn this many hours before the deadline"), default=24)
    duplicate_radius_m = models.PositiveSmallIntegerField(_("duplicate radius (m)"), default=150)
    duplicate_days = models.PositiveSmallIntegerField(_("duplicate window (days)"), default=7)

    class Meta:
        verbose_name = _("case loop settings")
        verbose_name_plural = _("case loop settings")

    def __str__(self) -> str:
        return "case loop settings"


class ApiClient(models.Model):
    """Another system allowed to file and read cases (REST intake, Open311): its key is kept as a digest."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name


class ClassifierModel(models.Model):
    """A trained text classifier (numpy arrays and JSON, never pickle); the newest active one is used."""

    trained_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(_("trained from"), max_length=100)
    n_samples = models.PositiveIntegerField()
    labels = models.JSONField(default=list)
    metrics = models.JSONField(default=dict, blank=True)
    blob = models.BinaryField()
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("classifier model")
        verbose_name_plural = _("classifier models")
        ordering = ("-trained_at", "-id")

    def __str__(self) -> str:
        return f"{self.source} {self.trained_at:%Y-%m-%d}"
