"""The resident's H5 pages: report with a photo, get a ticket, follow it by number and token, rate it.

No sign-in: the ticket number with its token is the resident's key, a wrong one answers 404, and
reports are limited per client address.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image

from gongzhi.cases.actions.transitions import do_rate_case
from gongzhi.cases.models import Case, CasePhoto, Rating, Status
from tests.cases.conftest import GRID1_POINT, Loop
from tests.cases.states import reach, resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits_and_media(settings: Any, tmp_path: Path) -> None:
    """Rate-limit counters live in the process's cache, and photos go to a throwaway media folder."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


def html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def png(name: str = "bin.png") -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (48, 36), (30, 90, 160)).save(data, format="PNG")
    upload = io.BytesIO(data.getvalue())
    upload.name = name
    return upload


def report(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": "BJ0302",
        "description": "3栋门口垃圾桶满了，好几天没人清。",
        "lon": str(GRID1_POINT[0]),
        "lat": str(GRID1_POINT[1]),
        "crs": "wgs84",
        "address": "",
        "name": "王先生",
        "phone": "139 1234 5678",
        "client_key": "render-1",
    }
    data.update(overrides)
    return data


def ticket_from(page: str) -> tuple[str, str]:
    found = re.search(r'id="status-link" href="[^"]*/h5/t/(\d+)/([^/"]+)/"', page)
    assert found, "the page links to the status page"
    return found.group(1), found.group(2)


def test_a_report_with_a_photo_files_a_case_and_shows_the_ticket(loop: Loop) -> None:
    resident_browser = Client()

    # when a resident opens the form, then sends a report with a photo and a tapped point
    form = html(resident_browser.get("/h5/report/"))
    response = resident_browser.post("/h5/report/", {**report(), "photos": png()}, follow=True)

    # then the form carried a fresh client key, and the answer is the ticket number with its link
    assert re.search(r'name="client_key" value="[0-9a-f]{32}"', form)
    page = html(response)
    number, token = ticket_from(page)
    assert f'id="ticket-number">{number}<' in page
    case = Case.objects.get()
    assert case.number == number and case.channel == "h5" and case.region_code == "320113001001001"
    assert case.category is not None and case.category.code == "BJ0302"
    assert case.reporter_phone_masked and "13912345678" not in case.reporter_phone_masked
    assert CasePhoto.objects.filter(case=case, stage="report").count() == 1
    # and the status page opens with that token, for anyone holding the link
    status = Client().get(f"/h5/t/{number}/{token}/")
    assert status.status_code == 200 and case.title in html(status)


def test_a_double_submit_files_one_case(loop: Loop) -> None:
    browser = Client()

    first = browser.post("/h5/report/", report())
    second = browser.post("/h5/report/", report())

    assert Case.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # both show the same ticket


def test_a_file_that_is_not_a_photo_is_refused_in_chinese(loop: Loop) -> None:
    fake = io.BytesIO(b"<?php echo 'hi'; ?>")
    fake.name = "photo.jpg"

    response = Client().post("/h5/report/", {**report(), "photos": fake})

    assert response.status_code == 200
    assert "只接受 JPEG、PNG 或 WebP 格式的照片。" in html(response)
    assert not Case.objects.exists()


def test_a_report_with_neither_point_nor_known_address_asks_for_the_place(loop: Loop) -> None:
    response = Client().post("/h5/report/", report(lon="", lat="", address="火星路 1 号"))

    assert "请在地图上点选位置，或填写能找到的地址" in html(response)
    assert not Case.objects.exists()


def test_a_bad_phone_number_is_refused_next_to_the_field(loop: Loop) -> None:
    response = Client().post("/h5/report/", report(phone="12345"))

    field = html(response).split('id="id_phone"')[1][:600]
    assert "errorlist" in field
    assert not Case.objects.exists()


def test_reports_are_limited_per_client_address(loop: Loop, settings: Any) -> None:
    settings.GONGZHI_H5_REPORTS_PER_HOUR = 2
    same_network = Client(REMOTE_ADDR="203.0.113.7")

    answers = [same_network.post("/h5/report/", report(client_key=f"k{i}")) for i in range(3)]
    elsewhere = Client(REMOTE_ADDR="198.51.100.9").post("/h5/report/", report(client_key="k9"))

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "一小时内提交次数过多" in html(answers[2])
    assert elsewhere.status_code == 302
    assert Case.objects.count() == 3


def test_the_status_page_answers_404_to_a_wrong_token_or_number(loop: Loop) -> None:
    case, token = reach(loop, Status.HANDLING)

    assert Client().get(f"/h5/t/{case.number}/{token}/").status_code == 200
    assert Client().get(f"/h5/t/{case.number}/{token[:-1]}x/").status_code == 404
    assert Client().get(f"/h5/t/00000000000000/{token}/").status_code == 404


def test_the_status_page_shows_progress_without_staff_names(loop: Loop) -> None:
    case, token = reach(loop, Status.HANDLING)

    page = html(Client().get(f"/h5/t/{case.number}/{token}/"))

    steps = page.split('id="steps"')[1].split("</ol>")[0]
    for label in ("上报", "立案", "派遣", "签收", "开始处置"):
        assert label in steps
    for name in ("street", "dept", "尧化街道"):
        assert name not in steps
    assert 'id="rate-form"' not in page  # not closed yet: nothing to rate


def test_the_resident_rates_a_closed_case_once(loop: Loop) -> None:
    case, token = reach(loop, Status.CLOSED)
    url = f"/h5/t/{case.number}/{token}/"
    browser = Client()

    page = html(browser.get(url))
    rated = browser.post(url, {"rating": Rating.SATISFIED, "comment": "很快"}, follow=True)
    again = browser.post(url, {"rating": Rating.UNSATISFIED}, follow=True)

    assert 'id="rate-form"' in page and "已督促工地覆盖渣土并冲洗路面" in page
    assert "感谢您的评价" in html(rated) and 'id="rate-form"' not in html(rated)
    assert "该办理结果已评价过" in html(again)
    case.refresh_from_db()
    assert case.rating == Rating.SATISFIED and case.rating_comment == "很快" and case.status == Status.CLOSED


def test_an_unsatisfied_rating_sends_the_case_back(loop: Loop) -> None:
    case, token = reach(loop, Status.CLOSED)

    Client().post(f"/h5/t/{case.number}/{token}/", {"rating": Rating.UNSATISFIED, "comment": "没修好"})

    case.refresh_from_db()
    assert case.status == Status.REWORK and case.rework_count == 1


def test_a_rating_before_the_case_is_closed_changes_nothing(loop: Loop) -> None:
    case, token = reach(loop, Status.HANDLING)

    response = Client().post(f"/h5/t/{case.number}/{token}/", {"rating": Rating.UNSATISFIED}, follow=True)

    assert "已不能" in html(response)
    case.refresh_from_db()
    assert case.status == Status.HANDLING and case.rating == ""


def test_photos_are_served_to_the_token_holder_only(loop: Loop) -> None:
    # given a case of someone else, and the resident's own report with a photo
    other, other_token = reach(loop, Status.CLOSED)
    done = Client().post("/h5/report/", {**report(), "photos": png()}, follow=True)
    number, token = ticket_from(html(done))
    photo = CasePhoto.objects.get(case__number=number)

    mine = Client().get(f"/h5/t/{number}/{token}/photos/{photo.pk}/")
    through_another_ticket = Client().get(f"/h5/t/{other.number}/{other_token}/photos/{photo.pk}/")

    assert mine.status_code == 200 and mine["Content-Type"] == "image/png"
    assert through_another_ticket.status_code == 404


def test_the_lookup_page_accepts_the_link_or_number_and_code(loop: Loop) -> None:
    case, token = reach(loop, Status.PENDING)

    by_link = Client().get("/h5/", {"link": f"https://example.org/h5/t/{case.number}/{token}/"})
    by_parts = Client().get("/h5/", {"link": case.number, "token": token})
    nothing = Client().get("/h5/", {"link": case.number})

    assert by_link["Location"] == by_parts["Location"] == f"/h5/t/{case.number}/{token}/"
    assert "请填写工单号和查询码" in html(nothing)


def test_the_category_search_and_the_grid_map_need_no_sign_in(loop: Loop) -> None:
    found = Client().get("/h5/categories/", {"q": "垃圾桶"}).json()
    grids = Client().get("/h5/grids.geojson").json()

    assert {"code": "BJ0302", "name": "垃圾桶与垃圾房", "path": "市容环境 › 垃圾桶与垃圾房"} in found["results"]
    codes = {f["properties"]["code"] for f in grids["features"]}
    assert "320113001001001" in codes and all(len(c) == 15 for c in codes)
    assert all("url" not in f["properties"] for f in grids["features"])


def test_rating_through_the_action_matches_the_page(loop: Loop) -> None:
    # the page and the action agree on what "already rated" means
    case, token = reach(loop, Status.CLOSED)
    do_rate_case(actor=resident(token), case_id=case.pk, rating=Rating.BASIC)

    page = html(Client().get(f"/h5/t/{case.number}/{token}/"))

    assert 'id="rate-form"' not in page and "基本满意" in page
