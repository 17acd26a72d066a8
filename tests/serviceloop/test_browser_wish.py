"""The service loop's acceptance path in real Chromium at phone size (390×844).

A resident posts a micro-wish on the H5 page; 吴敏 — an in-service party member who lives in 马群街道
and registered with 尧化门社区 — claims it from the red-rope board; 赵建国, a second registered member
who opened the board before her, presses 认领 too and is refused; 吴敏 fulfils it with a photo; the
resident confirms on their status page; her points are credited; she redeems an item at the
community's love station and its stock drops by one.

As in tests/cases/test_browser_loop.py, the data is written before Playwright starts and read again
only after it has stopped: Django refuses ORM calls from a thread running an event loop.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from gongzhi.points.actions import do_create_catalog_item, do_create_station
from gongzhi.points.models import AccountKind, CatalogItem, PointEntry, Redemption
from gongzhi.points.selectors import balance_of
from gongzhi.volunteers.models import ServiceKind, ServiceRecord
from gongzhi.wishes.models import Wish, WishPhoto, WishStatus
from tests.browser.test_region_map import CHROMIUM_ARGS
from tests.conftest import chromium_or_skip, make_small_tree
from tests.people.conftest import make_people_tree
from tests.serviceloop.world import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE: ViewportSize = {"width": 390, "height": 844}
ITEM_COST = 15


@contextlib.contextmanager
def chromium(executable: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=[*CHROMIUM_ARGS, "--disable-dev-shm-usage"], headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def phone_page(browser: Browser) -> Page:
    """A separate phone (its own cookies): the resident, and each member, hold their own."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].button-primary")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/"))


def test_a_wish_is_claimed_once_fulfilled_confirmed_and_its_points_redeemed(
    transactional_db: None, live_server: LiveServer, tmp_path: Path, settings: Any
) -> None:
    executable = chromium_or_skip()
    # given the service world, a love station in 尧化门社区 with three of one item, and a photo
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world(make_people_tree(make_small_tree()))
    staff = world.user("community")
    station = do_create_station(actor=staff, community=world.community, name="尧化门社区党员爱心驿站")
    item = do_create_catalog_item(actor=staff, station=station, name="洗衣液", cost=ITEM_COST, stock=3)
    photo = tmp_path / "done.png"
    Image.new("RGB", (64, 48), (180, 40, 40)).save(photo)
    base = live_server.url
    community_id = str(world.community.pk)

    with chromium(executable) as browser:
        resident, wu, zhao = phone_page(browser), phone_page(browser), phone_page(browser)

        # when a resident posts a wish on the H5 page
        resident.goto(f"{base}/h5/wish/")
        resident.select_option("#id_category", value="FIX02")
        resident.fill("#id_title", "厨房水龙头一直滴水")
        resident.fill("#id_description", "家里老人一个人住，不会换阀芯，想请人帮忙修一下。")
        resident.select_option("#id_community", value=community_id)
        resident.fill("#id_name", "张桂兰")
        resident.fill("#id_phone", "13912345678")
        resident.click("#submit-wish")
        # then they get the wish number and a link to follow it
        expect(resident.locator("#wish-number")).to_have_text(re.compile(r"^W\d{10}$"))
        number = resident.locator("#wish-number").inner_text().strip()
        status_link = resident.locator("#status-link").get_attribute("href") or ""
        assert f"/h5/wish/t/{number}/" in status_link

        # when 赵建国 opens the board first and sees the wish, masked
        sign_in(zhao, base, "zhao")
        zhao.goto(f"{base}/wishes/board/")
        zhao_card = zhao.locator(f"#wish-{number}")
        expect(zhao_card).to_contain_text("厨房水龙头一直滴水")
        expect(zhao_card).to_contain_text("张*兰")
        expect(zhao_card).not_to_contain_text("张桂兰")

        # and 吴敏, from another street, claims it from her board
        sign_in(wu, base, "wu")
        wu.goto(f"{base}/wishes/board/")
        wu.locator(f"#wish-{number} .button-claim").click()
        expect(wu.locator("body")).to_contain_text("认领")
        # then 赵建国's press on his older page is refused: it is already taken
        zhao_card.locator(".button-claim").click()
        expect(zhao.locator(".messages")).to_contain_text("已被认领")

        # when 吴敏 fulfils it with a photo
        wu.goto(f"{base}/wishes/{number}/")
        wu.set_input_files("#id_photos", str(photo))
        wu.fill("#id_note", "已上门更换阀芯，试水不再滴漏。")
        wu.click("#fulfil-submit")
        expect(wu.locator("#wish-evidence")).to_contain_text("已上门更换阀芯")

        # and the resident confirms it on their status page
        resident.goto(status_link if status_link.startswith("http") else f"{base}{status_link}")
        expect(resident.locator("#h5-evidence")).to_contain_text("已上门更换阀芯")
        resident.click("#confirm-wish")
        expect(resident.locator("#h5-thanks")).to_be_visible()

        # then 吴敏's points are credited
        wu.goto(f"{base}/points/me/")
        expect(wu.locator("#balance .pts-value")).to_have_text("20")

        # when she redeems the item at the station
        wu.goto(f"{base}/points/stations/{station.pk}/")
        card = wu.locator(f"#catalogue li[data-item='{item.pk}']")
        expect(card).to_contain_text("3")
        card.locator("button[type=submit]").first.click()
        # then she gets a redemption code and her new balance
        expect(wu.locator("#redemption-code")).to_have_text(re.compile(r"\S{4,}"))
        expect(wu.locator("#balance-now")).to_have_text(str(20 - ITEM_COST))
        wu.goto(f"{base}/points/stations/{station.pk}/")
        expect(wu.locator(f"#catalogue li[data-item='{item.pk}']")).to_contain_text("2")

    # and the database agrees
    wish = Wish.objects.get(number=number)
    wu_vol, zhao_vol = world.volunteers["wu"], world.volunteers["zhao"]
    assert wish.status == WishStatus.CONFIRMED and wish.confirmed_by_resident
    assert wish.claimant_volunteer == wu_vol and wish.claimant_unit is None
    assert "张桂兰" not in wish.resident_name_masked
    assert WishPhoto.objects.filter(wish=wish).count() == 1
    records = ServiceRecord.objects.filter(kind=ServiceKind.WISH, source_id=wish.pk)
    assert [r.volunteer for r in records] == [wu_vol]
    assert balance_of(wu_vol) == 20 - ITEM_COST and balance_of(zhao_vol) == 0
    assert CatalogItem.objects.get(pk=item.pk).stock == 2
    assert Redemption.objects.filter(volunteer=wu_vol, item=item, quantity=1).count() == 1
    member_entries = PointEntry.objects.filter(account__kind=AccountKind.MEMBER, account__volunteer=wu_vol)
    assert sorted(e.amount for e in member_entries) == [-ITEM_COST, 20]
