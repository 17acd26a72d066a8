"""双报到: units and in-service party members register with a community, which approves them.

An approved `UnitRegistration` names the unit's liaison (one of the 五个一); the liaison's sign-in
acts for the unit on the service pages (accepting ordered services, claiming wishes and projects).
An approved `MemberRegistration` lets an in-service member serve in that community — claim its
wishes, join its activities — even when they live in another street.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        abstract = True


class UnitRegistration(_Decision):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("organisation unit"))
    liaison = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="liaison_for",
        verbose_name=_("liaison"),
    )
    offers = models.TextField(_("what the unit offers"), blank=True)

    class Meta:
        verbose_name = _("unit registration")
        verbose_name_plural = _("unit registrations")
        ordering = ("region_code", "-applied_at")
        constraints = [
            models.UniqueConstraint(fields=("unit", "community"), name="registrations_unit_community_uniq")
        ]

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
