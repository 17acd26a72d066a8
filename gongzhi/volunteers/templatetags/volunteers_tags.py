"""Volunteers page pieces: the navigation (`{% volunteers_nav %}`), skill names and weekdays.

The navigation shows 志愿者 and 志愿服务队 to roles with `services.view`, 志愿活动 to them and to
participants, 我的志愿服务 to participants (a signed-in user with an active volunteer profile).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from gongzhi.core.access import has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.registrations.access import volunteer_of
from gongzhi.volunteers.forms import WEEKDAYS
from gongzhi.volunteers.models import ALL_DAYS

register = template.Library()


def _group(url_name: str) -> str:
    if url_name == "me":
        return "me"
    if url_name.startswith("team"):
        return "team"
    if url_name.startswith("activity") or url_name == "scan":
        return "activity"
    return "volunteer"


@register.inclusion_tag("volunteers/includes/nav.html", takes_context=True)
def volunteers_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    current = _group(match.url_name or "") if match is not None and match.namespace == "volunteers" else ""
    return {
        "current": current,
        "show": {
            "staff": signed_in and has_capability(user, Cap.SERVICES_VIEW),  # type: ignore[arg-type]
            "participant": signed_in and volunteer_of(user) is not None,  # type: ignore[arg-type]
        },
    }


@register.simple_tag
def skill_names(codes: list[str] | None, names: dict[str, str]) -> str:
    """'ELD01 FIX02' as 助老服务、家电维修 (unknown codes as they are)."""
    return "、".join(names.get(code, code) for code in codes or []) or "—"


@register.simple_tag
def weekdays(mask: int) -> str:
    if mask == ALL_DAYS:
        return _("Every day")
    return " ".join(str(label) for day, label in WEEKDAYS if mask & (1 << day)) or "—"
