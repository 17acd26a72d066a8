"""Lock-out: every branch, through the login page and through the API's HTTP Basic authentication."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from gongzhi.core.models import AuditEvent, LoginThrottle, Role, UserSecurity
from gongzhi.core.security import lockout
from gongzhi.core.security.net import client_ip
from tests.conftest import SmallTree
from tests.web.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "登录失败次数过多"
WRONG_TEXT = "用户名或密码不正确"


@pytest.fixture
def worker(small_tree: SmallTree) -> User:
    # A grid worker: a role that may read the tree, so a good API login answers 200.
    return make_user("wang", role=Role.GRID_WORKER, region=small_tree.grid1)


def attempt(client: Client, username: str, password: str, ip: str = "10.1.1.1") -> str:
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip).content.decode()


def fail(client: Client, username: str, times: int, ip: str = "10.1.1.1") -> str:
    html = ""
    for i in range(times):
        html = attempt(client, username, f"wrong-{i}", ip)
    return html


def test_four_failures_do_not_lock(client: Client, worker: User) -> None:
    html = fail(client, "wang", 4)

    assert WRONG_TEXT in html and LOCKED_TEXT not in html
    response = client.post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302


def test_the_fifth_failure_locks_and_says_so(client: Client, worker: User) -> None:
    html = fail(client, "wang", 5)

    assert LOCKED_TEXT in html and "15 分钟" in html
    assert 'id="login-locked"' in html


def test_a_locked_name_refuses_even_the_right_password(client: Client, worker: User) -> None:
    fail(client, "wang", 5)

    html = attempt(client, "wang", PASSWORD)

    assert LOCKED_TEXT in html
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.filter(action="auth.login_failed").order_by("-id").first()
    assert refused is not None and refused.changes["reason"] == "locked"


def test_the_lock_looks_the_same_for_a_name_that_does_not_exist(client: Client, worker: User) -> None:
    real = fail(client, "wang", 5, ip="10.1.1.1")
    ghost = fail(Client(), "nobody-here", 5, ip="10.1.1.2")

    def alert(html: str) -> str:
        start = html.index('id="login-locked"')
        return html[start : html.index("</div>", start)]

    assert alert(real) == alert(ghost)
    assert LoginThrottle.objects.filter(scope="user", key="nobody-here").exists()


def test_the_lock_ends_after_fifteen_minutes(client: Client, worker: User) -> None:
    fail(client, "wang", 5)
    LoginThrottle.objects.filter(scope="user", key="wang").update(locked_until=timezone.now() - timedelta(seconds=1))

    response = client.post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")

    assert response.status_code == 302


def test_the_lock_lasts_fifteen_minutes(client: Client, worker: User) -> None:
    before = timezone.now()
    fail(client, "wang", 5)

    row = LoginThrottle.objects.get(scope="user", key="wang")
    assert row.locked_until is not None
    assert timedelta(minutes=14, seconds=59) < row.locked_until - before <= timedelta(minutes=15, seconds=5)


def test_failures_older_than_the_window_do_not_count(client: Client, worker: User) -> None:
    fail(client, "wang", 4)
    LoginThrottle.objects.filter(scope="user", key="wang").update(
        window_started_at=timezone.now() - timedelta(minutes=16)
    )

    html = fail(client, "wang", 1)

    assert LOCKED_TEXT not in html
    assert LoginThrottle.objects.get(scope="user", key="wang").failures == 1


def test_a_success_clears_the_run_of_failures(client: Client, worker: User) -> None:
    fail(client, "wang", 4)
    client.post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    client.post(reverse("logout"))

    html = fail(client, "wang", 4)

    assert LOCKED_TEXT not in html


def test_attempts_during_a_lock_do_not_extend_it(client: Client, worker: User) -> None:
    fail(client, "wang", 5)
    until = LoginThrottle.objects.get(scope="user", key="wang").locked_until

    fail(client, "wang", 3)

    assert LoginThrottle.objects.get(scope="user", key="wang").locked_until == until


def test_names_differing_only_in_case_share_one_counter(client: Client, worker: User) -> None:
    for name in ("wang", "WANG", "Wang", "wAng", "waNG"):
        html = attempt(client, name, "wrong")

    assert LOCKED_TEXT in html


def test_one_address_failing_for_many_names_is_locked(client: Client, worker: User, settings: Settings) -> None:
    settings.GONGZHI_LOGIN_IP_MAX_FAILURES = 6
    for i in range(6):
        html = attempt(client, f"guess{i}", "wrong", ip="10.9.9.9")
    assert LOCKED_TEXT in html

    # the right password from that address is refused too, while another address gets in
    assert LOCKED_TEXT in attempt(client, "wang", PASSWORD, ip="10.9.9.9")
    ok = Client().post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.9.9.8")
    assert ok.status_code == 302
    lock = AuditEvent.objects.get(action="auth.locked", changes__scope="ip")
    assert lock.changes["ip"] == "10.9.9.9"


def test_a_success_does_not_clear_the_address_counter(client: Client, worker: User, settings: Settings) -> None:
    settings.GONGZHI_LOGIN_IP_MAX_FAILURES = 3
    attempt(client, "a1", "wrong", ip="10.9.9.9")
    attempt(client, "a2", "wrong", ip="10.9.9.9")
    Client().post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")

    assert LOCKED_TEXT in attempt(Client(), "a3", "wrong", ip="10.9.9.9")


def test_every_step_is_audited_with_the_address_and_never_the_password(client: Client, worker: User) -> None:
    fail(client, "wang", 5, ip="10.7.7.7")
    LoginThrottle.objects.all().delete()
    client.post(reverse("login"), {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="10.7.7.7")

    events = list(AuditEvent.objects.filter(action__startswith="auth.").order_by("id"))
    actions = [e.action for e in events]
    assert actions == ["auth.login_failed"] * 4 + ["auth.login_failed", "auth.locked", "auth.login"]
    assert all(e.changes["ip"] == "10.7.7.7" for e in events)
    assert events[0].object_type == "auth.user" and events[0].object_id == str(worker.pk)
    assert events[0].actor is None  # nobody proved who they were
    assert events[-1].actor == worker and events[-1].changes["second_factor"] == "none"
    dump = repr([(e.changes, e.object_repr) for e in AuditEvent.objects.all()])
    assert PASSWORD not in dump and "wrong-0" not in dump


def test_failures_for_unknown_names_are_audited_without_an_object(client: Client, db: None) -> None:
    attempt(client, "ghost", "wrong")

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.object_type == "" and event.object_repr == "ghost" and event.changes["reason"] == "password"


# ---------------------------------------------------------------- HTTP Basic on the API


API = "/api/v1/regions/"


def api_status(client: Client, username: str, password: str) -> int:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.get(API, HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR="10.2.2.2").status_code


def test_basic_auth_failures_count_towards_the_lock(client: Client, worker: User) -> None:
    for _ in range(5):
        assert api_status(client, "wang", "wrong") in (401, 403)

    assert api_status(client, "wang", PASSWORD) in (401, 403)
    assert lockout.is_locked("wang", "")


def test_basic_auth_works_for_an_ordinary_account(client: Client, worker: User) -> None:
    assert api_status(client, "wang", PASSWORD) == 200


def test_basic_auth_is_refused_to_accounts_that_need_a_second_factor(client: Client, db: None) -> None:
    make_user("auditor", Role.AUDIT_ADMIN)

    assert api_status(client, "auditor", PASSWORD) in (401, 403)
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.changes["reason"] == "interactive_login_required"
    assert not LoginThrottle.objects.filter(failures__gt=0, scope="user").exists()  # not a wrong password


def test_basic_auth_is_refused_until_a_forced_password_change(client: Client, worker: User) -> None:
    UserSecurity.objects.create(user=worker, must_change_password=True)

    assert api_status(client, "wang", PASSWORD) in (401, 403)


# ---------------------------------------------------------------- the client's address


class FakeRequest:
    def __init__(self, meta: dict[str, str]) -> None:
        self.META = meta


def test_the_address_is_remote_addr_unless_proxies_are_trusted(settings: Settings) -> None:
    request = FakeRequest({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.0.0.9"})

    settings.GONGZHI_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.GONGZHI_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.9"  # what our proxy saw, not what the client claimed
    settings.GONGZHI_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"
    settings.GONGZHI_PROXY_COUNT = 3  # fewer entries than proxies: fall back to the socket
    assert client_ip(request) == "10.0.0.5"
    assert client_ip(FakeRequest({"REMOTE_ADDR": "not-an-ip"})) == ""
    assert client_ip(None) == ""
