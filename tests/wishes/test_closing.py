"""Confirming (by the resident's token or by staff for them), the service record and points, cancelling."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.points.models import PointAccount, PointEntry
from gongzhi.volunteers.models import ServiceKind, ServiceRecord
from gongzhi.wishes.actions import Actor, WishDraft, do_cancel_wish, do_claim_wish, do_confirm_wish, do_post_wish
from gongzhi.wishes.actions.claims import do_fulfil_wish
from gongzhi.wishes.models import Wish, WishEvent, WishSettings, WishStatus
from tests.serviceloop.world import World
from tests.wishes.helpers import actor, claimed, fulfilled, photos, post

pytestmark = pytest.mark.django_db


def test_the_resident_confirms_with_the_token_and_the_service_is_recorded_once(world: World) -> None:
    # given a wish fulfilled by 吴敏
    wish, token = fulfilled(world, "wu")
    # when the resident confirms with the token of their link
    do_confirm_wish(actor=Actor(ticket_token=token), wish_id=wish.pk)
    # then the wish is completed, and one service record credits her the configured hours
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONFIRMED and wish.confirmed_by_resident and wish.confirmed_by is None
    record = ServiceRecord.objects.get(kind=ServiceKind.WISH, source_id=wish.pk)
    assert record.volunteer == world.volunteers["wu"] and record.unit is None
    assert record.community == world.community and record.hours == Decimal("1.00")
    assert wish.fulfilled_at is not None and record.served_on == timezone.localdate(wish.fulfilled_at)
    assert record.summary == wish.title
    # and points are credited to her account by the ledger's earning rule
    account = PointAccount.objects.get(volunteer=world.volunteers["wu"])
    assert account.balance > 0
    assert sum(e.amount for e in PointEntry.objects.filter(account=account)) == account.balance
    # confirming again is a conflict and pays nothing twice
    with pytest.raises(Conflict):
        do_confirm_wish(actor=Actor(ticket_token=token), wish_id=wish.pk)
    assert ServiceRecord.objects.filter(source_id=wish.pk).count() == 1
    account.refresh_from_db()
    assert sum(e.amount for e in PointEntry.objects.filter(account=account)) == account.balance


def test_a_wrong_token_is_as_missing_and_changes_nothing(world: World) -> None:
    wish, _token = fulfilled(world)
    with pytest.raises(NotFound):
        do_confirm_wish(actor=Actor(ticket_token="wrong-token-123"), wish_id=wish.pk)
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED and ServiceRecord.objects.count() == 0


def test_the_grid_worker_confirms_for_the_resident_they_posted_for(world: World) -> None:
    posted = do_post_wish(
        actor=actor(world, "grid"),
        draft=WishDraft(title="想学用智能手机", category_code="EDU02", person_id=world.resident().pk),
    )
    do_claim_wish(actor=actor(world, "wu"), wish_id=posted.wish.pk)
    do_fulfil_wish(actor=actor(world, "wu"), wish_id=posted.wish.pk, note="教会了", photos=photos())
    # a participant may not confirm, even the claimant; an outsider does not even see it
    for key in ("zhao", "wu"):
        with pytest.raises(PermissionDenied):
            do_confirm_wish(actor=actor(world, key), wish_id=posted.wish.pk)
    with pytest.raises(NotFound):
        do_confirm_wish(actor=actor(world, "sun"), wish_id=posted.wish.pk)
    assert ServiceRecord.objects.count() == 0
    do_confirm_wish(actor=actor(world, "grid"), wish_id=posted.wish.pk, note="电话回访，居民满意")
    wish = Wish.objects.get(pk=posted.wish.pk)
    assert wish.status == WishStatus.CONFIRMED and wish.confirmed_by == world.user("grid")
    assert not wish.confirmed_by_resident
    assert ServiceRecord.objects.filter(source_id=wish.pk, volunteer=world.volunteers["wu"]).count() == 1


def test_roles_that_only_view_cannot_confirm(world: World) -> None:
    wish, _token = fulfilled(world)
    with pytest.raises(PermissionDenied):
        do_confirm_wish(actor=actor(world, "leader"), wish_id=wish.pk)
    with pytest.raises(NotFound):
        do_confirm_wish(actor=actor(world, "dept"), wish_id=wish.pk)
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED


def test_a_confirm_before_fulfilment_is_a_conflict(world: World) -> None:
    wish, token = claimed(world)
    with pytest.raises(Conflict):
        do_confirm_wish(actor=Actor(ticket_token=token), wish_id=wish.pk)
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED


def test_a_units_wish_credits_the_unit(world: World) -> None:
    wish, token = post(world)
    assert world.unit is not None
    do_claim_wish(actor=actor(world, "li"), wish_id=wish.pk, unit_id=world.unit.pk)
    do_fulfil_wish(actor=actor(world, "li"), wish_id=wish.pk, note="单位派人完成", photos=photos())
    do_confirm_wish(actor=Actor(ticket_token=token), wish_id=wish.pk)
    record = ServiceRecord.objects.get(source_id=wish.pk)
    assert record.unit == world.unit and record.volunteer is None


def test_hours_credited_follow_the_settings(world: World) -> None:
    settings = WishSettings.load()
    settings.hours_per_wish = Decimal("2.5")
    settings.save()
    wish, token = fulfilled(world)
    do_confirm_wish(actor=Actor(ticket_token=token), wish_id=wish.pk)
    assert ServiceRecord.objects.get(source_id=wish.pk).hours == Decimal("2.50")


def test_the_resident_or_staff_cancel_an_unfulfilled_wish(world: World) -> None:
    wish, token = post(world)
    with pytest.raises(DomainError):
        do_cancel_wish(actor=Actor(ticket_token=token), wish_id=wish.pk, reason="")
    with pytest.raises(PermissionDenied):
        do_cancel_wish(actor=actor(world, "leader"), wish_id=wish.pk, reason="不需要了")
    do_cancel_wish(actor=Actor(ticket_token=token), wish_id=wish.pk, reason="不需要了")
    wish.refresh_from_db()
    assert wish.status == WishStatus.CANCELLED and wish.closed_reason == "不需要了"
    claimed_wish, _token = claimed(world)
    do_cancel_wish(actor=actor(world, "community"), wish_id=claimed_wish.pk, reason="居民已搬走")
    claimed_wish.refresh_from_db()
    assert claimed_wish.status == WishStatus.CANCELLED
    with pytest.raises(Conflict):
        do_cancel_wish(actor=actor(world, "community"), wish_id=claimed_wish.pk, reason="再撤一次")
    assert WishEvent.objects.filter(kind="cancel").count() == 2
