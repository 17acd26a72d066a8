"""The audit administrator's first sign-in in a real browser: password, forced TOTP enrolment
(secret read off the page, code computed like a phone would), then the audit search.

Everything the database needs is created before Playwright starts (see test_region_map.py).
"""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from gongzhi.core.models import AuditEvent, Role, UserSecurity
from tests.browser.test_region_map import chromium
from tests.conftest import chromium_or_skip
from tests.web.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_audit_admin_enrols_a_second_factor_then_finds_logins(
    transactional_db: None, live_server: LiveServer, tmp_path: Path
) -> None:
    executable = chromium_or_skip()
    # given an audit administrator who has never signed in, and a grid worker who has
    auditor = make_user("auditor", Role.AUDIT_ADMIN, first_name="审计员")
    make_user("someone")
    base_url = live_server.url

    with chromium(executable, tmp_path) as context:
        page = context.new_page()
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", "someone")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].button-primary")
        page.wait_for_url(f"{base_url}/")
        page.context.clear_cookies()

        # when the audit administrator signs in with the password
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", "auditor")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].button-primary")

        # then they are held on the enrolment page, whatever they try to open
        page.wait_for_url(f"{base_url}/accounts/second-factor/setup/**")
        expect(page.locator(".totp-qr svg")).to_be_visible()
        page.goto(f"{base_url}/audit/")
        page.wait_for_url(f"{base_url}/accounts/second-factor/setup/**")

        # when they add the key to an authenticator and type its code
        secret = page.locator("#totp-secret").get_attribute("data-secret") or ""
        grouped = page.locator("#totp-secret").inner_text()
        assert grouped.replace(" ", "") == secret and len(secret) == 32
        page.fill("#id_code", pyotp.TOTP(secret).now())
        page.click("button[type=submit].button-primary")

        # then they land on the audit search, and can filter by action
        page.wait_for_url(f"{base_url}/audit/")
        expect(page.locator("h1")).to_contain_text("审计日志")
        page.fill("#id_action", "auth.login")
        page.click("#audit-search button[type=submit]")
        page.wait_for_url("**/audit/?**action=auth.login**")
        actions = page.locator("#audit-results td.audit-action")
        expect(actions.first).to_have_text("auth.login")
        texts = actions.all_inner_texts()
        rows = page.locator("#audit-results tbody tr").all_inner_texts()

    assert texts and set(texts) == {"auth.login"}
    assert len(rows) == 2 and "auditor" in rows[0] and "someone" in rows[1]
    assert UserSecurity.objects.get(user=auditor).has_totp
    login = AuditEvent.objects.get(action="auth.login", actor=auditor)
    assert login.changes["second_factor"] == "totp_enrolled"
