"""/accounts/manage/: the security administrator's pages, and nobody else's."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import AuditEvent, LoginThrottle, Membership, Role, UserSecurity
from tests.conftest import SmallTree
from tests.core.signin import force_login_verified
from tests.web.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LIST = "/accounts/manage/"


@pytest.fixture
def secadmin(small_tree: SmallTree) -> User:
    return make_user("sec", Role.SECURITY_ADMIN, first_name="安全员")


@pytest.fixture
def sec_client(client: Client, secadmin: User) -> Client:
    return force_login_verified(client, secadmin)


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.SYSTEM_ADMIN, None),
        (Role.AUDIT_ADMIN, None),
        (Role.GRID_WORKER, "grid1"),
        (Role.COMMUNITY_SECRETARY, "community"),
        (Role.STREET_STAFF, "street"),
        (Role.DISTRICT_LEADER, "district"),
        (Role.CITY_LEADER, "city"),
    ],
)
def test_only_the_security_admin_opens_the_account_pages(
    client: Client, small_tree: SmallTree, role: str, where: str | None
) -> None:
    user = make_user("other", role, getattr(small_tree, where) if where else None)
    target = make_user("target")
    force_login_verified(client, user)

    for url in (LIST, f"{LIST}new/", f"{LIST}{target.pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{LIST}{target.pk}/password/").status_code == 403
    assert client.post(f"{LIST}{target.pk}/roles/", {"role": Role.AUDIT_ADMIN}).status_code == 403
    assert not Membership.objects.filter(user=target).exists()


def test_a_superuser_without_the_role_is_refused_too(client: Client, small_tree: SmallTree) -> None:
    client.force_login(User.objects.create_superuser("root", password="x" * 12))

    assert client.get(LIST).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(LIST)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_security_admin_sees_no_personal_data_and_no_audit(sec_client: Client) -> None:
    assert sec_client.get("/audit/").status_code == 403
    assert sec_client.get("/people/").status_code in (403, 404)


def test_the_list_shows_accounts_with_their_roles(sec_client: Client, small_tree: SmallTree) -> None:
    make_user("gridman", Role.GRID_WORKER, small_tree.grid1, first_name="王五")

    html = sec_client.get(LIST).content.decode()

    assert "gridman" in html and "王五" in html and "网格员 · 第一网格" in html
    filtered = sec_client.get(LIST, {"role": Role.GRID_WORKER}).content.decode()
    assert "gridman" in filtered and ">sec</a>" not in filtered
    assert "gridman" not in sec_client.get(LIST, {"q": "nomatch"}).content.decode()


def test_creating_an_account_shows_its_temporary_password_once(sec_client: Client, secadmin: User) -> None:
    response = sec_client.post(f"{LIST}new/", {"username": "lisi", "full_name": "李四", "email": ""})

    html = response.content.decode()
    assert response.status_code == 200 and "账号已创建" in html
    password = re.search(r'id="temp-password">([^<]+)<', html)
    assert password is not None
    user = User.objects.get(username="lisi")
    assert user.check_password(password.group(1)) and user.security.must_change_password
    assert password.group(1) not in repr(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert response.get("Cache-Control", "").count("no-store") or "no-cache" in response.get("Cache-Control", "")


def test_a_taken_name_is_shown_on_the_form(sec_client: Client) -> None:
    html = sec_client.post(f"{LIST}new/", {"username": "SEC"}).content.decode()

    assert "用户名 SEC 已被使用" in html


def test_deactivate_and_activate(sec_client: Client) -> None:
    target = make_user("target")

    sec_client.post(f"{LIST}{target.pk}/active/", {"active": "0"})
    target.refresh_from_db()
    assert not target.is_active
    sec_client.post(f"{LIST}{target.pk}/active/", {"active": "1"})
    target.refresh_from_db()
    assert target.is_active


def test_reset_password_forces_a_change_and_lifts_the_lock(sec_client: Client) -> None:
    target = make_user("target")
    LoginThrottle.objects.create(scope="user", key="target", failures=0, window_started_at="2026-01-01T00:00Z")

    html = sec_client.post(f"{LIST}{target.pk}/password/").content.decode()

    temporary = re.search(r'id="temp-password">([^<]+)<', html)
    assert temporary is not None
    target.refresh_from_db()
    assert target.check_password(temporary.group(1)) and not target.check_password(PASSWORD)
    assert UserSecurity.objects.get(user=target).must_change_password
    assert not LoginThrottle.objects.filter(key="target").exists()


def test_reset_second_factor(sec_client: Client) -> None:
    target = make_user("target", Role.AUDIT_ADMIN)
    UserSecurity.objects.create(user=target, totp_secret="v1:x", totp_confirmed_at="2026-01-01T00:00Z")

    sec_client.post(f"{LIST}{target.pk}/second-factor/")

    assert not UserSecurity.objects.get(user=target).has_totp


def test_grant_by_region_code_and_revoke(sec_client: Client, small_tree: SmallTree) -> None:
    target = make_user("target")

    response = sec_client.post(
        f"{LIST}{target.pk}/roles/", {"role": Role.COMMUNITY_STAFF, "region": "320113001001", "title": "社区专干"}
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=target)
    assert membership.region == small_tree.community and membership.title == "社区专干"
    sec_client.post(f"{LIST}{target.pk}/roles/{membership.pk}/revoke/")
    assert not Membership.objects.filter(user=target).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": Role.COMMUNITY_STAFF, "region": "999999999999"}, "没有编码为 999999999999 的区划"),
        ({"role": Role.COMMUNITY_STAFF, "region": "320113001"}, "社区工作者应任职于社区"),
        ({"role": Role.DEPARTMENT_STAFF, "department": "999"}, "没有该 ID 的部门"),
        ({"role": Role.AUDIT_ADMIN}, "管理员角色不能与其他角色兼任"),
        ({"role": "emperor"}, "emperor"),
    ],
)
def test_refused_grants_show_why_and_change_nothing(
    sec_client: Client, small_tree: SmallTree, data: dict[str, str], message: str
) -> None:
    target = make_user("target", Role.GRID_WORKER, small_tree.grid1)
    events = AuditEvent.objects.count()

    response = sec_client.post(f"{LIST}{target.pk}/roles/", data)

    assert response.status_code == 400 and message in response.content.decode()
    assert list(Membership.objects.filter(user=target).values_list("role", flat=True)) == [Role.GRID_WORKER]
    assert AuditEvent.objects.count() == events


def test_own_account_page_offers_no_self_service(sec_client: Client, secadmin: User) -> None:
    html = sec_client.get(f"{LIST}{secadmin.pk}/").content.decode()
    assert "这是您自己的账号" in html and "授予角色" not in html

    response = sec_client.post(f"{LIST}{secadmin.pk}/roles/", {"role": Role.AUDIT_ADMIN}, follow=False)
    assert response.status_code == 400 and "不能变更自己的角色" in response.content.decode()
    assert list(Membership.objects.filter(user=secadmin).values_list("role", flat=True)) == [Role.SECURITY_ADMIN]


def test_unknown_accounts_are_404(sec_client: Client) -> None:
    assert sec_client.get(f"{LIST}999999/").status_code == 404


def test_the_security_admin_lands_on_the_account_list(client: Client, secadmin: User) -> None:
    import pyotp

    from gongzhi.core import actions
    from gongzhi.core.security import totp

    secret = totp.new_secret()
    actions.do_enroll_totp(actor=secadmin, secret=secret, code=pyotp.TOTP(secret).now())
    client.post(reverse("login"), {"username": "sec", "password": PASSWORD})

    import time

    response = client.post("/accounts/second-factor/", {"code": pyotp.TOTP(secret).at(time.time() + 30)})

    assert response["Location"] == LIST


def test_the_django_admin_enforces_the_same_rules(client: Client, small_tree: SmallTree) -> None:
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    target = make_user("target", Role.GRID_WORKER, small_tree.grid1)

    response = client.post(reverse("admin:core_membership_add"), {"user": target.pk, "role": Role.AUDIT_ADMIN})

    assert response.status_code == 200 and "管理员角色不能与其他角色兼任" in response.content.decode()
    assert Membership.objects.filter(user=target).count() == 1


def test_the_django_admin_login_goes_through_ours(client: Client, db: None) -> None:
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == f"{reverse('login')}?next=%2Fadmin%2F"


def test_a_signed_in_non_staff_user_is_refused_by_the_admin_not_looped(client: Client, db: None) -> None:
    client.force_login(make_user("plain"))

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403 and len(response.redirect_chain) == 1
