"""What every wish action shares: who acts, the timeline row with its audit row, reasons, notifications.

The actor is the case loop's `Actor` (a signed-in user, the resident holding the ticket token, or the
system), so a resident's act and a sweep's act are told apart in the timeline the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases.actions.common import SYSTEM, Actor
from gongzhi.cases.models import Notification
from gongzhi.core import audit
from gongzhi.core.capabilities import capabilities_of
from gongzhi.core.errors import DomainError
from gongzhi.core.models import Membership, Role
from gongzhi.wishes.models import Wish, WishEvent

__all__ = ["SYSTEM", "Actor", "clean_text", "notify_on_commit", "now", "office_users", "record"]

MIN_REASON_CHARS = 2


def now() -> dt.datetime:
    return timezone.now()


def record(
    wish: Wish,
    actor: Actor,
    kind: str,
    *,
    from_status: str,
    to_status: str = "",
    note: str = "",
    at: dt.datetime | None = None,
    changes: dict[str, Any] | None = None,
) -> WishEvent:
    """One timeline row and one audit row, in the caller's transaction."""
    event = WishEvent.objects.create(
        wish=wish,
        kind=kind,
        actor=actor.db_user,
        actor_label=actor.label[:60],
        from_status=from_status,
        to_status=to_status or from_status,
        note=note[:300],
        at=at or now(),
    )
    audit.record(
        actor=actor.db_user,
        action=f"wish.{kind}",
        obj=wish,
        changes={"status": [from_status, to_status or from_status], **(changes or {})},
        object_repr=wish.number,
    )
    return event


def clean_text(value: str, field: str, *, min_chars: int = MIN_REASON_CHARS, max_length: int = 300) -> str:
    value = (value or "").strip()
    if len(value) < min_chars:
        raise DomainError.single(field, "required", _("Write at least two characters."))
    if len(value) > max_length:
        raise DomainError.single(field, "too_long", _("At most %(n)d characters.") % {"n": max_length})
    return value


def notify_on_commit(user_ids: Iterable[int | None], kind: str, message: str) -> None:
    """Inbox rows (the shared notifications page) written once the transaction has committed."""
    recipients = sorted({uid for uid in user_ids if uid is not None})
    if not recipients:
        return

    def send() -> None:
        Notification.objects.bulk_create(
            [Notification(user_id=uid, case=None, kind=kind[:24], message=message[:300]) for uid in recipients]
        )

    transaction.on_commit(send)


def office_users(code: str, cap: str) -> set[int]:
    """Users holding `cap` in exactly this office (the grid, community or street with this code)."""
    if not code:
        return set()
    roles = [role for role in Role.values if cap in capabilities_of(role)]
    return set(
        Membership.objects.filter(role__in=roles, region__code=code, department__isnull=True).values_list(
            "user_id", flat=True
        )
    )
