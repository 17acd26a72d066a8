"""Identity numbers as the standards define them: GB 11643 ID numbers, GB 32100 credit codes, mobiles.

python-stdnum would cover the first two, but it falsely rejects real documents: its ID check wants the
6-digit county code to exist *today* (320102 and 320124 were renamed in the 2013 Nanjing merger, yet
people born there keep their numbers for life), and its credit-code check wants a digit in the first
position (N 农业, Y 其他 are valid registration authorities). So the rules are written out here.

Every error is a DomainError with a stable code for programs and a translatable message for people.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.core.pii import normalize

# ── GB 11643 citizen ID numbers ──────────────────────────────────────────────────────────────────────

# Weight of position i (0-based) is 2^(17-i) mod 11; the remainder of the weighted sum indexes this.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level codes (incl. 71 台湾, 81 香港, 82 澳门). Only the province is checked: county
# codes change with every redistricting but an ID number, once issued, never does.
PROVINCE_CODES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23"]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82"]
)
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")


@dataclass(frozen=True, slots=True)
class IdInfo:
    number: str  # always the 18-character form
    birth_date: dt.date
    gender: str  # "M" | "F", matching people.models.Gender
    region_code: str  # the 6-digit code at the time of issue; may no longer exist


def id_check_char(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are given."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def looks_like_id_number(text: str) -> bool:
    """Shape only (18 or 15 characters of the right kind), for telling an ID from a name or phone."""
    value = normalize(text)
    return bool(_ID18.fullmatch(value) or _ID15.fullmatch(value))


def _birth_date(yyyymmdd: str, field: str) -> dt.date:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise DomainError.single(
            field, "birth_date", _("The date of birth in the ID number (%(date)s) does not exist.") % {"date": yyyymmdd}
        ) from None
    if born < _EARLIEST_BIRTH or born > timezone.localdate():
        raise DomainError.single(
            field,
            "birth_date",
            _("The date of birth in the ID number (%(date)s) is out of range.") % {"date": born.isoformat()},
        )
    return born


def validate_id_number(value: str, field: str = "id_number") -> IdInfo:
    """Checks an 18-digit (or legacy 15-digit) ID number and returns it in 18-digit form with what it says.

    Input may carry full-width digits, spaces, dashes or a lower-case x: people copy numbers from
    scanned documents and chat messages.
    """
    number = normalize(value or "")
    if not number:
        raise DomainError.single(field, "required", _("Enter the ID number."))
    if _ID15.fullmatch(number):
        # First-generation cards (before 1999): 2-digit year, no check digit. Everyone holding one
        # was born in the 1900s; the 18-digit form inserts "19" and appends the check character.
        _birth_date("19" + number[6:12], field)
        body = number[:6] + "19" + number[6:]
        number = body + id_check_char(body)
    elif len(number) != 18 or not _ID18.fullmatch(number):
        raise DomainError.single(
            field, "format", _("An ID number has 18 characters: 17 digits and a digit or X at the end.")
        )
    elif id_check_char(number[:17]) != number[17]:
        raise DomainError.single(field, "checksum", _("The ID number's check character is wrong; check for typos."))
    born = _birth_date(number[6:14], field)
    if number[:2] not in PROVINCE_CODES:
        raise DomainError.single(
            field, "region", _("The ID number does not start with a province code (%(code)s).") % {"code": number[:2]}
        )
    # The 17th digit is the sequence number: odd for men, even for women.
    gender = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, birth_date=born, gender=gender, region_code=number[:6])


# ── GB 32100 unified social credit codes and GB 11714 organisation codes ─────────────────────────────

# 31 characters: the digits and the capitals without I, O, Z, S, V (confused with 1, 0, 2, 5, U).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714: digits count as themselves, letters A–Z as 10–35."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def validate_credit_code(value: str, field: str = "credit_code") -> str:
    """Returns the normalised 18-character code.

    Layout: [1] registration authority, [2] organisation category, [3–8] county code, [9–17] the
    GB 11714 organisation code (with its own check character), [18] check character. The first two
    may be letters (N1 农村集体经济组织, Y1 其他…), so no digit is demanded there.
    """
    code = normalize(value or "")
    if not code:
        raise DomainError.single(field, "required", _("Enter the unified social credit code."))
    if len(code) == 15 and code.isdigit():
        raise DomainError.single(
            field,
            "legacy_registration_number",
            _(
                "This is an old 15-digit business registration number; "
                "enter the 18-character unified social credit code from the current licence."
            ),
        )
    if len(code) != 18:
        raise DomainError.single(
            field, "length", _("A unified social credit code has 18 characters, not %(n)d.") % {"n": len(code)}
        )
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        raise DomainError.single(
            field,
            "invalid_char",
            _("%(chars)s cannot appear in a unified social credit code (it never uses I, O, Z, S or V).")
            % {"chars": "、".join(bad)},
        )
    if not code[2:8].isdigit():
        raise DomainError.single(
            field, "region", _("Characters 3 to 8 of a unified social credit code are the county code (digits).")
        )
    if org_code_check_char(code[8:16]) != code[16]:
        raise DomainError.single(
            field, "org_code_checksum", _("The organisation code inside the credit code (characters 9 to 17) is wrong.")
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise DomainError.single(field, "checksum", _("The credit code's check character is wrong; check for typos."))
    return code


# ── Phones ────────────────────────────────────────────────────────────────────────────────────────────

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Fixed lines: 0 + a 2–3 digit area code, then 7–8 digits, with an optional extension.
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}(?:\d{1,6})?")


def _strip_country_code(value: str) -> str:
    number = normalize(value or "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix) :]
    if len(number) == 13 and number.startswith("86"):
        return number[2:]
    return number


def validate_mobile(value: str, field: str = "phone") -> str:
    """An 11-digit mainland mobile number (1[3-9]…), returned bare (no +86, no spaces)."""
    number = _strip_country_code(value)
    if not number:
        raise DomainError.single(field, "required", _("Enter the mobile number."))
    if not _MOBILE.fullmatch(number):
        raise DomainError.single(field, "format", _("A mobile number has 11 digits and starts with 13 to 19."))
    return number


def validate_phone(value: str, field: str = "phone") -> str:
    """A mobile or a fixed line with its area code (025-84567890): a unit's liaison may give either."""
    number = _strip_country_code(value)
    if not number:
        raise DomainError.single(field, "required", _("Enter the phone number."))
    if not (_MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number)):
        raise DomainError.single(
            field, "format", _("Enter a mobile number or a fixed line with its area code, such as 025-84567890.")
        )
    return number
