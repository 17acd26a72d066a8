"""Ordered services: the community's orders (我的点单), the alliance's queue (待派单), the unit's inbox
(phone-friendly: accept, decline with a reason, report done) and the order page with its timeline.

The order page draws one form per action `workflow.available(status, parties)` allows the viewer;
each posts to /services/orders/<number>/act/<action>/, which checks the same table (403 when the
viewer is no party), lets the action decide, and comes back with a message or the form's errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.access import has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people.models import Unit
from gongzhi.services import selectors
from gongzhi.services.access import access_need_by_id, access_order_by_number, order_parties_of
from gongzhi.services.actions import orders as o
from gongzhi.services.forms import (
    CompleteForm,
    ConfirmForm,
    DispatchForm,
    NoteForm,
    OrderForm,
    ReasonForm,
    apply_errors,
)
from gongzhi.services.models import OrderStatus, ServiceOrder
from gongzhi.services.views.common import (
    PAGE_SIZE,
    region_by_code,
    regions_for,
    require_any,
    require_staff_or_participant,
    safe_next,
)
from gongzhi.services.workflow import BY_ACTION, OrderAction, Party, available
from gongzhi.volunteers.models import Team
from gongzhi.web.shortcuts import get_or_404

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Spec:
    form: Callable[..., forms.Form]
    run: Callable[[Any, ServiceOrder, Data], object]
    done: str
    style: str = ""


def _assignee(value: str) -> dict[str, Any]:
    kind, _sep, pk = value.partition(":")
    if not pk.isdigit():
        return {}
    if kind == "u":
        return {"unit": Unit.objects.filter(pk=int(pk)).first()}
    if kind == "t":
        return {"team": Team.objects.filter(pk=int(pk)).first()}
    return {}


def _dispatch_form(order: ServiceOrder) -> Callable[..., forms.Form]:
    units, teams = o.dispatch_targets(order)
    choices = [(f"u:{u.pk}", f"{_('Unit')} · {u.name}") for u in units]
    choices += [(f"t:{t.pk}", f"{_('Team')} · {t.name}") for t in teams]
    return lambda *a, **k: DispatchForm(*a, assignees=choices, **k)


def _specs(order: ServiceOrder) -> dict[OrderAction, Spec]:
    return {
        OrderAction.DISPATCH: Spec(
            _dispatch_form(order),
            lambda u, x, d: o.do_dispatch_order(
                actor=u, order_id=x.pk, accept_hours=d["accept_hours"], note=d["note"], **_assignee(d["assignee"])
            ),
            _("The order has been passed on."),
            "primary",
        ),
        OrderAction.ACCEPT: Spec(
            NoteForm,
            lambda u, x, d: o.do_accept_order(actor=u, order_id=x.pk, note=d["note"]),
            _("You have accepted the order."),
            "primary",
        ),
        OrderAction.DECLINE: Spec(
            ReasonForm,
            lambda u, x, d: o.do_decline_order(actor=u, order_id=x.pk, reason_text=d["reason"]),
            _("You have declined the order; it goes back to the alliance."),
            "danger",
        ),
        OrderAction.START: Spec(
            NoteForm,
            lambda u, x, d: o.do_start_order(actor=u, order_id=x.pk, note=d["note"]),
            _("The service has started."),
        ),
        OrderAction.COMPLETE: Spec(
            CompleteForm,
            lambda u, x, d: o.do_complete_order(actor=u, order_id=x.pk, note=d["note"]),
            _("Reported done; the community will confirm."),
            "primary",
        ),
        OrderAction.CONFIRM: Spec(
            ConfirmForm,
            lambda u, x, d: o.do_confirm_order(actor=u, order_id=x.pk, hours=d["hours"], note=d["note"]),
            _("The service has been confirmed and recorded."),
            "primary",
        ),
        OrderAction.SEND_BACK: Spec(
            ReasonForm,
            lambda u, x, d: o.do_send_back_order(actor=u, order_id=x.pk, reason_text=d["reason"]),
            _("Sent back; the unit carries on with the service."),
            "danger",
        ),
        OrderAction.CANCEL: Spec(
            ReasonForm,
            lambda u, x, d: o.do_cancel_order(actor=u, order_id=x.pk, reason_text=d["reason"]),
            _("The order has been cancelled."),
            "danger",
        ),
    }


def _panels(
    order: ServiceOrder, parties: frozenset[Party], bound: tuple[OrderAction, forms.Form] | None = None
) -> list[dict[str, Any]]:
    specs = _specs(order)
    panels = []
    for t in available(order.status, parties):
        spec = specs[t.action]
        form = bound[1] if bound is not None and bound[0] == t.action else spec.form(prefix=t.action.value)
        panels.append(
            {
                "action": t.action.value,
                "label": t.label,
                "form": form,
                "style": spec.style,
                "url": reverse("services:order_act", args=[order.number, t.action.value]),
            }
        )
    return panels


_EVENT_LABELS = {"order": gettext_lazy("Ordered")}


def _events(order: ServiceOrder) -> list[dict[str, Any]]:
    rows = []
    for e in order.events.all():
        try:
            label = str(BY_ACTION[OrderAction(e.action)].label)
        except ValueError:
            label = str(_EVENT_LABELS.get(e.action, e.action))
        to_label = OrderStatus(e.to_status).label if e.to_status in OrderStatus.values else e.to_status
        rows.append({"event": e, "label": label, "to_status": to_label})
    return rows


def _order_page(
    request: HttpRequest, order: ServiceOrder, bound: tuple[OrderAction, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    parties = order_parties_of(request.user, order)
    return render(
        request,
        "services/order_detail.html",
        {
            "order": order,
            "events": _events(order),
            "panels": _panels(order, parties, bound),
            "accept_overdue": order.accept_overdue(),
            "completion_overdue": order.completion_overdue(),
            "is_assignee": Party.ASSIGNEE in parties,
        },
        status=status,
    )


@login_required
@require_GET
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    require_staff_or_participant(request.user)
    order = get_or_404(access_order_by_number, request.user, number)
    return _order_page(request, order)


@login_required
@require_POST
def order_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = request.user
    require_staff_or_participant(user)
    order = get_or_404(access_order_by_number, user, number)
    try:
        act = OrderAction(action)
    except ValueError:
        raise Http404 from None
    if not BY_ACTION[act].parties & order_parties_of(user, order):
        raise PermissionDenied(action)
    spec = _specs(order)[act]
    form = spec.form(request.POST, prefix=act.value)
    if form.is_valid():
        try:
            spec.run(user, order, form.cleaned_data)
        except DomainError as error:
            if error.items and error.items[0].code == "conflict":
                messages.error(request, error.items[0].message)
                return redirect("services:order", number=order.number)
            apply_errors(form, error, {"reason": "reason", "unit": "assignee", "team": "assignee"})
        else:
            messages.success(request, str(spec.done))
            return redirect(safe_next(request, reverse("services:order", args=[order.number])))
    return _order_page(request, order, (act, form), status=400)


# ── the lists of orders ───────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def community_orders(request: HttpRequest) -> HttpResponse:
    """我的点单."""
    user = request.user
    require_any(user, Cap.SERVICES_MANAGE)
    status = request.GET.get("status", "open")
    page = Paginator(selectors.community_orders(user, status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/orders.html",
        {
            "page": page,
            "total": page.paginator.count,
            "status": status,
            "statuses": OrderStatus.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.SERVICES_MANAGE)
    initial: Data = {}
    need_id = request.GET.get("need", "")
    if need_id.isdigit():
        need = get_or_404(access_need_by_id, user, int(need_id))
        initial = {
            "need": need.pk,
            "title": need.title,
            "category": need.category.code,
            "community": need.community.code,
            "description": need.description,
        }
    form = OrderForm(request.POST or None, initial=initial, communities=regions_for(user, Cap.SERVICES_MANAGE))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = o.do_place_order(
                actor=user,
                community_region=region_by_code(d["community"]),
                category_code=d["category"],
                title=d["title"],
                description=d["description"],
                wanted_by=d["wanted_by"],
                need_id=d["need"],
            )
        except DomainError as error:
            apply_errors(form, error, {"community_region": "community"})
        else:
            messages.success(
                request, _("Order %(n)s has been placed with the street's alliance.") % {"n": order.number}
            )
            return redirect("services:order", number=order.number)
    return render(request, "services/order_form.html", {"form": form})


@login_required
@require_GET
def alliance_queue(request: HttpRequest) -> HttpResponse:
    """待派单: what the alliance has to pass on; `?all=1` shows every order of the street."""
    user = request.user
    require_any(user, Cap.SERVICES_ALLIANCE)
    waiting_only = not request.GET.get("all")
    page = Paginator(selectors.alliance_queue(user, waiting_only), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/alliance_queue.html",
        {"page": page, "total": page.paginator.count, "waiting_only": waiting_only},
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The unit's (or team leader's) inbox: orders to accept or decline, to start and report done."""
    user = request.user
    me = require_staff_or_participant(user)
    if not me.is_participant:
        raise PermissionDenied("services.inbox")
    orders = list(selectors.unit_inbox(user, me)[:100])
    rows = []
    for order in orders:
        parties = order_parties_of(user, order, me)
        rows.append({"order": order, "panels": _panels(order, parties)})
    projects = selectors.hub_projects(user, selectors.HubFilters(status="published"), me)[:20] if me.unit_ids else []
    return render(
        request,
        "services/inbox.html",
        {
            "rows": rows,
            "projects": projects,
            "is_liaison": bool(me.unit_ids),
            "done": selectors.unit_inbox(user, me, done=True).count(),
            "staff": has_capability(user, Cap.SERVICES_VIEW),
        },
    )
