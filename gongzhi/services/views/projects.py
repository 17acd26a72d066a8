"""Project pages: create and edit (community staff), detail with claims; claim, withdraw, deliver (unit
liaisons, on a phone) and confirm (community)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people.models import Unit
from gongzhi.services.access import access_claim_by_id, access_project_by_id, can_manage, claiming_units
from gongzhi.services.actions import projects as p
from gongzhi.services.forms import ClaimForm, ConfirmForm, DeliverForm, ProjectForm, ReasonForm, apply_errors
from gongzhi.services.models import ClaimStatus, Project, ProjectStatus
from gongzhi.services.views.common import region_by_code, regions_for, require_any, require_staff_or_participant
from gongzhi.web.shortcuts import get_or_404

# Status moves offered as buttons on the project page.
STATUS_BUTTONS: dict[str, str] = {
    ProjectStatus.PUBLISHED: "publish",
    ProjectStatus.CLOSED: "close",
    ProjectStatus.DONE: "finish",
}
BY_BUTTON: dict[str, str] = {v: k for k, v in STATUS_BUTTONS.items()}


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.SERVICES_MANAGE)
    form = ProjectForm(request.POST or None, communities=regions_for(user, Cap.SERVICES_MANAGE))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = p.do_create_project(
                actor=user,
                community_region=region_by_code(d["community"]),
                title=d["title"],
                goal=d["goal"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                slots=d["slots"],
                budget=d["budget"],
                category_code=d["category"],
            )
        except DomainError as error:
            apply_errors(form, error, {"community_region": "community"})
        else:
            messages.success(request, _("The project has been saved as a draft."))
            return redirect("services:project", pk=project.pk)
    return render(request, "services/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_staff_or_participant(user)
    project = get_or_404(access_project_by_id, user, pk)
    if not can_manage(user, project.region_code):
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    initial = {
        "category": project.category.code if project.category else "",
        "title": project.title,
        "goal": project.goal,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "slots": project.slots,
        "budget": project.budget,
    }
    form = ProjectForm(request.POST or None, initial=initial, communities=[], editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            p.do_update_project(actor=user, project_id=project.pk, data=form.cleaned_data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("services:project", pk=project.pk)
    return render(request, "services/project_form.html", {"form": form, "project": project})


def _context(request: HttpRequest, project: Project, **forms: Any) -> dict[str, Any]:
    user = request.user
    me = require_staff_or_participant(user)
    manage = can_manage(user, project.region_code)
    claims = list(project.claims.select_related("unit").order_by("claimed_at", "id"))
    active = [c for c in claims if c.status != ClaimStatus.WITHDRAWN]
    units = claiming_units(user, project, me)
    mine_active = {c.unit_id for c in active}
    can_claim_units = [u for u in Unit.objects.filter(pk__in=units).order_by("name") if u.pk not in mine_active]
    open_for_claims = (
        project.status == ProjectStatus.PUBLISHED
        and len(active) < project.slots
        and timezone.localdate() <= project.ends_on
    )
    buttons = (
        [
            (status, STATUS_BUTTONS[status])
            for status in p.PROJECT_MOVES.get(project.status, frozenset())
            if status in STATUS_BUTTONS
        ]
        if manage
        else []
    )
    return {
        "project": project,
        "claims": claims,
        "claimed": len(active),
        "left": max(project.slots - len(active), 0),
        "can_manage": manage,
        "my_units": set(units),
        "status_buttons": sorted(buttons, key=lambda b: list(STATUS_BUTTONS).index(b[0])),
        "claim_form": forms.get("claim_form")
        or (
            ClaimForm(units=[(str(u.pk), u.name) for u in can_claim_units])
            if can_claim_units and open_for_claims
            else None
        ),
        "deliver_form": forms.get("deliver_form") or DeliverForm(),
        "withdraw_form": forms.get("withdraw_form") or ReasonForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
        "error_claim": forms.get("error_claim"),
    }


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff_or_participant(request.user)
    project = get_or_404(access_project_by_id, request.user, pk)
    return render(request, "services/project_detail.html", _context(request, project))


@login_required
@require_POST
def project_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """publish / close / finish (community staff) and claim (a unit's liaison)."""
    user = request.user
    require_staff_or_participant(user)
    project = get_or_404(access_project_by_id, user, pk)
    back = reverse("services:project", args=[project.pk])
    if action == "claim":
        form = ClaimForm(request.POST, units=[(str(u), str(u)) for u in claiming_units(user, project)])
        if not form.is_valid():
            if "unit" in form.errors:
                raise PermissionDenied("services.claim")
            return render(
                request, "services/project_detail.html", _context(request, project, claim_form=form), status=400
            )
        unit = Unit.objects.get(pk=int(form.cleaned_data["unit"]))
        try:
            p.do_claim_project(actor=user, project_id=project.pk, unit=unit, plan=form.cleaned_data["plan"])
        except DomainError as error:
            messages.error(request, "; ".join(i.message for i in error.items))
        else:
            messages.success(request, _("Your unit has claimed the project."))
        return redirect(back)
    if action not in BY_BUTTON:
        raise Http404
    try:
        p.do_set_project_status(actor=user, project_id=project.pk, status=BY_BUTTON[action])
    except DomainError as error:
        messages.error(request, "; ".join(i.message for i in error.items))
    else:
        messages.success(request, _("The project's status has been changed."))
    return redirect(back)


@login_required
@require_POST
def claim_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """withdraw / deliver (the unit's liaison) and confirm (community staff) one claim."""
    user = request.user
    require_staff_or_participant(user)
    claim = get_or_404(access_claim_by_id, user, pk)
    back = reverse("services:project", args=[claim.project_id])
    form: ReasonForm | DeliverForm | ConfirmForm
    if action == "withdraw":
        form = ReasonForm(request.POST)
    elif action == "deliver":
        form = DeliverForm(request.POST)
    elif action == "confirm":
        form = ConfirmForm(request.POST)
    else:
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return render(
            request,
            "services/project_detail.html",
            _context(request, claim.project, **{f"{action}_form": form, "error_claim": claim.pk}),
            status=400,
        )
    d = form.cleaned_data
    try:
        if action == "withdraw":
            p.do_withdraw_project_claim(actor=user, claim_id=claim.pk, reason_text=d["reason"])
        elif action == "deliver":
            p.do_deliver_project(actor=user, claim_id=claim.pk, evidence=d["evidence"])
        else:
            p.do_confirm_project_delivery(actor=user, claim_id=claim.pk, hours=d["hours"])
    except DomainError as error:
        messages.error(request, "; ".join(i.message for i in error.items))
    else:
        messages.success(request, _("Done."))
    return redirect(back)
