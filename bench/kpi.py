"""A street's monthly indicators over millions of cases on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi gongzhi bench kpi [--cases 5000000] [--runs 200]
        [--seed 1] [--keep]

Prints one JSON line: cases, p50_ms, p95_ms (one street, one month, one row: group="none"), plus the
same for the per-community breakdown of that street-month (group="region") and how long generating
took. It never touches the database DATABASE_URL names: it creates `gongzhi_bench_kpi` on that
server, migrates it, loads the taxonomy, and generates the cases there with server-side SQL
(INSERT … SELECT over generate_series), then times `gongzhi.cases.indicators.compute` — the function
every page, API answer and export of the indicators calls — for random streets and months. With
--keep the database is left in place and reused by the next run asking for the same number of cases.

The generated city: the 11 districts of 南京市 × 9 streets × 11 communities × 10 grids (10,890
grids); cases spread evenly over the grids and over the 12 months before 2026-11-01 (Beijing time),
with the statuses, on-time flags, resolutions, ratings and reworks of a year's history (most closed,
a few percent still open, rejected or merged).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.pg import ROOT, Server, child_env

DB_NAME = "gongzhi_bench_kpi"
SETTINGS = "bench.intake_settings"  # production's; the throttle it lifts plays no part here
DEFAULT_CASES = 5_000_000
DEFAULT_RUNS = 200
CHUNK = 250_000
DISTRICTS = ("320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115", "320116", "320117",
             "320118")  # fmt: skip
STREETS, COMMUNITIES, GRIDS = 9, 11, 10
FIRST_MONTH = (2025, 11)  # twelve months: 2025-11 … 2026-10
MONTHS = 12

Log = Callable[[str], None]

# (status, share of a year's cases). Most are closed; a few percent are still somewhere in the loop.
STATUSES = (
    ("closed", 0.80),
    ("rejected", 0.03),
    ("merged", 0.01),
    ("pending", 0.015),
    ("registered", 0.015),
    ("dispatched", 0.03),
    ("signed", 0.02),
    ("returned", 0.005),
    ("handling", 0.045),
    ("verifying", 0.02),
    ("rework", 0.005),
    ("suspended", 0.005),
)
_DISPATCHED = ("dispatched", "signed", "returned", "handling", "verifying", "closed", "rework", "suspended")
_RESPONDED = ("signed", "handling", "verifying", "closed", "rework", "suspended")
_HANDLED = ("verifying", "closed")
_OPEN_DEADLINE = ("registered", "dispatched", "signed", "returned", "handling", "rework")

_TEXTS = (
    (
        "小区门口垃圾堆放多日",
        "小区东门口的垃圾桶满了好几天没人清运，垃圾堆到路边，天热气味很大，苍蝇很多，居民进出都要捂着鼻子，请尽快安排清运。",
    ),
    (
        "工地夜间施工扰民",
        "路边的工地每天晚上十一点以后还在打桩和运渣土，噪音很大，老人孩子都睡不着觉，打过几次电话没有改善，希望有关部门管一管。",
    ),
    ("消防通道被占用", "楼下的消防通道长期停满私家车，物业说管不了，万一发生火灾消防车根本进不来，存在很大安全隐患。"),
    ("路灯不亮", "这一段路的路灯坏了一个多月，晚上一片漆黑，老人和孩子出门很不安全，前几天还有人在这里摔倒了。"),
    ("饭店油烟扰民", "小区底商的饭店油烟直排，排风扇从早到晚响个不停，楼上的住户窗户都不敢开，衣服也没法晾。"),
    ("井盖缺失", "公交站旁边的一个井盖不见了，只用一块木板盖着，晚上看不清很危险，已经有人差点踩空。"),
    ("拖欠工资", "在某建筑公司干了半年活，老板一直拖欠工资不发，一共欠了三万多元，找了好几次都说再等等。"),
    ("楼道堆放杂物", "楼道里堆满了纸箱、旧家具和电动车，严重影响通行，还有消防隐患，和邻居沟通无果，物业也不管。"),
)


def tree() -> list[str]:
    """Every street code of the generated city."""
    return [f"{d}{s:03d}" for d in DISTRICTS for s in range(1, STREETS + 1)]


def months() -> list[tuple[int, int]]:
    y, m = FIRST_MONTH
    out = []
    for _ in range(MONTHS):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# ───────────────────────────────────────────────────────────────────────────────────── generation


def _status_sql(column: str) -> str:
    """CASE over a uniform random column choosing a status by the STATUSES shares."""
    parts, edge = [], 0.0
    for status, share in STATUSES[:-1]:
        edge += share
        parts.append(f"WHEN {column} < {edge:.4f} THEN '{status}'")
    return "CASE " + " ".join(parts) + f" ELSE '{STATUSES[-1][0]}' END"


def _in(column: str, statuses: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(s) for s in statuses)})"


def insert_sql(leaf_ids: list[int]) -> str:
    """One parameterised INSERT … SELECT filling rows %(lo)s … %(hi)s with a realistic history."""
    titles = ", ".join(f"'{t}'" for t, _d in _TEXTS)
    bodies = ", ".join(f"'{d}'" for _t, d in _TEXTS)
    districts = ", ".join(f"'{d}'" for d in DISTRICTS)
    leaves = ", ".join(str(i) for i in leaf_ids) or "NULL"
    start = f"timestamptz '{FIRST_MONTH[0]}-{FIRST_MONTH[1]:02d}-01 00:00+08'"
    # Built from this module's constants and integer ids only; the row range is a bound parameter.
    return f"""
INSERT INTO cases_case (
    number, token_digest, channel, source, client_key, suggestions, title, description, attributes, address,
    lon, lat, region_code, status, owner_code, assignee_code, suspended_status, anonymous, reporter_name_masked,
    reporter_phone_ciphertext, reporter_phone_digest, reporter_phone_masked, created_at, registered_at,
    dispatched_at, responded_at, handled_at, closed_at, response_due, handle_due, responded_on_time,
    handled_on_time, is_overdue, escalation_step, supervised, resolution, result, rework_count, rating,
    rating_comment, rated_at, closed_on_spot, category_id, original_text_sealed)
SELECT
    'K' || lpad(i::text, 12, '0'), md5(i::text) || md5((-i)::text),
    (ARRAY['h5', 'patrol', 'api', 'hotline', 'hotline', 'staff'])[1 + floor(r_channel * 6)::int],
    '', '', '[]', (ARRAY[{titles}])[1 + mod(i, {len(_TEXTS)})], (ARRAY[{bodies}])[1 + mod(i, {len(_TEXTS)})],
    '{{}}', '',
    118.8 + r_lon * 0.1, 32.0 + r_lat * 0.1, code, status, left(code, 12), '', '', false, '', '', '', '',
    created, created + interval '2 hours',
    CASE WHEN {_in("status", _DISPATCHED)} THEN created + r_step * interval '20 hours' END,
    CASE WHEN {_in("status", _RESPONDED)} THEN created + r_step * interval '30 hours' END,
    CASE WHEN {_in("status", _HANDLED)} THEN created + r_step * interval '6 days' END,
    CASE WHEN status = 'closed' THEN created + r_step * interval '7 days'
         WHEN status IN ('rejected', 'merged') THEN created + interval '1 day' END,
    created + interval '24 hours', created + interval '7 days',
    CASE WHEN {_in("status", _RESPONDED)} THEN r_response < 0.92 END,
    CASE WHEN {_in("status", _HANDLED)} THEN r_handled < 0.88 END,
    {_in("status", _OPEN_DEADLINE)} AND r_overdue < 0.12, 0,
    {_in("status", _OPEN_DEADLINE)} AND r_overdue < 0.03,
    CASE WHEN status = 'closed' THEN CASE WHEN r_resolution < 0.85 THEN 'solved'
                                          WHEN r_resolution < 0.97 THEN 'explained' ELSE 'unsolvable' END
         ELSE '' END,
    '', CASE WHEN {_in("status", _HANDLED)} AND r_rework < 0.04 THEN 1 ELSE 0 END,
    CASE WHEN status = 'closed' AND r_rated < 0.7 THEN
        CASE WHEN r_rating < 0.75 THEN 'satisfied' WHEN r_rating < 0.92 THEN 'basic' ELSE 'unsatisfied' END
         ELSE '' END,
    '', CASE WHEN status = 'closed' AND r_rated < 0.7 THEN created + interval '8 days' END,
    false, (ARRAY[{leaves}])[1 + floor(r_category * {max(len(leaf_ids), 1)})::int], ''
FROM (
    SELECT i, {_status_sql("r_status")} AS status, code, created, r_channel, r_lon, r_lat, r_step, r_response,
           r_handled, r_overdue, r_resolution, r_rework, r_rated, r_rating, r_category
    FROM (
        SELECT i, random() AS r_status, random() AS r_channel, random() AS r_lon, random() AS r_lat,
               random() AS r_step, random() AS r_response, random() AS r_handled, random() AS r_overdue,
               random() AS r_resolution, random() AS r_rework, random() AS r_rated, random() AS r_rating,
               random() AS r_category,
               (ARRAY[{districts}])[1 + floor(random() * {len(DISTRICTS)})::int]
                   || lpad((1 + floor(random() * {STREETS}))::int::text, 3, '0')
                   || lpad((1 + floor(random() * {COMMUNITIES}))::int::text, 3, '0')
                   || lpad((1 + floor(random() * {GRIDS}))::int::text, 3, '0') AS code,
               {start} + random() * ({start} + interval '{MONTHS} months' - {start}) AS created
        FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i
    ) AS drawn
) AS s
"""  # noqa: S608


def generate(server: Server, name: str, cases: int, seed: int, log: Log) -> float:
    """Fill cases_case with `cases` rows; secondary indexes are dropped first and rebuilt after."""
    started = time.perf_counter()
    with server.connect(name) as conn:
        leaf_ids = [r[0] for r in conn.execute("SELECT id FROM cases_category WHERE depth = 3 ORDER BY id")]
        # Indexes not backing a constraint: rebuilt in one sorted pass each, far faster than kept up per row.
        indexes = conn.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
               WHERE t.relname = 'cases_case' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
               ORDER BY i.relname"""
        ).fetchall()
        for index_name, _definition in indexes:
            conn.execute(f'DROP INDEX "{index_name}"')
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET session_replication_role = replica")  # no per-row FK triggers: ids come from the table
        conn.execute("SELECT setseed(%s)", (((seed * 7919) % 1000) / 1000.0,))
        sql = insert_sql(leaf_ids)
        for lo in range(1, cases + 1, CHUNK):
            hi = min(cases, lo + CHUNK - 1)
            conn.execute(sql, {"lo": lo, "hi": hi})
            log(f"  {hi:>10,} cases  [{time.perf_counter() - started:6.1f}s]")
        conn.execute("SET session_replication_role = origin")
        conn.execute("SET maintenance_work_mem = '512MB'")
        for index_name, definition in indexes:
            conn.execute(definition)
            log(f"  index {index_name} rebuilt  [{time.perf_counter() - started:6.1f}s]")
        conn.execute("VACUUM ANALYZE cases_case")
        conn.execute("CREATE TABLE bench_kpi_meta (cases bigint NOT NULL)")
        conn.execute("INSERT INTO bench_kpi_meta VALUES (%s)", (cases,))
    seconds = time.perf_counter() - started
    log(f"generated {cases:,} cases in {seconds:.0f} s (VACUUM ANALYZE included)")
    return seconds


def stored_cases(server: Server, name: str) -> int | None:
    if not server.exists(name):
        return None
    with server.connect(name) as conn:
        table = conn.execute("SELECT to_regclass('bench_kpi_meta')").fetchone()
        if table is None or table[0] is None:
            return None
        row = conn.execute("SELECT cases FROM bench_kpi_meta").fetchone()
        return int(row[0]) if row else None


# ───────────────────────────────────────────────────────────────────────── timing (child process)


def timing(runs: int, seed: int) -> dict[str, Any]:
    """Runs inside the bench database's environment; returns the latencies of both groupings."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.cases import indicators
    from gongzhi.cases.models import Case

    rng = random.Random(seed)
    streets, all_months = tree(), months()
    # The plans of the two queries compute() sends, once each, for the log.
    street, (year, month) = rng.choice(streets), rng.choice(all_months)
    first, last = indicators.month_bounds(year, month)
    for group in ("none", "region"):
        with CaptureQueriesContext(connection) as captured:
            indicators.compute(Case.objects.all(), start=first, end=last, region=street, group=group)
        sql = next(q["sql"] for q in captured.captured_queries if "cases_case" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"EXPLAIN ANALYZE (group {group}, {street} {year}-{month:02d}):\n{plan}", file=sys.stderr)

    def once(group: str) -> tuple[float, int]:
        street, (year, month) = rng.choice(streets), rng.choice(all_months)
        first, last = indicators.month_bounds(year, month)
        started = time.perf_counter()
        rows = indicators.compute(Case.objects.all(), start=first, end=last, region=street, group=group)
        elapsed = (time.perf_counter() - started) * 1000.0
        return elapsed, sum(r.counts["total"] for r in rows)

    for _ in range(5):  # the connection and the first plans, not the query, are what the first calls measure
        once("none")
    result: dict[str, Any] = {}
    for group in ("none", "region"):
        timings = [once(group) for _ in range(runs)]
        ms = sorted(t for t, _n in timings)
        result[group] = {
            "p50_ms": round(ms[len(ms) // 2], 1),
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
            "max_ms": round(ms[-1], 1),
            "cases_per_street_month": round(sum(n for _t, n in timings) / len(timings)),
        }
    return result


# ──────────────────────────────────────────────────────────────────────────────────────── the run


def run_from_cli(options: dict[str, Any], log: Log) -> dict[str, Any]:
    """Entry point of `gongzhi bench kpi`."""
    server = Server.from_env(DB_NAME)
    cases = int(options.get("cases") or DEFAULT_CASES)
    runs = int(options.get("runs") or DEFAULT_RUNS)
    seed = int(options.get("seed") or 1)
    keep = bool(options.get("keep"))
    url = server.url_for(DB_NAME)
    home = Path(tempfile.mkdtemp(prefix="gongzhi-bench-kpi-"))
    (home / "static").mkdir()
    env = child_env(url, home, SETTINGS)
    generated_s: float | None = None
    try:
        if keep and stored_cases(server, DB_NAME) == cases:
            log(f"reusing {DB_NAME} with {cases:,} cases (--keep)")
        else:
            log(f"creating {DB_NAME}: migrate, taxonomy, then {cases:,} cases by INSERT … SELECT…")
            server.recreate(DB_NAME)
            subprocess.run([sys.executable, "-m", "bench.kpi", "setup"], env=env, cwd=ROOT, check=True)
            generated_s = generate(server, DB_NAME, cases, seed, log)
        log(f"timing indicators.compute for {runs} random street-months, each grouping…")
        done = subprocess.run(
            [sys.executable, "-m", "bench.kpi", "time", "--runs", str(runs), "--seed", str(seed)],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        timed = json.loads(done.stdout.strip().splitlines()[-1])
        return {
            "cases": cases,
            "p50_ms": timed["none"]["p50_ms"],
            "p95_ms": timed["none"]["p95_ms"],
            "max_ms": timed["none"]["max_ms"],
            "by_community": timed["region"],
            "cases_per_street_month": timed["none"]["cases_per_street_month"],
            "runs": runs,
            "generate_s": None if generated_s is None else round(generated_s, 1),
        }
    finally:
        if keep:
            log(f"kept {DB_NAME} (a later --keep run with the same --cases reuses it)")
        else:
            server.drop(DB_NAME)


def _setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from gongzhi.cases.actions.common import SYSTEM
    from gongzhi.cases.actions.config import do_load_default_taxonomy

    call_command("migrate", verbosity=0)
    do_load_default_taxonomy(actor=SYSTEM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kpi")
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("setup", help="internal: migrate the bench database and load the taxonomy")
    t = sub.add_parser("time", help="internal: time indicators.compute in the bench database")
    t.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    t.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    import os

    if urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") != DB_NAME:
        raise SystemExit(f"this runs only against the bench database {DB_NAME}")
    if args.what == "setup":
        _setup()
    else:
        print(json.dumps(timing(args.runs, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
