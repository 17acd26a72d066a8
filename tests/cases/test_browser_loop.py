"""The whole case loop in a real phone-sized browser (390×844): report → register → dispatch → handle →
verify → the resident is not satisfied → rework.

A resident reports an overflowing bin (BJ0302 垃圾桶与垃圾房, a community matter that the duty list
also lets 城管局 take) on the H5 page with a photo and a tap on the map; the community worker
registers it and dispatches it to 城管局; the department signs, starts and reports the result; the grid
worker verifies it from their phone list; the resident rates 不满意 on the status page; the case comes
back as 返工.

As in tests/browser/, the data is written before Playwright starts and read again only after it has
stopped: Django refuses ORM calls from a thread running an event loop.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from gongzhi.cases.models import Case, CasePhoto, Channel, Rating, Status
from tests.browser.test_region_map import CHROMIUM_ARGS
from tests.cases.conftest import PASSWORD, make_loop
from tests.conftest import chromium_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE: ViewportSize = {"width": 390, "height": 844}
GRID1 = "320113001001001"
SHOTS = os.environ.get("GONGZHI_LOOP_SCREENSHOTS", "")  # a folder: keep a picture of each step for review


@contextlib.contextmanager
def phone(executable: str, tmp_path: Path) -> Iterator[BrowserContext]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=executable,
            args=[*CHROMIUM_ARGS, "--disable-dev-shm-usage"],
            headless=True,
            locale="zh-CN",
            viewport=PHONE,
            has_touch=True,
            is_mobile=True,
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].button-primary")
    page.wait_for_url(f"{base}/")


def test_a_report_goes_round_the_loop_and_an_unsatisfied_resident_sends_it_back(
    transactional_db: None, live_server: LiveServer, tmp_path: Path, settings: Any
) -> None:
    executable = chromium_or_skip()
    # given the loop's users and taxonomy, and a photo of the bin on the resident's phone
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    loop = make_loop()
    photo = tmp_path / "bin.png"
    Image.new("RGB", (64, 48), (40, 120, 60)).save(photo)
    base = live_server.url

    with phone(executable, tmp_path) as context:
        page = context.new_page()

        # when a resident opens the report page, finds the category by a word and picks it
        page.goto(f"{base}/h5/report/")
        page.locator("#category-search").press_sequentially("垃圾桶", delay=30)
        page.locator(".category-option[data-code=BJ0302]").click()
        expect(page.locator("#category-chosen")).to_contain_text("垃圾桶与垃圾房")
        # and describes it, attaches the photo and taps the map inside 第一网格
        page.fill("#id_description", "3栋门口的垃圾桶满了好几天没人清，味道很大。")
        page.set_input_files("#id_photos", str(photo))
        expect(page.locator("#pick-map[data-ready=true]")).to_be_attached()
        page.locator(f"path.gz-code-{GRID1}").click()
        expect(page.locator("#picked")).not_to_be_empty()
        shot(page, "1-h5-report")
        page.click("#submit-report")

        # then they see their ticket number and the link to follow it
        expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^\d{14}$"))
        number = page.locator("#ticket-number").inner_text().strip()
        status_link = page.locator("#status-link").get_attribute("href") or ""
        assert f"/h5/t/{number}/" in status_link
        shot(page, "2-h5-done")

        # when the community worker finds it in the queue, registers it and dispatches it to 城管局
        sign_in(page, base, "community")
        page.goto(f"{base}/cases/")
        page.locator(f"#cases tr[data-number='{number}'] a").first.click()
        page.wait_for_url(f"{base}/cases/{number}/")
        expect(page.locator("#case-photos img")).to_have_count(1)
        page.locator("#action-accept button[type=submit]").click()
        expect(page.locator("#case-status")).to_contain_text("已立案")
        page.select_option("#id_dispatch-department", label="栖霞区城管局")
        page.locator("#action-dispatch button[type=submit]").click()
        expect(page.locator("#case-status")).to_contain_text("已派遣")
        shot(page, "3-dispatched")

        # and the department signs for it from its inbox, starts, and reports the result
        sign_in(page, base, "dept")
        page.goto(f"{base}/inbox/")
        row = page.locator(f"#inbox tr[data-number='{number}']")
        row.locator("button[data-action=sign]").click()
        expect(row.locator("button[data-action=start]")).to_be_visible()
        row.locator("button[data-action=start]").click()
        expect(row).to_contain_text("处置中")
        page.goto(f"{base}/cases/{number}/")
        page.fill("#id_finish-result", "已联系保洁公司清运垃圾并清洗垃圾桶。")
        page.locator("#action-finish button[type=submit]").click()
        expect(page.locator("#case-status")).to_contain_text("待核查")

        # and the grid worker of 第一网格 passes it from the phone list
        sign_in(page, base, "grid")
        page.goto(f"{base}/tasks/")
        card = page.locator(f"#tasks li[data-number='{number}']")
        shot(page, "4-tasks")
        card.locator("button[data-action=verify_pass]").click()
        expect(page.locator(f"#tasks li[data-number='{number}']")).to_have_count(0)

        # when the resident opens the status page and rates the result 不满意
        page.context.clear_cookies()
        page.goto(status_link if status_link.startswith("http") else f"{base}{status_link}")
        expect(page.locator("#h5-result")).to_contain_text("已联系保洁公司")
        page.locator("label.rating-choice", has_text="不满意").click()
        page.fill("#id_comment", "第二天又满了")
        shot(page, "5-h5-rate")
        page.locator("#rate-form button[type=submit]").click()
        expect(page.locator("#h5-rating")).to_have_text("不满意")

        # then the case page shows it back in rework
        sign_in(page, base, "community")
        page.goto(f"{base}/cases/{number}/")
        expect(page.locator("#case-status")).to_contain_text("返工")
        shot(page, "6-rework")

    # and the database agrees: one H5 case with the photo, reworked once after the rating
    case = Case.objects.get(number=number)
    assert case.channel == Channel.H5 and case.category is not None and case.category.code == "BJ0302"
    assert case.region_code == GRID1 and case.department == loop.department
    assert case.status == Status.REWORK and case.rework_count == 1
    assert case.rating == Rating.UNSATISFIED and case.rating_comment == "第二天又满了"
    assert CasePhoto.objects.filter(case=case, stage="report").count() == 1
