"""Django's password check with the lock-out in front of it, for every way in: the login form,
the API's HTTP Basic authentication and anything else calling `authenticate()`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from gongzhi.core import audit
from gongzhi.core.security import lockout
from gongzhi.core.security.net import client_ip
from gongzhi.core.security.state import account_state


class LockoutModelBackend(ModelBackend):
    """Refuses locked names and addresses without looking at the password, counts failures, and
    keeps password-only logins (HTTP Basic) away from accounts that need a second factor or a new
    password: those can only sign in interactively, through the login page."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        interactive: bool = False,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_ip(request)
        if lockout.is_locked(username, ip):
            lockout.record_refused(username=username, ip=ip)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lockout.record_failure(username=username, ip=ip, reason="password")
            return None
        state = account_state(user)
        if not interactive and (state.needs_second_factor or state.must_change_password):
            audit.record(
                actor=None,
                action="auth.login_failed",
                obj=user,
                changes={"username": username, "ip": ip, "reason": "interactive_login_required"},
            )
            return None
        if not state.needs_second_factor:
            # With a second factor still to come, only a right code ends the run of failures;
            # otherwise each new password login would reset the count of wrong codes.
            lockout.record_success(username)
        return user
