"""gongzhi sweep: one pass of the overdue sweep (warn, mark overdue, escalate), printing what it did."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.cases.sweep import run_sweep
from gongzhi.core import context


class Command(BaseCommand):
    help = "Run the overdue sweep once: deadline warnings, overdue marking, escalation (docs/operations.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        with context.bind("task"):
            result = run_sweep()
        self.stdout.write(
            json.dumps({"warned": result.warned, "overdue": result.overdue, "escalated": result.escalated})
        )
