"""The PostgreSQL benchmarks' own logic, without a server: they refuse SQLite, never drop a foreign
database, and generate what they claim (the run itself is `gongzhi bench intake|kpi`, docs/benchmarks.md)."""

from __future__ import annotations

import json
import random

import pytest

from bench import intake, kpi
from bench.pg import Server
from gongzhi.core.management.commands.bench import BENCHMARKS


def test_the_benchmarks_are_registered() -> None:
    assert BENCHMARKS["intake"] == "bench.intake" and BENCHMARKS["kpi"] == "bench.kpi"


@pytest.mark.parametrize("url", ["", "sqlite:///var/gongzhi.sqlite3"])
def test_without_postgresql_they_refuse_with_a_reason(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SystemExit, match="needs PostgreSQL"):
        Server.from_env(kpi.DB_NAME)


def test_only_bench_databases_are_ever_dropped() -> None:
    server = Server("postgres://postgres@127.0.0.1:5432/gongzhi")
    assert server.url_for(intake.DB_NAME) == "postgres://postgres@127.0.0.1:5432/gongzhi_bench_intake"
    with pytest.raises(ValueError, match="refusing"):
        server.drop("gongzhi")


def test_the_generated_city_and_its_status_mix() -> None:
    streets = kpi.tree()
    assert len(streets) == 99 and all(len(code) == 9 for code in streets)
    assert kpi.months()[0] == (2025, 11) and kpi.months()[-1] == (2026, 10)
    assert abs(sum(share for _status, share in kpi.STATUSES) - 1.0) < 1e-9
    sql = kpi.insert_sql([1, 2, 3])
    assert "generate_series(%(lo)s::bigint, %(hi)s::bigint)" in sql and "'closed'" in sql


def test_each_intake_request_is_a_distinct_report_inside_the_area() -> None:
    plan = {
        "key": "k",
        "points": [[118.81, 32.15]],
        "texts": [{"code": "SJ0101", "title": "垃圾", "description": "门口垃圾多日未清", "attributes": {}}],
    }
    load = intake.Load(1, "k", plan, seed=1)
    rng = random.Random(1)
    (body1, key1), (_body2, key2) = load.body(rng, 1), load.body(rng, 2)
    assert key1 != key2
    report = json.loads(body1)
    assert (report["lon"], report["lat"], report["description"]) == (118.81, 32.15, "门口垃圾多日未清")
    assert intake.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0


def test_the_kpi_insert_names_every_column_the_database_requires() -> None:
    # A new NOT NULL column on the case table must reach the generator too (it once did not).
    from gongzhi.cases.models import Case

    sql = kpi.insert_sql([1, 2, 3])
    listed = {c.strip() for c in sql.split("INSERT INTO cases_case (", 1)[1].split(")", 1)[0].split(",")}
    required = {f.column for f in Case._meta.concrete_fields if not f.null and not f.primary_key}
    assert required <= listed, sorted(required - listed)
