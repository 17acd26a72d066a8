"""Wish page pieces: the status badge, the fulfil-by date, and the navigation entries.

`{% load wishes_tags %}{% wishes_nav %}` shows 为民红绳 to participants (volunteers, party members,
unit liaisons) and to staff with `services.view`; 我的认领 to participants; the staff list to staff.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gongzhi.core.access import has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.registrations.access import units_acted_for, volunteer_of
from gongzhi.wishes.models import Wish

register = template.Library()


@register.simple_tag
def wish_status_badge(wish: Wish) -> SafeString:
    return format_html(
        '<span class="badge wish-status wish-status-{}" data-status="{}">{}</span>',
        wish.status,
        wish.status,
        wish.get_status_display(),
    )


@register.simple_tag
def wish_due(wish: Wish) -> SafeString:
    if wish.due_at is None:
        return format_html("")
    local = timezone.localtime(wish.due_at)
    if wish.due_at < timezone.now():
        return format_html('<span class="overdue">{} ({})</span>', f"{local:%Y-%m-%d}", _("overdue"))
    return format_html("<span>{}</span>", f"{local:%Y-%m-%d}")


@register.inclusion_tag("wishes/includes/nav.html", takes_context=True)
def wishes_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    participant = staff = False
    if user is not None and user.is_authenticated:
        participant = volunteer_of(user) is not None or units_acted_for(user).exists()
        staff = has_capability(user, Cap.SERVICES_VIEW)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "wishes" else ""
    return {
        "current": current or "",
        "show": {"board": participant or staff, "mine": participant, "list": staff},
    }
