"""No plaintext ID number or phone on any service-loop page, for any role or participant.

The service loop's pages (wishes and the board, services and orders, volunteers and teams, 双报到,
points, 我的服务) are crawled for every staff role and for three participants, following the links
the pages offer, after a wish has been posted (with the resident's phone), claimed and fulfilled.
Every body is searched for every seeded ID number and phone (compact and spaced) and for the wishing
resident's phone; participants must not see the resident's full name either (the board masks it).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Role
from tests.core.signin import force_login_verified
from tests.crawl import crawl, number_forms, text_of
from tests.people.conftest import USERNAMES
from tests.serviceloop.world import World
from tests.wishes.helpers import RESIDENT_NAME, RESIDENT_PHONE, actor, photos, post

pytestmark = pytest.mark.django_db

START = [
    "/",
    "/serve/",
    "/wishes/",
    "/wishes/board/",
    "/wishes/mine/",
    "/services/",
    "/services/orders/",
    "/services/orders/queue/",
    "/services/inbox/",
    "/services/campaign/",
    "/volunteers/",
    "/volunteers/me/",
    "/teams/",
    "/activities/",
    "/registrations/",
    "/registrations/compliance/",
    "/registrations/hours/",
    "/registrations/duty/",
    "/registrations/meetings/",
    "/registrations/mine/",
    "/points/me/",
    "/points/stations/",
    "/points/accounts/",
    "/points/rules/",
]
PARTICIPANTS = ("wang", "wu", "li")
WHO = [str(r) for r in Role] + list(PARTICIPANTS)


def _with_a_wish_in_every_state(world: World) -> None:
    from gongzhi.wishes.actions import do_claim_wish, do_fulfil_wish

    post(world, title="想请人陪老人去医院", code="ELD01")
    claimed, _token = post(world, title="家里灯泡坏了想请人换", code="FIX02")
    do_claim_wish(actor=actor(world, "wu"), wish_id=claimed.pk)
    done, _token = post(world, title="想请人帮忙修水龙头", code="FIX02")
    do_claim_wish(actor=actor(world, "wang"), wish_id=done.pk)
    do_fulfil_wish(actor=actor(world, "wang"), wish_id=done.pk, note="已换好水龙头", photos=photos())


@pytest.mark.parametrize("who", WHO)
def test_no_service_page_carries_a_plaintext_number(world: World, who: str) -> None:
    # given a wish posted, one claimed and one fulfilled, and someone signed in
    _with_a_wish_in_every_state(world)
    username = who if who in PARTICIPANTS else USERNAMES[Role(who)]
    client = force_login_verified(Client(), User.objects.get(username=username))
    secrets = {form: "number" for value in world.people.all_plaintext() for form in number_forms(value)}
    secrets.update(dict.fromkeys(number_forms(RESIDENT_PHONE), "wishing resident's phone"))
    if who in PARTICIPANTS:
        secrets[RESIDENT_NAME] = "wishing resident's full name"
    # when every page reachable from the service loop's entries is opened
    leaks: list[tuple[str, str]] = []
    opened = 0
    for url, response in crawl(client, START):
        opened += response.status_code == 200
        text = text_of(response)
        leaks.extend((url, secrets[form]) for form in secrets if form in text)
    # then none shows a number (or, to a participant, the resident's name) in full
    assert not leaks, f"plaintext in service pages for {who}: {leaks[:10]}"
    if who in PARTICIPANTS or Cap.SERVICES_VIEW in capabilities_of(Role(who)):
        assert opened >= 10, f"the crawl for {who} opened only {opened} pages"  # it really looked
