"""What the 双报到 pages share: the capability gate, the community the page is about, errors → fields."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from gongzhi.core.access import AnyUser, capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.regions.models import Region
from gongzhi.registrations.access import communities_for


def require(user: AnyUser, cap: Cap) -> None:
    """403 unless the user holds `cap` somewhere: the page is not for their role."""
    if not has_capability(user, cap):
        raise PermissionDenied(cap)


def can(user: AnyUser, cap: Cap, code: str) -> bool:
    return capability_scope(user, cap).covers(code)


def chosen_community(request: HttpRequest, communities: QuerySet[Region]) -> Region:
    """`?community=<code>` among the user's communities (404 outside them), else the first one."""
    code = (request.GET.get("community") or request.POST.get("community_code") or "").strip()
    if code:
        community = communities.filter(code=code).first()
        if community is None:
            raise Http404
        return community
    first = communities.first()
    if first is None:
        raise Http404
    return first


def my_communities(user: AnyUser, cap: Cap = Cap.SERVICES_VIEW) -> QuerySet[Region]:
    return communities_for(user, cap)
