"""The user's own inbox: marking notifications read (nothing about a case changes, so no audit row)."""

from __future__ import annotations

from django.db import transaction

from gongzhi.cases.actions.common import Actor, now
from gongzhi.cases.models import Notification
from gongzhi.core.errors import NotFound


@transaction.atomic
def do_mark_notification_read(*, actor: Actor, notification_id: int) -> Notification:
    """Someone else's notification answers NotFound, like a missing one; marking twice keeps the first time."""
    user = actor.db_user
    if user is None:
        raise NotFound(notification_id)
    row = Notification.objects.select_for_update().filter(pk=notification_id, user_id=user.pk).first()
    if row is None:
        raise NotFound(notification_id)
    if row.read_at is None:
        row.read_at = now()
        row.save(update_fields=["read_at"])
    return row


@transaction.atomic
def do_mark_all_notifications_read(*, actor: Actor) -> int:
    user = actor.db_user
    if user is None:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=now())
