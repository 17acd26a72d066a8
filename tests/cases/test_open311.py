"""Open311 GeoReport v2 conformance, from the spec's own examples (https://wiki.open311.org/GeoReport_v2).

Each test names the spec section it follows: the field names and their types in JSON, the element
structure in XML, the status codes and the error body. Our service codes are leaf category codes
(SJ0302 工地扬尘与渣土, BJ0101 井盖 with one singlevaluelist attribute); the `loop` fixture's users
do the staff steps.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from gongzhi.cases.actions import transitions as t
from gongzhi.cases.actions.config import do_create_api_client
from gongzhi.cases.api.auth import IntakeThrottle, forget_clients
from gongzhi.cases.models import ApiClient, Case, Status
from tests.cases.conftest import GRID1_POINT, Loop
from tests.cases.states import reach

V2 = "/open311/v2"
FORM = "application/x-www-form-urlencoded"

# The spec's "GET Service List" response fields, and so on for each method.
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}
POST_FIELDS = {"service_request_id", "service_notice", "account_id"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
W3C = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def new_client(loop: Loop, region_code: str = "320113", name: str = "市民通") -> tuple[ApiClient, str]:
    return do_create_api_client(actor=loop.actor("sysadmin"), name=name, region_code=region_code)


def spec_example_post(key: str, **changes: str) -> dict[str, str]:
    """The spec's example POST, with our service code and a point of 第一网格 (its own is in San Francisco)."""
    data = {
        "api_key": key,
        "jurisdiction_id": "city.gov",
        "service_code": "SJ0302",
        "lat": str(GRID1_POINT[1]),
        "long": str(GRID1_POINT[0]),
        "address_string": "1234 5th street",
        "email": "smit333@sfgov.edu",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "john",
        "last_name": "smith",
        "phone": "13912345678",
        "description": "A large sinkhole is destroying the street",
        "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
        "attribute[WHISPAWN]": "123456",
        "attribute[WHISDORN]": "COISL001",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post(data: dict[str, str], fmt: str = "json") -> Any:
    return Client().post(f"{V2}/requests.{fmt}", data)


def xml_of(response: Any) -> ET.Element:
    text = response.content.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - our own answer, not untrusted input


def assert_error(response: Any, status: int, code: int | str, fmt: str = "json") -> None:
    """Errors: HTTP status, and an array of {code, description} (errors/error in XML)."""
    assert response.status_code == status
    if fmt == "xml":
        root = xml_of(response)
        assert root.tag == "errors"
        errors = [{c.tag: c.text for c in e} for e in root]
        assert all(set(e) == {"code", "description"} and e["description"] for e in errors)
        assert str(code) in [e["code"] for e in errors]
    else:
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert isinstance(body, list) and body
        assert all(set(e) == {"code", "description"} and e["description"] for e in body)
        assert code in [e["code"] for e in body]


# ------------------------------------------------------------------------------ GET Service List


def test_service_list_json(loop: Loop) -> None:
    response = Client().get(f"{V2}/services.json", {"jurisdiction_id": "city.gov"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    assert isinstance(services, list) and len(services) > 50
    assert all(set(s) == SERVICE_FIELDS for s in services)
    by_code = {s["service_code"]: s for s in services}
    dust, cover = by_code["SJ0302"], by_code["BJ0101"]
    assert dust["service_name"] == "工地扬尘与渣土" and dust["type"] == "realtime"
    assert dust["metadata"] is False and cover["metadata"] is True  # BJ0101 has a required attribute
    assert dust["group"] == "施工管理"  # the class name
    assert isinstance(dust["keywords"], str) and dust["group"] in dust["keywords"]
    assert all(isinstance(s[k], str) for s in services for k in ("service_code", "description", "keywords"))


def test_service_list_xml(loop: Loop) -> None:
    response = Client().get(f"{V2}/services.xml")
    root = xml_of(response)
    assert root.tag == "services" and {c.tag for c in root} == {"service"}
    first = root[0]
    assert {c.tag for c in first} == SERVICE_FIELDS
    cover = next(s for s in root if s.findtext("service_code") == "BJ0101")
    assert cover.findtext("metadata") == "true" and cover.findtext("type") == "realtime"


# ------------------------------------------------------------------------------ GET Service Definition


def test_service_definition_json_and_xml(loop: Loop) -> None:
    body = Client().get(f"{V2}/services/BJ0101.json").json()
    assert set(body) == {"service_code", "attributes"} and body["service_code"] == "BJ0101"
    (attribute,) = body["attributes"]
    assert set(attribute) == ATTRIBUTE_FIELDS | {"values"}
    assert attribute["variable"] is True and attribute["required"] is True
    assert attribute["code"] == "cover_state" and attribute["datatype"] == "singlevaluelist"
    assert attribute["order"] == 1 and attribute["description"] == "井盖状况"
    assert attribute["datatype_description"] is None
    assert attribute["values"][0] == {"key": "缺失", "name": "缺失"} and len(attribute["values"]) == 4
    root = xml_of(Client().get(f"{V2}/services/BJ0101.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "BJ0101"
    values = root.findall("./attributes/attribute/values/value")
    assert [v.findtext("key") for v in values] == ["缺失", "破损", "移位", "异响"]
    assert root.find("./attributes/attribute/datatype_description") is not None  # empty element for null
    plain = Client().get(f"{V2}/services/SJ0302.json").json()
    assert plain == {"service_code": "SJ0302", "attributes": []}


def test_service_definition_of_unknown_code_is_404(loop: Loop) -> None:
    assert_error(Client().get(f"{V2}/services/XX9999.json"), 404, 404)
    assert_error(Client().get(f"{V2}/services/XX9999.xml"), 404, 404, fmt="xml")


# ------------------------------------------------------------------------------ POST Service Request


def test_post_the_spec_example_json(loop: Loop) -> None:
    client, key = new_client(loop)
    response = post(spec_example_post(key))
    assert response.status_code == 201
    (row,) = response.json()
    # service_request_id at once (realtime), so no token; account_id as given
    assert set(row) == POST_FIELDS
    assert row["account_id"] == "123456" and row["service_notice"]
    case = Case.objects.get(number=row["service_request_id"])
    assert (case.channel, case.source, case.status) == ("open311", f"client:{client.pk}", Status.PENDING)
    assert case.region_code == loop.tree.grid1.code and case.category is not None
    assert case.category.code == "SJ0302"
    assert case.reporter_name_masked and case.reporter_phone_masked == "139****5678"
    assert case.description == "A large sinkhole is destroying the street"


def test_post_xml(loop: Loop) -> None:
    _client, key = new_client(loop)
    response = post(spec_example_post(key, account_id=""), fmt="xml")
    assert response.status_code == 201
    root = xml_of(response)
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
    request = root[0]
    assert {c.tag for c in request} == POST_FIELDS
    assert request.findtext("account_id") == ""  # <account_id/> as in the spec's example
    assert Case.objects.filter(number=request.findtext("service_request_id")).exists()


def test_post_with_attributes_and_the_attribute_error(loop: Loop) -> None:
    _client, key = new_client(loop)
    missing = post(spec_example_post(key, service_code="BJ0101"))
    assert_error(missing, 400, "required")
    assert "attribute[cover_state]" in missing.json()[0]["description"]
    given = post(spec_example_post(key, service_code="BJ0101", **{"attribute[cover_state]": "破损"}))
    assert given.status_code == 201
    assert Case.objects.get().attributes == {"cover_state": "破损"}


def test_post_is_idempotent_by_client_key_attribute(loop: Loop) -> None:
    _client, key = new_client(loop)
    first = post(spec_example_post(key, **{"attribute[client_key]": "fms-4711"}))
    again = post(spec_example_post(key, **{"attribute[client_key]": "fms-4711"}))
    other = post(spec_example_post(key, **{"attribute[client_key]": "fms-4712"}))
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.json() == again.json()
    assert Case.objects.count() == 2 and Case.objects.filter(client_key="fms-4711").count() == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_without_or_with_a_bad_api_key_is_403(loop: Loop, fmt: str) -> None:
    client, key = new_client(loop)
    assert_error(post(spec_example_post(""), fmt), 403, 403, fmt)
    assert_error(post(spec_example_post("xyz"), fmt), 403, 403, fmt)
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    forget_clients()  # this process remembers keys for 30 s
    assert_error(post(spec_example_post(key), fmt), 403, 403, fmt)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"service_code": ""}, 400, "service_code_required"),
        ({"service_code": "XX9999"}, 404, 404),
        ({"lat": "", "long": "", "address_string": ""}, 400, "location_required"),
        ({"lat": "", "address_string": ""}, 400, "location_incomplete"),
        ({"lat": "north"}, 400, "invalid_number"),
        ({"lat": "31.0", "long": "120.5"}, 400, "outside_area"),
        ({"description": ""}, 400, "required"),
        ({"phone": "111111111"}, 400, "format"),
        ({"lat": "", "long": "", "address_string": "", "address_id": "3201130010010019999"}, 400, "address_id_invalid"),
    ],
)
def test_post_errors(loop: Loop, changes: dict[str, str], status: int, code: int | str) -> None:
    _client, key = new_client(loop)
    assert_error(post(spec_example_post(key, **changes)), status, code)
    assert not Case.objects.exists()


def test_post_by_address_only_files_in_the_clients_area(loop: Loop) -> None:
    _client, key = new_client(loop, region_code=loop.tree.street.code)
    response = post(spec_example_post(key, lat="", long="", address_string="尧化门附近"))
    assert response.status_code == 201
    assert Case.objects.get().region_code == loop.tree.street.code


def test_post_is_rate_limited(loop: Loop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IntakeThrottle, "rate", "2/min", raising=False)
    _client, key = new_client(loop)
    codes = [post(spec_example_post(key)).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert_error(post(spec_example_post(key)), 429, 429)


def test_extension_returns_the_residents_ticket_token(loop: Loop) -> None:
    _client, key = new_client(loop)
    (row,) = post(spec_example_post(key, extensions="true")).json()
    assert set(row) == POST_FIELDS | {"ticket_token", "ticket_url"}
    ticket = Client().get(row["ticket_url"], {"token": row["ticket_token"]})
    assert ticket.status_code == 200 and ticket.json()["number"] == row["service_request_id"]


# ------------------------------------------------------------------------------ GET tokens


def test_token_is_the_request_id(loop: Loop) -> None:
    _client, key = new_client(loop)
    (row,) = post(spec_example_post(key)).json()
    number = row["service_request_id"]
    assert Client().get(f"{V2}/tokens/{number}.json").json() == [{"service_request_id": number, "token": number}]
    root = xml_of(Client().get(f"{V2}/tokens/{number}.xml"))
    assert [(c.tag, c.text) for c in root[0]] == [("service_request_id", number), ("token", number)]
    assert_error(Client().get(f"{V2}/tokens/123456.json"), 404, 404)
    # a case that did not come through Open311 has no token
    assert_error(Client().get(f"{V2}/tokens/{loop.file().case.number}.json"), 404, 404)


# ------------------------------------------------------------------------------ GET Service Requests


def _closed_case(loop: Loop) -> Case:
    case, _token = reach(loop, Status.CLOSED)
    return case


def test_get_requests_fields_and_privacy(loop: Loop) -> None:
    import re

    # given an open and a closed case in 第一网格, and clients of the district and of the other street
    _client, district_key = new_client(loop)
    _other, other_key = new_client(loop, region_code=loop.tree.street2.code, name="马群")
    open_case = loop.file(address="银城东苑3栋1单元302室").case
    closed = _closed_case(loop)
    http = Client()
    # when anyone asks
    public = http.get(f"{V2}/requests.json").json()
    covered = http.get(f"{V2}/requests.json", {"api_key": district_key}).json()
    elsewhere = http.get(f"{V2}/requests.json", {"api_key": other_key}).json()
    # then every row has exactly the spec's fields, newest first
    assert [r["service_request_id"] for r in public] == [closed.number, open_case.number]
    assert all(set(r) == REQUEST_FIELDS for r in public + covered + elsewhere)
    row = {r["service_request_id"]: r for r in public}
    assert row[open_case.number]["status"] == "open" and row[closed.number]["status"] == "closed"
    assert row[closed.number]["status_notes"] == "已督促工地覆盖渣土并冲洗路面"
    assert row[open_case.number]["status_notes"]  # the status in words
    assert row[closed.number]["agency_responsible"] == "栖霞区城管局"
    assert row[closed.number]["service_code"] == "SJ0302" and row[closed.number]["service_name"] == "工地扬尘与渣土"
    for r in public:
        assert re.match(W3C, r["requested_datetime"]) and re.match(W3C, r["updated_datetime"])
    assert re.match(W3C, row[closed.number]["expected_datetime"])
    # and personal data only for the client whose area covers the case
    assert all(r["description"] is None and r["media_url"] is None for r in public + elsewhere)
    assert row[open_case.number]["address"] == "尧化门社区 第一网格"
    assert row[open_case.number]["lat"] == round(GRID1_POINT[1], 3)
    mine = {r["service_request_id"]: r for r in covered}
    assert mine[open_case.number]["description"] == open_case.description
    assert mine[open_case.number]["address"] == "银城东苑3栋1单元302室"
    assert "银城东苑" not in http.get(f"{V2}/requests.json").content.decode()
    assert_error(http.get(f"{V2}/requests.json", {"api_key": "wrong"}), 403, 403)


def test_get_requests_filters(loop: Loop) -> None:
    first = loop.file().case
    closed = _closed_case(loop)
    cover = loop.file(category="BJ0101", attributes={"cover_state": "缺失"}).case
    http = Client()

    def ids(**params: str) -> list[str]:
        response = http.get(f"{V2}/requests.json", params)
        assert response.status_code == 200, response.content
        return sorted(r["service_request_id"] for r in response.json())

    everything = sorted([first.number, closed.number, cover.number])
    assert ids() == everything
    assert ids(status="open") == sorted([first.number, cover.number])
    assert ids(status="closed") == [closed.number]
    assert ids(status="open,closed") == everything
    assert ids(service_code="BJ0101") == [cover.number]
    assert ids(service_code="BJ0101,SJ0302") == everything
    # service_request_id "overrides all other arguments"
    assert ids(service_request_id=f"{first.number},{closed.number}", status="closed") == sorted(
        [first.number, closed.number]
    )
    assert ids(start_date="2010-05-24T00:00:00Z", end_date="2010-06-24T00:00:00Z") == []
    assert ids(start_date=first.created_at.strftime("%Y-%m-%dT00:00:00+08:00")) == everything
    assert_error(http.get(f"{V2}/requests.json", {"status": "pending"}), 400, "invalid_status")
    assert_error(http.get(f"{V2}/requests.json", {"start_date": "yesterday"}), 400, "invalid_date")
    too_long = {"start_date": "2010-01-01T00:00:00Z", "end_date": "2010-06-24T00:00:00Z"}
    assert_error(http.get(f"{V2}/requests.json", too_long), 400, "range_too_long")


def test_get_requests_xml(loop: Loop) -> None:
    closed = _closed_case(loop)
    root = xml_of(Client().get(f"{V2}/requests.xml"))
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
    request = root[0]
    assert [c.tag for c in request] == list(_ordered_fields())
    assert request.findtext("service_request_id") == closed.number
    assert request.findtext("status") == "closed"
    assert request.findtext("description") == ""  # <description></description>, as in the spec's example


def test_xml_stays_well_formed_whatever_the_resident_typed(loop: Loop) -> None:
    _client, key = new_client(loop)
    text = '井盖<缺失> & "危险"\x01\x0b请尽快]]>处理'
    (row,) = post(spec_example_post(key, description=text)).json()
    root = xml_of(Client().get(f"{V2}/requests/{row['service_request_id']}.xml", {"api_key": key}))
    assert root[0].findtext("description") == '井盖<缺失> & "危险"请尽快]]>处理'


def _ordered_fields() -> list[str]:
    # The order of the spec's example response.
    return [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]


# ------------------------------------------------------------------------------ GET Service Request


def test_get_one_request(loop: Loop) -> None:
    case = loop.file().case
    response = Client().get(f"{V2}/requests/{case.number}.json")
    assert response.status_code == 200
    (row,) = response.json()
    assert row["service_request_id"] == case.number and row["status"] == "open"
    root = xml_of(Client().get(f"{V2}/requests/{case.number}.xml"))
    assert root.tag == "service_requests" and root[0].findtext("service_request_id") == case.number
    assert_error(Client().get(f"{V2}/requests/123.json"), 404, 404)
    assert_error(Client().get(f"{V2}/requests/123.xml"), 404, 404, fmt="xml")


def test_media_url_for_the_covering_client(loop: Loop, settings: Any, tmp_path: Any) -> None:
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    _client, key = new_client(loop)
    _other, other_key = new_client(loop, region_code=loop.tree.street2.code, name="马群")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "p.jpg"
    staff = Client()
    staff.force_login(loop.users["community"])
    number = staff.post("/api/v1/cases/", {"description": "井盖破损", "lon": 118.81, "lat": 32.15, "photos": [buffer]})
    number = number.json()["number"]
    (row,) = Client().get(f"{V2}/requests/{number}.json", {"api_key": key}).json()
    assert row["media_url"]
    photo = Client().get(row["media_url"], {"api_key": key})
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert_error(Client().get(row["media_url"], {"api_key": other_key}), 404, 404)
    assert_error(Client().get(row["media_url"]), 403, 403)


# ------------------------------------------------------------------------------ general errors


def test_unknown_resources_and_methods(loop: Loop) -> None:
    http = Client()
    assert_error(http.get(f"{V2}/services.html"), 404, 404)
    assert_error(http.get(f"{V2}/nothing-here"), 404, 404)
    wrong_method = http.delete(f"{V2}/requests.json")
    assert_error(wrong_method, 405, 405)
    assert "GET" in wrong_method["Allow"] and "POST" in wrong_method["Allow"]
    assert_error(http.post(f"{V2}/services.xml"), 405, 405, fmt="xml")


def test_staff_steps_show_in_the_feed(loop: Loop) -> None:
    # given two requests filed through Open311
    _client, key = new_client(loop)
    registered, rejected = (post(spec_example_post(key, description=d)).json()[0] for d in ("工地扬尘", "重复反映"))
    # when the street registers one and does not register the other
    t.do_accept_case(actor=loop.actor("street"), case_id=Case.objects.get(number=registered["service_request_id"]).pk)
    t.do_reject_case(
        actor=loop.actor("street"),
        case_id=Case.objects.get(number=rejected["service_request_id"]).pk,
        reason="重复反映",
    )
    # then the feed says so: open "已立案", closed with the reason
    (one,) = Client().get(f"{V2}/requests/{registered['service_request_id']}.json").json()
    (two,) = Client().get(f"{V2}/requests/{rejected['service_request_id']}.json").json()
    assert (one["status"], one["status_notes"]) == ("open", "已立案")
    assert (two["status"], two["status_notes"]) == ("closed", "重复反映")
    assert two["updated_datetime"] >= two["requested_datetime"]
