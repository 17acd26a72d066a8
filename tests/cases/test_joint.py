"""吹哨报到: the street summons a lead and assisting departments; the case closes only when the lead's
result and every assisting part are in; everything is on the timeline."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.cases.actions import transitions as t
from gongzhi.cases.models import CaseEvent, Notification, Status, WhistleParty
from gongzhi.core.errors import DomainError, NotFound
from tests.cases.conftest import Loop
from tests.cases.states import reach


def test_whistle_summons_departments_and_waits_for_every_part(loop: Loop, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # given a registered case, the street blows the whistle: 城管局 leads, 水务局 assists, 公安分局 is notified
    case, _token = reach(loop, Status.REGISTERED)
    with django_capture_on_commit_callbacks(execute=True):
        t.do_blow_whistle(
            actor=loop.actor("street"),
            case_id=case.pk,
            lead_department_id=loop.department.pk,
            assisting_ids=[loop.water.pk],
            notified_ids=[loop.police.pk],
            report_in_hours=4,
            note="联合整治工地扬尘",
        )
    parties = dict(WhistleParty.objects.filter(whistle__case=case).values_list("department__short_name", "role"))
    assert parties == {"城管局": "lead", "水务局": "assist", "公安分局": "notify"}
    # then both summoned departments' staff are told, and the assisting one now sees the case
    assert Notification.objects.filter(user=loop.users["water"], case=case, kind="whistle").exists()
    dept, water = loop.actor("dept"), loop.actor("water")
    # the lead signs and starts; finishing before the others report in is refused and changes nothing
    t.do_sign_case(actor=dept, case_id=case.pk)
    t.do_start_case(actor=dept, case_id=case.pk)
    with pytest.raises(DomainError) as info:
        t.do_finish_case(actor=dept, case_id=case.pk, result="已整治")
    assert info.value.items[0].code == "parts_missing"
    assert loop.reload(case).status == Status.HANDLING
    # a party must report in before submitting its part
    with pytest.raises(DomainError):
        t.do_submit_part(actor=water, case_id=case.pk, text="已排查管网")
    t.do_report_in(actor=dept, case_id=case.pk)
    t.do_report_in(actor=water, case_id=case.pk)
    with pytest.raises(DomainError):
        t.do_finish_case(actor=dept, case_id=case.pk, result="已整治")
    t.do_submit_part(actor=water, case_id=case.pk, text="已排查周边雨水管网，无渗漏")
    # the assisting department cannot finish the case: that is the lead's
    with pytest.raises(PermissionDenied):
        t.do_finish_case(actor=water, case_id=case.pk, result="越权")
    # when the lead finishes, the case moves on to verification
    t.do_finish_case(actor=dept, case_id=case.pk, result="工地已覆盖渣土，配合水务完成排查")
    assert loop.reload(case).status == Status.VERIFYING
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions[-7:] == ["sign", "start", "report_in", "report_in", "submit_part", "finish", "send_to_verify"]


def test_a_department_not_summoned_cannot_report_in(loop: Loop) -> None:
    case, _token = reach(loop, Status.DISPATCHED, whistle=True)
    with pytest.raises(NotFound):
        t.do_report_in(actor=loop.actor("grid2"), case_id=case.pk)


def test_whistle_needs_departments_of_the_district(loop: Loop) -> None:
    case, _token = reach(loop, Status.REGISTERED)
    with pytest.raises(DomainError):
        t.do_blow_whistle(actor=loop.actor("street"), case_id=case.pk, lead_department_id=999_999)
    assert loop.reload(case).status == Status.REGISTERED


def test_duty_list_refuses_a_department_not_listed_unless_admitted(loop: Loop) -> None:
    from gongzhi.cases.actions.config import do_grant_admission

    # given a building-site dust case, which is 城管局's, not 公安分局's
    case, _token = reach(loop, Status.REGISTERED)
    # when the street dispatches it to 公安分局, it is refused with the reason, nothing changes
    with pytest.raises(DomainError) as info:
        t.do_dispatch_case(actor=loop.actor("street"), case_id=case.pk, department_id=loop.police.pk)
    assert info.value.items[0].code == "not_on_duty_list"
    assert "非准不入" in info.value.items[0].message
    assert loop.reload(case).status == Status.REGISTERED
    # when the street admits the item for 公安分局 in its area, the dispatch goes through
    do_grant_admission(
        actor=loop.actor("street"),
        category_id=case.category.pk if case.category else 0,
        street_code=loop.tree.street.code,
        department_id=loop.police.pk,
        reason="夜间渣土车需交警配合",
    )
    t.do_dispatch_case(actor=loop.actor("street"), case_id=case.pk, department_id=loop.police.pk)
    assert loop.reload(case).department_id == loop.police.pk


def test_another_street_cannot_admit_for_this_street(loop: Loop) -> None:
    from gongzhi.cases.actions.config import do_grant_admission
    from gongzhi.cases.models import Admission

    case, _token = reach(loop, Status.REGISTERED)
    with pytest.raises(PermissionDenied):
        do_grant_admission(
            actor=loop.actor("street2"),
            category_id=case.category.pk if case.category else 0,
            street_code=loop.tree.street.code,
            department_id=loop.police.pk,
            reason="越界",
        )
    assert not Admission.objects.exists()


def test_a_department_late_to_report_in_is_reminded_once(loop: Loop, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from gongzhi.cases.sweep import run_sweep

    # given a whistle with a 2-hour report-in deadline; 城管局 reports in, 水务局 does not
    case, _token = reach(loop, Status.REGISTERED)
    t.do_blow_whistle(
        actor=loop.actor("street"),
        case_id=case.pk,
        lead_department_id=loop.department.pk,
        assisting_ids=[loop.water.pk],
        report_in_hours=2,
    )
    t.do_report_in(actor=loop.actor("dept"), case_id=case.pk)
    # when the sweep runs three hours later, twice
    later = timezone.now() + dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        first = run_sweep(now=later)
        second = run_sweep(now=later)
    # then only 水务局 is reminded, once, and the street is told
    assert (first.late_report_ins, second.late_report_ins) == (1, 0)
    assert Notification.objects.filter(user=loop.users["water"], kind="report_in_late").count() == 1
    assert Notification.objects.filter(user=loop.users["street"], kind="report_in_late").count() == 1
    assert not Notification.objects.filter(user=loop.users["dept"], kind="report_in_late").exists()
    assert CaseEvent.objects.filter(case=case, action="report_in_late").count() == 1
