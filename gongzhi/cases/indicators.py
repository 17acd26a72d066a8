"""The loop's indicators (docs/indicators.md has the formulas); pages, API and export all call this.

Cases are counted in the period they were reported in (created_at, Asia/Shanghai calendar), except
those not registered or merged into another (they were never work). Each indicator is a ratio of
plain counts over columns frozen when the event happened, so a month of a street is one indexed
aggregate query, whatever the table's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr

from gongzhi.cases import routing, sla
from gongzhi.cases.models import OPEN_STATUSES, Case, Rating, Resolution, Status

GROUPS = ("region", "department", "category", "none")
_EXCLUDED = (Status.REJECTED, Status.MERGED)

_COUNTS = {
    "total": Count("pk"),
    "dispatched": Count("pk", filter=Q(dispatched_at__isnull=False)),
    "responded_on_time": Count("pk", filter=Q(responded_on_time=True)),
    "handled": Count("pk", filter=Q(handled_at__isnull=False)),
    "handled_on_time": Count("pk", filter=Q(handled_on_time=True, handled_at__isnull=False)),
    "closed": Count("pk", filter=Q(status=Status.CLOSED)),
    "solved": Count("pk", filter=Q(status=Status.CLOSED, resolution=Resolution.SOLVED)),
    "rated": Count("pk", filter=~Q(rating="")),
    "satisfied": Count("pk", filter=Q(rating__in=(Rating.SATISFIED, Rating.BASIC))),
    "reworked": Count("pk", filter=Q(rework_count__gt=0, handled_at__isnull=False)),
    "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
    "overdue": Count("pk", filter=Q(is_overdue=True, status__in=OPEN_STATUSES)),
}


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


@dataclass(frozen=True, slots=True)
class Weights:
    response: int = 30
    solution: int = 35
    satisfaction: int = 35


@dataclass(frozen=True, slots=True)
class Row:
    key: str  # region code, department id, category code, or "" for the whole
    counts: dict[str, int]
    response_rate: float | None  # 响应率
    on_time_rate: float | None  # 按期办结率
    solution_rate: float | None  # 解决率
    satisfaction_rate: float | None  # 满意率
    rework_rate: float | None  # 返工率
    score: float | None  # 综合得分, 0–100

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def weights() -> Weights:
    s = routing.loop_settings()
    return Weights(s.weight_response, s.weight_solution, s.weight_satisfaction)


def row_from_counts(key: str, counts: dict[str, int], w: Weights) -> Row:
    response = _ratio(counts["responded_on_time"], counts["dispatched"])
    solution = _ratio(counts["solved"], counts["closed"])
    satisfaction = _ratio(counts["satisfied"], counts["rated"])
    parts = [(w.response, response), (w.solution, solution), (w.satisfaction, satisfaction)]
    # An indicator with nothing to measure is left out and the others' weights carry the score.
    present = [(weight, value) for weight, value in parts if value is not None]
    total_weight = sum(weight for weight, _value in present)
    score = round(sum(weight * value for weight, value in present) * 100 / total_weight, 2) if total_weight else None
    return Row(
        key=key,
        counts=counts,
        response_rate=response,
        on_time_rate=_ratio(counts["handled_on_time"], counts["handled"]),
        solution_rate=solution,
        satisfaction_rate=satisfaction,
        rework_rate=_ratio(counts["reworked"], counts["handled"]),
        score=score,
    )


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end] as local calendar days → an aware half-open interval."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=sla.LOCAL)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=sla.LOCAL)
    return lo, hi


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def compute(
    cases: QuerySet[Case],
    *,
    start: dt.date,
    end: dt.date,
    region: str = "",
    group: str = "none",
    region_level_len: int = 0,
    w: Weights | None = None,
) -> list[Row]:
    """Indicators of `cases` (already scoped to the user) reported between start and end inclusive.

    group: "region" (by the code prefix of length region_level_len: 9 street, 12 community,
    15 grid), "department", "category" (by class), or "none" for one row.
    """
    if group not in GROUPS:
        raise ValueError(f"group must be one of {GROUPS}")
    w = w or weights()
    lo, hi = period_bounds(start, end)
    qs = cases.filter(created_at__gte=lo, created_at__lt=hi).exclude(status__in=_EXCLUDED)
    if region:
        qs = qs.filter(region_code__startswith=region)
    if group == "none":
        counts = qs.aggregate(**_COUNTS)
        return [row_from_counts(region, {k: int(v or 0) for k, v in counts.items()}, w)]
    if group == "region":
        length = region_level_len or (len(region) + 3 if len(region) >= 9 else 9)
        grouped = qs.annotate(key=Substr("region_code", 1, length))
    elif group == "department":
        grouped = qs.filter(department__isnull=False).annotate(key=F("department__name"))
    else:
        grouped = qs.filter(category__isnull=False).annotate(key=F("category__parent__code"))
    rows = grouped.values("key").annotate(**_COUNTS).order_by("key")
    out = []
    for r in rows:
        key = str(r.pop("key") or "")
        out.append(row_from_counts(key, {k: int(v or 0) for k, v in r.items()}, w))
    return out
