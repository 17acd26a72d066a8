"""Races on PostgreSQL: ten members claim one wish at the same moment; exactly one wins."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.core.errors import Conflict
from gongzhi.wishes.actions import Actor, do_claim_wish
from gongzhi.wishes.models import Wish, WishEvent, WishStatus
from tests.races import race
from tests.serviceloop.world import World
from tests.wishes.helpers import post

# Real commits are needed for the threads to see the wish. The flush afterwards empties the seeded
# need classes and earning rules too; the `world` fixture puts them back for whoever needs them.
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises the whole database)"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_ten_concurrent_claims_of_one_wish_exactly_one_succeeds(world: World) -> None:
    # given one open wish and ten claims at once by the members who may claim it (wu, zhao, wang, li ...)
    wish, _token = post(world)
    keys = ["wu", "zhao", "wang", "li", "wu", "zhao", "wang", "li", "wu", "zhao"]
    actors = [Actor(user=world.user(k)) for k in keys]
    # when all ten claim at the same moment
    wins, errors = race([lambda a=a: do_claim_wish(actor=a, wish_id=wish.pk) for a in actors])  # type: ignore[misc]
    # then exactly one wins; the nine others are told it was claimed, and one claim is on the timeline
    assert wins == 1, errors
    assert len(errors) == 9 and all(isinstance(e, Conflict) for e in errors), errors
    assert {e.items[0].code for e in errors if isinstance(e, Conflict)} == {"conflict"}
    wish = Wish.objects.get(pk=wish.pk)
    assert wish.status == WishStatus.CLAIMED and wish.claimant_volunteer is not None
    assert WishEvent.objects.filter(wish=wish, kind="claim").count() == 1
