"""Closing a wish: the resident (or staff for them) confirms it was fulfilled, or it is cancelled.

Confirming records the service once (`volunteers.records.do_record_service`, kind wish, keyed by the
wish id), which credits the claimant's hours and points in the same transaction; a repeated confirm
is a Conflict and pays nothing twice.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.volunteers.models import ServiceKind
from gongzhi.volunteers.records import do_record_service
from gongzhi.wishes.access import access_wish_by_id, staff_sees, token_matches
from gongzhi.wishes.actions.claims import lock_wish, moved_on
from gongzhi.wishes.actions.common import Actor, clean_text, notify_on_commit, now, record
from gongzhi.wishes.models import Wish, WishSettings, WishStatus


def _resident_or_staff_lock(actor: Actor, wish_id: int) -> Wish:
    """The wish, locked, for its resident (ticket token) or staff reporting for residents where it is."""
    if actor.ticket_token is not None:
        wish = lock_wish(wish_id)
        if not token_matches(wish, actor.ticket_token):
            raise NotFound(wish_id)
        return wish
    user = actor.db_user
    if user is None:
        raise NotFound(wish_id)
    wish = access_wish_by_id(user, wish_id)
    if not staff_sees(user, wish, Cap.SERVICES_REPORT):
        raise PermissionDenied(Cap.SERVICES_REPORT)
    return lock_wish(wish_id)


def _claimant_users(wish: Wish) -> set[int | None]:
    users: set[int | None] = {wish.claimed_by_id}
    if wish.claimant_volunteer is not None:
        users.add(wish.claimant_volunteer.user_id)
    return users


@transaction.atomic
def do_confirm_wish(*, actor: Actor, wish_id: int, note: str = "") -> Wish:
    """确认完成: records the service (hours and points to the claimant) and closes the wish."""
    wish = _resident_or_staff_lock(actor, wish_id)
    if wish.status != WishStatus.FULFILLED:
        raise moved_on(wish)
    at = now()
    wish.status = WishStatus.CONFIRMED
    wish.confirmed_at = at
    wish.confirmed_by = actor.db_user
    wish.confirmed_by_resident = actor.ticket_token is not None
    wish.save()
    record(wish, actor, "confirm", from_status=WishStatus.FULFILLED, to_status=WishStatus.CONFIRMED, note=note, at=at)
    served_on = timezone.localdate(wish.fulfilled_at or at)
    do_record_service(
        actor=actor.db_user,
        kind=ServiceKind.WISH,
        source_id=wish.pk,
        community=wish.community,
        served_on=served_on,
        summary=wish.title,
        volunteer=wish.claimant_volunteer,
        unit=wish.claimant_unit,
        hours=WishSettings.load().hours_per_wish,
    )
    notify_on_commit(
        _claimant_users(wish),
        "wish_confirmed",
        _("The resident confirmed micro-wish %(n)s. Thank you!") % {"n": wish.number},
    )
    return wish


@transaction.atomic
def do_cancel_wish(*, actor: Actor, wish_id: int, reason: str) -> Wish:
    """撤销: the resident or staff withdraw a wish not yet fulfilled; a claimant is told."""
    reason = clean_text(reason, "reason")
    wish = _resident_or_staff_lock(actor, wish_id)
    if wish.status not in (WishStatus.OPEN, WishStatus.CLAIMED):
        raise moved_on(wish)
    before = wish.status
    wish.status = WishStatus.CANCELLED
    wish.closed_reason = reason
    wish.save()
    record(wish, actor, "cancel", from_status=before, to_status=WishStatus.CANCELLED, note=reason)
    if before == WishStatus.CLAIMED:
        notify_on_commit(
            _claimant_users(wish),
            "wish_cancelled",
            _("Micro-wish %(n)s was withdrawn: %(r)s") % {"n": wish.number, "r": reason},
        )
    return wish
