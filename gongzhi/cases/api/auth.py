"""Other systems' access to the case loop: `Authorization: ApiKey <key>`, and the intake rate limit.

An API client is not a user: it authenticates as the anonymous user with the `ApiClient` as
`request.auth`, so no staff endpoint (all need a signed-in user) opens to it by accident. Only the
endpoints that list `ApiKeyAuthentication` (intake, the category list) take it at all.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from gongzhi.cases.actions.common import token_digest
from gongzhi.cases.models import ApiClient

KEYWORD = "ApiKey"
# Per client (or per signed-in user) and minute; REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["cases_intake"] wins.
DEFAULT_INTAKE_RATE = "60/min"
_MAX_KEY_CHARS = 200


# Intake is the busiest endpoint; a known key is answered from this process's memory for a short
# while instead of a query per request. A deactivated key therefore stops working within this time.
_CLIENT_TTL = dt.timedelta(seconds=30)
_clients: dict[str, tuple[dt.datetime, ApiClient | None]] = {}
_clients_lock = threading.Lock()


def forget_clients() -> None:
    with _clients_lock:
        _clients.clear()


def client_for_key(key: str) -> ApiClient | None:
    """The active client holding `key`; None for an unknown, inactive or malformed key."""
    key = (key or "").strip()
    if not key or len(key) > _MAX_KEY_CHARS:
        return None
    digest = token_digest(key)
    now = dt.datetime.now(dt.UTC)
    hit = _clients.get(digest)
    if hit is not None and now - hit[0] <= _CLIENT_TTL:
        return hit[1]
    client = (
        ApiClient.objects.select_related("region")
        .defer("region__geometry")  # the area's outline is never needed here, and it is large
        .filter(key_digest=digest)
        .first()
    )
    found = client if client is not None and client.is_active else None
    with _clients_lock:
        if len(_clients) > 1000:
            _clients.clear()
        _clients[digest] = (now, found)
    return found


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiClient] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: let session or basic authentication try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as “Authorization: ApiKey <key>”."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from exc
        client = client_for_key(key)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        return AnonymousUser(), client

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 when the key is missing or wrong.
        return f'{KEYWORD} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "gongzhi.cases.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`ApiKey <key>`: a key the system administrator issued to another system.",
        }


def api_client_of(request: Request) -> ApiClient | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiClient) else None


class IsUserOrApiClient(BasePermission):
    """A signed-in user, or another system with a valid key."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) or api_client_of(request) is not None


def caller_ident(request: Request) -> str:
    client = api_client_of(request)
    if client is not None:
        return f"client:{client.pk}"
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


class IntakeThrottle(SimpleRateThrottle):
    """Filing cases: a fixed number per client (or user) and minute, so one runaway system cannot flood
    the dispatchers' queues. The same budget serves the REST intake and Open311 (`allow_ident`)."""

    scope = "cases_intake"
    default_rate = DEFAULT_INTAKE_RATE

    def __init__(self) -> None:
        self._ident: str | None = None
        super().__init__()

    def get_rate(self) -> str:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES or {}
        return str(rates.get(self.scope) or self.default_rate)

    def get_cache_key(self, request: Request, view: Any) -> str:
        ident = self._ident if self._ident is not None else caller_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_ident(self, ident: str) -> bool:
        """For callers outside DRF (the Open311 views): the same check under an explicit identity."""
        self._ident = ident
        return self.allow_request(None, None)  # type: ignore[arg-type]


class TicketThrottle(IntakeThrottle):
    """The resident's ticket endpoints take no sign-in: limited per address instead."""

    scope = "cases_ticket"


class FeedThrottle(IntakeThrottle):
    """Open311's public reads (up to 1000 requests an answer), per client or address."""

    scope = "open311_read"
    default_rate = "120/min"
