"""Every role against the service loop's staff pages: the answer is derived from the capability table.

A role that holds the page's capability opens it (200); any other role is refused (403) — never a
crash, never an empty page that pretends to be allowed. Participants (no staff role) are refused
the staff pages too. The finer rules (which object, which party) are each app's own tests.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Role
from tests.core.signin import force_login_verified
from tests.people.conftest import USERNAMES
from tests.serviceloop.world import World

pytestmark = pytest.mark.django_db

# (page, the capability it needs)
PAGES: tuple[tuple[str, Cap], ...] = (
    ("/wishes/", Cap.SERVICES_VIEW),
    ("/wishes/new/", Cap.SERVICES_REPORT),
    ("/services/orders/", Cap.SERVICES_MANAGE),
    ("/services/orders/new/", Cap.SERVICES_MANAGE),
    ("/services/orders/queue/", Cap.SERVICES_ALLIANCE),
    ("/services/projects/new/", Cap.SERVICES_MANAGE),
    ("/volunteers/", Cap.SERVICES_VIEW),
    ("/volunteers/add/", Cap.SERVICES_MANAGE),
    ("/teams/", Cap.SERVICES_VIEW),
    ("/teams/add/", Cap.SERVICES_MANAGE),
    ("/registrations/", Cap.SERVICES_VIEW),
    ("/registrations/compliance/", Cap.SERVICES_VIEW),
    ("/registrations/hours/", Cap.SERVICES_VIEW),
    ("/registrations/meetings/", Cap.SERVICES_VIEW),
    ("/points/accounts/", Cap.SERVICES_VIEW),
    ("/points/rules/", Cap.SERVICES_CONFIG),
)
ROLES = tuple(Role)


def _client(username: str) -> Client:
    """Signed in past the second-factor gate the administrators have, like the people matrix."""
    return force_login_verified(Client(), User.objects.get(username=username))


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_each_role_gets_what_the_capability_table_gives(world: World, role: Role) -> None:
    username = USERNAMES[role]
    client = _client(username)
    allowed = capabilities_of(role)
    answers = {url: client.get(url).status_code for url, _cap in PAGES}
    expected = {url: (200 if cap in allowed else 403) for url, cap in PAGES}
    assert answers == expected


def test_participants_are_refused_every_staff_page(world: World) -> None:
    client = _client("wu")
    refused = {url: client.get(url).status_code for url, _cap in PAGES}
    assert set(refused.values()) <= {403, 404}, refused


def test_every_service_capability_is_exercised() -> None:
    used = {cap for _url, cap in PAGES}
    assert {c for c in Cap if c.value.startswith("services.")} == used
