"""The case loop's REST API: intake (keys, idempotency, errors), scoped reads, every workflow action,
request decisions, indicators, the resident's ticket and rating, the inbox, categories.

Users and places are those of the `loop` fixture (tests/cases/conftest.py); a refused call must
leave the case exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image

from gongzhi.cases import indicators
from gongzhi.cases.access import cases_for
from gongzhi.cases.actions import transitions as t
from gongzhi.cases.actions.config import do_create_api_client
from gongzhi.cases.api.auth import IntakeThrottle, forget_clients
from gongzhi.cases.models import ApiClient, Case, CaseEvent, Notification, RequestKind, Status
from gongzhi.core.models import AuditEvent
from tests.cases.conftest import GRID1_POINT, STREET2_POINT, Loop
from tests.cases.states import reach
from tests.core.signin import force_login_verified

API = "/api/v1"
JSON = "application/json"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # The throttles count in the cache, which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


def signed_in(loop: Loop, name: str) -> Client:
    return force_login_verified(Client(), loop.users[name])


def api_key(loop: Loop, region_code: str = "320113", name: str = "市民通") -> tuple[ApiClient, str]:
    return do_create_api_client(actor=loop.actor("sysadmin"), name=name, region_code=region_code)


def key_header(key: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"ApiKey {key}"}


def errors(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


REPORT = {
    "title": "工地夜间扬尘严重",
    "description": "小区东侧工地晚上渣土车进出，扬尘很大，窗户都不敢开。",
    "category": "SJ0302",
    "lon": GRID1_POINT[0],
    "lat": GRID1_POINT[1],
    "reporter_name": "王秀英",
    "reporter_phone": "13912345678",
}


def snapshot(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.owner_code,
        fresh.department_id,
        fresh.supervised,
        fresh.handle_due,
        CaseEvent.objects.filter(case=case).count(),
        AuditEvent.objects.count(),
        fresh.requests.count(),
    )


# ------------------------------------------------------------------------------ intake


def test_api_client_files_once_per_idempotency_key(loop: Loop) -> None:
    # given another system with a key for the district
    client, key = api_key(loop)
    http = Client()
    # when it files a report, then sends the same report again with the same key
    first = http.post(f"{API}/cases/", REPORT, content_type=JSON, HTTP_IDEMPOTENCY_KEY="app-17", **key_header(key))
    again = http.post(f"{API}/cases/", REPORT, content_type=JSON, HTTP_IDEMPOTENCY_KEY="app-17", **key_header(key))
    # then one case exists, created once (201) and answered again (200) with the same case
    assert first.status_code == 201 and again.status_code == 200
    body, replay = first.json(), again.json()
    case = Case.objects.get()
    assert body["number"] == replay["number"] == case.number
    assert (case.channel, case.source, case.client_key) == ("api", f"client:{client.pk}", "app-17")
    assert body["status"] == "pending" and body["category"] == {"code": "SJ0302", "name": "工地扬尘与渣土"}
    assert body["region_code"] == loop.tree.grid1.code and body["owner_code"] == loop.tree.street.code
    assert body["suggestions"] == [] and body["duplicate_candidate"] is None
    assert {"response_due", "handle_due", "created_at", "ticket_url"} <= set(body)
    # and the resident's token is shown once: it opens the ticket, and the replay does not repeat it
    assert body["token"] and replay["token"] is None
    assert {k: v for k, v in body.items() if k != "token"} == {k: v for k, v in replay.items() if k != "token"}
    assert http.get(f"{API}/tickets/{case.number}/", {"token": body["token"]}).status_code == 200


def test_client_key_in_the_body_is_the_same_as_the_header(loop: Loop) -> None:
    _client, key = api_key(loop)
    http = Client()
    first = http.post(f"{API}/cases/", {**REPORT, "client_key": "k1"}, content_type=JSON, **key_header(key))
    again = http.post(f"{API}/cases/", REPORT, content_type=JSON, HTTP_IDEMPOTENCY_KEY="k1", **key_header(key))
    clash = http.post(
        f"{API}/cases/", {**REPORT, "client_key": "k2"}, content_type=JSON, HTTP_IDEMPOTENCY_KEY="k3", **key_header(key)
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert clash.status_code == 400 and errors(clash) == [("client_key", "key_mismatch")]
    assert Case.objects.count() == 1


def test_api_client_without_a_position_files_in_its_area(loop: Loop) -> None:
    _client, key = api_key(loop, region_code=loop.tree.street.code)
    body = {k: v for k, v in REPORT.items() if k not in ("lon", "lat")}
    response = Client().post(f"{API}/cases/", body, content_type=JSON, **key_header(key))
    assert response.status_code == 201 and response.json()["region_code"] == loop.tree.street.code


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"description": ""}, [("description", "blank")]),
        ({"crs": "mercator"}, [("crs", "invalid_choice")]),
        ({"lon": "东经"}, [("lon", "invalid")]),
        ({"lon": 120.5, "lat": 31.0}, [("lon", "outside_area")]),
        ({"category": "SJ03"}, [("category", "category_invalid")]),
        ({"category": "BJ0101"}, [("attributes.cover_state", "required")]),
        ({"reporter_phone": "12345"}, [("reporter_phone", "format")]),
        ({"attributes": "[1, 2]"}, [("attributes", "invalid")]),
    ],
)
def test_intake_refuses_bad_input_with_field_code_and_message(
    loop: Loop, change: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    _client, key = api_key(loop)
    response = Client().post(f"{API}/cases/", {**REPORT, **change}, content_type=JSON, **key_header(key))
    assert response.status_code == 400
    got = errors(response)
    assert [(f, c) for f, c in got if (f, c) in expected] == expected, got
    assert all(e["message"] for e in response.json()["errors"])
    assert not Case.objects.exists()


def test_intake_keys_wrong_inactive_or_missing_are_refused(loop: Loop) -> None:
    client, key = api_key(loop)
    http = Client()
    wrong = http.post(f"{API}/cases/", REPORT, content_type=JSON, **key_header("gz_not-a-key"))
    malformed = http.post(f"{API}/cases/", REPORT, content_type=JSON, HTTP_AUTHORIZATION="ApiKey")
    nothing = http.post(f"{API}/cases/", REPORT, content_type=JSON)
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    forget_clients()  # this process remembers keys for 30 s
    inactive = http.post(f"{API}/cases/", REPORT, content_type=JSON, **key_header(key))
    for response in (wrong, malformed, nothing, inactive):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("ApiKey")
    assert errors(inactive) == [("non_field_errors", "authentication_failed")]
    assert errors(nothing) == [("non_field_errors", "not_authenticated")]
    assert not Case.objects.exists()
    # and a key opens nothing but intake and the categories
    _other, good = api_key(loop, name="另一个系统")
    assert http.get(f"{API}/cases/", **key_header(good)).status_code == 403
    assert http.get(f"{API}/categories/", **key_header(good)).status_code == 200


def test_staff_file_as_staff_grid_workers_as_patrol_and_departments_may_not(loop: Loop) -> None:
    by_street = signed_in(loop, "street").post(f"{API}/cases/", REPORT, content_type=JSON)
    by_grid = signed_in(loop, "grid").post(f"{API}/cases/", REPORT, content_type=JSON, HTTP_IDEMPOTENCY_KEY="p1")
    by_dept = signed_in(loop, "dept").post(f"{API}/cases/", REPORT, content_type=JSON)
    assert (by_street.status_code, by_grid.status_code, by_dept.status_code) == (201, 201, 403)
    street_case = Case.objects.get(number=by_street.json()["number"])
    grid_case = Case.objects.get(number=by_grid.json()["number"])
    assert (street_case.channel, street_case.source, street_case.reporter) == (
        "staff",
        f"user:{loop.users['street'].pk}",
        loop.users["street"],
    )
    assert (grid_case.channel, grid_case.client_key) == ("patrol", "p1")
    # the second report of the same place is flagged as a probable duplicate of the first
    assert by_grid.json()["duplicate_candidate"] == street_case.number
    assert Case.objects.count() == 2


def test_grid_worker_closes_on_the_spot_with_a_photo(loop: Loop, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    grid = signed_in(loop, "grid")
    form = {**REPORT, "close_on_spot": "true", "result": "已当场清扫路面", "photos": [png()]}
    response = grid.post(f"{API}/cases/", form)
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert (case.status, case.closed_on_spot, case.result) == ("closed", True, "已当场清扫路面")
    assert case.photos.count() == 1
    # and no one else may close on the spot
    _client, key = api_key(loop)
    refused = Client().post(
        f"{API}/cases/", {**REPORT, "close_on_spot": True, "result": "修好了"}, content_type=JSON, **key_header(key)
    )
    assert refused.status_code == 400 and Case.objects.count() == 1


def test_intake_is_rate_limited_per_client(loop: Loop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IntakeThrottle, "rate", "2/min", raising=False)
    _a, key_a = api_key(loop)
    _b, key_b = api_key(loop, name="另一个系统")
    http = Client()
    codes = [http.post(f"{API}/cases/", REPORT, content_type=JSON, **key_header(key_a)).status_code for _ in range(3)]
    other = http.post(f"{API}/cases/", REPORT, content_type=JSON, **key_header(key_b))
    assert codes == [201, 201, 429] and other.status_code == 201
    assert Case.objects.count() == 3


# ------------------------------------------------------------------------------ reads


def test_case_list_is_scoped_filtered_and_paginated(loop: Loop) -> None:
    # given two cases in 尧化街道 (one registered) and one in 马群街道
    mine = loop.file().case
    registered = loop.file(title="渣土车撒漏").case
    t.do_accept_case(actor=loop.actor("street"), case_id=registered.pk)
    theirs = loop.file(point=STREET2_POINT).case
    street = signed_in(loop, "street")
    # when each street lists
    listed = street.get(f"{API}/cases/").json()
    other = signed_in(loop, "street2").get(f"{API}/cases/").json()
    # then each sees only its own
    assert {r["number"] for r in listed["results"]} == {mine.number, registered.number}
    assert [r["number"] for r in other["results"]] == [theirs.number]
    assert listed["count"] == 2 and "offset" not in (listed["next"] or "")
    first = listed["results"][0]
    assert first["url"].endswith(f"/api/v1/cases/{first['number']}/") and first["status_label"]
    # and the filters narrow within that
    by_status = street.get(f"{API}/cases/", {"status": "registered"}).json()
    by_text = street.get(f"{API}/cases/", {"q": "撒漏"}).json()
    by_number = street.get(f"{API}/cases/", {"q": mine.number}).json()
    by_region = street.get(f"{API}/cases/", {"region": loop.tree.grid2.code}).json()
    by_category = street.get(f"{API}/cases/", {"category": "SJ", "channel": "h5"}).json()
    page = street.get(f"{API}/cases/", {"limit": 1}).json()
    assert [r["number"] for r in by_status["results"]] == [registered.number]
    assert [r["number"] for r in by_text["results"]] == [registered.number]
    assert [r["number"] for r in by_number["results"]] == [mine.number]
    assert by_region["count"] == 0 and by_category["count"] == 2
    assert len(page["results"]) == 1 and "offset=1" in page["next"]
    bad = street.get(f"{API}/cases/", {"status": "lost", "region": "32x"})
    assert bad.status_code == 400 and set(errors(bad)) == {("status", "invalid_choice"), ("region", "invalid")}
    # and a user with no role sees nothing, an anonymous caller is refused
    assert signed_in(loop, "nobody").get(f"{API}/cases/").json()["count"] == 0
    assert Client().get(f"{API}/cases/").status_code == 403


def test_case_detail_and_photo_for_those_who_see_it_404_for_others(loop: Loop, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    # given a case filed with a photo by the community
    filed = signed_in(loop, "community").post(f"{API}/cases/", {**REPORT, "photos": [png()]})
    number = filed.json()["number"]
    street, street2 = signed_in(loop, "street"), signed_in(loop, "street2")
    # when the street opens it
    detail = street.get(f"{API}/cases/{number}/")
    # then it has the timeline, the photo and the street's next steps
    body = detail.json()
    assert detail.status_code == 200
    assert [e["action"] for e in body["timeline"]] == ["file"]
    assert body["timeline"][0]["by"] == "community"
    assert body["reporter_name_masked"] and "王秀英" not in detail.content.decode()
    assert "13912345678" not in detail.content.decode()
    actions = {a["action"]: a["url"] for a in body["available_actions"]}
    assert {"accept", "reject", "merge", "escalate", "assign_down", "supervise"} <= set(actions)
    assert actions["accept"].endswith(f"/api/v1/cases/{number}/actions/accept/")
    photo_url = body["photos"][0]["url"]
    photo = street.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo.getvalue().startswith(b"\x89PNG")
    # and a user of another street gets 404 for the case and its photo, like a missing case
    assert street2.get(f"{API}/cases/{number}/").status_code == 404
    assert street2.get(photo_url).status_code == 404
    assert street.get(f"{API}/cases/000000/").status_code == 404
    assert street.get(f"{API}/cases/{number}/photos/999999/").status_code == 404
    # and the department sees it only once it is sent there
    assert signed_in(loop, "dept").get(f"{API}/cases/{number}/").status_code == 404


# ------------------------------------------------------------------------------ actions

Prepare = Callable[[Loop, Case], dict[str, Any]]


def body(data: dict[str, Any]) -> Prepare:
    return lambda _loop, _case: data


def _merge_target(loop: Loop, case: Case) -> dict[str, Any]:
    return {"into": loop.file(title="同一工地扬尘").case.number}


def _reported_in(loop: Loop, case: Case) -> dict[str, Any]:
    t.do_report_in(actor=loop.actor("water"), case_id=case.pk)
    return {"text": "已配合冲洗路面"}


# action, state, whistle case, user, body, status after, an extra check on the fresh case
ACTIONS: list[tuple[str, str, bool, str, Prepare, str, Callable[[Loop, Case], bool]]] = [
    ("accept", Status.PENDING, False, "street", body({"note": "属实"}), Status.REGISTERED, lambda lp, c: True),
    ("reject", Status.PENDING, False, "street", body({"reason": "重复反映"}), Status.REJECTED,
     lambda lp, c: c.result == "重复反映"),
    ("merge", Status.PENDING, False, "street", _merge_target, Status.MERGED, lambda lp, c: c.duplicate_of is not None),
    ("escalate", Status.REGISTERED, False, "street", body({"reason": "需区级协调"}), Status.REGISTERED,
     lambda lp, c: c.owner_code == "320113"),
    ("assign_down", Status.REGISTERED, False, "street", lambda lp, c: {"to": lp.tree.community.code},
     Status.REGISTERED, lambda lp, c: c.owner_code == lp.tree.community.code),
    ("dispatch", Status.REGISTERED, False, "street", lambda lp, c: {"department": lp.department.pk},
     Status.DISPATCHED, lambda lp, c: c.department_id == lp.department.pk),
    ("whistle", Status.REGISTERED, False, "street",
     lambda lp, c: {"lead": lp.department.pk, "assisting": [lp.water.pk], "report_in_hours": 12},
     Status.DISPATCHED, lambda lp, c: c.whistle.parties.count() == 2),
    ("sign", Status.DISPATCHED, False, "dept", body({}), Status.SIGNED, lambda lp, c: c.responded_at is not None),
    ("return", Status.DISPATCHED, False, "dept", body({"reason": "非我局职责"}), Status.RETURNED,
     lambda lp, c: c.department_id is None),
    ("start", Status.SIGNED, False, "dept", body({}), Status.HANDLING, lambda lp, c: True),
    ("finish", Status.HANDLING, False, "dept", body({"result": "已督促覆盖渣土", "resolution": "solved"}),
     Status.VERIFYING, lambda lp, c: c.result == "已督促覆盖渣土"),
    ("verify_pass", Status.VERIFYING, False, "grid", body({}), Status.CLOSED, lambda lp, c: c.closed_at is not None),
    ("verify_fail", Status.VERIFYING, False, "grid", body({"note": "现场仍有扬尘"}), Status.REWORK,
     lambda lp, c: c.rework_count == 1),
    ("request_suspend", Status.HANDLING, False, "dept", body({"reason": "等待整改方案"}), Status.HANDLING,
     lambda lp, c: c.requests.get().kind == RequestKind.SUSPEND),
    ("request_extend", Status.SIGNED, False, "dept", body({"reason": "需采购材料", "days": 3}), Status.SIGNED,
     lambda lp, c: c.requests.get().days == 3),
    ("resume", Status.SUSPENDED, False, "street", body({}), Status.HANDLING, lambda lp, c: c.suspended_at is None),
    ("supervise", Status.HANDLING, False, "leader", body({"note": "请加快办理"}), Status.HANDLING,
     lambda lp, c: c.supervised),
    ("report_in", Status.DISPATCHED, True, "water", body({}), Status.DISPATCHED,
     lambda lp, c: c.whistle.parties.get(department=lp.water).reported_in_at is not None),
    ("submit_part", Status.SIGNED, True, "water", _reported_in, Status.SIGNED,
     lambda lp, c: c.whistle.parties.get(department=lp.water).part == "已配合冲洗路面"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "state", "whistle", "user", "prepare", "after", "check"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_each_action_endpoint(
    loop: Loop, name: str, state: str, whistle: bool, user: str, prepare: Prepare, after: str, check: Any
) -> None:
    # given a case in the starting state
    case, _token = reach(loop, state, whistle=whistle)
    data = prepare(loop, case)
    events = CaseEvent.objects.filter(case=case).count()
    # when its party acts through the API
    response = signed_in(loop, user).post(f"{API}/cases/{case.number}/actions/{name}/", data, content_type=JSON)
    # then the case moved on, with a timeline entry, and the answer is the case as now seen
    assert response.status_code == 200, response.content
    fresh = loop.reload(case)
    assert fresh.status == after and check(loop, fresh)
    assert CaseEvent.objects.filter(case=case).count() > events
    assert response.json()["status"] == after


def test_every_action_of_the_workflow_table_has_a_test() -> None:
    from gongzhi.cases.api.serializers import ACTION_INPUTS

    assert {a[0] for a in ACTIONS} | {"rate"} == set(ACTION_INPUTS)


def test_finish_with_photos_as_multipart(loop: Loop, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    case, _token = reach(loop, Status.HANDLING)
    form = {"result": "已清理", "photos": [png(), png()]}
    response = signed_in(loop, "dept").post(f"{API}/cases/{case.number}/actions/finish/", form)
    assert response.status_code == 200
    assert [p["stage"] for p in response.json()["photos"]] == ["result", "result"]
    bad = reach(loop, Status.HANDLING)[0]
    junk = io.BytesIO(b"not an image")
    junk.name = "x.png"
    refused = signed_in(loop, "dept").post(
        f"{API}/cases/{bad.number}/actions/finish/", {"result": "x", "photos": [junk]}
    )
    assert refused.status_code == 400 and errors(refused) == [("photos.0", "not_an_image")]
    assert loop.reload(bad).status == Status.HANDLING


def test_staff_reporter_rates_through_the_action_endpoint(loop: Loop) -> None:
    filed = signed_in(loop, "community").post(f"{API}/cases/", REPORT, content_type=JSON).json()
    case = Case.objects.get(number=filed["number"])
    street, dept = loop.actor("street"), loop.actor("dept")
    t.do_accept_case(actor=street, case_id=case.pk)
    t.do_dispatch_case(actor=street, case_id=case.pk, department_id=loop.department.pk)
    t.do_sign_case(actor=dept, case_id=case.pk)
    t.do_start_case(actor=dept, case_id=case.pk)
    t.do_finish_case(actor=dept, case_id=case.pk, result="已处理")
    t.do_verify_case(actor=loop.actor("grid"), case_id=case.pk, passed=True)
    community = signed_in(loop, "community")
    offered = {a["action"] for a in community.get(f"{API}/cases/{case.number}/").json()["available_actions"]}
    response = community.post(f"{API}/cases/{case.number}/actions/rate/", {"rating": "basic"}, content_type=JSON)
    assert "rate" in offered and response.status_code == 200
    assert loop.reload(case).rating == "basic"


@pytest.mark.parametrize(
    ("user", "name", "data", "status_code", "code"),
    [
        ("community", "dispatch", {"department": 0}, 403, "permission_denied"),  # sees it, not the dispatcher
        ("grid", "accept", {}, 403, "permission_denied"),
        ("street2", "accept", {}, 404, "not_found"),  # another street: as if missing
        ("dept", "accept", {}, 404, "not_found"),
        ("street", "fly", {}, 404, "not_found"),
        ("street", "reject", {}, 400, "required"),  # no reason
        ("street", "reject", {"reason": "x"}, 400, "reason_required"),  # the domain's rule
        ("street", "dispatch", {"department": 999999}, 400, "department_invalid"),
        ("street", "dispatch", {"grid": "320113001001001", "department": 1}, 400, "target_required"),
    ],
)
def test_refused_actions_change_nothing(
    loop: Loop, user: str, name: str, data: dict[str, Any], status_code: int, code: str
) -> None:
    # given a pending case (registered for dispatch attempts)
    case, _token = reach(loop, Status.REGISTERED if name == "dispatch" else Status.PENDING)
    before = snapshot(case)
    # when someone tries what is not theirs, or sends a bad body
    response = signed_in(loop, user).post(f"{API}/cases/{case.number}/actions/{name}/", data, content_type=JSON)
    # then they are refused with the structured error, and nothing changed
    assert response.status_code == status_code
    assert code in [c for _f, c in errors(response)]
    assert snapshot(case) == before


def test_a_stale_action_is_409_and_changes_nothing(loop: Loop) -> None:
    # given a case the street registered in another tab
    case, _token = reach(loop, Status.REGISTERED)
    before = snapshot(case)
    # when the street presses "register" again
    response = signed_in(loop, "street").post(f"{API}/cases/{case.number}/actions/accept/", {}, content_type=JSON)
    # then 409, the case as it was
    assert response.status_code == 409 and errors(response) == [("status", "conflict")]
    assert snapshot(case) == before


def test_deciding_a_request(loop: Loop) -> None:
    # given a signed case whose handler asked for three more working days
    case, _token = reach(loop, Status.SIGNED)
    asked = signed_in(loop, "dept").post(
        f"{API}/cases/{case.number}/actions/request_extend/", {"reason": "需采购材料", "days": 3}, content_type=JSON
    )
    pending = asked.json()["requests"][0]
    due = loop.reload(case).handle_due
    # then the street sees the request with its decide URL; the department may not decide it
    street = signed_in(loop, "street")
    shown = street.get(f"{API}/cases/{case.number}/").json()["requests"][0]
    assert shown["status"] == "pending" and shown["decide_url"] == pending["decide_url"]
    assert signed_in(loop, "dept").post(pending["decide_url"], {"approve": True}, content_type=JSON).status_code == 403
    assert (
        signed_in(loop, "street2").post(pending["decide_url"], {"approve": True}, content_type=JSON).status_code == 404
    )
    assert street.post(pending["decide_url"], {}, content_type=JSON).status_code == 400
    assert loop.reload(case).handle_due == due
    # when the street approves
    decided = street.post(pending["decide_url"], {"approve": True, "note": "同意"}, content_type=JSON)
    # then the deadline moved and the request is closed; deciding again is a conflict
    assert decided.status_code == 200 and decided.json()["requests"][0]["status"] == "approved"
    moved = loop.reload(case).handle_due
    assert moved is not None and due is not None and moved > due
    assert street.post(pending["decide_url"], {"approve": False}, content_type=JSON).status_code == 409
    assert street.post(f"{API}/requests/999999/decide/", {"approve": True}, content_type=JSON).status_code == 404


def test_returning_answers_the_case_without_the_detail_the_handler_no_longer_sees(loop: Loop) -> None:
    case, _token = reach(loop, Status.DISPATCHED)
    dept = signed_in(loop, "dept")
    response = dept.post(f"{API}/cases/{case.number}/actions/return/", {"reason": "非我局职责"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert "timeline" not in response.json()
    assert dept.get(f"{API}/cases/{case.number}/").status_code == 404


# ------------------------------------------------------------------------------ indicators


def test_indicators_equal_the_shared_computation(loop: Loop) -> None:
    # given cases in several states in both streets
    for state in (Status.PENDING, Status.DISPATCHED, Status.CLOSED, Status.REWORK):
        reach(loop, state)
    loop.file(point=STREET2_POINT)
    today = timezone.localdate()
    start = today - dt.timedelta(days=3)
    for user, group in (("street", "none"), ("leader", "region"), ("leader", "department"), ("city", "category")):
        params = {"start": start.isoformat(), "end": today.isoformat(), "group": group}
        # when the user asks the API
        response = signed_in(loop, user).get(f"{API}/indicators/", params)
        # then the rows are exactly the shared function's over the user's cases
        expected = indicators.compute(cases_for(loop.users[user]), start=start, end=today, group=group)
        assert response.status_code == 200
        assert response.json()["rows"] == [r.as_dict() for r in expected]
    street_rows = signed_in(loop, "street").get(f"{API}/indicators/").json()["rows"]
    assert street_rows[0]["counts"]["total"] == 4  # this month by default, the other street not counted
    by_grid = signed_in(loop, "leader").get(
        f"{API}/indicators/", {"group": "region", "region": loop.tree.street.code, "level": "grid"}
    )
    assert [r["key"] for r in by_grid.json()["rows"]] == [loop.tree.grid1.code]


def test_indicators_need_kpi_view_and_valid_parameters(loop: Loop) -> None:
    assert signed_in(loop, "dept").get(f"{API}/indicators/").status_code == 403
    assert signed_in(loop, "grid").get(f"{API}/indicators/").status_code == 403
    bad = signed_in(loop, "street").get(f"{API}/indicators/", {"start": "2025-02-30", "group": "planet"})
    assert bad.status_code == 400 and set(errors(bad)) == {("start", "invalid"), ("group", "invalid_choice")}
    backwards = signed_in(loop, "street").get(f"{API}/indicators/", {"start": "2025-03-02", "end": "2025-03-01"})
    assert backwards.status_code == 400


# ------------------------------------------------------------------------------ the resident


def test_resident_sees_progress_without_staff_names_or_personal_data(loop: Loop) -> None:
    # given a case filed with the resident's name and phone, handled and closed
    _client, key = api_key(loop)
    filed = Client().post(f"{API}/cases/", REPORT, content_type=JSON, **key_header(key)).json()
    case = Case.objects.get(number=filed["number"])
    street, dept = loop.actor("street"), loop.actor("dept")
    t.do_accept_case(actor=street, case_id=case.pk, note="内部备注：已电话联系")
    t.do_dispatch_case(actor=street, case_id=case.pk, department_id=loop.department.pk)
    t.do_supervise_case(actor=loop.actor("leader"), case_id=case.pk, note="领导批示")
    t.do_sign_case(actor=dept, case_id=case.pk)
    t.do_start_case(actor=dept, case_id=case.pk)
    t.do_finish_case(actor=dept, case_id=case.pk, result="已督促工地覆盖渣土")
    t.do_verify_case(actor=loop.actor("grid"), case_id=case.pk, passed=True)
    # when the resident opens the ticket
    response = Client().get(f"{API}/tickets/{case.number}/", {"token": filed["token"]})
    # then they see the steps and the result, and nothing about the staff or themselves
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "closed" and body["result"] == "已督促工地覆盖渣土" and body["can_rate"] is True
    assert [p["action"] for p in body["progress"]] == [
        "file", "accept", "dispatch", "sign", "start", "finish", "send_to_verify", "verify_pass",
    ]  # fmt: skip
    assert all(set(p) == {"at", "action", "label", "status", "status_label"} for p in body["progress"])
    text = response.content.decode()
    for secret in ("内部备注", "领导批示", "王秀英", "王*英", "139", "street", "dept", "栖霞区城市管理局", "address"):
        assert secret not in text, secret
    # and a wrong or missing token is exactly a missing ticket
    wrong = Client().get(f"{API}/tickets/{case.number}/", {"token": "guess"})
    missing = Client().get(f"{API}/tickets/{case.number}/")
    unknown = Client().get(f"{API}/tickets/000000/", {"token": filed["token"]})
    assert wrong.status_code == missing.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content


def test_resident_rates_once_and_unsatisfied_means_rework(loop: Loop) -> None:
    case, token = reach(loop, Status.CLOSED)
    http = Client()
    url = f"{API}/tickets/{case.number}/rate/"
    before = snapshot(case)
    # a wrong token is 404 and changes nothing; a bad rating is 400
    assert http.post(url, {"token": "guess", "rating": "satisfied"}, content_type=JSON).status_code == 404
    assert http.post(url, {"token": token, "rating": "great"}, content_type=JSON).status_code == 400
    assert http.post(url, {"rating": "satisfied"}, content_type=JSON).status_code == 400
    assert snapshot(case) == before
    # 不满意 sends it back for rework
    rated = http.post(url, {"token": token, "rating": "unsatisfied", "comment": "没处理"}, content_type=JSON)
    assert rated.status_code == 200
    assert rated.json()["status"] == "rework" and rated.json()["can_rate"] is False
    fresh = loop.reload(case)
    assert (fresh.status, fresh.rework_count, fresh.rating) == (Status.REWORK, 1, "unsatisfied")
    # and rating again before a new result is a conflict
    again = http.post(url, {"token": token, "rating": "satisfied"}, content_type=JSON)
    assert again.status_code == 409 and loop.reload(case).rating == "unsatisfied"


def test_resident_sees_report_and_result_photos_only(loop: Loop, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    _client, key = api_key(loop)
    filed = Client().post(f"{API}/cases/", {**REPORT, "photos": [png()]}, **key_header(key)).json()
    case = Case.objects.get(number=filed["number"])
    t.do_accept_case(actor=loop.actor("street"), case_id=case.pk)
    t.do_dispatch_case(actor=loop.actor("street"), case_id=case.pk, department_id=loop.department.pk)
    dept = signed_in(loop, "dept")
    for step, data in (("sign", {}), ("start", {}), ("finish", {"result": "已处理", "photos": [png()]})):
        assert dept.post(f"{API}/cases/{case.number}/actions/{step}/", data).status_code == 200
    grid = signed_in(loop, "grid")
    assert grid.post(f"{API}/cases/{case.number}/actions/verify_pass/", {"photos": [png()]}).status_code == 200
    ticket = Client().get(f"{API}/tickets/{case.number}/", {"token": filed["token"]}).json()
    assert [p["stage"] for p in ticket["photos"]] == ["report", "result"]
    photo = Client().get(ticket["photos"][0]["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    verify_photo = case.photos.get(stage="verify")
    hidden = Client().get(f"{API}/tickets/{case.number}/photos/{verify_photo.pk}/", {"token": filed["token"]})
    no_token = Client().get(f"{API}/tickets/{case.number}/photos/{verify_photo.pk}/")
    assert hidden.status_code == no_token.status_code == 404


# ------------------------------------------------------------------------------ inbox and categories


def test_notifications_are_ones_own(loop: Loop, django_capture_on_commit_callbacks: Any) -> None:
    # given a case dispatched to 城管局 (its staff are notified once the dispatch commits)
    with django_capture_on_commit_callbacks(execute=True):
        reach(loop, Status.DISPATCHED)
    dept = signed_in(loop, "dept")
    listed = dept.get(f"{API}/notifications/").json()
    assert listed["count"] >= 1 and all(r["read_at"] is None for r in listed["results"])
    mine = listed["results"][0]
    # when another user tries to read it, it does not exist for them
    assert signed_in(loop, "water").post(f"{API}/notifications/{mine['id']}/read/").status_code == 404
    assert Notification.objects.get(pk=mine["id"]).read_at is None
    # when its owner marks it read
    read = dept.post(f"{API}/notifications/{mine['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = dept.get(f"{API}/notifications/", {"unread": "1"}).json()
    assert mine["id"] not in [r["id"] for r in unread["results"]]
    marked = dept.post(f"{API}/notifications/read-all/").json()["marked"]
    assert marked == unread["count"]
    assert dept.get(f"{API}/notifications/", {"unread": "true"}).json()["count"] == 0


def test_categories_list_search_and_detail(loop: Loop) -> None:
    _client, key = api_key(loop)
    http = Client()
    listed = http.get(f"{API}/categories/", {"limit": 200}, **key_header(key)).json()
    assert listed["count"] == len(listed["results"]) > 50
    cover = http.get(f"{API}/categories/BJ0101/", **key_header(key)).json()
    assert cover["class"]["name"] and cover["family"]["code"] == "BJ"
    assert cover["handling_level"] == "department" and cover["response_hours"] == 2
    assert cover["attributes"][0]["key"] == "cover_state" and "缺失" in cover["attributes"][0]["choices"]
    found = signed_in(loop, "grid").get(f"{API}/categories/", {"q": "扬尘"}).json()
    assert "SJ0302" in [r["code"] for r in found["results"]]
    assert http.get(f"{API}/categories/SJ03/", **key_header(key)).status_code == 404
    assert http.get(f"{API}/categories/").status_code == 401


def test_schema_documents_the_case_endpoints(loop: Loop) -> None:
    schema = signed_in(loop, "street").get("/api/schema/", {"format": "json"}).json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/cases/",
        "/api/v1/cases/{number}/",
        "/api/v1/cases/{number}/actions/{action_name}/",
        "/api/v1/cases/{number}/photos/{photo_id}/",
        "/api/v1/categories/",
        "/api/v1/requests/{id}/decide/",
        "/api/v1/tickets/{number}/",
        "/api/v1/tickets/{number}/rate/",
        "/api/v1/indicators/",
        "/api/v1/notifications/",
    } <= paths
    intake = schema["paths"]["/api/v1/cases/"]["post"]
    assert {"200", "201", "400", "401"} <= set(intake["responses"])


def test_the_intake_answer_matches_its_documented_serializer(loop: Loop) -> None:
    # given a case just filed, with a suggested department and a probable duplicate
    from django.test import RequestFactory

    from gongzhi.cases.api.serializers import IntakeResultSerializer, intake_answer
    from gongzhi.cases.models import Case

    loop.file(point=(118.8100, 32.1500))
    filed = loop.file(point=(118.8101, 32.1500), reporter_phone="13912345678")
    request = RequestFactory().post("/api/v1/cases/")
    context = {"request": request, "token": filed.token}
    # when the fast path and the serializer describe it
    stored = Case.objects.select_related("category", "suggested_department", "duplicate_candidate").get(
        pk=filed.case.pk
    )
    # then they agree field by field (the OpenAPI schema documents the serializer)
    assert intake_answer(filed.case, context) == dict(IntakeResultSerializer(stored, context=context).data)
    assert intake_answer(filed.case, context)["duplicate_candidate"] is not None
