"""`{% points_nav %}`: the points entries of the side navigation, for those who can use them.

Participants (a volunteer profile, no staff role) get 我的积分 and 爱心驿站; staff with services.view
get the stations and the points accounts; the system administrator gets the earning rules.
"""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Membership
from gongzhi.registrations.access import volunteer_of

register = template.Library()


def _capabilities(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    roles = Membership.objects.filter(user_id=user.pk).values_list("role", flat=True).distinct()
    return frozenset(cap.value for role in roles for cap in capabilities_of(role))


@register.inclusion_tag("points/includes/nav.html", takes_context=True)
def points_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    caps = _capabilities(user)
    participant = user is not None and user.is_authenticated and volunteer_of(user) is not None
    staff = Cap.SERVICES_VIEW in caps
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "points" else ""
    return {
        "current": current or "",
        "show": {
            "me": participant,
            "stations": participant or staff,
            "accounts": staff,
            "rules": Cap.SERVICES_CONFIG in caps,
        },
    }
