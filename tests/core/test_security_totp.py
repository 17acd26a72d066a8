"""The TOTP second factor: required for the three administrators, optional for everyone else."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from gongzhi.core import actions
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEvent, LoginThrottle, Role, UserSecurity
from gongzhi.core.security import state, totp
from tests.conftest import SmallTree
from tests.web.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SETUP = "/accounts/second-factor/setup/"
VERIFY = "/accounts/second-factor/"


def sign_in(client: Client, username: str, password: str = PASSWORD) -> str:
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def secret_on_page(html: str) -> str:
    found = re.search(r'data-secret="([A-Z2-7]+)"', html)
    assert found, "no secret on the page"
    return found.group(1)


def next_code(secret: str) -> str:
    """The code of the coming 30-second step: valid now (clock drift) and never used before."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def enrolled(user: User) -> str:
    secret = totp.new_secret()
    actions.do_enroll_totp(actor=user, secret=secret, code=pyotp.TOTP(secret).now())
    return secret


@pytest.fixture
def auditor(db: None) -> User:
    return make_user("auditor", Role.AUDIT_ADMIN)


# ---------------------------------------------------------------- required for administrators


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_an_administrator_without_an_authenticator_is_sent_to_enrol(client: Client, role: str) -> None:
    make_user("admin1", role)

    sign_in(client, "admin1")

    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert not AuditEvent.objects.filter(action="auth.login").exists()  # not signed in yet


@pytest.mark.parametrize(
    "path", ["/", "/regions/", "/audit/", "/accounts/manage/", "/accounts/security/", "/admin/", VERIFY]
)
def test_nothing_else_opens_before_enrolment(client: Client, auditor: User, path: str) -> None:
    sign_in(client, "auditor")

    response = client.get(path)

    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_the_api_answers_403_through_a_half_signed_in_session(client: Client, auditor: User) -> None:
    sign_in(client, "auditor")

    response = client.get("/api/v1/regions/")

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "sign_in_incomplete"


def test_htmx_requests_are_redirected_by_header(client: Client, auditor: User) -> None:
    sign_in(client, "auditor")

    response = client.get("/regions/", HTTP_HX_REQUEST="true")

    assert response.status_code == 204 and response["HX-Redirect"].startswith(SETUP)


def test_logout_and_language_switch_stay_open(client: Client, auditor: User) -> None:
    sign_in(client, "auditor")

    assert client.post(reverse("set_language"), {"language": "en", "next": SETUP}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_enrolment_page_shows_the_secret_as_text_and_qr(client: Client, auditor: User) -> None:
    sign_in(client, "auditor")

    html = client.get(SETUP).content.decode()

    secret = secret_on_page(html)
    assert len(secret) == 32
    assert totp.grouped(secret) in html
    assert "<svg" in html and 'class="segno"' in html
    assert "管理员账号必须使用双因素认证" in html
    # the same secret on reload, until confirmed; sealed in the session, never in clear
    assert secret_on_page(client.get(SETUP).content.decode()) == secret
    assert secret not in str(dict(client.session.items()))


def test_a_wrong_code_does_not_enrol(client: Client, auditor: User) -> None:
    sign_in(client, "auditor")
    secret = secret_on_page(client.get(SETUP).content.decode())
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert not UserSecurity.objects.filter(user=auditor, totp_confirmed_at__isnull=False).exists()
    assert client.get("/audit/").status_code == 302


def test_enrolment_completes_the_sign_in(client: Client, auditor: User) -> None:
    sign_in(client, "auditor")
    secret = secret_on_page(client.get(SETUP).content.decode())

    response = client.post(SETUP, {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 302 and response["Location"] == reverse("audit:list")
    assert client.get("/audit/").status_code == 200
    security = UserSecurity.objects.get(user=auditor)
    assert security.has_totp and security.totp_secret.startswith("v1:")
    assert totp.unseal(security.totp_secret) == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM core_usersecurity")
        assert secret not in str(cursor.fetchall())  # encrypted at rest
    assert [e.action for e in AuditEvent.objects.filter(actor=auditor).order_by("id")] == [
        "user.totp_enroll",
        "auth.login",
    ]
    assert AuditEvent.objects.get(action="auth.login").changes["second_factor"] == "totp_enrolled"


def test_enrolment_keeps_the_page_asked_for(client: Client, auditor: User) -> None:
    sign_in(client, "auditor")
    target = client.get("/audit/?action=auth.login")["Location"]
    secret = secret_on_page(client.get(target).content.decode())
    next_url = target.split("next=", 1)[1]

    response = client.post(target, {"code": pyotp.TOTP(secret).now(), "next": "/audit/?action=auth.login"})

    assert next_url and response["Location"] == "/audit/?action=auth.login"


def test_next_is_not_an_open_redirect(client: Client, auditor: User) -> None:
    sign_in(client, "auditor")
    secret = secret_on_page(client.get(SETUP).content.decode())

    response = client.post(SETUP, {"code": pyotp.TOTP(secret).now(), "next": "https://evil.example/"})

    assert response["Location"] == reverse("audit:list")


# ---------------------------------------------------------------- verification at each sign-in


def test_an_enrolled_user_must_enter_a_code_at_sign_in(client: Client, auditor: User) -> None:
    enrolled(auditor)

    sign_in(client, "auditor")

    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # no re-enrolling around it


def test_the_right_code_completes_the_sign_in(client: Client, auditor: User) -> None:
    secret = enrolled(auditor)
    sign_in(client, "auditor")

    response = client.post(VERIFY, {"code": next_code(secret)})

    assert response.status_code == 302 and response["Location"] == reverse("audit:list")
    assert client.get("/audit/").status_code == 200
    assert client.session[state.OTP_VERIFIED] == auditor.pk
    assert AuditEvent.objects.get(action="auth.login").changes["second_factor"] == "totp"


def test_a_wrong_code_is_refused_and_counted(client: Client, auditor: User) -> None:
    secret = enrolled(auditor)
    sign_in(client, "auditor")
    wrong = f"{(int(next_code(secret)) + 7) % 1_000_000:06d}"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert client.get("/audit/").status_code == 302
    failure = AuditEvent.objects.get(action="auth.login_failed")
    assert failure.changes["reason"] == "second_factor"
    assert LoginThrottle.objects.get(scope="user", key="auditor").failures == 1


def test_a_used_code_cannot_be_replayed(client: Client, auditor: User) -> None:
    secret = enrolled(auditor)
    code = next_code(secret)
    sign_in(client, "auditor")
    client.post(VERIFY, {"code": code})
    client.post(reverse("logout"))

    sign_in(client, "auditor")
    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 200 and "验证码不正确" in response.content.decode()


def test_five_wrong_codes_lock_the_account_and_end_the_session(client: Client, auditor: User) -> None:
    secret = enrolled(auditor)
    sign_in(client, "auditor")
    wrong = f"{(int(next_code(secret)) + 7) % 1_000_000:06d}"
    for _ in range(4):
        client.post(VERIFY, {"code": wrong})

    response = client.post(VERIFY, {"code": wrong}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("login")
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # and the password alone does not start a new round of guesses
    html = client.post(reverse("login"), {"username": "auditor", "password": PASSWORD}).content.decode()
    assert "登录失败次数过多" in html


def test_signing_in_again_does_not_reset_the_count_of_wrong_codes(client: Client, auditor: User) -> None:
    secret = enrolled(auditor)
    wrong = f"{(int(next_code(secret)) + 7) % 1_000_000:06d}"
    for _ in range(2):
        sign_in(client, "auditor")
        client.post(VERIFY, {"code": wrong})
        client.post(VERIFY, {"code": wrong})
        client.post(reverse("logout"))

    assert LoginThrottle.objects.get(scope="user", key="auditor").failures == 4


def test_the_second_factor_does_not_carry_over_to_another_account(client: Client, auditor: User) -> None:
    secret = enrolled(auditor)
    other = make_user("auditor2", Role.AUDIT_ADMIN)
    enrolled(other)
    sign_in(client, "auditor")
    client.post(VERIFY, {"code": next_code(secret)})
    client.post(reverse("logout"))

    sign_in(client, "auditor2")

    assert client.get("/audit/")["Location"].startswith(VERIFY)


# ---------------------------------------------------------------- optional for everyone else


def test_other_users_are_not_asked_for_a_second_factor(client: Client, small_tree: SmallTree) -> None:
    make_user("grid", Role.GRID_WORKER, small_tree.grid1)

    assert sign_in(client, "grid") == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200
    assert AuditEvent.objects.get(action="auth.login").changes["second_factor"] == "none"


def test_a_superuser_is_not_asked_either(client: Client, db: None) -> None:
    User.objects.create_superuser("root", password=PASSWORD)

    sign_in(client, "root")

    assert client.get(reverse("web:home")).status_code == 200


def test_anyone_may_enrol_from_their_security_page(client: Client, small_tree: SmallTree) -> None:
    worker = make_user("grid", Role.GRID_WORKER, small_tree.grid1)
    sign_in(client, "grid")
    page = client.get(reverse("security:mine")).content.decode()
    assert "未开启" in page and SETUP in page

    html = client.get(SETUP).content.decode()
    assert "管理员账号必须使用双因素认证" not in html
    response = client.post(SETUP, {"code": pyotp.TOTP(secret_on_page(html)).now()})

    assert response["Location"] == reverse("security:mine")
    assert UserSecurity.objects.get(user=worker).has_totp
    assert client.get(reverse("web:home")).status_code == 200  # this session stays signed in
    assert not AuditEvent.objects.filter(action="auth.login", changes__second_factor="totp_enrolled").exists()


def test_once_enrolled_an_ordinary_user_is_asked_too(client: Client, small_tree: SmallTree) -> None:
    worker = make_user("grid", Role.GRID_WORKER, small_tree.grid1)
    secret = enrolled(worker)

    sign_in(client, "grid")

    assert client.get(reverse("web:home"))["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": next_code(secret)})
    assert client.get(reverse("web:home")).status_code == 200


class ShiftedClock:
    """The TOTP module's view of the time, some steps ahead: the next unused code without waiting."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def time(self) -> float:
        return time.time() + self.seconds


def test_an_ordinary_user_may_turn_it_off_with_a_code(
    client: Client, small_tree: SmallTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = make_user("grid", Role.GRID_WORKER, small_tree.grid1)
    secret = enrolled(worker)
    sign_in(client, "grid")
    client.post(VERIFY, {"code": next_code(secret)})

    wrong = client.post(reverse("security:mine"), {"code": "000000" if next_code(secret) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode() and UserSecurity.objects.get(user=worker).has_totp

    monkeypatch.setattr(totp, "time", ShiftedClock(30))  # the code of the verification is spent
    client.post(reverse("security:mine"), {"code": pyotp.TOTP(secret).at(time.time() + 60)})

    assert not UserSecurity.objects.get(user=worker).has_totp
    assert AuditEvent.objects.get(action="user.totp_disable").changes == {"by_owner": True}


def test_an_administrator_cannot_turn_it_off(auditor: User) -> None:
    secret = enrolled(auditor)

    with pytest.raises(DomainError) as info:
        actions.do_disable_totp(actor=auditor, user=auditor, code=next_code(secret))

    assert info.value.items[0].code == "required"
    assert UserSecurity.objects.get(user=auditor).has_totp


def test_enrolling_twice_is_refused(auditor: User) -> None:
    enrolled(auditor)
    secret = totp.new_secret()

    with pytest.raises(DomainError) as info:
        actions.do_enroll_totp(actor=auditor, secret=secret, code=pyotp.TOTP(secret).now())

    assert info.value.items[0].code == "enrolled"


def test_the_security_admin_resets_a_lost_authenticator(client: Client, auditor: User) -> None:
    enrolled(auditor)
    secadmin = make_user("sec", Role.SECURITY_ADMIN)

    actions.do_disable_totp(actor=secadmin, user=auditor)

    assert not UserSecurity.objects.get(user=auditor).has_totp
    sign_in(client, "auditor")
    assert client.get("/audit/")["Location"].startswith(SETUP)  # and must enrol again


# ---------------------------------------------------------------- the TOTP arithmetic


def test_codes_from_the_neighbouring_steps_are_accepted_and_others_not() -> None:
    secret = totp.new_secret()
    otp = pyotp.TOTP(secret)
    now = 1_800_000_000.0
    step = otp.timecode(now)

    assert totp.matching_step(secret, otp.at(now), at=now) == step
    assert totp.matching_step(secret, otp.at(now - 30), at=now) == step - 1
    assert totp.matching_step(secret, otp.at(now + 30), at=now) == step + 1
    assert totp.matching_step(secret, otp.at(now + 90), at=now) is None
    assert totp.matching_step(secret, otp.at(now), at=now, after_step=step) is None
    assert totp.matching_step(secret, " ".join(otp.at(now)), at=now) == step  # spaces typed in are fine
    assert totp.matching_step(secret, "12345", at=now) is None
