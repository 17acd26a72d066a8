"""Builders for the lists and orders of the service tests (the `world` fixture comes from conftest.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.services.actions import orders as o
from gongzhi.services.actions import projects as p
from gongzhi.services.models import OrderStatus, Project, ProjectStatus, ServiceOrder
from gongzhi.volunteers.models import Team
from tests.serviceloop.world import World

__all__ = ["make_order", "make_project", "make_team", "reach"]


def make_project(world: World, *, slots: int = 2, publish: bool = True, title: str = "楼道微更新") -> Project:
    today = timezone.localdate()
    project = p.do_create_project(
        actor=world.user("community"),
        community_region=world.community,
        title=title,
        goal="更新三个楼道的照明和扶手",
        starts_on=today,
        ends_on=today + dt.timedelta(days=60),
        slots=slots,
        budget="5000.00",
        category_code="ENV01",
    )
    if publish:
        project = p.do_set_project_status(
            actor=world.user("community"), project_id=project.pk, status=ProjectStatus.PUBLISHED
        )
    return project


def make_order(world: World, title: str = "为独居老人上门理发") -> ServiceOrder:
    return o.do_place_order(
        actor=world.user("community"),
        community_region=world.community,
        category_code="ELD01",
        title=title,
        description="每月一次，六位老人",
        wanted_by=timezone.localdate() + dt.timedelta(days=10),
    )


def make_team(world: World, leader: str = "wang") -> Team:
    return Team.objects.create(
        name="尧化门红马甲",
        community=world.community,
        region_code=world.community.code,
        leader=world.volunteers[leader],
        founded_on=dt.date(2024, 1, 1),
    )


def reach(world: World, status: str, *, team: Team | None = None) -> ServiceOrder:
    """An order brought to `status` by the right parties (assigned to world.unit unless a team is given)."""
    order = make_order(world)
    if status == OrderStatus.ORDERED:
        return order
    street, community = world.user("street"), world.user("community")
    assignee = world.user("li") if team is None else world.user(team.leader.user.username)  # type: ignore[union-attr]
    if status == OrderStatus.CANCELLED:
        return o.do_cancel_order(actor=community, order_id=order.pk, reason_text="不需要了")
    o.do_dispatch_order(actor=street, order_id=order.pk, unit=None if team else world.unit, team=team)
    if status == OrderStatus.DISPATCHED:
        return ServiceOrder.objects.get(pk=order.pk)
    if status == OrderStatus.DECLINED:
        return o.do_decline_order(actor=assignee, order_id=order.pk, reason_text="本周人手不足")
    o.do_accept_order(actor=assignee, order_id=order.pk)
    if status == OrderStatus.ACCEPTED:
        return ServiceOrder.objects.get(pk=order.pk)
    o.do_start_order(actor=assignee, order_id=order.pk)
    if status == OrderStatus.IN_PROGRESS:
        return ServiceOrder.objects.get(pk=order.pk)
    o.do_complete_order(actor=assignee, order_id=order.pk, note="为六位老人理发")
    if status == OrderStatus.COMPLETED:
        return ServiceOrder.objects.get(pk=order.pk)
    o.do_confirm_order(actor=community, order_id=order.pk, hours="3")
    assert status == OrderStatus.CONFIRMED
    return ServiceOrder.objects.get(pk=order.pk)
