"""Password rules: length, character classes, similarity, common passwords, history; forced changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gongzhi.core import actions
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEvent, PasswordHistory, UserSecurity
from gongzhi.core.security.passwords import CharacterClassValidator, character_classes, temporary_password
from tests.web.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db

GOOD = "Qixia#Grid2026"


def errors(password: str, user: User | None = None) -> list[str]:
    with translation.override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return list(exc.messages)
    return []


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefghij", {"lower"}),
        ("ABCdef1234", {"upper", "lower", "digit"}),
        ("abc-def_123", {"lower", "symbol", "digit"}),
        ("Ab1!", {"upper", "lower", "digit", "symbol"}),
        ("网格员密码很长很长", set()),
        ("ab cd", {"lower"}),  # a space is not a symbol
    ],
)
def test_character_classes(password: str, classes: set[str]) -> None:
    assert character_classes(password) == classes


def test_a_good_password_passes(db: None) -> None:
    assert errors(GOOD, User(username="zhangwei")) == []


def test_too_short_is_refused_in_chinese() -> None:
    assert "密码太短，至少需要 10 个字符。" in errors("Ab1!xyz")


@pytest.mark.parametrize("password", ["abcdefghijk", "abcdefgh1234", "ABCDEFGH!!!!", "qwertyuiop"])
def test_fewer_than_three_classes_are_refused_in_chinese(password: str) -> None:
    assert "密码须至少包含大写字母、小写字母、数字、符号中的 3 类。" in errors(password)


def test_three_classes_of_four_are_enough() -> None:
    CharacterClassValidator(min_classes=3).validate("lowerUPPER123")
    CharacterClassValidator(min_classes=3).validate("lower-upper-123")


def test_like_the_user_name_is_refused(db: None) -> None:
    user = User(username="zhangweiming", first_name="Zhang")

    assert any("相似" in m for m in errors("Zhangweiming1", user))


def test_a_common_password_is_refused() -> None:
    assert any("常见" in m for m in errors("Password123"))


def test_none_of_the_last_five_passwords_come_back(db: None) -> None:
    user = make_user("wang")
    history = [f"Wang#{i}-Grid2026" for i in range(6)]
    current = PASSWORD
    for password in history:
        actions.do_change_password(actor=user, old_password=current, new_password=password)
        current = password

    # the current one and the four before it are refused; the sixth back is allowed again
    for password in history[1:]:
        assert any("最近 5 次" in m for m in errors(password, user)), password
    assert errors(history[0], user) == []
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert all(h.password.startswith(("md5$", "pbkdf2")) for h in PasswordHistory.objects.all())  # hashes only


def test_history_covers_the_current_password_of_an_account_made_before_history(db: None) -> None:
    user = make_user("old")
    PasswordHistory.objects.filter(user=user).delete()

    assert any("最近 5 次" in m for m in errors(PASSWORD, user))


def test_temporary_passwords_pass_every_rule(db: None) -> None:
    user = User(username="someone")
    for _ in range(50):
        password = temporary_password()
        assert len(password) == 14 and errors(password, user) == []
        assert not set(password) & set("0O1lI")


# ---------------------------------------------------------------- changing one's password


def test_change_needs_the_current_password(db: None) -> None:
    user = make_user("wang")

    with pytest.raises(DomainError) as info:
        actions.do_change_password(actor=user, old_password="not-it", new_password=GOOD)

    assert info.value.items[0].field == "old_password"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_change_applies_the_rules(db: None) -> None:
    user = make_user("wang")

    with pytest.raises(DomainError) as info:
        actions.do_change_password(actor=user, old_password=PASSWORD, new_password="short")

    assert {i.field for i in info.value.items} == {"new_password"}
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_the_change_page(client: Client, db: None) -> None:
    user = make_user("wang")
    client.force_login(user)
    url = reverse("security:password_change")

    mismatch = client.post(url, {"old_password": PASSWORD, "new_password": GOOD, "new_password2": GOOD + "x"})
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    weak = client.post(url, {"old_password": PASSWORD, "new_password": "abcdefghijk", "new_password2": "abcdefghijk"})
    assert "3 类" in weak.content.decode()
    wrong_old = client.post(url, {"old_password": "nope", "new_password": GOOD, "new_password2": GOOD})
    assert "当前密码不正确" in wrong_old.content.decode()

    response = client.post(url, {"old_password": PASSWORD, "new_password": GOOD, "new_password2": GOOD})

    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 200  # the session survives its own change
    user.refresh_from_db()
    assert user.check_password(GOOD)
    event = AuditEvent.objects.get(action="user.password_change")
    assert GOOD not in repr(event.changes) and PASSWORD not in repr(event.changes)


def test_a_reset_password_must_be_changed_at_the_next_sign_in(client: Client, db: None) -> None:
    user = make_user("wang")
    temporary = actions.do_reset_password(actor=None, user=user)

    client.post(reverse("login"), {"username": "wang", "password": temporary})

    home = client.get(reverse("web:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("security:password_change"))
    page = client.get(reverse("security:password_change")).content.decode()
    assert "您的密码由管理员设置" in page
    client.post(
        reverse("security:password_change"),
        {"old_password": temporary, "new_password": GOOD, "new_password2": GOOD},
    )
    assert client.get(reverse("web:home")).status_code == 200
    assert not UserSecurity.objects.get(user=user).must_change_password
    assert AuditEvent.objects.get(action="user.password_change").changes == {"was_required": True}
