"""Sparse candidates are exactly the brute-force top K (every pair scored), places known or not."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gongzhi.services.matching import data
from gongzhi.services.matching.candidates import generate
from gongzhi.services.matching.score import SkillMatch, project, score_parts, skill_match


def brute_force(problem: data.Problem, k: int, radius_km: float) -> list[tuple[int, int, int]]:
    lats = np.concatenate([problem.need_lat, problem.vol_lat])
    lat0 = float(np.nanmean(lats))
    nx, ny = project(problem.need_lon, problem.need_lat, lat0)
    vx, vy = project(problem.vol_lon, problem.vol_lat, lat0)
    skills = [tuple(np.array(problem.codes)[row].tolist()) for row in problem.vol_skills]
    found: list[tuple[int, int, int]] = []
    for i in range(problem.n_needs):
        code = problem.codes[problem.need_code[i]]
        day = int(problem.need_day[i])
        scored = []
        for j in range(problem.n_volunteers):
            match = skill_match(code, skills[j])
            if match is SkillMatch.NONE:
                continue
            km = float(np.sqrt((nx[i] - vx[j]) ** 2 + (ny[i] - vy[j]) ** 2))
            if np.isnan(km):
                km_or_none = None
            elif km > radius_km:
                continue
            else:
                km_or_none = km
            available = day < 0 or bool(int(problem.vol_days[j]) >> day & 1)
            total = score_parts(match, km_or_none, available, int(problem.vol_load[j])).total
            scored.append((-total, j))
        found.extend((i, j, -negative) for negative, j in sorted(scored)[:k])
    return found


def as_triples(problem: data.Problem, k: int, radius_km: float) -> list[tuple[int, int, int]]:
    edges = generate(problem, k=k, radius_km=radius_km)
    return list(zip(edges.need.tolist(), edges.vol.tolist(), edges.score.tolist(), strict=True))


@pytest.mark.parametrize(("seed", "k", "radius_km"), [(1, 5, 3.0), (2, 3, 1.0), (3, 30, 3.0), (4, 8, 6.0)])
def test_candidates_are_the_brute_force_top_k(seed: int, k: int, radius_km: float) -> None:
    problem = data.synthetic(60, 400, seed=seed)

    assert as_triples(problem, k, radius_km) == brute_force(problem, k, radius_km)


def test_unknown_places_and_any_day_needs_are_candidates_without_distance() -> None:
    problem = data.synthetic(40, 300, seed=5)
    rng = np.random.default_rng(5)
    need_lon, vol_lon = problem.need_lon.copy(), problem.vol_lon.copy()
    need_lon[rng.random(40) < 0.2] = np.nan
    vol_lon[rng.random(300) < 0.1] = np.nan
    need_day = problem.need_day.copy()
    need_day[::3] = -1
    lat = problem.need_lat.copy()
    lat[np.isnan(need_lon)] = np.nan
    vol_lat = problem.vol_lat.copy()
    vol_lat[np.isnan(vol_lon)] = np.nan
    problem = dataclasses.replace(
        problem, need_lon=need_lon, need_lat=lat, vol_lon=vol_lon, vol_lat=vol_lat, need_day=need_day
    )

    assert as_triples(problem, 6, 2.0) == brute_force(problem, 6, 2.0)


def test_the_synthetic_problem_is_deterministic_and_shaped_as_documented() -> None:
    first, again = data.synthetic(200, 1000, seed=9), data.synthetic(200, 1000, seed=9)

    assert np.array_equal(first.vol_skills, again.vol_skills) and np.array_equal(first.need_lon, again.need_lon)
    assert len(first.codes) == 18 and set(first.vol_skills.sum(axis=1).tolist()) == {1, 2, 3}
    assert set(first.vol_capacity.tolist()) == {1, 2, 3} and (first.vol_days > 0).all()
    lon0, lat0, lon1, lat1 = data.DISTRICT_BBOX
    assert ((first.vol_lon >= lon0) & (first.vol_lon <= lon1) & (first.vol_lat >= lat0) & (first.vol_lat <= lat1)).all()
