"""The navigation entries of the people pages, shown only to roles that may open them.

An inclusion tag rather than a context processor so that base.html needs two lines and the
capability lookup runs only on pages that draw the navigation.
"""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Membership

register = template.Library()


def user_capabilities(user: Any) -> frozenset[str]:
    """Every capability any of the user's memberships grants (where it applies is not asked here)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    roles = Membership.objects.filter(user_id=user.pk).values_list("role", flat=True).distinct()
    return frozenset(cap.value for role in roles for cap in capabilities_of(role))


@register.inclusion_tag("people/includes/nav.html", takes_context=True)
def people_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    caps = user_capabilities(getattr(request, "user", None))
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "people" else ""
    return {
        "current": (current or "").split("_")[0],
        "show": {
            "person": Cap.PEOPLE_VIEW in caps,
            "partyorg": Cap.PARTY_VIEW in caps,
            "partymember": Cap.PARTY_VIEW in caps,
            "unit": Cap.UNITS_VIEW in caps,
            "department": Cap.DEPARTMENTS_VIEW in caps,
        },
    }
