"""Service-loop page pieces: the navigation entries and the status badges.

`{% load services_tags %}{% services_nav %}` shows each entry only to those who may open it: staff
by capability, unit liaisons and team leaders (no staff role) their inbox.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Membership
from gongzhi.services.access import participant_of
from gongzhi.volunteers.models import Team

register = template.Library()


def _caps(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    roles = Membership.objects.filter(user_id=user.pk).values_list("role", flat=True).distinct()
    return frozenset(cap.value for role in roles for cap in capabilities_of(role))


@register.inclusion_tag("services/includes/nav.html", takes_context=True)
def services_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    caps = _caps(user)
    participant = participant_of(user) if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "services" else ""
    # The inbox is for those orders can be passed to: unit liaisons and team leaders.
    takes_orders = participant is not None and (
        bool(participant.unit_ids)
        or (participant.volunteer is not None and Team.objects.filter(leader=participant.volunteer).exists())
    )
    return {
        "current": current or "",
        "show": {
            "hub": Cap.SERVICES_VIEW in caps or (participant is not None and bool(participant.unit_ids)),
            "orders": Cap.SERVICES_MANAGE in caps,
            "campaign": Cap.SERVICES_MANAGE in caps,
            "queue": Cap.SERVICES_ALLIANCE in caps,
            "inbox": takes_orders,
        },
    }


@register.simple_tag
def order_badge(status: str, label: str) -> SafeString:
    return format_html('<span class="badge svc-status svc-{}">{}</span>', status, label)
