"""Lock-out after repeated failures, per user name and per client address.

A user name is locked for `GONGZHI_LOGIN_LOCK_MINUTES` once `GONGZHI_LOGIN_MAX_FAILURES` wrong
passwords (or wrong second-factor codes) for it arrive within `GONGZHI_LOGIN_FAILURE_WINDOW_MINUTES`
of the first; a success clears its count. An address is locked the same way after
`GONGZHI_LOGIN_IP_MAX_FAILURES` failures, whichever names they were for; successes do not clear it,
or one valid account would reset a spraying attack.

Names are counted whether or not an account exists, so the lock reveals nothing about which
names are real. The counters live in the database, so every web process sees the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.core.models import LoginThrottle

Scope = LoginThrottle.Scope


def _minutes(name: str, default: int) -> timedelta:
    return timedelta(minutes=int(getattr(settings, name, default)))


def window() -> timedelta:
    return _minutes("GONGZHI_LOGIN_FAILURE_WINDOW_MINUTES", 15)


def lock_duration() -> timedelta:
    return _minutes("GONGZHI_LOGIN_LOCK_MINUTES", 15)


def threshold(scope: str) -> int:
    if scope == Scope.IP:
        return int(getattr(settings, "GONGZHI_LOGIN_IP_MAX_FAILURES", 30))
    return int(getattr(settings, "GONGZHI_LOGIN_MAX_FAILURES", 5))


def username_key(username: str) -> str:
    """Case-folded: `Admin` and `admin` share one counter, so case games buy no extra attempts."""
    return username.strip().casefold()[:150]


def _keys(username: str, ip: str) -> list[tuple[str, str]]:
    keys = [(Scope.USERNAME.value, username_key(username))]
    if ip:
        keys.append((Scope.IP.value, ip))
    return keys


def locked_until(username: str, ip: str, *, now: datetime | None = None) -> datetime | None:
    """When the lock on this name or address ends, or None when neither is locked."""
    now = now or timezone.now()
    query = Q()
    for scope, key in _keys(username, ip):
        query |= Q(scope=scope, key=key)
    until = [
        t
        for t in LoginThrottle.objects.filter(query, locked_until__gt=now).values_list("locked_until", flat=True)
        if t is not None
    ]
    return max(until) if until else None


def is_locked(username: str, ip: str) -> bool:
    return locked_until(username, ip) is not None


@dataclass(frozen=True, slots=True)
class FailureResult:
    locked: bool  # this failure locked the name or the address


def _locked_row(scope: str, key: str, now: datetime) -> LoginThrottle:
    row = LoginThrottle.objects.select_for_update().filter(scope=scope, key=key).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return LoginThrottle.objects.create(scope=scope, key=key, failures=0, window_started_at=now)
    except IntegrityError:  # a concurrent failure created it first
        return LoginThrottle.objects.select_for_update().get(scope=scope, key=key)


@transaction.atomic
def record_failure(*, username: str, ip: str, reason: str, user: Any = None) -> FailureResult:
    """Count one failure, audit it, and lock whatever reached its threshold (auditing the lock)."""
    now = timezone.now()
    user = user if user is not None else account_named(username)
    locked = False
    audit.record(
        actor=None,  # nobody proved who they are; the account tried, if it exists, is the object
        action="auth.login_failed",
        obj=user,
        object_repr=username[:150],
        changes={"username": username[:150], "ip": ip, "reason": reason},
    )
    for scope, key in _keys(username, ip):
        row = _locked_row(scope, key, now)
        if row.locked_until is not None and row.locked_until > now:
            continue  # already locked: attempts during a lock do not extend it
        if row.window_started_at + window() <= now or row.locked_until is not None:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= threshold(scope):
            row.failures = 0
            row.locked_until = now + lock_duration()
            locked = True
            audit.record(
                actor=None,
                action="auth.locked",
                obj=user if scope == Scope.USERNAME else None,
                object_repr=key if scope == Scope.IP else username[:150],
                changes={
                    "scope": scope,
                    "username": username[:150],
                    "ip": ip,
                    "until": row.locked_until.isoformat(),
                },
            )
        row.save(update_fields=["failures", "window_started_at", "locked_until"])
    _purge(now)
    return FailureResult(locked=locked)


def account_named(username: str) -> Any:
    """The account a failure concerns, if there is one: the audit row's object."""
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


def record_refused(*, username: str, ip: str, user: Any = None) -> None:
    """An attempt while locked: audited, not counted, and the password was never checked."""
    user = user if user is not None else account_named(username)
    audit.record(
        actor=None,  # nobody proved who they are; the account tried, if it exists, is the object
        action="auth.login_failed",
        obj=user,
        object_repr=username[:150],
        changes={"username": username[:150], "ip": ip, "reason": "locked"},
    )


def record_success(username: str) -> None:
    """A fully completed sign-in ends the run of failures for that name (not for the address)."""
    over = Q(locked_until__isnull=True) | Q(locked_until__lte=timezone.now())
    rows = LoginThrottle.objects.filter(over, scope=Scope.USERNAME, key=username_key(username))
    if rows.exists():  # HTTP Basic signs in on every API request: read first, write only when needed
        rows.delete()


def _purge(now: datetime) -> None:
    """Counters whose window and lock are both over carry no information; keep the table small."""
    stale = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    LoginThrottle.objects.filter(stale, window_started_at__lte=now - window() - lock_duration()).delete()
