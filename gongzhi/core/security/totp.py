"""Time-based one-time passwords (RFC 6238, 30-second steps, 6 digits), as phone authenticators make them.

The secret is stored sealed with core.pii.encrypt; each accepted code records its time step, and a
code for that step or an earlier one is refused, so an observed code cannot be used a second time.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import segno

from gongzhi.core import pii

ISSUER = "共治"
DIGITS = 6
# One step either side absorbs a phone clock that is up to 30 seconds off.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, RFC 4226's recommendation


def seal(secret: str) -> str:
    return pii.encrypt(secret)


def unseal(sealed: str) -> str:
    return pii.decrypt(sealed)


def grouped(secret: str) -> str:
    """ABCD EFGH …: easier to type into an authenticator by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code: drawn on the server, no script, no network."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2, title="TOTP"))


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def matching_step(secret: str, code: str, *, after_step: int = 0, at: float | None = None) -> int | None:
    """The time step the code belongs to, if it is valid now and newer than `after_step`."""
    code = normalize_code(code)
    if len(code) != DIGITS:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS)
    now_step = totp.timecode(time.time() if at is None else at)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
