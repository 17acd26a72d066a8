"""No plaintext ID number or phone anywhere at rest: not in any column of any table, not in the audit
trail, not in the SQL sent to the database, not in logs, not in exported files.

People are created through every write path (actions, import, updates, unmasking, export, search), then
every row of every table is read raw with a cursor and searched for the seeded values.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.models import AuditEvent, Role
from gongzhi.people import actions
from gongzhi.people.exports import export_people_xlsx
from gongzhi.people.imports import COLUMNS, import_people
from gongzhi.people.selectors import people_for, search_people
from tests.people.conftest import PeopleTree, make_id_number

pytestmark = pytest.mark.django_db

IMPORTED = [
    (make_id_number("340102", dt.date(1988, 8, 8), 51), "17712345601"),
    (make_id_number("320124", dt.date(1961, 1, 31), 62), "18812345602"),
]


def every_stored_value() -> Iterator[tuple[str, str]]:
    """(table, value) for every non-null value in every table the project's models map to."""
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from models
            for row in cursor.fetchall():
                for value in row:
                    if value is not None:
                        yield table, value if isinstance(value, str) else str(value)


def variants(value: str) -> list[str]:
    """The value and the forms it could hide in: a 15-digit body, a phone without its prefix."""
    return [value, value[:17]] if len(value) == 18 else [value, value[3:]]


@pytest.fixture
def secrets_at_rest(people_tree: PeopleTree) -> list[str]:
    values = people_tree.all_plaintext() + [v for pair in IMPORTED for v in pair]
    return [v for value in values for v in variants(value)]


def _exercise_every_path(tree: PeopleTree) -> bytes:
    secretary = tree.users[Role.COMMUNITY_SECRETARY]
    person = tree.place("grid1").resident
    actions.do_update_person(actor=secretary, person=person, phone="19912345603")
    actions.do_unmask_person_field(actor=secretary, person=person, field="id_number", reason="核实身份")
    actions.do_unmask_person_field(actor=secretary, person=person, field="phone", reason="电话回访")
    actions.do_unmask_unit_liaison_phone(actor=secretary, unit=tree.place("grid1").unit, reason="联系共建")
    rows = [
        dict(zip(COLUMNS, [f"导入{i}", id_number, phone, tree.tree.grid2.code, "", "", "", "户主", ""], strict=True))
        for i, (id_number, phone) in enumerate(IMPORTED)
    ]
    assert import_people(actor=secretary, community=tree.tree.community, rows=rows).ok
    for id_number, phone in IMPORTED:
        assert search_people(secretary, id_number).count() == 1
        assert search_people(secretary, phone).count() == 1
    return export_people_xlsx(secretary, people_for(secretary))


def test_no_plaintext_in_any_table_the_sql_the_logs_or_the_export(
    people_tree: PeopleTree, secrets_at_rest: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = [*secrets_at_rest, "19912345603"]

    # When people are written, updated, unmasked, imported, searched and exported
    with CaptureQueriesContext(connection) as queries:
        exported = _exercise_every_path(people_tree)

    # Then no table holds a plaintext value in any column
    leaks = [(table, s) for table, value in every_stored_value() for s in secrets if s in value]
    assert not leaks, leaks[:5]
    # And the audit trail, which records all of it, holds only masks
    assert AuditEvent.objects.filter(action="pii.unmask").count() == 3
    audit_text = " ".join(str(e.changes) + e.object_repr for e in AuditEvent.objects.all())
    assert not [s for s in secrets if s in audit_text]
    # And no SQL statement carried one (searches go by digest, writes by ciphertext)
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert not [s for s in secrets if s in sql]
    # And neither did any log record, nor the exported workbook
    assert not [s for s in secrets if s in caplog.text]
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        workbook = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert not [s for s in secrets if s in workbook]


def test_the_scan_would_notice_a_leak(people_tree: PeopleTree, secrets_at_rest: list[str]) -> None:
    # Guard against a scan that finds nothing because it reads nothing: plant one plaintext value.
    person = people_tree.place("grid2").resident
    planted = people_tree.plaintext[person.pk][1]
    type(person).objects.filter(pk=person.pk).update(name=f"张{planted}")

    leaks = {table for table, value in every_stored_value() for s in secrets_at_rest if s in value}

    assert leaks == {"people_person"}
