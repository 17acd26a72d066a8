"""gongzhi escalate_wishes: one pass of the wish sweep (the worker runs it with the case sweep)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.core import context
from gongzhi.wishes.actions import do_escalate_stale_wishes


class Command(BaseCommand):
    help = "Push wishes unclaimed too long to the street board and tell the matched people; expire very old ones."

    def handle(self, *args: Any, **options: Any) -> None:
        with context.bind("task"):
            result = do_escalate_stale_wishes()
        self.stdout.write(f"wishes: escalated={result.escalated} expired={result.expired}")
