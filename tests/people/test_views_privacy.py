"""No plaintext ID number or phone in any page or API response, short of a reasoned 「查看」.

For every role, a small crawler opens every page it can reach from the navigation (following the
links the pages themselves offer, so a new page is covered the day it is linked), every API list
and every object the API lists, the Excel export and the import template, and searches by
number — then looks for each of the fixture's seeded ID numbers and phones in every body, in both
the compact and the spaced forms people write them in. The only answers allowed to carry a full
value are the 「查看」 POSTs, which these tests never send (the action tests cover them).
"""

from __future__ import annotations

import io
import json
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongzhi.core.capabilities import CAPABILITIES, Cap
from gongzhi.core.models import Role
from tests.core.signin import force_login_verified
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
# Links not to follow: they change state, leave the app, or are someone else's pages entirely.
SKIP = re.compile(r"/accounts/|/admin/|/i18n/|/static/|/api/docs|/api/schema|/audit/|[?&]cancel=|/export/")
LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
PAGE_LIMIT = 400


def _forms(value: str) -> set[str]:
    """The seeded value as it might be printed: compact, or grouped with spaces (3-4-4, 6-8-4)."""
    forms = {value}
    if len(value) == 11:
        forms.add(f"{value[:3]} {value[3:7]} {value[7:]}")
    if len(value) == 18:
        forms.add(f"{value[:6]} {value[6:14]} {value[14:]}")
    return forms


def _text(response: Any) -> str:
    kind = response.get("Content-Type", "")
    if kind.startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return str(response.content.decode())


def _crawl(client: Client) -> Iterator[tuple[str, Any]]:
    queue: deque[str] = deque(START)
    seen: set[str] = set(START)
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.popleft()
        response = client.get(url)
        yield url, response
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link not in seen and not SKIP.search(link):
                seen.add(link)
                queue.append(link)


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
    secrets = {form: value for value in people_tree.all_plaintext() for form in _forms(value)}
    # Unit liaison phones are personal numbers too.
    secrets.update({f"1370000{i:04d}": "liaison" for i in range(1, 60)})

    leaks: list[tuple[str, str]] = []
    visited = 0
    for url, response in [*_crawl(client), *_api(client), *_searches(client, people_tree)]:
        visited += 1
        text = _text(response)
        leaks.extend((url, form) for form in secrets if form in text)

    assert not leaks, f"plaintext numbers in responses for {role}: {leaks[:10]}"
    if Cap.PEOPLE_VIEW in CAPABILITIES[role]:
        assert visited > 40, f"the crawl for {role} reached only {visited} pages"  # it really looked
