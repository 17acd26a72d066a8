"""Excel export: masked values only, cut to the export scope, and on the audit trail."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from openpyxl import load_workbook

from gongzhi.core.models import AuditEvent, Role
from gongzhi.people.exports import EXPORT_COLUMNS, export_people_xlsx
from gongzhi.people.models import Person
from gongzhi.people.selectors import people_for
from tests.people.conftest import PeopleTree

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def raw_text(content: bytes) -> str:
    """Every XML part of the workbook, so nothing hides in shared strings or metadata."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_a_community_exports_its_people_masked(people_tree: PeopleTree) -> None:
    staff = people_tree.users[Role.COMMUNITY_STAFF]
    people = people_for(staff).order_by("region_code", "name", "id")

    content = export_people_xlsx(staff, people, description="网格=全部")

    rows = sheet_rows(content)
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) - 1 == people.count() == 6  # two grids of three
    ids = [r[3] for r in rows[1:]]
    phones = [r[4] for r in rows[1:]]
    assert all(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", str(v)) for v in ids)
    assert all(re.fullmatch(r"1\d{2}\*{4}\d{4}", str(v)) for v in phones)
    text = raw_text(content)
    assert not [v for v in people_tree.all_plaintext() if v in text]
    event = AuditEvent.objects.get(action="people.export")
    assert event.changes == {"count": 6, "filter": "网格=全部"} and event.actor == staff


def test_labels_are_chinese_whatever_the_users_language(people_tree: PeopleTree) -> None:
    staff = people_tree.users[Role.COMMUNITY_STAFF]

    with translation.override("en"):
        content = export_people_xlsx(staff, people_for(staff).filter(household_relation="head"))

    row = sheet_rows(content)[1]
    assert row[1] == "男" and row[9] == "户主" and row[10] == "户籍人口" and row[11] == "在册"


def test_the_export_is_cut_to_the_export_scope_whatever_the_caller_passes(people_tree: PeopleTree) -> None:
    leader = people_tree.users[Role.DISTRICT_LEADER]

    content = export_people_xlsx(leader, Person.objects.all())

    grids = {str(r[5]) for r in sheet_rows(content)[1:]}
    assert grids and all(g.startswith("320113") for g in grids)  # 雨花台区 (320114) stays out
    assert (
        AuditEvent.objects.get(action="people.export").changes["count"]
        == Person.objects.filter(region_code__startswith="320113").count()
    )


@pytest.mark.parametrize(
    "role", [Role.GRID_WORKER, Role.CITY_LEADER, Role.DEPARTMENT_STAFF, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN]
)
def test_roles_without_the_right_cannot_export(people_tree: PeopleTree, role: str) -> None:
    user = people_tree.users[role]
    before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        export_people_xlsx(user, people_for(user))

    assert AuditEvent.objects.count() == before


def test_an_empty_export_is_still_audited(people_tree: PeopleTree) -> None:
    staff = people_tree.users[Role.COMMUNITY_SECRETARY]

    content = export_people_xlsx(staff, people_for(staff).none(), description="姓名含 不存在")

    assert sheet_rows(content) == [EXPORT_COLUMNS]
    assert AuditEvent.objects.get(action="people.export").changes["count"] == 0
