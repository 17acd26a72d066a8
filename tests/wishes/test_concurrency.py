"""Races on PostgreSQL: ten members claim one wish at the same moment; exactly one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from gongzhi.core.errors import Conflict
from gongzhi.wishes.actions import Actor, do_claim_wish
from gongzhi.wishes.models import Wish, WishEvent, WishStatus
from tests.serviceloop.world import World
from tests.wishes.helpers import post

# Real commits are needed for the threads to see the wish; the serialized rollback puts the seeded
# taxonomy and earning rules back after the flush, for the tests that run after this one.
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises the whole database)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(calls: list[Callable[[], object]]) -> tuple[int, list[Exception]]:
    barrier = threading.Barrier(len(calls))
    wins: list[int] = []
    errors: list[Exception] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
            wins.append(1)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(wins), errors


def test_ten_concurrent_claims_of_one_wish_exactly_one_succeeds(world: World) -> None:
    # given one open wish and ten claims at once by the members who may claim it (wu, zhao, wang, li ...)
    wish, _token = post(world)
    keys = ["wu", "zhao", "wang", "li", "wu", "zhao", "wang", "li", "wu", "zhao"]
    actors = [Actor(user=world.user(k)) for k in keys]
    # when all ten claim at the same moment
    wins, errors = _race([lambda a=a: do_claim_wish(actor=a, wish_id=wish.pk) for a in actors])  # type: ignore[misc]
    # then exactly one wins; the nine others are told it was claimed, and one claim is on the timeline
    assert wins == 1, errors
    assert len(errors) == 9 and all(isinstance(e, Conflict) for e in errors), errors
    assert {e.items[0].code for e in errors if isinstance(e, Conflict)} == {"conflict"}
    wish = Wish.objects.get(pk=wish.pk)
    assert wish.status == WishStatus.CLAIMED and wish.claimant_volunteer is not None
    assert WishEvent.objects.filter(wish=wish, kind="claim").count() == 1
