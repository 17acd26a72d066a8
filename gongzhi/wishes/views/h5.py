"""The resident's phone pages for a micro-wish: post it, follow it by number and token, confirm it.

No sign-in, like the case loop's H5 pages: the wish number with its token is the resident's only key,
a wrong token answers 404 like a missing number, and only the token's digest is stored. Posts are
limited per client address (GONGZHI_H5_WISHES_PER_HOUR, default 10), wrong look-ups too.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.cases.forms import apply_errors
from gongzhi.cases.views.common import count_hit, rate_limited
from gongzhi.cases.views.detail import photo_response
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.security.net import client_ip
from gongzhi.wishes import selectors
from gongzhi.wishes.access import access_wish_by_ticket
from gongzhi.wishes.actions import Actor, WishDraft, do_cancel_wish, do_confirm_wish, do_post_wish
from gongzhi.wishes.forms import ConfirmForm, ReasonForm, ResidentWishForm, new_client_key
from gongzhi.wishes.models import Wish, WishChannel, WishStatus
from gongzhi.wishes.views.common import public_steps

HOUR = 3600
WRONG_LOOKUPS_PER_HOUR = 30
SESSION_TICKETS = "h5_wish_tickets"
KEEP_TICKETS = 10


def wishes_per_hour() -> int:
    return int(getattr(settings, "GONGZHI_H5_WISHES_PER_HOUR", 10))


def status_url(number: str, token: str) -> str:
    return reverse("wishes:h5_status", args=[number, token])


def _remember(request: HttpRequest, number: str, token: str) -> None:
    tickets: dict[str, str] = dict(request.session.get(SESSION_TICKETS) or {})
    tickets[number] = token
    request.session[SESSION_TICKETS] = dict(list(tickets.items())[-KEEP_TICKETS:])


def _area(request: HttpRequest) -> str:
    area = request.GET.get("area", "")
    return area if area.isdigit() and len(area) <= 15 else ""


@never_cache
@require_http_methods(["GET", "POST"])
def h5_post(request: HttpRequest) -> HttpResponse:
    """许个微心愿: the form; `?area=<code>` (from a poster's QR code) narrows the list of communities."""
    area = _area(request)
    ip = client_ip(request) or "unknown"
    status = 200
    if request.method == "POST":
        form = ResidentWishForm(request.POST, area=area)
        if rate_limited(f"h5:wish:{ip}", wishes_per_hour()):
            form.is_valid()
            form.add_error(None, _("Too many wishes from this network in the last hour. Please try again later."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            draft = WishDraft(
                title=data["title"],
                description=data["description"],
                category_code=data["category"],
                community_id=data["community"],
                address=data["address"],
                name=data["name"],
                phone=data["phone"],
                channel=WishChannel.H5,
                client_key=data["client_key"] or "",
            )
            try:
                posted = do_post_wish(actor=Actor(), draft=draft)
            except DomainError as error:
                apply_errors(form, error)
            else:
                if posted.created:
                    count_hit(f"h5:wish:{ip}", HOUR)
                    _remember(request, posted.wish.number, posted.token)
                    return redirect("wishes:h5_done", number=posted.wish.number)
                if (request.session.get(SESSION_TICKETS) or {}).get(posted.wish.number):
                    return redirect("wishes:h5_done", number=posted.wish.number)
                form.add_error(None, _("This wish has already been received."))
    else:
        initial: dict[str, object] = {"client_key": new_client_key()}
        if len(area) == 12:
            from gongzhi.regions.models import Region

            initial["community"] = Region.objects.filter(code=area).values_list("pk", flat=True).first()
        form = ResidentWishForm(initial=initial, area=area)
    return render(request, "wishes/h5/post.html", {"form": form}, status=status)


@never_cache
@require_GET
def h5_done(request: HttpRequest, number: str) -> HttpResponse:
    """The wish number and the status link, shown to the browser that posted it (kept in its session)."""
    token = (request.session.get(SESSION_TICKETS) or {}).get(number)
    if not token:
        raise Http404
    link = request.build_absolute_uri(status_url(number, token))
    return render(request, "wishes/h5/done.html", {"number": number, "token": token, "link": link})


def _ticket_wish(request: HttpRequest, number: str, token: str) -> Wish:
    ip = client_ip(request) or "unknown"
    if rate_limited(f"h5:wishmiss:{ip}", WRONG_LOOKUPS_PER_HOUR):
        raise Http404
    try:
        return access_wish_by_ticket(number, token)
    except NotFound:
        count_hit(f"h5:wishmiss:{ip}", HOUR)
        raise Http404 from None


@never_cache
@require_http_methods(["GET", "POST"])
def h5_status(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """我的心愿: progress, who claimed it (masked), the evidence, and 确认完成 once fulfilled."""
    wish = _ticket_wish(request, number, token)
    here = status_url(wish.number, token)
    confirm_form = ConfirmForm(request.POST if request.POST.get("act") == "confirm" else None)
    cancel_form = ReasonForm(request.POST if request.POST.get("act") == "cancel" else None, prefix="cancel")
    if request.method == "POST":
        actor = Actor(ticket_token=token)
        try:
            if request.POST.get("act") == "confirm" and confirm_form.is_valid():
                do_confirm_wish(actor=actor, wish_id=wish.pk, note=confirm_form.cleaned_data["note"])
                messages.success(request, _("Thank you! Your wish is marked as fulfilled."))
                return redirect(here)
            if request.POST.get("act") == "cancel" and cancel_form.is_valid():
                do_cancel_wish(actor=actor, wish_id=wish.pk, reason=cancel_form.cleaned_data["reason"])
                messages.success(request, _("Your wish has been withdrawn."))
                return redirect(here)
        except Conflict as error:
            messages.warning(request, "；".join(i.message for i in error.items))
            return redirect(here)
        except DomainError as error:
            apply_errors(cancel_form if request.POST.get("act") == "cancel" else confirm_form, error)
    return render(
        request,
        "wishes/h5/status.html",
        {
            "wish": wish,
            "token": token,
            "steps": public_steps(wish),
            "photos": list(selectors.photos(wish))
            if wish.status in (WishStatus.FULFILLED, WishStatus.CONFIRMED)
            else [],
            "confirm_form": confirm_form,
            "cancel_form": cancel_form,
            "can_confirm": wish.status == WishStatus.FULFILLED,
            "can_cancel": wish.status in (WishStatus.OPEN, WishStatus.CLAIMED),
        },
    )


@require_GET
def h5_photo(request: HttpRequest, number: str, token: str, photo_id: int) -> FileResponse:
    wish = _ticket_wish(request, number, token)
    photo = selectors.photos(wish).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo_response(photo)
