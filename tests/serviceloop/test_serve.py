"""我的服务: participants land on their service page; staff keep the workbench."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.wishes.actions import SYSTEM, WishDraft, do_post_wish
from tests.serviceloop.world import PASSWORD, World

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_a_member_lands_on_my_service_with_the_board_and_points(world: World) -> None:
    # given one open wish in 尧化门社区, where wu serves by registration
    do_post_wish(
        actor=SYSTEM,
        draft=WishDraft(
            category_code="ELD01", title="想请人陪老人聊聊天", community_id=world.community.pk, name="李桂芳"
        ),
    )
    client = _client("wu")
    # when she opens the home page
    home = client.get("/")
    # then she is sent to her service page, which counts the wish and shows her points and hours
    assert home.status_code == 302 and home["Location"] == "/serve/"
    page = client.get("/serve/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="serve-board"' in html and '<span class="serve-value">1</span>' in html
    assert 'id="serve-points"' in html and 'id="serve-hours"' in html
    assert 'id="serve-units"' not in html


def test_a_unit_liaison_sees_the_units_they_act_for(world: World) -> None:
    assert world.unit is not None
    page = _client("li").get("/serve/")
    assert page.status_code == 200 and world.unit.name in page.content.decode()


def test_staff_keep_the_workbench_and_have_no_service_page(world: World) -> None:
    client = _client("community")
    assert client.get("/").status_code == 200
    assert client.get("/serve/").status_code == 404
