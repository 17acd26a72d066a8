"""HTTP intake under sustained load: POST /api/v1/cases/ through gunicorn, beside pgbench on the same server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi gongzhi bench intake [--duration 60]
        [--concurrency 6] [--workers 3] [--threads 1] [--warmup 10] [--keep]

Prints one JSON line: cases_per_s, p50_ms, p99_ms, acknowledged, stored, lost, pgbench_tps (and how
the run was set up). It never touches the database DATABASE_URL names: it creates its own database
`gongzhi_bench_intake` on that server, migrates it, seeds the demo district (grids, compounds and
buildings, the district's departments, the demo accounts), loads the taxonomy and duty lists, trains
and stores a classifier (when gongzhi.cases.classifier exists), issues an API key, and drops the
database afterwards unless --keep.

The server is the real application under production settings (bench/intake_settings.py: DEBUG off,
the intake throttle lifted) in gunicorn bound to 127.0.0.1; the load comes from this process, one
keep-alive HTTP connection per thread. Each request is a distinct report (its own Idempotency-Key,
a random point inside a random demo grid, Chinese text from the demo case writer, a leaf category
half of the time), so every request runs the whole intake: authenticate, validate, locate, classify,
route, look for duplicates, store the case, its timeline row and its audit row, notify the office.
Every acknowledged (201) case number is looked up in the database afterwards: lost = acknowledged −
stored. pgbench then runs a transaction of three inserts of the same shape (a case row, a timeline
row, an audit row, into copies of those tables with the same columns and indexes) for 20 s, with as
many clients as there were HTTP connections.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.pg import ROOT, Server, child_env

DB_NAME = "gongzhi_bench_intake"
SETTINGS = "bench.intake_settings"
# Tuned on the 2-core machine of docs/benchmarks.md: three sync workers keep both cores busy while one
# waits for the database; two connections per worker keep each busy without queueing for long.
DEFAULTS = {"duration": 60.0, "concurrency": 6, "workers": 3, "threads": 1, "warmup": 10.0}
PGBENCH_SECONDS = 20
POINTS = 20_000
TEXTS = 3_000

Log = Callable[[str], None]


# ──────────────────────────────────────────────────────────────────────── setup (in a child process)


def setup(out: Path, points: int, texts: int, seed: int) -> None:
    """Runs inside the bench database's environment: migrate, seed, configure, key; writes the load plan."""
    import io

    import django

    django.setup()
    from django.core.management import call_command

    from gongzhi.cases.actions.common import SYSTEM
    from gongzhi.cases.actions.config import (
        do_create_api_client,
        do_load_default_duty_lists,
        do_load_default_taxonomy,
    )
    from gongzhi.demo.organisations import seed_departments
    from gongzhi.regions.models import Level, Region

    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"  [{time.perf_counter() - started:5.1f}s] {message}", file=sys.stderr, flush=True)

    call_command("migrate", verbosity=0)
    say("migrated")
    call_command("seed", size="demo", no_rooms=True, no_people=True, stdout=io.StringIO(), stderr=io.StringIO())
    seed_departments(random.Random(seed))
    do_load_default_taxonomy(actor=SYSTEM)
    do_load_default_duty_lists(actor=SYSTEM)
    say("seeded the demo district, its departments, the taxonomy and duty lists")
    rng = random.Random(seed)
    plan_texts, source = _texts(rng, texts)
    say(f"{len(plan_texts)} report texts from {source}")
    note = _train_classifier(plan_texts)
    say(note)
    district = Region.objects.filter(level=Level.DISTRICT).order_by("code").first()
    if district is None:
        raise SystemExit("the demo seed made no district")
    _client, key = do_create_api_client(actor=SYSTEM, name=f"bench-{secrets.token_hex(4)}", region_code=district.code)
    plan = {"key": key, "points": _points(rng, points), "texts": plan_texts, "classifier": note}
    out.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    say(f"API key issued for {district.name}; {points} points inside grids")


def _points(rng: random.Random, n: int) -> list[list[float]]:
    """Uniform points inside randomly chosen grids (rejection sampling in each grid's bounding box)."""
    import shapely

    from gongzhi.regions.geometry import from_geojson
    from gongzhi.regions.models import Level, Region

    grids = [from_geojson(g) for g in Region.objects.filter(level=Level.GRID).values_list("geometry", flat=True)]
    shapes = [g for g in grids if g is not None]
    for shape in shapes:
        shapely.prepare(shape)
    out: list[list[float]] = []
    while len(out) < n:
        shape = rng.choice(shapes)
        x0, y0, x1, y1 = shape.bounds
        for _try in range(50):
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(shape, x, y):
                out.append([round(x, 7), round(y, 7)])
                break
    return out


_FALLBACK = (
    (
        "SJ0101",
        "小区门口垃圾堆放多日",
        "{compound}东门口的垃圾堆了好几天没人清运，天热气味很大，苍蝇很多，请尽快处理。",
    ),
    ("SJ0301", "工地夜间施工扰民", "{road}边上的工地每天晚上十一点以后还在打桩，吵得孩子睡不着觉，希望管一管。"),
    ("SJ0403", "机动车乱停占用消防通道", "{compound}{building}楼下消防通道长期停满私家车，万一着火消防车进不来。"),
    ("BJ0101", "路边井盖缺失", "{road}公交站旁边的井盖不见了，晚上很危险，已经有人差点踩空。"),
    ("BJ0103", "路灯不亮", "{road}一段路灯坏了一个多月，晚上一片漆黑，老人孩子出门不安全。"),
    ("MS0201", "饭店排风扇噪音扰民", "{compound}底商饭店的排风扇从早到晚响个不停，住在楼上的居民无法休息。"),
    ("SJ0104", "楼道堆放杂物", "{compound}{building}楼道里堆满了纸箱和旧家具，存在消防隐患，物业不管。"),
    ("SJ0404", "共享单车乱停放", "{road}地铁口共享单车堆成一片，把人行道和盲道都堵死了。"),
)


def _texts(rng: random.Random, n: int) -> tuple[list[dict[str, Any]], str]:
    """Report bodies without position: the demo case writer's texts, or a few built-in ones."""
    from gongzhi.regions.models import Building, Compound, Level, Region

    compounds = list(Compound.objects.values_list("name", "community__name", "community__parent__name")[:500])
    roads = ["仙林大道", "尧佳路", "马群街", "栖霞大道", "和燕路", "文苑路", "学海路", "迈化路"]
    buildings = [name for name in Building.objects.values_list("name", flat=True)[:200] if name] or ["3栋"]
    streets = list(Region.objects.filter(level=Level.STREET).values_list("name", flat=True)) or ["尧化街道"]
    out: list[dict[str, Any]] = []
    try:
        from gongzhi.demo.case_texts.common import Place
        from gongzhi.demo.case_texts.registry import SPECS
        from gongzhi.demo.case_texts.writer import compose

        codes = sorted(SPECS)
        while len(out) < n:
            compound, community, street = rng.choice(compounds) if compounds else ("仙林东苑", "尧化门社区", streets[0])
            place = Place(street, community, compound, rng.choice(buildings), rng.choice(roads))
            code = rng.choice(codes)
            text = compose(rng, code, place, channel="api")
            out.append(
                {
                    "code": code,
                    "title": text.title[:100],
                    "description": text.detail[:4000],
                    "attributes": dict(text.attributes),
                }
            )
        return out, "gongzhi.demo.case_texts"
    except Exception as exc:  # the writer is optional here: fall back rather than fail the benchmark
        print(f"  (demo case writer unavailable: {exc!r}; using built-in texts)", file=sys.stderr)
    while len(out) < n:
        code, title, body = rng.choice(_FALLBACK)
        compound = rng.choice(compounds)[0] if compounds else "仙林东苑"
        description = body.format(compound=compound, road=rng.choice(roads), building=rng.choice(buildings))
        out.append({"code": code, "title": title, "description": description, "attributes": {}})
    return out, "built-in templates"


def _train_classifier(texts: list[dict[str, Any]]) -> str:
    """Store a classifier trained on a few hundred of the texts, so intake runs its real suggestion path."""
    import importlib.util

    if importlib.util.find_spec("gongzhi.cases.classifier") is None:
        return "no classifier module (gongzhi.cases.classifier): intake ran without suggestions"
    from gongzhi.cases import classifier
    from gongzhi.cases.models import ClassifierModel

    sample = texts[:600]
    model = classifier.train(
        [classifier.case_text(t["title"], t["description"]) for t in sample], [t["code"] for t in sample]
    )
    ClassifierModel.objects.create(
        source="bench intake", n_samples=len(sample), labels=list(model.labels), blob=model.to_bytes()
    )
    return f"classifier trained on {len(sample)} texts ({len(set(model.labels))} labels)"


# ─────────────────────────────────────────────────────────────────────────────────────── the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, threads: int, log_path: Path) -> Iterator[int]:
    binary = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if binary is None:
        raise SystemExit("gunicorn is not installed in this environment (pip install gunicorn)")
    command = [
        binary,
        "gongzhi.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--worker-class={'gthread' if threads > 1 else 'sync'}",
        f"--threads={threads}",
        "--keep-alive=75",
        "--backlog=2048",
        "--log-level=warning",
        f"--chdir={ROOT}",
    ]
    with log_path.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            yield process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(port: int, key: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/categories/?limit=1", headers={"Authorization": f"ApiKey {key}"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return
            last = f"HTTP {response.status}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.3)
    raise SystemExit(f"the server did not come up in {timeout:.0f} s ({last}); see its log")


class CpuMeter:
    """CPU seconds used by the server (gunicorn master and workers) and by PostgreSQL while it runs.

    Polls /proc twice a second: database backends come and go (connections are recycled after
    CONN_MAX_AGE), so a start-and-end difference would miss the ones that lived in between.
    """

    def __init__(self, master: int) -> None:
        self.master = master
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> CpuMeter:
        self._sample(initial=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _poll(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def _sample(self, initial: bool = False) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            pid, ppid = int(entry.name), int(fields[1])
            if pid == self.master or ppid == self.master:
                kind = "app"
            elif name.startswith("postgres"):
                kind = "db"
            else:
                continue
            used = (int(fields[11]) + int(fields[12])) / self._tick
            self.kind[pid] = kind
            # A process born during the run counts from zero; one alive at the start, from then.
            self.first.setdefault(pid, used if initial else 0.0)
            self.last[pid] = used

    def seconds(self, kind: str) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last if self.kind[p] == kind)


# ──────────────────────────────────────────────────────────────────────────────────── the load


@dataclass(slots=True)
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    samples: list[str] = field(default_factory=list)


class Load:
    """Threads, each with one keep-alive connection, sending distinct reports as fast as answers come."""

    def __init__(self, port: int, key: str, plan: dict[str, Any], seed: int) -> None:
        self.port = port
        self.key = key
        self.points: list[list[float]] = plan["points"]
        self.texts: list[dict[str, Any]] = plan["texts"]
        self.run_id = secrets.token_hex(4)
        self.seed = seed
        self._counter = 0
        self._lock = threading.Lock()

    def _next(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def body(self, rng: random.Random, n: int) -> tuple[bytes, str]:
        text = rng.choice(self.texts)
        lon, lat = rng.choice(self.points)
        key = f"bench-{self.run_id}-{n}"
        report: dict[str, Any] = {
            "title": text["title"],
            "description": text["description"],
            "lon": lon,
            "lat": lat,
            "crs": "wgs84",
            "reporter_name": "王秀英",
            "reporter_phone": f"139{rng.randrange(10**8):08d}",
        }
        if rng.random() < 0.5:  # half name their category (with its attributes), half leave it to the classifier
            report["category"] = text["code"]
            report["attributes"] = text["attributes"]
        return json.dumps(report, ensure_ascii=False).encode(), key

    def run(self, threads: int, seconds: float) -> tuple[Tally, float]:
        stop_at = time.monotonic() + seconds
        tallies = [Tally() for _ in range(threads)]
        workers = [
            threading.Thread(target=self._worker, args=(tallies[i], stop_at, random.Random(self.seed * 1000 + i)))
            for i in range(threads)
        ]
        started = time.monotonic()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.monotonic() - started
        merged = Tally()
        for t in tallies:
            merged.latencies_ms += t.latencies_ms
            merged.numbers += t.numbers
            merged.errors += t.errors
            merged.samples += t.samples[:2]
            for code, count in t.statuses.items():
                merged.statuses[code] = merged.statuses.get(code, 0) + count
        return merged, elapsed

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _worker(self, tally: Tally, stop_at: float, rng: random.Random) -> None:
        conn: http.client.HTTPConnection | None = None
        clock = time.perf_counter
        while time.monotonic() < stop_at:
            body, key = self.body(rng, self._next())
            headers = {
                "Authorization": f"ApiKey {self.key}",
                "Idempotency-Key": key,
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Accept-Language": "zh-hans",
            }
            started = clock()
            try:
                if conn is None:
                    conn = self._connect()
                conn.request("POST", "/api/v1/cases/", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                tally.errors += 1
                if conn is not None:
                    conn.close()
                conn = None
                continue
            tally.latencies_ms.append((clock() - started) * 1000.0)
            tally.statuses[response.status] = tally.statuses.get(response.status, 0) + 1
            if response.status == 201:
                tally.numbers.append(json.loads(payload)["number"])
            elif len(tally.samples) < 2:
                tally.samples.append(f"{response.status} {payload[:300]!r}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))
    return ordered[index]


# ──────────────────────────────────────────────────────────────────────────────────── pgbench


# The three inserts, in copies of the tables intake writes (same columns, defaults, indexes, checks).
_PGBENCH_TABLES = """
DROP TABLE IF EXISTS pgb_audit, pgb_event, pgb_case;
DROP SEQUENCE IF EXISTS pgb_number;
CREATE TABLE pgb_case (LIKE cases_case INCLUDING ALL);
CREATE TABLE pgb_event (LIKE cases_caseevent INCLUDING ALL);
ALTER TABLE pgb_event ADD FOREIGN KEY (case_id) REFERENCES pgb_case (id) DEFERRABLE INITIALLY DEFERRED;
CREATE TABLE pgb_audit (LIKE core_auditevent INCLUDING ALL);
CREATE SEQUENCE pgb_number;
"""

_PGBENCH_SCRIPT = """\\set lon random(118800000, 118900000)
\\set lat random(32100000, 32160000)
BEGIN;
INSERT INTO pgb_case (number, token_digest, channel, source, client_key, suggestions, suggestion_confidence,
    title, description, attributes, address, lon, lat, region_code, status, owner_code, assignee_code,
    suspended_status, anonymous, reporter_name_masked, reporter_phone_ciphertext, reporter_phone_digest,
    reporter_phone_masked, created_at, is_overdue, escalation_step, supervised, resolution, result, rework_count,
    rating, rating_comment, closed_on_spot)
VALUES ('P' || nextval('pgb_number'), md5(random()::text) || md5(random()::text), 'api', 'client:1',
    'pgbench-' || currval('pgb_number'), '[["SJ0101", 0.91], ["SJ0102", 0.05]]', 0.91,
    '小区门口垃圾堆放多日', repeat('小区东门口的垃圾堆了好几天没人清运，天热气味很大，', 3), '{}',
    '仙林东苑3栋', :lon / 1000000.0, :lat / 1000000.0, '320113001001001', 'pending', '320113001001', '', '',
    false, '王*英', md5(random()::text) || md5(random()::text) || md5(random()::text),
    md5(random()::text) || md5(random()::text), '139****5678', now(), false, 0, false, '', '', 0, '', '', false)
RETURNING id AS case_id \\gset
INSERT INTO pgb_event (case_id, occurred_at, actor_label, action, from_status, to_status, note, data)
VALUES (:case_id, now(), '', 'file', '', 'pending', '',
    '{"channel": "api", "region": "320113001001001", "suggested": [["SJ0101", 0.91]], "duplicate_of": ""}');
INSERT INTO pgb_audit (occurred_at, action, object_type, object_id, object_repr, changes, request_id, source)
VALUES (now(), 'case.file', 'cases.case', :case_id, 'P' || currval('pgb_number'),
    '{"status": ["", "pending"], "channel": "api", "region": "320113001001001"}', md5(random()::text), 'api');
END;
"""


def pgbench(server: Server, url: str, clients: int, folder: Path, log: Log) -> float:
    binary = shutil.which("pgbench")
    if binary is None:
        log("pgbench not found: pgbench_tps is null")
        return float("nan")
    name = urlsplit(url).path.lstrip("/")
    with server.connect(name) as conn:
        conn.execute(_PGBENCH_TABLES)
        # Columns added to the models after this script was written get a default, so it keeps running.
        blanks = {"character varying": "''", "text": "''", "boolean": "false", "jsonb": "'{}'", "smallint": "0"}
        blanks |= {"integer": "0", "bigint": "0", "double precision": "0", "timestamp with time zone": "now()"}
        for table, column, kind in conn.execute(
            """SELECT table_name, column_name, data_type FROM information_schema.columns
               WHERE table_name IN ('pgb_case', 'pgb_event', 'pgb_audit') AND is_nullable = 'NO'
                 AND column_default IS NULL AND is_identity = 'NO'"""
        ).fetchall():
            if kind in blanks:
                conn.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {blanks[kind]}')
    script = folder / "three_inserts.sql"
    script.write_text(_PGBENCH_SCRIPT, encoding="utf-8")
    p = server.parts
    env = {**os.environ, "PGPASSWORD": p["password"]} if p["password"] else dict(os.environ)
    command = [binary, "-n", "-f", str(script), "-c", str(clients), "-j", "2", "-T", str(PGBENCH_SECONDS)]
    command += ["-h", p["host"], "-p", p["port"], "-U", p["user"], name]
    log(f"pgbench: {' '.join(command[1:])}")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout) or re.search(
        r"tps = ([\d.]+)", done.stdout
    )
    if done.returncode != 0 or match is None:
        log(f"pgbench failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return float("nan")
    return float(match.group(1))


def count_stored(server: Server, url: str, numbers: list[str]) -> int:
    name = urlsplit(url).path.lstrip("/")
    stored = 0
    with server.connect(name) as conn:
        for start in range(0, len(numbers), 5000):
            chunk = numbers[start : start + 5000]
            row = conn.execute(
                "SELECT count(DISTINCT number) FROM cases_case WHERE number = ANY(%s)", (chunk,)
            ).fetchone()
            stored += int(row[0]) if row else 0
    return stored


# ──────────────────────────────────────────────────────────────────────────────────── the run


def _option(options: dict[str, Any], name: str) -> Any:
    value = options.get(name)
    return DEFAULTS[name] if value is None else value


def run_from_cli(options: dict[str, Any], log: Log) -> dict[str, Any]:
    """Entry point of `gongzhi bench intake`."""
    server = Server.from_env(DB_NAME)
    duration = float(_option(options, "duration"))
    concurrency = int(_option(options, "concurrency"))
    workers, threads = int(_option(options, "workers")), int(_option(options, "threads"))
    warmup = float(_option(options, "warmup"))
    seed = int(options.get("seed") or 1)
    keep = bool(options.get("keep"))
    url = server.url_for(DB_NAME)
    folder = Path(tempfile.mkdtemp(prefix="gongzhi-bench-intake-"))
    (folder / "static").mkdir()
    env = child_env(url, folder, SETTINGS)
    try:
        log(f"creating database {DB_NAME} and setting it up (migrate, demo seed, taxonomy, classifier, API key)…")
        server.recreate(DB_NAME)
        plan_path = folder / "plan.json"
        subprocess.run(
            [sys.executable, "-m", "bench.intake", "setup", str(plan_path), "--seed", str(seed)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        port = free_port()
        log(f"gunicorn: {workers} workers × {threads} threads on 127.0.0.1:{port}; load: {concurrency} connections")
        with gunicorn(env, port, workers, threads, folder / "gunicorn.log") as master:
            wait_ready(port, plan["key"])
            load = Load(port, plan["key"], plan, seed)
            log(f"warming up for {warmup:.0f} s (not counted)…")
            load.run(concurrency, warmup)
            log(f"sustaining for {duration:.0f} s…")
            own_cpu = time.process_time()
            with CpuMeter(master) as meter:
                tally, elapsed = load.run(concurrency, duration)
            own_cpu = time.process_time() - own_cpu
            server_cpu, db_cpu = meter.seconds("app"), meter.seconds("db")
        server_log = (folder / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in server_log:
            log("the server logged errors; the last of them:\n" + server_log[-2000:])
        acknowledged = len(tally.numbers)
        stored = count_stored(server, url, tally.numbers)
        statuses = {str(k): v for k, v in sorted(tally.statuses.items())}
        log(
            f"{len(tally.latencies_ms)} answers {statuses}, {tally.errors} connection errors; CPU over the run: "
            f"load generator {own_cpu / elapsed:.0%}, gunicorn {server_cpu / elapsed:.0%}, "
            f"PostgreSQL {db_cpu / elapsed:.0%} (of one core)"
        )
        for sample in tally.samples[:3]:
            log(f"  a non-201 answer: {sample}")
        tps = pgbench(server, url, concurrency, folder, log)  # as many clients as HTTP connections
        return {
            "cases_per_s": round(acknowledged / elapsed, 1),
            "p50_ms": round(percentile(tally.latencies_ms, 50), 1),
            "p99_ms": round(percentile(tally.latencies_ms, 99), 1),
            "acknowledged": acknowledged,
            "stored": stored,
            "lost": acknowledged - stored,
            "pgbench_tps": None if tps != tps else round(tps, 1),
            "errors": tally.errors + sum(v for k, v in tally.statuses.items() if k >= 400),
            "duration_s": round(elapsed, 1),
            "concurrency": concurrency,
            "workers": workers,
            "threads": threads,
            "cpu": {
                "load_generator": round(own_cpu / elapsed, 2),
                "gunicorn": round(server_cpu / elapsed, 2),
                "postgresql": round(db_cpu / elapsed, 2),
                # CPU time each stored case cost the app and the database: what bounds the rate on 2 cores.
                "app_ms_per_case": round(server_cpu * 1000 / max(acknowledged, 1), 2),
                "db_ms_per_case": round(db_cpu * 1000 / max(acknowledged, 1), 2),
            },
            "classifier": plan["classifier"],
        }
    finally:
        if keep:
            log(f"kept database {DB_NAME} and {folder}")
        else:
            server.drop(DB_NAME)
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake")
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("setup", help="internal: prepare the bench database named by DATABASE_URL")
    s.add_argument("out", type=Path)
    s.add_argument("--points", type=int, default=POINTS)
    s.add_argument("--texts", type=int, default=TEXTS)
    s.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") != DB_NAME:
        raise SystemExit(f"setup runs only against the bench database {DB_NAME}")
    setup(args.out, args.points, args.texts, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
