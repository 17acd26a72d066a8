"""Matching from the database: the ranked candidates for one need, and a campaign's batch assignment.

Who is eligible for a need in a set of communities: active volunteers whose community is one of them,
or who have an approved MemberRegistration in one of them (双报到; pending, rejected and withdrawn ones
do not count) — the rule of `gongzhi.registrations.access.communities_served`, here in one query.
Their recent load is their ServiceRecords served in the LOAD_WINDOW_DAYS days up to `on`, plus any
open assignments the caller counts (`open_load`: volunteer id → wishes/orders taken and not yet done),
so the same few people are not always asked. Scores: `score.py` (docs/matching.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.db.models import Count, Q, QuerySet

from gongzhi.regions.models import Building
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus
from gongzhi.services.matching import candidates, solve
from gongzhi.services.matching.data import Problem
from gongzhi.services.matching.score import (
    LOAD_WINDOW_DAYS,
    NeedSpec,
    Score,
    SkillMatch,
    VolunteerSpec,
    score,
)
from gongzhi.volunteers.models import ServiceRecord, Volunteer

__all__ = [
    "BatchResult",
    "Candidate",
    "NeedSpec",
    "batch_assign",
    "eligible_volunteers",
    "recent_loads",
    "top_candidates",
]


@dataclass(frozen=True)
class Candidate:
    """One ranked volunteer, with the parts of the score so a page can explain the ranking."""

    volunteer: Volunteer
    score: int  # 0–1000
    parts: Score  # points per part, and the facts: match, km, available, load
    recent_services: int  # ServiceRecords in the window
    open_assignments: int

    @property
    def exact_skill(self) -> bool:
        return self.parts.match is SkillMatch.EXACT

    @property
    def km(self) -> float | None:
        return self.parts.km

    @property
    def available(self) -> bool:
        return self.parts.available

    @property
    def recent_load(self) -> int:
        return self.parts.load


def eligible_volunteers(community_ids: Iterable[int], *, signed_in_only: bool = False) -> QuerySet[Volunteer]:
    """Active volunteers who may serve in any of the communities (home community or approved registration).

    `signed_in_only`: only those with an active sign-in — who can be told, and claim a wish themselves.
    """
    ids = list(community_ids)
    registered = MemberRegistration.objects.filter(community_id__in=ids, status=RegistrationStatus.APPROVED).values(
        "volunteer_id"
    )
    rows = Volunteer.objects.filter(is_active=True).filter(Q(community_id__in=ids) | Q(id__in=registered))
    return rows.filter(user__isnull=False, user__is_active=True) if signed_in_only else rows


def recent_loads(volunteers: QuerySet[Volunteer], on: dt.date) -> dict[int, int]:
    """Volunteer id → ServiceRecords served in the LOAD_WINDOW_DAYS days ending on `on` (one query)."""
    since = on - dt.timedelta(days=LOAD_WINDOW_DAYS)
    rows = (
        ServiceRecord.objects.filter(volunteer__in=volunteers.values("id"), served_on__gt=since, served_on__lte=on)
        .values("volunteer_id")
        .annotate(n=Count("id"))
        .values_list("volunteer_id", "n")
    )
    return {volunteer_id: n for volunteer_id, n in rows if volunteer_id is not None}


def _spec(volunteer: Volunteer, load: int) -> VolunteerSpec:
    building = volunteer.building
    return VolunteerSpec(
        id=volunteer.pk,
        skills=tuple(str(code) for code in volunteer.skills or ()),
        lon=building.lon if building is not None else None,
        lat=building.lat if building is not None else None,
        available_days=volunteer.available_days,
        load=load,
    )


def top_candidates(
    *,
    category_code: str,
    building: Building | None,
    community_ids: Iterable[int],
    on: dt.date,
    limit: int = 10,
    exclude_volunteer_ids: Iterable[int] = (),
    open_load: Mapping[int, int] | None = None,
    place: tuple[float, float] | None = None,
    signed_in_only: bool = False,
) -> list[Candidate]:
    """The best `limit` eligible volunteers for a need of `category_code` at `building` on day `on`.

    `place` (lon, lat) stands for the building when none is known (a community's label point, say);
    `signed_in_only` leaves out volunteers without an active sign-in (they could not claim a wish).
    Only volunteers with a skill in the need's major class are candidates. Order: score, then the
    nearer, then the lower id. Three queries whatever the number of volunteers.
    """
    volunteers = eligible_volunteers(community_ids, signed_in_only=signed_in_only).exclude(
        id__in=list(exclude_volunteer_ids)
    )
    lon, lat = (building.lon, building.lat) if building is not None else (place or (None, None))
    need = NeedSpec(id=0, category_code=category_code, lon=lon, lat=lat, day=on)
    loads = recent_loads(volunteers, on)
    opened = open_load or {}
    ranked: list[Candidate] = []
    for volunteer in volunteers.select_related("person", "building"):
        recent, open_count = loads.get(volunteer.pk, 0), int(opened.get(volunteer.pk, 0))
        parts = score(need, _spec(volunteer, recent + open_count))
        if parts is not None:
            ranked.append(Candidate(volunteer, parts.total, parts, recent, open_count))
    ranked.sort(key=lambda c: (-c.score, math.inf if c.km is None else c.km, c.volunteer.pk))
    return ranked[:limit]


# Past DECAY_KM a volunteer earns no distance points but can still serve; a campaign's needs and
# volunteers are already limited to its communities, so the batch looks as far as a street reaches.
BATCH_RADIUS_KM = 10.0


@dataclass(frozen=True)
class BatchResult:
    pairs: list[tuple[int, int, int]]  # (need id, volunteer id, score)
    unassigned: list[int]  # need ids left without a volunteer
    total: int
    # need id → its candidate volunteers (skill in class, within the radius, allowed there), capacity
    # left or not: 0 means nobody could take it; more means their capacity went to other needs.
    candidates: dict[int, int] = field(default_factory=dict)


def batch_assign(
    needs: Sequence[NeedSpec],
    *,
    community_ids: Iterable[int],
    on: dt.date,
    capacities: Mapping[int, int] | None = None,
    open_load: Mapping[int, int] | None = None,
    k: int = candidates.DEFAULT_K,
    radius_km: float = BATCH_RADIUS_KM,
    objective: solve.Objective = "coverage",
    need_communities: Mapping[int, Iterable[int]] | None = None,
    signed_in_only: bool = False,
) -> BatchResult:
    """Assign a campaign's needs to the communities' eligible volunteers, optimally (docs/matching.md).

    A volunteer takes at most `capacities[id]` needs; by default what is left of their monthly capacity
    after their recent services and open assignments. Each need gets its top `k` candidates within
    `radius_km` (at any distance when a place is unknown); by default as many needs as possible are
    served ("coverage"), then the total score is the largest.

    `need_communities` (need id → community ids) says where each need may be served from when that
    differs from need to need — a street campaign's community-board wishes take only volunteers who
    serve in their own community: a pair is a candidate only when the volunteer serves in one of the
    need's communities (home or approved registration). Needs not in the mapping take anyone eligible
    in `community_ids`. The pairs are then filtered before the cut to `k`, so the result stays exact;
    it scores every pair within the radius, which is meant for a street's scale, not the benchmark's.
    `signed_in_only` leaves out volunteers without an active sign-in (they could not claim a wish).
    """
    community_ids = list(community_ids)
    wanted = {nid: sorted(set(ids)) for nid, ids in (need_communities or {}).items()}
    pool = sorted(set(community_ids).union(*wanted.values()))
    volunteers = eligible_volunteers(pool, signed_in_only=signed_in_only)
    loads = recent_loads(volunteers, on)
    opened = open_load or {}
    rows = list(volunteers.select_related("building").order_by("id"))
    specs = [_spec(v, loads.get(v.pk, 0) + int(opened.get(v.pk, 0))) for v in rows]
    codes = sorted({n.category_code for n in needs} | {s for spec in specs for s in spec.skills})
    column = {code: i for i, code in enumerate(codes)}
    skills = np.zeros((len(specs), len(codes)), dtype=np.bool_)
    for i, spec in enumerate(specs):
        skills[i, [column[s] for s in spec.skills]] = True
    if capacities is None:
        capacity = [max(0, v.monthly_capacity - spec.load) for v, spec in zip(rows, specs, strict=True)]
    else:
        capacity = [int(capacities.get(v.pk, 0)) for v in rows]

    def coords(values: Iterable[float | None]) -> npt.NDArray[np.float64]:
        return np.array([np.nan if x is None else x for x in values], dtype=np.float64)

    problem = Problem(
        codes=tuple(codes),
        need_code=np.array([column[n.category_code] for n in needs], dtype=np.int64),
        need_lon=coords(n.lon for n in needs),
        need_lat=coords(n.lat for n in needs),
        need_day=np.array([-1 if n.day is None else n.day.weekday() for n in needs], dtype=np.int64),
        vol_lon=coords(s.lon for s in specs),
        vol_lat=coords(s.lat for s in specs),
        vol_skills=skills,
        vol_days=np.array([s.available_days for s in specs], dtype=np.int64),
        vol_load=np.array([s.load for s in specs], dtype=np.int64),
        vol_capacity=np.array(capacity, dtype=np.int64),
    )
    if need_communities is None:
        edges = candidates.generate(problem, k=k, radius_km=radius_km)
    else:
        everyone = candidates.generate(problem, k=max(problem.n_volunteers, 1), radius_km=radius_km)
        allowed = _allowed(everyone, needs, rows, community_ids, wanted)
        edges = candidates.top_k(
            everyone.need[allowed], everyone.vol[allowed], everyone.score[allowed], k, max(problem.n_volunteers, 1)
        )
    result = solve.optimal_assignment(problem.n_needs, problem.vol_capacity, edges, objective)
    pairs = [
        (needs[n].id, rows[v].pk, s)
        for n, v, s in zip(result.need.tolist(), result.vol.tolist(), result.score.tolist(), strict=True)
    ]
    served = set(result.need.tolist())
    counts = np.bincount(edges.need, minlength=len(needs)).tolist() if len(needs) else []
    return BatchResult(
        pairs,
        [need.id for i, need in enumerate(needs) if i not in served],
        result.total,
        {need.id: int(counts[i]) for i, need in enumerate(needs)},
    )


def _allowed(
    edges: candidates.Edges,
    needs: Sequence[NeedSpec],
    rows: list[Volunteer],
    community_ids: list[int],
    need_communities: Mapping[int, list[int]],
) -> npt.NDArray[np.bool_]:
    """Which candidate pairs join a volunteer to a need they may serve (their communities meet the need's)."""
    every = sorted(set(community_ids).union(*need_communities.values()))
    columns = {c: i for i, c in enumerate(every)}
    need_in = np.zeros((len(needs), len(columns)), dtype=np.bool_)
    for i, need in enumerate(needs):
        need_in[i, [columns[c] for c in need_communities.get(need.id, community_ids)]] = True
    row_of = {v.pk: i for i, v in enumerate(rows)}
    vol_in = np.zeros((len(rows), len(columns)), dtype=np.bool_)
    for v in rows:
        if v.community_id in columns:
            vol_in[row_of[v.pk], columns[v.community_id]] = True
    for volunteer_id, community_id in MemberRegistration.objects.filter(
        volunteer_id__in=list(row_of), community_id__in=list(columns), status=RegistrationStatus.APPROVED
    ).values_list("volunteer_id", "community_id"):
        vol_in[row_of[volunteer_id], columns[community_id]] = True
    if edges.need.size == 0:
        return np.zeros(0, dtype=np.bool_)
    return np.asarray((need_in[edges.need] & vol_in[edges.vol]).any(axis=1), dtype=np.bool_)
