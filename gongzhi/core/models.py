"""Shared kernel models: the append-only audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One row per write, unmasking, export or login; never updated, never deleted."""

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=10)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ("-occurred_at", "-id")
        indexes = [models.Index(fields=("object_type", "object_id"), name="core_audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community worker")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    STREET_STAFF = "street_staff", _("Street office")
    DEPARTMENT_STAFF = "department_staff", _("Department")
    DISTRICT_LEADER = "district_leader", _("District leader")
    CITY_LEADER = "city_leader", _("City leader")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class Membership(models.Model):
    """A user's role in one region: the region's subtree is what the role sees."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    # The post as people say it (网格长, 专职网格员, 社区书记…); the role is what the system acts on.
    title = models.CharField(_("post"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=("user", "role", "region"), name="core_membership_user_role_region_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


# Login security (gongzhi.core.security): per-account state, password history and failure counters.


class UserSecurity(models.Model):
    """What the login needs to know about an account beyond Django's user row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security")
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # The TOTP secret, sealed with core.pii.encrypt; empty when no authenticator is enrolled.
    totp_secret = models.TextField(_("authenticator secret"), blank=True)
    totp_confirmed_at = models.DateTimeField(_("authenticator enrolled"), null=True, blank=True)
    # The last time step accepted: a code is good once, so a code seen over a shoulder cannot be replayed.
    totp_last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self) -> str:
        return f"{self.user}"

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret) and self.totp_confirmed_at is not None


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords, newest last; only hashes, as Django stores them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("password history")
        verbose_name_plural = _("password history")
        indexes = [models.Index(fields=("user", "-id"), name="core_pwhist_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class LoginThrottle(models.Model):
    """Consecutive login failures for one user name or one client address, and the lock they caused.

    Keyed by the name typed, whether or not such an account exists, so the lock says nothing about
    which names are real.
    """

    class Scope(models.TextChoices):
        USERNAME = "user", _("user name")
        IP = "ip", _("address")

    scope = models.CharField(max_length=4, choices=Scope.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")
        constraints = [models.UniqueConstraint(fields=("scope", "key"), name="core_loginthrottle_scope_key_uniq")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
