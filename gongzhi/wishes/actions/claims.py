"""Claiming a wish, giving it back, and fulfilling it with evidence.

Exactly one claimant: the claim locks the wish row (`select_for_update`) and checks it is still open,
so of any number of simultaneous claims one wins and every other gets `Conflict` ("已被认领") with
nothing written. Who may claim: a participant volunteer who may serve in the wish's community (their
own, or one that approved their registration), or the liaison of a unit registered there; for a wish
pushed to the street board, anyone serving in a community of that street. Staff never claim.

Order of refusals: the wish is not within the user's sight → NotFound; visible but not theirs to act
on → PermissionDenied; theirs but it moved on meanwhile → Conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases.photos import MAX_PHOTOS, CleanPhoto
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, ErrorItem, NotFound
from gongzhi.wishes.access import Participant, access_wish_by_id, participant_of, staff_sees
from gongzhi.wishes.actions.common import Actor, clean_text, notify_on_commit, now, office_users, record
from gongzhi.wishes.models import CLAIMED_STATES, Wish, WishPhoto, WishSettings, WishStatus

MAX_EVIDENCE = 1000


def lock_wish(wish_id: int) -> Wish:
    """The wish row, locked for the rest of the caller's transaction."""
    wish = Wish.objects.select_for_update().filter(pk=wish_id).first()
    if wish is None:
        raise NotFound(wish_id)
    return wish


def moved_on(wish: Wish) -> Conflict:
    if wish.status == WishStatus.CLAIMED:
        return already_claimed()
    text = _("This wish is now “%(status)s”; reload the page and try again.") % {"status": wish.get_status_display()}
    return Conflict(ErrorItem("status", "conflict", text))


def already_claimed() -> Conflict:
    return Conflict(ErrorItem("status", "conflict", _("This wish has already been claimed.")))


def _user_of(actor: Actor, wish_id: int) -> tuple[Participant, Wish]:
    user = actor.db_user
    if user is None:
        raise NotFound(wish_id)
    participant = participant_of(user)
    wish = Wish.objects.filter(pk=wish_id).first()
    if wish is None:
        raise NotFound(wish_id)
    return participant, wish


@transaction.atomic
def do_claim_wish(*, actor: Actor, wish_id: int, unit_id: int | None = None) -> Wish:
    """认领: as the signed-in volunteer, or for `unit_id` as its liaison. Sets the fulfil-by date."""
    participant, wish = _user_of(actor, wish_id)
    allowed = (
        participant.unit_may_claim(unit_id, wish) if unit_id is not None else participant.volunteer_may_claim(wish)
    )
    if not allowed:
        if participant.in_area(wish) or staff_sees(actor.user, wish):  # type: ignore[arg-type]
            raise PermissionDenied("claim")
        raise NotFound(wish_id)
    wish = lock_wish(wish_id)
    if wish.status in CLAIMED_STATES:
        raise already_claimed()
    if wish.status != WishStatus.OPEN:
        raise moved_on(wish)
    volunteer = participant.volunteer if unit_id is None else None
    if volunteer is not None and wish.person_id is not None and wish.person_id == volunteer.person_id:
        raise DomainError.single("wish", "own_wish", _("You cannot claim your own wish."))
    at = now()
    settings = WishSettings.load()
    wish.status = WishStatus.CLAIMED
    wish.claimant_volunteer = volunteer
    wish.claimant_unit_id = unit_id
    wish.claimed_by = actor.db_user
    wish.claimed_at = at
    wish.due_at = at + dt.timedelta(days=settings.claim_days)
    wish.save()
    label = participant.unit_names.get(unit_id, "") if unit_id is not None else ""
    record(
        wish,
        actor,
        "claim",
        from_status=WishStatus.OPEN,
        to_status=WishStatus.CLAIMED,
        note=label,
        at=at,
        changes={"unit": unit_id, "volunteer": volunteer.pk if volunteer else None},
    )
    notify_on_commit(
        {wish.posted_by_id} | office_users(wish.community.code, Cap.SERVICES_MANAGE),
        "wish_claimed",
        _("Micro-wish %(n)s was claimed: %(t)s") % {"n": wish.number, "t": wish.title},
    )
    return wish


def _claimant_lock(actor: Actor, wish_id: int) -> Wish:
    """The wish, locked, when the actor (or their unit) is its claimant; else NotFound / PermissionDenied."""
    user = actor.db_user
    if user is None:
        raise NotFound(wish_id)
    participant = participant_of(user)
    wish = access_wish_by_id(user, wish_id, participant)
    if not participant.is_claimant(wish):
        raise PermissionDenied("claimant")
    return lock_wish(wish_id)


@transaction.atomic
def do_release_claim(*, actor: Actor, wish_id: int, reason: str) -> Wish:
    """The claimant gives the wish back to the board (with a reason); the deadline is dropped."""
    reason = clean_text(reason, "reason")
    wish = _claimant_lock(actor, wish_id)
    if wish.status != WishStatus.CLAIMED:
        raise moved_on(wish)
    wish.status = WishStatus.OPEN
    wish.claimant_volunteer = None
    wish.claimant_unit = None
    wish.claimed_by = None
    wish.claimed_at = None
    wish.due_at = None
    wish.save()
    record(wish, actor, "release", from_status=WishStatus.CLAIMED, to_status=WishStatus.OPEN, note=reason)
    notify_on_commit(
        office_users(wish.community.code, Cap.SERVICES_MANAGE),
        "wish_released",
        _("Micro-wish %(n)s is back on the board: %(t)s") % {"n": wish.number, "t": wish.title},
    )
    return wish


def save_photos(wish: Wish, photos: list[CleanPhoto], uploaded_by: User | None) -> list[WishPhoto]:
    saved = []
    for photo in photos:
        digest = hashlib.sha256(photo.data).hexdigest()
        row = WishPhoto(
            wish=wish,
            content_type=photo.content_type,
            size=len(photo.data),
            width=photo.width,
            height=photo.height,
            sha256=digest,
            uploaded_by=uploaded_by,
        )
        row.image.save(f"{wish.number}-{digest[:12]}.{photo.extension}", ContentFile(photo.data), save=False)
        row.save()
        saved.append(row)
    return saved


@transaction.atomic
def do_fulfil_wish(*, actor: Actor, wish_id: int, note: str, photos: list[CleanPhoto]) -> Wish:
    """完成: the claimant says what was done, with at least one photo; after the deadline it is marked late."""
    errors = []
    try:
        note = clean_text(note, "note", max_length=MAX_EVIDENCE)
    except DomainError as error:
        errors.extend(error.items)
    if not photos:
        errors.extend(DomainError.single("photos", "required", _("Add at least one photo.")).items)
    elif len(photos) > MAX_PHOTOS:
        errors.extend(DomainError.single("photos", "too_many", _("At most %(n)d photos.") % {"n": MAX_PHOTOS}).items)
    wish = _claimant_lock(actor, wish_id)
    if wish.status != WishStatus.CLAIMED:
        raise moved_on(wish)
    if errors:
        raise DomainError(errors)
    at = now()
    wish.status = WishStatus.FULFILLED
    wish.fulfilled_at = at
    wish.fulfilled_late = wish.due_at is not None and at > wish.due_at
    wish.evidence = note
    wish.save()
    save_photos(wish, photos, actor.db_user)
    record(
        wish,
        actor,
        "fulfil",
        from_status=WishStatus.CLAIMED,
        to_status=WishStatus.FULFILLED,
        note=note,
        at=at,
        changes={"late": wish.fulfilled_late, "photos": len(photos)},
    )
    notify_on_commit(
        {wish.posted_by_id}
        | office_users(wish.region_code, Cap.SERVICES_REPORT)
        | office_users(wish.community.code, Cap.SERVICES_MANAGE),
        "wish_fulfilled",
        _("Micro-wish %(n)s was fulfilled and awaits the resident's confirmation.") % {"n": wish.number},
    )
    return wish
