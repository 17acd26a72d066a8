"""gongzhi worker: the background process — runs the overdue sweep every --interval seconds until stopped,
and once a day removes uploaded files no row refers to (gongzhi.core.orphans).

SIGTERM (systemd stop) and SIGINT (Ctrl-C) end it after the pass in progress: each case of a pass is
its own short transaction, so stopping between passes never leaves half a pass behind, and a pass
cut short by a hard kill is simply finished by the next one.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from gongzhi.cases.sweep import run_sweep
from gongzhi.core import context
from gongzhi.core.orphans import sweep_orphan_files
from gongzhi.wishes.actions import do_escalate_stale_wishes

log = logging.getLogger("gongzhi.worker")

ORPHAN_SWEEP_EVERY_S = 24 * 3600.0


def _drop_dead_connections() -> None:
    """A database restart between passes must not kill the worker: drop broken or expired connections.

    Never inside a transaction (a caller's, as in tests): closing there would end it.
    """
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = "Run background jobs (the overdue sweep) every --interval seconds until SIGTERM or SIGINT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes (default 60)")
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = max(options["interval"], 0.1)
        stop = threading.Event()

        def request_stop(signum: int, _frame: FrameType | None) -> None:
            log.info("worker: %s received, stopping after this pass", signal.Signals(signum).name)
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("worker: started, a pass every %.0f s", interval)
        passes = failures = 0
        orphans_swept_at: float | None = None
        try:
            while not stop.is_set():
                started = time.monotonic()
                _drop_dead_connections()
                try:
                    with context.bind("task"):
                        result = run_sweep()
                        do_escalate_stale_wishes()  # the micro-wishes' sweep (gongzhi.wishes)
                except Exception:
                    failures += 1
                    log.exception("worker: sweep failed (the next pass retries)")
                else:
                    passes += 1
                    log.info(
                        "worker: sweep warned=%d overdue=%d escalated=%d in %.2fs",
                        result.warned,
                        result.overdue,
                        result.escalated,
                        time.monotonic() - started,
                    )
                if orphans_swept_at is None or time.monotonic() - orphans_swept_at >= ORPHAN_SWEEP_EVERY_S:
                    orphans_swept_at = time.monotonic()
                    try:
                        swept = sweep_orphan_files()
                    except Exception:
                        log.exception("worker: orphan file sweep failed (tried again tomorrow)")
                    else:
                        log.info("worker: %d orphan upload files removed of %d", swept.removed, swept.files_seen)
                if options["once"]:
                    break
                stop.wait(max(0.0, interval - (time.monotonic() - started)))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            _drop_dead_connections()
        log.info("worker: stopped after %d passes (%d failed)", passes, failures)
        if options["once"] and failures:
            raise SystemExit(1)
