"""Ordered services (社区点单—联盟下单—单位接单): one function per step of services.workflow.

Each step locks the order row, checks the transitions table against the actor's parties (refusals:
not in sight → NotFound; not their part → 403; the order moved on → Conflict), writes the order,
one timeline row and one audit row. Confirming records the service once (volunteers.records).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.people.models import Unit
from gongzhi.regions.models import Region
from gongzhi.registrations.models import RegistrationStatus, UnitRegistration
from gongzhi.services.access import order_parties_of, orders_for
from gongzhi.services.actions.common import (
    Actor,
    actor_label,
    authorise,
    category,
    community,
    db_user,
    hours_value,
    positive_int,
    reason,
    text,
)
from gongzhi.services.models import Need, NeedStatus, OrderEvent, OrderStatus, ServiceOrder
from gongzhi.services.workflow import OrderAction, transition
from gongzhi.volunteers.models import ServiceKind, Team
from gongzhi.volunteers.records import do_record_service

ACCEPT_HOURS = 24  # the unit has this long to accept or decline, unless the alliance says otherwise
MAX_ACCEPT_HOURS = 24 * 14


def record_event(
    order: ServiceOrder,
    actor: Actor,
    action: str,
    *,
    from_status: str,
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> OrderEvent:
    """One timeline row and one audit row, in the caller's transaction."""
    event = OrderEvent.objects.create(
        order=order,
        occurred_at=at or timezone.now(),
        actor=db_user(actor),
        actor_label=actor_label(actor),
        action=action,
        from_status=from_status,
        to_status=to_status or from_status,
        note=note,
        data=data or {},
    )
    changes: dict[str, Any] = {"status": [from_status, to_status or from_status], **(data or {})}
    audit.record(
        actor=actor, action=f"services.order.{action}", obj=order, changes=changes, object_repr=order.number or ""
    )
    return event


def lock_order(actor: Actor, order_id: int, action: OrderAction) -> ServiceOrder:
    """Lock the order and check the actor may take `action` on it now (inside a transaction)."""
    if not orders_for(actor).filter(pk=order_id).exists():
        raise NotFound(order_id)
    order = ServiceOrder.objects.select_for_update(of=("self",)).select_related("team").get(pk=order_id)
    t = transition(action)
    if not t.parties & order_parties_of(actor, order):
        raise PermissionDenied(action)
    if order.status not in t.sources:
        raise Conflict.single(
            "status",
            "conflict",
            _("The order is now “%(status)s”, so “%(action)s” is no longer possible. Reload it and try again.")
            % {"status": OrderStatus(order.status).label, "action": t.label},
        )
    return order


# ── 社区点单 ──────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_place_order(
    *,
    actor: Actor,
    community_region: Region | None,
    category_code: str,
    title: str,
    wanted_by: dt.date,
    description: str = "",
    need_id: int | None = None,
) -> ServiceOrder:
    """The community orders a service from its street's alliance; a need may be linked (→ matched)."""
    where = community(community_region)
    authorise(actor, where.code, act=Cap.SERVICES_MANAGE)
    street = where.parent
    assert street is not None  # noqa: S101 - a community always has its street
    what = category(category_code)
    title = text(title, "title", 100, required=True)
    description = text(description, "description", 2000)
    if wanted_by < timezone.localdate():
        raise DomainError.single("wanted_by", "in_the_past", _("The date wanted cannot be in the past."))
    need: Need | None = None
    if need_id is not None:
        need = Need.objects.select_for_update(of=("self",)).filter(pk=need_id, community=where).first()
        if need is None or need.status != NeedStatus.OPEN:
            raise DomainError.single("need", "invalid", _("Choose an open need of this community."))
    at = timezone.now()
    order = ServiceOrder.objects.create(
        community=where,
        region_code=where.code,
        street=street,
        street_code=street.code,
        category=what,
        title=title,
        description=description,
        wanted_by=wanted_by,
        ordered_by=db_user(actor),
        ordered_at=at,
    )
    order.number = f"DD{timezone.localtime(at):%Y%m%d}{order.pk:05d}"
    order.save(update_fields=["number"])
    if need is not None:
        need.order = order
        need.status = NeedStatus.MATCHED
        need.save(update_fields=["order", "status", "updated_at"])
    record_event(
        order,
        actor,
        "order",
        from_status="",
        to_status=OrderStatus.ORDERED,
        note=description[:300],
        data={"category": what.code, "need": need_id} if need_id else {"category": what.code},
        at=at,
    )
    return order


# ── 联盟下单 ──────────────────────────────────────────────────────────────────────────────────────


def dispatch_targets(order: ServiceOrder) -> tuple[list[Unit], list[Team]]:
    """Units with an approved registration (and a liaison) in the street's communities; its active teams
    that have a leader."""
    units = list(
        Unit.objects.filter(
            registrations__status=RegistrationStatus.APPROVED,
            registrations__region_code__startswith=order.street_code,
            registrations__liaison__isnull=False,
        )
        .distinct()
        .order_by("name")
    )
    teams = list(
        Team.objects.filter(region_code__startswith=order.street_code, is_active=True, leader__isnull=False).order_by(
            "name"
        )
    )
    return units, teams


@transaction.atomic
def do_dispatch_order(
    *,
    actor: Actor,
    order_id: int,
    unit: Unit | None = None,
    team: Team | None = None,
    accept_hours: int = ACCEPT_HOURS,
    note: str = "",
) -> ServiceOrder:
    order = lock_order(actor, order_id, OrderAction.DISPATCH)
    if (unit is None) == (team is None):
        raise DomainError.single("unit", "one_assignee", _("Pass it to one unit or one team."))
    hours = positive_int(accept_hours, "accept_hours", maximum=MAX_ACCEPT_HOURS)
    note = text(note, "note", 300)
    if unit is not None:
        registered = UnitRegistration.objects.filter(
            unit=unit,
            status=RegistrationStatus.APPROVED,
            region_code__startswith=order.street_code,
            liaison__isnull=False,
        )
        if not registered.exists():
            raise DomainError.single(
                "unit", "not_registered", _("This unit has no approved registration with a liaison in this street.")
            )
    if team is not None and (
        not team.is_active or team.leader_id is None or not team.region_code.startswith(order.street_code)
    ):
        raise DomainError.single("team", "not_here", _("Choose an active team of this street that has a leader."))
    at = timezone.now()
    before = order.status
    order.status = OrderStatus.DISPATCHED
    order.unit = unit
    order.team = team
    order.dispatched_at = at
    order.accept_due = at + dt.timedelta(hours=hours)
    order.save()
    data: dict[str, Any] = {"unit": unit.pk} if unit is not None else {"team": team.pk if team else None}
    data["assignee"] = str(unit or team)
    data["accept_due"] = order.accept_due.isoformat()
    record_event(
        order, actor, OrderAction.DISPATCH, from_status=before, to_status=order.status, note=note, data=data, at=at
    )
    return order


# ── 单位接单 ──────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_accept_order(*, actor: Actor, order_id: int, note: str = "") -> ServiceOrder:
    order = lock_order(actor, order_id, OrderAction.ACCEPT)
    note = text(note, "note", 300)
    at = timezone.now()
    order.status = OrderStatus.ACCEPTED
    order.accepted_at = at
    order.save()
    late = order.accept_due is not None and at > order.accept_due
    record_event(
        order,
        actor,
        OrderAction.ACCEPT,
        from_status=OrderStatus.DISPATCHED,
        to_status=order.status,
        note=note,
        data={"late": True} if late else {},
        at=at,
    )
    return order


@transaction.atomic
def do_decline_order(*, actor: Actor, order_id: int, reason_text: str) -> ServiceOrder:
    """The unit (or team) declines with a reason; the order goes back to the alliance to pass on again."""
    order = lock_order(actor, order_id, OrderAction.DECLINE)
    why = reason(reason_text)
    was: dict[str, Any] = {"unit": order.unit_id} if order.unit_id is not None else {"team": order.team_id}
    was["assignee"] = str(order.assignee or "")
    order.status = OrderStatus.DECLINED
    order.unit = None
    order.team = None
    order.accept_due = None
    order.decline_count += 1
    order.decline_reason = why
    order.save()
    record_event(
        order,
        actor,
        OrderAction.DECLINE,
        from_status=OrderStatus.DISPATCHED,
        to_status=order.status,
        note=why,
        data=was,
    )
    return order


@transaction.atomic
def do_start_order(*, actor: Actor, order_id: int, note: str = "") -> ServiceOrder:
    order = lock_order(actor, order_id, OrderAction.START)
    note = text(note, "note", 300)
    at = timezone.now()
    order.status = OrderStatus.IN_PROGRESS
    order.started_at = at
    order.save()
    record_event(
        order, actor, OrderAction.START, from_status=OrderStatus.ACCEPTED, to_status=order.status, note=note, at=at
    )
    return order


@transaction.atomic
def do_complete_order(*, actor: Actor, order_id: int, note: str) -> ServiceOrder:
    """The unit reports what it did; the community then confirms."""
    order = lock_order(actor, order_id, OrderAction.COMPLETE)
    what = text(note, "note", 2000, required=True)
    at = timezone.now()
    late = order.completion_overdue(timezone.localdate(at))  # asked while the order is still open
    before = order.status
    order.status = OrderStatus.COMPLETED
    order.completed_at = at
    order.completion_note = what
    order.save()
    record_event(
        order,
        actor,
        OrderAction.COMPLETE,
        from_status=before,
        to_status=order.status,
        note=what,
        at=at,
        data={"late": True} if late else {},
    )
    return order


# ── the community closes the loop ─────────────────────────────────────────────────────────────────


@transaction.atomic
def do_confirm_order(
    *, actor: Actor, order_id: int, hours: Decimal | str | None = None, note: str = ""
) -> ServiceOrder:
    """The community confirms the service: it is recorded once, for the unit or the team's leader."""
    order = lock_order(actor, order_id, OrderAction.CONFIRM)
    served_hours = hours_value(hours) if hours not in (None, "") else None
    note = text(note, "note", 300)
    leader = order.team.leader if order.team is not None else None
    if order.unit_id is None and leader is None:
        raise DomainError.single("team", "no_leader", _("The team has no leader to record the service for."))
    at = timezone.now()
    order.status = OrderStatus.CONFIRMED
    order.confirmed_at = at
    order.closed_at = at
    order.hours = served_hours
    order.save()
    do_record_service(
        actor=actor,
        kind=ServiceKind.ORDER,
        source_id=order.pk,
        community=order.community,
        served_on=timezone.localdate(order.completed_at or at),
        summary=order.title,
        unit=order.unit,
        volunteer=leader if order.unit is None else None,
        hours=served_hours or Decimal("0"),
    )
    Need.objects.filter(order=order, status=NeedStatus.MATCHED).update(status=NeedStatus.MET)
    record_event(
        order,
        actor,
        OrderAction.CONFIRM,
        from_status=OrderStatus.COMPLETED,
        to_status=order.status,
        note=note,
        data={"hours": str(served_hours)} if served_hours is not None else {},
        at=at,
    )
    return order


@transaction.atomic
def do_send_back_order(*, actor: Actor, order_id: int, reason_text: str) -> ServiceOrder:
    """The community is not satisfied: the order goes back to the unit, in progress, with the reason.

    Nothing is recorded as served; the count of send-backs stays on the order for the unit's record.
    """
    order = lock_order(actor, order_id, OrderAction.SEND_BACK)
    why = reason(reason_text)
    at = timezone.now()
    order.status = OrderStatus.IN_PROGRESS
    order.completed_at = None
    order.send_back_count += 1
    order.send_back_reason = why
    order.save()
    record_event(
        order, actor, OrderAction.SEND_BACK, from_status=OrderStatus.COMPLETED, to_status=order.status, note=why, at=at
    )
    return order


@transaction.atomic
def do_cancel_order(*, actor: Actor, order_id: int, reason_text: str) -> ServiceOrder:
    order = lock_order(actor, order_id, OrderAction.CANCEL)
    why = reason(reason_text)
    before = order.status
    at = timezone.now()
    order.status = OrderStatus.CANCELLED
    order.closed_at = at
    order.cancel_reason = why
    order.save()
    Need.objects.filter(order=order, status=NeedStatus.MATCHED).update(status=NeedStatus.OPEN, order=None)
    record_event(order, actor, OrderAction.CANCEL, from_status=before, to_status=order.status, note=why, at=at)
    return order
