"""The read API of regions, buildings and locate: /api/v1/…"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.core.models import Membership, Role
from gongzhi.regions.actions import do_create_building
from gongzhi.regions.crs import gcj02_to_bd09, wgs84_to_gcj02
from gongzhi.regions.models import Building, Compound, Region
from tests.conftest import SmallTree

pytestmark = pytest.mark.django_db

API = "/api/v1"
PASSWORD = "correct-horse-battery"


# ----------------------------------------------------------------------------- helpers


def _client_for(username: str, role: str, region: Region | None) -> Client:
    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, role=role, region=region)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def district_client(small_tree: SmallTree) -> Client:
    """A district leader of 栖霞区: sees the district and everything below it, not the city."""
    return _client_for("district", Role.DISTRICT_LEADER, small_tree.district)


@pytest.fixture
def community_client(small_tree: SmallTree) -> Client:
    """A community worker of 尧化门社区 (320113001001): not 新尧社区 next door."""
    return _client_for("yaohuamen", Role.COMMUNITY_STAFF, small_tree.community)


@pytest.fixture
def buildings(small_tree: SmallTree) -> dict[str, Building]:
    compound = Compound.objects.create(community=small_tree.community, name="银城东苑", lon=118.83, lat=32.14)
    common: dict[str, Any] = {"actor": None, "floors": 6, "units": 2, "rooms_per_floor": 2}
    return {
        "yincheng": do_create_building(
            community=small_tree.community, compound=compound, name="3栋", lon=118.83, lat=32.14, **common
        ),
        "loose": do_create_building(community=small_tree.community, name="7栋", lon=118.81, lat=32.15, **common),
        "school": do_create_building(community=small_tree.community2, name="教学楼", lon=118.82, lat=32.11, **common),
    }


def _codes(body: dict[str, Any]) -> list[str]:
    return [item["code"] for item in body["results"]]


def _errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["field"], item["code"]) for item in body["errors"]]


# ------------------------------------------------------------------------------ regions


def test_region_list_is_paginated_scoped_and_leaves_out_geometry(district_client: Client) -> None:
    # given a district leader
    # when they list regions two at a time
    response = district_client.get(f"{API}/regions/", {"limit": 2})
    # then they page through the district's eight regions, without polygons, city excluded
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 8
    assert _codes(body) == ["320113", "320113001"]
    assert "offset=2" in body["next"]
    district = body["results"][0]
    assert "geometry" not in district
    assert district["parent"]["code"] == "320100"
    assert district["child_count"] == 2
    assert district["bbox"] == [118.8, 32.1, 118.9, 32.16]
    assert district["label_point"] is not None
    assert district["grid_kind"] is None


def test_region_list_includes_geometry_on_request(district_client: Client) -> None:
    response = district_client.get(f"{API}/regions/", {"geometry": "1", "level": "grid"})
    results = response.json()["results"]
    assert [r["geometry"]["type"] for r in results] == ["Polygon"] * 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "community"}, ["320113001001", "320113001002"]),
        ({"parent": "320113001001"}, ["320113001001001", "320113001001002"]),
        ({"grid_kind": "dedicated"}, ["320113001002001"]),
        ({"dedicated_type": "school"}, ["320113001002001"]),
        ({"code__startswith": "320113001001"}, ["320113001001", "320113001001001", "320113001001002"]),
        ({"q": "尧"}, ["320113001", "320113001001", "320113001002", "320113001002001"]),
        ({"level": "grid", "grid_kind": "comprehensive"}, ["320113001001001", "320113001001002"]),
    ],
)
def test_region_list_filters(district_client: Client, params: dict[str, str], expected: list[str]) -> None:
    response = district_client.get(f"{API}/regions/", params)
    assert response.status_code == 200
    assert _codes(response.json()) == expected


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"level": "planet"}, ("level", "invalid_choice")),
        ({"grid_kind": "big"}, ("grid_kind", "invalid_choice")),
        ({"dedicated_type": "zoo"}, ("dedicated_type", "invalid_choice")),
        ({"parent": "abc"}, ("parent", "invalid_code")),
        ({"code__startswith": "32x"}, ("code__startswith", "invalid_code")),
    ],
)
def test_region_list_refuses_bad_filters(
    district_client: Client, params: dict[str, str], error: tuple[str, str]
) -> None:
    response = district_client.get(f"{API}/regions/", params)
    assert response.status_code == 400
    assert _errors(response.json()) == [error]


def test_region_detail_has_ancestors_counts_and_geometry(district_client: Client, small_tree: SmallTree) -> None:
    # when a grid is fetched by code
    body = district_client.get(f"{API}/regions/320113001001001/").json()
    # then it comes with its chain up to the city, its parent and its geometry
    assert body["code"] == "320113001001001"
    assert body["name"] == "第一网格"
    assert body["level"] == "grid"
    assert body["grid_kind"] == "comprehensive"
    assert body["parent"]["code"] == "320113001001"
    assert body["parent"]["url"].endswith("/api/v1/regions/320113001001/")
    assert [(a["code"], a["level"]) for a in body["ancestors"]] == [
        ("320100", "city"),
        ("320113", "district"),
        ("320113001", "street"),
        ("320113001001", "community"),
    ]
    assert body["child_count"] == 0
    assert body["bbox"] == [118.8, 32.13, 118.825, 32.16]
    assert body["area_km2"] == pytest.approx(small_tree.grid1.area_km2)
    assert body["label_point"] == {"lon": small_tree.grid1.label_lon, "lat": small_tree.grid1.label_lat}
    assert body["geometry"]["type"] == "Polygon"


def test_region_detail_counts_children(district_client: Client) -> None:
    assert district_client.get(f"{API}/regions/320113001/").json()["child_count"] == 2


def test_region_children_are_a_feature_collection(district_client: Client) -> None:
    response = district_client.get(f"{API}/regions/320113001001/children/")
    body = response.json()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == ["320113001001001", "320113001001002"]
    feature = body["features"][1]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"] == {
        "code": "320113001001002",
        "name": "第二网格",
        "level": "grid",
        "parent_code": "320113001001",
        "grid_kind": "comprehensive",
        "dedicated_type": None,
        "child_count": 0,
        "area_km2": feature["properties"]["area_km2"],
    }


def test_region_children_of_a_grid_is_empty(district_client: Client) -> None:
    body = district_client.get(f"{API}/regions/320113001002001/children/").json()
    assert body == {"type": "FeatureCollection", "features": []}


def test_region_children_answer_plain_json_when_asked(district_client: Client) -> None:
    response = district_client.get(f"{API}/regions/320113/children/", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert len(response.json()["features"]) == 2


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/regions/320113001002001.geojson", {}),
        ("/regions/320113001002001/?format=geojson", {}),
        ("/regions/320113001002001/", {"HTTP_ACCEPT": "application/geo+json"}),
    ],
)
def test_region_as_a_single_geojson_feature(district_client: Client, url: str, headers: dict[str, str]) -> None:
    response = district_client.get(f"{API}{url}", **headers)  # type: ignore[arg-type]
    body = response.json()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert body["type"] == "Feature"
    assert body["id"] == "320113001002001"
    assert body["bbox"] == [118.8, 32.1, 118.85, 32.13]
    assert body["geometry"]["type"] == "Polygon"
    assert body["properties"]["dedicated_type"] == "school"
    assert body["properties"]["grid_kind"] == "dedicated"


def test_region_detail_is_plain_json_by_default(district_client: Client) -> None:
    response = district_client.get(f"{API}/regions/320113/")
    assert response["Content-Type"] == "application/json"
    assert "ancestors" in response.json()


# -------------------------------------------------------------------------------- scope


def test_community_worker_lists_only_their_subtree(community_client: Client) -> None:
    body = community_client.get(f"{API}/regions/").json()
    assert _codes(body) == ["320113001001", "320113001001001", "320113001001002"]


@pytest.mark.parametrize(
    "path",
    [
        "/regions/320113001002/",
        "/regions/320113001002001/",
        "/regions/320113001002/children/",
        "/regions/320113001002001.geojson",
        "/regions/320113001/",
        "/regions/320100/",
    ],
)
def test_out_of_scope_regions_answer_exactly_like_missing_ones(community_client: Client, path: str) -> None:
    # given a worker of 尧化门社区 and a code of the same shape that exists nowhere
    missing = re.sub(r"\d{6}(?=[/.])", "999999", path)
    # when they ask for a region next door and for the missing one
    outside = community_client.get(f"{API}{path}")
    nowhere = community_client.get(f"{API}{missing}")
    # then both answer the same 404
    assert outside.status_code == nowhere.status_code == 404
    assert outside.content == nowhere.content
    assert _errors(outside.json()) == [("non_field_errors", "not_found")]


def test_community_worker_sees_the_names_above_them_but_cannot_open_them(community_client: Client) -> None:
    body = community_client.get(f"{API}/regions/320113001001/").json()
    assert [a["code"] for a in body["ancestors"]] == ["320100", "320113", "320113001"]
    assert community_client.get(body["parent"]["url"]).status_code == 404


def test_community_worker_sees_only_their_buildings(community_client: Client, buildings: dict[str, Building]) -> None:
    listed = community_client.get(f"{API}/buildings/").json()
    assert _codes(listed) == sorted([buildings["loose"].code, buildings["yincheng"].code])
    assert community_client.get(f"{API}/buildings/{buildings['school'].code}/").status_code == 404


# ---------------------------------------------------------------------------- buildings


def test_building_list_has_address_grid_and_counts(district_client: Client, buildings: dict[str, Building]) -> None:
    body = district_client.get(f"{API}/buildings/").json()
    assert body["count"] == 3
    by_code = {b["code"]: b for b in body["results"]}
    yincheng = by_code[buildings["yincheng"].code]
    assert yincheng["address"] == "栖霞区/尧化街道/尧化门社区/银城东苑/3栋"
    assert yincheng["grid"]["code"] == "320113001001002"
    assert yincheng["community"]["code"] == "320113001001"
    assert yincheng["compound"]["name"] == "银城东苑"
    assert (yincheng["lon"], yincheng["lat"]) == (118.83, 32.14)
    assert (yincheng["floors"], yincheng["units"], yincheng["room_count"]) == (6, 2, 24)
    assert by_code[buildings["loose"].code]["compound"] is None
    assert by_code[buildings["loose"].code]["address"] == "栖霞区/尧化街道/尧化门社区/7栋"


def test_building_detail(district_client: Client, buildings: dict[str, Building]) -> None:
    code = buildings["school"].code
    response = district_client.get(f"{API}/buildings/{code}/")
    body = response.json()
    assert response.status_code == 200
    assert body["code"] == code
    assert body["url"].endswith(f"/api/v1/buildings/{code}/")
    assert body["address"] == "栖霞区/尧化街道/新尧社区/教学楼"
    assert body["grid"]["code"] == "320113001002001"
    assert (body["units"], body["room_count"]) == (2, 24)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"grid": "320113001001001"}, ["loose"]),
        ({"community": "320113001001"}, ["yincheng", "loose"]),
        ({"community": "320113001002"}, ["school"]),
        ({"compound": "银城"}, ["yincheng"]),
        ({"code__startswith": "320113001001002"}, ["yincheng"]),
        ({"q": "教学"}, ["school"]),
        ({"q": "东苑"}, ["yincheng"]),
    ],
)
def test_building_list_filters(
    district_client: Client, buildings: dict[str, Building], params: dict[str, str], expected: list[str]
) -> None:
    body = district_client.get(f"{API}/buildings/", params).json()
    assert _codes(body) == sorted(buildings[name].code for name in expected)


def test_building_list_refuses_a_bad_grid_code(district_client: Client) -> None:
    response = district_client.get(f"{API}/buildings/", {"grid": "第一网格"})
    assert response.status_code == 400
    assert _errors(response.json()) == [("grid", "invalid_code")]


@pytest.mark.parametrize("path", ["/regions/", "/buildings/"])
def test_list_queries_do_not_grow_with_the_page(
    district_client: Client, buildings: dict[str, Building], path: str
) -> None:
    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(district_client.get(f"{API}{path}", {"limit": limit}).json()["results"]) == limit
        return len(captured)

    assert queries(1) == queries(3)


# ------------------------------------------------------------------------------- locate


def test_locate_answers_grid_ancestors_and_wgs84(district_client: Client) -> None:
    response = district_client.get(f"{API}/locate/", {"lon": "118.81", "lat": "32.15"})
    body = response.json()
    assert response.status_code == 200
    assert body["grid"]["code"] == "320113001001001"
    assert body["grid"]["name"] == "第一网格"
    assert body["grid"]["level"] == "grid"
    assert body["grid"]["grid_kind"] == "comprehensive"
    assert [a["code"] for a in body["ancestors"]] == ["320100", "320113", "320113001", "320113001001"]
    assert body["wgs84"] == {"lon": 118.81, "lat": 32.15}


def test_locate_on_a_shared_edge_picks_the_lower_code(district_client: Client) -> None:
    # 第一网格 ends and 第二网格 begins at lon 118.825
    body = district_client.get(f"{API}/locate/", {"lon": "118.825", "lat": "32.145"}).json()
    assert body["grid"]["code"] == "320113001001001"


def test_locate_converts_gcj02_input(district_client: Client) -> None:
    # given a point of 第一网格 as an AMap phone reports it; read as WGS-84 it would be in 第二网格
    lon, lat = wgs84_to_gcj02(118.822, 32.145)
    naive = district_client.get(f"{API}/locate/", {"lon": str(lon), "lat": str(lat)}).json()
    assert naive["grid"]["code"] == "320113001001002"
    # when it is sent as gcj02 (in any customary spelling)
    for crs in ("gcj02", "GCJ-02"):
        body = district_client.get(f"{API}/locate/", {"lon": str(lon), "lat": str(lat), "crs": crs}).json()
        # then it lands in 第一网格 and the answer gives it back in WGS-84
        assert body["grid"]["code"] == "320113001001001"
        assert body["wgs84"]["lon"] == pytest.approx(118.822, abs=1e-7)
        assert body["wgs84"]["lat"] == pytest.approx(32.145, abs=1e-7)


def test_locate_converts_bd09_input(district_client: Client) -> None:
    lon, lat = gcj02_to_bd09(*wgs84_to_gcj02(118.822, 32.145))
    body = district_client.get(f"{API}/locate/", {"lon": str(lon), "lat": str(lat), "crs": "bd09"}).json()
    assert body["grid"]["code"] == "320113001001001"


def test_locate_outside_every_grid_is_a_structured_404(district_client: Client) -> None:
    # 马群街道 has no grids
    response = district_client.get(f"{API}/locate/", {"lon": "118.87", "lat": "32.15"})
    assert response.status_code == 404
    assert _errors(response.json()) == [("lon", "outside_grids")]


def test_locate_in_a_grid_outside_the_jurisdiction_answers_like_outside(community_client: Client) -> None:
    # given a worker of 尧化门社区 and a point in 新尧社区's school grid
    outside_scope = community_client.get(f"{API}/locate/", {"lon": "118.82", "lat": "32.11"})
    outside_grids = community_client.get(f"{API}/locate/", {"lon": "118.87", "lat": "32.15"})
    # then the answer does not reveal the grid
    assert outside_scope.status_code == 404
    assert outside_scope.content == outside_grids.content
    # while their own grids are answered
    inside = community_client.get(f"{API}/locate/", {"lon": "118.81", "lat": "32.15"})
    assert inside.json()["grid"]["code"] == "320113001001001"


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"lat": "32.15"}, [("lon", "required")]),
        ({"lon": "118.81"}, [("lat", "required")]),
        ({}, [("lon", "required"), ("lat", "required")]),
        ({"lon": "east", "lat": "32.15"}, [("lon", "invalid")]),
        ({"lon": "118.81", "lat": ""}, [("lat", "invalid")]),
        ({"lon": "nan", "lat": "32.15"}, [("lon", "invalid")]),
        ({"lon": "118.81", "lat": "inf"}, [("lat", "invalid")]),
        ({"lon": "180.5", "lat": "32.15"}, [("lon", "out_of_range")]),
        ({"lon": "-181", "lat": "32.15"}, [("lon", "out_of_range")]),
        ({"lon": "118.81", "lat": "90.01"}, [("lat", "out_of_range")]),
        ({"lon": "118.81", "lat": "-91"}, [("lat", "out_of_range")]),
        ({"lon": "118.81", "lat": "32.15", "crs": "utm50n"}, [("crs", "invalid_choice")]),
    ],
)
def test_locate_validation_errors_are_structured(
    district_client: Client, params: dict[str, str], errors: list[tuple[str, str]]
) -> None:
    response = district_client.get(f"{API}/locate/", params)
    assert response.status_code == 400
    assert _errors(response.json()) == errors


def test_locate_error_messages_follow_the_request_language(district_client: Client) -> None:
    response = district_client.get(f"{API}/locate/", {"lon": "200", "lat": "32"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"][0]["message"] == "Longitude must be between -180 and 180."
    response = district_client.get(f"{API}/locate/", {"lon": "1", "lat": "1", "crs": "utm"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"][0]["message"] == 'Unknown coordinate system "utm"; use wgs84, gcj02 or bd09.'


# ------------------------------------------------------------------------- locate batch


def _batch(client: Client, body: Any) -> Any:
    return client.post(f"{API}/locate/batch/", body, content_type="application/json")


def test_locate_batch_answers_a_code_or_null_per_point(district_client: Client) -> None:
    points = [[118.81, 32.15], [118.87, 32.15], [118.825, 32.145], [118.82, 32.11], [121.47, 31.23]]
    response = _batch(district_client, {"points": points})
    assert response.status_code == 200
    assert response.json() == {
        "crs": "wgs84",
        "count": 5,
        "located": 3,
        "grids": ["320113001001001", None, "320113001001001", "320113001002001", None],
    }


def test_locate_batch_converts_gcj02(district_client: Client) -> None:
    points = [list(wgs84_to_gcj02(118.822, 32.145)), list(wgs84_to_gcj02(118.835, 32.145))]
    body = _batch(district_client, {"crs": "gcj02", "points": points}).json()
    assert body["grids"] == ["320113001001001", "320113001001002"]


def test_locate_batch_hides_grids_outside_the_jurisdiction(community_client: Client) -> None:
    body = _batch(community_client, {"points": [[118.81, 32.15], [118.82, 32.11]]}).json()
    assert body["grids"] == ["320113001001001", None]
    assert body["located"] == 1


def test_locate_batch_takes_ten_thousand_points(district_client: Client) -> None:
    points = [[118.8 + (i % 100) * 0.0005, 32.1 + (i // 100) * 0.0006] for i in range(10_000)]
    body = _batch(district_client, {"points": points}).json()
    assert body["count"] == 10_000
    assert body["located"] == 10_000


def test_locate_batch_accepts_no_points(district_client: Client) -> None:
    assert _batch(district_client, {"points": []}).json() == {"crs": "wgs84", "count": 0, "located": 0, "grids": []}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("points", "required")]),
        ({"points": "118.8,32.1"}, [("points", "not_a_list")]),
        ({"points": [[118.8, 32.1]] * 10_001}, [("points", "max_length")]),
        ({"points": [[118.8, 32.1], [118.8]]}, [("points.1", "invalid")]),
        ({"points": [[118.8, 32.1], [118.8, 32.1, 5]]}, [("points.1", "invalid")]),
        ({"points": [["118.8", 32.1]]}, [("points.0", "invalid")]),
        ({"points": [[True, 32.1]]}, [("points.0", "invalid")]),
        ({"points": [[118.8, None]]}, [("points.0", "invalid")]),
        ({"points": [{"lon": 118.8, "lat": 32.1}]}, [("points.0", "invalid")]),
        ({"points": [[118.8, 32.1], [118.8, 32.1], [218.8, 32.1]]}, [("points.2", "out_of_range")]),
        ({"points": [[118.8, 32.1], [118.8, -92]]}, [("points.1", "out_of_range")]),
        ({"points": [[118.8, 32.1], [118.8, 92], [190, 32.1]]}, [("points.1", "out_of_range")]),
        ({"points": [[10**400, 32.1]]}, [("points.0", "invalid")]),
        ({"crs": "wgs", "points": [[118.8, 32.1]]}, [("crs", "invalid_choice")]),
    ],
)
def test_locate_batch_validation_errors_are_structured(
    district_client: Client, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    response = _batch(district_client, body)
    assert response.status_code == 400
    assert _errors(response.json()) == errors


def test_locate_batch_refuses_malformed_json(district_client: Client) -> None:
    response = district_client.post(f"{API}/locate/batch/", "{points: [", content_type="application/json")
    assert response.status_code == 400
    assert _errors(response.json()) == [("non_field_errors", "parse_error")]


def test_locate_batch_with_a_session_needs_the_csrf_token(small_tree: SmallTree) -> None:
    # given a browser session (the test client skips CSRF checks unless told not to)
    user = User.objects.create_superuser(username="root", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    # when it posts without the token
    response = _batch(client, {"points": []})
    # then the refusal is structured
    assert response.status_code == 403
    assert _errors(response.json()) == [("non_field_errors", "permission_denied")]


# ----------------------------------------------------------------- authentication, URLs


@pytest.mark.parametrize(
    "path", ["/regions/", "/regions/320113/", "/regions/320113/children/", "/buildings/", "/locate/?lon=1&lat=1"]
)
def test_anonymous_requests_are_refused_with_the_structured_body(small_tree: SmallTree, path: str) -> None:
    response = Client().get(f"{API}{path}")
    assert response.status_code == 403
    assert _errors(response.json()) == [("non_field_errors", "not_authenticated")]


def test_basic_authentication_works_and_bad_passwords_are_structured(district_client: Client) -> None:
    def basic(password: str) -> str:
        return "Basic " + base64.b64encode(f"district:{password}".encode()).decode()

    ok = Client().get(f"{API}/regions/320113/", HTTP_AUTHORIZATION=basic(PASSWORD))
    assert ok.status_code == 200
    bad = Client().get(f"{API}/regions/320113/", HTTP_AUTHORIZATION=basic("wrong"))
    assert bad.status_code == 403
    assert _errors(bad.json()) == [("non_field_errors", "authentication_failed")]


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing/", "/api/v1/regions/abc/", "/api/v2/regions/", "/api/", "/api/v1/regions/320113.kml"]
)
def test_unknown_api_urls_answer_a_structured_404(district_client: Client, path: str) -> None:
    for client in (district_client, Client()):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert _errors(response.json()) == [("non_field_errors", "not_found")]


def test_writes_are_not_allowed(district_client: Client) -> None:
    response = district_client.post(f"{API}/regions/", {}, content_type="application/json")
    assert response.status_code == 405
    assert _errors(response.json()) == [("non_field_errors", "method_not_allowed")]


# ---------------------------------------------------------------------------- OpenAPI


def test_schema_documents_every_endpoint(district_client: Client) -> None:
    response = district_client.get("/api/schema/", {"format": "json"})
    schema = response.json()
    assert response.status_code == 200
    assert {
        "/api/v1/regions/",
        "/api/v1/regions/{code}/",
        "/api/v1/regions/{code}/children/",
        "/api/v1/buildings/",
        "/api/v1/buildings/{code}/",
        "/api/v1/locate/",
        "/api/v1/locate/batch/",
    } <= set(schema["paths"])
    assert "Error" in schema["components"]["schemas"]
    locate = schema["paths"]["/api/v1/locate/"]["get"]
    assert {p["name"] for p in locate["parameters"]} >= {"lon", "lat", "crs"}
    assert {"200", "400", "403", "404"} <= set(locate["responses"])
    region_list = schema["paths"]["/api/v1/regions/"]["get"]
    assert {p["name"] for p in region_list["parameters"]} >= {
        "level",
        "parent",
        "grid_kind",
        "dedicated_type",
        "code__startswith",
        "q",
        "geometry",
        "limit",
        "offset",
    }


def test_schema_validates_without_warnings(tmp_path: Any) -> None:
    # --fail-on-warn turns any schema generation warning (an unannotated view, say) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_swagger_ui_uses_only_local_assets(district_client: Client) -> None:
    response = district_client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page should load its scripts and styles"
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped by an installed package"
    assert not re.search(r"https?://", html), "no URL to another host may appear in the page"
