"""Resident privacy in a real browser (issue 3's acceptance test).

A grid worker signs in and sees only their grid's residents, masked; the next grid's resident is a
404 by URL. A community secretary presses 「查看」 on one phone, gives a reason and sees the number in
place. The audit administrator then signs in — enrolling the mandatory second factor on the way, with
the key read off the page — and finds that `pii.unmask` event with its reason in the audit trail.

As in test_region_map.py, everything the database needs is created before Playwright starts, and
the ORM is asked again only after it has stopped: Django refuses ORM calls from a thread running an
event loop.
"""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from gongzhi.core.models import AuditEvent, Role
from tests.browser.test_region_map import chromium
from tests.conftest import chromium_or_skip, make_small_tree
from tests.people.conftest import PASSWORD, make_people_tree

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REASON = "电话回访核实低保申请"


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].button-primary")
    page.wait_for_load_state()


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def test_grid_worker_sees_masked_residents_secretary_unmasks_auditor_finds_it(
    transactional_db: None, live_server: LiveServer, tmp_path: Path
) -> None:
    executable = chromium_or_skip()
    # given the people fixture: a household of three in each grid, one account per role
    world = make_people_tree(make_small_tree())
    grid1, grid2 = world.place("grid1"), world.place("grid2")
    neighbour = grid2.resident
    target = grid1.residents[1]  # 李秀英, whose phone the secretary will look up
    phone = world.plaintext[target.pk][1]
    plaintext = world.all_plaintext()
    worker, secretary, auditor = (
        world.users[r].username for r in (Role.GRID_WORKER, Role.COMMUNITY_SECRETARY, Role.AUDIT_ADMIN)
    )
    base = live_server.url

    with chromium(executable, tmp_path) as context:
        page = context.new_page()

        # when the grid worker of 第一网格 signs in and opens the residents page
        sign_in(page, base, worker)
        page.goto(f"{base}/people/")

        # then they see exactly their grid's three residents, numbers masked, no 「查看」
        rows = page.locator("#people tbody tr")
        expect(rows).to_have_count(3)
        for person in grid1.residents:
            expect(page.locator("#people")).to_contain_text(person.name)
            expect(page.locator("#people")).to_contain_text(person.id_number_masked)
        body = page.content()
        assert neighbour.name not in body
        assert not [value for value in plaintext if value in body]

        # and the detail of one of them has no button to unmask
        page.goto(f"{base}/people/{target.pk}/")
        expect(page.locator("#pii-phone")).to_have_text(target.phone_masked)
        expect(page.locator("#pii-phone a")).to_have_count(0)

        # when they type the URL of a resident of 第二网格 next door, it does not exist for them
        response = page.goto(f"{base}/people/{neighbour.pk}/")
        assert response is not None and response.status == 404
        assert neighbour.name not in page.content()
        sign_out(page)

        # when the community secretary opens the same resident and presses 「查看」 by the phone
        sign_in(page, base, secretary)
        page.goto(f"{base}/people/{target.pk}/")
        expect(page.locator("#pii-phone .pii-masked")).to_have_text(target.phone_masked)
        page.locator("#pii-phone a.pii-reveal").click()

        # then a reason is asked for in place; with it, the full number replaces the mask
        reason = page.locator("#pii-phone-reason")
        expect(reason).to_be_visible()
        reason.fill(REASON)
        page.locator("#pii-phone button[type=submit]").click()
        expect(page.locator("#pii-phone .pii-value")).to_have_text(phone)
        expect(page.locator("#pii-id_number .pii-masked")).to_have_text(target.id_number_masked)  # only that one
        sign_out(page)

        # when the audit administrator signs in, the second factor is set up first (mandatory)
        sign_in(page, base, auditor)
        secret = page.locator("#totp-secret").get_attribute("data-secret")
        assert secret, "the audit administrator is sent to set up the authenticator"
        page.fill("#id_code", pyotp.TOTP(secret).now())
        page.click("button[type=submit].button-primary")
        page.wait_for_load_state()

        # then the audit trail finds the unmasking, and its detail names who, whom and why
        page.goto(f"{base}/audit/?action=pii.unmask")
        results = page.locator("#audit-results tbody tr")
        expect(results).to_have_count(1)
        expect(results.first).to_contain_text(secretary)
        expect(results.first).to_contain_text(target.name)
        results.first.locator("a").first.click()
        expect(page.locator("#audit-changes")).to_contain_text(REASON)
        expect(page.locator("#audit-changes")).to_contain_text(target.phone_masked)
        assert phone not in page.content()  # the trail records the view, never the value

    # and the database agrees: one event, by the secretary, for that person, with the reason
    event = AuditEvent.objects.get(action="pii.unmask")
    assert event.actor is not None and event.actor.username == secretary
    assert event.object_id == str(target.pk) and event.source == "web"
    assert event.changes["reason"] == REASON and event.changes["field"] == "phone"
