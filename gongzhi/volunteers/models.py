"""Who serves, in which teams, and the record of service that actually happened.

A `Volunteer` is the serving side of a person: a resident volunteer, a resident party member, an
in-service party member who registered with a community (双报到), or a unit's staff. Their sign-in
account (if any) is the `user`; they hold no staff role, so they see only the service pages.

`ServiceRecord` is written once when a piece of service is confirmed (a wish fulfilled and confirmed,
an ordered service completed, an activity attendance confirmed, a project delivered). Hours, members'
yearly duty, units' 五个一 "one service a month" and points all read from it, so none of them is
entered by hand and each has one source.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import Person, Unit
from gongzhi.regions.models import Building, Region

ALL_DAYS = 0b1111111  # bit 0 is Monday, bit 6 Sunday


class Volunteer(models.Model):
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("person"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name=_("sign-in account"),
    )
    # The community they serve in: their home's, or the one an in-service member registered with.
    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("community")
    )
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    # Where they live or are based; the distance to a resident's building ranks candidates.
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("building")
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)  # need-category codes (services)
    available_days = models.PositiveSmallIntegerField(_("available days"), default=ALL_DAYS)
    monthly_capacity = models.PositiveSmallIntegerField(_("tasks a month at most"), default=4)
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ("region_code", "id")
        indexes = [
            models.Index(fields=("region_code",), name="volunteers_vol_region_like", opclasses=("varchar_pattern_ops",))
        ]

    def __str__(self) -> str:
        return self.person.name

    def available_on(self, weekday: int) -> bool:
        return bool(self.available_days & (1 << weekday))


class Team(models.Model):
    """志愿服务队: a community's team, or a unit's own (which counts for the unit's 五个一)."""

    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="teams", verbose_name=_("community"))
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="teams", verbose_name=_("organisation unit")
    )
    leader = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams", verbose_name=_("leader")
    )
    skills = models.JSONField(_("services offered"), default=list, blank=True)
    founded_on = models.DateField(_("founded on"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ("region_code", "name")
        constraints = [
            models.UniqueConstraint(fields=("community", "name"), name="volunteers_team_community_name_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("team"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("volunteer")
    )
    joined_on = models.DateField(_("joined on"))

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=("team", "volunteer"), name="volunteers_teammember_uniq")]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.team}"


class ServiceKind(models.TextChoices):
    WISH = "wish", _("Micro-wish")  # 微心愿
    ORDER = "order", _("Ordered service")  # 点单服务
    ACTIVITY = "activity", _("Volunteer activity")  # 志愿活动
    PROJECT = "project", _("Community project")  # 项目认领
    OTHER = "other", _("Other service")


class ServiceRecordQuerySet(models.QuerySet["ServiceRecord"]):
    def update(self, **kwargs: object) -> int:
        raise TypeError("service records are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("service records are append-only")


class ServiceRecord(models.Model):
    """One piece of service that happened and was confirmed. Append-only; written by the actions only."""

    # Idempotency: "<kind>:<source id>[:<who>]" so a confirmation repeated or retried records once.
    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ServiceKind.choices)
    source_id = models.PositiveBigIntegerField(_("source"))
    volunteer = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("volunteer"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organisation unit"),
    )
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    served_on = models.DateField(_("served on"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, default=0)
    summary = models.CharField(_("summary"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ("-served_on", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(volunteer__isnull=False) | models.Q(unit__isnull=False),
                name="volunteers_servicerecord_someone",
            ),
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="volunteers_servicerecord_hours_gte_0"),
        ]
        indexes = [
            models.Index(fields=("volunteer", "served_on"), name="volunteers_sr_vol_date_idx"),
            models.Index(fields=("unit", "served_on"), name="volunteers_sr_unit_date_idx"),
        ]

    def __str__(self) -> str:
        return self.summary

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("service records are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


# ── activities: sign-up, QR check-in and check-out, confirmed attendance ─────────────────────────


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being prepared; only the organisers see it
    OPEN = "open", _("Open for sign-up")
    CLOSED = "closed", _("Sign-up closed")  # still takes place: check-in and check-out work
    DONE = "done", _("Finished")  # no more check-in or check-out; attendance may still be confirmed
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    """志愿活动: a dated piece of group service with a sign-up limit and a QR check-in/out."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="volunteer_activities", verbose_name=_("community")
    )
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    organiser_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("organising team"),
    )
    organiser_volunteer = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organised_activities",
        verbose_name=_("organiser (volunteer)"),
    )
    organiser_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organiser (staff)"),
    )
    category_code = models.CharField(_("need category"), max_length=12, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("places"))
    status = models.CharField(_("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT)
    # Key of the rotating QR tokens (see gongzhi.volunteers.tokens); never shown, never sent.
    qr_secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ("-starts_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="volunteers_activity_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="volunteers_activity_capacity_gte_1"),
        ]
        indexes = [
            models.Index(
                fields=("region_code",), name="volunteers_act_region_like", opclasses=("varchar_pattern_ops",)
            ),
            models.Index(fields=("status", "starts_at"), name="volunteers_act_status_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignUpStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    CANCELLED = "cancelled", _("Cancelled")


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=10, choices=SignUpStatus.choices, default=SignUpStatus.SIGNED_UP)
    signed_up_at = models.DateTimeField(_("signed up at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ("signed_up_at", "id")
        constraints = [models.UniqueConstraint(fields=("activity", "volunteer"), name="volunteers_signup_uniq")]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.activity}"


class Attendance(models.Model):
    """One volunteer's presence at one activity, from the QR scans; hours count once confirmed."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("activity")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("volunteer")
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ("checked_in_at", "id")
        constraints = [
            models.UniqueConstraint(fields=("activity", "volunteer"), name="volunteers_attendance_uniq"),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True) | models.Q(hours__gte=0),
                name="volunteers_attendance_hours_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.activity}"
