"""Races on PostgreSQL: the campaign's send button pressed four times at once invites each volunteer once."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.core.models import AuditEvent
from gongzhi.wishes.actions import Actor, WishDraft, do_post_wish, do_send_invitations
from gongzhi.wishes.models import WishEvent
from tests.races import race
from tests.serviceloop.world import World

# Real commits are needed for the threads to see the wishes. The flush afterwards empties the seeded
# need classes and earning rules too; the `world` fixture puts them back for whoever needs them.
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises the whole database)"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_four_concurrent_sends_of_one_campaign_invite_each_volunteer_once(world: World) -> None:
    # given two open wishes and the proposal's pairs
    staff = Actor(user=world.user("community"))
    wishes = [
        do_post_wish(
            actor=staff, draft=WishDraft(title=title, category_code="FIX02", person_id=world.resident().pk)
        ).wish
        for title in ("想请人修水龙头", "想请人换灯泡")
    ]
    pairs = [(wishes[0].pk, world.volunteers["wang"].pk), (wishes[1].pk, world.volunteers["zhao"].pk)]
    # when the send button is pressed four times at the same moment
    wins, errors = race([lambda: do_send_invitations(actor=staff, pairs=pairs) for _ in range(4)])
    # then every press succeeds, and each volunteer was invited once
    assert wins == 4, errors
    assert WishEvent.objects.filter(kind="invite").count() == 2
    assert AuditEvent.objects.filter(action="wish.invite").count() == 2
