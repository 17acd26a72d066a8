"""The one score of a volunteer for a need, as integers 0–1000 so the flow solver is exact.

    score = skill (exact minor code 400, same major class 200, else not a candidate)
          + distance (300 at the door, falling linearly to 0 at DECAY_KM; 0 when either place is unknown)
          + availability (150 when the need's weekday is in the volunteer's `available_days`)
          + load (150 // (1 + recent load): services in the last 30 days plus open assignments)

The scalar `score` (single-need ranking) and the vectorised `score_array` (batch) use the same
arithmetic in the same order, so they agree to the point (tests/matching/test_score.py).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

SKILL_POINTS_EXACT = 400
SKILL_POINTS_MAJOR = 200
DISTANCE_POINTS = 300
DECAY_KM = 3.0
AVAILABLE_POINTS = 150
LOAD_POINTS = 150
MAX_SCORE = SKILL_POINTS_EXACT + DISTANCE_POINTS + AVAILABLE_POINTS + LOAD_POINTS  # 1000
LOAD_WINDOW_DAYS = 30
EARTH_RADIUS_KM = 6371.0088

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class SkillMatch(IntEnum):
    NONE = 0
    MAJOR = 1  # a skill in the same major class (ELD02 for an ELD01 need, or the class code ELD itself)
    EXACT = 2  # the need's own category code


@dataclass(frozen=True)
class NeedSpec:
    """What matching needs to know of a need: its category, where (its building), and which day."""

    id: int
    category_code: str
    lon: float | None
    lat: float | None
    day: dt.date | None = None  # None: any day (availability then always counts)


@dataclass(frozen=True)
class VolunteerSpec:
    id: int
    skills: tuple[str, ...]
    lon: float | None
    lat: float | None
    available_days: int = 0b1111111  # bit 0 is Monday
    load: int = 0  # services in the last LOAD_WINDOW_DAYS days + open assignments


@dataclass(frozen=True)
class Score:
    """A score and its parts (points), with the facts behind them, so a page can explain a ranking."""

    total: int
    skill_points: int
    distance_points: int
    availability_points: int
    load_points: int
    match: SkillMatch
    km: float | None
    available: bool
    load: int


def major_of(code: str) -> str:
    """ELD01 → ELD; a major class code is its own major."""
    return code.rstrip("0123456789")


def skill_match(category_code: str, skills: tuple[str, ...] | list[str]) -> SkillMatch:
    if category_code in skills:
        return SkillMatch.EXACT
    major = major_of(category_code)
    return SkillMatch.MAJOR if any(major_of(skill) == major for skill in skills) else SkillMatch.NONE


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Local equirectangular distance — within a district it is within 0.1 % of the great circle."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2.0))
    y = math.radians(lat2 - lat1)
    return EARTH_RADIUS_KM * math.hypot(x, y)


def project(lon: FloatArray, lat: FloatArray, lat0: float) -> tuple[FloatArray, FloatArray]:
    """Lon/lat (degrees) → km on a plane tangent at latitude lat0; distances there are `distance_km`'s."""
    scale = EARTH_RADIUS_KM * math.pi / 180.0
    return lon * (scale * math.cos(math.radians(lat0))), lat * scale


def available_on(available_days: int, weekday: int | None) -> bool:
    return weekday is None or bool(available_days >> weekday & 1)


def score(need: NeedSpec, volunteer: VolunteerSpec) -> Score | None:
    """The volunteer's score for the need, or None when no skill matches (not a candidate)."""
    match = skill_match(need.category_code, volunteer.skills)
    if match is SkillMatch.NONE:
        return None
    km = None
    if None not in (need.lon, need.lat, volunteer.lon, volunteer.lat):
        km = distance_km(need.lon, need.lat, volunteer.lon, volunteer.lat)  # type: ignore[arg-type]
    weekday = need.day.weekday() if need.day is not None else None
    return score_parts(match, km, available_on(volunteer.available_days, weekday), volunteer.load)


def score_parts(match: SkillMatch, km: float | None, available: bool, load: int) -> Score:
    skill = SKILL_POINTS_EXACT if match is SkillMatch.EXACT else SKILL_POINTS_MAJOR
    distance = 0 if km is None else math.floor(min(max(1.0 - km / DECAY_KM, 0.0), 1.0) * DISTANCE_POINTS + 0.5)
    availability = AVAILABLE_POINTS if available else 0
    load_points = LOAD_POINTS // (1 + max(load, 0))
    total = skill + distance + availability + load_points
    return Score(total, skill, distance, availability, load_points, match, km, available, load)


def score_array(match: IntArray, km: FloatArray, available: BoolArray, load: IntArray) -> IntArray:
    """Vectorised `score_parts`: match is SkillMatch values (all ≥ MAJOR), km NaN where unknown.

    Same operations in the same order as `score_parts`, done in place (millions of pairs per batch).
    """
    closeness = np.where(np.isnan(km), DECAY_KM, km)  # unknown → as far as DECAY_KM → 0 points
    closeness /= DECAY_KM
    np.subtract(1.0, closeness, out=closeness)
    np.maximum(closeness, 0.0, out=closeness)
    np.minimum(closeness, 1.0, out=closeness)
    closeness *= DISTANCE_POINTS
    closeness += 0.5
    np.floor(closeness, out=closeness)
    total = closeness.astype(np.int64)
    total += np.where(match == SkillMatch.EXACT, SKILL_POINTS_EXACT, SKILL_POINTS_MAJOR)
    total += np.where(available, AVAILABLE_POINTS, 0)
    total += _LOAD_TABLE[np.clip(load, 0, _LOAD_TABLE.size - 1)]
    return total


_LOAD_TABLE = np.array([LOAD_POINTS // (1 + load) for load in range(LOAD_POINTS + 1)], dtype=np.int64)
