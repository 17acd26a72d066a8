"""Sign-in, its second factor, password changes and the user's own security page."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from gongzhi.core import actions
from gongzhi.core.access import AnyUser, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.core.security import state, totp
from gongzhi.core.security.net import client_ip
from gongzhi.core.web.forms import CodeForm, LoginForm, PasswordChangeForm, locked_message


def home_of(user: AnyUser) -> str:
    """Where a sign-in lands without a `next`: the administrators' own pages, everyone else the workbench."""
    if has_capability(user, Cap.AUDIT_VIEW):
        return reverse("audit:list")
    if has_capability(user, Cap.ACCOUNTS_MANAGE):
        return reverse("accounts:list")
    return reverse("web:home")


def _next_or_home(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return home_of(request.user)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    return user


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return home_of(self.request.user)

    def form_valid(self, form: Any) -> HttpResponse:
        user: AbstractBaseUser = form.get_user()
        self.request.session.pop(state.OTP_VERIFIED, None)
        response = super().form_valid(form)  # login(): a new session key, the old one's data kept
        self.request.session[state.LAST_ACTIVITY] = int(time.time())
        if not state.account_state(user).needs_second_factor:
            assert isinstance(user, User)  # noqa: S101
            actions.record_login(user=user, ip=client_ip(self.request), second_factor="none")
        return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's login page would skip the lock-out and the second factor: use ours.

    A signed-in user the admin turned away is not sent round in a circle: they are simply refused.
    """
    if request.user.is_authenticated:
        raise PermissionDenied
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if isinstance(request.user, User):
            actions.record_logout(user=request.user, ip=client_ip(request))
        return super().post(request, *args, **kwargs)


def _gate(request: HttpRequest) -> state.Gate | None:
    gate = getattr(request, "gongzhi_gate", None)
    return gate if gate is not None else state.gate_for(request.session, request.user)


def _signed_in(request: HttpRequest, user: User, how: str) -> HttpResponse:
    request.session.cycle_key()  # a new session key for the fully signed-in session, as login() did
    state.mark_second_factor_passed(request.session, user)
    actions.record_login(user=user, ip=client_ip(request), second_factor=how)
    if state.account_state(user).must_change_password:
        return redirect("security:password_change")
    return HttpResponseRedirect(_next_or_home(request))


@never_cache
@login_required
def totp_verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    gate = _gate(request)
    if gate == state.Gate.ENROL:
        return redirect("security:totp_setup")
    if gate != state.Gate.VERIFY:
        return HttpResponseRedirect(_next_or_home(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = actions.do_pass_second_factor(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
        if result.passed:
            return _signed_in(request, user, "totp")
        if result.locked:
            auth_logout(request)
            messages.error(request, locked_message())
            return redirect("login")
        form.add_error("code", _("The code is not correct. Check the phone's clock and try again."))
    return render(request, "core/totp_verify.html", {"form": form, "next": request.GET.get("next", "")})


@never_cache
@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator: forced for administrators at sign-in, optional for everyone else."""
    user = _user(request)
    account = state.account_state(user)
    if account.has_totp:
        messages.info(request, _("An authenticator is already enrolled for this account."))
        return redirect("security:mine")
    gated = _gate(request) == state.Gate.ENROL
    sealed = request.session.get(state.PENDING_SECRET)
    secret = totp.unseal(sealed) if isinstance(sealed, str) and sealed else ""
    if not secret:
        secret = totp.new_secret()
        request.session[state.PENDING_SECRET] = totp.seal(secret)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_enroll_totp(actor=user, secret=secret, code=form.cleaned_data["code"])
        except DomainError as exc:
            for item in exc.items:
                form.add_error("code", item.message)
        else:
            if gated:
                return _signed_in(request, user, "totp_enrolled")
            state.mark_second_factor_passed(request.session, user)
            messages.success(request, _("The authenticator is enrolled. Sign-ins will now ask for its code."))
            return redirect("security:mine")
    uri = totp.provisioning_uri(secret, user.get_username())
    context = {
        "form": form,
        "gated": gated,
        "required": account.admin_role,
        "secret": secret,
        "secret_grouped": totp.grouped(secret),
        "qr_svg": totp.qr_svg(uri),
        "next": request.GET.get("next", ""),
    }
    return render(request, "core/totp_setup.html", context)


@never_cache
@sensitive_post_parameters("old_password", "new_password", "new_password2")
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    forced = _gate(request) == state.Gate.PASSWORD
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_password(
                actor=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            for item in exc.items:
                form.add_error(item.field if item.field in form.fields else None, item.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return HttpResponseRedirect(_next_or_home(request))
    rules = password_validation.password_validators_help_texts()
    return render(request, "core/password_change.html", {"form": form, "forced": forced, "rules": rules})


@never_cache
@login_required
def my_security(request: HttpRequest) -> HttpResponse:
    """The user's own page: second factor on or off, password change."""
    user = _user(request)
    account = state.account_state(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_disable_totp(actor=user, user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            for item in exc.items:
                form.add_error("code", item.message)
        else:
            messages.success(request, _("The authenticator has been removed."))
            return redirect("security:mine")
    return render(request, "core/my_security.html", {"account": account, "form": form})
