"""The 双报到 pages: who sees them, the buttons that act, the board, hours and the participant's page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.registrations.models import MemberRegistration, RegistrationStatus, UnitContact, UnitRegistration
from tests.core.signin import force_login_verified
from tests.registrations.helpers import join, serve, unit_team, world_registration
from tests.serviceloop.world import World

pytestmark = pytest.mark.django_db


def client_of(world: World, who: str) -> Client:
    return force_login_verified(Client(), world.user(who))


def test_the_list_shows_pending_with_buttons_to_managers_only(world: World) -> None:
    page = client_of(world, "community").get("/registrations/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "孙建国" in text  # sun's pending registration
    assert 'value="approve"' in text
    assert "第一网格物业服务有限公司" in text
    assert "nav" in text and "/registrations/compliance/" in text
    # the district leader sees it, without buttons
    leader = client_of(world, "leader").get("/registrations/")
    assert leader.status_code == 200 and 'value="approve"' not in leader.content.decode()
    # the security administrator has no business here
    assert client_of(world, "secadmin").get("/registrations/").status_code == 403


def test_approve_and_reject_through_the_page(world: World) -> None:
    sun = MemberRegistration.objects.get(member=world.members["sun"])
    client = client_of(world, "community")
    refused = client.post(f"/registrations/member/{sun.pk}/decide/", {"decision": "reject"}, follow=True)
    assert "reason" in refused.content.decode().lower() or "原因" in refused.content.decode()
    assert MemberRegistration.objects.get(pk=sun.pk).status == RegistrationStatus.PENDING
    client.post(f"/registrations/member/{sun.pk}/decide/", {"decision": "approve"})
    assert MemberRegistration.objects.get(pk=sun.pk).status == RegistrationStatus.APPROVED
    # a grid worker cannot; an unknown kind or id is 404
    assert (
        client_of(world, "grid").post(f"/registrations/member/{sun.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    assert client.post("/registrations/nope/1/decide/", {"decision": "approve"}).status_code == 404
    assert client.post("/registrations/member/999999/decide/", {"decision": "approve"}).status_code == 404


def test_staff_register_a_unit_and_a_member_through_the_forms(world: World) -> None:
    client = client_of(world, "community")
    assert client.get("/registrations/units/new/").status_code == 200
    unit = world.people.places["grid2"].unit
    response = client.post(
        "/registrations/units/new/", {"community": world.community.pk, "unit": unit.pk, "offers": "义诊"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert UnitRegistration.objects.get(unit=unit).status == RegistrationStatus.PENDING
    form = client.get("/registrations/members/new/")
    # no list of the city's in-service members: the member is identified by name and ID number
    assert form.status_code == 200 and "吴敏" not in form.content.decode()
    wu = world.members["wu"].person
    # wu is already registered here: the error lands on the form
    again = client.post(
        "/registrations/members/new/",
        {
            "community": world.community.pk,
            "name": wu.name,
            "id_number": world.people.plaintext[wu.pk][0],
            "days": [0, 1],
            "monthly_capacity": 3,
        },
    )
    assert (again.status_code == 200 and "already" in again.content.decode()) or "已" in again.content.decode()
    assert client_of(world, "leader").get("/registrations/units/new/").status_code == 403


def test_unit_page_logs_a_contact_and_sets_the_liaison(world: World) -> None:
    registration = world_registration(world)
    client = client_of(world, "community")
    page = client.get(f"/registrations/units/{registration.pk}/")
    assert page.status_code == 200 and "李秀英" in page.content.decode()
    client.post(
        f"/registrations/units/{registration.pk}/",
        {"form": "contact", "contacted_on": "2026-10-08", "channel": "phone", "summary": "电话沟通共建项目"},
    )
    assert UnitContact.objects.filter(unit=world.unit, contacted_on=dt.date(2026, 10, 8)).exists()
    client.post(
        f"/registrations/units/{registration.pk}/", {"form": "liaison", "volunteer": world.volunteers["wang"].pk}
    )
    registration.refresh_from_db()
    assert registration.liaison == world.volunteers["wang"]
    # staff of 马群 cannot see it at all
    assert client_of(world, "zhao").get(f"/registrations/units/{registration.pk}/").status_code == 403


def test_meetings_create_and_mark_attendance(world: World) -> None:
    client = client_of(world, "community")
    response = client.post(
        "/registrations/meetings/",
        {"region": world.community.pk, "held_on": "2026-10-09", "subject": "四季度联席会议", "minutes": "议定事项"},
    )
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert "四季度联席会议" in detail.content.decode()
    client.post(response["Location"], {"unit": world.unit.pk, "attendee_name": "周经理"})  # type: ignore[union-attr]
    assert "周经理" in client.get(response["Location"]).content.decode()


def test_compliance_board_and_its_export(world: World) -> None:
    registration = world_registration(world)
    UnitContact.objects.create(
        unit=registration.unit,
        community=world.community,
        region_code=world.community.code,
        contacted_on=dt.date(2026, 10, 8),
        channel="visit",
        summary="走访",
    )
    team = unit_team(world)
    join(team, world.volunteers["li"], dt.date(2026, 10, 1))
    serve(world.community, dt.date(2026, 10, 20), volunteer=world.volunteers["li"])
    client = client_of(world, "secretary")
    page = client.get("/registrations/compliance/", {"period": "2026-10", "community": world.community.code})
    text = page.content.decode()
    assert page.status_code == 200
    row = text[text.index(f'data-unit="{world.unit.pk}"') :]  # type: ignore[union-attr]
    row = row[: row.index("</tr>")]
    # liaison ✓, contact ✓, meeting ✗ (quarter over? no: pending until 2026-12-31 or ✗ after), team ✓, service ✓
    assert row.count("✓") == 4
    assert 'data-item="meeting"' in row
    export = client.get("/registrations/compliance/export.xlsx", {"period": "2026-10"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert sheet.cell(3, 1).value == world.unit.name  # type: ignore[union-attr]
    assert [sheet.cell(3, c).value for c in (2, 3, 5, 6)] == ["✓", "✓", "✓", "✓"]
    # a community outside the user's is 404, a wrong period falls back with a message
    assert client.get("/registrations/compliance/", {"community": "320114001001"}).status_code == 404
    assert client.get("/registrations/compliance/", {"period": "bad"}).status_code == 200


def test_hours_page_and_duty_page(world: World) -> None:
    serve(world.community, dt.date(2026, 5, 1), volunteer=world.volunteers["zhao"], hours="30")
    serve(world.community, dt.date(2026, 5, 1), volunteer=world.volunteers["wu"], hours="12")
    page = client_of(world, "community").get("/registrations/hours/", {"year": "2026"})
    text = page.content.decode()
    assert page.status_code == 200 and "赵建国" in text and "吴敏" in text
    assert 'id="short-count">1<' in text
    street = client_of(world, "street")
    assert street.get("/registrations/duty/").status_code == 200
    street.post("/registrations/duty/", {"region": world.street.pk, "hours": "10"})
    assert (
        'id="short-count">0<'
        in client_of(world, "community").get("/registrations/hours/", {"year": "2026"}).content.decode()
    )
    assert client_of(world, "community").get("/registrations/duty/").status_code == 403


def test_participant_page_shows_registrations_and_hours(world: World) -> None:
    serve(world.community, timezone.localdate(), volunteer=world.volunteers["wu"], hours="3")
    client = client_of(world, "wu")
    page = client.get("/registrations/mine/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "尧化门社区" in text and 'id="my-hours"' in text and "<strong>3</strong>" in text
    assert "/registrations/mine/" in text  # in the navigation
    # wu applies to 新尧社区 from the phone page
    client.post(
        "/registrations/mine/", {"community": world.people.tree.community2.pk, "days": [5, 6], "monthly_capacity": 2}
    )
    assert MemberRegistration.objects.filter(
        member=world.members["wu"], community=world.people.tree.community2
    ).exists()
    # li (not a party member) sees the unit she is the liaison of, no hours and no form
    li = client_of(world, "li").get("/registrations/mine/").content.decode()
    assert "第一网格物业服务有限公司" in li and 'id="my-hours"' not in li and 'id="apply"' not in li
    # staff have no participant page
    assert client_of(world, "community").get("/registrations/mine/").status_code == 403


def _new_in_service_member(world: World) -> tuple[str, str]:
    """李 (a volunteer of grid1, the unit's liaison) made an in-service member: (name, ID number)."""
    from gongzhi.people.actions import do_create_party_member
    from gongzhi.people.models import MemberKind

    person = world.resident("grid1", 1)
    do_create_party_member(
        actor=None,
        person=person,
        organization=world.people.community_committee,
        kind=MemberKind.IN_SERVICE,
        registered_community=world.community,
        employer=world.unit,
        joined_on=dt.date(2015, 7, 1),
    )
    return person.name, world.people.plaintext[person.pk][0]


def _apply(client: Client, world: World, name: str, number: str) -> object:
    return client.post(
        "/registrations/members/new/",
        {"community": world.community.pk, "name": name, "id_number": number, "days": [5], "monthly_capacity": 2},
    )


def test_staff_identify_a_member_by_name_and_id_number(world: World) -> None:
    # given an in-service member who is not yet registered with the community
    name, number = _new_in_service_member(world)
    client = client_of(world, "community")
    # when the community's staff enter the member's name and ID number (lower-case x and spaces allowed)
    response = _apply(client, world, name, f" {number.lower()} ")
    # then the registration awaits approval
    assert response.status_code == 302, response.content.decode()[-2000:]  # type: ignore[attr-defined]
    assert MemberRegistration.objects.filter(member__person__name=name, status=RegistrationStatus.PENDING).exists()


@pytest.mark.parametrize("case", ["wrong_name", "wrong_number", "not_in_service", "bad_checksum"])
def test_a_member_who_does_not_match_is_not_found_and_nothing_is_written(world: World, case: str) -> None:
    # given an in-service member, and a community member who is not in service
    name, number = _new_in_service_member(world)
    resident = world.members["wang"].person
    attempts = {
        "wrong_name": ("王小明", number),
        "wrong_number": (name, world.people.plaintext[resident.pk][0]),
        "not_in_service": (resident.name, world.people.plaintext[resident.pk][0]),
        "bad_checksum": (name, number[:17] + ("0" if number[17] != "0" else "1")),
    }
    before = MemberRegistration.objects.count()
    # when staff enter a name and number that do not identify an in-service member
    response = _apply(client_of(world, "community"), world, *attempts[case])
    # then the form answers with the error on the ID number, and nothing is registered
    page = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    expected = "校验位" if case == "bad_checksum" else "没有姓名和身份证号与之相符的在职党员"
    assert expected in page
    assert MemberRegistration.objects.count() == before
