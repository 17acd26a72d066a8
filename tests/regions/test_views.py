"""The region browser, building pages, search and the map's GeoJSON, as a signed-in user sees them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

from gongzhi.core.models import Role
from gongzhi.regions.actions import do_create_building
from gongzhi.regions.models import Building, Compound
from tests.conftest import SmallTree
from tests.web.users import make_user

pytestmark = pytest.mark.django_db


@dataclass
class Town:
    tree: SmallTree
    compound: Compound
    building: Building  # in 尧化门社区 / 第二网格
    school_building: Building  # in 新尧社区 / 新尧学校专属网格, no compound


@pytest.fixture
def town(small_tree: SmallTree) -> Town:
    compound = Compound.objects.create(community=small_tree.community, name="银城东苑", lon=118.83, lat=32.14)
    building = do_create_building(
        actor=None,
        community=small_tree.community,
        compound=compound,
        name="3栋",
        lon=118.83,
        lat=32.14,
        floors=6,
        units=2,
        rooms_per_floor=2,
    )
    school_building = do_create_building(
        actor=None,
        community=small_tree.community2,
        name="教学楼",
        lon=118.82,
        lat=32.11,
        floors=4,
        units=1,
        rooms_per_floor=8,
    )
    return Town(small_tree, compound, building, school_building)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def street(town: Town) -> Client:
    return client_for(make_user("street", Role.STREET_STAFF, town.tree.street))


@pytest.fixture
def yaohuamen(town: Town) -> Client:
    """A community worker of 尧化门社区: sees it and its two grids, nothing of 新尧社区."""
    return client_for(make_user("yhm", Role.COMMUNITY_STAFF, town.tree.community))


def detail(code: str) -> str:
    return reverse("regions:detail", args=[code])


# ---- the list of regions ----


def test_region_list_shows_the_users_own_regions(yaohuamen: Client) -> None:
    response = yaohuamen.get(reverse("regions:list"))

    assert response.status_code == 200
    roots = list(response.context["roots"])
    assert [r.code for r in roots] == ["320113001001"]
    assert roots[0].child_count == 2
    assert response.context["page"] is None  # no filter asked for: no result table


def test_region_list_filters_by_kind_within_scope(street: Client) -> None:
    response = street.get(reverse("regions:list"), {"level": "grid", "grid_kind": "dedicated"})

    assert [r.name for r in response.context["page"].object_list] == ["新尧学校专属网格"]
    assert "新尧学校专属网格" in response.content.decode()


def test_region_list_filter_by_code_prefix_never_leaves_scope(yaohuamen: Client) -> None:
    response = yaohuamen.get(reverse("regions:list"), {"q": "320113"})

    assert [r.code for r in response.context["page"].object_list] == [
        "320113001001",
        "320113001001001",
        "320113001001002",
    ]


# ---- region pages ----


def test_street_page_lists_its_communities_with_counts(street: Client, town: Town) -> None:
    response = street.get(detail("320113001"))

    assert response.status_code == 200
    children = {c.code: c for c in response.context["children"]}
    assert list(children) == ["320113001001", "320113001002"]
    assert children["320113001001"].child_count == 2
    assert children["320113001001"].building_count == 1
    assert children["320113001002"].building_count == 1
    html = response.content.decode()
    assert "尧化门社区" in html and "新尧社区" in html
    assert reverse("regions:geojson", args=["320113001"]) in html


def test_breadcrumb_names_ancestors_but_links_only_those_in_scope(street: Client) -> None:
    response = street.get(detail("320113001001"))

    crumbs = [(c.region.name, c.linked) for c in response.context["breadcrumb"]]
    assert crumbs == [("南京市", False), ("栖霞区", False), ("尧化街道", True)]
    html = response.content.decode()
    assert f'href="{detail("320113")}"' not in html
    assert f'href="{detail("320113001")}"' in html


def test_community_page_lists_grids_and_compounds(yaohuamen: Client) -> None:
    response = yaohuamen.get(detail("320113001001"))

    assert response.status_code == 200
    assert [c.name for c in response.context["children"]] == ["第一网格", "第二网格"]
    assert [c.building_count for c in response.context["children"]] == [0, 1]
    assert [c.name for c in response.context["compounds"]] == ["银城东苑"]
    assert response.context["compounds"][0].building_count == 1
    html = response.content.decode()
    assert "银城东苑" in html
    assert 'id="region-map"' in html
    assert "xstatic/leaflet/leaflet.js" in html


def test_grid_page_shows_kind_area_bbox_and_buildings(street: Client, town: Town) -> None:
    response = street.get(detail("320113001002001"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<dd>专属网格</dd>" in html and "<dd>学校</dd>" in html  # kind and dedicated type, in Chinese
    assert "118.800000, 32.100000<br>118.850000, 32.130000" in html  # south-west, north-east corners
    assert [b.code for b in response.context["buildings"]] == [town.school_building.code]
    assert response.context["buildings"][0].unit_count == 1
    assert reverse("regions:building", args=[town.school_building.code]) in html


# ---- building pages ----


def test_building_page_shows_address_grid_coordinates_and_room_plan(yaohuamen: Client, town: Town) -> None:
    response = yaohuamen.get(reverse("regions:building", args=[town.building.code]))

    assert response.status_code == 200
    assert response.context["address"] == "栖霞区/尧化街道/尧化门社区/银城东苑/3栋"
    html = response.content.decode()
    assert "第二网格" in html
    assert "118.830000, 32.140000" in html
    plans = response.context["plans"]
    assert [p.number for p in plans] == [1, 2]
    assert [row.floor for row in plans[0].floors] == [6, 5, 4, 3, 2, 1]  # top floor first
    assert [r.number for r in plans[0].floors[0].rooms if r] == ["601", "602"]
    assert response.context["room_total"] == 24
    assert f'data-highlight="{town.building.code}"' in html
    assert reverse("regions:geojson", args=[town.building.grid.code]) in html


# ---- out of scope and missing answer alike ----


@pytest.mark.parametrize(
    "url",
    [
        detail("320113001002"),  # 新尧社区
        detail("320113001002001"),  # its grid
        reverse("regions:geojson", args=["320113001002"]),
        detail("320113001"),  # the street above the worker's community
        detail("320113001009"),  # no such community
        "/regions/12345/",  # not a code at all
    ],
)
def test_out_of_scope_and_missing_regions_are_404(yaohuamen: Client, url: str) -> None:
    response = yaohuamen.get(url)

    assert response.status_code == 404
    # one page for both, so nobody can probe which codes exist in other jurisdictions
    assert "页面不存在，或不在您的辖区范围内。" in response.content.decode()


def test_out_of_scope_building_is_404(yaohuamen: Client, town: Town) -> None:
    assert yaohuamen.get(reverse("regions:building", args=[town.school_building.code])).status_code == 404
    assert yaohuamen.get(reverse("regions:building", args=["3201130010010029999"])).status_code == 404


def test_user_without_any_role_is_refused_the_region_pages(town: Town) -> None:
    client = client_for(make_user("nobody"))

    assert client.get(detail("320113")).status_code == 403
    assert client.get(reverse("regions:list")).status_code == 403


def test_superuser_browses_from_the_city(town: Town) -> None:
    client = client_for(User.objects.create_superuser("root", password="x" * 12))

    assert [r.code for r in client.get(reverse("regions:list")).context["roots"]] == ["320100"]
    assert client.get(detail("320113001002001")).status_code == 200


@pytest.mark.parametrize("name", ["regions:list", "regions:search"])
def test_pages_require_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_object_pages_require_login_before_revealing_anything(client: Client, town: Town) -> None:
    for url in (
        detail("320113001001"),
        detail("320113001009"),  # a missing code redirects too: no probing without signing in
        reverse("regions:geojson", args=["320113001001"]),
        reverse("regions:building", args=[town.building.code]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


# ---- search ----


def test_search_by_exact_region_code_redirects(street: Client) -> None:
    response = street.get(reverse("regions:search"), {"q": "320113001001"})

    assert response.status_code == 302
    assert response["Location"] == detail("320113001001")


def test_search_by_exact_building_code_redirects(street: Client, town: Town) -> None:
    response = street.get(reverse("regions:search"), {"q": town.building.code})

    assert response["Location"] == reverse("regions:building", args=[town.building.code])


def test_search_while_typing_with_htmx_lists_instead_of_redirecting(street: Client) -> None:
    response = street.get(reverse("regions:search"), {"q": "320113001001"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert [r.code for r in response.context["regions"]] == ["320113001001", "320113001001001", "320113001001002"]


def test_search_by_code_prefix_lists_regions_and_buildings(street: Client, town: Town) -> None:
    response = street.get(reverse("regions:search"), {"q": "3201130010010"})

    assert response.status_code == 200
    assert [r.code for r in response.context["regions"]] == ["320113001001001", "320113001001002"]
    assert [b.code for b in response.context["buildings"]] == [town.building.code]


def test_search_by_name_finds_regions_and_compound_buildings(street: Client, town: Town) -> None:
    by_region = street.get(reverse("regions:search"), {"q": "尧"})
    by_compound = street.get(reverse("regions:search"), {"q": "银城"})

    assert [r.name for r in by_region.context["regions"]] == ["尧化街道", "尧化门社区", "新尧社区", "新尧学校专属网格"]
    assert [b.code for b in by_compound.context["buildings"]] == [town.building.code]
    assert "银城东苑3栋" in by_compound.content.decode()


def test_search_never_shows_what_is_out_of_scope(yaohuamen: Client, town: Town) -> None:
    response = yaohuamen.get(reverse("regions:search"), {"q": "新尧"})

    assert response.status_code == 200
    assert response.context["regions"] == []
    by_code = yaohuamen.get(reverse("regions:search"), {"q": town.school_building.code})
    assert by_code.status_code == 200  # no redirect to something the user may not open
    assert by_code.context["buildings"] == []


def test_empty_search_shows_the_form_only(street: Client) -> None:
    response = street.get(reverse("regions:search"))

    assert response.status_code == 200
    assert response.context["regions"] == [] and response.context["buildings"] == []


# ---- the map's GeoJSON ----


def test_geojson_of_a_community_is_itself_then_its_grids(yaohuamen: Client) -> None:
    response = yaohuamen.get(reverse("regions:geojson", args=["320113001001"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    props = [f["properties"] for f in data["features"]]
    assert [(p["role"], p["code"]) for p in props] == [
        ("self", "320113001001"),
        ("child", "320113001001001"),
        ("child", "320113001001002"),
    ]
    lon, lat = props[1].pop("label_at")
    assert 118.8 < lon < 118.825 and 32.13 < lat < 32.16  # inside the grid, for its name label
    assert props[1] == {
        "role": "child",
        "code": "320113001001001",
        "name": "第一网格",
        "level": "grid",
        "grid_kind": "comprehensive",
        "kind": "comprehensive",
        "label": "综合网格",
        "url": detail("320113001001001"),
    }
    assert data["features"][1]["geometry"]["type"] == "Polygon"


def test_geojson_of_a_grid_adds_its_buildings_as_points(street: Client, town: Town) -> None:
    data = street.get(reverse("regions:geojson", args=["320113001001002"])).json()

    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    assert len(data["features"]) == 2
    assert points[0]["geometry"]["coordinates"] == [118.83, 32.14]
    assert points[0]["properties"]["url"] == reverse("regions:building", args=[town.building.code])
    assert points[0]["properties"]["name"] == "银城东苑3栋"


def test_geojson_of_a_street_marks_dedicated_grids_apart(street: Client) -> None:
    data = street.get(reverse("regions:geojson", args=["320113001002"])).json()

    assert [f["properties"]["kind"] for f in data["features"]] == ["community", "dedicated"]


def test_map_gets_the_tile_server_only_when_one_is_configured(yaohuamen: Client) -> None:
    url = detail("320113001001")
    assert 'data-tile-url=""' in yaohuamen.get(url).content.decode()

    with override_settings(GONGZHI_TILE_URL="https://tiles.intranet.example/{z}/{x}/{y}.png"):
        html = yaohuamen.get(url).content.decode()

    assert 'data-tile-url="https://tiles.intranet.example/{z}/{x}/{y}.png"' in html
