"""Posting a wish: the resident on the H5 channel, a grid worker for a resident; idempotency; sealing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core import pii
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEvent
from gongzhi.wishes.access import access_wish_by_ticket
from gongzhi.wishes.actions import Actor, WishDraft, do_post_wish
from gongzhi.wishes.models import BoardLevel, Wish, WishChannel, WishEvent, WishStatus
from tests.serviceloop.world import World
from tests.wishes.helpers import RESIDENT_NAME, RESIDENT_PHONE, actor, post

pytestmark = pytest.mark.django_db


def test_a_resident_posts_a_wish_sealed_and_masked(world: World) -> None:
    # when a resident posts a wish on the H5 channel
    wish, token = post(world)
    # then it is open on the community board, numbered W+date+sequence, with the resident sealed
    assert wish.status == WishStatus.OPEN and wish.board_level == BoardLevel.COMMUNITY
    assert wish.number.startswith("W") and wish.number.endswith("0001") and len(wish.number) == 11
    assert wish.channel == WishChannel.H5 and wish.source == "web" and wish.posted_by is None
    assert wish.community == world.community and wish.region_code == world.community.code
    assert wish.resident_name_masked == "王*明"
    assert pii.decrypt(wish.resident_name_ciphertext) == RESIDENT_NAME
    assert wish.resident_phone_masked == "139****5678" and RESIDENT_PHONE not in wish.resident_phone_ciphertext
    assert wish.resident_phone_digest == pii.digest(RESIDENT_PHONE)
    # the token opens it; only its digest is stored
    assert token and token not in wish.token_digest
    assert access_wish_by_ticket(wish.number, token) == wish
    # a timeline row and an audit row
    assert list(WishEvent.objects.filter(wish=wish).values_list("kind", flat=True)) == ["post"]
    assert AuditEvent.objects.filter(action="wish.post", object_id=str(wish.pk)).count() == 1
    # the next wish of the day takes the next number
    second, _token = post(world, title="第二个心愿")
    assert second.number == wish.number[:-4] + "0002"


def test_posting_twice_with_one_client_key_stores_one_wish(world: World) -> None:
    first, token = post(world, key="k-1")
    again = do_post_wish(
        actor=Actor(),
        draft=WishDraft(
            title="另一个", category_code="FIX02", community_id=world.community.pk, name="王五", client_key="k-1"
        ),
    )
    assert again.created is False and again.wish == first and again.token == ""
    assert Wish.objects.count() == 1 and token


def test_invalid_posts_are_refused_and_store_nothing(world: World) -> None:
    cases = [
        (WishDraft(title="", category_code="FIX02", community_id=world.community.pk, name="王五"), "title"),
        (WishDraft(title="修灯", category_code="FIX", community_id=world.community.pk, name="王五"), "category"),
        (WishDraft(title="修灯", category_code="FIX02", community_id=None, name="王五"), "community"),
        (WishDraft(title="修灯", category_code="FIX02", community_id=world.street.pk, name="王五"), "community"),
        (WishDraft(title="修灯", category_code="FIX02", community_id=world.community.pk, name=""), "name"),
        (
            WishDraft(title="修灯", category_code="FIX02", community_id=world.community.pk, name="王五", phone="123"),
            "phone",
        ),
    ]
    for draft, field in cases:
        with pytest.raises(DomainError) as error:
            do_post_wish(actor=Actor(), draft=draft)
        assert field in {i.field for i in error.value.items}
    assert Wish.objects.count() == 0 and WishEvent.objects.count() == 0


def test_a_grid_worker_posts_for_a_registered_resident_of_the_grid(world: World) -> None:
    resident = world.resident()
    posted = do_post_wish(
        actor=actor(world, "grid"),
        draft=WishDraft(
            title="想学用智能手机", category_code="EDU02", person_id=resident.pk, channel=WishChannel.STAFF
        ),
    )
    wish = posted.wish
    assert posted.created and wish.person == resident and wish.posted_by == world.user("grid")
    assert wish.region_code == resident.region_code == world.people.tree.grid1.code
    assert wish.building == world.people.places["grid1"].building
    assert wish.resident_name_masked == pii.mask_name(resident.name)
    assert wish.resident_phone_masked == resident.phone_masked
    assert wish.source == f"user:{world.user('grid').pk}"


def test_a_grid_worker_typing_a_name_posts_in_their_own_grid(world: World) -> None:
    posted = do_post_wish(
        actor=actor(world, "grid"),
        draft=WishDraft(title="买菜不便", category_code="ELD02", community_id=world.community.pk, name="钱大妈"),
    )
    assert posted.wish.region_code == world.people.tree.grid1.code


def test_staff_cannot_post_for_residents_outside_their_area(world: World) -> None:
    outsider = world.people.places["street2"].residents[2]
    with pytest.raises(DomainError) as error:
        do_post_wish(
            actor=actor(world, "grid"),
            draft=WishDraft(title="修灯", category_code="FIX01", person_id=outsider.pk),
        )
    assert error.value.items[0].field == "person"
    other_community = world.people.tree.community2
    with pytest.raises(DomainError):
        do_post_wish(
            actor=actor(world, "community"),
            draft=WishDraft(title="修灯", category_code="FIX01", community_id=other_community.pk, name="王五"),
        )
    assert Wish.objects.count() == 0


def test_participants_and_roles_without_report_cannot_post_as_staff(world: World) -> None:
    for key in ("wu", "dept", "sysadmin"):
        with pytest.raises(PermissionDenied):
            do_post_wish(
                actor=actor(world, key),
                draft=WishDraft(title="修灯", category_code="FIX01", community_id=world.community.pk, name="王五"),
            )
    assert Wish.objects.count() == 0


def test_the_timeline_cannot_be_rewritten_even_in_sql(world: World) -> None:
    from django.db import DatabaseError, connection, transaction

    # given a posted wish and its first timeline row
    wish, _token = post(world)
    event = WishEvent.objects.filter(wish=wish).order_by("pk").first()
    assert event is not None
    # when anyone rewrites it: the ORM refuses, and on PostgreSQL so does the database itself
    with pytest.raises(TypeError):
        WishEvent.objects.filter(pk=event.pk).update(note="rewritten")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE wishes_wishevent SET note = %s WHERE id = %s", ["rewritten", event.pk])
    # then the row is as written
    assert WishEvent.objects.get(pk=event.pk).note == event.note
