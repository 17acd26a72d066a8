"""The dispatcher's queue with bulk dispatch, and the map of open cases."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.cases import selectors
from gongzhi.cases.access import access_case_by_number, viewer_of
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.transitions import do_dispatch_case
from gongzhi.cases.forms import BulkDispatchForm, QueueFilterForm
from gongzhi.cases.models import Case, Status
from gongzhi.cases.views.common import PAGE_SIZE, region_names, require_any, safe_next
from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.people.models import Department
from gongzhi.regions import selectors as region_selectors
from gongzhi.regions.models import Level, Region
from gongzhi.web import maps

DISPATCHABLE = frozenset({Status.REGISTERED, Status.RETURNED, Status.REWORK})
MAX_REGION_CHOICES = 600


def _scope_regions(user: AnyUser, cap: Cap) -> list[Region]:
    """Streets, communities and grids where the user holds `cap`, for the area filter."""
    scope = capability_scope(user, cap)
    qs = Region.objects.filter(scope.q("code"), level__in=(Level.STREET, Level.COMMUNITY, Level.GRID))
    return list(qs.only("code", "name", "level").order_by("code")[:MAX_REGION_CHOICES])


def dispatch_departments(user: AnyUser) -> list[Department]:
    """Departments of the districts the user dispatches in (the only ones an action would accept)."""
    scope = capability_scope(user, Cap.CASES_DISPATCH)
    qs = Department.objects.filter(is_active=True).select_related("region").order_by("code")
    if not scope.everything:
        q = Q(pk__in=[])
        for prefix in scope.prefixes:
            q |= Q(region__code=prefix[:6])
        qs = qs.filter(q)
    return list(qs)


def case_rows(cases: list[Case]) -> list[dict[str, Any]]:
    grids = region_names(c.region_code for c in cases)
    return [
        {"case": c, "grid_name": grids.get(c.region_code, ""), "dispatchable": c.status in DISPATCHABLE} for c in cases
    ]


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_DISPATCH)
    form = QueueFilterForm(request.GET or None, regions=_scope_regions(user, Cap.CASES_DISPATCH))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    f = selectors.CaseFilter(
        status=data.get("status", ""),
        category=data.get("category", ""),
        region=data.get("region", ""),
        channel=data.get("channel", ""),
        overdue=bool(data.get("overdue")),
        text=data.get("q", ""),
    )
    cases = selectors.dispatch_queue(user, f).select_related("duplicate_candidate")
    if form.is_bound and not form.is_valid():
        cases = cases.none()
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/queue.html",
        {
            "form": form,
            "page": page,
            "rows": case_rows(list(page.object_list)),
            "total": page.paginator.count,
            "bulk_form": BulkDispatchForm(departments=dispatch_departments(user)),
        },
    )


@login_required
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Each selected case through do_dispatch_case on its own: one refusal does not stop the others."""
    user = request.user
    require_any(user, Cap.CASES_DISPATCH)
    back = safe_next(request, reverse("cases:queue"))
    form = BulkDispatchForm(request.POST, departments=dispatch_departments(user))
    numbers = [n.strip() for n in request.POST.getlist("case") if n.strip()][:PAGE_SIZE]
    if not form.is_valid() or not numbers:
        messages.error(request, _("Select cases and a department first."))
        return redirect(back)
    department_id = int(form.cleaned_data["department"])
    actor = Actor.of(user)
    viewer = viewer_of(user)
    done: list[str] = []
    for number in dict.fromkeys(numbers):
        try:
            case = access_case_by_number(user, number, viewer)
            do_dispatch_case(actor=actor, case_id=case.pk, department_id=department_id)
        except NotFound:
            messages.error(request, _("%(n)s: no such case in your jurisdiction.") % {"n": number})
        except PermissionDenied:
            messages.error(request, _("%(n)s: you may not dispatch this case.") % {"n": number})
        except DomainError as error:  # a Conflict too: its message says what state the case is in now
            reason = "；".join(i.message for i in error.items)
            messages.error(request, _("%(n)s: %(reason)s") % {"n": number, "reason": reason})
        else:
            done.append(number)
    if done:
        messages.success(
            request, _("Dispatched %(count)d cases: %(numbers)s") % {"count": len(done), "numbers": "、".join(done)}
        )
    return redirect(back)


# ── the map ───────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def case_map(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Cap.CASES_VIEW, Cap.CASES_HANDLE)
    legend = [
        ("pending", _("New")),
        ("working", _("In progress")),
        ("verifying", _("Awaiting verification")),
        ("overdue", _("Overdue")),
    ]
    return render(request, "cases/map.html", {"legend": legend})


def map_kind(case: Case) -> str:
    """The marker colour: overdue above all, then where the case stands."""
    if case.is_overdue:
        return "overdue"
    if case.status in (Status.PENDING, Status.REGISTERED, Status.RETURNED):
        return "pending"
    if case.status in (Status.HANDLED, Status.VERIFYING):
        return "verifying"
    return "working"


@login_required
@require_GET
def case_map_data(request: HttpRequest) -> JsonResponse:
    """Open cases as points, with the user's own regions drawn underneath as the frame."""
    user = request.user
    require_any(user, Cap.CASES_VIEW, Cap.CASES_HANDLE)
    features: list[dict[str, Any]] = []
    for root in region_selectors.roots_for(user).order_by("code")[:20]:
        features.append(maps.region_feature(root, "self", maps.tolerance_for(root)))
    for case in selectors.open_cases_on_map(user):
        features.append(
            {
                "type": "Feature",
                "id": case.number,
                "geometry": {"type": "Point", "coordinates": [round(case.lon or 0, 6), round(case.lat or 0, 6)]},
                "properties": {
                    "role": "case",
                    "number": case.number,
                    "name": case.title,
                    "status": case.get_status_display(),
                    "category": case.category.name if case.category else "",
                    "kind": map_kind(case),
                    "url": reverse("cases:detail", args=[case.number]),
                },
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
