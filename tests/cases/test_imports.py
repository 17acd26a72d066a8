"""12345 hotline import: CSV (UTF-8, GB18030) or .xlsx, all or nothing, idempotent by ticket number."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from gongzhi.cases import routing, sla
from gongzhi.cases.imports import DEFAULT_MAPPING, ImportResult, hotline_template, import_hotline, parse_time
from gongzhi.cases.models import Case, Channel, Notification
from gongzhi.core.models import AuditEvent
from gongzhi.regions.actions import do_create_building
from gongzhi.regions.models import Compound
from tests.cases.conftest import GRID1_POINT, STREET2_POINT, Loop

STREET = "320113001"  # 尧化街道, where `street` works
HEADERS = list(DEFAULT_MAPPING.values())  # 工单编号 标题 诉求内容 分类 来电时间 地址 经度 纬度 来电人 联系电话
Row = Sequence[object]


def ticket(n: int, **overrides: object) -> list[object]:
    values: dict[str, object] = {
        "工单编号": f"GD2026030{n:05d}",
        "标题": f"反映问题{n}",
        "诉求内容": f"来电人反映小区门口第{n}处垃圾堆放多日无人清理，气味很大。",
        "分类": "SJ0101",
        "来电时间": "2026/3/5 14:02:11",
        "地址": "",
        "经度": GRID1_POINT[0],
        "纬度": GRID1_POINT[1],
        "来电人": "张三",
        "联系电话": "13912345678",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def csv_bytes(rows: Sequence[Row], header: Sequence[str] = HEADERS, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Row], header: Sequence[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(
    loop: Loop,
    data: bytes,
    *,
    user: str = "street",
    filename: str = "hotline.csv",
    mapping: dict[str, str] | None = None,
    region: str = STREET,
) -> ImportResult:
    return import_hotline(
        actor=loop.actor(user), data=data, filename=filename, mapping=mapping or DEFAULT_MAPPING, region_code=region
    )


def test_a_good_csv_files_every_ticket_as_a_hotline_case(loop: Loop) -> None:
    # given tickets with a point, a class name (the hotline's sector), a leaf name, and no place at all
    rows = [
        ticket(1),
        ticket(2, 分类="城乡建设", 经度="", 纬度=""),
        ticket(3, 分类="工地扬尘与渣土", 来电时间="2026-03-06 09:30"),
        ticket(4, 分类="", 联系电话="", 来电人=""),
    ]
    seen: list[tuple[int, int]] = []
    # when the street imports them
    result = import_hotline(
        actor=loop.actor("street"),
        data=csv_bytes(rows),
        filename="12345.csv",
        mapping=DEFAULT_MAPPING,
        region_code=STREET,
        progress=lambda done, total: seen.append((done, total)),
    )
    # then all four are cases of the hotline channel, keyed by ticket number, at the ticket's time
    assert (result.ok, result.created, result.existing, result.errors) == (True, 4, 0, [])
    assert seen[-1] == (4, 4)
    cases = {c.client_key: c for c in Case.objects.all()}
    assert set(cases) == {f"GD2026030{n:05d}" for n in (1, 2, 3, 4)}
    first = cases["GD202603000001"]
    assert (first.channel, first.source, first.category.code if first.category else "") == (
        Channel.HOTLINE,
        "hotline",
        "SJ0101",
    )
    assert first.region_code == loop.tree.grid1.code
    assert first.created_at == dt.datetime(2026, 3, 5, 14, 2, 11, tzinfo=sla.LOCAL)
    assert first.reporter_phone_masked.startswith("139") and "12345678" not in first.reporter_phone_masked
    assert first.reporter_name_masked and first.reporter_name_masked != "张三"
    # a sector name files it unclassified, keeping the label; no place means the importing street
    second = cases["GD202603000002"]
    assert second.category is None and second.attributes == {"hotline_category": "城乡建设"}
    assert second.region_code == STREET
    assert cases["GD202603000003"].category.code == "SJ0302"  # type: ignore[union-attr]
    assert cases["GD202603000004"].category is None
    # and one audit row records the import
    event = AuditEvent.objects.get(action="cases.hotline_import")
    assert event.changes["created"] == 4


def test_a_good_xlsx_with_excel_dates_and_a_title_line_above_the_header(loop: Loop) -> None:
    # given a workbook the hotline system exported, with a title line and real Excel date cells
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["12345 热线工单导出（2026年3月）"])
    sheet.append(HEADERS)
    # Excel cells hold wall-clock times without a zone.
    sheet.append(ticket(1, 来电时间=dt.datetime(2026, 3, 5, 8, 15)))  # noqa: DTZ001
    sheet.append(ticket(2, 来电时间=dt.datetime(2026, 3, 7, 20, 0), 分类="城市事件·市容环境"))  # noqa: DTZ001
    out = io.BytesIO()
    workbook.save(out)
    # when it is imported
    result = run(loop, out.getvalue(), filename="export.xlsx")
    # then both are filed, at their Beijing times
    assert (result.ok, result.created) == (True, 2)
    case = Case.objects.get(client_key="GD202603000001")
    assert case.created_at == dt.datetime(2026, 3, 5, 8, 15, tzinfo=sla.LOCAL)


def test_a_gb18030_csv_is_read(loop: Loop) -> None:
    # given a CSV in the Windows code page, as many hotline systems export
    data = csv_bytes([ticket(1, 标题="噪音扰民㐀"), ticket(2)], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    # when it is imported
    result = run(loop, data)
    # then the Chinese text arrives intact
    assert (result.ok, result.created) == (True, 2)
    assert Case.objects.get(client_key="GD202603000001").title == "噪音扰民㐀"


def test_one_bad_row_among_many_writes_nothing_and_every_bad_row_is_named(loop: Loop) -> None:
    # given 40 tickets, six of them bad in different ways, one with two problems
    rows = [ticket(n) for n in range(1, 41)]
    rows[4] = ticket(5, 诉求内容="")  # row 6: no description
    rows[11] = ticket(12, 分类="不存在的分类")  # row 13
    rows[19] = ticket(20, 联系电话="12345")  # row 21
    rows[24] = ticket(25, 来电时间="三月五日下午")  # row 26
    rows[27] = ticket(28, 经度=STREET2_POINT[0], 纬度=STREET2_POINT[1])  # row 29: another street's grid
    rows[29] = ticket(30, 经度=100.0, 纬度=20.0, 联系电话="abc")  # row 31: outside every grid, bad phone
    rows[34] = ticket(1)  # row 36: the same ticket number as row 2
    # when it is imported
    result = run(loop, csv_bytes(rows))
    # then nothing is written and each problem is reported with its row and column
    assert not result.ok and result.created == 0
    assert Case.objects.count() == 0 and not AuditEvent.objects.filter(action="cases.hotline_import").exists()
    found = [(e.row, e.column, e.code) for e in result.errors]
    assert found == [
        (6, "诉求内容", "required"),
        (13, "分类", "unknown_category"),
        (21, "联系电话", "format"),
        (26, "来电时间", "bad_time"),
        (29, "经度", "outside_region"),
        (31, "经度", "outside_area"),
        (31, "联系电话", "format"),
        (36, "工单编号", "duplicate_in_file"),
    ]
    assert all(e.message for e in result.errors)


def test_importing_the_same_file_again_files_nothing_new(loop: Loop) -> None:
    # given a file already imported
    data = csv_bytes([ticket(n) for n in range(1, 6)])
    assert run(loop, data).created == 5
    # when it is imported again, with one more ticket added
    again = run(loop, csv_bytes([ticket(n) for n in range(1, 7)]))
    # then only the new ticket is filed and the others are counted as already there
    assert (again.ok, again.created, again.existing) == (True, 1, 5)
    assert Case.objects.count() == 6
    assert run(loop, data).created == 0


def test_custom_headers_are_mapped(loop: Loop) -> None:
    # given a city's own export with other headers, a GCJ-02 point and a category attribute column
    header = ["受理编号", "事项描述", "诉求分类", "受理时间", "X", "Y", "坐标系", "用人单位"]
    rows: list[list[object]] = [
        [
            "A-001",
            "公司拖欠三个月工资不发",
            "拖欠工资",
            "2026年3月5日 14时02分",
            GRID1_POINT[0],
            GRID1_POINT[1],
            "wgs84",
            "某某建筑公司",
        ],
        ["A-002", "楼下烧烤油烟大", "MS0202", "20260306 093000", "", "", "", ""],
    ]
    mapping = {
        "ticket_no": "受理编号",
        "description": "事项描述",
        "category": "诉求分类",
        "occurred_at": "受理时间",
        "lon": "X",
        "lat": "Y",
        "crs": "坐标系",
        "attr.employer": "用人单位",
    }
    # when imported with that mapping
    result = run(loop, csv_bytes(rows, header), mapping=mapping)
    # then the columns land in the right fields
    assert (result.ok, result.created) == (True, 2), result.errors
    wages = Case.objects.get(client_key="A-001")
    assert wages.category is not None and wages.category.code == "MS0501"
    assert wages.attributes == {"employer": "某某建筑公司"} and wages.title == "公司拖欠三个月工资不发"
    assert wages.created_at == dt.datetime(2026, 3, 5, 14, 2, tzinfo=sla.LOCAL)
    assert Case.objects.get(client_key="A-002").created_at == dt.datetime(2026, 3, 6, 9, 30, tzinfo=sla.LOCAL)


def test_a_required_column_missing_is_reported(loop: Loop) -> None:
    # given a file without the description column
    result = run(loop, csv_bytes([["1", "x"]], ["工单编号", "标题"]))
    # then the missing column is named and nothing is written
    assert not result.ok and result.errors[0].code == "missing_columns" and "诉求内容" in result.errors[0].message
    assert Case.objects.count() == 0


def test_a_leaf_whose_details_the_file_lacks_is_filed_for_the_office_to_classify(loop: Loop) -> None:
    # given a 拖欠工资 ticket (its leaf requires 用人单位, which hotline exports have no column for),
    # and a 井盖 ticket whose 井盖状况 column holds something that is not one of its choices
    header = [*HEADERS, "井盖状况"]
    rows = [[*ticket(1, 分类="MS0501"), ""], [*ticket(2, 分类="井盖"), "不知道"]]
    mapping = {**DEFAULT_MAPPING, "attr.cover_state": "井盖状况"}
    # when imported, the bad choice is refused
    result = run(loop, csv_bytes(rows, header), mapping=mapping)
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "井盖状况", "invalid_choice")]
    # and without that row, the wage ticket is filed unclassified, its label kept for the office
    result = run(loop, csv_bytes(rows[:1], header), mapping=mapping)
    assert (result.ok, result.created, result.unclassified) == (True, 1, 1)
    case = Case.objects.get()
    assert case.category is None and case.attributes == {"hotline_category": "MS0501"}


@pytest.mark.parametrize(("user", "region"), [("community", "320113001001"), ("street2", STREET), ("dept", STREET)])
def test_without_the_import_right_over_the_region_nothing_is_written(loop: Loop, user: str, region: str) -> None:
    # given a good file; when someone without cases.import over the region imports it
    audit_before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        run(loop, csv_bytes([ticket(1)]), user=user, region=region)
    # then nothing is written
    assert Case.objects.count() == 0 and AuditEvent.objects.count() == audit_before


def test_the_template_has_the_default_headers() -> None:
    sheet = load_workbook(io.BytesIO(hotline_template()), read_only=True).worksheets[0]
    assert list(next(sheet.iter_rows(values_only=True))) == HEADERS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/3/5 14:02:11", (2026, 3, 5, 14, 2, 11)),
        ("2026-03-05 14:02", (2026, 3, 5, 14, 2, 0)),
        ("2026.3.5", (2026, 3, 5, 0, 0, 0)),
        ("2026年3月5日 14:02", (2026, 3, 5, 14, 2, 0)),
        ("46086.5", (2026, 3, 5, 12, 0, 0)),  # an Excel serial date that lost its format in a CSV
        ("2026-02-30 10:00", None),
        ("昨天", None),
    ],
)
def test_time_formats(text: str, expected: tuple[int, ...] | None) -> None:
    parsed = parse_time(text)
    assert (parsed.astimezone(sla.LOCAL).timetuple()[:6] if parsed else None) == expected


def test_the_command_imports_and_fails_loudly_on_a_bad_file(loop: Loop, tmp_path: Path) -> None:
    # given a good file and a bad one
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_bytes([ticket(1), ticket(2)]))
    bad.write_bytes(csv_bytes([ticket(3), ticket(4, 诉求内容="")]))
    out, err = io.StringIO(), io.StringIO()
    # when the command imports the good one, it prints a summary
    call_command("import_hotline", str(good), "--region", STREET, "--as", "street", stdout=out, stderr=err)
    assert '"created": 2' in out.getvalue()
    # when it imports the bad one, it fails naming the row and writes nothing
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_hotline", str(bad), "--region", STREET, "--as", "street", stdout=out, stderr=err)
    assert "3" in err.getvalue() and "诉求内容" in err.getvalue()
    assert Case.objects.count() == 2


def test_each_office_hears_once_per_import_not_once_per_ticket(
    loop: Loop, django_capture_on_commit_callbacks: Any
) -> None:
    # given three grid-level tickets (registered by the community) and two without a category (the street)
    rows = [ticket(1), ticket(2), ticket(3), ticket(4, 分类=""), ticket(5, 分类="城乡建设")]
    # when the street imports them and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        assert run(loop, csv_bytes(rows)).created == 5
    # then each office gets one notice with its count, and nobody a notice per case
    notices = {(n.user.username, n.kind): n.message for n in Notification.objects.select_related("user")}
    assert set(notices) == {("community", "hotline_import"), ("street", "hotline_import")}
    assert "3" in notices[("community", "hotline_import")] and "2" in notices[("street", "hotline_import")]


def test_addresses_are_placed_and_must_lie_in_the_importing_region(loop: Loop) -> None:
    # given a compound with a building in 第二网格 (尧化街道) and one in 马群街道
    home = Compound.objects.create(community=loop.tree.community, name="尧化新村", lon=118.83, lat=32.15)
    do_create_building(
        actor=None, community=loop.tree.community, name="3栋", lon=118.83, lat=32.15, floors=6, units=1,
        rooms_per_floor=2, compound=home,
    )  # fmt: skip
    Compound.objects.create(community=loop.street2_community, name="马群花园", lon=118.87, lat=32.12)
    routing.forget_cached()
    rows = [
        ticket(1, 地址="南京市栖霞区尧化新村3栋2单元", 经度="", 纬度=""),
        ticket(2, 地址="马群花园东门", 经度="", 纬度=""),
    ]
    # when imported by 尧化街道, the 马群 address is refused
    result = run(loop, csv_bytes(rows))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "地址", "outside_region")]
    # and alone, the 尧化新村 ticket is placed at its building, in 第二网格
    assert run(loop, csv_bytes(rows[:1])).created == 1
    case = Case.objects.get()
    assert case.region_code == loop.tree.grid2.code and case.address == "南京市栖霞区尧化新村3栋2单元"
