"""Bring a case of the `loop` fixture to any workflow state by the real actions, the way users would."""

from __future__ import annotations

from collections.abc import Callable

from gongzhi.cases.actions import transitions as t
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.models import Case, RequestKind, Status
from tests.cases.conftest import Loop

# Every case here: 工地扬尘 (SJ0302, a 城管局 matter registered by the street) in 第一网格.


def reach(loop: Loop, state: str, *, whistle: bool = False) -> tuple[Case, str]:
    """A fresh case in `state`; returns it with the resident's ticket token."""
    filed = loop.file()
    case, token = filed.case, filed.token
    steps: list[Callable[[], object]] = []
    street, dept, grid = loop.actor("street"), loop.actor("dept"), loop.actor("grid")
    cid = case.pk

    def dispatch() -> object:
        if whistle:
            return t.do_blow_whistle(
                actor=street, case_id=cid, lead_department_id=loop.department.pk, assisting_ids=[loop.water.pk]
            )
        return t.do_dispatch_case(actor=street, case_id=cid, department_id=loop.department.pk)

    path: dict[str, list[Callable[[], object]]] = {
        Status.PENDING: [],
        Status.REGISTERED: [lambda: t.do_accept_case(actor=street, case_id=cid)],
        Status.DISPATCHED: [lambda: t.do_accept_case(actor=street, case_id=cid), dispatch],
    }
    path[Status.SIGNED] = [*path[Status.DISPATCHED], lambda: t.do_sign_case(actor=dept, case_id=cid)]
    path[Status.RETURNED] = [
        *path[Status.DISPATCHED],
        lambda: t.do_return_case(actor=dept, case_id=cid, reason="不属于我局职责"),
    ]
    path[Status.HANDLING] = [*path[Status.SIGNED], lambda: t.do_start_case(actor=dept, case_id=cid)]
    path[Status.VERIFYING] = [
        *path[Status.HANDLING],
        lambda: t.do_finish_case(actor=dept, case_id=cid, result="已督促工地覆盖渣土并冲洗路面"),
    ]
    path[Status.CLOSED] = [*path[Status.VERIFYING], lambda: t.do_verify_case(actor=grid, case_id=cid, passed=True)]
    path[Status.REWORK] = [
        *path[Status.VERIFYING],
        lambda: t.do_verify_case(actor=grid, case_id=cid, passed=False, note="现场仍有扬尘"),
    ]
    path[Status.SUSPENDED] = [
        *path[Status.HANDLING],
        lambda: t.do_request_change(actor=dept, case_id=cid, kind=RequestKind.SUSPEND, reason="等待工地整改方案"),
        lambda: t.do_decide_request(actor=street, request_id=case.requests.get().pk, approve=True),
    ]
    if whistle and state in (Status.VERIFYING, Status.CLOSED, Status.REWORK):
        raise ValueError("a whistle case needs the joint parts before it can finish")
    steps = path[state]
    for step in steps:
        step()
    return loop.reload(case), token


def resident(token: str) -> Actor:
    return Actor(ticket_token=token)
