"""Races on PostgreSQL: two dispatchers on one case at the same moment; exactly one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from gongzhi.cases.actions import transitions as t
from gongzhi.cases.models import CaseEvent, Status
from gongzhi.core.errors import Conflict
from tests.cases.conftest import make_loop
from tests.cases.states import reach

pytestmark = pytest.mark.django_db(transaction=True)


def _race(calls: list[Callable[[], object]]) -> tuple[int, list[Exception]]:
    barrier = threading.Barrier(len(calls))
    wins: list[int] = []
    errors: list[Exception] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
            wins.append(1)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(wins), errors


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises the whole database)")


def test_two_dispatchers_at_once_one_wins_the_other_gets_a_conflict() -> None:
    _needs_postgres()
    # given a registered case and two people who may dispatch it (street office, district command)
    loop = make_loop()
    case, _token = reach(loop, Status.REGISTERED)
    street, leader = loop.actor("street"), loop.actor("leader")
    # when both dispatch it at the same moment
    wins, errors = _race(
        [
            lambda: t.do_dispatch_case(actor=street, case_id=case.pk, department_id=loop.department.pk),
            lambda: t.do_dispatch_case(actor=leader, case_id=case.pk, department_id=loop.department.pk),
        ]
    )
    # then exactly one wins, the other is told clearly, and the timeline has one dispatch
    assert wins == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert errors[0].items[0].code == "conflict"
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    assert loop.reload(case).status == Status.DISPATCHED


def test_ten_signers_of_one_dispatched_case_sign_once() -> None:
    _needs_postgres()
    loop = make_loop()
    case, _token = reach(loop, Status.DISPATCHED)
    dept = loop.actor("dept")
    wins, errors = _race([lambda: t.do_sign_case(actor=dept, case_id=case.pk) for _ in range(10)])
    assert wins == 1
    assert all(isinstance(e, Conflict) for e in errors) and len(errors) == 9
    assert CaseEvent.objects.filter(case=case, action="sign").count() == 1
