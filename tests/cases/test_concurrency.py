"""Races on PostgreSQL: two dispatchers on one case at the same moment; exactly one wins."""

from __future__ import annotations

import pytest

from gongzhi.cases.actions import transitions as t
from gongzhi.cases.models import CaseEvent, Status
from gongzhi.core.errors import Conflict
from tests.cases.conftest import make_loop
from tests.cases.states import reach
from tests.races import needs_postgres, race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_dispatchers_at_once_one_wins_the_other_gets_a_conflict() -> None:
    needs_postgres()
    # given a registered case and two people who may dispatch it (street office, district command)
    loop = make_loop()
    case, _token = reach(loop, Status.REGISTERED)
    street, leader = loop.actor("street"), loop.actor("leader")
    # when both dispatch it at the same moment
    wins, errors = race(
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
    needs_postgres()
    loop = make_loop()
    case, _token = reach(loop, Status.DISPATCHED)
    dept = loop.actor("dept")
    wins, errors = race([lambda: t.do_sign_case(actor=dept, case_id=case.pk) for _ in range(10)])
    assert wins == 1
    assert all(isinstance(e, Conflict) for e in errors) and len(errors) == 9
    assert CaseEvent.objects.filter(case=case, action="sign").count() == 1
