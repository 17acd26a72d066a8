"""Every transition of the workflow: each party allowed succeeds; a refused one changes nothing.

The case of `states.reach` sits in 第一网格, registered by 尧化街道 and given to 城管局. Users are those
of `loop` (conftest.py). "refused" users either cannot see the case (NotFound, as if missing) or see it
but are not its party for the action (PermissionDenied); both must leave the case, its timeline and
the audit trail exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.cases.actions import transitions as t
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.models import Case, CaseEvent, RequestKind, Status
from gongzhi.core.errors import Conflict, NotFound
from gongzhi.core.models import AuditEvent
from tests.cases.conftest import Loop
from tests.cases.states import reach, resident

Act = Callable[[Loop, Actor, Case], Any]


def _merge(loop: Loop, actor: Actor, case: Case) -> Any:
    # the open case the test filed beside this one before taking its snapshot
    target = Case.objects.exclude(pk=case.pk).filter(status=Status.PENDING).latest("pk")
    return t.do_merge_case(actor=actor, case_id=case.pk, into_number=target.number)


def _decide(loop: Loop, actor: Actor, case: Case) -> Any:
    request = case.requests.get()
    return t.do_decide_request(actor=actor, request_id=request.pk, approve=True)


def _with_request(kind: str) -> Callable[[Loop, Case], None]:
    def prepare(loop: Loop, case: Case) -> None:
        t.do_request_change(actor=loop.actor("dept"), case_id=case.pk, kind=kind, reason="需要协调", days=3)

    return prepare


# action, state it starts from, the call, users allowed, users refused (with the error they get),
# the state after, and an optional preparation (a pending request, a whistle order).
CASES: list[tuple[str, str, Act, list[str], dict[str, type[Exception]], str, bool]] = [
    (
        "accept",
        Status.PENDING,
        lambda lp, a, c: t.do_accept_case(actor=a, case_id=c.pk),
        ["street", "leader"],
        {
            "community": PermissionDenied,
            "grid": PermissionDenied,
            "dept": NotFound,
            "street2": NotFound,
            "city": PermissionDenied,
            "sysadmin": NotFound,
            "nobody": NotFound,
        },
        Status.REGISTERED,
        False,
    ),
    (
        "reject",
        Status.PENDING,
        lambda lp, a, c: t.do_reject_case(actor=a, case_id=c.pk, reason="重复反映"),
        ["street", "leader"],
        {"community": PermissionDenied, "grid2": NotFound},
        Status.REJECTED,
        False,
    ),
    (
        "merge",
        Status.PENDING,
        _merge,
        ["street", "leader"],
        {"community": PermissionDenied, "dept": NotFound, "city": PermissionDenied},
        Status.MERGED,
        False,
    ),
    (
        "escalate",
        Status.REGISTERED,
        lambda lp, a, c: t.do_escalate_case(actor=a, case_id=c.pk, reason="需区级协调"),
        ["street"],
        {"community": PermissionDenied, "dept": NotFound},
        Status.REGISTERED,
        False,
    ),
    (
        "assign_down",
        Status.REGISTERED,
        lambda lp, a, c: t.do_assign_down_case(actor=a, case_id=c.pk, to_code=lp.tree.community.code),
        ["street", "leader"],
        {"grid": PermissionDenied, "community2": NotFound},
        Status.REGISTERED,
        False,
    ),
    (
        "dispatch",
        Status.REGISTERED,
        lambda lp, a, c: t.do_dispatch_case(actor=a, case_id=c.pk, department_id=lp.department.pk),
        ["street", "leader"],
        {"community": PermissionDenied, "dept": NotFound, "city": PermissionDenied},
        Status.DISPATCHED,
        False,
    ),
    (
        "whistle",
        Status.REGISTERED,
        lambda lp, a, c: t.do_blow_whistle(
            actor=a, case_id=c.pk, lead_department_id=lp.department.pk, assisting_ids=[lp.water.pk]
        ),
        ["street", "leader"],
        {"community": PermissionDenied, "grid": PermissionDenied},
        Status.DISPATCHED,
        False,
    ),
    (
        "sign",
        Status.DISPATCHED,
        lambda lp, a, c: t.do_sign_case(actor=a, case_id=c.pk),
        ["dept"],
        {"water": NotFound, "street": PermissionDenied, "grid": PermissionDenied},
        Status.SIGNED,
        False,
    ),
    (
        "return",
        Status.DISPATCHED,
        lambda lp, a, c: t.do_return_case(actor=a, case_id=c.pk, reason="非我局职责"),
        ["dept"],
        {"street": PermissionDenied, "water": NotFound},
        Status.RETURNED,
        False,
    ),
    (
        "start",
        Status.SIGNED,
        lambda lp, a, c: t.do_start_case(actor=a, case_id=c.pk),
        ["dept"],
        {"community": PermissionDenied, "water": NotFound},
        Status.HANDLING,
        False,
    ),
    (
        "start after rework",
        Status.REWORK,
        lambda lp, a, c: t.do_start_case(actor=a, case_id=c.pk),
        ["dept"],
        {"grid": PermissionDenied},
        Status.HANDLING,
        False,
    ),
    (
        "finish",
        Status.HANDLING,
        lambda lp, a, c: t.do_finish_case(actor=a, case_id=c.pk, result="已处理完毕"),
        ["dept"],
        {"street": PermissionDenied, "grid": PermissionDenied},
        Status.VERIFYING,
        False,
    ),
    (
        "verify_pass",
        Status.VERIFYING,
        lambda lp, a, c: t.do_verify_case(actor=a, case_id=c.pk, passed=True),
        ["grid", "community"],
        {"grid2": NotFound, "street": PermissionDenied, "dept": PermissionDenied},
        Status.CLOSED,
        False,
    ),
    (
        "verify_fail",
        Status.VERIFYING,
        lambda lp, a, c: t.do_verify_case(actor=a, case_id=c.pk, passed=False, note="问题依旧"),
        ["grid", "community"],
        {"dept": PermissionDenied, "leader": PermissionDenied},
        Status.REWORK,
        False,
    ),
    (
        "supervise",
        Status.HANDLING,
        lambda lp, a, c: t.do_supervise_case(actor=a, case_id=c.pk, note="请加快办理"),
        ["street", "leader", "city"],
        {"community": PermissionDenied, "dept": PermissionDenied},
        Status.HANDLING,
        False,
    ),
    (
        "request_suspend",
        Status.HANDLING,
        lambda lp, a, c: t.do_request_change(actor=a, case_id=c.pk, kind=RequestKind.SUSPEND, reason="等待整改"),
        ["dept"],
        {"street": PermissionDenied, "grid": PermissionDenied},
        Status.HANDLING,
        False,
    ),
    (
        "request_extend",
        Status.SIGNED,
        lambda lp, a, c: t.do_request_change(actor=a, case_id=c.pk, kind=RequestKind.EXTEND, reason="需采购", days=3),
        ["dept"],
        {"community": PermissionDenied},
        Status.SIGNED,
        False,
    ),
    (
        "resume",
        Status.SUSPENDED,
        lambda lp, a, c: t.do_resume_case(actor=a, case_id=c.pk),
        ["street", "dept"],
        {"grid": PermissionDenied, "water": NotFound},
        Status.HANDLING,
        False,
    ),
]


def _snapshot(case: Case) -> tuple[Any, ...]:
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


def _params() -> list[Any]:
    out = []
    for name, state, act, allowed, refused, after, _flag in CASES:
        for user in allowed:
            out.append(pytest.param(name, state, act, user, None, after, id=f"{name}-{user}-allowed"))
        for user, error in refused.items():
            out.append(pytest.param(name, state, act, user, error, after, id=f"{name}-{user}-refused"))
    return out


@pytest.mark.parametrize(("name", "state", "act", "user", "error", "after"), _params())
def test_transition(
    loop: Loop, name: str, state: str, act: Act, user: str, error: type[Exception] | None, after: str
) -> None:
    # given a case in the starting state (and an open one beside it, for merging into)
    case, _token = reach(loop, state)
    loop.file(point=(118.8101, 32.1501))
    before = _snapshot(case)
    events_before = CaseEvent.objects.filter(case=case).count()
    # when the user acts
    if error is None:
        act(loop, loop.actor(user), case)
        # then the case moved on, with its timeline entry
        fresh = loop.reload(case)
        assert fresh.status == after
        assert CaseEvent.objects.filter(case=case).count() > events_before
    else:
        with pytest.raises(error):
            act(loop, loop.actor(user), case)
        # then nothing changed, not even the audit trail
        assert _snapshot(case) == before


@pytest.mark.parametrize("user", ["street", "leader"])
def test_decide_request_allowed(loop: Loop, user: str) -> None:
    # given a case in hand with a suspension request
    case, _token = reach(loop, Status.HANDLING)
    _with_request(RequestKind.SUSPEND)(loop, case)
    # when the office in charge approves it
    _decide(loop, loop.actor(user), loop.reload(case))
    # then the case is suspended and remembers where it was
    fresh = loop.reload(case)
    assert fresh.status == Status.SUSPENDED
    assert fresh.suspended_status == Status.HANDLING


@pytest.mark.parametrize(("user", "error"), [("dept", PermissionDenied), ("community2", NotFound)])
def test_decide_request_refused(loop: Loop, user: str, error: type[Exception]) -> None:
    case, _token = reach(loop, Status.HANDLING)
    _with_request(RequestKind.EXTEND)(loop, case)
    before = _snapshot(case)
    with pytest.raises(error):
        _decide(loop, loop.actor(user), loop.reload(case))
    assert _snapshot(case) == before
    assert loop.reload(case).requests.get().status == "pending"


def test_extension_moves_the_deadline_by_working_days(loop: Loop) -> None:
    # given a case in hand with a 3-day extension request
    case, _token = reach(loop, Status.SIGNED)
    _with_request(RequestKind.EXTEND)(loop, case)
    due = loop.reload(case).handle_due
    assert due is not None
    # when the street approves
    _decide(loop, loop.actor("street"), loop.reload(case))
    # then the deadline is 3 working days later
    from gongzhi.cases import sla

    assert loop.reload(case).handle_due == sla.extend(due, 3)


def test_rate_by_the_resident_only(loop: Loop) -> None:
    # given a closed case
    case, token = reach(loop, Status.CLOSED)
    before = _snapshot(case)
    # when staff or a wrong token try to rate, nothing changes
    with pytest.raises(PermissionDenied):
        t.do_rate_case(actor=loop.actor("street"), case_id=case.pk, rating="satisfied")
    with pytest.raises(NotFound):
        t.do_rate_case(actor=resident("not-the-token"), case_id=case.pk, rating="satisfied")
    assert _snapshot(case) == before
    # when the resident rates 满意, it stays closed and is rated
    t.do_rate_case(actor=resident(token), case_id=case.pk, rating="satisfied", comment="很快")
    fresh = loop.reload(case)
    assert (fresh.status, fresh.rating) == (Status.CLOSED, "satisfied")
    # and a second rating of the same result is refused
    with pytest.raises(Conflict):
        t.do_rate_case(actor=resident(token), case_id=case.pk, rating="basic")


def test_unsatisfied_rating_reopens_as_rework_against_the_handler(loop: Loop) -> None:
    # given a closed case
    case, token = reach(loop, Status.CLOSED)
    # when the resident rates 不满意
    t.do_rate_case(actor=resident(token), case_id=case.pk, rating="unsatisfied", comment="根本没处理")
    # then it is rework, still with 城管局, counted once
    fresh = loop.reload(case)
    assert (fresh.status, fresh.department_id, fresh.rework_count) == (Status.REWORK, loop.department.pk, 1)
    assert fresh.closed_at is None
    # and the handler can take it up again and close it, and the resident rates the new result
    t.do_start_case(actor=loop.actor("dept"), case_id=case.pk)
    t.do_finish_case(actor=loop.actor("dept"), case_id=case.pk, result="再次清理并覆盖")
    t.do_verify_case(actor=loop.actor("grid"), case_id=case.pk, passed=True)
    t.do_rate_case(actor=resident(token), case_id=case.pk, rating="basic")
    assert loop.reload(case).rating == "basic"


def test_a_transition_from_the_wrong_state_is_a_conflict_and_changes_nothing(loop: Loop) -> None:
    case, _token = reach(loop, Status.DISPATCHED)
    before = _snapshot(case)
    with pytest.raises(Conflict) as info:
        t.do_accept_case(actor=loop.actor("street"), case_id=case.pk)
    assert info.value.items[0].code == "conflict"
    assert _snapshot(case) == before
