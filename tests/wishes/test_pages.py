"""The wish pages: the resident's H5 pages, the red-rope board, one wish, my claims, the staff list."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.volunteers.models import ServiceRecord
from gongzhi.wishes.actions import Actor, WishDraft, do_post_wish
from gongzhi.wishes.models import Wish, WishPhoto, WishStatus
from tests.people.conftest import client_for
from tests.serviceloop.world import World
from tests.wishes.helpers import RESIDENT_NAME, RESIDENT_PHONE, actor, claimed, fulfilled, png, post

pytestmark = pytest.mark.django_db


def _client(world: World, key: str) -> Client:
    return client_for(world.user(key))


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# ── the resident ──────────────────────────────────────────────────────────────────────────────────


def test_a_resident_posts_on_the_phone_page_and_follows_the_wish(world: World, client: Client) -> None:
    # given the H5 form
    page = client.get(reverse("wishes:h5_post"))
    assert page.status_code == 200 and 'id="wish-form"' in _text(page)
    key = re.search(r'name="client_key" value="([0-9a-f]+)"', _text(page))
    assert key is not None
    # when the resident posts a wish
    form = {
        "category": "FIX02",
        "title": "想请人帮忙修水龙头",
        "description": "厨房水龙头滴水",
        "community": str(world.community.pk),
        "name": RESIDENT_NAME,
        "phone": RESIDENT_PHONE,
        "client_key": key.group(1),
    }
    done = client.post(reverse("wishes:h5_post"), form, follow=True)
    # then the done page shows the wish number and the status link
    wish = Wish.objects.get()
    assert done.status_code == 200 and wish.number in _text(done)
    link = re.search(r'id="status-link" href="http://testserver(/h5/wish/t/[^"]+)"', _text(done))
    assert link is not None
    # posting the same form again (a double tap) stores nothing more
    client.post(reverse("wishes:h5_post"), form)
    assert Wish.objects.count() == 1
    # and the status page shows the progress, with no confirm button yet
    status = client.get(link.group(1))
    assert status.status_code == 200 and wish.title in _text(status)
    assert 'id="confirm-wish"' not in _text(status)
    # a wrong token is as missing
    assert client.get(reverse("wishes:h5_status", args=[wish.number, "wrong-token-000"])).status_code == 404


def test_the_h5_form_refuses_a_post_without_a_community(world: World, client: Client) -> None:
    response = client.post(
        reverse("wishes:h5_post"), {"category": "FIX02", "title": "修灯", "name": "王五", "client_key": "x1"}
    )
    assert response.status_code == 200 and Wish.objects.count() == 0
    assert "field-invalid" in _text(response)


def test_the_resident_sees_the_evidence_and_confirms(world: World, client: Client) -> None:
    wish, token = fulfilled(world, "wu")
    url = reverse("wishes:h5_status", args=[wish.number, token])
    page = _text(client.get(url))
    assert 'id="confirm-wish"' in page and "已上门更换水龙头" in page
    assert "吴*" in page and "吴敏" not in page  # the claimant's name is masked for the resident
    photo = WishPhoto.objects.get(wish=wish)
    assert client.get(reverse("wishes:h5_photo", args=[wish.number, token, photo.pk])).status_code == 200
    response = client.post(url, {"act": "confirm", "note": "谢谢"}, follow=True)
    assert response.status_code == 200 and 'id="h5-thanks"' in _text(response)
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONFIRMED
    assert ServiceRecord.objects.filter(source_id=wish.pk).count() == 1


# ── the board ─────────────────────────────────────────────────────────────────────────────────────


def test_the_board_masks_the_resident(world: World) -> None:
    # given a wish posted by the grid worker for a registered resident (whose room is on record)
    resident = world.resident()
    assert resident.room is not None
    posted = do_post_wish(
        actor=actor(world, "grid"),
        draft=WishDraft(title="想学用智能手机", category_code="EDU02", person_id=resident.pk),
    )
    h5_wish, _token = post(world)
    for key in ("wu", "community"):
        page = _text(_client(world, key).get(reverse("wishes:board")))
        assert posted.wish.title in page and h5_wish.title in page
        # the masked name shows; never the full name, the phone or the door number
        assert posted.wish.resident_name_masked in page
        assert resident.name not in page and RESIDENT_NAME not in page
        assert RESIDENT_PHONE not in page and resident.phone_masked not in page
        assert f"{resident.room.number}室" not in page and str(resident.room) not in page
        detail = _text(_client(world, key).get(reverse("wishes:detail", args=[posted.wish.number])))
        assert resident.name not in detail and str(resident.room) not in detail


def test_a_participant_claims_from_the_board_and_a_second_claim_is_refused(world: World) -> None:
    wish, _token = post(world)
    wu, zhao = _client(world, "wu"), _client(world, "zhao")
    board = _text(zhao.get(reverse("wishes:board")))  # zhao loads the board first
    assert f'id="wish-{wish.number}"' in board and "button-claim" in board
    # wu claims
    response = wu.post(reverse("wishes:claim", args=[wish.number]), {"unit": ""}, follow=True)
    assert response.status_code == 200 and 'id="fulfil-form"' in _text(response)
    # zhao's claim from the page he loaded is refused with a clear message, and changes nothing
    refused = zhao.post(reverse("wishes:claim", args=[wish.number]), {"unit": ""}, follow=True)
    assert refused.status_code == 200
    assert "已被认领" in _text(refused) or "already been claimed" in _text(refused)
    wish.refresh_from_db()
    assert wish.claimant_volunteer == world.volunteers["wu"]
    # the wish has left the boards
    assert f'id="wish-{wish.number}"' not in _text(zhao.get(reverse("wishes:board")))


def test_a_member_with_a_pending_registration_sees_nothing_and_cannot_claim(world: World) -> None:
    wish, _token = post(world)
    sun = _client(world, "sun")
    assert wish.number not in _text(sun.get(reverse("wishes:board")))
    assert sun.get(reverse("wishes:detail", args=[wish.number])).status_code == 404
    assert sun.post(reverse("wishes:claim", args=[wish.number])).status_code == 404
    wish.refresh_from_db()
    assert wish.status == WishStatus.OPEN


def test_the_unit_liaison_sees_a_claim_button_for_the_unit(world: World) -> None:
    wish, _token = post(world)
    assert world.unit is not None
    li = _client(world, "li")
    page = _text(li.get(reverse("wishes:board")))
    assert f'data-unit="{world.unit.pk}"' in page and world.unit.name in page
    li.post(reverse("wishes:claim", args=[wish.number]), {"unit": str(world.unit.pk)})
    wish.refresh_from_db()
    assert wish.claimant_unit == world.unit


def test_staff_see_the_board_without_claim_buttons_and_cannot_claim(world: World) -> None:
    wish, _token = post(world)
    community = _client(world, "community")
    page = _text(community.get(reverse("wishes:board")))
    assert wish.title in page and "button-claim" not in page
    assert community.post(reverse("wishes:claim", args=[wish.number])).status_code == 403
    wish.refresh_from_db()
    assert wish.status == WishStatus.OPEN


def test_pages_refuse_users_without_standing(world: World, client: Client) -> None:
    for name in ("wishes:board", "wishes:mine", "wishes:list"):
        assert client.get(reverse(name)).status_code == 302  # to the sign-in page
    for key in ("dept", "sysadmin"):
        assert _client(world, key).get(reverse("wishes:board")).status_code == 403
    assert _client(world, "community").get(reverse("wishes:mine")).status_code == 403
    assert _client(world, "wu").get(reverse("wishes:list")).status_code == 403
    assert _client(world, "wu").get(reverse("wishes:post")).status_code == 403
    assert _client(world, "leader").get(reverse("wishes:post")).status_code == 403


def test_the_navigation_shows_each_entry_to_those_who_can_use_it(world: World) -> None:
    wu = _text(_client(world, "wu").get(reverse("wishes:board")))
    assert 'id="nav-wish-board"' in wu and 'id="nav-wish-mine"' in wu and 'id="nav-wish-list"' not in wu
    staff = _text(_client(world, "community").get(reverse("wishes:list")))
    assert 'id="nav-wish-board"' in staff and 'id="nav-wish-list"' in staff and 'id="nav-wish-mine"' not in staff
    dept = _text(_client(world, "dept").get("/"))
    assert 'id="nav-wish-board"' not in dept


# ── one wish ──────────────────────────────────────────────────────────────────────────────────────


def test_the_claimant_fulfils_with_a_photo_on_the_page(world: World) -> None:
    wish, _token = claimed(world, "wu")
    wu = _client(world, "wu")
    url = reverse("wishes:fulfil", args=[wish.number])
    # without a photo: refused, on the page, nothing changed
    missing = wu.post(url, {"note": "做好了"})
    assert missing.status_code == 400 and "field-invalid" in _text(missing)
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED
    # with a photo
    done = wu.post(url, {"note": "已上门更换", "photos": [png()]}, follow=True)
    assert done.status_code == 200
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED and WishPhoto.objects.filter(wish=wish).count() == 1
    photo = WishPhoto.objects.get(wish=wish)
    assert wu.get(reverse("wishes:photo", args=[wish.number, photo.pk])).status_code == 200
    # 我的认领 lists it as waiting for the resident
    mine = _text(wu.get(reverse("wishes:mine")))
    assert wish.number in mine.split('id="mine-to-confirm"')[1].split('id="mine-done"')[0]


def test_the_claimant_gives_the_wish_back_on_the_page(world: World) -> None:
    wish, _token = claimed(world, "wu")
    wu = _client(world, "wu")
    assert wu.post(reverse("wishes:release", args=[wish.number]), {"release-reason": ""}).status_code == 400
    wu.post(reverse("wishes:release", args=[wish.number]), {"release-reason": "临时出差"})
    wish.refresh_from_db()
    assert wish.status == WishStatus.OPEN


def test_staff_confirm_and_withdraw_on_the_page(world: World) -> None:
    wish, _token = fulfilled(world, "wu")
    community = _client(world, "community")
    page = _text(community.get(reverse("wishes:detail", args=[wish.number])))
    assert 'id="confirm-form"' in page and "已上门更换水龙头" in page
    community.post(reverse("wishes:confirm", args=[wish.number]), {"confirm-note": "电话回访"})
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONFIRMED and ServiceRecord.objects.filter(source_id=wish.pk).count() == 1
    other, _t = post(world, title="要撤销的")
    community.post(reverse("wishes:cancel", args=[other.number]), {"cancel-reason": "居民已解决"})
    other.refresh_from_db()
    assert other.status == WishStatus.CANCELLED
    # a participant may not confirm
    third, _t = fulfilled(world, "zhao")
    assert _client(world, "zhao").post(reverse("wishes:confirm", args=[third.number])).status_code == 403


def test_a_wish_outside_the_viewers_area_is_not_found(world: World) -> None:
    maqun = world.people.places["street2"].community
    wish = do_post_wish(
        actor=Actor(), draft=WishDraft(title="马群的心愿", category_code="FIX01", community_id=maqun.pk, name="赵六")
    ).wish
    for key in ("community", "grid", "wu", "li"):
        assert _client(world, key).get(reverse("wishes:detail", args=[wish.number])).status_code == 404
    # zhao lives in 马群社区 and serves there: he sees it
    assert _client(world, "zhao").get(reverse("wishes:detail", args=[wish.number])).status_code == 200


# ── staff ─────────────────────────────────────────────────────────────────────────────────────────


def test_the_staff_list_filters(world: World) -> None:
    first, _t = claimed(world, "wu")
    second, _t = post(world, title="助老探访一次", code="ELD01")
    Wish.objects.filter(pk=first.pk).update(due_at=first.created_at)  # overdue
    community = _client(world, "community")
    page = _text(community.get(reverse("wishes:list")))
    assert first.number in page and second.number in page
    only_open = _text(community.get(reverse("wishes:list"), {"status": "open"}))
    assert second.number in only_open and first.number not in only_open
    by_major = _text(community.get(reverse("wishes:list"), {"category": "ELD"}))
    assert second.number in by_major and first.number not in by_major
    overdue = _text(community.get(reverse("wishes:list"), {"overdue": "on"}))
    assert first.number in overdue and second.number not in overdue


def test_the_grid_worker_posts_for_a_resident_on_the_page(world: World) -> None:
    grid = _client(world, "grid")
    page = _text(grid.get(reverse("wishes:post")))
    resident = world.resident()
    assert f'value="{resident.pk}"' in page
    outsider = world.people.places["grid2"].residents[0]
    assert f'value="{outsider.pk}"' not in page  # grid2 is not this grid worker's grid
    response = grid.post(
        reverse("wishes:post"),
        {"person": str(resident.pk), "category": "EDU02", "title": "想学用智能手机", "client_key": "g-1"},
    )
    assert response.status_code == 200
    wish = Wish.objects.get()
    assert wish.number in _text(response) and 'id="resident-link"' in _text(response)
    assert wish.person == resident and wish.posted_by == world.user("grid")
    # typed name without a community is refused on the form
    refused = grid.post(reverse("wishes:post"), {"name": "", "category": "EDU02", "title": "x", "client_key": "g-2"})
    assert refused.status_code == 200 and Wish.objects.count() == 1
