"""双报到: units and in-service party members register with a community, which approves them.

An approved `UnitRegistration` names the unit's liaison (one of the 五个一); the liaison's sign-in
acts for the unit on the service pages (accepting ordered services, claiming wishes and projects).
An approved `MemberRegistration` lets an in-service member serve in that community — claim its
wishes, join its activities — even when they live in another street.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import PartyMember, Unit
from gongzhi.regions.models import Region
from gongzhi.volunteers.models import Volunteer


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")  # 待审核
    APPROVED = "approved", _("Approved")  # 已通过
    REJECTED = "rejected", _("Rejected")  # 未通过
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤销


class _Decision(models.Model):
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        abstract = True


class UnitRegistration(_Decision):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("organisation unit")
    )
    liaison = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_for",
        verbose_name=_("liaison"),
    )
    offers = models.TextField(_("what the unit offers"), blank=True)

    class Meta:
        verbose_name = _("unit registration")
        verbose_name_plural = _("unit registrations")
        ordering = ("region_code", "-applied_at")
        constraints = [models.UniqueConstraint(fields=("unit", "community"), name="registrations_unit_community_uniq")]

    def __str__(self) -> str:
        return f"{self.unit} → {self.community}"


class MemberRegistration(_Decision):
    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("party member")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("volunteer")
    )

    class Meta:
        verbose_name = _("member registration")
        verbose_name_plural = _("member registrations")
        ordering = ("region_code", "-applied_at")
        constraints = [
            models.UniqueConstraint(fields=("member", "community"), name="registrations_member_community_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}"


class LiaisonTerm(models.Model):
    """一名联络员: who was a registered unit's liaison from when to when (the 五个一 item 1 reads these).

    Written only by the actions: approval opens a term for the proposed liaison, a change closes the
    current term and opens the next, a withdrawal closes it. `ended_on` empty = still in office.
    """

    registration = models.ForeignKey(
        UnitRegistration, on_delete=models.CASCADE, related_name="liaison_terms", verbose_name=_("unit registration")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="liaison_terms", verbose_name=_("liaison")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("liaison term")
        verbose_name_plural = _("liaison terms")
        ordering = ("registration", "started_on", "id")

    def __str__(self) -> str:
        return f"{self.volunteer} ({self.started_on}–{self.ended_on or ''})"


class ContactChannel(models.TextChoices):
    VISIT = "visit", _("Visit")  # 走访
    PHONE = "phone", _("Phone call")  # 电话
    MEETING = "meeting", _("Meeting")  # 座谈
    ONLINE = "online", _("Online")  # 线上


class UnitContact(models.Model):
    """每月联系: one logged contact between the community and a registered unit."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("unit"))
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    contacted_on = models.DateField(_("date of contact"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    summary = models.CharField(_("summary"), max_length=300)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("logged by"),
    )
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)

    class Meta:
        verbose_name = _("unit contact")
        verbose_name_plural = _("unit contacts")
        ordering = ("-contacted_on", "-id")
        indexes = [models.Index(fields=("community", "contacted_on"), name="registrations_contact_comm_idx")]

    def __str__(self) -> str:
        return f"{self.unit} {self.contacted_on}"


class JointMeeting(models.Model):
    """联席会议 held by a community or a street with its registered units."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("held by"))
    region_code = models.CharField(_("region code"), max_length=15, db_index=True)
    held_on = models.DateField(_("date"), db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ("-held_on", "-id")

    def __str__(self) -> str:
        return f"{self.held_on} {self.subject}"


class MeetingAttendance(models.Model):
    """A unit signed in at a joint meeting (每季度联席会议 reads these)."""

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meeting_attendances", verbose_name=_("unit"))
    attendee_name = models.CharField(_("attended by"), max_length=50)
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("volunteer")
    )
    signed_at = models.DateTimeField(_("signed at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendances")
        ordering = ("meeting", "unit")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "unit"), name="registrations_attendance_meeting_unit_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.meeting}"


class DutyHours(models.Model):
    """Yearly service hours required of in-service members: one row per street, or the city-wide row
    (region empty; the actions keep it single). A community follows its street's row, else the
    city-wide row, else `DEFAULT_DUTY_HOURS`."""

    region = models.OneToOneField(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("street")
    )
    hours = models.DecimalField(_("required hours a year"), max_digits=6, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("required service hours")
        verbose_name_plural = _("required service hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="registrations_dutyhours_hours_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.region or '*'}: {self.hours}"
