"""Signing test clients in past the second factor, for page tests that are about something else.

Administrator roles must pass a TOTP second factor before any page opens (docs/security.md), so
`client.force_login(admin)` alone lands every request on the enrolment page. These helpers mark the
session as having passed it, exactly as the verification page does.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from gongzhi.core.security import state


def mark_second_factor_passed(client: Client, user: User) -> None:
    session = client.session
    state.mark_second_factor_passed(session, user)
    session.save()


def force_login_verified(client: Client, user: User) -> Client:
    """force_login, second factor included."""
    client.force_login(user)
    mark_second_factor_passed(client, user)
    return client
