from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "TILE_URL": settings.GONGZHI_TILE_URL,
        "TILE_ATTRIBUTION": settings.GONGZHI_TILE_ATTRIBUTION,
    }
