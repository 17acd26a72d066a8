"""The participant's points pages (phone first): my balance and statement, stations, redeeming.

Stations and their catalogues are shared with staff (who see more and manage them); the staff's own
pages are in `views.staff`. Order of checks: not a participant nor staff → 404 (/points/me/) or 403;
object missing or out of sight → 404; then the action decides.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.access import has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.points import actions, selectors
from gongzhi.points.forms import CounterRedeemForm, ItemForm, RedeemForm, RestockForm
from gongzhi.points.views.common import domain_errors, form_errors
from gongzhi.registrations.access import volunteer_of
from gongzhi.web.shortcuts import get_or_404

STATEMENT_PAGE = 20


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    account = selectors.account_of(volunteer)
    entries = selectors.statement(account) if account is not None else None
    page = Paginator(entries, STATEMENT_PAGE).get_page(request.GET.get("page")) if entries is not None else None
    return render(
        request,
        "points/me.html",
        {
            "volunteer": volunteer,
            "balance": account.balance if account is not None else 0,
            "page": page,
            "redemptions": list(selectors.redemptions_of(volunteer)[:5]),
        },
    )


def require_stations_page(request: HttpRequest) -> None:
    if volunteer_of(request.user) is None and not selectors.is_staff(request.user):
        raise PermissionDenied


@login_required
@require_GET
def stations(request: HttpRequest) -> HttpResponse:
    require_stations_page(request)
    rows = selectors.stations_for(request.user).select_related("community").order_by("region_code", "name")
    return render(
        request,
        "points/stations.html",
        {"stations": rows, "can_add": has_capability(request.user, Cap.SERVICES_MANAGE)},
    )


@login_required
@require_GET
def station(request: HttpRequest, pk: int) -> HttpResponse:
    require_stations_page(request)
    place = get_or_404(selectors.access_station_by_id, request.user, pk)
    manage = selectors.can_manage(request.user, place.region_code)
    volunteer = volunteer_of(request.user)
    return render(
        request,
        "points/station.html",
        {
            "station": place,
            "items": selectors.catalogue(place, everything=manage),
            "manage": manage,
            "volunteer": volunteer,
            "balance": selectors.balance_of(volunteer) if volunteer is not None else None,
            "redeem_form": RedeemForm(),
            "item_form": ItemForm(prefix="item") if manage else None,
            "restock_form": RestockForm(prefix="restock") if manage else None,
            "counter_form": CounterRedeemForm(prefix="counter", station=place) if manage else None,
        },
    )


@login_required
@require_POST
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant presses 兑换: the redemption code and the new balance, or the reason in words."""
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise PermissionDenied
    item = get_or_404(selectors.access_item_by_id, request.user, pk)
    form = RedeemForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("points:station", pk=item.station_id)
    try:
        redemption = actions.do_redeem_item(
            actor=request.user, volunteer=volunteer, item=item, quantity=form.cleaned_data["quantity"]
        )
    except DomainError as error:
        domain_errors(request, error)
        return redirect("points:station", pk=item.station_id)
    return redirect("points:redemption", code=redemption.code)


@login_required
@require_GET
def redemption(request: HttpRequest, code: str) -> HttpResponse:
    found = get_or_404(selectors.access_redemption_by_code, request.user, code)
    volunteer = volunteer_of(request.user)
    own = volunteer is not None and found.volunteer_id == volunteer.pk
    return render(
        request,
        "points/redemption.html",
        {
            "redemption": found,
            "own": own,
            "balance": selectors.balance_of(found.volunteer),
            "points": max(abs(e.amount) for e in found.transaction.entries.all()),
            "reversed": hasattr(found.transaction, "reversal"),
        },
    )
