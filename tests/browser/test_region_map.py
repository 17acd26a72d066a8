"""The region map in a real browser: sign in, open a community, see its grids, click into one.

Runs headless Chromium through Playwright's sync API. Everything the database needs is created
before Playwright starts: its event loop runs in this thread, and Django refuses ORM calls from a
thread with a running loop.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from gongzhi.core.models import Role
from gongzhi.regions.actions import do_create_building
from gongzhi.regions.models import Compound
from tests.conftest import chromium_or_skip, make_small_tree
from tests.web.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COMMUNITY = "320113001001"
GRID = "320113001001002"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "region-map.png"


@contextlib.contextmanager
def chromium(executable: str, tmp_path: Path) -> Iterator[BrowserContext]:
    """A context manager, not a fixture: fixtures run before the test body, and the body has to
    write its data before Playwright's loop starts."""
    with sync_playwright() as playwright:
        # Playwright takes the fresh profile directory as its own argument, not as --user-data-dir.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            locale="zh-CN",
            viewport={"width": 1280, "height": 800},
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


def sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", "yhm")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].button-primary")
    page.wait_for_url(f"{base_url}/")


def test_community_map_draws_grids_and_clicking_one_opens_it(
    transactional_db: None, live_server: LiveServer, tmp_path: Path
) -> None:
    executable = chromium_or_skip()
    # given a community worker of 尧化门社区, whose community has two grids and a building
    tree = make_small_tree()
    make_user("yhm", Role.COMMUNITY_STAFF, tree.community, first_name="李娜")
    compound = Compound.objects.create(community=tree.community, name="银城东苑", lon=118.83, lat=32.14)
    do_create_building(
        actor=None,
        community=tree.community,
        compound=compound,
        name="3栋",
        lon=118.835,
        lat=32.145,
        floors=6,
        units=2,
        rooms_per_floor=2,
    )
    grid_count = tree.community.children.count()
    base_url = live_server.url

    with chromium(executable, tmp_path) as context:
        page = context.new_page()
        # when they sign in through the form and open their community
        sign_in(page, base_url)
        page.goto(f"{base_url}/regions/{COMMUNITY}/")
        expect(page.locator("#region-map[data-ready=true]")).to_be_attached()

        # then the community and each of its grids are drawn as clickable polygons
        expect(page.locator("path.leaflet-interactive")).to_have_count(1 + grid_count)
        expect(page.locator(f"path.gz-self.gz-code-{COMMUNITY}")).to_have_count(1)
        if os.environ.get("GONGZHI_SCREENSHOT"):
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=False)

        # when they click a grid, its page opens
        page.locator(f"path.gz-code-{GRID}").click()
        page.wait_for_url(f"{base_url}/regions/{GRID}/")
        expect(page.locator("h1")).to_contain_text("第二网格")

        # and the grid's map shows the grid and its building
        expect(page.locator("#region-map[data-ready=true]")).to_be_attached()
        expect(page.locator("path.gz-building")).to_have_count(1)


def test_search_page_lists_results_while_typing(
    transactional_db: None, live_server: LiveServer, tmp_path: Path
) -> None:
    executable = chromium_or_skip()
    # given a community worker of 尧化门社区
    tree = make_small_tree()
    make_user("yhm", Role.COMMUNITY_STAFF, tree.community)
    base_url = live_server.url

    with chromium(executable, tmp_path) as context:
        page = context.new_page()
        sign_in(page, base_url)
        page.goto(f"{base_url}/search/")

        # when they type a name without pressing enter
        page.locator("#id_q").press_sequentially("网格", delay=50)

        # then htmx fills in their own grids, and nothing of the neighbouring community
        expect(page.locator("#region-results tbody tr")).to_have_count(2)
        expect(page.locator("#search-results")).not_to_contain_text("新尧")
        assert page.url.endswith("/search/?q=%E7%BD%91%E6%A0%BC")
