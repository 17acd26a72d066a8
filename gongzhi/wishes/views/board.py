"""为民红绳: the board of open wishes, claiming one, and the participant's own claims."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.cases.models import Notification
from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.wishes import selectors
from gongzhi.wishes.access import Participant
from gongzhi.wishes.actions import Actor, do_claim_wish
from gongzhi.wishes.models import Wish, WishStatus
from gongzhi.wishes.views.common import require_standing

BOARD_SIZE = 200


def claim_options(participant: Participant, wish: Wish) -> list[dict[str, Any]]:
    """The ways this participant may claim the wish: as themselves, and for each unit they act for."""
    if wish.status != WishStatus.OPEN:
        return []
    options: list[dict[str, Any]] = []
    if participant.volunteer_may_claim(wish):
        options.append({"unit": "", "label": _("Claim")})
    for unit_id, name in sorted(participant.unit_names.items()):
        if participant.unit_may_claim(unit_id, wish):
            options.append({"unit": str(unit_id), "label": _("Claim for %(unit)s") % {"unit": name}})
    return options


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    standing = require_standing(request)
    participant = standing.participant
    if participant.is_participant:
        rows = list(selectors.board(participant)[:BOARD_SIZE])
    else:
        scope = capability_scope(request.user, Cap.SERVICES_VIEW)
        rows = list(
            Wish.objects.filter(scope.q("region_code"), status=WishStatus.OPEN)
            .select_related("category__parent", "community")
            .order_by("-created_at", "-id")[:BOARD_SIZE]
        )
    cards = [{"wish": w, "options": claim_options(participant, w)} for w in rows]
    notices = (
        Notification.objects.filter(user_id=request.user.pk or 0, kind__startswith="wish_").order_by("-created_at")[:5]
        if participant.is_participant
        else []
    )
    return render(
        request,
        "wishes/board.html",
        {"cards": cards, "participant": participant, "notices": notices, "is_staff": standing.staff},
    )


@login_required
@require_POST
def claim(request: HttpRequest, number: str) -> HttpResponse:
    require_standing(request)
    # No sight check here: a wish claimed a moment ago has left the board, and the second claimant
    # must hear "already claimed", not "not found". The action checks sight itself.
    wish_id = Wish.objects.filter(number=number).values_list("pk", flat=True).first()
    if wish_id is None:
        raise Http404
    raw = request.POST.get("unit", "")
    unit_id = int(raw) if raw.isdigit() else None
    try:
        claimed = do_claim_wish(actor=Actor.of(request.user), wish_id=wish_id, unit_id=unit_id)
    except NotFound:
        raise Http404 from None
    except Conflict as error:
        messages.warning(request, "；".join(i.message for i in error.items))
        return redirect("wishes:board")
    except DomainError as error:
        messages.error(request, "；".join(i.message for i in error.items))
        return redirect("wishes:board")
    due = timezone.localtime(claimed.due_at) if claimed.due_at else None
    messages.success(
        request,
        _("You claimed wish %(n)s. Please fulfil it by %(due)s.")
        % {"n": claimed.number, "due": f"{due:%Y-%m-%d}" if due else "—"},
    )
    return redirect("wishes:detail", number=claimed.number)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的认领: to fulfil, waiting for the resident, done."""
    standing = require_standing(request, participant_only=True)
    rows = list(selectors.claimed_by(standing.participant)[:BOARD_SIZE])
    sections = [
        ("to-fulfil", _("To fulfil"), [w for w in rows if w.status == WishStatus.CLAIMED]),
        (
            "to-confirm",
            _("Waiting for the resident's confirmation"),
            [w for w in rows if w.status == WishStatus.FULFILLED],
        ),
        ("done", _("Done"), [w for w in rows if w.status == WishStatus.CONFIRMED]),
        ("closed", _("Withdrawn"), [w for w in rows if w.status in (WishStatus.CANCELLED, WishStatus.EXPIRED)]),
    ]
    return render(request, "wishes/mine.html", {"sections": sections, "now": timezone.now()})
