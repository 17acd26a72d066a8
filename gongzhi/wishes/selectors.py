"""Reads of the micro-wishes, already limited to the user (see access.py for who sees what)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.wishes.access import Participant, board_q
from gongzhi.wishes.models import BoardLevel, Wish, WishEvent, WishPhoto, WishStatus

_CARD = ("category__parent", "community", "claimant_volunteer__person", "claimant_unit")


def board(participant: Participant) -> QuerySet[Wish]:
    """为民红绳: open wishes of the communities the participant serves in, and their streets' pushed ones."""
    if not participant.is_participant:
        return Wish.objects.none()
    return Wish.objects.filter(board_q(participant)).select_related(*_CARD).order_by("-created_at", "-id")


def claimed_by(participant: Participant) -> QuerySet[Wish]:
    """Every wish the participant or one of their units claimed (any state after the claim)."""
    q = Q(pk__in=[])
    if participant.volunteer is not None:
        q |= Q(claimant_volunteer_id=participant.volunteer.pk)
    if participant.units:
        q |= Q(claimant_unit_id__in=sorted(participant.units))
    return Wish.objects.filter(q).select_related(*_CARD).order_by("-claimed_at", "-id")


@dataclass(frozen=True, slots=True)
class StaffFilter:
    status: str = ""
    category: str = ""  # a major or minor code
    overdue: bool = False
    board: str = ""
    q: str = ""  # the wish number or words of the title


def staff_wishes(user: AnyUser, filters: StaffFilter | None = None) -> QuerySet[Wish]:
    filters = filters or StaffFilter()
    rows = Wish.objects.filter(capability_scope(user, Cap.SERVICES_VIEW).q("region_code"))
    if filters.status in WishStatus.values:
        rows = rows.filter(status=filters.status)
    if filters.category:
        rows = rows.filter(Q(category__code=filters.category) | Q(category__parent__code=filters.category))
    if filters.board in BoardLevel.values:
        rows = rows.filter(board_level=filters.board)
    if filters.overdue:
        rows = rows.filter(status=WishStatus.CLAIMED, due_at__lt=timezone.now())
    text = filters.q.strip()
    if text:
        rows = rows.filter(Q(number__iexact=text) | Q(title__icontains=text))
    return rows.select_related(*_CARD).order_by("-created_at", "-id")


def timeline(wish: Wish) -> QuerySet[WishEvent]:
    return WishEvent.objects.filter(wish=wish).order_by("at", "id")


def photos(wish: Wish) -> QuerySet[WishPhoto]:
    return WishPhoto.objects.filter(wish=wish).order_by("uploaded_at", "id")


def is_overdue(wish: Wish) -> bool:
    return wish.status == WishStatus.CLAIMED and wish.due_at is not None and wish.due_at < timezone.now()
