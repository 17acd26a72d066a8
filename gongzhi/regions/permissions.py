"""Who may open the region pages and API at all; which regions they then see is the selectors' job."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from gongzhi.core.access import can_view_regions

V = TypeVar("V", bound=Callable[..., HttpResponse])


def regions_section(view: V) -> V:
    """403 for roles whose work is not the tree (the security and audit administrators)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_view_regions(request.user):
            raise PermissionDenied("regions.view")
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


class CanViewRegions(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.user.is_authenticated and can_view_regions(request.user)
