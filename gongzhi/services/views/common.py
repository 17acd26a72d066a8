"""What the service pages share: the gate (staff capability or participant), region choices.

Order of checks, as elsewhere: the page is not for the user at all → 403; the object is missing or
out of sight → 404; visible but the act is not theirs → 403 (from the action).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from gongzhi.core.access import AnyUser, capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.regions.models import Level, Region
from gongzhi.services.access import Participant, participant_of, registered_communities

PAGE_SIZE = 50


def require_any(user: AnyUser, *caps: Cap) -> None:
    if not any(has_capability(user, cap) for cap in caps):
        raise PermissionDenied(caps[0] if caps else "")


def require_staff_or_participant(user: AnyUser) -> Participant:
    me = participant_of(user)
    if not me.is_participant and not has_capability(user, Cap.SERVICES_VIEW):
        raise PermissionDenied(Cap.SERVICES_VIEW)
    return me


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def regions_for(user: AnyUser, cap: Cap, levels: tuple[str, ...] = (Level.COMMUNITY,)) -> list[tuple[str, str]]:
    """(code, name) of the communities (and streets) where the user may exercise `cap`."""
    scope = capability_scope(user, cap)
    if not scope.everything and not scope.prefixes:
        return []
    rows = Region.objects.filter(level__in=levels)
    if not scope.everything:
        rows = rows.filter(scope.q("code"))
    return [(r.code, r.name) for r in rows.order_by("code")[:500]]


def liaison_communities(me: Participant) -> list[tuple[str, str]]:
    regs = registered_communities(me.unit_ids).select_related("community").order_by("region_code")
    seen: dict[str, str] = {}
    for reg in regs:
        seen.setdefault(reg.community.code, reg.community.name)
    return list(seen.items())


def region_by_code(code: str) -> Region | None:
    return Region.objects.filter(code=code).first() if code else None
