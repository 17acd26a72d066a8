"""The rotating QR tokens of an activity's check-in and check-out.

The organiser's phone shows a QR code of `/activities/scan/<token>/`. A token is

    a<activity id>-<mode>-<window>-<mac>        e.g.  a17-in-29123456-3f9c0e5a1b7d2c48e6a0f1b2

where mode is `in` or `out`, window = floor(unix seconds / 60) and mac = the first 24 hex digits of
HMAC-SHA256(activity.qr_secret, "<activity id>:<mode>:<window>"). A token is accepted in its own
window and the next one (60–120 s), so a photo of the code passed on to someone at home is useless
a minute or two later; the page redraws the code every 50 s, inside that margin. The secret never
leaves the server, so a token cannot be made for another activity, mode or minute.

Pure: no Django, no database; the caller passes the secret and the time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

WINDOW_SECONDS = 60
MAC_HEX = 24
_TOKEN = re.compile(r"^a(\d{1,18})-(in|out)-(\d{1,12})-([0-9a-f]{24})$")  # 24 = MAC_HEX


class Mode(StrEnum):
    IN = "in"
    OUT = "out"


class TokenError(Exception):
    """Why a token was refused: `malformed`, `forged` (wrong mac), `expired` or `wrong_activity`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class ParsedToken:
    activity_id: int
    mode: Mode
    window: int
    mac: str


def new_secret() -> str:
    return secrets.token_hex(32)


def window_of(unix_seconds: float) -> int:
    return int(unix_seconds // WINDOW_SECONDS)


def _mac(secret: str, activity_id: int, mode: Mode, window: int) -> str:
    message = f"{activity_id}:{mode.value}:{window}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:MAC_HEX]


def make_token(secret: str, activity_id: int, mode: Mode, unix_seconds: float) -> str:
    window = window_of(unix_seconds)
    return f"a{activity_id}-{mode.value}-{window}-{_mac(secret, activity_id, mode, window)}"


def parse_token(token: str) -> ParsedToken:
    """The parts of a well-formed token (not yet verified); TokenError("malformed") otherwise."""
    match = _TOKEN.match(token or "")
    if match is None:
        raise TokenError("malformed")
    return ParsedToken(int(match[1]), Mode(match[2]), int(match[3]), match[4])


def verify_token(secret: str, parsed: ParsedToken, unix_seconds: float) -> None:
    """Raises TokenError unless the mac is right and the window is the current or the previous one.

    The mac is checked first: a forged token is reported as forged whatever its window says.
    """
    expected = _mac(secret, parsed.activity_id, parsed.mode, parsed.window)
    if not hmac.compare_digest(expected, parsed.mac):
        raise TokenError("forged")
    now = window_of(unix_seconds)
    if not now - 1 <= parsed.window <= now:
        raise TokenError("expired")
