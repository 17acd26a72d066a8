"""WGS-84 ⇄ GCJ-02 ⇄ BD-09, the coordinate systems Chinese map SDKs hand us.

Grid geometry is stored in WGS-84.  Phones on Chinese map SDKs report GCJ-02 (AMap, Tencent) or
BD-09 (Baidu), which are deliberately offset by a few hundred metres, so every incoming point is
converted before it is located.

The forward formulas are the well-known public ones.  Only WGS-84 → GCJ-02 and GCJ-02 → BD-09 are
defined by them; the usual "inverse" formulas are one-step approximations, off by 1-3 m around
Nanjing (up to ~6 m elsewhere in China) for GCJ-02 and ~0.2 m for BD-09 (measured against the
forward maps), which is enough to put a point on the wrong side of a grid edge.  We invert both
forward maps iteratively instead: their Jacobians are within a few percent of the identity, so the
fixed-point iteration x ← x − (F(x) − target) gains orders of magnitude per step.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

WGS84: Final = "wgs84"
GCJ02: Final = "gcj02"
BD09: Final = "bd09"
CRS_NAMES: Final = frozenset({WGS84, GCJ02, BD09})

_A = 6378245.0  # Krasovsky 1940 semi-major axis, which GCJ-02 is built on
_EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

# Stop iterating well below the 1e-7° (≈1 cm) that grid edges are stored at.
_TOLERANCE = 1e-10
_MAX_ITERATIONS = 30


# ------------------------------------------------------------------ shared formulas
# Written once over a math-like namespace `xp` (math for scalars, numpy for arrays) so the scalar
# and vectorised paths cannot drift apart.


def _gcj_shift(lon: Any, lat: Any, xp: Any) -> tuple[Any, Any]:
    """GCJ-02 minus WGS-84 at a WGS-84 point inside China."""
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    waves = (20.0 * xp.sin(6.0 * x * pi) + 20.0 * xp.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * xp.sqrt(xp.fabs(x))
    dlat = dlat + waves + (20.0 * xp.sin(y * pi) + 40.0 * xp.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * xp.sin(y / 12.0 * pi) + 320.0 * xp.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * xp.sqrt(xp.fabs(x))
    dlon = dlon + waves + (20.0 * xp.sin(x * pi) + 40.0 * xp.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * xp.sin(x / 12.0 * pi) + 300.0 * xp.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1.0 - _EE * xp.sin(rad) ** 2
    sqrt_magic = xp.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * xp.cos(rad) * pi)
    return dlon, dlat


def _bd_forward(lon: Any, lat: Any, xp: Any) -> tuple[Any, Any]:
    z = xp.sqrt(lon * lon + lat * lat) + 0.00002 * xp.sin(lat * _X_PI)
    theta = xp.arctan2(lat, lon) + 0.000003 * xp.cos(lon * _X_PI)
    return z * xp.cos(theta) + 0.0065, z * xp.sin(theta) + 0.006


def _bd_backward_guess(lon: Any, lat: Any, xp: Any) -> tuple[Any, Any]:
    """The classic one-step inverse: only a starting point for the iteration."""
    x, y = lon - 0.0065, lat - 0.006
    z = xp.sqrt(x * x + y * y) - 0.00002 * xp.sin(y * _X_PI)
    theta = xp.arctan2(y, x) - 0.000003 * xp.cos(x * _X_PI)
    return z * xp.cos(theta), z * xp.sin(theta)


class _ScalarMath:
    """`math` spelled like numpy, so the shared formulas see one vocabulary."""

    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    sqrt = staticmethod(math.sqrt)
    fabs = staticmethod(math.fabs)
    arctan2 = staticmethod(math.atan2)


# -------------------------------------------------------------------------- scalars


def out_of_china(lon: float, lat: float) -> bool:
    """The customary bounding box outside which GCJ-02 is defined as plain WGS-84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_shift(lon, lat, _ScalarMath)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Exact inverse of `wgs84_to_gcj02` (to ~1e-10°), not the one-step approximation."""
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(_MAX_ITERATIONS):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if not (abs(elon) >= _TOLERANCE or abs(elat) >= _TOLERANCE):  # NaN counts as done
            break
    return wlon, wlat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    blon, blat = _bd_forward(lon, lat, _ScalarMath)
    return float(blon), float(blat)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Exact inverse of `gcj02_to_bd09` (to ~1e-10°)."""
    glon, glat = _bd_backward_guess(lon, lat, _ScalarMath)
    for _ in range(_MAX_ITERATIONS):
        blon, blat = _bd_forward(glon, glat, _ScalarMath)
        elon, elat = blon - lon, blat - lat
        glon, glat = glon - elon, glat - elat
        if not (abs(elon) >= _TOLERANCE or abs(elat) >= _TOLERANCE):  # NaN counts as done
            break
    return float(glon), float(glat)


def _normalise(crs: str) -> str:
    name = crs.lower().replace("-", "").replace("_", "")
    if name not in CRS_NAMES:
        raise ValueError(f"unknown coordinate system {crs!r}; expected one of {sorted(CRS_NAMES)}")
    return name


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert a point given in `crs` ("wgs84", "gcj02" or "bd09") to WGS-84."""
    name = _normalise(crs)
    if name == BD09:
        lon, lat = bd09_to_gcj02(lon, lat)
    if name in (GCJ02, BD09):
        lon, lat = gcj02_to_wgs84(lon, lat)
    return float(lon), float(lat)


# -------------------------------------------------------------------------- arrays


def _as_pair(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.array(lons, dtype=np.float64)  # copies: callers' arrays are never modified
    y = np.array(lats, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError("lons and lats must have the same shape")
    return x, y


def out_of_china_many(lons: FloatArray, lats: FloatArray) -> npt.NDArray[np.bool_]:
    inside = (lons >= 72.004) & (lons <= 137.8347) & (lats >= 0.8293) & (lats <= 55.8271)
    return ~inside


def wgs84_to_gcj02_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = _as_pair(lons, lats)
    china = ~out_of_china_many(x, y)
    dlon, dlat = _gcj_shift(x[china], y[china], np)
    x[china] += dlon
    y[china] += dlat
    return x, y


def gcj02_to_wgs84_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    glon, glat = _as_pair(lons, lats)
    china = ~out_of_china_many(glon, glat)
    target_lon, target_lat = glon[china], glat[china]
    wlon, wlat = target_lon.copy(), target_lat.copy()
    for _ in range(_MAX_ITERATIONS):
        dlon, dlat = _gcj_shift(wlon, wlat, np)
        # Same out-of-China rule as the scalar path: a guess that strays outside is not shifted.
        shifted = ~out_of_china_many(wlon, wlat)
        elon = np.where(shifted, wlon + dlon, wlon) - target_lon
        elat = np.where(shifted, wlat + dlat, wlat) - target_lat
        wlon -= elon
        wlat -= elat
        if not np.any((np.abs(elon) >= _TOLERANCE) | (np.abs(elat) >= _TOLERANCE)):  # NaN: done
            break
    glon[china], glat[china] = wlon, wlat
    return glon, glat


def gcj02_to_bd09_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = _as_pair(lons, lats)
    blon, blat = _bd_forward(x, y, np)
    return np.asarray(blon, dtype=np.float64), np.asarray(blat, dtype=np.float64)


def bd09_to_gcj02_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = _as_pair(lons, lats)
    glon, glat = _bd_backward_guess(x, y, np)
    for _ in range(_MAX_ITERATIONS):
        blon, blat = _bd_forward(glon, glat, np)
        elon, elat = blon - x, blat - y
        glon, glat = glon - elon, glat - elat
        if not np.any((np.abs(elon) >= _TOLERANCE) | (np.abs(elat) >= _TOLERANCE)):  # NaN: done
            break
    return np.asarray(glon, dtype=np.float64), np.asarray(glat, dtype=np.float64)


def to_wgs84_many(lons: npt.ArrayLike, lats: npt.ArrayLike, crs: str) -> tuple[FloatArray, FloatArray]:
    """Vectorised `to_wgs84`; always returns new float64 arrays."""
    name = _normalise(crs)
    x, y = _as_pair(lons, lats)
    if name == BD09:
        x, y = bd09_to_gcj02_many(x, y)
    if name in (GCJ02, BD09):
        x, y = gcj02_to_wgs84_many(x, y)
    return x, y
