"""The frame around every page: sign-in, top bar, navigation, sign-out."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.web.users import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese(client: Client) -> None:
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "用户名" in html and "密码" in html and "登录" in html
    assert 'name="language" value="en"' in html  # the language switch is there before signing in


def test_login_with_the_form_lands_on_the_workbench(client: Client, street_worker: User) -> None:
    response = client.post(reverse("login"), {"username": "zhang", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("web:home")
    assert response.context["user"] == street_worker


def test_login_returns_to_the_page_asked_for(client: Client, street_worker: User) -> None:
    next_url = reverse("regions:detail", args=["320113001"])

    login_page = client.get(reverse("login"), {"next": next_url})
    response = client.post(reverse("login"), {"username": "zhang", "password": PASSWORD, "next": next_url})

    assert f'value="{next_url}"' in login_page.content.decode()
    assert response["Location"] == next_url


def test_wrong_password_says_so_in_chinese(client: Client, street_worker: User) -> None:
    response = client.post(reverse("login"), {"username": "zhang", "password": "wrong"})

    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_every_page_has_the_top_bar_search_and_navigation(street_client: Client) -> None:
    for url in (reverse("web:home"), reverse("regions:list"), reverse("regions:detail", args=["320113001"])):
        html = street_client.get(url).content.decode()
        assert f'action="{reverse("regions:search")}"' in html and 'name="q"' in html, url
        assert f'href="{reverse("regions:list")}"' in html, url
        assert 'class="brand-name">共治<' in html, url


def test_navigation_marks_the_current_section(street_client: Client) -> None:
    html = street_client.get(reverse("regions:list")).content.decode()

    assert f'<a href="{reverse("regions:list")}" class="active" aria-current="page">区划网格</a>' in html


def test_logout_is_a_post_form_and_works(street_client: Client) -> None:
    html = street_client.get(reverse("web:home")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}">' in html

    response = street_client.post(reverse("logout"))

    assert response.status_code == 302
    assert street_client.get(reverse("web:home")).status_code == 302


def test_static_assets_referenced_by_the_pages_exist() -> None:
    from django.contrib.staticfiles import finders

    for asset in (
        "web/gongzhi.css",
        "web/regionmap.js",
        "xstatic/leaflet/leaflet.js",
        "xstatic/leaflet/leaflet.css",
        "django_htmx/htmx-2.min.js",
    ):
        assert finders.find(asset), asset
