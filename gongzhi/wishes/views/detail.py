"""One wish, for the claimant, the participants of its area and the staff: facts, evidence, timeline, acts.

Order of checks: not a participant and no `services.view` → 403; the wish is missing or not within
the viewer's sight → 404; the act is not theirs → 403 (the action says so).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.cases.forms import apply_errors
from gongzhi.cases.views.detail import photo_response
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.services.matching.explain import as_dict
from gongzhi.web.shortcuts import get_or_404
from gongzhi.wishes import selectors
from gongzhi.wishes.access import access_wish_by_number, may_invite, staff_sees
from gongzhi.wishes.actions import (
    Actor,
    do_cancel_wish,
    do_confirm_wish,
    do_fulfil_wish,
    do_invite_to_claim,
    do_release_claim,
)
from gongzhi.wishes.forms import ConfirmForm, FulfilForm, ReasonForm
from gongzhi.wishes.models import Wish, WishStatus
from gongzhi.wishes.recommend import Place, invited_on, wish_candidates, wish_place
from gongzhi.wishes.views.board import claim_options
from gongzhi.wishes.views.common import Standing, event_label, require_standing


def _page(request: HttpRequest, wish: Wish, standing: Standing, **forms: object) -> HttpResponse:
    participant = standing.participant
    is_claimant = participant.is_claimant(wish)
    reports_here = staff_sees(request.user, wish, Cap.SERVICES_REPORT)
    sees_staff = staff_sees(request.user, wish)
    can_invite = wish.status == WishStatus.OPEN and may_invite(request.user, wish)
    events = [
        {"at": e.at, "label": event_label(e.kind), "by": e.actor_label, "note": e.note, "kind": e.kind}
        for e in selectors.timeline(wish)
    ]
    context = {
        "wish": wish,
        "events": events,
        "photos": list(selectors.photos(wish)),
        "is_claimant": is_claimant,
        "is_staff": sees_staff,
        "options": claim_options(participant, wish),
        "overdue": selectors.is_overdue(wish),
        "can_fulfil": is_claimant and wish.status == WishStatus.CLAIMED,
        "can_confirm": reports_here and wish.status == WishStatus.FULFILLED,
        "can_cancel": reports_here and wish.status in (WishStatus.OPEN, WishStatus.CLAIMED),
        "fulfil_form": forms.get("fulfil_form") or FulfilForm(),
        "release_form": forms.get("release_form") or ReasonForm(prefix="release"),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(prefix="confirm"),
        "cancel_form": forms.get("cancel_form") or ReasonForm(prefix="cancel"),
        "can_invite": can_invite,
        "recommended": None,
        "place_source": "",
    }
    if sees_staff and wish.status == WishStatus.OPEN:
        place = wish_place(wish)
        context["recommended"] = _recommended(wish, place)
        context["place_source"] = place.source
    status = 400 if any(f is not None for f in forms.values()) else 200
    return render(request, "wishes/detail.html", context, status=status)


def _recommended(wish: Wish, place: Place) -> list[dict[str, object]]:
    """推荐人选: the top candidates with their score explained, and whether they were invited today."""
    invited = invited_on([wish.pk])
    return [as_dict(c, invited=(wish.pk, c.volunteer.pk) in invited) for c in wish_candidates(wish, place=place)]


def _wish(request: HttpRequest, number: str, standing: Standing) -> Wish:
    return get_or_404(access_wish_by_number, request.user, number, standing.participant)


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    standing = require_standing(request)
    return _page(request, _wish(request, number, standing), standing)


def _acted(request: HttpRequest, wish: Wish, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("wishes:detail", number=wish.number)


def _moved_on(request: HttpRequest, wish: Wish, error: Conflict) -> HttpResponse:
    messages.warning(request, "；".join(i.message for i in error.items))
    return redirect("wishes:detail", number=wish.number)


@login_required
@require_http_methods(["POST"])
def fulfil(request: HttpRequest, number: str) -> HttpResponse:
    standing = require_standing(request)
    wish = _wish(request, number, standing)
    form = FulfilForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            do_fulfil_wish(
                actor=Actor.of(request.user),
                wish_id=wish.pk,
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
            )
        except NotFound:
            raise Http404 from None
        except Conflict as error:
            return _moved_on(request, wish, error)
        except DomainError as error:
            apply_errors(form, error)
        else:
            return _acted(request, wish, _("Marked as fulfilled. The resident will be asked to confirm."))
    return _page(request, wish, standing, fulfil_form=form)


def _reasoned_act(
    request: HttpRequest,
    number: str,
    *,
    form: ReasonForm | ConfirmForm,
    key: str,
    staff_only: bool,
    act: Callable[[Wish, dict[str, str]], object],
    done: str,
) -> HttpResponse:
    """A one-field form that runs one action: the same refusals and answers for release, confirm and cancel."""
    standing = require_standing(request, staff_only=staff_only)
    wish = _wish(request, number, standing)
    if form.is_valid():
        try:
            act(wish, form.cleaned_data)
        except Conflict as error:
            return _moved_on(request, wish, error)
        except DomainError as error:
            apply_errors(form, error)
        else:
            return _acted(request, wish, done)
    return _page(request, wish, standing, **{key: form})


@login_required
@require_POST
def release(request: HttpRequest, number: str) -> HttpResponse:
    actor = Actor.of(request.user)
    return _reasoned_act(
        request,
        number,
        form=ReasonForm(request.POST, prefix="release"),
        key="release_form",
        staff_only=False,
        act=lambda wish, data: do_release_claim(actor=actor, wish_id=wish.pk, reason=data["reason"]),
        done=_("The wish is back on the board."),
    )


@login_required
@require_POST
def confirm(request: HttpRequest, number: str) -> HttpResponse:
    actor = Actor.of(request.user)
    return _reasoned_act(
        request,
        number,
        form=ConfirmForm(request.POST, prefix="confirm"),
        key="confirm_form",
        staff_only=True,
        act=lambda wish, data: do_confirm_wish(actor=actor, wish_id=wish.pk, note=data["note"]),
        done=_("Confirmed for the resident; the service hours are recorded."),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    actor = Actor.of(request.user)
    return _reasoned_act(
        request,
        number,
        form=ReasonForm(request.POST, prefix="cancel"),
        key="cancel_form",
        staff_only=True,
        act=lambda wish, data: do_cancel_wish(actor=actor, wish_id=wish.pk, reason=data["reason"]),
        done=_("The wish was withdrawn."),
    )


@login_required
@require_POST
def invite(request: HttpRequest, number: str) -> HttpResponse:
    """邀请认领: staff tell one recommended volunteer about the open wish."""
    standing = require_standing(request, staff_only=True)
    wish = _wish(request, number, standing)
    raw = request.POST.get("volunteer", "")
    if not raw.isdigit():
        messages.error(request, _("Choose a volunteer to invite."))
        return redirect("wishes:detail", number=wish.number)
    try:
        invitation = do_invite_to_claim(actor=Actor.of(request.user), wish_id=wish.pk, volunteer_id=int(raw))
    except NotFound:
        raise Http404 from None
    except DomainError as error:  # Conflict included: the wish was claimed meanwhile
        messages.warning(request, "；".join(i.message for i in error.items))
        return redirect("wishes:detail", number=wish.number)
    name = invitation.volunteer.person.name
    if invitation.sent:
        messages.success(request, _("%(name)s has been invited to claim this wish.") % {"name": name})
    else:
        messages.info(request, _("%(name)s was already invited to this wish today.") % {"name": name})
    return redirect("wishes:detail", number=wish.number)


@login_required
@require_GET
def photo(request: HttpRequest, number: str, photo_id: int) -> FileResponse:
    standing = require_standing(request)
    wish = _wish(request, number, standing)
    found = selectors.photos(wish).filter(pk=photo_id).first()
    if found is None:
        raise Http404
    return photo_response(found)
