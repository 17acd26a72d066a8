"""双报到 page pieces: `{% registrations_nav %}`, the ✓/✗/… mark, the overall badge, an item's evidence.

The navigation shows staff entries to roles with services.view (the required hours to street staff
and the system administrator) and "my registrations" to signed-in participants.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gongzhi.core.access import capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.registrations.access import volunteer_of
from gongzhi.registrations.compliance import Item

register = template.Library()

_MARKS = {"met": "✓", "not_met": "✗", "pending": "…"}


@register.inclusion_tag("registrations/includes/nav.html", takes_context=True)
def registrations_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    show = {"list": False, "duty": False, "mine": False}
    if user is not None and user.is_authenticated:
        show["list"] = has_capability(user, Cap.SERVICES_VIEW)
        manage = capability_scope(user, Cap.SERVICES_MANAGE)
        show["duty"] = (
            has_capability(user, Cap.SERVICES_CONFIG) or manage.everything or any(len(p) == 9 for p in manage.prefixes)
        )
        show["mine"] = not show["list"] and volunteer_of(user) is not None
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "registrations" else ""
    return {"show": show, "current": current or ""}


@register.simple_tag
def status_mark(status: str) -> SafeString:
    labels = {"met": _("Met"), "not_met": _("Not met"), "pending": _("Pending")}
    return format_html(
        '<span class="mark item-{}" aria-label="{}" title="{}">{}</span>',
        status,
        labels.get(status, status),
        labels.get(status, status),
        _MARKS.get(status, "?"),
    )


@register.simple_tag
def overall_badge(overall: str) -> SafeString:
    labels = {"compliant": _("Compliant"), "not_compliant": _("Not compliant"), "pending": _("Pending")}
    return format_html('<span class="badge overall-{}">{}</span>', overall, labels.get(overall, overall))


@register.simple_tag
def evidence(item: Item) -> str:
    """One line a secretary reads: who, how many, which dates."""
    e = item.evidence
    if "months" in e:
        return _("%(met)d of %(n)d months met") % {"met": e["months_met"], "n": e["months"]}
    if item.key == "liaison":
        return "、".join(e.get("liaisons", [])) or _("no liaison")
    if item.key == "team":
        return ("、".join(e["teams"]) + f" ({e['members']})") if e["teams"] else _("no team with members")
    if item.key == "meeting":
        dates = " ".join(e["dates"])
        return f"{e['quarter']}: {dates}" if dates else f"{e['quarter']}: " + _("none yet")
    return " ".join(e.get("dates", [])) or _("none")
