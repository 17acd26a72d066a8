"""The grid worker's phone pages: the task list (handle and verify) and the patrol report."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.cases import selectors
from gongzhi.cases.access import Viewer, parties_of, viewer_of
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.intake import Filed, Report, do_file_case
from gongzhi.cases.forms import PatrolReportForm, ReportForm, apply_errors
from gongzhi.cases.models import Case, Channel
from gongzhi.cases.routing import STREET_LEN
from gongzhi.cases.views.common import region_names, require_any
from gongzhi.cases.workflow import Action, available
from gongzhi.core.access import capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError

# What a task card offers in place; everything else is on the case page.
QUICK = (Action.SIGN, Action.START, Action.VERIFY_PASS, Action.VERIFY_FAIL)
MAX_TASKS = 200


def _quick_actions(viewer: Viewer, case: Case) -> list[dict[str, Any]]:
    allowed = {tr.action: tr for tr in available(case.status, parties_of(viewer, case))}
    return [
        {"action": a.value, "label": allowed[a].label, "url": reverse("cases:act", args=[case.number, a.value])}
        for a in QUICK
        if a in allowed
    ]


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_VERIFY, Cap.CASES_HANDLE)
    viewer = viewer_of(user)
    cases = list(selectors.field_tasks(user, viewer=viewer)[:MAX_TASKS])
    grids = region_names(c.region_code for c in cases)
    cards = [{"case": c, "grid_name": grids.get(c.region_code, ""), "quick": _quick_actions(viewer, c)} for c in cases]
    return render(
        request,
        "cases/tasks.html",
        {"cards": cards, "can_report": has_capability(user, Cap.CASES_REPORT)},
    )


def report_from_form(form: ReportForm, channel: str, source: str, **extra: Any) -> Report:
    data = form.cleaned_data
    return Report(
        channel=channel,
        title="",
        description=data["description"],
        category_code=data.get("category") or "",
        lon=data.get("lon"),
        lat=data.get("lat"),
        crs=data.get("crs") or "wgs84",
        address=(data.get("address") or "").strip(),
        source=source,
        client_key=(data.get("client_key") or "").strip(),
        **extra,
    )


def file_from_form(form: ReportForm, actor: Actor, report: Report) -> Filed | None:
    """do_file_case with the form's photos; None (and the reasons on the form) when refused."""
    try:
        return do_file_case(actor=actor, report=report, photos=form.cleaned_data.get("photos") or [])
    except DomainError as error:
        apply_errors(form, error, getattr(form, "aliases", {}))
        return None


def new_client_key() -> str:
    return uuid.uuid4().hex


@login_required
@require_http_methods(["GET", "POST"])
def patrol_report(request: HttpRequest) -> HttpResponse:
    """巡查上报: the grid worker files what they found, or closes it on the spot with a photo."""
    user = request.user
    require_any(user, Cap.CASES_REPORT)
    if request.method == "POST":
        form = PatrolReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            report = report_from_form(
                form,
                Channel.PATROL,
                f"user:{user.pk}",
                close_on_spot=bool(data.get("close_on_spot")),
                result=data.get("result") or "",
            )
            filed = file_from_form(form, Actor.of(user), report)
            if filed is not None:
                if filed.created:
                    messages.success(request, _("Reported: case %(n)s.") % {"n": filed.case.number})
                else:
                    messages.info(
                        request, _("This report had already been received: case %(n)s.") % {"n": filed.case.number}
                    )
                return redirect("cases:tasks")
    else:
        form = PatrolReportForm(initial={"client_key": new_client_key(), "crs": "wgs84"})
    # The grids of the worker's street are enough to tap on, and far lighter than the whole city's.
    scope = capability_scope(user, Cap.CASES_REPORT)
    area = scope.prefixes[0][:STREET_LEN] if scope.prefixes else ""
    grids_url = reverse("cases:h5_grids") + (f"?area={area}" if area.isdigit() else "")
    return render(request, "cases/patrol_report.html", {"form": form, "grids_url": grids_url})
