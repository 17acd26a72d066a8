"""Deployment checks of our own, run by `gongzhi check --deploy` beside Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Rate limits count in the cache; a per-process cache lets each web process grant the whole limit."""
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache is per process, so rate limits (H5 reports, ticket lookups, API intake) hold only "
                "within each web process.",
                hint="Set GONGZHI_CACHE_URL to a Redis every web process shares, e.g. redis://127.0.0.1:6379/1.",
                id="gongzhi.W001",
            )
        ]
    return []
