"""The service pages: the hub of the three lists, forms, project claims, the order loop on pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.services.actions import lists
from gongzhi.services.models import ClaimStatus, OrderStatus, ProjectClaim, Resource, ServiceOrder
from gongzhi.volunteers.models import ServiceKind, ServiceRecord
from tests.serviceloop.world import PASSWORD, World
from tests.services.builders import make_order, make_project, reach

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_hub_shows_the_three_lists_with_counts_and_filters(world: World) -> None:
    community = _client("community")
    lists.do_create_resource(
        actor=world.user("community"), region=world.community, category_code="FIX02", title="水电维修", unit=world.unit
    )
    lists.do_create_resource(
        actor=world.user("community"), region=world.community, category_code="LAW01", title="法律讲座", unit=world.unit
    )
    lists.do_create_need(
        actor=world.user("community"),
        community_region=world.community,
        category_code="ELD01",
        title="独居老人助餐",
        resident_name="王秀英",
    )
    make_project(world)
    page = community.get("/services/")
    html = page.content.decode()
    assert page.status_code == 200 and "水电维修" in html and "法律讲座" in html
    assert (
        'data-count="resources">2<' in html and 'data-count="needs">1<' in html and 'data-count="projects">1<' in html
    )
    # a major class filters its minor classes
    filtered = community.get("/services/?tab=resources&category=FIX").content.decode()
    assert "水电维修" in filtered and "法律讲座" not in filtered
    needs = community.get("/services/?tab=needs").content.decode()
    assert "独居老人助餐" in needs and "王*英" in needs and "王秀英" not in needs
    assert "楼道微更新" in community.get("/services/?tab=projects&status=published").content.decode()
    assert "楼道微更新" not in community.get("/services/?tab=projects&status=draft").content.decode()


def test_who_may_open_the_pages(world: World) -> None:
    assert Client().get("/services/").status_code == 302  # to the sign-in page
    assert _client("dept").get("/services/").status_code == 403  # no service role, no participant
    assert _client("grid").get("/services/orders/").status_code == 403  # ordering is the community office's
    assert _client("community").get("/services/orders/queue/").status_code == 403  # the alliance is the street's
    assert _client("street").get("/services/orders/queue/").status_code == 200
    li = _client("li")
    assert li.get("/services/").status_code == 200  # a liaison sees their unit's lists
    assert li.get("/services/inbox/").status_code == 200
    assert li.get("/services/needs/new/").status_code == 403
    assert _client("community").get("/services/inbox/").status_code == 403


def test_the_navigation_shows_each_entry_to_those_who_use_it(world: World) -> None:
    street = _client("street").get("/services/").content.decode()
    assert 'href="/services/orders/queue/"' in street and 'href="/services/orders/"' in street
    li = _client("li").get("/services/inbox/").content.decode()
    assert 'href="/services/inbox/"' in li and 'href="/services/orders/queue/"' not in li
    community = _client("community").get("/services/").content.decode()
    assert 'href="/services/orders/queue/"' not in community and 'href="/services/inbox/"' not in community


def test_offer_a_resource_and_raise_a_need_on_pages(world: World) -> None:
    li = _client("li")
    form = li.get("/services/resources/new/").content.decode()
    assert world.unit is not None and world.unit.name in form
    response = li.post(
        "/services/resources/new/",
        {
            "region": world.community.code,
            "provider": f"u:{world.unit.pk}",
            "kind": "service",
            "category": "FIX02",
            "title": "上门修水管",
            "capacity": "4",
            "capacity_unit": "次/月",
            "days": ["5", "6"],
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get(title="上门修水管")
    assert resource.days == 0b1100000 and resource.unit == world.unit
    # an empty title comes back with the field's message, nothing written
    bad = li.post("/services/resources/new/", {"region": world.community.code, "provider": f"u:{world.unit.pk}"})
    assert bad.status_code == 200 and Resource.objects.count() == 1
    grid = _client("grid")
    made = grid.post(
        "/services/needs/new/",
        {"community": world.community.code, "category": "ELD01", "title": "助老", "urgency": "high"},
    )
    assert made.status_code == 302
    assert _client("community").get(made["Location"]).status_code == 200


def test_a_liaison_claims_and_delivers_a_project_on_the_page_and_the_community_confirms(world: World) -> None:
    project = make_project(world, slots=1)
    li = _client("li")
    page = li.get(f"/services/projects/{project.pk}/").content.decode()
    assert 'id="claim-form"' in page
    assert (
        li.post(
            f"/services/projects/{project.pk}/claim/", {"unit": str(world.unit.pk if world.unit else 0)}
        ).status_code
        == 302
    )
    claim = ProjectClaim.objects.get(project=project)
    assert 'id="claim-form"' not in li.get(f"/services/projects/{project.pk}/").content.decode()  # no slot left
    # another user may not withdraw it; the community may not claim
    assert _client("community").post(f"/services/projects/{project.pk}/claim/", {"unit": "1"}).status_code == 403
    assert li.post(f"/services/claims/{claim.pk}/deliver/", {"evidence": "换了灯"}).status_code == 302
    community = _client("community")
    assert community.post(f"/services/claims/{claim.pk}/confirm/", {"hours": "4"}).status_code == 302
    assert ProjectClaim.objects.get(pk=claim.pk).status == ClaimStatus.CONFIRMED
    assert ServiceRecord.objects.filter(kind=ServiceKind.PROJECT, source_id=claim.pk).count() == 1
    assert _client("wang").get(f"/services/projects/{project.pk}/").status_code == 404


def test_the_order_loop_on_pages(world: World) -> None:
    community, street, li = _client("community"), _client("street"), _client("li")
    wanted = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    placed = community.post(
        "/services/orders/new/",
        {"community": world.community.code, "category": "ELD01", "title": "上门理发", "wanted_by": wanted},
    )
    assert placed.status_code == 302
    order = ServiceOrder.objects.get(title="上门理发")
    assert order.number is not None
    assert order.number in community.get("/services/orders/").content.decode()
    assert order.number in street.get("/services/orders/queue/").content.decode()
    # the alliance passes it to the unit
    assert world.unit is not None
    detail = street.get(f"/services/orders/{order.number}/").content.decode()
    assert 'data-action="dispatch"' in detail and world.unit.name in detail
    assert (
        street.post(
            f"/services/orders/{order.number}/act/dispatch/",
            {"dispatch-assignee": f"u:{world.unit.pk}", "dispatch-accept_hours": "24"},
        ).status_code
        == 302
    )
    # the unit's inbox offers accept and decline; declining without a reason is refused on the page
    inbox = li.get("/services/inbox/").content.decode()
    assert order.number in inbox and 'data-action="accept"' in inbox and 'data-action="decline"' in inbox
    refused = li.post(f"/services/orders/{order.number}/act/decline/", {"decline-reason": ""})
    assert refused.status_code == 400
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.DISPATCHED
    # the community is no party to accepting
    assert community.post(f"/services/orders/{order.number}/act/accept/", {}).status_code == 403
    assert li.post(f"/services/orders/{order.number}/act/accept/", {"accept-note": ""}).status_code == 302
    assert li.post(f"/services/orders/{order.number}/act/complete/", {"complete-note": "理了四位"}).status_code == 302
    # the community is not satisfied: two residents are still waiting; it sends the order back with the reason
    assert 'data-action="send_back"' in community.get(f"/services/orders/{order.number}/").content.decode()
    back = community.post(f"/services/orders/{order.number}/act/send_back/", {"send_back-reason": "还有两位老人没理"})
    assert back.status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.IN_PROGRESS
    assert "还有两位老人没理" in community.get(f"/services/orders/{order.number}/").content.decode()
    assert li.post(f"/services/orders/{order.number}/act/complete/", {"complete-note": "理了六位"}).status_code == 302
    assert community.post(f"/services/orders/{order.number}/act/confirm/", {"confirm-hours": "2"}).status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    page = community.get(f"/services/orders/{order.number}/").content.decode()
    for step in ("order", "dispatch", "accept", "complete", "send_back", "confirm"):
        assert f'data-action="{step}"' in page
    assert 'id="no-actions"' in page


def test_a_declined_order_goes_back_to_the_alliance_queue_on_pages(world: World) -> None:
    order = reach(world, OrderStatus.DISPATCHED)
    assert order.number is not None
    li = _client("li")
    assert (
        li.post(f"/services/orders/{order.number}/act/decline/", {"decline-reason": "本周人手不足"}).status_code == 302
    )
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.DECLINED
    assert order.number not in li.get("/services/inbox/").content.decode()
    queue = _client("street").get("/services/orders/queue/").content.decode()
    assert order.number in queue
    assert "本周人手不足" in _client("street").get(f"/services/orders/{order.number}/").content.decode()
    # out of scope: another street's staff do not see it
    assert _client("wang").get(f"/services/orders/{order.number}/").status_code == 404


def test_order_page_unknown_or_out_of_scope_is_404(world: World) -> None:
    order = make_order(world)
    assert _client("community").get("/services/orders/DD000/").status_code == 404
    assert _client("li").get(f"/services/orders/{order.number}/").status_code == 404  # not passed to the unit yet
