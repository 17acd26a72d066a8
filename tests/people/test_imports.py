"""Excel import: every bad row reported with its row, column and reason; nothing written until all are good."""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections.abc import Sequence

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.models import AuditEvent, Role
from gongzhi.people.imports import (
    BUILDING,
    COLUMNS,
    GRID,
    ID_NUMBER,
    NAME,
    PHONE,
    RELATION,
    RESIDENCE,
    ROOM,
    ImportReport,
    import_people,
    read_people_xlsx,
    template_xlsx,
)
from gongzhi.people.models import Person
from gongzhi.people.validators import id_check_char
from gongzhi.regions.actions import do_create_building
from gongzhi.regions.models import Building
from tests.people.conftest import PeopleTree, make_id_number

pytestmark = pytest.mark.django_db

Row = list[object]
FEB_30 = "32011319900230001" + id_check_char("32011319900230001")  # a valid check character, no such day


def xlsx(rows: Sequence[Row], header: Sequence[str] = COLUMNS) -> io.BytesIO:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员")
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def run(tree: PeopleTree, rows: Sequence[Row], role: str = Role.COMMUNITY_STAFF) -> ImportReport:
    return import_people(
        actor=tree.users[role], community=tree.tree.community, rows=read_people_xlsx(xlsx(rows)), source_name="t.xlsx"
    )


def person_row(n: int, building: Building | None = None, unit: int = 1, room: str = "101") -> Row:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=n * 7 % 25_000)
    id_number = make_id_number("320113", born, n % 1000)
    phone = f"135{n:08d}"
    if building is None:
        return [f"测试{n}", id_number, phone, "320113001001001", "", "", "", "户主", "户籍人口"]
    return [f"测试{n}", id_number, phone, "", building.code, unit, room, "子女", "流动人口"]


# ── small files ───────────────────────────────────────────────────────────────────────────────────


def test_a_good_file_is_imported_in_one_go_with_one_audit_row(people_tree: PeopleTree) -> None:
    building = people_tree.place("grid2").building
    rows = [person_row(1), person_row(2, building, 1, "201"), person_row(3, building, 1, "102")]

    report = run(people_tree, rows)

    assert report.ok and report.created == 3 and report.total == 3
    imported = Person.objects.get(name="测试2")
    assert imported.region_code == people_tree.tree.grid2.code and imported.room is not None
    assert imported.room.number == "201" and imported.residence_type == "migrant"
    assert imported.household_relation == "child"
    event = AuditEvent.objects.get(action="people.import")
    assert event.changes == {"count": 3, "community": "320113001001", "file": "t.xlsx"}
    assert event.actor == people_tree.users[Role.COMMUNITY_STAFF]


def test_the_usual_ways_of_writing_relations_and_types_are_understood(people_tree: PeopleTree) -> None:
    rows = [person_row(n) for n in range(1, 6)]
    for row, relation, residence in zip(
        rows, ["本人", "妻", "儿子", "父亲", "head"], ["户籍", "流动", "", "Migrant resident", "境外人员"], strict=True
    ):
        row[7], row[8] = relation, residence

    report = run(people_tree, rows)

    assert report.ok
    found = dict(Person.objects.filter(name__startswith="测试").values_list("name", "household_relation"))
    assert found == {"测试1": "head", "测试2": "spouse", "测试3": "child", "测试4": "parent", "测试5": "head"}
    assert Person.objects.get(name="测试3").residence_type == "registered"  # blank means registered


def test_a_legacy_id_and_a_missing_phone_are_fine(people_tree: PeopleTree) -> None:
    row = person_row(1)
    row[1], row[2] = "320113560101021", ""

    assert run(people_tree, [row]).ok
    assert Person.objects.get(name="测试1").phone_masked == ""


def test_blank_lines_are_skipped_but_keep_their_row_numbers(people_tree: PeopleTree) -> None:
    bad = person_row(3)
    bad[1] = "320113199001011230"  # wrong check character

    report = run(people_tree, [person_row(1), [None] * 9, ["", " "], bad])

    assert [(e.row, e.column, e.code) for e in report.errors] == [(5, ID_NUMBER, "checksum")]
    assert report.total == 2


def test_starred_and_spaced_headers_are_recognised(people_tree: PeopleTree) -> None:
    header = ["*姓名", "*身份证号 ", "手机号", "网格 编码", *COLUMNS[4:]]

    rows = read_people_xlsx(xlsx([person_row(1)], header))

    assert rows[0][NAME] == "测试1" and rows[0][GRID] == "320113001001001" and rows[0]["_row"] == 2


def test_missing_columns_are_named(people_tree: PeopleTree) -> None:
    with pytest.raises(DomainError) as info:
        read_people_xlsx(xlsx([["张三"]], header=["姓名", "电话"]))

    assert info.value.items[0].code == "missing_columns"
    assert "身份证号" in info.value.items[0].message and "网格编码" in info.value.items[0].message


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(DomainError) as info:
        read_people_xlsx(io.BytesIO(b"name,id\n"))

    assert info.value.items[0].code == "unreadable"


def test_the_template_has_the_columns_and_no_rows() -> None:
    assert read_people_xlsx(io.BytesIO(template_xlsx())) == []


def test_an_empty_file_imports_nothing(people_tree: PeopleTree) -> None:
    report = run(people_tree, [])

    assert not report.ok and report.errors[0].code == "empty"


@pytest.mark.parametrize(
    ("role", "exc"),
    [
        (Role.GRID_WORKER, NotFound),  # sees one grid, not the community as a whole
        (Role.DISTRICT_LEADER, PermissionDenied),
        (Role.STREET_STAFF, PermissionDenied),  # may export and unmask, not import
        (Role.DEPARTMENT_STAFF, NotFound),
        (Role.SYSTEM_ADMIN, NotFound),
    ],
)
def test_roles_without_the_right_import_nothing(people_tree: PeopleTree, role: str, exc: type[Exception]) -> None:
    before = Person.objects.count(), AuditEvent.objects.count()

    with pytest.raises(exc):
        run(people_tree, [person_row(1)], role)

    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_another_communitys_office_cannot_import_here(people_tree: PeopleTree) -> None:
    with pytest.raises(NotFound):
        import_people(
            actor=people_tree.users[Role.COMMUNITY_STAFF],
            community=people_tree.tree.community2,
            rows=[dict(zip(COLUMNS, person_row(1), strict=True))],
        )


# ── 10,000 rows with 50 bad ones ──────────────────────────────────────────────────────────────────


def _big_building(tree: PeopleTree) -> Building:
    return do_create_building(
        actor=None,
        community=tree.tree.community,
        name="大楼",
        lon=118.82,
        lat=32.155,
        floors=30,
        units=4,
        rooms_per_floor=4,
    )


def _good_rows(building: Building, count: int) -> list[Row]:
    rng = random.Random(7)
    rows: list[Row] = []
    for n in range(count):
        if n % 5 == 0:
            rows.append(person_row(10_000 + n))  # a grid, no address
        else:
            floor, slot = rng.randint(1, 30), rng.randint(1, 4)
            rows.append(person_row(10_000 + n, building, rng.randint(1, 4), f"{floor}{slot:02d}"))
    return rows


def _spoil(rows: list[Row], tree: PeopleTree, building: Building) -> dict[int, tuple[str, str]]:
    """Breaks 50 rows in 13 different ways; returns sheet row → (column, code) expected in the report."""
    existing_id = tree.plaintext[tree.place("grid1").resident.pk][0]
    other_building = tree.place("grid3").building.code
    breakers: list[tuple[str, str, object]] = [
        (ID_NUMBER, "checksum", lambda r: r.__setitem__(1, r[1][:17] + ("0" if r[1][17] != "0" else "1"))),
        (
            ID_NUMBER,
            "birth_date",
            lambda r: r.__setitem__(1, FEB_30),
        ),
        (ID_NUMBER, "format", lambda r: r.__setitem__(1, r[1][:16])),
        (ID_NUMBER, "duplicate", lambda r: r.__setitem__(1, existing_id)),
        (ID_NUMBER, "stored_as_number", lambda r: r.__setitem__(1, float(r[1][:17]))),
        (PHONE, "format", lambda r: r.__setitem__(2, "1234567")),
        (NAME, "required", lambda r: r.__setitem__(0, "")),
        (GRID, "unknown_grid", lambda r: (r.__setitem__(3, "320113001002001"), r.__setitem__(4, ""))),
        (BUILDING, "unknown_building", lambda r: r.__setitem__(4, other_building)),
        (ROOM, "unknown_room", lambda r: (r.__setitem__(4, building.code), r.__setitem__(6, "9999"))),
        (
            GRID,
            "grid_mismatch",
            lambda r: (
                r.__setitem__(3, "320113001001002"),
                r.__setitem__(4, building.code),
                r.__setitem__(5, 1),
                r.__setitem__(6, "101"),
            ),
        ),
        (RELATION, "invalid_choice", lambda r: r.__setitem__(7, "表哥")),
        (RESIDENCE, "invalid_choice", lambda r: r.__setitem__(8, "游客")),
    ]
    expected: dict[int, tuple[str, str]] = {}
    for k in range(50):
        index = 150 + k * 193  # spread through the file
        column, code, breaker = breakers[k % len(breakers)]
        assert callable(breaker)
        breaker(rows[index])
        expected[index + 2] = (column, code)  # +1 for the header, +1 because sheets count from 1
    # A duplicate within the file: row `index` repeats the ID number of the row before it.
    return expected


@pytest.mark.slow
def test_ten_thousand_rows_with_fifty_bad_ones_then_fixed(people_tree: PeopleTree) -> None:
    building = _big_building(people_tree)
    good = _good_rows(building, 10_000)
    rows = [list(r) for r in good]
    expected = _spoil(rows, people_tree, building)
    in_file_dup = 9_990  # one more kind: the same ID number twice in the file
    rows[in_file_dup][1] = rows[in_file_dup - 1][1]
    expected[in_file_dup + 2] = (ID_NUMBER, "duplicate_in_file")
    before = Person.objects.count(), AuditEvent.objects.count()

    # When the spoilt file is imported
    report = run(people_tree, rows)

    # Then every bad row is reported once, with its column and reason, and nothing is written
    assert not report.ok
    found = {e.row: (e.column, e.code) for e in report.errors}
    assert found == expected
    assert len(report.errors) == len(expected) == 51
    assert all(e.message for e in report.errors)
    assert (Person.objects.count(), AuditEvent.objects.count()) == before

    # When the bad rows are fixed and the file is imported again
    started = time.perf_counter()
    fixed = read_people_xlsx(xlsx(good))
    report = import_people(
        actor=people_tree.users[Role.COMMUNITY_STAFF], community=people_tree.tree.community, rows=fixed
    )
    seconds = time.perf_counter() - started

    # Then all 10,000 land, with one audit row, in well under a minute
    print(f"\n10,000-row import (read + validate + write): {seconds:.1f} s")
    assert report.ok and report.created == 10_000, report.errors[:5]
    assert Person.objects.count() == before[0] + 10_000
    assert AuditEvent.objects.filter(action="people.import").count() == 1
    assert seconds < 60
