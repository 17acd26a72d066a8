"""Navigation entries for the administrators' pages and the user's own security page.

`{% load core_nav %}{% core_nav %}` in the side navigation shows 审计日志 to the audit administrator,
账号与角色 to the security administrator, and 账号安全 to everyone signed in.
"""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Membership

register = template.Library()


@register.inclusion_tag("core/includes/nav.html", takes_context=True)
def core_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    caps: set[str] = set()
    if user is not None and user.is_authenticated and user.is_active:
        for role in Membership.objects.filter(user_id=user.pk).values_list("role", flat=True).distinct():
            caps.update(cap.value for cap in capabilities_of(role))
    match = getattr(request, "resolver_match", None)
    return {
        "signed_in": bool(user is not None and user.is_authenticated),
        "namespace": match.namespace if match is not None else "",
        "url_name": match.url_name if match is not None else "",
        "audit": Cap.AUDIT_VIEW in caps,
        "accounts": Cap.ACCOUNTS_MANAGE in caps,
    }
