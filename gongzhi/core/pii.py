"""Personal data at rest: AES-GCM ciphertext, an HMAC digest to find it, and the masked form to show.

Keys come from the environment (`GONGZHI_PII_KEY`: 32 random bytes, base64). Development and the
demo generate one on first use and keep it in `$GONGZHI_HOME/pii.key`; production refuses to start
without the variable. The digest key is derived from the same secret so one value rotates both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"
NONCE_BYTES = 12


@dataclass(frozen=True, slots=True)
class Keys:
    encryption: bytes
    digest: bytes


def _load_secret() -> bytes:
    raw = os.environ.get("GONGZHI_PII_KEY", "")
    if raw:
        secret = base64.b64decode(raw)
    elif getattr(settings, "GONGZHI_PII_KEY_AUTOCREATE", False):
        path = Path(settings.GONGZHI_HOME) / "pii.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
            path.chmod(0o600)
        secret = base64.b64decode(path.read_text().strip())
    else:
        raise ImproperlyConfigured("GONGZHI_PII_KEY must be set (32 random bytes, base64)")
    if len(secret) != 32:
        raise ImproperlyConfigured("GONGZHI_PII_KEY must decode to exactly 32 bytes")
    return secret


@lru_cache(maxsize=1)
def keys() -> Keys:
    secret = _load_secret()

    def derive(label: bytes) -> bytes:
        return hmac.new(secret, label, hashlib.sha256).digest()

    return Keys(encryption=derive(b"gongzhi-pii-encryption"), digest=derive(b"gongzhi-pii-digest"))


def normalize(value: str) -> str:
    """Full-width digits and letters folded, spaces and dashes dropped, letters upper-cased."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-—").upper()


def encrypt(value: str) -> str:
    if not value:
        return ""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(keys().encryption).encrypt(nonce, value.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("unknown ciphertext version")
    blob = base64.b64decode(token[len(PREFIX) :])
    return AESGCM(keys().encryption).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], None).decode()


def digest(value: str) -> str:
    """Keyed hash of the normalised value: equal inputs meet, and a leaked table reveals nothing."""
    if not value:
        return ""
    return hmac.new(keys().digest, normalize(value).encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    value = normalize(value)
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    value = normalize(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧**娜: the surname and, for long names, the last character."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


@dataclass(frozen=True, slots=True)
class Sealed:
    ciphertext: str
    digest: str
    masked: str


def seal_id_number(value: str) -> Sealed:
    value = normalize(value)
    return Sealed(encrypt(value), digest(value), mask_id_number(value))


def seal_phone(value: str) -> Sealed:
    value = normalize(value)
    return Sealed(encrypt(value), digest(value), mask_phone(value))


# ── numbers typed into free text ──────────────────────────────────────────────────────────────────

# Full-width digits, X, dashes and spaces as a Chinese IME types them, folded one character to one so
# that a match's position in the folded copy is its position in the text as written. Only these are
# folded: NFKC over the whole text would also rewrite the resident's punctuation (，→ ,), which is not
# ours to change.
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "Ｘ": "X",
        "ｘ": "x",
        "－": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "\u3000": " ",
        "\u00a0": " ",
    }
)
# A number starts and ends where a digit run does: never inside a longer run (a 14-digit ticket number,
# a bank card) nor a decimal (an amount).
_START = r"(?<![0-9])(?<![0-9]\.)"
_END = r"(?![0-9])(?!\.[0-9])"
_FREE_TEXT_NUMBER = re.compile(
    _START
    + r"""(?:
        (?P<id>
            [0-9]{17}[0-9Xx]
          | [0-9]{6}(?P<s6>[ -])[0-9]{8}(?P=s6)[0-9]{3}[0-9Xx]
          | [0-9]{4}(?P<s4>[ -])[0-9]{4}(?P=s4)[0-9]{4}(?P=s4)[0-9]{4}(?P=s4)[0-9][0-9Xx]
          | [0-9]{15}
        )
      | (?:(?:\+|00)?86[ -]?)?
        (?P<mobile>1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4})
    )"""
    + _END,
    re.VERBOSE,
)


def _looks_like_id_number(value: str) -> bool:
    """An area code that starts 1–9 and a real month and day where the birth date sits.

    Order and tracking numbers of the same length rarely pass, so a clerk still reads them as typed.
    The check digit is not tested: a resident's mistyped ID number is still theirs.
    """
    if len(value) == 18:
        year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
        plausible_year = 1900 <= year <= 2099
    else:
        month, day = int(value[8:10]), int(value[10:12])
        plausible_year = True
    return value[0] != "0" and plausible_year and 1 <= month <= 12 and 1 <= day <= 31


def redact_free_text(text: str) -> str:
    """Mobile and ID numbers typed into a report, masked as everywhere else (139****5678).

    Mainland mobiles (1[3-9] and nine digits, also grouped 3-4-4 with spaces or hyphens, after an
    optional +86); 18-digit ID numbers (also grouped 6-8-4 or 4-4-4-4-2) and 15-digit old ones. Shorter runs
    (landlines, extensions, dates, amounts, house numbers) and longer ones (ticket numbers) stay.
    """
    if not text:
        return text
    folded = text.translate(_FOLD)
    out: list[str] = []
    kept = 0
    for match in _FREE_TEXT_NUMBER.finditer(folded):
        if match.group("id") is not None:
            start, end = match.span("id")
            compact = normalize(folded[start:end])
            if not _looks_like_id_number(compact):
                continue
            masked = mask_id_number(compact)
        else:
            start, end = match.span("mobile")
            masked = mask_phone(folded[start:end])
        out.append(text[kept:start])
        out.append(masked)
        kept = end
    out.append(text[kept:])
    return "".join(out)
