"""Sparse candidate generation: for each need, the top K volunteers by score within a radius.

Only volunteers with a skill in the need's major class can be candidates, so volunteers are split by
major class (a volunteer with skills in two classes is in both), and one KD-tree per class on projected
coordinates finds, for all of that class's needs at once, every volunteer within `radius_km`
(`cKDTree.sparse_distance_matrix`, which yields the pairs as arrays, no Python lists). The pairs are
scored with `score.score_array` and cut to the best K per need with one sort of packed integer keys
(need, −score, volunteer). Where a need's or a volunteer's place is unknown, the pair has no distance
(0 distance points) and no radius applies — those are few, and crossed directly.

Ties are broken by the lower volunteer index, so the output is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from gongzhi.services.matching.data import Problem
from gongzhi.services.matching.score import (
    AVAILABLE_POINTS,
    DECAY_KM,
    DISTANCE_POINTS,
    LOAD_POINTS,
    MAX_SCORE,
    SKILL_POINTS_MAJOR,
    SkillMatch,
    major_of,
    project,
    score_array,
)

IntArray = npt.NDArray[np.int64]

DEFAULT_K = 30
SCORE_BITS = MAX_SCORE.bit_length()  # scores pack into this many bits of a sort key


@dataclass(frozen=True)
class Edges:
    """Candidate pairs, grouped by need, best first within a need."""

    need: IntArray
    vol: IntArray
    score: IntArray

    def __len__(self) -> int:
        return int(self.need.size)

    @classmethod
    def empty(cls) -> Edges:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing.copy(), nothing.copy())


def generate(problem: Problem, *, k: int = DEFAULT_K, radius_km: float = DECAY_KM) -> Edges:
    """Every need's best `k` candidates among the volunteers with a skill in its major class within `radius_km`.

    Two tiers. First the volunteers with the need's exact code (a KD-tree per code). A volunteer who
    only shares the major class scores at most MAJOR_CEILING, so the second tier (a KD-tree per code
    over its class's other volunteers) is searched only for needs whose k-th exact score does not
    beat that ceiling — on dense data, few. The result is the same as scoring every pair.
    """
    if problem.n_needs == 0 or problem.n_volunteers == 0:
        return Edges.empty()
    majors = sorted({major_of(code) for code in problem.codes})
    code_major = np.array([majors.index(major_of(code)) for code in problem.codes], dtype=np.int64)
    onehot = np.zeros((len(problem.codes), len(majors)), dtype=np.int64)
    onehot[np.arange(len(problem.codes)), code_major] = 1
    vol_major = (problem.vol_skills.astype(np.int64) @ onehot) > 0

    lats = np.concatenate([problem.need_lat, problem.vol_lat])
    lat0 = float(np.nanmean(lats)) if np.isfinite(lats).any() else 0.0
    space = _Space(*project(problem.need_lon, problem.need_lat, lat0), *project(problem.vol_lon, problem.vol_lat, lat0))

    exact_parts: list[_Pairs] = []
    for c in range(len(problem.codes)):
        needs_c = np.flatnonzero(problem.need_code == c)
        exact_parts.append(space.within(needs_c, np.flatnonzero(problem.vol_skills[:, c]), radius_km))
    exact = _scored(problem, _concat(exact_parts), SkillMatch.EXACT)
    best = top_k(*exact, k, problem.n_volunteers)

    # Needs whose k-th exact candidate does not beat every possible same-class candidate.
    counts = np.bincount(best.need, minlength=problem.n_needs)
    kth = np.full(problem.n_needs, -1, dtype=np.int64)
    full = counts >= k
    if k > 0 and full.any():
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        kth[full] = best.score[starts[full] + k - 1]
    open_needs = kth <= MAJOR_CEILING
    major_parts: list[_Pairs] = []
    for c in range(len(problem.codes)):
        needs_c = np.flatnonzero((problem.need_code == c) & open_needs)
        siblings = np.flatnonzero(vol_major[:, code_major[c]] & ~problem.vol_skills[:, c])
        if needs_c.size and siblings.size:
            major_parts.append(space.within(needs_c, siblings, radius_km))
    if not major_parts:
        return best
    major = _scored(problem, _concat(major_parts), SkillMatch.MAJOR)
    return top_k(
        np.concatenate([best.need, major[0]]),
        np.concatenate([best.vol, major[1]]),
        np.concatenate([best.score, major[2]]),
        k,
        problem.n_volunteers,
    )


MAJOR_CEILING = SKILL_POINTS_MAJOR + DISTANCE_POINTS + AVAILABLE_POINTS + LOAD_POINTS

_Pairs = tuple[IntArray, IntArray, npt.NDArray[np.float64]]


@dataclass(frozen=True)
class _Space:
    """Needs' and volunteers' projected coordinates (km); NaN where the place is unknown."""

    nx: npt.NDArray[np.float64]
    ny: npt.NDArray[np.float64]
    vx: npt.NDArray[np.float64]
    vy: npt.NDArray[np.float64]

    def within(self, needs: IntArray, vols: IntArray, radius_km: float) -> _Pairs:
        """(need, volunteer, km) for the pairs within the radius; where either place is unknown, every
        pair with km NaN."""
        parts: list[_Pairs] = []
        need_known = np.isfinite(self.nx[needs])
        vol_known = np.isfinite(self.vx[vols])
        n_in, v_in = needs[need_known], vols[vol_known]
        if n_in.size and v_in.size:
            need_tree = cKDTree(np.column_stack([self.nx[n_in], self.ny[n_in]]))
            vol_tree = cKDTree(np.column_stack([self.vx[v_in], self.vy[v_in]]))
            pairs = need_tree.sparse_distance_matrix(vol_tree, radius_km, output_type="ndarray")
            parts.append((n_in[pairs["i"]], v_in[pairs["j"]], pairs["v"].astype(np.float64)))
        for n_side, v_side in ((needs[~need_known], vols), (n_in, vols[~vol_known])):
            if n_side.size and v_side.size:
                size = n_side.size * v_side.size
                parts.append((np.repeat(n_side, v_side.size), np.tile(v_side, n_side.size), np.full(size, np.nan)))
        return _concat(parts)


def _concat(parts: list[_Pairs]) -> _Pairs:
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def _scored(problem: Problem, pairs: _Pairs, match: SkillMatch) -> tuple[IntArray, IntArray, IntArray]:
    need, vol, km = pairs
    day = problem.need_day[need]
    available = (day < 0) | ((problem.vol_days[vol] >> np.maximum(day, 0)) & 1).astype(np.bool_)
    matches = np.full(need.size, int(match), dtype=np.int64)
    return need, vol, score_array(matches, km, available, problem.vol_load[vol])


def top_k(need: IntArray, vol: IntArray, scores: IntArray, k: int, n_volunteers: int) -> Edges:
    """The best `k` pairs of each need (higher score, then lower volunteer index), grouped by need."""
    if need.size == 0:
        return Edges.empty()
    vol_bits = max(int(n_volunteers - 1).bit_length(), 1)
    need_bits = max(int(need.max()).bit_length(), 1) if need.size else 1
    if need_bits + SCORE_BITS + vol_bits > 63:
        raise ValueError("problem too large to pack into 63-bit sort keys")
    keys = (need << (SCORE_BITS + vol_bits)) | ((MAX_SCORE - scores) << vol_bits) | vol
    keys.sort()
    need_s = keys >> (SCORE_BITS + vol_bits)
    starts = np.flatnonzero(np.r_[True, need_s[1:] != need_s[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    rank = np.arange(keys.size) - np.repeat(starts, sizes)
    kept = keys[rank < k]
    return Edges(
        need=kept >> (SCORE_BITS + vol_bits),
        vol=kept & ((1 << vol_bits) - 1),
        score=MAX_SCORE - ((kept >> vol_bits) & ((1 << SCORE_BITS) - 1)),
    )
