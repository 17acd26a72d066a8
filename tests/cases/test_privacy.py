"""Personal data in a case: numbers typed into a report are masked at rest (the text as typed sealed),
and the reporter's phone and that text are shown only to the parties working the case — the office in
charge, the department handling it, the grid worker it was given to — for a reason, logged.

Users and places are those of `loop` (conftest.py). A refused reveal writes nothing: no audit row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from gongzhi.cases.actions import transitions as t
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.config import do_create_api_client
from gongzhi.cases.actions.privacy import do_reveal_case_contact
from gongzhi.cases.models import Case
from gongzhi.core import pii
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.models import AuditEvent
from tests.cases.conftest import Loop
from tests.cases.states import resident
from tests.core.signin import force_login_verified

pytestmark = pytest.mark.django_db

TYPED_PHONE = "13912345678"
TYPED_ID = "320113199001011234"
REPORTER_PHONE = "13812345678"
TITLE = f"工地扬尘请回电{TYPED_PHONE}"
DESCRIPTION = f"小区东侧工地晚上扬尘很大。请联系我 139 1234 5678，身份证{TYPED_ID}，工单26112100000001。"
HTMX = {"HX-Request": "true"}
JSON_BODY = "application/json"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def file_with_numbers(loop: Loop, **extra: Any) -> Case:
    values: dict[str, Any] = {"reporter_phone": REPORTER_PHONE, "reporter_name": "王小明"}
    values.update(extra)
    return loop.file(title=TITLE, description=DESCRIPTION, **values).case


def reveals() -> int:
    return AuditEvent.objects.filter(action="case.reveal").count()


def signed_in(loop: Loop, name: str) -> Client:
    return force_login_verified(Client(), loop.users[name])


def dispatched(loop: Loop, case: Case) -> Case:
    """A street matter (工地扬尘) registered by 尧化街道 and sent to 城管局."""
    street = loop.actor("street")
    t.do_accept_case(actor=street, case_id=case.pk)
    t.do_dispatch_case(actor=street, case_id=case.pk, department_id=loop.department.pk)
    return loop.reload(case)


def raw_row(case: Case) -> list[str]:
    """Every value of the case's row as the database holds it."""
    table = connection.ops.quote_name(Case._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [case.pk])  # noqa: S608 - a model's own table
        row = cursor.fetchone()
    return [str(v) for v in row if v is not None]


# ── intake ────────────────────────────────────────────────────────────────────────────────────────


def test_numbers_typed_into_a_report_are_stored_masked_and_the_original_sealed(loop: Loop) -> None:
    # given a resident who typed a mobile (twice, once spaced) and an ID number into the report
    case = loop.reload(file_with_numbers(loop))
    # then the stored text has them masked, and everything else as typed (the ticket number too)
    assert case.title == "工地扬尘请回电139****5678"
    assert case.description == (
        "小区东侧工地晚上扬尘很大。请联系我 139****5678，身份证320113********1234，工单26112100000001。"
    )
    # and the text as typed is sealed with the case
    assert case.original_text_sealed.startswith(pii.PREFIX)
    assert json.loads(pii.decrypt(case.original_text_sealed)) == {"title": TITLE, "description": DESCRIPTION}


def test_no_typed_number_is_anywhere_in_the_row(loop: Loop) -> None:
    # given the report above
    case = file_with_numbers(loop)
    # when every column of its row is read raw
    values = raw_row(case)
    # then neither number, nor the reporter's phone, is in any of them, in any form it was written
    for secret in (TYPED_PHONE, TYPED_PHONE[3:], "139 1234 5678", TYPED_ID, TYPED_ID[:17], REPORTER_PHONE):
        assert not [v for v in values if secret in v], secret


def test_a_report_without_numbers_keeps_its_text_and_seals_nothing(loop: Loop) -> None:
    case = loop.file(description="小区门口路灯不亮，门牌5栋1302室，2024年3月5日起。").case
    assert case.description == "小区门口路灯不亮，门牌5栋1302室，2024年3月5日起。"
    assert case.original_text_sealed == ""


def test_a_title_taken_from_the_description_is_cut_from_the_masked_text(loop: Loop) -> None:
    # given a report without a title whose description has a mobile across the 30th character
    description = "工地扬尘严重，影响居民休息，已经持续很久了，请联系13912345678处理"
    case = loop.file(title="", description=description).case
    # then the cut (which, through the text as typed, would keep "13912") leaves none of its digits bare
    assert description[:30].endswith("13912")
    assert case.title == "工地扬尘严重，影响居民休息，已经持续很久了，请联系139**"
    assert json.loads(pii.decrypt(case.original_text_sealed))["description"] == description


def test_full_width_numbers_are_masked_at_intake(loop: Loop) -> None:
    case = loop.file(description="请联系１３９１２３４５６７８，谢谢！").case
    assert case.description == "请联系139****5678，谢谢！"
    assert json.loads(pii.decrypt(case.original_text_sealed))["description"] == "请联系１３９１２３４５６７８，谢谢！"


def test_the_rest_api_intake_masks_too(loop: Loop) -> None:
    # given a grid worker filing through the API with a number in the description
    client = signed_in(loop, "grid")
    body = {"description": f"占道经营，摊主电话{TYPED_PHONE}", "category": "SJ0302", "lon": 118.81, "lat": 32.15}
    response = client.post("/api/v1/cases/", body, content_type=JSON_BODY)
    assert response.status_code == 201, response.content
    # then the stored case, and the answer, carry it masked
    case = Case.objects.get(number=response.json()["number"])
    assert case.description == "占道经营，摊主电话139****5678"
    assert TYPED_PHONE not in response.content.decode()


# ── who may reveal ────────────────────────────────────────────────────────────────────────────────


def test_the_office_in_charge_sees_the_phone_and_the_report_as_typed(loop: Loop) -> None:
    # given a pending case, owned by 尧化街道
    case = file_with_numbers(loop)
    # when the street's staff reveal it with a reason
    revealed = do_reveal_case_contact(actor=loop.actor("street"), case_id=case.pk, reason="电话回访")
    # then they see the reporter's phone and the text as the resident typed it
    assert (revealed.phone, revealed.title, revealed.description) == (REPORTER_PHONE, TITLE, DESCRIPTION)
    # and the view is logged with the reason and which fields, never the values
    event = AuditEvent.objects.get(action="case.reveal")
    assert event.actor == loop.users["street"] and event.object_id == str(case.pk)
    assert event.changes == {"reason": "电话回访", "fields": ["phone", "title", "description"]}
    assert TYPED_PHONE not in json.dumps(event.changes) and REPORTER_PHONE not in json.dumps(event.changes)


def test_the_department_handling_it_may_reveal(loop: Loop) -> None:
    # given the case dispatched to 城管局
    case = dispatched(loop, file_with_numbers(loop))
    # when 城管局's staff reveal it
    revealed = do_reveal_case_contact(actor=loop.actor("dept"), case_id=case.pk, reason="联系反映人核实")
    # then they get the phone, and one audit row
    assert revealed.phone == REPORTER_PHONE and reveals() == 1


def test_the_grid_worker_it_was_given_to_may_reveal(loop: Loop) -> None:
    # given a grid-level matter (暴露垃圾) the community registered and gave to 第一网格
    case = file_with_numbers(loop, category="SJ0101")
    community = loop.actor("community")
    t.do_accept_case(actor=community, case_id=case.pk)
    t.do_dispatch_case(actor=community, case_id=case.pk, grid_code=loop.tree.grid1.code)
    # when the grid's worker reveals it
    revealed = do_reveal_case_contact(actor=loop.actor("grid"), case_id=case.pk, reason="上门前电话联系")
    # then they get the phone
    assert revealed.phone == REPORTER_PHONE and reveals() == 1


@pytest.mark.parametrize(
    "name",
    [
        "city",  # sees every case of the city, works none
        "community",  # the community where it happened: verifies, does not handle
        "grid",  # the grid where it happened, but the case went to a department: verifies only
    ],
)
def test_a_viewer_without_a_part_in_the_case_is_refused_and_nothing_is_logged(loop: Loop, name: str) -> None:
    # given the case dispatched to 城管局, which `name` can see
    case = dispatched(loop, file_with_numbers(loop))
    # when they try to reveal it
    with pytest.raises(PermissionDenied):
        do_reveal_case_contact(actor=loop.actor(name), case_id=case.pk, reason="想看看")
    # then nothing was written
    assert reveals() == 0


@pytest.mark.parametrize("name", ["street2", "grid2", "water", "nobody", "sysadmin"])
def test_a_case_out_of_sight_is_not_found_and_nothing_is_logged(loop: Loop, name: str) -> None:
    # given the case dispatched to 城管局, which `name` cannot see
    case = dispatched(loop, file_with_numbers(loop))
    # when they try to reveal it
    with pytest.raises(NotFound):
        do_reveal_case_contact(actor=loop.actor(name), case_id=case.pk, reason="电话回访")
    # then they learn no more than for a case that does not exist, and nothing was written
    with pytest.raises(NotFound):
        do_reveal_case_contact(actor=loop.actor(name), case_id=case.pk + 1000, reason="电话回访")
    assert reveals() == 0


def test_the_resident_and_the_system_are_not_staff(loop: Loop) -> None:
    filed = loop.file(reporter_phone=REPORTER_PHONE)
    for actor in (resident(filed.token), Actor(system=True), Actor()):
        with pytest.raises(NotFound):
            do_reveal_case_contact(actor=actor, case_id=filed.case.pk, reason="电话回访")
    assert reveals() == 0


@pytest.mark.parametrize("reason", ["", " ", "看"])
def test_a_reason_is_required_and_nothing_is_logged_without_one(loop: Loop, reason: str) -> None:
    case = file_with_numbers(loop)
    with pytest.raises(DomainError) as info:
        do_reveal_case_contact(actor=loop.actor("street"), case_id=case.pk, reason=reason)
    assert [(i.field, i.code) for i in info.value.items] == [("reason", "reason_required")]
    assert reveals() == 0


def test_an_anonymous_report_has_no_phone_but_its_text_as_typed(loop: Loop) -> None:
    # given an anonymous report with a number in it (a phone sent along is not kept)
    case = file_with_numbers(loop, anonymous=True)
    # when the office reveals it
    revealed = do_reveal_case_contact(actor=loop.actor("street"), case_id=case.pk, reason="核实情况")
    # then there is no phone, only the text as typed
    assert (revealed.phone, revealed.description) == ("", DESCRIPTION)
    assert AuditEvent.objects.get(action="case.reveal").changes["fields"] == ["title", "description"]


def test_without_typed_numbers_the_stored_text_is_the_text(loop: Loop) -> None:
    case = loop.file(reporter_phone=REPORTER_PHONE).case
    revealed = do_reveal_case_contact(actor=loop.actor("street"), case_id=case.pk, reason="电话回访")
    assert (revealed.phone, revealed.title, revealed.sealed) == (REPORTER_PHONE, case.title, False)
    assert AuditEvent.objects.get(action="case.reveal").changes["fields"] == ["phone"]


# ── the case page ─────────────────────────────────────────────────────────────────────────────────


def test_the_case_page_offers_the_reveal_to_the_parties_working_it_only(loop: Loop) -> None:
    # given a pending case with typed numbers
    case = file_with_numbers(loop)
    url = f"/cases/{case.number}/"
    # when the office in charge opens it
    page = signed_in(loop, "street").get(url).content.decode()
    # then the phone is masked, the note says numbers were hidden, and 「查看」 leads to the exchange
    assert "138****5678" in page and 'id="numbers-hidden"' in page
    assert f'href="/cases/{case.number}/reveal/"' in page
    assert REPORTER_PHONE not in page and TYPED_PHONE not in page and TYPED_ID not in page
    # and a city leader sees the same masked page without the link
    page = signed_in(loop, "city").get(url).content.decode()
    assert 'id="numbers-hidden"' in page and "/reveal/" not in page


def test_the_page_exchange_asks_a_reason_then_shows_the_values_and_logs_it(loop: Loop) -> None:
    case = file_with_numbers(loop)
    url = f"/cases/{case.number}/reveal/"
    client = signed_in(loop, "street")
    # when 「查看」 is pressed: the reason form, nothing revealed yet, not cached
    response = client.get(url, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and 'name="reason"' in body and REPORTER_PHONE not in body
    assert "no-store" in response["Cache-Control"]
    # when a reason is posted: the phone and the text as typed, and one audit row
    response = client.post(url, {"reason": "电话回访处理结果"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert REPORTER_PHONE in body and TYPED_ID in body and "139 1234 5678" in body
    assert AuditEvent.objects.get(action="case.reveal").changes["reason"] == "电话回访处理结果"


def test_the_page_exchange_works_without_javascript(loop: Loop) -> None:
    case = file_with_numbers(loop)
    url = f"/cases/{case.number}/reveal/"
    client = signed_in(loop, "street")
    assert "<html" in client.get(url).content.decode()
    body = client.post(url, {"reason": "电话回访"}).content.decode()
    assert "<html" in body and REPORTER_PHONE in body and f"/cases/{case.number}/" in body


def test_the_page_exchange_without_a_reason_shows_the_form_again_and_logs_nothing(loop: Loop) -> None:
    case = file_with_numbers(loop)
    response = signed_in(loop, "street").post(f"/cases/{case.number}/reveal/", {"reason": ""}, headers=HTMX)
    body = response.content.decode()
    assert 'name="reason"' in body and 'role="alert"' in body and REPORTER_PHONE not in body
    assert reveals() == 0


def test_the_page_exchange_refuses_a_viewer_without_a_part_and_hides_what_they_cannot_see(loop: Loop) -> None:
    case = file_with_numbers(loop)
    url = f"/cases/{case.number}/reveal/"
    assert signed_in(loop, "city").post(url, {"reason": "电话回访"}).status_code == 403
    assert signed_in(loop, "community").get(url).status_code == 403
    assert signed_in(loop, "street2").post(url, {"reason": "电话回访"}).status_code == 404
    assert signed_in(loop, "street").get("/cases/00000000000000/reveal/").status_code == 404
    assert reveals() == 0


# ── the API ───────────────────────────────────────────────────────────────────────────────────────


def api_reveal(client: Client, case: Case, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{case.number}/reveal/", body if body is not None else {}, content_type=JSON_BODY, **extra
    )


def errors(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def test_the_api_reveals_to_the_department_handling_it(loop: Loop) -> None:
    case = dispatched(loop, file_with_numbers(loop))
    response = api_reveal(signed_in(loop, "dept"), case, {"reason": "电话回访"})
    assert response.status_code == 200
    assert response.json() == {"phone": REPORTER_PHONE, "title": TITLE, "description": DESCRIPTION}
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.get(action="case.reveal").actor == loop.users["dept"]


def test_the_api_refuses_as_the_pages_do_and_logs_nothing(loop: Loop) -> None:
    case = dispatched(loop, file_with_numbers(loop))
    # a viewer without a part: 403, whatever the body
    response = api_reveal(signed_in(loop, "city"), case, {"reason": "电话回访"})
    assert response.status_code == 403 and errors(response) == [("non_field_errors", "permission_denied")]
    assert api_reveal(signed_in(loop, "grid"), case, {}).status_code == 403
    # out of sight: 404, as for a case that does not exist
    response = api_reveal(signed_in(loop, "street2"), case, {"reason": "电话回访"})
    assert response.status_code == 404 and errors(response) == [("non_field_errors", "not_found")]
    # no reason, or too short a one: 400 naming the field
    street = signed_in(loop, "street")
    assert errors(api_reveal(street, case, {})) == [("reason", "required")]
    assert errors(api_reveal(street, case, {"reason": "看"})) == [("reason", "reason_required")]
    # not signed in: 403
    assert api_reveal(Client(), case, {"reason": "电话回访"}).status_code == 403
    assert reveals() == 0


def test_an_api_key_does_not_open_the_reveal(loop: Loop) -> None:
    # given another system's key, good for intake in the district
    _client, key = do_create_api_client(actor=loop.actor("sysadmin"), name="市民通", region_code="320113")
    case = file_with_numbers(loop)
    # when it asks for the contact
    response = api_reveal(Client(), case, {"reason": "电话回访"}, HTTP_AUTHORIZATION=f"ApiKey {key}")
    # then it is refused like anyone not signed in, and nothing is logged
    assert response.status_code == 403 and reveals() == 0
