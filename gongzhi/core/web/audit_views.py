"""The audit administrator's search over the audit trail. Read-only: these views answer GET only,
and nothing in the app can change or remove an audit row (see docs/security.md)."""

from __future__ import annotations

import json

from django.core.paginator import EmptyPage, Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gongzhi.core import selectors
from gongzhi.core.capabilities import Cap
from gongzhi.core.models import AuditEvent
from gongzhi.core.web.decorators import capability_required
from gongzhi.core.web.forms import AuditSearchForm
from gongzhi.web.shortcuts import get_or_404

PAGE_SIZE = 50

# Offered as suggestions in the action box; any other action can be typed.
KNOWN_ACTIONS = (
    "auth.login",
    "auth.login_failed",
    "auth.locked",
    "auth.logout",
    "auth.idle_timeout",
    "auth.*",
    "user.create",
    "user.activate",
    "user.deactivate",
    "user.password_reset",
    "user.password_change",
    "user.totp_enroll",
    "user.totp_disable",
    "user.*",
    "membership.create",
    "membership.delete",
)


class UncountedPaginator(Paginator):  # type: ignore[type-arg]
    """The trail only grows; counting millions of rows for "page 3 of N" on every page is not worth it."""

    def validate_number(self, number: object) -> int:
        try:
            value = int(str(number))
        except ValueError:
            value = 1
        return max(value, 1)

    def page(self, number: object) -> Page:  # type: ignore[type-arg]
        n = self.validate_number(number)
        bottom = (n - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        page = Page(rows[: self.per_page], n, self)
        page.has_more = len(rows) > self.per_page  # type: ignore[attr-defined]
        if not rows and n > 1:
            raise EmptyPage
        return page


@require_GET
@capability_required(Cap.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    events: list[AuditEvent] = []
    page = None
    if not request.GET or form.is_valid():
        query = selectors.search_audit(request.user, form.to_filter() if form.is_bound else selectors.AuditFilter())
        try:
            page = UncountedPaginator(query, PAGE_SIZE).page(request.GET.get("page", 1))
        except EmptyPage:
            page = None
        events = list(page.object_list) if page is not None else []
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "events": events, "known_actions": KNOWN_ACTIONS},
    )


@require_GET
@capability_required(Cap.AUDIT_VIEW)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_or_404(selectors.access_audit_event, request.user, pk)
    changes = json.dumps(event.changes, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    same_request = (
        selectors.search_audit(request.user, selectors.AuditFilter(request_id=event.request_id)).exclude(pk=event.pk)[
            :20
        ]
        if event.request_id
        else []
    )
    return render(
        request, "core/audit_detail.html", {"event": event, "changes": changes, "same_request": list(same_request)}
    )
