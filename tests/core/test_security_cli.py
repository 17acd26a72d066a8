"""gongzhi accounts: bootstrapping and rescuing accounts from the command line, under the same rules."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from gongzhi.core.models import AuditEvent, Membership, Role, UserSecurity
from tests.conftest import SmallTree

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("accounts", *args, stdout=out)
    return out.getvalue()


def test_bootstrap_a_security_admin(small_tree: SmallTree) -> None:
    out = run("create", "secadmin", "--name", "王安全")
    password = re.search(r"temporary password: (\S+)", out)
    assert password is not None

    run("grant", "secadmin", Role.SECURITY_ADMIN)

    user = User.objects.get(username="secadmin")
    assert user.check_password(password.group(1)) and user.first_name == "王安全"
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.SECURITY_ADMIN]
    assert {e.source for e in AuditEvent.objects.all()} == {"cli"}
    assert "secadmin" in run("list")


def test_the_same_rules_apply(small_tree: SmallTree) -> None:
    run("create", "someone")
    run("grant", "someone", Role.GRID_WORKER, "--region", small_tree.grid1.code)

    with pytest.raises(CommandError, match=r"管理员角色不能与其他角色兼任|cannot be combined"):
        run("grant", "someone", Role.AUDIT_ADMIN)
    with pytest.raises(CommandError, match="no region"):
        run("grant", "someone", Role.GRID_WORKER, "--region", "320113999999999")
    run("revoke", "someone", Role.GRID_WORKER, "--region", small_tree.grid1.code)
    assert not Membership.objects.filter(user__username="someone").exists()


def test_rescue_a_locked_out_administrator(db: None) -> None:
    run("create", "auditor")
    run("grant", "auditor", Role.AUDIT_ADMIN)
    UserSecurity.objects.filter(user__username="auditor").update(
        totp_secret="v1:x", totp_confirmed_at="2026-01-01T00:00Z"
    )

    assert "temporary password" in run("reset-password", "auditor")
    run("reset-second-factor", "auditor")

    assert not UserSecurity.objects.get(user__username="auditor").has_totp
    with pytest.raises(CommandError, match="no account"):
        run("reset-password", "nobody")
