"""The case state machine, as data: (state, action) → next state, and which parties may act.

A *party* is a relation between a user and one case (cases.access.parties_of), not a role: the
dispatcher is whoever holds `cases.dispatch` over the office in charge of that case, the handler is
staff of the department it was sent to (or the grid worker of the grid it was given to), and so on.
Tests walk this table, so adding a row here is adding behaviour, and the pages list exactly the
actions this table allows the viewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import OPEN_STATUSES, Status

if TYPE_CHECKING:  # a development-only package: annotations only
    from django_stubs_ext import StrOrPromise


class Party(StrEnum):
    DISPATCHER = "dispatcher"  # the office in charge (community, street, district command)
    HANDLER = "handler"  # the department or grid the case was given to
    VERIFIER = "verifier"  # the grid worker (or community staff) where the case happened
    SUPERVISOR = "supervisor"  # street or district oversight (督办)
    WHISTLER = "whistler"  # the street office that may summon departments (吹哨)
    JOINT = "joint"  # a department summoned by a whistle (报到)
    REPORTER = "reporter"  # the resident holding the ticket, or the staff member who filed it
    SYSTEM = "system"  # the overdue sweep and automatic steps


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    MERGE = "merge"
    ESCALATE = "escalate"
    ASSIGN_DOWN = "assign_down"
    DISPATCH = "dispatch"
    WHISTLE = "whistle"
    SIGN = "sign"
    RETURN = "return"
    START = "start"
    FINISH = "finish"
    SEND_TO_VERIFY = "send_to_verify"
    VERIFY_PASS = "verify_pass"  # noqa: S105 - an action name, not a password
    VERIFY_FAIL = "verify_fail"
    RATE = "rate"
    CLOSE_ON_SPOT = "close_on_spot"
    REQUEST_SUSPEND = "request_suspend"
    REQUEST_EXTEND = "request_extend"
    DECIDE_REQUEST = "decide_request"
    RESUME = "resume"
    SUPERVISE = "supervise"
    REPORT_IN = "report_in"
    SUBMIT_PART = "submit_part"


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    sources: frozenset[str]
    # None: the state does not change, or the action decides (rate, resume, decide_request).
    target: str | None
    parties: frozenset[Party]
    label: StrOrPromise


def _t(
    action: Action, sources: Iterable[str], target: str | None, parties: set[Party], label: StrOrPromise
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(parties), label)


S = Status
P = Party
_BEFORE_DISPATCH = {S.PENDING, S.REGISTERED, S.RETURNED}
_REDISPATCHABLE = {S.REGISTERED, S.RETURNED, S.REWORK}
_IN_HAND = {S.SIGNED, S.HANDLING}

TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.ACCEPT, {S.PENDING}, S.REGISTERED, {P.DISPATCHER}, _("Register")),  # 立案
    _t(Action.REJECT, {S.PENDING}, S.REJECTED, {P.DISPATCHER}, _("Do not register")),  # 不予立案
    _t(Action.MERGE, {S.PENDING, S.REGISTERED}, S.MERGED, {P.DISPATCHER}, _("Merge into another case")),
    _t(Action.ESCALATE, _BEFORE_DISPATCH, None, {P.DISPATCHER}, _("Report to the level above")),  # 上报
    _t(Action.ASSIGN_DOWN, _BEFORE_DISPATCH, None, {P.DISPATCHER}, _("Hand down to the level below")),  # 下发
    _t(Action.DISPATCH, _REDISPATCHABLE, S.DISPATCHED, {P.DISPATCHER}, _("Dispatch")),  # 派遣
    _t(Action.WHISTLE, _REDISPATCHABLE, S.DISPATCHED, {P.WHISTLER}, _("Blow the whistle")),  # 吹哨
    _t(Action.SIGN, {S.DISPATCHED}, S.SIGNED, {P.HANDLER}, _("Sign for")),  # 签收
    _t(Action.RETURN, {S.DISPATCHED, S.SIGNED}, S.RETURNED, {P.HANDLER}, _("Return")),  # 退回
    _t(Action.START, {S.SIGNED, S.REWORK}, S.HANDLING, {P.HANDLER}, _("Start handling")),  # 处置
    _t(Action.FINISH, {S.HANDLING}, S.HANDLED, {P.HANDLER}, _("Report the result")),  # 办结反馈
    _t(Action.SEND_TO_VERIFY, {S.HANDLED}, S.VERIFYING, {P.SYSTEM}, _("Send for verification")),  # after 办结
    _t(Action.VERIFY_PASS, {S.VERIFYING}, S.CLOSED, {P.VERIFIER}, _("Verified: close")),  # 核查通过 → 结案
    _t(Action.VERIFY_FAIL, {S.VERIFYING}, S.REWORK, {P.VERIFIER}, _("Not fixed: rework")),  # 核查不通过 → 返工
    _t(Action.RATE, {S.CLOSED}, None, {P.REPORTER}, _("Rate")),  # 评价; 不满意 → 返工
    _t(Action.CLOSE_ON_SPOT, {S.PENDING}, S.CLOSED, {P.REPORTER}, _("Closed on the spot")),  # 即报即办
    _t(Action.REQUEST_SUSPEND, _IN_HAND, None, {P.HANDLER}, _("Ask to suspend")),
    _t(Action.REQUEST_EXTEND, _IN_HAND, None, {P.HANDLER}, _("Ask for more time")),
    _t(Action.DECIDE_REQUEST, _IN_HAND, None, {P.DISPATCHER}, _("Decide a request")),  # 挂起/延期审批
    _t(Action.RESUME, {S.SUSPENDED}, None, {P.DISPATCHER, P.HANDLER}, _("Resume")),
    _t(Action.SUPERVISE, OPEN_STATUSES, None, {P.SUPERVISOR}, _("Supervise")),  # 督办
    _t(Action.REPORT_IN, {S.DISPATCHED, S.SIGNED, S.HANDLING}, None, {P.JOINT}, _("Report in")),  # 报到
    _t(Action.SUBMIT_PART, _IN_HAND, None, {P.JOINT}, _("Submit our part")),
)

BY_ACTION: dict[Action, Transition] = {t.action: t for t in TRANSITIONS}


def transition(action: Action | str) -> Transition:
    return BY_ACTION[Action(action)]


def allowed(action: Action | str, status: str, parties: frozenset[Party] | set[Party]) -> bool:
    t = transition(action)
    return status in t.sources and bool(t.parties & set(parties))


def available(status: str, parties: frozenset[Party] | set[Party]) -> list[Transition]:
    """What the viewer may do now, in table order (the case page shows these as buttons)."""
    return [t for t in TRANSITIONS if status in t.sources and t.parties & set(parties)]
