"""The wish sweep: unclaimed too long → the street board and the matched people; much longer → expired."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from gongzhi.cases.models import Notification
from gongzhi.volunteers.models import Volunteer
from gongzhi.wishes.access import participant_of
from gongzhi.wishes.actions import do_claim_wish, do_escalate_stale_wishes
from gongzhi.wishes.models import BoardLevel, Wish, WishEvent, WishSettings, WishStatus
from gongzhi.wishes.selectors import board
from tests.serviceloop.world import World
from tests.wishes.helpers import actor, post

pytestmark = pytest.mark.django_db


def _age(wish: Wish, hours: float) -> None:
    Wish.objects.filter(pk=wish.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))


def _xinyao_volunteer(world: World) -> Volunteer:
    """A volunteer of 新尧社区: same street (尧化街道) as the wish, another community."""
    person = world.people.places["grid3"].residents[0]
    user = User.objects.create_user(username="liu", password="x")
    community = world.people.tree.community2
    return Volunteer.objects.create(person=person, user=user, community=community, region_code=community.code)


def test_a_wish_unclaimed_past_the_setting_goes_to_the_street_board(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    # given a wish unclaimed for 73 hours (the default limit is 72) and one posted just now
    stale, _t = post(world, title="修水管")
    fresh, _t = post(world, title="新心愿")
    _age(stale, 73)
    liu = _xinyao_volunteer(world)
    assert liu.user is not None
    assert stale not in board(participant_of(liu.user))
    # when the sweep runs
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        result = do_escalate_stale_wishes()
    # then only the stale one is pushed to the street, with a timeline row
    assert result.escalated == 1 and result.expired == 0
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.board_level == BoardLevel.STREET and stale.escalated_at is not None
    assert fresh.board_level == BoardLevel.COMMUNITY
    assert WishEvent.objects.filter(wish=stale, kind="escalate").count() == 1
    # the street office and the matched people (FIX skills serving in the street: 王建国, 赵建国) are told
    told = set(Notification.objects.filter(kind="wish_escalated").values_list("user__username", flat=True))
    assert {"street", "wang", "zhao"} <= told
    assert "sun" not in told and "wu" not in told  # no FIX skill / not in the street
    # a volunteer of another community of the street now sees it on their board, and may claim it
    assert stale in board(participant_of(liu.user))
    do_claim_wish(actor=actor(world, "liu"), wish_id=stale.pk)
    stale.refresh_from_db()
    assert stale.claimant_volunteer == liu
    # a second pass does nothing more
    assert do_escalate_stale_wishes().escalated == 0


def test_the_limit_is_configurable(world: World) -> None:
    settings = WishSettings.load()
    settings.escalate_after_hours = 2
    settings.save()
    wish, _t = post(world)
    _age(wish, 3)
    assert do_escalate_stale_wishes().escalated == 1


def test_claimed_wishes_are_not_pushed_and_very_old_open_ones_expire(world: World) -> None:
    taken, _t = post(world, title="已认领")
    do_claim_wish(actor=actor(world, "wu"), wish_id=taken.pk)
    _age(taken, 24 * 40)
    old, _t = post(world, title="没人理")
    _age(old, 24 * 31)
    result = do_escalate_stale_wishes()
    taken.refresh_from_db()
    old.refresh_from_db()
    assert taken.board_level == BoardLevel.COMMUNITY and taken.status == WishStatus.CLAIMED
    assert old.status == WishStatus.EXPIRED and result.expired == 1
    assert WishEvent.objects.filter(wish=old, kind="expire").count() == 1


def test_the_command_runs_one_pass(world: World) -> None:
    wish, _t = post(world)
    _age(wish, 100)
    out = StringIO()
    call_command("escalate_wishes", stdout=out)
    wish.refresh_from_db()
    assert wish.board_level == BoardLevel.STREET
    assert "escalated=1" in out.getvalue()
