"""The one score: parts, the no-candidate case, and the scalar and vectorised forms agreeing to the point."""

from __future__ import annotations

import datetime as dt

import numpy as np

from gongzhi.services.matching.score import (
    MAX_SCORE,
    NeedSpec,
    SkillMatch,
    VolunteerSpec,
    distance_km,
    major_of,
    score,
    score_array,
    score_parts,
    skill_match,
)

MONDAY = dt.date(2026, 11, 16)


def test_an_exact_skill_next_door_available_and_idle_scores_the_maximum() -> None:
    need = NeedSpec(1, "ELD01", 118.81, 32.145, MONDAY)
    volunteer = VolunteerSpec(7, ("ELD01",), 118.81, 32.145, available_days=0b0000001, load=0)

    result = score(need, volunteer)

    assert result is not None and result.total == MAX_SCORE == 1000
    assert (result.skill_points, result.distance_points, result.availability_points, result.load_points) == (
        400,
        300,
        150,
        150,
    )
    assert (result.match, result.km, result.available, result.load) == (SkillMatch.EXACT, 0.0, True, 0)


def test_each_part_lowers_the_score_as_documented() -> None:
    need = NeedSpec(1, "ELD01", 118.81, 32.145, MONDAY)
    sibling = score(need, VolunteerSpec(1, ("ELD02",), 118.81, 32.145))
    far = score(need, VolunteerSpec(2, ("ELD01",), 118.81 + 0.016, 32.145))  # about 1.5 km east
    away_monday = score(need, VolunteerSpec(3, ("ELD01",), 118.81, 32.145, available_days=0b1111110))
    busy = score(need, VolunteerSpec(4, ("ELD01",), 118.81, 32.145, load=2))

    assert sibling is not None and sibling.match is SkillMatch.MAJOR and sibling.total == 800
    assert far is not None and far.km is not None and 1.4 < far.km < 1.6 and 840 < far.total < 860
    assert away_monday is not None and not away_monday.available and away_monday.total == 850
    assert busy is not None and busy.load_points == 50 and busy.total == 900


def test_no_skill_in_the_class_is_not_a_candidate_and_unknown_places_get_no_distance_points() -> None:
    need = NeedSpec(1, "FIX01", None, None, None)

    assert score(need, VolunteerSpec(1, ("ELD01", "LAW01"), 118.8, 32.1)) is None
    unknown = score(need, VolunteerSpec(2, ("FIX",), 118.8, 32.1))
    assert major_of("FIX01") == "FIX" and skill_match("FIX01", ["FIX"]) is SkillMatch.MAJOR
    assert unknown is not None and unknown.km is None and unknown.distance_points == 0
    assert unknown.available  # a need without a day counts every volunteer as available


def test_distance_is_the_great_circle_within_a_district() -> None:
    # corner to corner of the demo district: 31.7031 km by haversine
    km = distance_km(118.78, 32.05, 119.02, 32.25)
    assert abs(km - 31.7031) < 0.001


def test_the_vectorised_score_agrees_with_the_scalar_one_everywhere() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    match = rng.integers(1, 3, n)
    km = rng.uniform(0, 4, n)
    km[rng.random(n) < 0.05] = np.nan
    km[:4] = [0.0, 3.0, 1.5, 0.005]  # boundaries and a half-point
    available = rng.random(n) < 0.5
    load = rng.integers(0, 200, n)

    vector = score_array(match, km, available, load)

    scalar = [
        score_parts(SkillMatch(int(m)), None if np.isnan(k) else float(k), bool(a), int(x)).total
        for m, k, a, x in zip(match, km, available, load, strict=True)
    ]
    assert vector.tolist() == scalar
    assert vector.min() >= 200 and vector.max() <= MAX_SCORE
