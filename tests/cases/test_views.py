"""The staff pages of the case loop: who may open them, what they show, and that their forms go
through the actions — a refused post changes nothing and says why, next to the field concerned.

Users and places are those of `loop` (conftest.py); `states.reach` brings a 工地扬尘 case (SJ0302, a
城管局 matter registered by 尧化街道, in 第一网格) to any state.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from gongzhi.cases.access import parties_of, viewer_of
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.intake import Report, do_file_case
from gongzhi.cases.actions.transitions import do_accept_case, do_rate_case
from gongzhi.cases.models import (
    Admission,
    ApiClient,
    Case,
    CaseEvent,
    Category,
    DutyItem,
    LoopSettings,
    Notification,
    Status,
    WorkCalendarDay,
)
from gongzhi.cases.photos import clean_photos
from gongzhi.cases.workflow import available
from tests.cases.conftest import GRID1_POINT, Loop
from tests.cases.states import reach, resident
from tests.core.signin import force_login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits_and_media(settings: Any, tmp_path: Path) -> None:
    """Rate-limit counters live in the process's cache, and photos go to a throwaway media folder."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


def client(loop: Loop, name: str) -> Client:
    return force_login_verified(Client(), loop.users[name])


def html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def png(name: str = "photo.png", size: tuple[int, int] = (40, 30)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 60, 60)).save(data, format="PNG")
    upload = io.BytesIO(data.getvalue())
    upload.name = name
    return upload


def events(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).count()


# ── who may open what ───────────────────────────────────────────────────────────────────────────────

PAGES = [
    ("street", "/cases/", "案件受理"),
    ("leader", "/cases/map/", "未结案件分布"),
    ("street", "/cases/map/data/", "FeatureCollection"),
    ("dept", "/inbox/", "部门待办"),
    ("grid", "/tasks/", "我的任务"),
    ("grid", "/tasks/report/", "我要反映"),
    ("dept", "/notifications/", "通知"),
    ("leader", "/indicators/", "考核指标"),
    ("street", "/cases/import/", "12345 热线工单导入"),
    ("sysadmin", "/categories/", "分类与事项清单"),
    ("sysadmin", "/categories/BJ0302/", "垃圾桶与垃圾房"),
    ("sysadmin", "/categories/BJ0302/duty/", "事项清单"),
    ("sysadmin", "/loop-settings/", "权重与阈值"),
    ("sysadmin", "/loop-settings/api-clients/", "接入系统"),
    ("sysadmin", "/loop-settings/calendar/", "工作日历"),
    ("street", "/admissions/", "准入"),
]


def test_each_page_opens_for_the_role_it_is_for(loop: Loop) -> None:
    # One test over every page: the fixture is the expensive part, the requests are cheap.
    for user, url, text in PAGES:
        response = client(loop, user).get(url)

        assert response.status_code == 200, (user, url)
        assert text in html(response), (user, url)


REFUSED = [
    ("dept", "/cases/"),
    ("grid", "/cases/"),
    ("grid", "/indicators/"),
    ("dept", "/indicators/export.xlsx"),
    ("community", "/categories/"),
    ("street", "/loop-settings/"),
    ("leader", "/loop-settings/api-clients/"),
    ("community", "/admissions/"),
    ("grid", "/cases/import/"),
    ("sysadmin", "/cases/map/"),
    ("nobody", "/tasks/"),
    ("nobody", "/inbox/"),
]


def test_a_role_without_the_capability_gets_403(loop: Loop) -> None:
    for user, url in REFUSED:
        assert client(loop, user).get(url).status_code == 403, (user, url)


def test_signed_out_visitors_are_sent_to_sign_in(loop: Loop) -> None:
    case, _token = reach(loop, Status.PENDING)

    for url in ("/cases/", f"/cases/{case.number}/", "/notifications/", "/tasks/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_case_outside_the_jurisdiction_is_404_like_a_missing_one(loop: Loop) -> None:
    # given a case in 第一网格 (with a photo), which these users do not see
    filed = do_file_case(
        actor=Actor(),
        report=Report(channel="h5", title="", description="路灯不亮", category_code="SJ0302", lon=118.81, lat=32.15),
        photos=clean_photos([png()]),
    )
    photo = filed.case.photos.get()

    for user in ("street2", "community2", "water", "grid2", "sysadmin"):
        c = client(loop, user)
        # then the case, its photo, an action on it and a missing number all answer alike: 404
        # (the system administrator has no case pages at all: 403 before any lookup)
        expected = 403 if user == "sysadmin" else 404
        assert c.get(f"/cases/{filed.case.number}/").status_code == expected, user
        assert c.get(f"/cases/{filed.case.number}/photos/{photo.pk}/").status_code == expected, user
        assert c.post(f"/cases/{filed.case.number}/act/accept/").status_code == expected, user
        assert c.get("/cases/00000000000000/").status_code == expected, user


# ── the case page ───────────────────────────────────────────────────────────────────────────────────


VIEWERS = [
    (Status.PENDING, "street"),
    (Status.REGISTERED, "street"),
    (Status.DISPATCHED, "dept"),
    (Status.HANDLING, "dept"),
    (Status.HANDLING, "city"),
    (Status.VERIFYING, "grid"),
    (Status.PENDING, "community"),
]


def test_the_case_page_offers_exactly_what_the_workflow_allows_the_viewer(loop: Loop) -> None:
    for state, user in VIEWERS:
        case, _token = reach(loop, state)
        viewer = viewer_of(loop.users[user])
        # no form for the automatic steps; decisions appear only with a pending request
        expected = {
            t.action.value
            for t in available(case.status, parties_of(viewer, case))
            if t.action.value not in ("send_to_verify", "close_on_spot", "decide_request")
        }

        page = html(client(loop, user).get(f"/cases/{case.number}/"))

        shown = set(re.findall(r'id="action-([a-z_]+)"', page))
        assert shown == expected, (state, user)
        assert case.number in page and case.title in page


def test_the_case_page_shows_the_timeline_deadline_and_masked_reporter(loop: Loop) -> None:
    filed = loop.file(reporter_name="王小明", reporter_phone="13912345678")
    case = filed.case

    page = html(client(loop, "street").get(f"/cases/{case.number}/"))

    assert "上报" in page and "待受理" in page  # the intake row of the timeline
    assert "13912345678" not in page and "王小明" not in page
    assert case.reporter_phone_masked in page
    assert "暂无建议" in page  # no classifier trained: the page says so instead of failing


def test_registering_through_the_page_moves_the_case_on(loop: Loop) -> None:
    case, _token = reach(loop, Status.PENDING)
    c = client(loop, "street")

    response = c.post(f"/cases/{case.number}/act/accept/", {"accept-category": "SJ0302", "accept-note": "属实"})

    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and case.handle_due is not None
    assert "案件已立案" in html(c.get(response["Location"]))


def test_a_post_by_someone_who_is_no_party_is_403_and_changes_nothing(loop: Loop) -> None:
    # given a pending case the street registers; the community sees it but is not its dispatcher
    case, _token = reach(loop, Status.PENDING)
    before = events(case)

    refused = client(loop, "community").post(f"/cases/{case.number}/act/accept/", {"accept-category": "SJ0302"})
    invisible = client(loop, "dept").post(f"/cases/{case.number}/act/sign/")

    assert refused.status_code == 403 and invisible.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.PENDING and events(case) == before


def test_a_refusal_by_the_action_is_shown_next_to_its_field(loop: Loop) -> None:
    # given a registered case (工地扬尘, on 城管局's duty list but not 公安分局's)
    case, _token = reach(loop, Status.REGISTERED)
    c = client(loop, "street")

    short = c.post(f"/cases/{case.number}/act/escalate/", {"escalate-reason": "x"})
    off_list = c.post(f"/cases/{case.number}/act/dispatch/", {"dispatch-department": str(loop.police.pk)})

    # then each page shows the reason in Chinese inside the form of that action, and nothing moved
    assert short.status_code == 200
    escalate_form = html(short).split('id="action-escalate"')[1].split("</details>")[0]
    assert "请填写理由" in escalate_form
    dispatch_form = html(off_list).split('id="action-dispatch"')[1].split("</details>")[0]
    assert "事项清单" in dispatch_form and "field-invalid" in dispatch_form
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and case.department is None


def test_a_case_someone_else_has_moved_on_gives_the_conflict_message(loop: Loop) -> None:
    # given a case the street has just registered, and a second (stale) accept from the same page
    case, _token = reach(loop, Status.REGISTERED)
    c = client(loop, "street")

    response = c.post(f"/cases/{case.number}/act/accept/", {"accept-category": "SJ0302"}, follow=True)

    assert "案件已被他人处理" in html(response)
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_the_one_click_merge_of_a_probable_duplicate(loop: Loop) -> None:
    # given two reports of the same dust at nearly the same place; the second is flagged
    first = loop.file().case
    second = loop.file(point=(GRID1_POINT[0] + 0.0002, GRID1_POINT[1])).case
    assert second.duplicate_candidate_id == first.pk
    c = client(loop, "street")

    page = html(c.get(f"/cases/{second.number}/"))
    assert 'id="duplicate-alert"' in page and first.number in page
    c.post(f"/cases/{second.number}/act/merge/", {"merge-into": first.number})

    second.refresh_from_db()
    assert second.status == Status.MERGED and second.duplicate_of_id == first.pk


def test_finishing_with_photos_and_verifying_from_the_phone_list(loop: Loop) -> None:
    case, _token = reach(loop, Status.HANDLING)

    client(loop, "dept").post(
        f"/cases/{case.number}/act/finish/",
        {"finish-result": "已覆盖渣土", "finish-resolution": "solved", "finish-photos": [png("a.png"), png("b.png")]},
    )
    grid = client(loop, "grid")
    tasks = html(grid.get("/tasks/"))
    response = grid.post(f"/cases/{case.number}/act/verify_pass/", {"next": "/tasks/"})

    assert case.number in tasks and 'data-action="verify_pass"' in tasks
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.photos.filter(stage="result").count() == 2


def test_a_photo_that_is_not_an_image_is_refused_on_the_photo_field(loop: Loop) -> None:
    case, _token = reach(loop, Status.HANDLING)
    fake = io.BytesIO(b"MZ\x90\x00 not a picture")
    fake.name = "result.jpg"

    response = client(loop, "dept").post(
        f"/cases/{case.number}/act/finish/",
        {"finish-result": "已处理", "finish-resolution": "solved", "finish-photos": fake},
    )

    finish_form = html(response).split('id="action-finish"')[1].split("</details>")[0]
    assert "只接受 JPEG、PNG 或 WebP 格式的照片" in finish_form
    case.refresh_from_db()
    assert case.status == Status.HANDLING


def test_photos_are_served_only_through_the_scoped_view(loop: Loop) -> None:
    filed = do_file_case(
        actor=Actor(),
        report=Report(channel="h5", title="", description="扬尘", category_code="SJ0302", lon=118.81, lat=32.15),
        photos=clean_photos([png()]),
    )
    photo = filed.case.photos.get()

    response = client(loop, "street").get(f"/cases/{filed.case.number}/photos/{photo.pk}/")

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:4] == b"\x89PNG"  # type: ignore[attr-defined]
    assert "/media/" not in html(client(loop, "street").get(f"/cases/{filed.case.number}/"))


def test_requests_are_asked_and_decided_on_the_page(loop: Loop) -> None:
    case, _token = reach(loop, Status.HANDLING)
    client(loop, "dept").post(
        f"/cases/{case.number}/act/request_extend/", {"request_extend-days": "3", "request_extend-reason": "等待材料"}
    )
    request = case.requests.get()
    due = case.handle_due
    street = client(loop, "street")

    page = html(street.get(f"/cases/{case.number}/"))
    street.post(
        f"/cases/{case.number}/act/decide_request/",
        {"decide_request-request_id": str(request.pk), "decide_request-decision": "approve"},
    )

    assert f'id="action-decide_request-{request.pk}"' in page
    case.refresh_from_db()
    request.refresh_from_db()
    assert request.status == "approved" and case.handle_due is not None and due is not None and case.handle_due > due


def test_a_whistle_case_shows_its_parties_and_report_in_buttons(loop: Loop) -> None:
    # given a case the street whistled to 城管局 (lead) and 水务局 (assisting), signed for by the lead
    case, _token = reach(loop, Status.SIGNED, whistle=True)
    water = client(loop, "water")

    inbox = html(water.get("/inbox/"))
    water.post(f"/cases/{case.number}/act/report_in/", {"next": "/inbox/"})
    page = html(water.get(f"/cases/{case.number}/"))

    assert case.number in inbox and 'data-action="report_in"' in inbox
    assert 'id="whistle"' in page and "栖霞区水务局" in page and 'id="action-submit_part"' in page
    assert case.whistle.parties.get(department=loop.water).reported_in_at is not None


# ── the queue and bulk dispatch ─────────────────────────────────────────────────────────────────────


def test_the_queue_lists_and_filters_what_waits_for_the_dispatcher(loop: Loop) -> None:
    dust, _t = reach(loop, Status.REGISTERED)
    water = loop.file(category="MS0103", title="停水三天", description="小区停水三天了").case
    overdue, _t2 = reach(loop, Status.REGISTERED)
    Case.objects.filter(pk=overdue.pk).update(is_overdue=True)
    c = client(loop, "street")

    everything = html(c.get("/cases/"))
    by_class = html(c.get("/cases/", {"category": "MS01"}))
    by_text = html(c.get("/cases/", {"q": "停水"}))
    only_overdue = html(c.get("/cases/", {"overdue": "on"}))

    assert dust.number in everything and water.number in everything
    assert water.number in by_class and dust.number not in by_class
    assert water.number in by_text and dust.number not in by_text
    assert overdue.number in only_overdue and dust.number not in only_overdue
    # the community dispatches nothing of the street's
    assert dust.number not in html(client(loop, "community").get("/cases/"))


def test_bulk_dispatch_reports_which_went_and_why_the_others_did_not(loop: Loop) -> None:
    # given two registered dust cases, a water-supply case 城管局 does not take, a pending case, a stranger's
    ok1, _a = reach(loop, Status.REGISTERED)
    ok2, _b = reach(loop, Status.REGISTERED)
    water = loop.file(category="MS0103", title="停水", description="停水三天").case
    do_accept_case(actor=loop.actor("street"), case_id=water.pk)
    pending, _c = reach(loop, Status.PENDING)
    foreign = loop.file(point=(118.87, 32.12)).case  # 马群: not 尧化街道's

    response = client(loop, "street").post(
        "/cases/dispatch/",
        {
            "department": str(loop.department.pk),
            "case": [ok1.number, ok2.number, water.number, pending.number, foreign.number],
        },
        follow=True,
    )

    # then the page says which two went, and for each other one why not
    page = html(response)
    assert f"已派遣 2 件：{ok1.number}、{ok2.number}" in page
    assert f"{water.number}：“供水供气供电”不在栖霞区城管局的事项清单内" in page
    assert f"{pending.number}：案件当前为“待受理”，已不能“派遣”" in page
    assert f"{foreign.number}：您的辖区内没有此案件" in page
    statuses = dict(Case.objects.values_list("number", "status"))
    assert statuses[ok1.number] == statuses[ok2.number] == Status.DISPATCHED
    assert statuses[water.number] == Status.REGISTERED and statuses[pending.number] == Status.PENDING
    assert statuses[foreign.number] == Status.PENDING


# ── inboxes, notifications, the map ─────────────────────────────────────────────────────────────────


def test_the_department_signs_and_starts_from_its_inbox(loop: Loop) -> None:
    case, _token = reach(loop, Status.DISPATCHED)
    dept = client(loop, "dept")

    before = html(dept.get("/inbox/"))
    dept.post(f"/cases/{case.number}/act/sign/", {"next": "/inbox/"})
    after = html(dept.get("/inbox/"))
    dept.post(f"/cases/{case.number}/act/start/", {"next": "/inbox/"})

    assert 'data-action="sign"' in before and 'data-action="start"' in after
    case.refresh_from_db()
    assert case.status == Status.HANDLING and case.responded_on_time is True
    assert case.number not in html(client(loop, "water").get("/inbox/"))


def test_notifications_show_an_unread_badge_and_can_be_marked_read(
    loop: Loop, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reach(loop, Status.DISPATCHED)
    dept = client(loop, "dept")
    unread = Notification.objects.filter(user=loop.users["dept"], read_at__isnull=True)
    assert unread.count() == 1
    one = unread.get()

    home = html(dept.get("/"))
    dept.post("/notifications/read/", {"id": str(one.pk), "next": f"/cases/{one.case.number}/"})  # type: ignore[union-attr]
    others = client(loop, "water").post("/notifications/read/", {"id": str(one.pk)})

    assert re.search(r'id="unread-count"[^>]*>1<', home)
    assert unread.count() == 0 and others.status_code == 404
    assert 'id="unread-count"' not in html(dept.get("/notifications/"))


def test_the_map_data_holds_the_open_cases_the_user_sees(loop: Loop) -> None:
    mine, _t = reach(loop, Status.DISPATCHED)
    theirs = loop.file(point=(118.87, 32.12)).case

    data = client(loop, "street").get("/cases/map/data/").json()

    numbers = {f["properties"].get("number") for f in data["features"]}
    assert mine.number in numbers and theirs.number not in numbers
    point = next(f for f in data["features"] if f["properties"].get("number") == mine.number)
    assert point["properties"]["url"] == f"/cases/{mine.number}/"


# ── indicators ──────────────────────────────────────────────────────────────────────────────────────


def test_the_xlsx_export_has_the_numbers_of_the_page(loop: Loop) -> None:
    # given one closed and satisfied case, one reworked, one still in hand this month
    closed, token = reach(loop, Status.CLOSED)
    do_rate_case(actor=resident(token), case_id=closed.pk, rating="satisfied")
    reach(loop, Status.REWORK)
    reach(loop, Status.HANDLING)
    month = timezone.localdate().strftime("%Y-%m")
    params = {"month": month, "region": "320113", "group": "region"}
    c = client(loop, "leader")

    page = html(c.get("/indicators/", params))
    book = load_workbook(io.BytesIO(c.get("/indicators/export.xlsx", params).content))

    table = page.split('id="indicators"')[1]
    page_rows = [re.findall(r'data-value="([^"]*)"', tr) for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    page_rows = [r for r in page_rows if r]
    sheet_rows = [
        ["" if v is None else str(v) for v in row[1:]] for row in book.active.iter_rows(min_row=3, values_only=True)
    ]
    assert len(page_rows) == len(sheet_rows) == 2  # 尧化街道, and the total
    for shown, exported in zip(page_rows, sheet_rows, strict=True):
        assert [float(v) if v else None for v in shown] == [float(v) if v else None for v in exported]
    assert "尧化街道" in page and book.active.cell(3, 1).value == "尧化街道"
    assert float(page_rows[-1][0]) == 3  # three cases counted


def test_indicators_default_to_the_users_own_region_and_reject_a_bad_period(loop: Loop) -> None:
    c = client(loop, "street")

    default = html(c.get("/indicators/"))
    bad = html(c.get("/indicators/", {"region": "320113001", "start": "2026-03-05", "end": "2026-03-01"}))

    assert "尧化街道" in default and 'id="indicators"' in default
    assert "结束日期早于开始日期" in bad and 'id="indicators"' not in bad


# ── the grid worker's patrol report ─────────────────────────────────────────────────────────────────


def test_a_patrol_report_closed_on_the_spot_needs_a_photo(loop: Loop) -> None:
    grid = client(loop, "grid")
    data = {
        "category": "BJ0302",
        "description": "垃圾桶倒了",
        "lon": str(GRID1_POINT[0]),
        "lat": str(GRID1_POINT[1]),
        "crs": "wgs84",
        "close_on_spot": "on",
        "result": "已扶正并清理",
        "client_key": "k-1",
    }

    refused = grid.post("/tasks/report/", data)
    filed = grid.post("/tasks/report/", {**data, "photos": png()})

    assert "即报即办至少需要一张照片" in html(refused)
    assert filed.status_code == 302
    case = Case.objects.get()
    assert case.channel == "patrol" and case.status == Status.CLOSED and case.closed_on_spot


# ── settings and admissions ─────────────────────────────────────────────────────────────────────────


def test_the_administrator_edits_a_category_and_sees_bad_json_refused(loop: Loop) -> None:
    admin = client(loop, "sysadmin")
    form = {
        "name": "垃圾桶与垃圾房",
        "handling_level": "community",
        "response_hours": "6",
        "handling_days": "1",
        "attributes": "",
        "aliases": "垃圾桶满溢\n垃圾房",
        "is_active": "on",
    }

    bad = admin.post("/categories/BJ0302/", {**form, "attributes": "[{"})
    good = admin.post("/categories/BJ0302/", form)

    assert "JSON 格式有误" in html(bad)
    assert good.status_code == 302
    category = Category.objects.get(code="BJ0302")
    assert category.handling_days == 1 and category.aliases == ["垃圾桶满溢", "垃圾房"]


def test_the_duty_list_page_adds_and_removes_items(loop: Loop) -> None:
    category = Category.objects.get(code="BJ0302")
    levels = set(DutyItem.objects.filter(category=category, department=None).values_list("level", flat=True))
    assert levels == {"community", "street"}

    client(loop, "sysadmin").post(
        "/categories/BJ0302/duty/", {"level": ["grid", "community"], "department": [str(loop.water.pk)]}
    )

    items = set(DutyItem.objects.filter(category=category).values_list("level", "department_id"))
    assert items == {("grid", None), ("community", None), ("", loop.water.pk)}


def test_loop_settings_weights_must_add_up(loop: Loop) -> None:
    admin = client(loop, "sysadmin")
    values = {
        "weight_response": "40",
        "weight_solution": "40",
        "weight_satisfaction": "40",
        "warn_hours_before": "12",
        "duplicate_radius_m": "100",
        "duplicate_days": "3",
    }

    bad = admin.post("/loop-settings/", values)
    good = admin.post("/loop-settings/", {**values, "weight_satisfaction": "20"})

    assert "三项权重之和必须为 100" in html(bad)
    assert good.status_code == 302
    row = LoopSettings.objects.get()
    assert (row.weight_satisfaction, row.duplicate_radius_m) == (20, 100)


def test_a_new_api_key_is_shown_once(loop: Loop) -> None:
    admin = client(loop, "sysadmin")

    created = admin.post("/loop-settings/api-clients/", {"name": "区城运中心", "region": "320113"})
    later = html(admin.get("/loop-settings/api-clients/"))

    key = re.search(r'<code class="key">(gz_[^<]+)</code>', html(created))
    assert key is not None and created["Cache-Control"].startswith("max-age=0")
    client_row = ApiClient.objects.get()
    assert key.group(1).startswith(client_row.key_prefix) and key.group(1) not in later


def test_a_calendar_override_is_saved(loop: Loop) -> None:
    client(loop, "sysadmin").post("/loop-settings/calendar/", {"date": "2031-10-08", "is_workday": "0", "note": "调休"})

    day = WorkCalendarDay.objects.get()
    assert day.date == dt.date(2031, 10, 8) and day.is_workday is False


def test_the_street_grants_and_revokes_an_admission(loop: Loop) -> None:
    street = client(loop, "street")

    street.post(
        "/admissions/",
        {
            "street": "320113001",
            "category": "MS0103",
            "target": f"department:{loop.department.pk}",
            "reason": "临时统筹",
        },
    )
    admission = Admission.objects.get()
    neighbour = client(loop, "street2").post(f"/admissions/{admission.pk}/revoke/")
    street.post(f"/admissions/{admission.pk}/revoke/")

    assert admission.department == loop.department and admission.street.code == "320113001"
    assert neighbour.status_code == 404
    admission.refresh_from_db()
    assert admission.revoked_at is not None


# ── the hotline import page ─────────────────────────────────────────────────────────────────────────


def test_the_hotline_import_page_files_a_clean_file_and_lists_a_bad_ones_rows(loop: Loop) -> None:
    imports = pytest.importorskip("gongzhi.cases.imports", reason="the hotline importer is not there yet")
    header = list(imports.DEFAULT_MAPPING.values())
    row = {
        "工单编号": "GD202603050001",
        "标题": "垃圾堆放",
        "诉求内容": "小区门口垃圾堆放多日",
        "分类": "SJ0101",
        "来电时间": "2026/3/5 14:02:11",
        "地址": "",
        "经度": GRID1_POINT[0],
        "纬度": GRID1_POINT[1],
        "来电人": "张三",
        "联系电话": "13912345678",
    }

    def upload(values: dict[str, object]) -> io.BytesIO:
        lines = [",".join(header), ",".join(str(values.get(h, "")) for h in header)]
        data = io.BytesIO("\n".join(lines).encode("utf-8-sig"))
        data.name = "hotline.csv"
        return data

    mapping = {f"map_{k}": v for k, v in imports.DEFAULT_MAPPING.items()}
    street = client(loop, "street")

    bad = street.post("/cases/import/", {"region": "320113001", "file": upload({**row, "诉求内容": ""}), **mapping})
    assert 'id="import-errors"' in html(bad) and not Case.objects.exists()

    good = street.post("/cases/import/", {"region": "320113001", "file": upload(row), **mapping})

    assert good.status_code == 302
    case = Case.objects.get()
    assert case.channel == "hotline" and case.client_key == "GD202603050001"
