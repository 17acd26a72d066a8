"""What a signed-in session still owes before it may use the app: a second factor, a new password.

The session stores which user passed the second factor, so nothing carries over to another account;
Django's login() rotates the session key and logout() flushes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from gongzhi.core.capabilities import ADMIN_ROLES
from gongzhi.core.models import Membership, UserSecurity

OTP_VERIFIED = "gz_otp_verified"  # pk of the user whose second factor this session checked
LAST_ACTIVITY = "gz_last_activity"  # epoch seconds of the last request, for the idle timeout
PENDING_SECRET = "gz_totp_pending"  # noqa: S105 - a session key: the sealed secret offered for enrolment


@dataclass(frozen=True, slots=True)
class AccountState:
    admin_role: bool  # the three administrators must use a second factor
    has_totp: bool
    must_change_password: bool

    @property
    def needs_second_factor(self) -> bool:
        return self.admin_role or self.has_totp


NO_STATE = AccountState(admin_role=False, has_totp=False, must_change_password=False)


def account_state(user: Any) -> AccountState:
    """One query for all three facts; asked on every request of a signed-in session."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_STATE
    security = UserSecurity.objects.filter(user=OuterRef("pk"))
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            gz_admin=Exists(Membership.objects.filter(user=OuterRef("pk"), role__in=list(ADMIN_ROLES))),
            gz_totp=Exists(security.filter(totp_confirmed_at__isnull=False).exclude(totp_secret="")),
            gz_must_change=Exists(security.filter(must_change_password=True)),
        )
        .values("gz_admin", "gz_totp", "gz_must_change")
        .first()
    )
    if row is None:
        return NO_STATE
    return AccountState(
        admin_role=bool(row["gz_admin"]),
        has_totp=bool(row["gz_totp"]),
        must_change_password=bool(row["gz_must_change"]),
    )


class Gate(StrEnum):
    ENROL = "enrol"  # an administrator without an authenticator must add one
    VERIFY = "verify"  # the session has not yet passed the second factor
    PASSWORD = "password"  # noqa: S105 - the password was set by someone else and must be changed


def second_factor_passed(session: Any, user: Any) -> bool:
    return session.get(OTP_VERIFIED) == user.pk


def gate_for(session: Any, user: Any, state: AccountState | None = None) -> Gate | None:
    state = state if state is not None else account_state(user)
    if state.needs_second_factor and not second_factor_passed(session, user):
        return Gate.VERIFY if state.has_totp else Gate.ENROL
    if state.must_change_password:
        return Gate.PASSWORD
    return None


def mark_second_factor_passed(session: Any, user: Any) -> None:
    session[OTP_VERIFIED] = user.pk
    session.pop(PENDING_SECRET, None)
