"""Reads of the shared kernel, scoped to who asks: the audit trail is the audit administrator's alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet

from gongzhi.core.access import AnyUser, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.core.models import AuditEvent, Membership


@dataclass(frozen=True, slots=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str = ""  # user name, exact (case-insensitive)
    action: str = ""  # exact, or a prefix when it ends with "*" ("auth.*")
    object_type: str = ""
    object_id: str = ""
    request_id: str = ""
    source: str = ""


def audit_events_for(user: AnyUser) -> QuerySet[AuditEvent]:
    if not has_capability(user, Cap.AUDIT_VIEW):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()


def search_audit(user: AnyUser, f: AuditFilter) -> QuerySet[AuditEvent]:
    qs = audit_events_for(user).select_related("actor")
    if f.since is not None:
        qs = qs.filter(occurred_at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(occurred_at__lt=f.until)
    if f.actor:
        qs = qs.filter(actor__username__iexact=f.actor)
    if f.action:
        if f.action.endswith("*"):
            qs = qs.filter(action__startswith=f.action.rstrip("*"))
        else:
            qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.request_id:
        qs = qs.filter(request_id=f.request_id)
    if f.source:
        qs = qs.filter(source=f.source)
    return qs.order_by("-occurred_at", "-id")


def access_audit_event(user: AnyUser, pk: int) -> AuditEvent:
    event = audit_events_for(user).select_related("actor").filter(pk=pk).first()
    if event is None:
        raise NotFound(pk)
    return event


def accounts_for(user: AnyUser) -> QuerySet[User]:
    """Every account, for the security administrator; nothing for anyone else."""
    if not has_capability(user, Cap.ACCOUNTS_MANAGE):
        return User.objects.none()
    return User.objects.all()


def search_accounts(user: AnyUser, *, q: str = "", role: str = "") -> QuerySet[User]:
    qs = accounts_for(user)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    if role:
        qs = qs.filter(memberships__role=role).distinct()
    memberships = Membership.objects.select_related("region", "department").order_by("role", "id")
    return (
        qs.select_related("security")
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by("username")
    )


def access_account(user: AnyUser, pk: int) -> User:
    account = search_accounts(user).filter(pk=pk).first()
    if account is None:
        raise NotFound(pk)
    return account
