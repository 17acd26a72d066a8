"""Locate, classify and route a report: the reads intake needs, each cheap enough for every request.

Reference data that changes rarely (compound names, the responsibility map, the active classifier)
is held per process and re-read after a short time, so a busy intake does not query it per case.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.utils import timezone

from gongzhi.cases.models import (
    OPEN_STATUSES,
    Case,
    Category,
    ClassifierModel,
    HandlingLevel,
    LoopSettings,
    Responsibility,
)
from gongzhi.people.models import Department
from gongzhi.regions import locate as grid_locate
from gongzhi.regions.models import Building, Compound

_TTL = dt.timedelta(seconds=60)
T = TypeVar("T")
_lock = threading.Lock()
_cache: dict[str, tuple[dt.datetime, Any]] = {}

# Region code lengths: district 6, street 9, community 12, grid 15.
STREET_LEN = 9
COMMUNITY_LEN = 12
GRID_LEN = 15


def _cached(key: str, load: Any) -> Any:
    now = dt.datetime.now(dt.UTC)
    hit = _cache.get(key)
    if hit is not None and now - hit[0] <= _TTL:
        return hit[1]
    with _lock:
        value = load()
        _cache[key] = (now, value)
        return value


def cached(key: str, load: Callable[[], T]) -> T:
    """Public form of the per-process reference cache, for other modules' rarely changing reads."""
    return _cached(key, load)


def forget_cached() -> None:
    """After a write to reference data in this process (and between tests)."""
    with _lock:
        _cache.clear()


def loop_settings() -> LoopSettings:
    return _cached("settings", lambda: LoopSettings.objects.order_by("pk").first() or LoopSettings())


# ── locate ────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Place:
    lon: float | None
    lat: float | None
    region_code: str
    label: str = ""


def locate_point(lon: float, lat: float, crs: str = "wgs84") -> Place | None:
    found = grid_locate.locate(lon, lat, crs)
    if found is None:
        return None
    return Place(lon=found.lon, lat=found.lat, region_code=found.grid.code)


_BUILDING_NO = re.compile(r"(\d{1,3})\s*(?:栋|幢|号楼|座)")


def _compounds() -> list[tuple[str, int, float, float, str]]:
    rows = Compound.objects.values_list("name", "pk", "lon", "lat", "community__code")
    # Longest names first, so "仙林东苑二期" wins over "仙林东苑".
    return sorted(rows, key=lambda r: -len(r[0]))


def resolve_address(text: str) -> Place | None:
    """A typed address to a point: the compound named in it, and its building when a number is given."""
    text = (text or "").strip()
    if not text:
        return None
    for name, pk, lon, lat, community_code in _cached("compounds", _compounds):
        if name and name in text:
            number = _BUILDING_NO.search(text[text.index(name) + len(name) :])
            building = None
            if number is not None:
                building = (
                    Building.objects.filter(compound_id=pk, name__startswith=f"{int(number.group(1))}")
                    .select_related("grid")
                    .only("lon", "lat", "name", "grid__code")  # not the grid's geometry, decoded for nothing
                    .first()
                )
            if building is not None:
                return Place(building.lon, building.lat, building.grid.code, f"{name}{building.name}")
            hit = locate_point(lon, lat)
            return Place(lon, lat, hit.region_code if hit else community_code, name)
    return None


# ── classify ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class _Model:
    model_id: int
    classifier: Any  # classifier.TextClassifier; imported lazily (scikit-learn is slow to import)
    label_to_code: dict[str, str]


def _label_map(labels: list[str]) -> dict[str, str]:
    """A model's labels are category codes (trained from our cases) or another scheme's names."""
    by_code = dict(Category.objects.values_list("code", "code"))
    by_name: dict[str, str] = {}
    for code, name, aliases, depth in Category.objects.order_by("-depth").values_list(
        "code", "name", "aliases", "depth"
    ):
        # Shallower nodes are read last and win: a hotline's sector name means our class, not a leaf.
        del depth
        by_name[name] = code
        for alias in aliases or []:
            by_name[str(alias)] = code
    return {label: by_code.get(label) or by_name.get(label, "") for label in labels}


def _load_model() -> _Model | None:
    row = ClassifierModel.objects.filter(is_active=True).order_by("-trained_at", "-pk").first()
    if row is None:
        return None
    from gongzhi.cases.classifier import TextClassifier

    classifier = TextClassifier.from_bytes(bytes(row.blob))
    return _Model(row.pk, classifier, _label_map(list(classifier.labels)))


def active_model() -> _Model | None:
    return _cached("classifier", _load_model)


def suggest(title: str, description: str, k: int = 3) -> list[tuple[str, float]]:
    """Top-k (category code, confidence) from the active classifier; empty when none is trained."""
    model = active_model()
    if model is None:
        return []
    from gongzhi.cases.classifier import case_text

    out: list[tuple[str, float]] = []
    for label, confidence in model.classifier.predict(case_text(title, description), k=k):
        code = model.label_to_code.get(label, "")
        if code:
            out.append((code, round(float(confidence), 4)))
    return out


# ── route ─────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Route:
    owner_code: str  # the office that registers and dispatches it
    department_id: int | None  # who should act, when a department
    assignee_code: str  # the grid, when the grid worker acts


def _responsibilities() -> dict[int, list[tuple[str, int]]]:
    table: dict[int, list[tuple[str, int]]] = {}
    for category_id, area, department_id in Responsibility.objects.filter(department__is_active=True).values_list(
        "category_id", "area_code", "department_id"
    ):
        table.setdefault(category_id, []).append((area, department_id))
    for rows in table.values():
        rows.sort(key=lambda r: -len(r[0]))  # most specific area first
    return table


def responsible_department(category: Category, region_code: str) -> int | None:
    for area, department_id in _cached("responsibilities", _responsibilities).get(category.pk, []):
        if region_code.startswith(area):
            return department_id
    return None


def owner_for(level: str, region_code: str) -> str:
    """Grid and community matters are registered by the community; the rest by the street."""
    if len(region_code) >= COMMUNITY_LEN and level in (HandlingLevel.GRID, HandlingLevel.COMMUNITY):
        return region_code[:COMMUNITY_LEN]
    if len(region_code) >= STREET_LEN:
        return region_code[:STREET_LEN]
    return region_code


def route(category: Category | None, region_code: str) -> Route:
    if category is None:
        return Route(owner_for(HandlingLevel.STREET, region_code), None, "")
    level = category.handling_level
    department_id = responsible_department(category, region_code) if level == HandlingLevel.DEPARTMENT else None
    assignee = region_code if level == HandlingLevel.GRID and len(region_code) == GRID_LEN else ""
    return Route(owner_for(level, region_code), department_id, assignee)


def department_name(department_id: int | None) -> str:
    if department_id is None:
        return ""
    names: dict[int, str] = _cached("department_names", lambda: dict(Department.objects.values_list("pk", "name")))
    return names.get(department_id) or str(
        Department.objects.filter(pk=department_id).values_list("name", flat=True).first() or ""
    )


def _categories() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.all()}


def category_by_code(code: str) -> Category | None:
    """The category with this code, from the per-process copy (read again at most a minute later)."""
    return _cached("categories", _categories).get(code)


# ── duplicates ────────────────────────────────────────────────────────────────────────────────────

_EARTH_M_PER_DEG = 111_320.0


@functools.cache
def _duplicate_sql() -> str:
    # Every intake runs this read, and compiling it through the ORM (seven filters) was a quarter of
    # intake's Python time; the statement is fixed, so it is written once. Names come from the model.
    meta = Case._meta
    column = {f.name: f.column for f in meta.concrete_fields}
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    return (
        f"SELECT {meta.pk.column}, {column['lon']}, {column['lat']} FROM {meta.db_table} "  # noqa: S608 (model names)
        f"WHERE {column['region_code']} LIKE %s AND {column['category']} = %s AND {column['status']} IN ({statuses}) "
        f"AND {column['created_at']} >= %s AND {column['lon']} BETWEEN %s AND %s "
        f"AND {column['lat']} BETWEEN %s AND %s ORDER BY {column['created_at']} LIMIT 20"
    )


_DUPLICATE_STATUSES = sorted(OPEN_STATUSES)


def find_duplicate(
    *, category_id: int | None, lon: float | None, lat: float | None, region_code: str, now: dt.datetime | None = None
) -> Case | None:
    """An open case of the same category, reported recently, within the configured radius."""
    if category_id is None or lon is None or lat is None or len(region_code) < COMMUNITY_LEN:
        return None
    if not region_code.isdigit():  # codes are digits; anything else could not match and must not reach LIKE
        return None
    settings = loop_settings()
    now = now or timezone.now()
    radius = float(settings.duplicate_radius_m)
    dlat = radius / _EARTH_M_PER_DEG
    dlon = radius / (_EARTH_M_PER_DEG * max(0.1, math.cos(math.radians(lat))))
    since = connection.ops.adapt_datetimefield_value(now - dt.timedelta(days=settings.duplicate_days))
    params = [
        region_code[:COMMUNITY_LEN] + "%",
        category_id,
        *_DUPLICATE_STATUSES,
        since,
        lon - dlon,
        lon + dlon,
        lat - dlat,
        lat + dlat,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_duplicate_sql(), params)
        rows = cursor.fetchall()
    best: tuple[float, int] | None = None
    for pk, case_lon, case_lat in rows:
        if case_lon is None or case_lat is None:
            continue
        dx = (case_lon - lon) * _EARTH_M_PER_DEG * math.cos(math.radians(lat))
        dy = (case_lat - lat) * _EARTH_M_PER_DEG
        distance = math.hypot(dx, dy)
        if distance <= radius and (best is None or distance < best[0]):
            best = (distance, pk)
    if best is None:
        return None
    return Case.objects.only("pk", "lon", "lat", "number", "title").filter(pk=best[1]).first()
