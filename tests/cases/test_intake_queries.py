"""Intake's database round trips, counted: at hundreds of reports a second each one is felt.

A new report through the REST API, once the process's reference data is warm, reads what only the
database knows (recent open cases nearby, for the duplicate warning) and writes the case, its
timeline row, its audit row and the office's inbox rows in one transaction. A replay of the same
key costs the refused insert and one read of the case it answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.cases.actions.config import do_create_api_client
from gongzhi.cases.models import Case, CaseEvent, Notification
from gongzhi.core.models import AuditEvent
from tests.cases.conftest import GRID1_POINT, Loop

API = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _report(n: int, category: str = "BJ0103") -> dict[str, Any]:
    return {
        "title": "路灯不亮",
        "description": f"小区门口第{n}根路灯坏了一个多月，晚上一片漆黑。",
        "category": category,
        "lon": GRID1_POINT[0] + n * 0.0002,
        "lat": GRID1_POINT[1],
    }


def _post(app: Client, key: str, n: int, idempotency: str, category: str = "BJ0103") -> Any:
    return app.post(
        API,
        _report(n, category),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"ApiKey {key}",
        HTTP_IDEMPOTENCY_KEY=idempotency,
    )


def _writes_and_reads(queries: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    sql = [q["sql"].lstrip().upper() for q in queries]
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")
    statements = [s for s in sql if not s.startswith(skip)]
    return [s for s in statements if s.startswith("INSERT")], [s for s in statements if s.startswith("SELECT")]


def test_a_new_report_reads_once_and_writes_four_rows_kinds(loop: Loop) -> None:
    # given an API client whose reference data this process has already read once
    _client, key = do_create_api_client(actor=loop.actor("sysadmin"), name="市民通", region_code="320113")
    app = Client()
    assert _post(app, key, 0, "warm-0", category="SJ0302").status_code == 201
    # when another report arrives
    with CaptureQueriesContext(connection) as captured:
        answer = _post(app, key, 1, "k-1")
    # then it is filed with one read (open cases of its category nearby: none) and one insert per kind of row
    assert answer.status_code == 201
    inserts, selects = _writes_and_reads(captured.captured_queries)
    assert len(selects) == 1 and "CASES_CASE" in selects[0], selects
    tables = sorted(s.split()[2].strip('"').lower() for s in inserts)
    assert tables == ["cases_case", "cases_caseevent", "cases_notification", "core_auditevent"], tables
    case = Case.objects.get(number=answer.json()["number"])
    assert CaseEvent.objects.filter(case=case, action="file").count() == 1
    assert AuditEvent.objects.filter(action="case.file", object_id=str(case.pk)).count() == 1
    assert Notification.objects.filter(case=case, kind="new_case").exists()


def test_a_replay_answers_the_filed_case_without_writing(loop: Loop) -> None:
    # given a report already filed under a key
    _client, key = do_create_api_client(actor=loop.actor("sysadmin"), name="市民通", region_code="320113")
    app = Client()
    first = _post(app, key, 0, "same-key")
    cases, events, audit = Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()
    # when the same key arrives again
    again = _post(app, key, 0, "same-key")
    # then it answers the same case, and nothing new is stored
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()) == (cases, events, audit)


def test_a_probable_duplicate_costs_one_read_more(loop: Loop) -> None:
    # given an open report of a broken street lamp
    _client, key = do_create_api_client(actor=loop.actor("sysadmin"), name="市民通", region_code="320113")
    app = Client()
    first = _post(app, key, 0, "lamp-0")
    # when a neighbour reports the same lamp twenty metres away
    with CaptureQueriesContext(connection) as captured:
        second = _post(app, key, 1, "lamp-1")
    # then the new case points at the first as its probable duplicate, read with one query more
    _inserts, selects = _writes_and_reads(captured.captured_queries)
    assert len(selects) == 2, selects
    assert second.json()["duplicate_candidate"] == first.json()["number"]
