"""12345 hotline import: a CSV or Excel export of hotline tickets filed as cases, all or nothing.

The hotline centre hands each street (or district) the tickets it routed there, as a spreadsheet
whose headers vary from city to city, so a mapping says which column holds which of our fields.
The whole file is checked first and every bad row reported with its row number and column; only a
clean file is filed, in one transaction, through the same intake as every other channel
(`do_file_case`, channel "hotline"). The ticket number is the client key, so importing a file again
files nothing twice and reports how many tickets were already there.

Speed (10,000 rows well under a minute on SQLite): categories are read once into a dict, the ticket
numbers already filed are looked up in chunks, and points are located by the in-memory grid index;
what remains is the intake's own work per case.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from gongzhi.cases import notify, sla
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.intake import MAX_ADDRESS, MAX_DESCRIPTION, MAX_TITLE, Report, do_file_case
from gongzhi.cases.models import Case, Category, Channel
from gongzhi.core import audit
from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people.validators import validate_mobile
from gongzhi.regions import locate as grid_locate
from gongzhi.regions.crs import CRS_NAMES
from gongzhi.regions.models import Compound, Region

SOURCE = "hotline"
MAX_ROWS = 100_000
_KEY_CHUNK = 500
_PROGRESS_EVERY = 100
_HEADER_SEARCH_ROWS = 5  # exports often put a title line or two above the header row
_FUTURE_SLACK = dt.timedelta(minutes=10)  # clocks of the hotline system and ours differ a little

# Our fields, in the order errors are reported within a row.
FIELDS: tuple[str, ...] = (
    "ticket_no",
    "title",
    "description",
    "category",
    "occurred_at",
    "address",
    "lon",
    "lat",
    "crs",
    "reporter_name",
    "reporter_phone",
)
REQUIRED_FIELDS = ("ticket_no", "description")
ATTRIBUTE_PREFIX = "attr."  # "attr.employer": a column holding a category attribute

# The headers `hotline_template()` writes; what most 12345 exports call these columns.
DEFAULT_MAPPING: dict[str, str] = {
    "ticket_no": "工单编号",
    "title": "标题",
    "description": "诉求内容",
    "category": "分类",
    "occurred_at": "来电时间",
    "address": "地址",
    "lon": "经度",
    "lat": "纬度",
    "reporter_name": "来电人",
    "reporter_phone": "联系电话",
}

# A category cell may hold a path such as "城乡建设/物业服务与小区管理"; the most specific part wins.
_PATH_SEPARATORS = re.compile(r"\s*[/／>＞|｜\\]\s*|\s+[-—－]\s+")


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header row is 1 when it is the first line
    column: str  # the file's header
    message: str
    code: str = ""


@dataclass(slots=True)
class ImportResult:
    created: int
    existing: int
    errors: list[RowError]
    ok: bool
    total: int = 0  # data rows read
    unclassified: int = 0  # of those created, filed without a category for the office to set
    unmapped: list[str] = field(default_factory=list)  # mapped headers the file does not have


Progress = Callable[[int, int], None]


# ── reading ───────────────────────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class _Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number, cells)


def _header(value: object) -> str:
    # Templates star the required columns ("*工单编号"); people add spaces and line breaks.
    return "".join(str(value if value is not None else "").split()).strip("*＊")


def _unreadable() -> DomainError:
    return DomainError.single(
        "file", "unreadable", _("The file is neither a readable CSV file nor an Excel workbook (.xlsx).")
    )


def _too_many() -> DomainError:
    return DomainError.single(
        "file", "too_many_rows", _("At most %(n)d rows per file; split the file.") % {"n": MAX_ROWS}
    )


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM, or GB18030 (GBK, GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Hotline systems on Windows export in the local code page; GB18030 is a superset of GBK.
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _unreadable() from exc


def _csv_lines(data: bytes) -> Iterator[list[Any]]:
    try:
        text = _decode(data)
    except UnicodeError as exc:
        raise _unreadable() from exc
    if "\x00" in text:
        raise _unreadable()
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_lines(data: bytes) -> Iterator[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _unreadable() from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, anchor: str) -> _Table:
    """The first sheet (or the CSV) as a header and numbered rows; `anchor` is a header the row must hold."""
    is_xlsx = data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))
    lines = enumerate(_xlsx_lines(data) if is_xlsx else _csv_lines(data), start=1)
    rows: list[tuple[int, list[Any]]] = []
    try:
        top = list(itertools.islice(lines, _HEADER_SEARCH_ROWS))
        candidates = [(n, [_header(v) for v in values]) for n, values in top]
        found = next((c for c in candidates if anchor in c[1]), None)
        # No row looks like the header: take the first non-empty one, and the caller reports what is missing.
        found = found or next((c for c in candidates if any(c[1])), None)
        if found is None:
            return _Table([], [])
        header_row, header = found
        for number, values in itertools.chain((t for t in top if t[0] > header_row), lines):
            if all(v is None or str(v).strip() == "" for v in values):
                continue  # blank lines inside a sheet are common; numbering still counts them
            if len(rows) >= MAX_ROWS:
                raise _too_many()
            rows.append((number, values))
    except csv.Error as exc:
        raise _unreadable() from exc
    return _Table(header, rows)


# ── parsing cells ─────────────────────────────────────────────────────────────────────────────────


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


_DATE_TIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?\s*分?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s*(\d{2})(\d{2})(\d{2})?)?$")
_EXCEL_SERIAL = (20_000.0, 80_000.0)  # 1954 … 2119: a bare number in this range is an Excel date


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=sla.LOCAL) if timezone.is_naive(value) else value


def parse_time(value: object) -> dt.datetime | None:
    """A hotline time cell: Excel dates, "2026/3/5 14:02:11", "2026-03-05 14:02", "2026年3月5日"…

    Times without a zone are Beijing time. None when the cell cannot be read as a time.
    """
    if isinstance(value, dt.datetime):
        return _aware(value)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min, tzinfo=sla.LOCAL)
    if isinstance(value, int | float) and not isinstance(value, bool):
        serial = float(value)
    else:
        text = _text(value)
        match = _DATE_TIME.match(text) or _COMPACT.match(text)
        if match is not None:
            y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
            try:
                return dt.datetime(y, mo, d, h, mi, s, tzinfo=sla.LOCAL)
            except ValueError:
                return None
        try:
            return _aware(dt.datetime.fromisoformat(text))
        except ValueError:
            pass
        try:
            serial = float(text)
        except ValueError:
            return None
    if not _EXCEL_SERIAL[0] <= serial <= _EXCEL_SERIAL[1]:
        return None
    converted = from_excel(serial)
    if not isinstance(converted, dt.datetime):
        return None
    return _aware(converted.replace(microsecond=0))


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(_text(value))
    except ValueError:
        return None


# ── categories ────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class _Node:
    code: str
    name: str
    is_leaf: bool
    attributes: list[dict[str, Any]]


class _Categories:
    """Every active category by code, name and alias, read once per import."""

    def __init__(self) -> None:
        self.by_label: dict[str, list[_Node]] = {}
        for code, name, depth, attributes, aliases in Category.objects.filter(is_active=True).values_list(
            "code", "name", "depth", "attributes", "aliases"
        ):
            node = _Node(code, name, depth == 3, list(attributes or []))
            for label in {code.upper(), name, *(str(a) for a in aliases or [])}:
                self.by_label.setdefault(label, []).append(node)

    def find(self, text: str) -> list[_Node]:
        """The nodes a cell names: the whole text, else the most specific part of a path that matches."""
        hits = self.by_label.get(text) or self.by_label.get(text.upper())
        if hits:
            return hits
        parts = [p for p in _PATH_SEPARATORS.split(text) if p]
        for part in reversed(parts if len(parts) > 1 else []):
            hits = self.by_label.get(part) or self.by_label.get(part.upper())
            if hits:
                return hits
        return []


# ── checking ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class _Row:
    row: int
    ticket_no: str
    report: Report
    ok: bool  # False: the row has errors, and is kept only to check its place too


class _Checker:
    """Turns one row into a Report, or records why it cannot be one (every problem of the row)."""

    def __init__(self, columns: dict[str, int], header: list[str], region: Region) -> None:
        self.columns = columns
        self.header = header
        self.region = region
        self.categories = _Categories()
        self.now = timezone.now()

    def heading(self, name: str) -> str:
        index = self.columns.get(name)
        return self.header[index] if index is not None else name

    def cell(self, values: list[Any], name: str) -> object:
        index = self.columns.get(name)
        if index is None or index >= len(values):
            return None
        return values[index]

    def check(self, number: int, values: list[Any], errors: list[RowError]) -> _Row:
        before = len(errors)

        def fail(name: str, code: str, message: str) -> None:
            errors.append(RowError(number, self.heading(name), message, code))

        ticket_no = _text(self.cell(values, "ticket_no"))
        if not ticket_no:
            fail("ticket_no", "required", _("Enter the ticket number."))
        elif len(ticket_no) > 100:
            fail("ticket_no", "too_long", _("At most %(n)d characters.") % {"n": 100})
        description = _text(self.cell(values, "description"))
        if not description:
            fail("description", "required", _("Describe the problem."))
        elif len(description) > MAX_DESCRIPTION:
            fail("description", "too_long", _("At most %(n)d characters.") % {"n": MAX_DESCRIPTION})
        # A hotline title is only a heading: the description keeps every word, so a long one is cut.
        title = " ".join(_text(self.cell(values, "title")).split())[:MAX_TITLE]
        category_code, attributes = self._category(values, fail)
        occurred_at = self._time(values, fail)
        address = " ".join(_text(self.cell(values, "address")).split())
        if len(address) > MAX_ADDRESS:
            fail("address", "too_long", _("At most %(n)d characters.") % {"n": MAX_ADDRESS})
        lon, lat, crs = self._point(values, fail)
        phone = _text(self.cell(values, "reporter_phone"))
        if phone:
            try:
                phone = validate_mobile(phone)
            except DomainError as exc:
                for item in exc.items:
                    fail("reporter_phone", item.code, item.message)
        report = Report(
            channel=Channel.HOTLINE,
            title=title,
            description=description,
            category_code=category_code,
            lon=lon,
            lat=lat,
            crs=crs,
            address=address,
            attributes=attributes,
            reporter_name=_text(self.cell(values, "reporter_name"))[:20],
            reporter_phone=phone,
            source=SOURCE,
            client_key=ticket_no,
            region_hint=self.region.code,
            occurred_at=occurred_at,
            notify_office=False,  # one notice per office for the whole file (below), not one per ticket
        )
        return _Row(number, ticket_no, report, ok=len(errors) == before)

    def _category(self, values: list[Any], fail: Callable[[str, str, str], None]) -> tuple[str, dict[str, Any]]:
        text = " ".join(_text(self.cell(values, "category")).split())
        if not text:
            return "", {}  # unclassified: the classifier suggests one and the office decides
        nodes = self.categories.find(text)
        if not nodes:
            fail(
                "category",
                "unknown_category",
                _("Unknown category “%(value)s”: give a category code, a category name or a hotline sector name.")
                % {"value": text},
            )
            return "", {}
        leaves = [n for n in nodes if n.is_leaf]
        if len(leaves) > 1:
            fail(
                "category",
                "ambiguous_category",
                _("“%(value)s” matches several categories (%(codes)s); give the code.")
                % {"value": text, "codes": "、".join(sorted(n.code for n in leaves))},
            )
            return "", {}
        if not leaves:
            # A sector or class name (the hotline's first level): filed unclassified, the label kept.
            return "", {"hotline_category": text}
        leaf = leaves[0]
        attributes: dict[str, Any] = {}
        lacking: list[str] = []
        for spec in leaf.attributes:
            key, label = str(spec.get("key", "")), str(spec.get("label", ""))
            name = ATTRIBUTE_PREFIX + key
            value = _text(self.cell(values, name))
            if not value:
                if spec.get("required"):
                    lacking.append(label)
                continue
            if spec.get("type") == "choice" and value not in spec.get("choices", []):
                fail(name, "invalid_choice", _("Choose %(label)s from the list.") % {"label": label})
            elif spec.get("type") == "number" and _number(value) is None:
                fail(name, "not_a_number", _("%(label)s must be a number.") % {"label": label})
            attributes[key] = value
        if lacking:
            # Hotline exports have no column for a leaf's required details (用人单位 of 拖欠工资…); they are in
            # the text. Refusing such rows would refuse every real file, so the case is filed unclassified
            # with the label kept, and the office sets the category and its details when accepting it.
            return "", {"hotline_category": text, **attributes}
        return leaf.code, attributes

    def _time(self, values: list[Any], fail: Callable[[str, str, str], None]) -> dt.datetime | None:
        raw = self.cell(values, "occurred_at")
        if raw is None or _text(raw) == "":
            return None  # filed at the time of the import
        at = parse_time(raw)
        if at is None:
            fail(
                "occurred_at",
                "bad_time",
                _("Cannot read the time “%(value)s”; write it like 2026-03-05 14:02.") % {"value": _text(raw)},
            )
            return None
        if at > self.now + _FUTURE_SLACK:
            fail("occurred_at", "future", _("The time is later than now."))
            return None
        return at

    def _point(
        self, values: list[Any], fail: Callable[[str, str, str], None]
    ) -> tuple[float | None, float | None, str]:
        raw_lon, raw_lat = self.cell(values, "lon"), self.cell(values, "lat")
        crs = re.sub(r"[-_\s]", "", _text(self.cell(values, "crs")).lower()) or "wgs84"
        if crs not in CRS_NAMES:
            fail("crs", "invalid_choice", _("Coordinates must be declared as WGS-84, GCJ-02 or BD-09."))
            return None, None, "wgs84"
        has_lon, has_lat = _text(raw_lon) != "", _text(raw_lat) != ""
        if not has_lon and not has_lat:
            return None, None, crs
        if has_lon != has_lat:
            fail("lon" if not has_lon else "lat", "incomplete", _("Give both longitude and latitude."))
            return None, None, crs
        lon, lat = _number(raw_lon), _number(raw_lat)
        if lon is None or lat is None:
            fail("lon" if lon is None else "lat", "not_a_number", _("Longitude and latitude must be numbers."))
            return None, None, crs
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            fail("lon", "out_of_range", _("Longitude or latitude out of range."))
            return None, None, crs
        return lon, lat, crs


def _compound_community(address: str, compounds: list[tuple[str, str]]) -> str:
    """The community of the first (longest) compound name the address contains, as routing matches them."""
    for name, community in compounds:
        if name and name in address:
            return community
    return ""


def _check_places(rows: list[_Row], checker: _Checker, errors: list[RowError]) -> list[_Row]:
    """Each row's place must be found and lie in the importer's region; a row with no place goes to the region.

    Points are located in one batch per coordinate system (one index look-up, not one per row).
    """
    bad: set[int] = set()
    region = checker.region

    def fail(item: _Row, name: str, code: str, message: str) -> None:
        errors.append(RowError(item.row, checker.heading(name), message, code))
        bad.add(item.row)

    def inside(item: _Row, name: str, code: str) -> None:
        if not code.startswith(region.code):
            message = _("The place lies in %(code)s, outside %(region)s that you import for.") % {
                "code": code,
                "region": region.name,
            }
            fail(item, name, "outside_region", message)

    # Where an address lies, for this check, is the community of the compound it names, as intake's
    # address lookup (routing.resolve_address) will place it; intake itself finds the building later.
    compounds = sorted(Compound.objects.values_list("name", "community__code"), key=lambda c: -len(c[0]))
    by_crs: dict[str, list[_Row]] = {}
    for item in rows:
        report = item.report
        if report.lon is not None and report.lat is not None:
            by_crs.setdefault(report.crs, []).append(item)
        elif report.address:
            community = _compound_community(report.address, compounds)
            if community:  # free text we cannot place goes to the importing office as it stands
                inside(item, "address", community)
    for crs, group in by_crs.items():
        lons = np.array([item.report.lon for item in group], dtype=float)
        lats = np.array([item.report.lat for item in group], dtype=float)
        for item, hit in zip(group, grid_locate.locate_many(lons, lats, crs), strict=True):
            if hit is None:
                fail(item, "lon", "outside_area", _("That point is outside every grid of this city."))
            else:
                inside(item, "lon", hit.grid.code)
    return [item for item in rows if item.ok and item.row not in bad]


def _already_filed(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        found.update(
            # The exclude states the unique index's condition, so SQLite uses that partial index.
            Case.objects.filter(channel=Channel.HOTLINE, source=SOURCE, client_key__in=chunk)
            .exclude(client_key="")
            .values_list("client_key", flat=True)
        )
    return found


def _authorise(actor: Actor, region_code: str) -> Region:
    allowed = actor.system or (
        actor.user is not None and capability_scope(actor.user, Cap.CASES_IMPORT).covers(region_code)
    )
    if not allowed:
        raise PermissionDenied(Cap.CASES_IMPORT)
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise DomainError.single(
            "region", "unknown_region", _("There is no region with code %(code)s.") % {"code": region_code}
        )
    return region


def _columns(mapping: dict[str, str], header: list[str]) -> tuple[dict[str, int], list[str], list[str]]:
    """Field → column index, the required headers missing, and the other mapped headers missing."""
    unknown = [f for f in mapping if f not in FIELDS and not f.startswith(ATTRIBUTE_PREFIX)]
    if unknown:
        raise DomainError.single(
            "mapping",
            "unknown_field",
            _("Unknown fields in the column mapping: %(fields)s.") % {"fields": "、".join(unknown)},
        )
    positions = {name: i for i, name in reversed(list(enumerate(header))) if name}
    columns: dict[str, int] = {}
    missing: list[str] = []
    unmapped: list[str] = []
    for name, heading in mapping.items():
        index = positions.get(_header(heading))
        if index is not None:
            columns[name] = index
        elif name in REQUIRED_FIELDS:
            missing.append(heading)
        else:
            unmapped.append(heading)
    for name in REQUIRED_FIELDS:
        if name not in mapping:
            missing.append(DEFAULT_MAPPING[name])
    return columns, missing, unmapped


def _failed(
    errors: list[RowError], total: int, unmapped: list[str], existing: int = 0, header: list[str] | None = None
) -> ImportResult:
    # As the user reads the sheet: by row, then left to right.
    position = {name: i for i, name in reversed(list(enumerate(header or [])))}
    errors.sort(key=lambda e: (e.row, position.get(e.column, len(position))))
    return ImportResult(0, existing, errors, False, total, 0, unmapped)


def import_hotline(
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    mapping: dict[str, str],
    region_code: str,
    progress: Progress | None = None,
) -> ImportResult:
    """All or nothing: `ok` is False and nothing is written if any row is bad.

    Raises PermissionDenied without cases.import over `region_code`, and DomainError when the file
    itself cannot be read.
    """
    region = _authorise(actor, region_code)
    mapping = {k: v for k, v in mapping.items() if v}
    anchor = _header(mapping.get("ticket_no", DEFAULT_MAPPING["ticket_no"]))
    table = read_table(data, filename, anchor)
    columns, missing, unmapped = _columns(mapping, table.header)
    total = len(table.rows)
    if missing:
        message = _("Columns missing from the first row: %(columns)s.") % {"columns": "、".join(missing)}
        return _failed([RowError(1, "", message, "missing_columns")], total, unmapped)
    if not table.rows:
        return _failed([RowError(0, "", _("The file holds no rows to import."), "empty")], total, unmapped)

    checker = _Checker(columns, table.header, region)
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    keyed: list[tuple[int, list[Any], str]] = []
    for number, values in table.rows:
        ticket_no = _text(checker.cell(values, "ticket_no"))
        if ticket_no and ticket_no in first_row:
            message = _("The same ticket number as row %(row)d.") % {"row": first_row[ticket_no]}
            errors.append(RowError(number, checker.heading("ticket_no"), message, "duplicate_in_file"))
            continue
        first_row.setdefault(ticket_no, number)
        keyed.append((number, values, ticket_no))
    filed_before = _already_filed([k for _n, _v, k in keyed if k])
    todo: list[_Row] = []
    for number, values, ticket_no in keyed:
        if ticket_no in filed_before:
            continue  # already a case: nothing to check or write
        todo.append(checker.check(number, values, errors))
    todo = _check_places(todo, checker, errors)
    if errors:
        return _failed(errors, total, unmapped, len(filed_before), table.header)

    created = existing = unclassified = 0
    per_office: Counter[str] = Counter()
    with transaction.atomic():
        for done, item in enumerate(todo, start=1):
            try:
                filed = do_file_case(actor=actor, report=item.report)
            except DomainError as exc:
                # A rule the checks above do not repeat; the row is reported like the others.
                for e in exc.items:
                    name = e.field.split(".")[0]
                    heading = checker.heading("category" if e.field.startswith("attributes") else name)
                    errors.append(RowError(item.row, heading, e.message, e.code))
                continue
            if filed.created:
                created += 1
                unclassified += not item.report.category_code
                per_office[filed.case.owner_code] += 1
            else:
                existing += 1  # filed by someone else while this import ran
            if progress is not None and (done % _PROGRESS_EVERY == 0 or done == len(todo)):
                progress(done, len(todo))
        if errors:
            transaction.set_rollback(True)
            return _failed(errors, total, unmapped, len(filed_before), table.header)
        audit.record(
            actor=actor.db_user,
            action="cases.hotline_import",
            object_repr=region.name,
            changes={
                "file": filename[:200],
                "region": region.code,
                "rows": total,
                "created": created,
                "existing": existing + len(filed_before),
                "unclassified": unclassified,
            },
        )
        for office, count in per_office.items():
            message = _("%(n)d new cases from the 12345 hotline import are waiting for acceptance.") % {"n": count}
            transaction.on_commit(partial(notify.send, notify.office_users(office), None, "hotline_import", message))
    return ImportResult(created, existing + len(filed_before), [], True, total, unclassified, unmapped)


def hotline_template() -> bytes:
    """An empty workbook with the default headers and a sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "工单"
    headers = list(DEFAULT_MAPPING.values())
    sheet.append(headers)
    for index in range(len(headers)):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = 40 if headers[index] in ("诉求内容", "地址") else 18
    for cell in sheet["A"][1:1000]:
        cell.number_format = "@"  # ticket numbers are text: Excel would round long digit strings
    for cell in sheet["J"][1:1000]:
        cell.number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(["列", "说明"])
    for column, note in (
        ("工单编号", "必填；热线工单号，重复导入同一工单不会重复立案"),
        ("标题", "选填；不填取诉求内容前 30 字"),
        ("诉求内容", "必填；最多 4000 字"),
        ("分类", "选填；事项编码（如 SJ0302）、事项或大类名称、热线一级分类（如 城乡建设）"),
        ("来电时间", "选填；如 2026-03-05 14:02 或 2026/3/5 14:02:11，北京时间"),
        ("地址", "选填；含小区名和楼栋号时可定位到网格，否则归入导入单位"),
        ("经度", "选填；与纬度同时填写，默认 WGS-84"),
        ("纬度", "选填"),
        ("来电人", "选填；只保存脱敏姓名"),
        ("联系电话", "选填；11 位手机号，加密保存"),
    ):
        notes.append([column, note])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
