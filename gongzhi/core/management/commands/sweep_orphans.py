"""gongzhi sweep_orphans [--grace-hours 24] [--dry-run]: remove uploaded files no row refers to.

The worker runs this once a day; the command is for an operator who wants to see (`--dry-run`) or do it
now. Prints one JSON line: files_seen, orphans (how many), removed, bytes_removed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.core.orphans import sweep_orphan_files


class Command(BaseCommand):
    help = "Remove uploaded files (photos) that no row refers to and that are older than the grace period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grace-hours", type=float, default=24.0, help="leave younger files alone (default 24)")
        parser.add_argument("--dry-run", action="store_true", help="list the orphans, remove nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        swept = sweep_orphan_files(grace=dt.timedelta(hours=options["grace_hours"]), dry_run=options["dry_run"])
        for name in swept.orphans:
            self.stderr.write(("would remove " if options["dry_run"] else "removed ") + name)
        self.stdout.write(
            json.dumps(
                {
                    "files_seen": swept.files_seen,
                    "orphans": len(swept.orphans),
                    "removed": swept.removed,
                    "bytes_removed": swept.bytes_removed,
                }
            )
        )
