"""The department's inbox (sign, return, start, report in from the list) and every user's notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.cases import selectors
from gongzhi.cases.access import joint_departments, parties_of, viewer_of
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.notifications import do_mark_all_notifications_read, do_mark_notification_read
from gongzhi.cases.models import Case
from gongzhi.cases.views.common import PAGE_SIZE, region_names, require_any, safe_next
from gongzhi.cases.workflow import Action, available
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound

# Offered on the list itself; those needing text (return, finish) open the case page.
INBOX_QUICK = (Action.SIGN, Action.START, Action.REPORT_IN)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_HANDLE)
    viewer = viewer_of(user)
    page = Paginator(selectors.department_inbox(user, viewer=viewer), PAGE_SIZE).get_page(request.GET.get("page"))
    cases: list[Case] = list(page.object_list)
    grids = region_names(c.region_code for c in cases)
    rows: list[dict[str, Any]] = []
    for case in cases:
        allowed = {tr.action: tr for tr in available(case.status, parties_of(viewer, case))}
        joint = joint_departments(case)
        mine = {d: role for d, role in joint.items() if d in viewer.departments}
        quick = [
            {"action": a.value, "label": allowed[a].label, "url": reverse("cases:act", args=[case.number, a.value])}
            for a in INBOX_QUICK
            if a in allowed
        ]
        rows.append(
            {
                "case": case,
                "grid_name": grids.get(case.region_code, ""),
                "quick": quick,
                "joint": bool(mine) and case.department_id not in viewer.departments,
                "whistle": bool(joint),
            }
        )
    return render(
        request,
        "cases/inbox.html",
        {"rows": rows, "page": page, "total": page.paginator.count, "is_department": bool(viewer.departments)},
    )


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.notifications_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/notifications.html",
        {"page": page, "unread": selectors.unread_count(user), "total": page.paginator.count},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the posted `id`s (or, with `all`, every unread notification) read, then go on to `next`."""
    user = request.user
    actor = Actor.of(user)
    if request.POST.get("all") and do_mark_all_notifications_read(actor=actor):
        messages.success(request, _("All notifications have been marked read."))
    for value in request.POST.getlist("id")[:PAGE_SIZE]:
        if value.isdigit():
            try:
                do_mark_notification_read(actor=actor, notification_id=int(value))
            except NotFound:
                raise Http404 from None
    return redirect(safe_next(request, reverse("cases:notifications")))
