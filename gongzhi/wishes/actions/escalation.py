"""The wish sweep: unclaimed wishes go up to the street's board and to the people best matched to them.

A wish still open `escalate_after_hours` after it was posted moves to the street board (every
participant serving in a community of the street sees it and may claim it), the street office and the
top matched volunteers (`services.matching.ranking.top_candidates`) are told. A wish still unclaimed
after `expire_after_days` expires. Each wish is its own short transaction with its row locked and
locked rows skipped, so the sweep never waits for a user and two sweeps never act twice on one wish.
Run by `gongzhi worker` with the case sweep, or once by `gongzhi escalate_wishes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.capabilities import Cap
from gongzhi.regions.models import Level, Region
from gongzhi.wishes.actions.common import SYSTEM, Actor, notify_on_commit, office_users, record
from gongzhi.wishes.models import BoardLevel, Wish, WishSettings, WishStatus

BATCH = 500


@dataclass(slots=True)
class SweepResult:
    escalated: int = 0
    expired: int = 0


def matched_users(wish: Wish, limit: int, on: dt.date) -> set[int]:
    """The sign-ins of the volunteers best placed to meet the wish, across the street's communities."""
    if limit <= 0:
        return set()
    from gongzhi.services.matching.ranking import top_candidates  # matching sits beside the wishes

    community_ids = list(
        Region.objects.filter(level=Level.COMMUNITY, code__startswith=wish.street_code).values_list("pk", flat=True)
    )
    candidates = top_candidates(
        category_code=wish.category.code,
        building=wish.building,
        community_ids=community_ids,
        on=on,
        limit=limit,
        signed_in_only=True,  # the top `limit` of those who can be told
    )
    return {c.volunteer.user_id for c in candidates if c.volunteer.user_id is not None}


def _each(ids: list[int], fn: Callable[[Wish], bool]) -> int:
    done = 0
    for wish_id in ids:
        with transaction.atomic():
            wish = Wish.objects.select_for_update(skip_locked=True).filter(pk=wish_id).first()
            if wish is not None and fn(wish):
                done += 1
    return done


def do_escalate_stale_wishes(*, actor: Actor = SYSTEM, at: dt.datetime | None = None) -> SweepResult:
    at = at or timezone.now()
    settings = WishSettings.load()
    result = SweepResult()

    stale = list(
        Wish.objects.filter(
            status=WishStatus.OPEN,
            board_level=BoardLevel.COMMUNITY,
            created_at__lte=at - dt.timedelta(hours=settings.escalate_after_hours),
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )

    def escalate(wish: Wish) -> bool:
        if wish.status != WishStatus.OPEN or wish.board_level != BoardLevel.COMMUNITY:
            return False
        wish.board_level = BoardLevel.STREET
        wish.escalated_at = at
        wish.save(update_fields=["board_level", "escalated_at", "updated_at"])
        matched = matched_users(wish, settings.notify_top, timezone.localdate(at))
        record(
            wish,
            actor,
            "escalate",
            from_status=wish.status,
            at=at,
            changes={"board": [BoardLevel.COMMUNITY, BoardLevel.STREET], "told": len(matched)},
        )
        text = _("Micro-wish %(n)s is still waiting for someone: %(t)s") % {"n": wish.number, "t": wish.title}
        notify_on_commit(matched | office_users(wish.street_code, Cap.SERVICES_MANAGE), "wish_escalated", text)
        return True

    result.escalated = _each(stale, escalate)

    old = list(
        Wish.objects.filter(status=WishStatus.OPEN, created_at__lte=at - dt.timedelta(days=settings.expire_after_days))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )

    def expire(wish: Wish) -> bool:
        if wish.status != WishStatus.OPEN:
            return False
        wish.status = WishStatus.EXPIRED
        wish.save(update_fields=["status", "updated_at"])
        record(wish, actor, "expire", from_status=WishStatus.OPEN, to_status=WishStatus.EXPIRED, at=at)
        return True

    result.expired = _each(old, expire)
    return result
