"""Reference data of the loop: the taxonomy and duty lists, loop settings, API clients, the working
calendar (system administrator, `cases.config`), and a street's admissions (`cases.admit`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.cases import routing
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.config import (
    do_create_api_client,
    do_grant_admission,
    do_revoke_admission,
    do_set_calendar_day,
    do_set_duty_item,
    do_update_category,
    do_update_loop_settings,
)
from gongzhi.cases.forms import (
    AdmissionForm,
    ApiClientForm,
    CalendarDayForm,
    CategoryEditForm,
    LoopSettingsForm,
    apply_errors,
)
from gongzhi.cases.models import (
    Admission,
    ApiClient,
    Category,
    DutyItem,
    EscalationStep,
    HandlingLevel,
    WorkCalendarDay,
)
from gongzhi.cases.views.common import require_any
from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.people.models import Department
from gongzhi.regions.models import Level, Region

DUTY_LEVELS = (HandlingLevel.GRID, HandlingLevel.COMMUNITY, HandlingLevel.STREET)


def _category(code: str) -> Category:
    category = Category.objects.select_related("parent").filter(code=code).first()
    if category is None:
        raise Http404
    return category


@login_required
@require_GET
def categories(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Cap.CASES_CONFIG)
    nodes = list(Category.objects.order_by("code"))
    duty_counts: dict[int, int] = {}
    for category_id in DutyItem.objects.values_list("category_id", flat=True):
        duty_counts[category_id] = duty_counts.get(category_id, 0) + 1
    rows = [{"node": n, "duties": duty_counts.get(n.pk, 0)} for n in nodes]
    return render(request, "cases/config/categories.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_CONFIG)
    category = _category(code)
    form = CategoryEditForm.for_category(category, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_category(actor=Actor.of(user), category_id=category.pk, **form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The category has been saved."))
            return redirect("cases:categories")
    return render(request, "cases/config/category_edit.html", {"form": form, "category": category})


@login_required
@require_http_methods(["GET", "POST"])
def duty_list(request: HttpRequest, code: str) -> HttpResponse:
    """事项清单 of one leaf: which levels and departments may be given it."""
    user = request.user
    require_any(user, Cap.CASES_CONFIG)
    category = _category(code)
    if not category.is_leaf:
        raise Http404
    departments = list(Department.objects.filter(is_active=True).select_related("region").order_by("code"))
    present: set[tuple[str, int | None]] = set(
        DutyItem.objects.filter(category=category).values_list("level", "department_id")
    )
    if request.method == "POST":
        wanted_levels = set(request.POST.getlist("level"))
        wanted_departments = {int(i) for i in request.POST.getlist("department") if i.isdigit()}
        actor = Actor.of(user)
        changed = 0
        try:
            for level in DUTY_LEVELS:
                has = (level.value, None) in present
                if has != (level.value in wanted_levels):
                    changed += do_set_duty_item(
                        actor=actor, category_id=category.pk, level=level.value, present=not has
                    )
            for d in departments:
                has = ("", d.pk) in present
                if has != (d.pk in wanted_departments):
                    changed += do_set_duty_item(
                        actor=actor, category_id=category.pk, department_id=d.pk, present=not has
                    )
        except DomainError as error:
            messages.error(request, "；".join(i.message for i in error.items))
        else:
            routing.forget_cached()
            messages.success(request, _("The duty list has been saved (%(n)d changes).") % {"n": changed})
            return redirect("cases:duty", code=category.code)
    levels = [{"value": lv.value, "label": lv.label, "on": (lv.value, None) in present} for lv in DUTY_LEVELS]
    dept_rows = [{"department": d, "on": ("", d.pk) in present} for d in departments]
    return render(request, "cases/config/duty.html", {"category": category, "levels": levels, "departments": dept_rows})


@login_required
@require_http_methods(["GET", "POST"])
def loop_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_CONFIG)
    routing.forget_cached()
    row = routing.loop_settings()
    form = LoopSettingsForm.for_row(row, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_loop_settings(actor=Actor.of(user), **form.cleaned_data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("cases:loop_settings")
    return render(
        request,
        "cases/config/loop_settings.html",
        {"form": form, "steps": EscalationStep.objects.order_by("order")},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_clients(request: HttpRequest) -> HttpResponse:
    """The key of a new client is in this one response only (never_cache: no-store); we keep its digest."""
    user = request.user
    require_any(user, Cap.CASES_CONFIG)
    regions = list(
        Region.objects.filter(level__in=(Level.CITY, Level.DISTRICT, Level.STREET))
        .only("code", "name")
        .order_by("code")
    )
    form = ApiClientForm(request.POST if request.method == "POST" else None, regions=regions)
    created: tuple[ApiClient, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = do_create_api_client(
                actor=Actor.of(user), name=form.cleaned_data["name"], region_code=form.cleaned_data["region"]
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            form = ApiClientForm(regions=regions)
    clients = ApiClient.objects.select_related("region").order_by("name")
    return render(
        request,
        "cases/config/api_clients.html",
        {
            "form": form,
            "clients": clients,
            "created": created[0] if created else None,
            "key": created[1] if created else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_CONFIG)
    form = CalendarDayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_set_calendar_day(
                actor=Actor.of(user), date=data["date"], is_workday=data["is_workday"], note=data["note"]
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The working calendar has been updated."))
            return redirect("cases:calendar")
    since = timezone.localdate() - dt.timedelta(days=90)
    days = WorkCalendarDay.objects.filter(date__gte=since).order_by("date")
    return render(request, "cases/config/calendar.html", {"form": form, "days": days})


# ── admissions (准入) ─────────────────────────────────────────────────────────────────────────────


def _streets(request: HttpRequest) -> list[Region]:
    scope = capability_scope(request.user, Cap.CASES_ADMIT)
    return list(Region.objects.filter(scope.q("code"), level=Level.STREET).only("code", "name").order_by("code"))


@login_required
@require_http_methods(["GET", "POST"])
def admissions(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_ADMIT)
    streets = _streets(request)
    form = AdmissionForm(request.POST if request.method == "POST" else None, streets=streets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _sep, value = data["target"].partition(":")
        category = Category.objects.filter(code=data["category"], depth=3).first()
        target: dict[str, Any] = {"department_id": int(value)} if kind == "department" else {"level": value}
        try:
            if category is None:
                raise DomainError.single("category", "category_invalid", _("Choose a category from the list."))
            do_grant_admission(
                actor=Actor.of(user),
                category_id=category.pk,
                street_code=data["street"],
                reason=data["reason"],
                **target,
            )
        except DomainError as error:
            apply_errors(form, error, form.aliases)
        else:
            messages.success(request, _("The admission has been granted."))
            return redirect("cases:admissions")
    rows = (
        Admission.objects.filter(street__code__in=[s.code for s in streets])
        .select_related("category", "department", "street", "approved_by")
        .order_by("revoked_at", "-approved_at")
    )
    return render(request, "cases/config/admissions.html", {"form": form, "admissions": rows})


@login_required
@require_POST
def admission_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_ADMIT)
    if not Admission.objects.filter(pk=pk, street__code__in=[s.code for s in _streets(request)]).exists():
        raise Http404
    do_revoke_admission(actor=Actor.of(user), admission_id=pk)
    messages.success(request, _("The admission has been revoked."))
    return redirect("cases:admissions")
