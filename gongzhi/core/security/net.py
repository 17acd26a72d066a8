"""The client's address, as far as the deployment lets us know it."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str:
    """REMOTE_ADDR, or the address the trusted proxies recorded in X-Forwarded-For.

    `GONGZHI_PROXY_COUNT` says how many proxies append to the header; entries further left were
    written by the client and prove nothing, so they are never used.
    """
    if request is None:
        return ""
    meta = getattr(request, "META", {})
    remote = str(meta.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "GONGZHI_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
        if len(forwarded) >= proxies:
            remote = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return ""
