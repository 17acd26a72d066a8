"""Numbers typed into free text (a report's title and description): mobiles and ID numbers masked as
everywhere else, every other number left exactly as written."""

from __future__ import annotations

import pytest

from gongzhi.core.pii import redact_free_text

MASKED = [
    # mobiles, as residents write them
    ("请联系我13912345678", "请联系我139****5678"),
    ("电话：13912345678，谢谢", "电话：139****5678，谢谢"),
    ("13912345678", "139****5678"),
    ("手机 139 1234 5678 白天打", "手机 139****5678 白天打"),
    ("手机139-1234-5678", "手机139****5678"),
    ("手机 139 12345678", "手机 139****5678"),
    ("联系人王先生18651234567/15951234567", "联系人王先生186****4567/159****4567"),
    ("有事打19912345678、17712345678", "有事打199****5678、177****5678"),
    ("tel:13912345678.", "tel:139****5678."),
    ("call13912345678now", "call139****5678now"),
    ("+86 13912345678", "+86 139****5678"),
    ("+8613912345678", "+86139****5678"),
    ("0086-139-1234-5678", "0086-139****5678"),
    # full-width, as a Chinese IME types them: the number comes out in the usual (half-width) mask
    ("请联系我１３９１２３４５６７８。", "请联系我139****5678。"),
    ("电话１３９－１２３４－５６７８", "电话139****5678"),
    ("电话１３９\u3000１２３４\u3000５６７８", "电话139****5678"),
    # ID numbers: 18 digits (last one a digit or X), old 15-digit ones, and the usual groupings
    ("身份证320113199001011234", "身份证320113********1234"),
    ("身份证号：11010519491231002X。", "身份证号：110105********002X。"),
    ("身份证号11010519491231002x", "身份证号110105********002X"),
    ("身份证３２０１１３１９９００１０１１２３ｘ", "身份证320113********123X"),
    ("身份证 320113 19900101 1234", "身份证 320113********1234"),
    ("身份证 3201 1319 9001 0112 34", "身份证 320113********1234"),
    ("老身份证320113850101021还能用吗", "老身份证320113*****1021还能用吗"),
    # both in one report, and the rest of the text untouched
    (
        "我叫张三，身份证320113199001011234，电话13912345678，住5栋1302室。",
        "我叫张三，身份证320113********1234，电话139****5678，住5栋1302室。",
    ),
]

UNTOUCHED = [
    "工单号26112112345678已受理",  # a ticket number: 14 digits
    "参考工单 26112112345678，同一问题",
    "2024年3月5日晚上十点",
    "2024-03-05 22:00",
    "20240305",
    "拖欠工资12000元",
    "罚款1234567.50元",
    "金额0.13912345678元",  # a decimal is an amount, whatever its digits
    "5栋1302室",
    "尧化门新村12幢3单元501",
    "座机025-84561234转8001",
    "025-84561234",
    "02584561234",  # a landline written without its dash starts with 0
    "84561234",
    "12345678901",  # eleven digits, but no mobile starts 12
    "1391234567",  # ten digits
    "139123456789",  # twelve
    "10086",
    "12345",
    "订单号123456789012345678",  # eighteen digits, but no birth date where an ID number has one
    "快递单号773012345678901",  # fifteen, likewise
    "银行卡6222021234567890123",  # nineteen
    "车牌苏A12345",
    "139****5678",  # already masked
    "320113********1234",
    "",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_mobiles_and_id_numbers_are_masked(text: str, expected: str) -> None:
    assert redact_free_text(text) == expected


@pytest.mark.parametrize("text", UNTOUCHED)
def test_every_other_number_is_left_as_written(text: str) -> None:
    assert redact_free_text(text) == text


def test_masking_twice_is_masking_once() -> None:
    for text, expected in MASKED:
        assert redact_free_text(expected) == expected, text


def test_full_width_text_around_a_number_keeps_its_own_characters() -> None:
    # given a report in full-width punctuation with full-width digits that are not a phone
    text = "（第１２幢）请联系：１３９１２３４５６７８！"
    # then only the mobile changes: the brackets, colon and the building number stay full-width
    assert redact_free_text(text) == "（第１２幢）请联系：139****5678！"
