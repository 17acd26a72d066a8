"""Claiming, giving back and fulfilling: who may, exactly one claimant, evidence required."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.cases.models import Notification
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.wishes.actions import Actor, WishDraft, do_claim_wish, do_fulfil_wish, do_post_wish, do_release_claim
from gongzhi.wishes.models import Wish, WishEvent, WishPhoto, WishSettings, WishStatus
from tests.serviceloop.world import World
from tests.wishes.helpers import actor, claimed, photos, post

pytestmark = pytest.mark.django_db


def _snapshot(wish: Wish) -> tuple[object, ...]:
    wish.refresh_from_db()
    return (
        wish.status,
        wish.claimant_volunteer_id,
        wish.claimant_unit_id,
        wish.claimed_at,
        wish.due_at,
        WishEvent.objects.filter(wish=wish).count(),
    )


def test_a_member_from_another_street_registered_here_claims(world: World) -> None:
    # given an open wish of 尧化门社区, and 吴敏 who lives in 马群街道 but registered with 尧化门社区
    wish, _token = post(world)
    # when she claims it
    with_due = do_claim_wish(actor=actor(world, "wu"), wish_id=wish.pk)
    # then she is the one claimant, with the fulfil-by date from the settings
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED == with_due.status
    assert wish.claimant_volunteer == world.volunteers["wu"] and wish.claimant_unit is None
    assert wish.claimed_by == world.user("wu")
    assert wish.claimed_at is not None and wish.due_at == wish.claimed_at + dt.timedelta(days=7)
    assert WishEvent.objects.filter(wish=wish, kind="claim").count() == 1
    assert AuditEvent.objects.filter(action="wish.claim", object_id=str(wish.pk)).count() == 1


def test_a_second_claim_is_refused_and_changes_nothing(world: World) -> None:
    wish, _token = claimed(world, "wu")
    before = _snapshot(wish)
    with pytest.raises(Conflict) as error:
        do_claim_wish(actor=actor(world, "zhao"), wish_id=wish.pk)
    assert error.value.items[0].code == "conflict"
    assert "claimed" in error.value.items[0].message or "认领" in error.value.items[0].message
    assert _snapshot(wish) == before
    assert wish.claimant_volunteer == world.volunteers["wu"]


def test_a_member_with_a_pending_registration_cannot_claim(world: World) -> None:
    wish, _token = post(world)
    before = _snapshot(wish)
    with pytest.raises(NotFound):
        do_claim_wish(actor=actor(world, "sun"), wish_id=wish.pk)
    assert _snapshot(wish) == before


def test_a_unit_liaison_claims_for_the_unit(world: World) -> None:
    wish, _token = post(world)
    assert world.unit is not None
    do_claim_wish(actor=actor(world, "li"), wish_id=wish.pk, unit_id=world.unit.pk)
    wish.refresh_from_db()
    assert wish.claimant_unit == world.unit and wish.claimant_volunteer is None
    assert wish.claimed_by == world.user("li")
    assert wish.claimant_label == world.unit.name


def test_nobody_claims_for_a_unit_they_do_not_act_for(world: World) -> None:
    wish, _token = post(world)
    assert world.unit is not None
    before = _snapshot(wish)
    with pytest.raises(PermissionDenied):
        do_claim_wish(actor=actor(world, "wu"), wish_id=wish.pk, unit_id=world.unit.pk)
    assert _snapshot(wish) == before


def test_staff_cannot_claim(world: World) -> None:
    wish, _token = post(world)
    before = _snapshot(wish)
    for key in ("community", "secretary", "street"):
        with pytest.raises(PermissionDenied):
            do_claim_wish(actor=actor(world, key), wish_id=wish.pk)
    # the grid worker's sight is their grid (this wish sits at the community), departments see no wishes
    for key in ("grid", "dept"):
        with pytest.raises(NotFound):
            do_claim_wish(actor=actor(world, key), wish_id=wish.pk)
    with pytest.raises(NotFound):
        do_claim_wish(actor=Actor(), wish_id=wish.pk)
    assert _snapshot(wish) == before


def test_a_volunteer_cannot_claim_a_wish_posted_for_themselves(world: World) -> None:
    li = world.volunteers["li"]
    posted = do_post_wish(
        actor=actor(world, "grid"),
        draft=WishDraft(title="陪我去医院", category_code="MED02", person_id=li.person_id),
    )
    with pytest.raises(DomainError) as error:
        do_claim_wish(actor=actor(world, "li"), wish_id=posted.wish.pk)
    assert error.value.items[0].code == "own_wish"
    posted.wish.refresh_from_db()
    assert posted.wish.status == WishStatus.OPEN


def test_claiming_a_missing_wish_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        do_claim_wish(actor=actor(world, "wu"), wish_id=999_999)


def test_the_claim_deadline_follows_the_settings(world: World) -> None:
    settings = WishSettings.load()
    settings.claim_days = 3
    settings.save()
    wish, _token = claimed(world)
    assert wish.due_at is not None and wish.claimed_at is not None
    assert wish.due_at - wish.claimed_at == dt.timedelta(days=3)


def test_the_claimant_gives_the_wish_back_with_a_reason(world: World) -> None:
    wish, _token = claimed(world, "wu")
    with pytest.raises(DomainError):
        do_release_claim(actor=actor(world, "wu"), wish_id=wish.pk, reason="")
    with pytest.raises(PermissionDenied):  # staff see it, but only the claimant gives it back
        do_release_claim(actor=actor(world, "community"), wish_id=wish.pk, reason="不想做了")
    with pytest.raises(PermissionDenied):  # zhao serves here too and sees it, but did not claim it
        do_release_claim(actor=actor(world, "zhao"), wish_id=wish.pk, reason="不想做了")
    with pytest.raises(NotFound):  # sun's registration is pending: not his area
        do_release_claim(actor=actor(world, "sun"), wish_id=wish.pk, reason="不想做了")
    do_release_claim(actor=actor(world, "wu"), wish_id=wish.pk, reason="临时出差")
    wish.refresh_from_db()
    assert wish.status == WishStatus.OPEN and wish.claimant_volunteer is None and wish.due_at is None
    assert WishEvent.objects.filter(wish=wish, kind="release", note="临时出差").count() == 1
    # and someone else may claim it now
    do_claim_wish(actor=actor(world, "zhao"), wish_id=wish.pk)
    wish.refresh_from_db()
    assert wish.claimant_volunteer == world.volunteers["zhao"]


def test_fulfilling_needs_a_photo_and_a_note(world: World) -> None:
    wish, _token = claimed(world, "wu")
    before = _snapshot(wish)
    with pytest.raises(DomainError) as error:
        do_fulfil_wish(actor=actor(world, "wu"), wish_id=wish.pk, note="做好了", photos=[])
    assert {i.field for i in error.value.items} == {"photos"}
    with pytest.raises(DomainError) as error:
        do_fulfil_wish(actor=actor(world, "wu"), wish_id=wish.pk, note="", photos=photos())
    assert {i.field for i in error.value.items} == {"note"}
    assert _snapshot(wish) == before and WishPhoto.objects.count() == 0


def test_only_the_claimant_fulfils(world: World) -> None:
    wish, _token = claimed(world, "wu")
    with pytest.raises(PermissionDenied):
        do_fulfil_wish(actor=actor(world, "zhao"), wish_id=wish.pk, note="做好了", photos=photos())
    with pytest.raises(PermissionDenied):
        do_fulfil_wish(actor=actor(world, "community"), wish_id=wish.pk, note="做好了", photos=photos())
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED and WishPhoto.objects.count() == 0


def test_the_claimant_fulfils_with_evidence_and_the_poster_is_told(world: World) -> None:
    wish, _token = claimed(world, "wu")
    with_photo = do_fulfil_wish(actor=actor(world, "wu"), wish_id=wish.pk, note="已上门更换", photos=photos(2))
    wish.refresh_from_db()
    assert with_photo.status == wish.status == WishStatus.FULFILLED
    assert wish.evidence == "已上门更换" and wish.fulfilled_at is not None and wish.fulfilled_late is False
    assert WishPhoto.objects.filter(wish=wish).count() == 2
    assert all(p.content_type == "image/png" for p in WishPhoto.objects.filter(wish=wish))
    with pytest.raises(Conflict):  # fulfilling twice
        do_fulfil_wish(actor=actor(world, "wu"), wish_id=wish.pk, note="再来一次", photos=photos())
    assert WishPhoto.objects.filter(wish=wish).count() == 2


def test_fulfilling_after_the_deadline_is_recorded_as_late(world: World) -> None:
    wish, _token = claimed(world, "wu")
    Wish.objects.filter(pk=wish.pk).update(due_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    do_fulfil_wish(actor=actor(world, "wu"), wish_id=wish.pk, note="晚了几天", photos=photos())
    wish.refresh_from_db()
    assert wish.fulfilled_late is True


def test_a_unit_liaison_fulfils_the_units_wish(world: World) -> None:
    wish, _token = post(world)
    assert world.unit is not None
    do_claim_wish(actor=actor(world, "li"), wish_id=wish.pk, unit_id=world.unit.pk)
    do_fulfil_wish(actor=actor(world, "li"), wish_id=wish.pk, note="单位志愿者上门", photos=photos())
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED


def test_the_poster_hears_of_the_claim_after_commit(world: World, django_capture_on_commit_callbacks: object) -> None:
    posted = do_post_wish(
        actor=actor(world, "grid"),
        draft=WishDraft(title="修灯", category_code="FIX01", community_id=world.community.pk, name="王五"),
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        do_claim_wish(actor=actor(world, "wu"), wish_id=posted.wish.pk)
    rows = Notification.objects.filter(user=world.user("grid"), kind="wish_claimed")
    assert rows.count() == 1 and posted.wish.number in rows[0].message
    assert Notification.objects.filter(user=world.user("community"), kind="wish_claimed").count() == 1
