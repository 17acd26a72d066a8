"""Password rules beyond Django's own validators, and the temporary passwords the security admin hands out.

Configured in AUTH_PASSWORD_VALIDATORS next to Django's length, similarity and common-password
validators, so every path that sets a password through `validate_password` applies all of them.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core.models import PasswordHistory

CLASSES: tuple[tuple[str, Any], ...] = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    ("symbol", lambda ch: not ch.isalnum() and not ch.isspace()),
)


def character_classes(password: str) -> set[str]:
    """Which of upper case, lower case, digits and symbols the password uses (Chinese characters count
    as none of them: they add length, not variety a guesser has to cover)."""
    found: set[str] = set()
    for ch in password:
        if not ch.isascii():
            continue
        for name, test in CLASSES:
            if test(ch):
                found.add(name)
    return found


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message our catalogue translates (Django 5.2's zh_Hans lacks its new wording)."""

    def get_error_message(self) -> str:
        return _("This password is too short: it must have at least %(n)d characters.") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("At least %(n)d characters.") % {"n": self.min_length}


class CharacterClassValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of: upper-case letters, lower-case letters, "
                    "digits and symbols."
                ),
                code="password_too_uniform",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("Use at least %(n)d of: upper-case letters, lower-case letters, digits and symbols.") % {
            "n": self.min_classes
        }


class PasswordHistoryValidator:
    """None of the account's last `history` passwords (the current one included) may come back.

    Django calls `password_changed` after every `set_password` + `save`, whichever code path did it
    (the app's actions, createsuperuser, the admin), so the history cannot be skipped. Only hashes
    are kept, in Django's own format.
    """

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def _recent(self, user: Any) -> list[str]:
        if user is None or getattr(user, "pk", None) is None:
            return []
        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-id")
            .values_list("password", flat=True)[: self.history]
        )
        current = getattr(user, "password", "")
        if current and current not in hashes:
            hashes.insert(0, current)
        return hashes

    def validate(self, password: str, user: Any = None) -> None:
        for encoded in self._recent(user):
            if check_password(password, encoded):
                raise ValidationError(
                    _("The password must differ from your last %(n)d passwords."),
                    code="password_reused",
                    params={"n": self.history},
                )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None or not getattr(user, "password", ""):
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).order_by("-id").values_list("id", flat=True)
        stale = list(keep[self.history :])
        if stale:
            PasswordHistory.objects.filter(id__in=stale).delete()

    def get_help_text(self) -> str:
        return _("It cannot be one of your last %(n)d passwords.") % {"n": self.history}


# No 0/O, 1/l/I: temporary passwords are read out over the phone or copied from a screen.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "@#%+=?!"


def temporary_password(length: int = 14) -> str:
    """Random, with all four character classes, for an account that must change it at first use."""
    pools = (_UPPER, _LOWER, _DIGITS, _SYMBOLS)
    chars = [secrets.choice(pool) for pool in pools]
    alphabet = "".join(pools)
    chars += [secrets.choice(alphabet) for _i in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
