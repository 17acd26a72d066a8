"""Staff pages of the points ledger: stations and their catalogue, accounts with reversal, earning rules.

Order of checks: the role lacks the page's capability anywhere → 403; the object is missing or out
of scope → 404; visible but the act is not the user's there → 403 (the action's own check).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.access import AnyUser, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.points import actions, selectors
from gongzhi.points.forms import (
    CounterRedeemForm,
    ItemForm,
    RestockForm,
    ReverseForm,
    RuleForm,
    StationForm,
    apply_domain_error,
)
from gongzhi.points.models import PointTransaction, TransactionKind
from gongzhi.points.views.common import domain_errors, form_errors
from gongzhi.regions.models import Level, Region
from gongzhi.volunteers.models import ServiceKind
from gongzhi.web.shortcuts import get_or_404

PAGE_SIZE = 30


def require_section(user: AnyUser, cap: Cap) -> None:
    if not has_capability(user, cap):
        raise PermissionDenied(cap)


# ── stations and the catalogue ───────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def station_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.SERVICES_MANAGE)
    scope = selectors.staff_scope(user, Cap.SERVICES_MANAGE)
    communities = Region.objects.filter(scope.q("code"), level=Level.COMMUNITY).order_by("code")
    form = StationForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place = actions.do_create_station(
                actor=user,
                community=data["community"],
                name=data["name"],
                address=data["address"],
                opening_hours=data["opening_hours"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": place.name})
            return redirect("points:station", pk=place.pk)
    return render(request, "points/station_form.html", {"form": form})


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_section(request.user, Cap.SERVICES_MANAGE)
    place = get_or_404(selectors.access_station_by_id, request.user, pk)
    form = ItemForm(request.POST, prefix="item")
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.do_create_catalog_item(
                actor=request.user, station=place, name=data["name"], cost=data["cost"], stock=data["stock"]
            )
        except DomainError as error:
            domain_errors(request, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": item.name})
    else:
        form_errors(request, form)
    return redirect("points:station", pk=place.pk)


@login_required
@require_POST
def item_restock(request: HttpRequest, pk: int) -> HttpResponse:
    require_section(request.user, Cap.SERVICES_MANAGE)
    item = get_or_404(selectors.access_item_by_id, request.user, pk)
    form = RestockForm(request.POST, prefix="restock")
    if form.is_valid():
        try:
            item = actions.do_restock_item(actor=request.user, item=item, quantity=form.cleaned_data["quantity"])
        except DomainError as error:
            domain_errors(request, error)
        else:
            messages.success(request, _("%(name)s: %(stock)d in stock.") % {"name": item.name, "stock": item.stock})
    else:
        form_errors(request, form)
    return redirect("points:station", pk=item.station_id)


@login_required
@require_POST
def counter_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    """代兑换: the member stands at the counter and gives their mobile number; staff redeem for them."""
    require_section(request.user, Cap.SERVICES_MANAGE)
    place = get_or_404(selectors.access_station_by_id, request.user, pk)
    if not selectors.can_manage(request.user, place.region_code):
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    form = CounterRedeemForm(request.POST, prefix="counter", station=place)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("points:station", pk=place.pk)
    try:
        redemption = actions.do_redeem_item(
            actor=request.user,
            volunteer=form.cleaned_data["phone"],
            item=form.cleaned_data["item"],
            quantity=form.cleaned_data["quantity"],
        )
    except DomainError as error:
        domain_errors(request, error)
        return redirect("points:station", pk=place.pk)
    return redirect("points:redemption", code=redemption.code)


@login_required
@require_POST
def item_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Take an item off offer, or put it back on."""
    require_section(request.user, Cap.SERVICES_MANAGE)
    item = get_or_404(selectors.access_item_by_id, request.user, pk)
    actions.do_update_catalog_item(actor=request.user, item=item, cost=item.cost, is_active=not item.is_active)
    return redirect("points:station", pk=item.station_id)


# ── accounts, statements, reversals ──────────────────────────────────────────────────────────────


@login_required
@require_GET
def accounts(request: HttpRequest) -> HttpResponse:
    require_section(request.user, Cap.SERVICES_VIEW)
    query = request.GET.get("q", "").strip()[:50]
    rows = selectors.people_accounts_for(request.user, query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "points/accounts.html", {"page": page, "q": query})


def reversible(txn: PointTransaction) -> bool:
    return txn.kind != TransactionKind.REVERSE and not hasattr(txn, "reversal")


@login_required
@require_GET
def account(request: HttpRequest, pk: int) -> HttpResponse:
    require_section(request.user, Cap.SERVICES_VIEW)
    found = get_or_404(selectors.access_account_by_id, request.user, pk)
    page = Paginator(selectors.statement(found), PAGE_SIZE).get_page(request.GET.get("page"))
    manage = selectors.staff_scope(request.user, Cap.SERVICES_MANAGE)
    rows = [
        {"entry": e, "can_reverse": manage.covers(e.transaction.region_code) and reversible(e.transaction)}
        for e in page.object_list
    ]
    return render(
        request,
        "points/account.html",
        {"account": found, "page": page, "rows": rows, "reverse_form": ReverseForm()},
    )


@login_required
@require_POST
def reverse_transaction(request: HttpRequest, pk: int) -> HttpResponse:
    require_section(request.user, Cap.SERVICES_MANAGE)
    txn = get_or_404(selectors.access_transaction_by_id, request.user, pk)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("points:accounts")
    form = ReverseForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(target)
    try:
        actions.do_reverse_transaction(actor=request.user, transaction_id=txn.pk, reason=form.cleaned_data["reason"])
    except DomainError as error:
        domain_errors(request, error)
    else:
        messages.success(request, _("The transaction has been reversed."))
    return redirect(target)


# ── earning rules ────────────────────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    require_section(request.user, Cap.SERVICES_CONFIG)
    current = {rule.kind: rule for rule in selectors.earning_rules()}
    posted = request.POST.get("kind") if request.method == "POST" else None
    forms = []
    for kind, label in ServiceKind.choices:
        rule = current.get(kind)
        initial = (
            {"points": rule.points, "per_hour": rule.per_hour, "is_active": rule.is_active}
            if rule
            else {"points": 0, "per_hour": False, "is_active": False}
        )
        form = RuleForm(request.POST if posted == kind else None, initial=initial, prefix=kind)
        if posted == kind and form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_update_earning_rule(
                    actor=request.user,
                    kind=kind,
                    points=data["points"],
                    per_hour=data["per_hour"],
                    is_active=data["is_active"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The earning rule has been saved."))
                return redirect("points:rules")
        forms.append({"kind": kind, "label": label, "form": form, "rule": rule})
    return render(request, "points/rules.html", {"forms": forms})
