"""Rate limits hold across web processes when they share a cache (GONGZHI_CACHE_URL → Redis).

Two web processes are two cache clients: here two RedisCache instances that share nothing in
Python. Needs the Redis on 127.0.0.1:6379 (skipped, with the reason, where there is none).
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache
from django.core.checks import run_checks
from django.test import Client, override_settings

from gongzhi.cases.models import Case
from gongzhi.cases.views import common
from tests.cases.conftest import Loop
from tests.cases.test_h5 import report

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not _redis_listening(), reason="no Redis on 127.0.0.1:6379")


def _process_cache(prefix: str) -> RedisCache:
    """What one web process holds when GONGZHI_CACHE_URL points at the shared Redis."""
    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"test-{secrets.token_hex(6)}"
    yield name
    _process_cache(name).clear()


@needs_redis
def test_a_count_made_in_one_process_limits_the_other(prefix: str, monkeypatch: Any) -> None:
    # given two web processes sharing the Redis cache
    first, second = _process_cache(prefix), _process_cache(prefix)
    # when the first counts three reports from one address
    monkeypatch.setattr(common, "cache", first)
    for _ in range(3):
        common.count_hit("h5:report:203.0.113.7", 3600)
    # then the second refuses the fourth, and another address is still free there
    monkeypatch.setattr(common, "cache", second)
    assert common.rate_limited("h5:report:203.0.113.7", 3)
    assert not common.rate_limited("h5:report:198.51.100.9", 3)


@needs_redis
def test_h5_reports_are_limited_through_the_shared_cache(loop: Loop, settings: Any, prefix: str) -> None:
    # given the shared cache configured as production configures it
    settings.GONGZHI_H5_REPORTS_PER_HOUR = 2
    shared = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    with override_settings(CACHES={"default": {**shared["default"], "KEY_PREFIX": prefix}}):
        phone = Client(REMOTE_ADDR="203.0.113.7")
        # when one address sends three reports
        answers = [phone.post("/h5/report/", report(client_key=f"r{i}")) for i in range(3)]
    # then the third is refused and not stored, and the count sits in Redis for every process to see
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert Case.objects.count() == 2
    assert _process_cache(prefix).get("rl:h5:report:203.0.113.7") == 2


def test_deploy_check_warns_about_a_per_process_cache() -> None:
    # given Django's default cache (each process its own)
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        # when the deploy checks run
        ids = {m.id for m in run_checks(include_deployment_checks=True)}
    # then they name the problem
    assert "gongzhi.W001" in ids


def test_deploy_check_is_quiet_with_a_shared_cache() -> None:
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    ):
        ids = {m.id for m in run_checks(include_deployment_checks=True)}
    assert "gongzhi.W001" not in ids
