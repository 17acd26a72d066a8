"""What the case pages share: the capability gate, where to go back to, labels, a fixed-window rate limit.

The order of checks is the product's access rule (see people/views/common.py): the role lacks the
page's capability → 403; the case is missing or outside the user's jurisdiction → 404; the case is
visible but the user may not do this to it now → 403 (the action says so with PermissionDenied).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_htmx.middleware import HtmxDetails

from gongzhi.cases.workflow import BY_ACTION, Action
from gongzhi.core.access import AnyUser, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.regions.models import Region

if TYPE_CHECKING:  # a development-only package: annotations only
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware


def require_any(user: AnyUser, *caps: Cap) -> None:
    """403 unless the user holds one of `caps` somewhere: the page is not for their role at all."""
    if not any(has_capability(user, cap) for cap in caps):
        raise PermissionDenied(caps[0] if caps else "")


def safe_next(request: HttpRequest, default: str) -> str:
    """The page to go back to after a POST: `next` when it points into this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def region_names(codes: Iterable[str]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


# Timeline rows not made by a workflow action (intake, the sweep, merging).
_EVENT_LABELS: dict[str, StrOrPromise] = {
    "file": _("Reported"),
    "merged_in": _("Another case was merged into this one"),
    "deadline_warning": _("Deadline warning"),
    "overdue": _("Overdue"),
    "escalate_overdue": _("Escalated as overdue"),
}


def event_label(action: str) -> str:
    if action in _EVENT_LABELS:
        return str(_EVENT_LABELS[action])
    try:
        return str(BY_ACTION[Action(action)].label)
    except ValueError:
        return action


def rate_limited(key: str, limit: int) -> bool:
    """Whether `key` has used up its `limit` in the current window (`count_hit` opens and counts it)."""
    return int(cache.get(f"rl:{key}", 0)) >= limit


def count_hit(key: str, window_seconds: int) -> None:
    """Count one use of `key`; the window starts with the first use (a fixed window, good enough here)."""
    full = f"rl:{key}"
    if not cache.add(full, 1, window_seconds):
        try:
            cache.incr(full)
        except ValueError:  # expired between add and incr
            cache.add(full, 1, window_seconds)
