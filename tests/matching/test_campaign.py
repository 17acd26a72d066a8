"""集中派单: a community's or street's open wishes assigned at once, the invitations sent once, the API.

World: FIX02 is wang's (grid1, next to the residents) and zhao's (马群, 5.9 km, approved in 尧化门);
MED01 only sun's, whose 尧化门 registration is pending; 新尧社区 has no volunteer of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases.models import Notification
from gongzhi.services.campaign import CAPACITY, NO_CANDIDATE, Proposal, propose
from gongzhi.volunteers.models import Volunteer
from gongzhi.wishes.actions import Actor, WishDraft, do_escalate_stale_wishes, do_post_wish
from gongzhi.wishes.models import BoardLevel, Wish, WishEvent
from tests.people.conftest import client_for
from tests.serviceloop.world import World

pytestmark = pytest.mark.django_db


def post(world: World, code: str, title: str, *, place: str = "grid1", by: str = "community") -> Wish:
    resident = world.resident(place)
    return do_post_wish(
        actor=Actor(user=world.user(by)), draft=WishDraft(title=title, category_code=code, person_id=resident.pk)
    ).wish


def capacity(world: World, **per_key: int) -> None:
    for key, n in per_key.items():
        Volunteer.objects.filter(pk=world.volunteers[key].pk).update(monthly_capacity=n)


def ids(world: World, *keys: str) -> list[int]:
    return [world.volunteers[k].pk for k in keys]


def by_wish(proposal: Proposal) -> dict[int, Any]:
    return {r.wish.pk: r for r in proposal.rows}


def four_wishes(world: World) -> list[Wish]:
    """Three FIX02 wishes for two volunteers of capacity one each, and a MED01 wish nobody may take."""
    capacity(world, wang=1, zhao=1)
    return [
        post(world, "FIX02", "想请人修水龙头"),
        post(world, "FIX02", "想请人修马桶水箱"),
        post(world, "FIX02", "想请人换灯泡"),
        post(world, "MED01", "想请人上门量血压"),
    ]


def test_a_community_campaign_serves_each_wish_at_most_once_and_no_one_beyond_capacity(world: World) -> None:
    wishes = four_wishes(world)
    proposal = propose(world.community, timezone.localdate())
    assert sorted(r.wish.pk for r in proposal.rows) == sorted(w.pk for w in wishes)  # each wish once
    load = Counter(r.volunteer.pk for r in proposal.assigned if r.volunteer is not None)
    assert load == {world.volunteers["wang"].pk: 1, world.volunteers["zhao"].pk: 1}
    assert proposal.total_score == sum(r.score or 0 for r in proposal.assigned)
    rows = by_wish(proposal)
    assert rows[wishes[3].pk].volunteer is None and rows[wishes[3].pk].reason == NO_CANDIDATE
    left = [r for r in proposal.unassigned if r.wish.category.code == "FIX02"]
    assert len(left) == 1 and left[0].reason == CAPACITY and left[0].candidates == 2
    wang_row = next(r for r in proposal.assigned if r.volunteer is not None and r.volunteer == world.volunteers["wang"])
    assert wang_row.km == pytest.approx(0.0) and wang_row.score == 1000
    assert proposal.seconds < 2.0


def test_volunteers_without_a_sign_in_are_left_out_of_a_campaign(world: World) -> None:
    # given zhao has no sign-in: only wang (capacity one) can take a FIX02 wish
    four_wishes(world)
    Volunteer.objects.filter(pk=world.volunteers["zhao"].pk).update(user=None)
    proposal = propose(world.community, timezone.localdate())
    assert [r.volunteer for r in proposal.assigned] == [world.volunteers["wang"]]
    fix = [r for r in proposal.unassigned if r.wish.category.code == "FIX02"]
    assert [(r.reason, r.candidates) for r in fix] == [(CAPACITY, 1), (CAPACITY, 1)]


def test_a_street_campaign_keeps_a_community_board_wish_to_its_own_community(world: World) -> None:
    # given a FIX02 wish in 新尧社区, where nobody serves (wang serves only 尧化门, next door)
    wish = post(world, "FIX02", "想请人修水龙头", place="grid3", by="street")
    street = propose(world.street, timezone.localdate())
    assert by_wish(street)[wish.pk].reason == NO_CANDIDATE
    # when it is pushed to the street board, anyone serving in a community of the street may take it:
    # wang (尧化门) or zhao (approved in 尧化门), both exact, both past the 3 km of distance points
    do_escalate_stale_wishes(at=timezone.now() + dt.timedelta(days=4))
    assert Wish.objects.get(pk=wish.pk).board_level == BoardLevel.STREET
    row = by_wish(propose(world.street, timezone.localdate()))[wish.pk]
    assert row.volunteer is not None and row.volunteer.pk in ids(world, "wang", "zhao")
    assert row.candidates == 2 and row.score == 700


# ── the page ──────────────────────────────────────────────────────────────────────────────────────


def _pairs(page: Any) -> list[str]:
    return re.findall(r'name="pair" value="(\d+:\d+)"', page.content.decode())


def test_the_campaign_page_proposes_and_sends_the_invitations_once_however_often_pressed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    four_wishes(world)
    client = client_for(world.user("community"))
    url = reverse("services:campaign")
    today = timezone.localdate().isoformat()
    form = client.get(url)
    assert form.status_code == 200 and "集中派单" in form.content.decode()
    page = client.get(url, {"region": world.community.code, "date": today})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="total-wishes">4<' in text and 'id="total-assigned">2<' in text and 'id="total-unassigned">2<' in text
    assert "向推荐人选发送邀请" in text and "本月服务容量已分给其他心愿" in text and "附近没有具备相应技能" in text
    pairs = _pairs(page)
    assert len(pairs) == 2
    body = {"region": world.community.code, "date": today, "pair": pairs}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, body, follow=True)
    assert "已发送 2 条邀请" in first.content.decode() and "推荐人选今天均已邀请" in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, body, follow=True)
    assert "已发送 0 条邀请；2 条今天已邀请过" in second.content.decode()
    assert Notification.objects.filter(kind="wish_invite").count() == 2
    assert WishEvent.objects.filter(kind="invite").count() == 2


def test_the_campaign_page_is_for_list_managers_within_their_scope(world: World) -> None:
    url = reverse("services:campaign")
    today = timezone.localdate().isoformat()
    assert client_for(world.user("leader")).get(url).status_code == 403
    assert client_for(world.user("grid")).get(url).status_code == 403
    assert client_for(world.user("wang")).get(url).status_code == 403
    community = client_for(world.user("community"))
    # a street, or another street's community, is not among the choices: the form refuses it
    refused = community.get(url, {"region": world.street.code, "date": today})
    assert refused.status_code == 200 and 'id="campaign-result"' not in refused.content.decode()
    # the street office may run the street
    street = client_for(world.user("street")).get(url, {"region": world.street.code, "date": today})
    assert street.status_code == 200 and 'id="campaign-result"' in street.content.decode()


def test_sending_invitations_for_a_wish_out_of_scope_sends_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    mine = post(world, "FIX02", "想请人修水龙头")
    theirs = do_post_wish(
        actor=Actor(),
        draft=WishDraft(
            title="想请人修门锁",
            category_code="FIX01",
            community_id=world.volunteers["zhao"].community_id,
            name="马小红",
            phone="13912345670",
        ),
    ).wish
    body = {
        "region": world.community.code,
        "date": timezone.localdate().isoformat(),
        "pair": [f"{mine.pk}:{world.volunteers['wang'].pk}", f"{theirs.pk}:{world.volunteers['zhao'].pk}"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(world.user("community")).post(reverse("services:campaign"), body)
    assert answer.status_code == 404
    assert Notification.objects.filter(kind="wish_invite").count() == 0
    assert WishEvent.objects.filter(kind="invite").count() == 0


# ── the API ───────────────────────────────────────────────────────────────────────────────────────


def test_the_campaign_api_proposes_then_sends_once(world: World, django_capture_on_commit_callbacks: Any) -> None:
    wishes = four_wishes(world)
    client: Client = client_for(world.user("community"))
    url = "/api/v1/services/campaign/"
    dry = client.post(url, {"region": world.community.code}, content_type="application/json")
    assert dry.status_code == 200
    body = dry.json()
    assert (body["wishes"], body["assigned"], body["unassigned"], body["invitations"]) == (4, 2, 2, None)
    assert body["date"] == timezone.localdate().isoformat()
    reasons = {r["wish"]: r["reason"] for r in body["rows"]}
    assert reasons[wishes[3].number] == "no_candidate"
    assert sum(r["score"] or 0 for r in body["rows"]) == body["total_score"]
    assert Notification.objects.filter(kind="wish_invite").count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"region": world.community.code, "dry_run": False}, content_type="application/json")
    assert sent.json()["invitations"] == {"sent": 2, "already": 0, "skipped": []}
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"region": world.community.code, "dry_run": False}, content_type="application/json")
    assert again.json()["invitations"]["sent"] == 0 and again.json()["invitations"]["already"] == 2
    assert Notification.objects.filter(kind="wish_invite").count() == 2
    assert client_for(world.user("leader")).post(url, {"region": world.community.code}).status_code == 403
    assert client.post(url, {"region": world.street.code}, content_type="application/json").status_code == 404
    bad = client.post(url, {"region": world.community.code, "date": "soon"}, content_type="application/json")
    assert bad.status_code == 400
