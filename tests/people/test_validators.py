"""ID numbers (GB 11643), credit codes (GB 32100 + GB 11714) and mobiles, with the edge cases offices meet.

Expected check characters come from three places that do not share code with the validators: the
standards' own examples and real published credit codes, an independent formulation of each
checksum written below (ISO 7064 in Horner form; weights computed as powers), and hand derivations
in comments.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from gongzhi.core.errors import DomainError
from gongzhi.people.validators import (
    id_check_char,
    org_code_check_char,
    uscc_check_char,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
    validate_phone,
)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# ── independent reference implementations ─────────────────────────────────────────────────────────


def reference_id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: Σ a_i·2^(18-i) + check ≡ 1 (mod 11), the sum taken by Horner's rule."""
    horner = 0
    for digit in first17:
        horner = (horner * 2 + int(digit)) % 11
    value = (1 - 2 * horner) % 11
    return "X" if value == 10 else str(value)


def reference_uscc_check(first17: str) -> str:
    """GB 32100: weights are 3^i mod 31; the check makes the weighted sum ≡ 0 (mod 31)."""
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_CHARS[-total % 31]


def reference_org_check(first8: str) -> str:
    """GB 11714: weights are 2^(8-i) mod 11 (3 7 9 10 5 8 4 2); letters count A=10 … Z=35."""
    total = sum(int(c, 36) * pow(2, 8 - i, 11) for i, c in enumerate(first8))
    value = -total % 11
    return "X" if value == 10 else str(value)


def build_id(region: str, born: str, sequence: str) -> str:
    body = region + born + sequence
    return body + reference_id_check(body)


def build_uscc(prefix: str, region: str, org_body: str) -> str:
    body = prefix + region + org_body + reference_org_check(org_body)
    return body + reference_uscc_check(body)


def refused(call: object, code: str) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.items[0].code == code, info.value.items
    return info.value


# ── the checksum functions against the references ─────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        # GB 11643's own example. By hand: digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 × weights
        # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167;
        # 167 mod 11 = 2 → "10X98765432"[2] = X.
        ("11010519491231002", "X"),
        # By hand: 3 2 0 1 2 4 1 9 8 5 0 7 1 5 0 0 1 → 21+18+0+5+16+16+2+9+48+15+0+63+10+25+0+0+2
        # = 250; 250 mod 11 = 8 → "4".
        ("32012419850715001", "4"),
        ("44052418800101001", "4"),  # the standard's other example, 440524188001010014
    ],
)
def test_id_check_char_matches_the_standard_and_hand_derivations(first17: str, expected: str) -> None:
    assert id_check_char(first17) == expected
    assert reference_id_check(first17) == expected


def test_id_check_char_agrees_with_the_reference_on_many_bodies() -> None:
    bodies = [f"{320113 + i % 7:06d}{1950 + i % 70}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}" for i in range(2000)]
    assert all(id_check_char(b) == reference_id_check(b) for b in bodies)


@pytest.mark.parametrize(
    "code",
    # Real published codes: the organisation code and the final check both hold.
    ["91110000600037341L", "91330100799655058B", "9144030071526726XG", "914403001922038216"],
)
def test_real_credit_codes_pass_both_checks(code: str) -> None:
    assert org_code_check_char(code[8:16]) == code[16] == reference_org_check(code[8:16])
    assert uscc_check_char(code[:17]) == code[17] == reference_uscc_check(code[:17])
    assert validate_credit_code(code) == code


def test_credit_code_hand_derivation() -> None:
    # Organisation code 12345678: 1·3+2·7+3·9+4·10+5·5+6·8+7·4+8·2 = 201; 201 mod 11 = 3; 11-3 = 8.
    assert org_code_check_char("12345678") == "8"
    # N2 320113 12345678 8: values N=22,2,3,2,0,1,1,3,1,2,3,4,5,6,7,8,8 × weights 1 3 9 27 19 26 16 17
    # 20 29 25 13 8 24 10 30 28 = 1125; 1125 mod 31 = 9; 31-9 = 22 → "N".
    assert uscc_check_char("N2320113123456788") == "N"
    assert validate_credit_code("N2320113123456788N") == "N2320113123456788N"


def test_uscc_check_agrees_with_the_reference_on_many_bodies() -> None:
    bodies = [
        f"{USCC_CHARS[i % 31]}{USCC_CHARS[(i * 7) % 31]}{320100 + i % 99:06d}{USCC_CHARS[(i * 3) % 31]}{i:07d}X"
        for i in range(2000)
    ]
    assert all(uscc_check_char(b) == reference_uscc_check(b) for b in bodies)
    assert all(org_code_check_char(b[8:16]) == reference_org_check(b[8:16]) for b in bodies)


# ── ID numbers ────────────────────────────────────────────────────────────────────────────────────


def test_a_valid_id_gives_birth_date_gender_and_region() -> None:
    info = validate_id_number("320124198507150014")

    assert info.number == "320124198507150014"
    assert info.birth_date == dt.date(1985, 7, 15)
    assert info.gender == "M"  # 17th digit 1 is odd
    assert info.region_code == "320124"


def test_checksum_x_in_upper_and_lower_case() -> None:
    upper = validate_id_number("11010519491231002X")
    lower = validate_id_number("11010519491231002x")

    assert upper.number == lower.number == "11010519491231002X"
    assert upper.gender == "F"  # 17th digit 2 is even


@pytest.mark.parametrize(
    "region",
    [
        "320124",  # 溧水县, since 2013 溧水区 320117
        "320103",  # 白下区, merged into 秦淮区 in 2013
        "320107",  # 下关区, merged into 鼓楼区 in 2013
        "320122",  # 江浦县, part of 浦口区 since 2002
    ],
)
def test_region_codes_that_no_longer_exist_are_accepted(region: str) -> None:
    number = build_id(region, "19790412", "023")

    assert validate_id_number(number).region_code == region


def test_a_15_digit_id_is_upgraded_to_18() -> None:
    info = validate_id_number("320113850715001")

    assert info.number == build_id("320113", "19850715", "001")
    assert info.birth_date == dt.date(1985, 7, 15)
    assert info.gender == "M"


def test_full_width_digits_and_x_are_folded() -> None:
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"


@pytest.mark.parametrize(
    "typed", ["320124 19850715 0014", "320124-19850715-0014", " 3201 2419 8507 1500 14 ", "320124\u300019850715\t0014"]
)
def test_spaces_and_dashes_are_ignored(typed: str) -> None:
    assert validate_id_number(typed).number == "320124198507150014"


def test_feb_29_in_a_leap_year_is_a_birthday() -> None:
    assert validate_id_number(build_id("320113", "20000229", "012")).birth_date == dt.date(2000, 2, 29)
    assert validate_id_number(build_id("320113", "20080229", "012")).birth_date == dt.date(2008, 2, 29)


@pytest.mark.parametrize("born", ["20230229", "19000229", "19851301", "19850732", "19850000"])
def test_dates_that_do_not_exist_are_refused(born: str) -> None:
    # 1900 and 2023 are not leap years (1900 is divisible by 100 but not by 400).
    refused(lambda: validate_id_number(build_id("320113", born, "012")), "birth_date")


def test_a_future_birth_date_is_refused() -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused(lambda: validate_id_number(build_id("320113", f"{tomorrow:%Y%m%d}", "012")), "birth_date")


def test_a_birth_date_before_1900_is_refused() -> None:
    # The standard's own example holder was born in 1880: valid checksum, but no living resident.
    refused(lambda: validate_id_number("440524188001010014"), "birth_date")


def test_a_wrong_checksum_is_refused_with_a_chinese_message() -> None:
    with translation.override("zh-hans"):
        error = refused(lambda: validate_id_number("320124198507150015"), "checksum")

    assert error.items[0].field == "id_number"
    assert "校验位" in error.items[0].message


@pytest.mark.parametrize("region", ["990101", "100101", "200101", "390101", "720101", "830101"])
def test_a_number_without_a_province_code_is_refused(region: str) -> None:
    refused(lambda: validate_id_number(build_id(region, "19850715", "001")), "region")


@pytest.mark.parametrize(
    "typed", ["32012419850715001", "3201241985071500145", "32012419850715001A", "X20124198507150014", "张三"]
)
def test_wrong_shapes_are_refused(typed: str) -> None:
    refused(lambda: validate_id_number(typed), "format")


def test_an_empty_id_is_required() -> None:
    refused(lambda: validate_id_number("  "), "required")


def test_a_15_digit_id_with_an_impossible_date_is_refused() -> None:
    refused(lambda: validate_id_number("320113850230001"), "birth_date")


# ── credit codes ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("prefix", "meaning"),
    [
        ("91", "企业"),
        ("92", "个体工商户"),
        ("93", "农民专业合作社"),
        ("11", "机关"),
        ("12", "事业单位"),
        ("51", "社会团体"),
        ("52", "民办非企业单位"),
        ("N2", "村级集体经济组织"),
        ("N3", "乡镇级集体经济组织"),
        ("Y1", "其他"),
    ],
)
def test_codes_with_digit_or_letter_prefixes_are_accepted(prefix: str, meaning: str) -> None:
    code = build_uscc(prefix, "320113", "MA1W2X3Y")

    assert validate_credit_code(code) == code, meaning


def test_lower_case_and_spaced_input_is_normalised() -> None:
    assert validate_credit_code(" 9144 0300 7152 6726 xg ") == "9144030071526726XG"


def test_full_width_input_is_normalised() -> None:
    assert validate_credit_code("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


def test_a_wrong_check_char_is_refused() -> None:
    refused(lambda: validate_credit_code("91110000600037341M"), "checksum")


def test_a_wrong_organisation_code_is_refused() -> None:
    # Change the organisation code's check digit and recompute the final check: only GB 11714 fails.
    body = "91110000600037342"
    refused(lambda: validate_credit_code(body + reference_uscc_check(body)), "org_code_checksum")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_the_standard_leaves_out_are_refused(letter: str) -> None:
    error = refused(lambda: validate_credit_code(f"91320113MA1{letter}2X3Y01"), "invalid_char")

    assert letter in error.items[0].message


def test_a_15_digit_registration_number_gets_a_clear_message() -> None:
    with translation.override("zh-hans"):
        error = refused(lambda: validate_credit_code("320113000123456"), "legacy_registration_number")

    assert "15 位工商注册号" in error.items[0].message


def test_letters_in_the_county_code_are_refused() -> None:
    refused(lambda: validate_credit_code(build_uscc("91", "32A113", "MA1W2X3Y")), "region")


@pytest.mark.parametrize(("typed", "code"), [("", "required"), ("9111000060003734", "length")])
def test_empty_and_short_codes_are_refused(typed: str, code: str) -> None:
    refused(lambda: validate_credit_code(typed), code)


# ── phones ────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "typed", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "008613800138000", "8613800138000"]
)
def test_mobiles_are_normalised(typed: str) -> None:
    assert validate_mobile(typed) == "13800138000"


@pytest.mark.parametrize("typed", ["12800138000", "1380013800", "138001380001", "02584567890", "1380013800a"])
def test_bad_mobiles_are_refused(typed: str) -> None:
    refused(lambda: validate_mobile(typed), "format")


def test_full_width_mobile_digits_are_folded() -> None:
    assert validate_mobile("１９９１２３４５６７８") == "19912345678"


@pytest.mark.parametrize(("typed", "stored"), [("025-84567890", "02584567890"), ("13912345678", "13912345678")])
def test_a_liaison_phone_may_be_a_fixed_line(typed: str, stored: str) -> None:
    assert validate_phone(typed) == stored


def test_a_short_number_is_not_a_phone() -> None:
    refused(lambda: validate_phone("84567890"), "format")
