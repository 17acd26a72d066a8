"""推荐人选 on a wish and a need, and 邀请认领 (world: wang ELD01/FIX02 and li ELD02/CUL01 live in grid1's
building; wu and zhao in 马群, 5.9 km away, both approved in 尧化门; sun's 尧化门 registration is pending).

The resident of the wishes is grid1's child (world.resident()), who lives in the same building as wang.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from gongzhi.cases.models import Notification
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.services.actions.lists import do_create_need
from gongzhi.volunteers.models import Volunteer
from gongzhi.wishes.actions import Actor, WishDraft, do_claim_wish, do_invite_to_claim, do_post_wish
from gongzhi.wishes.models import Wish, WishEvent, WishInvitation
from gongzhi.wishes.recommend import wish_candidates
from tests.people.conftest import client_for
from tests.serviceloop.world import World

pytestmark = pytest.mark.django_db


def post(world: World, code: str = "ELD01", *, title: str = "想请人陪老人去医院", by: str = "community") -> Wish:
    """A wish posted by staff for grid1's child (the home building is known)."""
    return do_post_wish(
        actor=Actor(user=world.user(by)),
        draft=WishDraft(title=title, category_code=code, person_id=world.resident().pk),
    ).wish


def post_in_maqun(world: World) -> Wish:
    """A wish a 马群 resident posted on the H5 page: outside every 尧化 staff user's sight."""
    return do_post_wish(
        actor=Actor(),
        draft=WishDraft(
            title="想请人修门锁",
            category_code="FIX01",
            community_id=world.volunteers["zhao"].community_id,
            name="马小红",
            phone="13912345670",
        ),
    ).wish


def order(page: Any) -> list[int]:
    return [int(v) for v in re.findall(r'class="match-item" data-volunteer="(\d+)"', page.content.decode())]


def rows() -> tuple[int, int, int, int]:
    return (
        WishInvitation.objects.count(),
        Notification.objects.filter(kind="wish_invite").count(),
        WishEvent.objects.filter(kind="invite").count(),
        AuditEvent.objects.filter(action="wish.invite").count(),
    )


def ids(world: World, *keys: str) -> list[int]:
    return [world.volunteers[k].pk for k in keys]


# ── the panel ─────────────────────────────────────────────────────────────────────────────────────


def test_the_wish_page_recommends_the_skilled_neighbour_first_and_explains_it(world: World) -> None:
    # given an escort wish (ELD01) for a resident of wang's building
    wish = post(world)
    # when community staff open it
    page = client_for(world.user("community")).get(reverse("wishes:detail", args=[wish.number]))
    # then wang (exact skill, next door) leads, li (same class, next door) follows; no one else has ELD
    assert page.status_code == 200
    text = page.content.decode()
    assert "推荐人选" in text
    assert order(page) == ids(world, "wang", "li")
    wang, li = text.split('class="match-item"')[1:]
    assert "王建国" in wang and ">1000<" in wang
    for explained in ("技能匹配：完全对口", "距离 0.0 km", "近30天服务 0 次", "+400", "+300"):
        assert explained in wang
    assert "李秀英" in li and "技能匹配：同类" in li and "+200" in li
    assert "邀请认领" in wang


def test_without_a_building_distances_are_from_the_community_centre_and_the_page_says_so(world: World) -> None:
    # given a wish posted on the H5 page without an address: neither building nor registered resident
    wish = do_post_wish(
        actor=Actor(),
        draft=WishDraft(
            title="想请人陪老人散步", category_code="ELD01", community_id=world.community.pk, name="王小明", phone=""
        ),
    ).wish
    assert world.community.label_lon is not None
    page = client_for(world.user("community")).get(reverse("wishes:detail", args=[wish.number]))
    text = page.content.decode()
    assert 'id="place-rough"' in text and "距离按社区中心估算" in text
    assert order(page) == ids(world, "wang", "li")
    body = client_for(world.user("community")).get(f"/api/v1/wishes/{wish.number}/candidates/").json()
    assert body["place"] == "community" and body["candidates"][0]["km"] is not None


def test_volunteers_with_only_a_pending_registration_are_never_recommended(world: World) -> None:
    # given a medical wish: only sun has MED01, and sun's 尧化门 registration is still pending
    wish = post(world, "MED01", title="想请人上门量血压")
    assert wish_candidates(wish) == []
    page = client_for(world.user("community")).get(reverse("wishes:detail", args=[wish.number]))
    text = page.content.decode()
    assert 'id="recommended-empty"' in text and "孙建国" not in text
    api = client_for(world.user("community")).get(f"/api/v1/wishes/{wish.number}/candidates/")
    assert api.status_code == 200 and api.json()["candidates"] == []


def test_volunteers_without_a_sign_in_are_not_offered_for_a_wish_but_shown_for_a_need(world: World) -> None:
    # given li has no sign-in (cannot be told, cannot claim)
    Volunteer.objects.filter(pk=world.volunteers["li"].pk).update(user=None)
    wish = post(world)
    assert [c.volunteer.pk for c in wish_candidates(wish)] == ids(world, "wang")
    need = do_create_need(
        actor=world.user("community"),
        community_region=world.community,
        category_code="ELD01",
        title="独居老人需要陪诊",
        person=world.resident(),
    )
    page = client_for(world.user("community")).get(reverse("services:need", args=[need.pk]))
    assert order(page) == ids(world, "wang", "li")


def test_wishes_in_hand_lower_a_volunteers_rank(world: World) -> None:
    # given wang holds a claimed wish
    held = post(world, "FIX02", title="想请人修水龙头")
    do_claim_wish(actor=Actor(user=world.user("wang")), wish_id=held.pk)
    # when the candidates of a new ELD01 wish are ranked
    candidates = wish_candidates(post(world))
    # then wang's open assignment costs load points (150 → 75), li's none
    by_id = {c.volunteer.pk: c for c in candidates}
    wang, li = by_id[world.volunteers["wang"].pk], by_id[world.volunteers["li"].pk]
    assert (wang.open_assignments, wang.parts.load_points, wang.score) == (1, 75, 925)
    assert (li.open_assignments, li.parts.load_points) == (0, 150)


def test_the_panel_is_gone_once_the_wish_is_claimed_and_readers_get_no_button(world: World) -> None:
    wish = post(world)
    leader = client_for(world.user("leader")).get(reverse("wishes:detail", args=[wish.number]))
    assert "推荐人选" in leader.content.decode() and "邀请认领" not in leader.content.decode()
    do_claim_wish(actor=Actor(user=world.user("li")), wish_id=wish.pk)
    page = client_for(world.user("community")).get(reverse("wishes:detail", args=[wish.number]))
    assert page.status_code == 200 and "推荐人选" not in page.content.decode()


def test_the_need_page_recommends_people_for_an_open_need(world: World) -> None:
    need = do_create_need(
        actor=world.user("community"),
        community_region=world.community,
        category_code="ELD01",
        title="独居老人需要陪诊",
        person=world.resident(),
    )
    page = client_for(world.user("community")).get(reverse("services:need", args=[need.pk]))
    assert page.status_code == 200
    assert order(page) == ids(world, "wang", "li")
    assert "距离 0.0 km" in page.content.decode() and "邀请认领" not in page.content.decode()


# ── inviting ──────────────────────────────────────────────────────────────────────────────────────


def test_an_invitation_is_one_notification_one_timeline_row_and_one_audit_row(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    wish = post(world)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = do_invite_to_claim(
            actor=Actor(user=world.user("community")), wish_id=wish.pk, volunteer_id=world.volunteers["wang"].pk
        )
    assert invitation.sent
    note = Notification.objects.get(kind="wish_invite")
    assert note.user == world.user("wang") and wish.number in note.message
    event = WishEvent.objects.get(kind="invite")
    assert event.wish == wish and event.note == "王*国" and event.actor == world.user("community")
    audit = AuditEvent.objects.get(action="wish.invite")
    assert audit.object_id == str(wish.pk) and audit.changes["volunteer"] == world.volunteers["wang"].pk
    # pressed again the same day: nothing more
    with django_capture_on_commit_callbacks(execute=True):
        again = do_invite_to_claim(
            actor=Actor(user=world.user("grid")), wish_id=wish.pk, volunteer_id=world.volunteers["wang"].pk
        )
    assert not again.sent and rows() == (1, 1, 1, 1)
    invited = WishInvitation.objects.get()
    assert (invited.wish, invited.volunteer) == (wish, world.volunteers["wang"])
    assert invited.invited_by == world.user("community") and not invited.campaign


@pytest.mark.parametrize(
    ("who", "where", "volunteer", "error"),
    [
        ("community", "maqun", "zhao", NotFound),  # out of the inviter's sight
        ("leader", "here", "wang", PermissionDenied),  # sees it, may not invite
        ("wang", "here", "li", PermissionDenied),  # a participant of the area, not staff
        ("community", "here", "sun", DomainError),  # registration pending: may not serve here
        ("community", "here", "none", DomainError),  # no such volunteer
        ("community", "claimed", "wang", Conflict),  # claimed meanwhile
    ],
)
def test_refused_invitations_change_nothing(
    world: World, django_capture_on_commit_callbacks: Any, who: str, where: str, volunteer: str, error: type
) -> None:
    wish = post_in_maqun(world) if where == "maqun" else post(world)
    if where == "claimed":
        do_claim_wish(actor=Actor(user=world.user("li")), wish_id=wish.pk)
    before = rows()
    volunteer_id = world.volunteers[volunteer].pk if volunteer in world.volunteers else 999_999
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(error):
        do_invite_to_claim(actor=Actor(user=world.user(who)), wish_id=wish.pk, volunteer_id=volunteer_id)
    assert rows() == before


def test_the_invite_button_invites_and_a_second_press_says_so(world: World) -> None:
    wish = post(world)
    client = client_for(world.user("community"))
    url = reverse("wishes:invite", args=[wish.number])
    first = client.post(url, {"volunteer": world.volunteers["li"].pk}, follow=True)
    assert "已邀请 李秀英 认领此心愿" in first.content.decode()
    assert "今日已邀请" in first.content.decode()
    second = client.post(url, {"volunteer": world.volunteers["li"].pk}, follow=True)
    assert "今天已邀请过 李秀英" in second.content.decode()
    assert rows()[2:] == (1, 1)
    refused = client.post(url, {"volunteer": world.volunteers["sun"].pk}, follow=True)
    assert "不在该心愿所在的社区服务" in refused.content.decode() and rows()[2:] == (1, 1)
    assert client_for(world.user("leader")).post(url, {"volunteer": world.volunteers["wang"].pk}).status_code == 403


# ── the API ───────────────────────────────────────────────────────────────────────────────────────


def test_the_candidates_api_answers_the_ranking_with_its_parts(world: World) -> None:
    wish = post(world)
    url = f"/api/v1/wishes/{wish.number}/candidates/"
    body = client_for(world.user("grid")).get(url).json()
    assert body["wish"] == wish.number and body["status"] == "open" and body["place"] == "building"
    first = body["candidates"][0]
    assert first["volunteer"] == world.volunteers["wang"].pk and first["name"] == "王建国"
    assert first["score"] == 1000 and first["match"] == "exact" and first["km"] == 0.0
    assert first["parts"] == {"skill": 400, "distance": 300, "availability": 150, "load": 150}
    assert [c["volunteer"] for c in body["candidates"]] == ids(world, "wang", "li")
    assert client_for(world.user("leader")).get(url).status_code == 403
    assert client_for(world.user("zhao")).get(url).status_code == 403  # a participant who sees the wish
    maqun = post_in_maqun(world)
    assert client_for(world.user("community")).get(f"/api/v1/wishes/{maqun.number}/candidates/").status_code == 404


def test_the_invite_api_sends_once_and_refuses_who_may_not_serve(world: World) -> None:
    wish = post(world)
    client: Client = client_for(world.user("community"))
    url = f"/api/v1/wishes/{wish.number}/invite/"
    first = client.post(url, {"volunteer": world.volunteers["wu"].pk}, content_type="application/json")
    assert first.status_code == 200 and first.json()["sent"] is True
    again = client.post(url, {"volunteer": world.volunteers["wu"].pk}, content_type="application/json")
    assert again.status_code == 200 and again.json()["sent"] is False
    refused = client.post(url, {"volunteer": world.volunteers["sun"].pk}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "not_eligible"
    assert rows()[2:] == (1, 1)
