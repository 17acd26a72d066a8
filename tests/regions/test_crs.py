"""WGS-84 / GCJ-02 / BD-09 conversion: reference values, exact inverses, out-of-China rule."""

from __future__ import annotations

import numpy as np
import pytest

from gongzhi.regions import crs

# Published reference outputs for the input (116.404, 39.915), from the test script of the widely
# used coordtransform library (github.com/wandergis/coordtransform, test/app.js).  Its forward maps
# are the same public formulas as ours; its inverses are the one-step approximations.
REF_IN = (116.404, 39.915)
REF_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
REF_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
REF_GCJ02_TO_WGS84_ONE_STEP = (116.39775550083061, 39.91359571849836)
REF_BD09_TO_GCJ02_ONE_STEP = (116.39762729119315, 39.90865673957631)

# Near 新街口, Nanjing.  Computed once with this module after its forward map reproduced the
# reference values above to the last digit: a shift of ~+0.0052° lon, ~-0.0021° lat, i.e. ~490 m
# east and ~230 m south.
NANJING_WGS84 = (118.7969, 32.0603)
NANJING_GCJ02 = (118.80208355739369, 32.058224298311096)


def china_points(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(73.0, 135.0, n), rng.uniform(18.0, 53.0, n)


def test_forward_maps_match_published_reference() -> None:
    assert crs.wgs84_to_gcj02(*REF_IN) == pytest.approx(REF_WGS84_TO_GCJ02, abs=1e-12)
    assert crs.gcj02_to_bd09(*REF_IN) == pytest.approx(REF_GCJ02_TO_BD09, abs=1e-12)


def test_inverses_refine_the_one_step_approximations() -> None:
    # Close to the approximations (they are off by centimetres to metres) ...
    assert crs.gcj02_to_wgs84(*REF_IN) == pytest.approx(REF_GCJ02_TO_WGS84_ONE_STEP, abs=1e-5)
    assert crs.bd09_to_gcj02(*REF_IN) == pytest.approx(REF_BD09_TO_GCJ02_ONE_STEP, abs=1e-5)
    # ... but exact inverses of the forward maps.
    assert crs.wgs84_to_gcj02(*crs.gcj02_to_wgs84(*REF_IN)) == pytest.approx(REF_IN, abs=1e-9)
    assert crs.gcj02_to_bd09(*crs.bd09_to_gcj02(*REF_IN)) == pytest.approx(REF_IN, abs=1e-9)


def test_nanjing_offset() -> None:
    glon, glat = crs.wgs84_to_gcj02(*NANJING_WGS84)
    assert (glon, glat) == pytest.approx(NANJING_GCJ02, abs=1e-9)
    assert glon - NANJING_WGS84[0] == pytest.approx(0.0052, abs=2e-4)
    assert glat - NANJING_WGS84[1] == pytest.approx(-0.0021, abs=2e-4)
    assert crs.to_wgs84(*NANJING_GCJ02, "gcj02") == pytest.approx(NANJING_WGS84, abs=1e-9)


def test_round_trips_across_china() -> None:
    lon, lat = china_points()
    for x, y in zip(lon.tolist()[:300], lat.tolist()[:300], strict=True):
        assert crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(x, y)) == pytest.approx((x, y), abs=1e-9)
        assert crs.gcj02_to_bd09(*crs.bd09_to_gcj02(x, y)) == pytest.approx((x, y), abs=1e-9)
        assert crs.bd09_to_gcj02(*crs.gcj02_to_bd09(x, y)) == pytest.approx((x, y), abs=1e-9)
    glon, glat = crs.wgs84_to_gcj02_many(lon, lat)
    blon, blat = crs.gcj02_to_bd09_many(glon, glat)
    wlon, wlat = crs.to_wgs84_many(blon, blat, "bd09")
    assert np.max(np.abs(wlon - lon)) < 1e-9
    assert np.max(np.abs(wlat - lat)) < 1e-9


def test_vectorised_equals_scalar() -> None:
    lon, lat = china_points(300, seed=1)
    lon = np.concatenate([lon, [2.35, -74.0, 72.0, 137.9, np.nan]])  # some outside China
    lat = np.concatenate([lat, [48.85, 40.7, 30.0, 30.0, 30.0]])
    for name in ("wgs84", "gcj02", "bd09"):
        many = crs.to_wgs84_many(lon, lat, name)
        single = np.array([crs.to_wgs84(x, y, name) for x, y in zip(lon.tolist(), lat.tolist(), strict=True)])
        np.testing.assert_allclose(many[0], single[:, 0], atol=1e-11)
        np.testing.assert_allclose(many[1], single[:, 1], atol=1e-11)


def test_out_of_china_passes_through_gcj() -> None:
    paris = (2.3522, 48.8566)
    assert crs.out_of_china(*paris)
    assert crs.wgs84_to_gcj02(*paris) == paris
    assert crs.gcj02_to_wgs84(*paris) == paris
    assert crs.to_wgs84(*paris, "gcj02") == paris
    many = crs.to_wgs84_many(np.array([paris[0]]), np.array([paris[1]]), "gcj02")
    assert (float(many[0][0]), float(many[1][0])) == paris
    # BD-09's own shift is applied everywhere, as Baidu does; only the GCJ step is skipped.
    assert crs.to_wgs84(*crs.gcj02_to_bd09(*paris), "bd09") == pytest.approx(paris, abs=1e-9)


def test_wgs84_is_identity_and_names_are_forgiving() -> None:
    assert crs.to_wgs84(118.8, 32.0, "wgs84") == (118.8, 32.0)
    assert crs.to_wgs84(118.8, 32.0, "GCJ-02") == crs.to_wgs84(118.8, 32.0, "gcj02")
    x = np.array([118.8])
    out = crs.to_wgs84_many(x, np.array([32.0]), "wgs84")
    assert out[0] is not x  # never hands back the caller's array


def test_unknown_crs_raises() -> None:
    with pytest.raises(ValueError, match="coordinate system"):
        crs.to_wgs84(118.8, 32.0, "epsg:3857")
    with pytest.raises(ValueError, match="coordinate system"):
        crs.to_wgs84_many(np.array([118.8]), np.array([32.0]), "mercator")
