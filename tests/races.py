"""Races on PostgreSQL: start several calls at the same instant, each on its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection


def race(calls: list[Callable[[], object]]) -> tuple[int, list[Exception]]:
    """Runs every call in its own thread, released together; returns (how many won, what the rest raised)."""
    barrier = threading.Barrier(len(calls))
    wins: list[int] = []
    errors: list[Exception] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
            wins.append(1)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(wins), errors


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises the whole database)")
