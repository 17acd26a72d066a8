"""Case page pieces: the status badge, the working days left, the loop's navigation and workbench tiles.

`{% load cases_tags %}{% cases_nav %}` in the side navigation shows each entry only to roles that
may open it, with the unread count next to 通知; `{% cases_tiles %}` puts the user's waiting work on
the workbench.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from gongzhi.cases import selectors, sla
from gongzhi.cases.access import viewer_of
from gongzhi.cases.models import Case, Status
from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Membership

register = template.Library()

# States in which no deadline runs: finished, waiting for others' checks, or paused.
_NO_CLOCK = frozenset(
    {Status.PENDING, Status.HANDLED, Status.VERIFYING, Status.CLOSED, Status.REJECTED, Status.MERGED, Status.SUSPENDED}
)


@register.simple_tag
def status_badge(case: Case) -> SafeString:
    return format_html('<span class="badge status status-{}">{}</span>', case.status, case.get_status_display())


def days_left(case: Case, now: dt.datetime | None = None) -> int | None:
    if case.handle_due is None or case.status in _NO_CLOCK:
        return None
    return sla.working_days_left(now or timezone.now(), case.handle_due)


@register.simple_tag
def time_left(case: Case) -> SafeString:
    """剩 N 个工作日 / 今天到期 / 超期 N 个工作日 (red), from the working calendar."""
    if case.handle_due is None:
        return mark_safe("")
    left = days_left(case)
    if left is None:
        return mark_safe('<span class="timeleft muted">—</span>')
    if left < 0:
        text = _("%(n)d working days overdue") % {"n": -left}
        return format_html('<span class="timeleft overdue" data-days="{}">{}</span>', left, text)
    if left == 0:
        return format_html('<span class="timeleft due-today" data-days="0">{}</span>', _("Due today"))
    text = _("%(n)d working days left") % {"n": left}
    return format_html('<span class="timeleft" data-days="{}">{}</span>', left, text)


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _standing(user: Any) -> tuple[frozenset[str], bool]:
    """Every capability the user's roles grant, and whether they are department staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset(), False
    caps: set[str] = set()
    department = False
    for role, department_id in Membership.objects.filter(user_id=user.pk).values_list("role", "department_id"):
        granted = capabilities_of(role)
        caps.update(c.value for c in granted)
        department = department or (department_id is not None and Cap.CASES_HANDLE in granted)
    return frozenset(caps), department


@register.inclusion_tag("cases/includes/nav.html", takes_context=True)
def cases_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    caps, department = _standing(user)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "cases" else ""
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "current": current or "",
        "signed_in": signed_in,
        "unread": selectors.unread_count(user) if signed_in and user is not None else 0,
        "show": {
            "queue": Cap.CASES_DISPATCH in caps,
            "inbox": department,
            "tasks": Cap.CASES_VERIFY in caps or (Cap.CASES_HANDLE in caps and not department),
            "map": Cap.CASES_VIEW in caps or Cap.CASES_HANDLE in caps,
            "kpi": Cap.KPI_VIEW in caps,
            "import": Cap.CASES_IMPORT in caps,
            "config": Cap.CASES_CONFIG in caps,
            "admit": Cap.CASES_ADMIT in caps,
        },
    }


@register.inclusion_tag("cases/includes/tiles.html", takes_context=True)
def cases_tiles(context: template.Context) -> dict[str, Any]:
    """Counts of what waits for the user, one tile per list they have."""
    request = context.get("request")
    user = getattr(request, "user", None)
    caps, department = _standing(user)
    tiles: list[dict[str, Any]] = []
    if user is None or not caps & {c.value for c in (Cap.CASES_VIEW, Cap.CASES_HANDLE, Cap.KPI_VIEW)}:
        return {"tiles": tiles}
    viewer = viewer_of(user)
    if Cap.CASES_DISPATCH in caps:
        queue = selectors.dispatch_queue(user, viewer=viewer)
        tiles.append({"label": _("Cases waiting for dispatch"), "count": queue.count(), "url": "cases:queue"})
    if department:
        inbox = selectors.department_inbox(user, viewer=viewer)
        tiles.append({"label": _("Department inbox"), "count": inbox.count(), "url": "cases:inbox"})
    if Cap.CASES_VERIFY in caps or (Cap.CASES_HANDLE in caps and not department):
        tasks = selectors.field_tasks(user, viewer=viewer)
        tiles.append({"label": _("My field tasks"), "count": tasks.count(), "url": "cases:tasks"})
    tiles.append(
        {"label": _("Unread notifications"), "count": selectors.unread_count(user), "url": "cases:notifications"}
    )
    return {"tiles": tiles}


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return mapping.get(key, "") if mapping else ""


@register.filter
def attr_of(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)
