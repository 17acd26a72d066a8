"""What the points pages share: turning form and domain errors into messages on the next page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from gongzhi.core.errors import DomainError


def form_errors(request: HttpRequest, form: forms.BaseForm) -> None:
    for field_errors in form.errors.values():
        for error in field_errors:
            messages.error(request, str(error))


def domain_errors(request: HttpRequest, error: DomainError) -> None:
    for entry in error.items:
        messages.error(request, entry.message)
