"""The acceptance flow of the case loop, all over HTTP: a resident's report through another system, the
street registers and dispatches it to 城管局, the department signs, starts and reports the result, the
grid worker verifies it on site, the resident is not satisfied, and the case is rework.

Once through the REST API (the resident's app files with an API key), once through Open311 (a
GeoReport v2 client files; staff work in the REST API; the Open311 feed follows the case).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from gongzhi.cases.actions.config import do_create_api_client
from gongzhi.cases.models import Case, Status
from tests.cases.conftest import GRID1_POINT, Loop
from tests.core.signin import force_login_verified

API = "/api/v1"
JSON = "application/json"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def staff(loop: Loop, name: str) -> Client:
    return force_login_verified(Client(), loop.users[name])


def act(http: Client, number: str, action: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    response = http.post(f"{API}/cases/{number}/actions/{action}/", data or {}, content_type=JSON)
    assert response.status_code == 200, (action, response.content)
    body: dict[str, Any] = response.json()
    return body


def offered(http: Client, number: str) -> set[str]:
    return {a["action"] for a in http.get(f"{API}/cases/{number}/").json()["available_actions"]}


def handle_to_verified(loop: Loop, number: str) -> None:
    """The staff part of the loop, each step by its party, each offered to them before they take it."""
    street, dept, grid = staff(loop, "street"), staff(loop, "dept"), staff(loop, "grid")
    # the street finds the new report in its list, registers it and dispatches it to 城管局
    pending = street.get(f"{API}/cases/", {"status": "pending"}).json()["results"]
    assert number in [r["number"] for r in pending]
    assert {"accept", "reject"} <= offered(street, number)
    assert act(street, number, "accept", {"note": "属实"})["status"] == Status.REGISTERED
    dispatched = act(street, number, "dispatch", {"department": loop.department.pk})
    assert dispatched["status"] == Status.DISPATCHED and dispatched["handle_due"]
    # the department finds it in its list, signs for it, starts and reports the result
    assert number in [r["number"] for r in dept.get(f"{API}/cases/").json()["results"]]
    assert offered(dept, number) >= {"sign", "return"}
    act(dept, number, "sign")
    act(dept, number, "start", {"note": "已安排执法队员"})
    finished = act(dept, number, "finish", {"result": "已督促工地覆盖渣土并冲洗路面", "resolution": "solved"})
    assert finished["status"] == Status.VERIFYING
    # the grid worker of the place verifies it on site: closed
    assert "verify_pass" in offered(grid, number)
    assert act(grid, number, "verify_pass", {"note": "现场已整改"})["status"] == Status.CLOSED


def test_acceptance_flow_through_the_rest_api(loop: Loop) -> None:
    # given the residents' app, an API client of the district
    _client, key = do_create_api_client(actor=loop.actor("sysadmin"), name="市民通", region_code="320113")
    app = Client()
    # when a resident reports dust from a building site in 第一网格
    filed = app.post(
        f"{API}/cases/",
        {
            "title": "工地夜间扬尘严重",
            "description": "小区东侧工地晚上渣土车进出，扬尘很大，窗户都不敢开。",
            "category": "SJ0302",
            "lon": GRID1_POINT[0],
            "lat": GRID1_POINT[1],
            "crs": "wgs84",
            "reporter_name": "王秀英",
            "reporter_phone": "13912345678",
        },
        content_type=JSON,
        HTTP_AUTHORIZATION=f"ApiKey {key}",
        HTTP_IDEMPOTENCY_KEY="app-0001",
    )
    # then it is filed for the street to register, and the resident holds a ticket
    assert filed.status_code == 201
    number, token = filed.json()["number"], filed.json()["token"]
    assert filed.json()["owner_code"] == loop.tree.street.code
    # when staff handle it and the grid worker verifies it
    handle_to_verified(loop, number)
    # then the resident sees it closed with the result, and may rate it
    ticket = app.get(f"{API}/tickets/{number}/", {"token": token}).json()
    assert (ticket["status"], ticket["result"], ticket["can_rate"]) == ("closed", "已督促工地覆盖渣土并冲洗路面", True)
    # when the resident rates 不满意
    rated = app.post(
        f"{API}/tickets/{number}/rate/",
        {"token": token, "rating": "unsatisfied", "comment": "晚上还是有扬尘"},
        content_type=JSON,
    )
    # then the case is rework, counted once, back with 城管局, which is offered to start again
    assert rated.status_code == 200 and rated.json()["status"] == "rework"
    case = Case.objects.get(number=number)
    assert (case.status, case.rework_count, case.rating) == ("rework", 1, "unsatisfied")
    assert case.department_id == loop.department.pk
    assert "start" in offered(staff(loop, "dept"), number)


def test_acceptance_flow_through_open311(loop: Loop) -> None:
    # given a GeoReport v2 client of the district
    _client, key = do_create_api_client(actor=loop.actor("sysadmin"), name="FixMyStreet", region_code="320113")
    open311 = Client()
    # when it posts a service request (asking for our extension: the resident's ticket token)
    posted = open311.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "SJ0302",
            "lat": str(GRID1_POINT[1]),
            "long": str(GRID1_POINT[0]),
            "first_name": "秀英",
            "last_name": "王",
            "phone": "13912345678",
            "description": "小区东侧工地晚上渣土车进出，扬尘很大。",
            "attribute[client_key]": "fms-0001",
            "extensions": "true",
        },
    )
    assert posted.status_code == 201
    (row,) = posted.json()
    number, token = row["service_request_id"], row["ticket_token"]

    def feed() -> dict[str, Any]:
        response = open311.get(f"/open311/v2/requests/{number}.json")
        assert response.status_code == 200
        (request,) = response.json()
        return dict(request)

    # then the feed shows it open
    assert feed()["status"] == "open"
    # when staff handle it through the REST API and the grid worker verifies it
    handle_to_verified(loop, number)
    # then the feed shows it closed, with the result as the status notes and the department responsible
    closed = feed()
    assert (closed["status"], closed["status_notes"]) == ("closed", "已督促工地覆盖渣土并冲洗路面")
    assert closed["agency_responsible"] == loop.department.name and closed["service_code"] == "SJ0302"
    # when the resident rates 不满意 with the ticket token
    rated = open311.post(f"{API}/tickets/{number}/rate/", {"token": token, "rating": "unsatisfied"}, content_type=JSON)
    # then the case is rework and the feed shows it open again
    assert rated.status_code == 200
    case = Case.objects.get(number=number)
    assert (case.status, case.rework_count, case.channel) == ("rework", 1, "open311")
    reopened = feed()
    assert reopened["status"] == "open" and reopened["status_notes"] == "返工"
