"""Forms of the sign-in, the audit search and account administration; the writes are in core.actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core import selectors
from gongzhi.core.models import Role
from gongzhi.core.security import lockout
from gongzhi.core.security.net import client_ip


def locked_message() -> str:
    minutes = int(lockout.lock_duration().total_seconds() // 60)
    return gettext("Too many failed attempts: sign-in is paused for %(n)d minutes. Try again later.") % {"n": minutes}


class LoginForm(AuthenticationForm):
    """Django's form with the lock-out in front. The locked answer is the same for every name typed,
    real or not, and the password is not even checked while the lock lasts."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        ip = client_ip(self.request)
        if lockout.is_locked(username, ip):
            lockout.record_refused(username=username, ip=ip)
            raise forms.ValidationError(locked_message(), code="locked")
        self.user_cache = authenticate(self.request, username=username, password=password, interactive=True)
        if self.user_cache is None:
            if lockout.is_locked(username, ip):  # this failure was the last one allowed
                raise forms.ValidationError(locked_message(), code="locked")
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    @property
    def is_locked_error(self) -> bool:
        return any(e.code == "locked" for e in self.errors.as_data().get("__all__", []))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "pattern": r"[0-9 ]*"}
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", gettext("The two new passwords differ."))
        return data


SOURCES = [("", _("Any")), ("web", "web"), ("api", "api"), ("cli", "cli"), ("task", "task")]
DATETIME_INPUT = {"type": "datetime-local"}


class AuditSearchForm(forms.Form):
    since = forms.DateTimeField(
        label=_("From"), required=False, widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format="%Y-%m-%dT%H:%M")
    )
    until = forms.DateTimeField(
        label=_("Until"), required=False, widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format="%Y-%m-%dT%H:%M")
    )
    actor = forms.CharField(label=_("Actor (user name)"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "auth.login / auth.*", "list": "audit-actions"}),
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "auth.user"}),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=64)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=SOURCES)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, datetime) and isinstance(until, datetime) and until <= since:
            self.add_error("until", gettext("The end must come after the start."))
        return data

    def to_filter(self) -> selectors.AuditFilter:
        d = self.cleaned_data
        return selectors.AuditFilter(
            since=d.get("since"),
            until=d.get("until"),
            actor=(d.get("actor") or "").strip(),
            action=(d.get("action") or "").strip(),
            object_type=(d.get("object_type") or "").strip(),
            object_id=(d.get("object_id") or "").strip(),
            request_id=(d.get("request_id") or "").strip(),
            source=d.get("source") or "",
        )


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("User name or name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any")), *Role.choices])


class AccountCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    region = forms.CharField(
        label=_("Region code"), required=False, max_length=15, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    department = forms.IntegerField(label=_("Department id"), required=False, min_value=1)
    title = forms.CharField(label=_("Post"), required=False, max_length=40)
