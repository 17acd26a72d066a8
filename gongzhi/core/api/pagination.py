"""Pagination shared by the API's list endpoints."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class LimitOffset(LimitOffsetPagination):
    """`?limit=&offset=`, 50 by default.

    Capped because a list may carry geometry (`?geometry=1`): an uncapped `limit` would let one
    request serialise every polygon of a 12,000-grid city.
    """

    default_limit = 50
    max_limit = 1000
