"""A matching problem as arrays, and a deterministic synthetic one for the benchmark and tests.

`Problem` is what `candidates.generate` reads: needs (category, place, weekday) and volunteers (place,
skills as a boolean matrix over `codes`, available days, recent load, capacity). `ranking.batch_assign`
builds one from database rows; `synthetic` generates one over the demo district.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gongzhi.services.taxonomy_data import minor_codes

DISTRICT_BBOX = (118.78, 32.05, 119.02, 32.25)  # lon/lat extent of the demo district, roughly


@dataclass(frozen=True)
class Problem:
    codes: tuple[str, ...]  # the category codes columns of `vol_skills` and values of `need_code` refer to
    need_code: npt.NDArray[np.int64]  # index into codes
    need_lon: npt.NDArray[np.float64]  # NaN: place unknown
    need_lat: npt.NDArray[np.float64]
    need_day: npt.NDArray[np.int64]  # weekday 0 (Monday)–6, or -1 for any day
    vol_lon: npt.NDArray[np.float64]
    vol_lat: npt.NDArray[np.float64]
    vol_skills: npt.NDArray[np.bool_]  # volunteers × codes
    vol_days: npt.NDArray[np.int64]  # available_days bitmask, bit 0 Monday
    vol_load: npt.NDArray[np.int64]
    vol_capacity: npt.NDArray[np.int64]

    @property
    def n_needs(self) -> int:
        return int(self.need_code.size)

    @property
    def n_volunteers(self) -> int:
        return int(self.vol_lon.size)


def synthetic(needs: int, volunteers: int, seed: int = 1, codes: Sequence[str] | None = None) -> Problem:
    """Needs and volunteers living in buildings clustered around community centres of the demo district.

    Volunteers have 1–3 distinct skills (popularity skewed), capacity 1–3, each weekday available with
    probability 0.6 (at least one), recent load 0–5 (geometric). Needs' categories are skewed the same
    way (elderly care and repairs are asked for most), their weekday uniform.
    """
    rng = np.random.default_rng(seed)
    codes = tuple(codes or minor_codes())
    n_codes = len(codes)
    popularity = rng.permutation(1.0 / np.arange(1, n_codes + 1) ** 0.7)
    popularity /= popularity.sum()

    lon0, lat0, lon1, lat1 = DISTRICT_BBOX
    centres = np.column_stack([rng.uniform(lon0, lon1, 60), rng.uniform(lat0, lat1, 60)])
    buildings = max(50, (needs + volunteers) // 25)
    which = rng.integers(0, len(centres), buildings)
    spread = rng.normal(0.0, 0.012, (buildings, 2))
    places = np.clip(centres[which] + spread, (lon0, lat0), (lon1, lat1))

    need_building = rng.integers(0, buildings, needs)
    vol_building = rng.integers(0, buildings, volunteers)

    skills = np.zeros((volunteers, n_codes), dtype=np.bool_)
    count = rng.integers(1, 4, volunteers)
    # Distinct skills per volunteer: the first `count` of a random permutation weighted by popularity
    # (Gumbel top-k), vectorised over all volunteers.
    keys = np.log(popularity)[None, :] - np.log(-np.log(rng.random((volunteers, n_codes))))
    ranked = np.argsort(-keys, axis=1)
    for j in range(3):
        has = count > j
        skills[np.flatnonzero(has), ranked[has, j]] = True

    days = (rng.random((volunteers, 7)) < 0.6).astype(np.int64)
    days[days.sum(axis=1) == 0, rng.integers(0, 7)] = 1
    mask = (days << np.arange(7)).sum(axis=1)

    return Problem(
        codes=codes,
        need_code=rng.choice(n_codes, size=needs, p=popularity).astype(np.int64),
        need_lon=places[need_building, 0].copy(),
        need_lat=places[need_building, 1].copy(),
        need_day=rng.integers(0, 7, needs).astype(np.int64),
        vol_lon=places[vol_building, 0].copy(),
        vol_lat=places[vol_building, 1].copy(),
        vol_skills=skills,
        vol_days=mask.astype(np.int64),
        vol_load=np.minimum(rng.geometric(0.5, volunteers) - 1, 5).astype(np.int64),
        vol_capacity=rng.integers(1, 4, volunteers).astype(np.int64),
    )
