"""Inviting a volunteer to claim an open wish (邀请认领): one at a time from the wish, or a campaign's batch.

Staff holding `services.manage` or `services.report` over the wish send it; the volunteer gets an inbox
notification once the transaction has committed, the wish an invitation row (unique per wish, volunteer
and day), a timeline row ("invite", the volunteer's masked name as the note) and an audit row. An
invitation is not a claim: the volunteer still claims it themselves, and whoever claims first has it.

Refusals, in order, with nothing written: the wish is missing or out of the user's sight → NotFound;
visible but the user may not invite there → PermissionDenied; the volunteer is unknown, inactive, has
no sign-in, is the resident, or does not serve where the wish's boards are → DomainError; the wish is
no longer open (claimed, withdrawn…) → Conflict. Idempotent per day: a volunteer already invited to the
wish today is not invited again (`Invitation.sent` is False) — the wish row is locked first, so two
presses at once still send one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.access import Scope, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.pii import mask_name
from gongzhi.volunteers.models import Volunteer
from gongzhi.wishes.access import participant_of
from gongzhi.wishes.actions.claims import lock_wish, moved_on
from gongzhi.wishes.actions.common import Actor, notify_on_commit, record
from gongzhi.wishes.models import Wish, WishInvitation, WishStatus
from gongzhi.wishes.recommend import may_serve

MAX_BATCH = 2000


@dataclass(frozen=True, slots=True)
class Invitation:
    wish: Wish
    volunteer: Volunteer
    sent: bool  # False: already invited to this wish today, nothing written


@dataclass(slots=True)
class InvitationBatch:
    sent: list[tuple[int, int]] = field(default_factory=list)  # (wish id, volunteer id)
    already: list[tuple[int, int]] = field(default_factory=list)  # invited earlier today
    skipped: list[tuple[int, int, str]] = field(default_factory=list)  # (wish, volunteer, reason) moved on


@dataclass(frozen=True, slots=True)
class _Inviter:
    """The acting user and the reach of their two inviting capabilities, read once."""

    user: User
    manage: Scope
    report: Scope
    view: Scope

    @classmethod
    def of(cls, actor: Actor, wish_id: int) -> _Inviter:
        user = actor.db_user
        if user is None:
            raise NotFound(wish_id)
        return cls(
            user=user,
            manage=capability_scope(user, Cap.SERVICES_MANAGE),
            report=capability_scope(user, Cap.SERVICES_REPORT),
            view=capability_scope(user, Cap.SERVICES_VIEW),
        )

    def may_invite(self, wish: Wish) -> bool:
        return self.manage.covers(wish.region_code) or self.report.covers(wish.region_code)

    def check(self, wish: Wish | None, wish_id: int) -> Wish:
        """NotFound when the wish is missing or unseen; PermissionDenied when seen but not theirs to invite."""
        if wish is None:
            raise NotFound(wish_id)
        if self.may_invite(wish):
            return wish
        if self.view.covers(wish.region_code) or participant_of(self.user).in_area(wish):
            raise PermissionDenied("invite")
        raise NotFound(wish_id)


def _volunteer(volunteer_id: int) -> Volunteer:
    volunteer = Volunteer.objects.select_related("person").filter(pk=volunteer_id).first()
    if volunteer is None:
        raise DomainError.single("volunteer", "unknown", _("There is no such volunteer."))
    return volunteer


def _check_volunteer(volunteer: Volunteer, wish: Wish) -> None:
    if volunteer.user_id is None:
        raise DomainError.single(
            "volunteer", "no_sign_in", _("This volunteer has no sign-in, so they cannot be told or claim the wish.")
        )
    if wish.person_id is not None and wish.person_id == volunteer.person_id:
        raise DomainError.single("volunteer", "own_wish", _("The resident cannot be invited to their own wish."))
    if not may_serve(volunteer, wish):
        raise DomainError.single(
            "volunteer", "not_eligible", _("This volunteer does not serve where this wish is, so they cannot claim it.")
        )


def _invite_locked(actor: Actor, wish: Wish, volunteer: Volunteer, *, campaign: bool = False) -> bool:
    """With the wish row locked: refuse a wish that moved on, skip today's repeat, else write and notify."""
    if wish.status != WishStatus.OPEN:
        raise moved_on(wish)
    _check_volunteer(volunteer, wish)
    _invitation, created = WishInvitation.objects.get_or_create(
        wish=wish,
        volunteer=volunteer,
        invited_on=timezone.localdate(),
        defaults={"invited_by": actor.db_user, "campaign": campaign},
    )
    if not created:
        return False
    record(
        wish,
        actor,
        "invite",
        from_status=wish.status,
        note=mask_name(volunteer.person.name),
        changes={"volunteer": volunteer.pk, "campaign": campaign},
    )
    text = _("You are invited to claim micro-wish %(n)s: %(t)s") % {"n": wish.number, "t": wish.title}
    notify_on_commit([volunteer.user_id], "wish_invite", text)
    return True


@transaction.atomic
def do_invite_to_claim(*, actor: Actor, wish_id: int, volunteer_id: int) -> Invitation:
    """邀请认领: tell one volunteer about one open wish (at most once a day)."""
    inviter = _Inviter.of(actor, wish_id)
    inviter.check(Wish.objects.filter(pk=wish_id).first(), wish_id)
    volunteer = _volunteer(volunteer_id)
    wish = lock_wish(wish_id)
    sent = _invite_locked(actor, wish, volunteer)
    return Invitation(wish=wish, volunteer=volunteer, sent=sent)


@transaction.atomic
def do_send_invitations(*, actor: Actor, pairs: Iterable[tuple[int, int]]) -> InvitationBatch:
    """A campaign's invitations, (wish id, volunteer id) each, in one transaction.

    Every wish must be the user's to invite on (else NotFound / PermissionDenied and nothing is sent).
    A pair whose wish has meanwhile been claimed or withdrawn, or whose volunteer no longer serves
    there, is skipped with its reason; one already invited today is counted, not sent again. Wishes are
    locked in id order.
    """
    wanted = sorted(set(pairs))
    if len(wanted) > MAX_BATCH:
        raise DomainError.single("pairs", "too_many", _("At most %(n)d invitations at once.") % {"n": MAX_BATCH})
    result = InvitationBatch()
    if not wanted:
        return result
    inviter = _Inviter.of(actor, wanted[0][0])
    wish_ids = sorted({w for w, _v in wanted})
    found = Wish.objects.in_bulk(wish_ids)
    for wish_id in wish_ids:
        inviter.check(found.get(wish_id), wish_id)
    volunteers = Volunteer.objects.select_related("person").in_bulk(sorted({v for _w, v in wanted}))
    locked = {w.pk: w for w in Wish.objects.select_for_update().filter(pk__in=wish_ids).order_by("pk")}
    for wish_id, volunteer_id in wanted:
        volunteer = volunteers.get(volunteer_id)
        wish = locked[wish_id]
        try:
            with transaction.atomic():
                if volunteer is None:
                    raise DomainError.single("volunteer", "unknown", _("There is no such volunteer."))
                sent = _invite_locked(actor, wish, volunteer, campaign=True)
        except (Conflict, DomainError) as refused:
            result.skipped.append((wish_id, volunteer_id, "；".join(i.message for i in refused.items)))
            continue
        (result.sent if sent else result.already).append((wish_id, volunteer_id))
    return result
