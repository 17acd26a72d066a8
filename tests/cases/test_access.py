"""Who sees a case and in which capacity: one test per branch of cases.access."""

from __future__ import annotations

import pytest

from gongzhi.cases.access import access_case_by_id, cases_for, parties_of, viewer_of
from gongzhi.cases.models import Status
from gongzhi.cases.workflow import Party
from gongzhi.core.errors import NotFound
from tests.cases.conftest import STREET2_POINT, Loop
from tests.cases.states import reach


def _parties(loop: Loop, user: str, case_id: int) -> frozenset[Party]:
    from gongzhi.cases.models import Case

    return parties_of(viewer_of(loop.users[user]), Case.objects.get(pk=case_id))


def test_region_roles_see_cases_in_their_area_only(loop: Loop) -> None:
    # given a case in 第一网格 (尧化街道) and one in 马群街道
    here = loop.file().case
    there = loop.file(point=STREET2_POINT).case
    seen = {u: set(cases_for(loop.users[u]).values_list("pk", flat=True)) for u in loop.users}
    assert seen["grid"] == {here.pk}
    assert seen["grid2"] == set()  # the next grid's worker
    assert seen["community"] == {here.pk}
    assert seen["community2"] == set()
    assert seen["street"] == {here.pk}
    assert seen["street2"] == {there.pk}
    assert seen["leader"] == seen["city"] == {here.pk, there.pk}
    # administrators and users without a role see no cases at all
    assert seen["sysadmin"] == seen["nobody"] == set()


def test_a_department_sees_only_what_was_sent_to_it(loop: Loop) -> None:
    # given one case dispatched to 城管局 and one still pending
    sent, _ = reach(loop, Status.DISPATCHED)
    pending = loop.file().case
    assert set(cases_for(loop.users["dept"]).values_list("pk", flat=True)) == {sent.pk}
    assert not cases_for(loop.users["water"]).exists()
    with pytest.raises(NotFound):
        access_case_by_id(loop.users["dept"], pending.pk)


def test_a_summoned_department_sees_the_whistle_case(loop: Loop) -> None:
    case, _ = reach(loop, Status.DISPATCHED, whistle=True)
    assert access_case_by_id(loop.users["water"], case.pk).pk == case.pk
    assert _parties(loop, "water", case.pk) == {Party.JOINT}
    assert _parties(loop, "dept", case.pk) == {Party.HANDLER, Party.JOINT}


def test_parties_follow_the_case(loop: Loop) -> None:
    case, _ = reach(loop, Status.DISPATCHED)
    # the office in charge is the street: its staff and the district command dispatch
    assert Party.DISPATCHER in _parties(loop, "street", case.pk)
    assert Party.DISPATCHER in _parties(loop, "leader", case.pk)
    assert Party.DISPATCHER not in _parties(loop, "community", case.pk)
    # the handler is the department it was sent to
    assert _parties(loop, "dept", case.pk) == {Party.HANDLER}
    # verifiers: the grid worker and the community where it happened
    assert _parties(loop, "grid", case.pk) == {Party.VERIFIER}
    assert Party.VERIFIER in _parties(loop, "community", case.pk)
    # oversight: the street (supervise + whistle), the district, the city
    assert {Party.SUPERVISOR, Party.WHISTLER} <= _parties(loop, "street", case.pk)
    assert _parties(loop, "city", case.pk) == {Party.SUPERVISOR}
    # nobody and the administrators are no party
    assert _parties(loop, "nobody", case.pk) == frozenset()
    assert _parties(loop, "sysadmin", case.pk) == frozenset()


def test_a_grid_given_the_case_makes_its_worker_the_handler(loop: Loop) -> None:
    # given a grid-level matter (暴露垃圾) dispatched by the community to 第一网格
    from gongzhi.cases.actions import transitions as t

    case = loop.file(category="SJ0101").case
    assert case.owner_code == loop.tree.community.code
    t.do_accept_case(actor=loop.actor("community"), case_id=case.pk)
    t.do_dispatch_case(actor=loop.actor("community"), case_id=case.pk, grid_code=loop.tree.grid1.code)
    assert Party.HANDLER in _parties(loop, "grid", case.pk)
    assert Party.HANDLER not in _parties(loop, "grid2", case.pk)
    # a department's staff, whose membership sits at the district, is not a grid handler
    assert Party.HANDLER not in _parties(loop, "dept", case.pk)


def test_the_staff_member_who_filed_is_the_reporter(loop: Loop) -> None:
    case = loop.file(actor=loop.actor("community"), channel="staff").case
    assert Party.REPORTER in _parties(loop, "community", case.pk)
    assert Party.REPORTER not in _parties(loop, "street", case.pk)


def test_the_timeline_cannot_be_rewritten(loop: Loop) -> None:
    from django.db import DatabaseError, connection, transaction

    from gongzhi.cases.models import CaseEvent

    case = loop.file().case
    event = CaseEvent.objects.get(case=case)
    event.note = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            CaseEvent.objects.filter(pk=event.pk).update(note="rewritten")
    assert CaseEvent.objects.get(pk=event.pk).note == ""
