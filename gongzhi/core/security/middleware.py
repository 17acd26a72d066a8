"""Idle sessions end; half-signed-in sessions reach only the pages that complete the sign-in."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.security import state
from gongzhi.core.security.net import client_ip

# The last-activity stamp is rewritten at most this often, so a busy session is not saved on every
# request; a session therefore ends between timeout - this and timeout after its last request.
ACTIVITY_GRANULARITY_SECONDS = 60


def idle_timeout_seconds() -> int:
    return int(getattr(settings, "GONGZHI_IDLE_TIMEOUT_MINUTES", 30)) * 60


class IdleTimeoutMiddleware:
    """Signs out a browser session that made no request for GONGZHI_IDLE_TIMEOUT_MINUTES.

    Only session logins are affected: API clients using HTTP Basic authenticate on every request
    and have no session to time out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last = request.session.get(state.LAST_ACTIVITY)
            if not isinstance(last, int):
                # A session begun elsewhere than the login page (the test client's force_login…)
                # counts from the account's last sign-in.
                last_login = getattr(user, "last_login", None)
                last = int(last_login.timestamp()) if last_login is not None else None
            if last is not None and now - last > idle_timeout_seconds():
                audit.record(
                    actor=user,
                    action="auth.idle_timeout",
                    obj=user,
                    changes={"ip": client_ip(request), "idle_seconds": now - last},
                )
                logout(request)  # flushes the session and sets request.user to AnonymousUser
                if not request.path.startswith("/api/"):
                    minutes = idle_timeout_seconds() // 60
                    messages.info(
                        request,
                        _("You were signed out after %(n)d minutes without activity. Please sign in again.")
                        % {"n": minutes},
                    )
            elif last is None or now - last >= ACTIVITY_GRANULARITY_SECONDS:
                request.session[state.LAST_ACTIVITY] = now
        return self.get_response(request)


class AccountGateMiddleware:
    """Holds a signed-in session on the second-factor or password-change page until it is done.

    Everything else — pages, the admin, the API through the session — answers with a redirect to
    that page (or 403 JSON under /api/), so a stolen password alone opens nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def always_open(self) -> frozenset[str]:
        return frozenset({reverse("login"), reverse("logout"), reverse("set_language")})

    @cached_property
    def targets(self) -> dict[state.Gate, str]:
        return {
            state.Gate.ENROL: reverse("security:totp_setup"),
            state.Gate.VERIFY: reverse("security:totp_verify"),
            state.Gate.PASSWORD: reverse("security:password_change"),
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.path in self.always_open:
            return self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        gate = state.gate_for(request.session, user)
        request.gongzhi_gate = gate  # type: ignore[attr-defined]
        if gate is None:
            return self.get_response(request)
        target = self.targets[gate]
        if request.path == target:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            item = {
                "field": "non_field_errors",
                "code": "sign_in_incomplete",
                "message": _("Complete the sign-in in the browser first."),
            }
            return JsonResponse({"errors": [item]}, status=403)
        location = target
        if request.method == "GET" and request.path not in self.targets.values():
            location = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = location
            return response
        return HttpResponseRedirect(location)
