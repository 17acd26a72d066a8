"""The ordered-service state machine, as data: (state, action) → next state, and which party may act.

社区点单 — 联盟下单 — 单位接单. A *party* is a relation between a user and one order (see
services.access.order_parties_of), not a role: the community is whoever holds `services.manage` over
the ordering community; the alliance is whoever holds `services.alliance` over its street; the
assignee is the liaison of the unit (or the leader of the team) the order was passed to. Tests walk
this table; the order page offers exactly the actions it allows the viewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from gongzhi.services.models import OrderStatus

if TYPE_CHECKING:  # a development-only package: annotations only
    from django_stubs_ext import StrOrPromise


class Party(StrEnum):
    COMMUNITY = "community"  # the ordering community's staff (点单, 确认, 取消)
    ALLIANCE = "alliance"  # the street's alliance (联盟下单)
    ASSIGNEE = "assignee"  # the unit's liaison or the team's leader (接单)


class OrderAction(StrEnum):
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    DECLINE = "decline"
    START = "start"
    COMPLETE = "complete"
    CONFIRM = "confirm"
    SEND_BACK = "send_back"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class Transition:
    action: OrderAction
    sources: frozenset[str]
    target: str
    parties: frozenset[Party]
    label: StrOrPromise


def _t(
    action: OrderAction, sources: Iterable[str], target: str, parties: set[Party], label: StrOrPromise
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(parties), label)


S = OrderStatus
P = Party

TRANSITIONS: tuple[Transition, ...] = (
    _t(OrderAction.DISPATCH, {S.ORDERED, S.DECLINED}, S.DISPATCHED, {P.ALLIANCE}, _("Pass to a unit or team")),
    _t(OrderAction.ACCEPT, {S.DISPATCHED}, S.ACCEPTED, {P.ASSIGNEE}, _("Accept")),  # 接单
    _t(OrderAction.DECLINE, {S.DISPATCHED}, S.DECLINED, {P.ASSIGNEE}, _("Decline")),  # 拒单 → back to the alliance
    _t(OrderAction.START, {S.ACCEPTED}, S.IN_PROGRESS, {P.ASSIGNEE}, _("Start the service")),
    _t(OrderAction.COMPLETE, {S.ACCEPTED, S.IN_PROGRESS}, S.COMPLETED, {P.ASSIGNEE}, _("Report it done")),
    _t(OrderAction.CONFIRM, {S.COMPLETED}, S.CONFIRMED, {P.COMMUNITY}, _("Confirm the service")),
    # 退回: the community is not satisfied with what was reported done; the unit carries on.
    _t(OrderAction.SEND_BACK, {S.COMPLETED}, S.IN_PROGRESS, {P.COMMUNITY}, _("Send back: not done yet")),
    _t(
        OrderAction.CANCEL,
        {S.ORDERED, S.DISPATCHED, S.DECLINED, S.ACCEPTED, S.IN_PROGRESS},
        S.CANCELLED,
        {P.COMMUNITY},
        _("Cancel the order"),
    ),
)

BY_ACTION: dict[OrderAction, Transition] = {t.action: t for t in TRANSITIONS}


def transition(action: OrderAction | str) -> Transition:
    return BY_ACTION[OrderAction(action)]


def allowed(action: OrderAction | str, status: str, parties: frozenset[Party] | set[Party]) -> bool:
    t = transition(action)
    return status in t.sources and bool(t.parties & set(parties))


def available(status: str, parties: frozenset[Party] | set[Party]) -> list[Transition]:
    """What the viewer may do now, in table order (the order page shows these as forms)."""
    return [t for t in TRANSITIONS if status in t.sources and t.parties & set(parties)]
