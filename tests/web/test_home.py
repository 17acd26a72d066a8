"""The workbench: greeting, the user's regions and roles, the size of their jurisdiction."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import Role
from gongzhi.regions.actions import do_create_building
from tests.conftest import SmallTree
from tests.core.signin import force_login_verified
from tests.web.users import make_user

pytestmark = pytest.mark.django_db


def test_home_requires_login(client: Client) -> None:
    response = client.get(reverse("web:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/"


def test_home_greets_and_shows_the_street_workers_jurisdiction(street_client: Client, small_tree: SmallTree) -> None:
    do_create_building(
        actor=None,
        community=small_tree.community,
        name="1栋",
        lon=118.81,
        lat=32.14,
        floors=3,
        units=1,
        rooms_per_floor=2,
    )

    response = street_client.get(reverse("web:home"))

    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts.districts, counts.streets, counts.communities, counts.grids) == (0, 1, 2, 3)
    assert (counts.comprehensive_grids, counts.dedicated_grids, counts.buildings) == (2, 1, 1)
    assert [r.code for r in response.context["roots"]] == ["320113001"]
    html = response.content.decode()
    assert "张伟" in html
    assert response.context["greeting"] in {"上午好", "下午好", "晚上好"}
    assert "尧化街道" in html and "街道工作人员" in html  # the root and the role, in Chinese
    assert "综合 2 · 专属 1" in html


def test_home_of_a_user_without_roles_says_so(client: Client, db: None) -> None:
    client.force_login(make_user("newcomer"))

    response = client.get(reverse("web:home"))

    assert response.status_code == 200
    assert response.context["counts"].grids == 0
    assert "您尚未分配辖区" in response.content.decode()


def test_home_of_a_system_administrator_starts_at_the_city(client: Client, small_tree: SmallTree) -> None:
    force_login_verified(client, make_user("sysadmin", Role.SYSTEM_ADMIN))  # administrators pass a second factor

    response = client.get(reverse("web:home"))

    assert [r.code for r in response.context["roots"]] == ["320100"]
    assert response.context["counts"].districts == 1


def test_staff_see_the_admin_link_and_others_do_not(client: Client, street_worker: User) -> None:
    client.force_login(street_worker)
    assert reverse("admin:index") not in client.get(reverse("web:home")).content.decode()

    street_worker.is_staff = True
    street_worker.save()
    assert reverse("admin:index") in client.get(reverse("web:home")).content.decode()
