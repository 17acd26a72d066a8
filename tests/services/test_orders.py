"""Ordered services (社区点单—联盟下单—单位接单): the transitions table walked party by party."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.services.actions import orders as o
from gongzhi.services.models import Need, NeedStatus, OrderEvent, OrderStatus, ServiceOrder
from gongzhi.services.workflow import TRANSITIONS, OrderAction, Party, available
from gongzhi.volunteers.models import ServiceKind, ServiceRecord, Team
from tests.serviceloop.world import World
from tests.services.builders import make_order, reach

pytestmark = pytest.mark.django_db

S = OrderStatus
A = OrderAction

# Who stands in each party for an order of 尧化门社区 passed to world.unit.
PARTY_USER = {Party.COMMUNITY: "community", Party.ALLIANCE: "street", Party.ASSIGNEE: "li"}
# A signed-in user who sees the order but is not that party (a refusal must be 403, not 404).
NOT_PARTY = {Party.COMMUNITY: "leader", Party.ALLIANCE: "community", Party.ASSIGNEE: "community"}


def _run(world: World, action: OrderAction, user: str, order: ServiceOrder) -> ServiceOrder:
    actor = world.user(user)
    calls: dict[OrderAction, Callable[[], ServiceOrder]] = {
        A.DISPATCH: lambda: o.do_dispatch_order(actor=actor, order_id=order.pk, unit=world.unit),
        A.ACCEPT: lambda: o.do_accept_order(actor=actor, order_id=order.pk),
        A.DECLINE: lambda: o.do_decline_order(actor=actor, order_id=order.pk, reason_text="人手不足"),
        A.START: lambda: o.do_start_order(actor=actor, order_id=order.pk),
        A.COMPLETE: lambda: o.do_complete_order(actor=actor, order_id=order.pk, note="已完成"),
        A.CONFIRM: lambda: o.do_confirm_order(actor=actor, order_id=order.pk),
        A.SEND_BACK: lambda: o.do_send_back_order(actor=actor, order_id=order.pk, reason_text="楼道灯还是不亮"),
        A.CANCEL: lambda: o.do_cancel_order(actor=actor, order_id=order.pk, reason_text="不需要了"),
    }
    return calls[action]()


CASES = [(t, source) for t in TRANSITIONS for source in sorted(t.sources)]


@pytest.mark.parametrize(("t", "source"), CASES, ids=[f"{t.action}-from-{s}" for t, s in CASES])
def test_every_transition_by_its_party_and_refused_to_another(world: World, t: object, source: str) -> None:
    from gongzhi.services.workflow import Transition

    assert isinstance(t, Transition)
    # given an order in the source state
    order = reach(world, source)
    party = next(iter(t.parties))
    events = OrderEvent.objects.filter(order=order).count()
    # when someone who sees it but is not the party tries → 403 and nothing changes
    with pytest.raises(PermissionDenied):
        _run(world, t.action, NOT_PARTY[party], order)
    assert ServiceOrder.objects.get(pk=order.pk).status == source
    assert OrderEvent.objects.filter(order=order).count() == events
    # when the party acts → the table's target, one timeline row, one audit row
    audits = AuditEvent.objects.filter(action=f"services.order.{t.action}").count()
    done = _run(world, t.action, PARTY_USER[party], order)
    assert done.status == t.target
    assert OrderEvent.objects.filter(order=order).count() == events + 1
    last = OrderEvent.objects.filter(order=order).last()
    assert last is not None and last.action == t.action and last.from_status == source and last.to_status == t.target
    assert AuditEvent.objects.filter(action=f"services.order.{t.action}").count() == audits + 1


@pytest.mark.parametrize("status", [s for s in S.values if s not in (S.ORDERED,)])
def test_acting_from_a_state_the_table_does_not_allow_is_a_conflict(world: World, status: str) -> None:
    order = reach(world, status)
    for t in TRANSITIONS:
        if status in t.sources:
            continue
        user = PARTY_USER[next(iter(t.parties))]
        if t.action in (A.ACCEPT, A.DECLINE, A.START, A.COMPLETE) and order.unit_id is None:
            continue  # without an assignee li is no party (403, tested above)
        with pytest.raises(Conflict):
            _run(world, t.action, user, order)
        assert ServiceOrder.objects.get(pk=order.pk).status == status


def test_the_order_page_offers_what_the_table_allows() -> None:
    assert [t.action for t in available(S.DISPATCHED, {Party.ASSIGNEE})] == [A.ACCEPT, A.DECLINE]
    assert [t.action for t in available(S.ORDERED, {Party.ALLIANCE})] == [A.DISPATCH]
    assert [t.action for t in available(S.COMPLETED, {Party.COMMUNITY})] == [A.CONFIRM, A.SEND_BACK]


def test_a_service_sent_back_is_done_again_and_recorded_once(world: World) -> None:
    # given an order reported done
    order = reach(world, S.COMPLETED)
    community, unit = world.user("community"), world.user("li")
    # when the community is not satisfied and sends it back with a reason
    back = o.do_send_back_order(actor=community, order_id=order.pk, reason_text="楼道灯还是不亮")
    # then the unit has it in progress again, with the reason, and nothing is recorded as served
    assert (back.status, back.send_back_count, back.send_back_reason) == (S.IN_PROGRESS, 1, "楼道灯还是不亮")
    assert back.completed_at is None
    assert not ServiceRecord.objects.filter(kind="order", source_id=order.pk).exists()
    # when the unit reports it done again and the community confirms
    o.do_complete_order(actor=unit, order_id=order.pk, note="已更换灯泡并检查线路")
    o.do_confirm_order(actor=community, order_id=order.pk)
    # then the service is recorded once, and the timeline shows both rounds
    assert ServiceRecord.objects.filter(kind="order", source_id=order.pk).count() == 1
    steps = list(OrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert steps[-4:] == ["complete", "send_back", "complete", "confirm"]


def test_a_send_back_needs_a_reason_and_changes_nothing_without_one(world: World) -> None:
    order = reach(world, S.COMPLETED)
    events = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(DomainError):
        o.do_send_back_order(actor=world.user("community"), order_id=order.pk, reason_text=" ")
    assert ServiceOrder.objects.get(pk=order.pk).status == S.COMPLETED
    assert OrderEvent.objects.filter(order=order).count() == events


def test_place_order_numbers_it_and_sets_the_street(world: World) -> None:
    order = make_order(world)
    assert order.number and order.number.startswith("DD")
    assert order.street == world.street and order.street_code == world.street.code
    assert order.status == S.ORDERED
    assert OrderEvent.objects.filter(order=order, action="order").count() == 1


def test_place_order_refusals(world: World) -> None:
    today = timezone.localdate()
    kwargs = {"category_code": "ELD01", "title": "理发", "wanted_by": today + dt.timedelta(days=3)}
    # the district leader sees the community but may not order → 403
    with pytest.raises(PermissionDenied):
        o.do_place_order(actor=world.user("leader"), community_region=world.community, **kwargs)  # type: ignore[arg-type]
    # another street's community → NotFound
    maqun = world.people.places["street2"].community
    with pytest.raises(NotFound):
        o.do_place_order(actor=world.user("community"), community_region=maqun, **kwargs)  # type: ignore[arg-type]
    # a liaison holds no staff role → NotFound
    with pytest.raises(NotFound):
        o.do_place_order(actor=world.user("li"), community_region=world.community, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(DomainError) as info:
        o.do_place_order(
            actor=world.user("community"),
            community_region=world.community,
            category_code="ELD01",
            title="理发",
            wanted_by=today - dt.timedelta(days=1),
        )
    assert info.value.items[0].code == "in_the_past"
    assert ServiceOrder.objects.count() == 0


def test_out_of_scope_staff_and_strangers_do_not_see_the_order(world: World) -> None:
    order = make_order(world)
    for user in ("wang", "wu", "dept", "sysadmin"):
        with pytest.raises(NotFound):
            o.do_cancel_order(actor=world.user(user), order_id=order.pk, reason_text="不需要了")
    with pytest.raises(NotFound):
        o.do_dispatch_order(actor=world.user("street"), order_id=order.pk + 999, unit=world.unit)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.ORDERED


def test_decline_needs_a_reason_and_returns_the_order_to_the_alliance(world: World) -> None:
    order = reach(world, S.DISPATCHED)
    with pytest.raises(DomainError) as info:
        o.do_decline_order(actor=world.user("li"), order_id=order.pk, reason_text=" ")
    assert info.value.items[0].code == "reason_required"
    assert ServiceOrder.objects.get(pk=order.pk).status == S.DISPATCHED
    # when declined with a reason
    declined = o.do_decline_order(actor=world.user("li"), order_id=order.pk, reason_text="本周人手不足")
    # then it waits for the alliance again, with no assignee, and li no longer sees it
    assert declined.status == S.DECLINED and declined.unit_id is None and declined.decline_count == 1
    assert declined.decline_reason == "本周人手不足"
    from gongzhi.services.selectors import alliance_queue

    assert list(alliance_queue(world.user("street"))) == [declined]
    with pytest.raises(NotFound):
        o.do_accept_order(actor=world.user("li"), order_id=order.pk)
    # and the alliance passes it on again
    again = o.do_dispatch_order(actor=world.user("street"), order_id=order.pk, unit=world.unit)
    assert again.status == S.DISPATCHED and again.unit == world.unit


def test_dispatch_only_to_a_unit_or_team_of_the_street(world: World) -> None:
    order = make_order(world)
    street = world.user("street")
    # a unit with no approved registration in the street
    other = world.people.places["street2"].unit
    with pytest.raises(DomainError) as info:
        o.do_dispatch_order(actor=street, order_id=order.pk, unit=other)
    assert info.value.items[0].code == "not_registered"
    # a team of another street
    maqun = world.people.places["street2"].community
    far = Team.objects.create(
        name="马群队",
        community=maqun,
        region_code=maqun.code,
        leader=world.volunteers["zhao"],
        founded_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(DomainError):
        o.do_dispatch_order(actor=street, order_id=order.pk, team=far)
    with pytest.raises(DomainError):
        o.do_dispatch_order(actor=street, order_id=order.pk)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.ORDERED


def test_confirm_writes_exactly_one_service_record_for_the_unit(world: World) -> None:
    order = reach(world, S.CONFIRMED)
    records = ServiceRecord.objects.filter(kind=ServiceKind.ORDER, source_id=order.pk)
    assert records.count() == 1
    record = records.get()
    assert record.unit == world.unit and record.volunteer is None and record.hours == Decimal("3")
    assert record.community == world.community
    # a repeat is a conflict and records nothing more
    with pytest.raises(Conflict):
        o.do_confirm_order(actor=world.user("community"), order_id=order.pk)
    assert records.count() == 1


def test_a_team_order_is_accepted_by_its_leader_and_recorded_for_them(world: World, team: Team) -> None:
    order = reach(world, S.COMPLETED, team=team)
    assert order.team == team
    o.do_confirm_order(actor=world.user("community"), order_id=order.pk)
    record = ServiceRecord.objects.get(kind=ServiceKind.ORDER, source_id=order.pk)
    assert record.volunteer == world.volunteers["wang"] and record.unit is None


def test_team_member_who_is_not_leader_cannot_accept(world: World, team: Team) -> None:
    order = make_order(world)
    o.do_dispatch_order(actor=world.user("street"), order_id=order.pk, team=team)
    with pytest.raises(NotFound):
        o.do_accept_order(actor=world.user("wu"), order_id=order.pk)


def test_overdue_flags(world: World) -> None:
    order = reach(world, S.DISPATCHED)
    assert order.accept_due is not None
    assert not order.accept_overdue()
    assert order.accept_overdue(order.accept_due + dt.timedelta(minutes=1))
    assert order.completion_overdue(order.wanted_by + dt.timedelta(days=1))
    assert not order.completion_overdue(order.wanted_by)


def test_ordering_for_a_need_matches_it_and_confirming_meets_it(world: World) -> None:
    from gongzhi.services.actions.lists import do_create_need

    need = do_create_need(
        actor=world.user("community"),
        community_region=world.community,
        category_code="ELD01",
        title="独居老人理发",
        person=world.resident(),
    )
    order = o.do_place_order(
        actor=world.user("community"),
        community_region=world.community,
        category_code="ELD01",
        title="理发",
        wanted_by=timezone.localdate() + dt.timedelta(days=5),
        need_id=need.pk,
    )
    assert Need.objects.get(pk=need.pk).status == NeedStatus.MATCHED
    for step in (A.DISPATCH, A.ACCEPT, A.COMPLETE, A.CONFIRM):
        user = PARTY_USER[next(iter(next(t for t in TRANSITIONS if t.action == step).parties))]
        _run(world, step, user, order)
    assert Need.objects.get(pk=need.pk).status == NeedStatus.MET


def test_the_timeline_is_append_only(world: World) -> None:
    order = make_order(world)
    event = OrderEvent.objects.get(order=order)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(TypeError):
        OrderEvent.objects.filter(order=order).update(note="x")


def test_completing_after_the_wanted_day_is_marked_late_and_on_time_is_not(world: World) -> None:
    # given two orders in progress, one whose wanted-by day has passed
    on_time, late = reach(world, S.IN_PROGRESS), reach(world, S.IN_PROGRESS)
    ServiceOrder.objects.filter(pk=late.pk).update(wanted_by=timezone.localdate() - dt.timedelta(days=1))
    unit = world.user("li")
    # when the unit reports both done today
    o.do_complete_order(actor=unit, order_id=on_time.pk, note="已完成")
    o.do_complete_order(actor=unit, order_id=late.pk, note="已完成")
    # then only the late one's completion step carries the flag
    steps = {e.order_id: e.data for e in OrderEvent.objects.filter(to_status=OrderStatus.COMPLETED)}
    assert steps == {on_time.pk: {}, late.pk: {"late": True}}
