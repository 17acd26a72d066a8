"""No plaintext ID number or phone in any page or API response, short of a reasoned 「查看」.

For every role, a small crawler opens every page it can reach from the navigation (following the
links the pages themselves offer, so a new page is covered the day it is linked), every API list
and every object the API lists, the Excel export and the import template, and searches by
number — then looks for each of the fixture's seeded ID numbers and phones in every body, in both
the compact and the spaced forms people write them in. The only answers allowed to carry a full
value are the 「查看」 POSTs, which these tests never send (the action tests cover them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from gongzhi.core.capabilities import CAPABILITIES, Cap
from gongzhi.core.models import Role
from tests.core.signin import force_login_verified
from tests.crawl import crawl, number_forms, text_of
from tests.people.conftest import PeopleTree

pytestmark = pytest.mark.django_db

START = [
    "/",
    "/people/",
    "/people/add/",
    "/people/import/",
    "/party-organizations/",
    "/party-members/",
    "/units/",
    "/units/add/",
    "/departments/",
    "/departments/add/",
    "/regions/",
    "/search/?q=网格",
]
API_LISTS = [
    "/api/v1/people/",
    "/api/v1/party-organizations/",
    "/api/v1/party-members/",
    "/api/v1/units/",
    "/api/v1/departments/",
    "/api/v1/regions/",
    "/api/v1/buildings/",
]


def _api(client: Client) -> Iterator[tuple[str, Any]]:
    for url in API_LISTS:
        response = client.get(url, {"limit": 1000})
        yield url, response
        if response.status_code != 200:
            continue
        for item in response.json().get("results", []):
            detail = item.get("url", "")
            if detail:
                path = re.sub(r"^https?://[^/]+", "", detail)
                yield path, client.get(path)


def _searches(client: Client, tree: PeopleTree) -> Iterator[tuple[str, Any]]:
    """Searching *by* a number must not echo it back, on the page or in the API."""
    for id_number, phone in list(tree.plaintext.values())[:4]:
        for q in (id_number, phone):
            yield f"POST /people/ q={q}", client.post("/people/", {"q": q})
            yield (
                f"POST /api/v1/people/search/ q={q}",
                client.post("/api/v1/people/search/", json.dumps({"q": q}), content_type="application/json"),
            )
    yield "POST /people/export/", client.post("/people/export/", {})


@pytest.mark.parametrize("role", [str(r) for r in Role])
def test_no_response_carries_a_plaintext_number(people_tree: PeopleTree, role: str) -> None:
    client = force_login_verified(Client(), people_tree.users[role])
    secrets = {form: value for value in people_tree.all_plaintext() for form in number_forms(value)}
    # Unit liaison phones are personal numbers too.
    secrets.update({f"1370000{i:04d}": "liaison" for i in range(1, 60)})

    leaks: list[tuple[str, str]] = []
    visited = 0
    for url, response in [*crawl(client, START), *_api(client), *_searches(client, people_tree)]:
        visited += 1
        text = text_of(response)
        leaks.extend((url, form) for form in secrets if form in text)

    assert not leaks, f"plaintext numbers in responses for {role}: {leaks[:10]}"
    if Cap.PEOPLE_VIEW in CAPABILITIES[role]:
        assert visited > 40, f"the crawl for {role} reached only {visited} pages"  # it really looked
