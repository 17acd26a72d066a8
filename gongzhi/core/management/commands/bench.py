"""gongzhi bench <name>: runs a benchmark from the repository's bench/ folder and prints one JSON line."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import gongzhi

BENCHMARKS = {
    "grid-lookup": "bench.grid_lookup",
    "intake": "bench.intake",
    "kpi": "bench.kpi",
    "classifier-cv": "bench.classifier_cv",
    "matching": "bench.matching",
}


class Command(BaseCommand):
    help = "Run a benchmark (see docs/benchmarks.md): " + ", ".join(BENCHMARKS)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("--points", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--source",
            choices=("plan", "db"),
            default="plan",
            help="plan: generate the `city` tree in memory (same as `seed --size city`); db: use the grids stored",
        )
        # Options of the PostgreSQL benchmarks; None means the benchmark's own default (docs/benchmarks.md).
        parser.add_argument("--duration", type=float, default=None, help="intake: seconds of sustained load")
        parser.add_argument("--warmup", type=float, default=None, help="intake: seconds of load before measuring")
        parser.add_argument("--concurrency", type=int, default=None, help="intake: connections sending at once")
        parser.add_argument("--workers", type=int, default=None, help="intake: gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=None, help="intake: threads per gunicorn worker")
        parser.add_argument("--cases", type=int, default=None, help="kpi: cases to generate")
        parser.add_argument("--runs", type=int, default=None, help="kpi: timed indicator queries")
        parser.add_argument("--keep", action="store_true", help="intake, kpi: keep (kpi: reuse) the bench database")
        parser.add_argument("--needs", type=int, default=10_000, help="matching: needs in the campaign")
        parser.add_argument("--volunteers", type=int, default=50_000, help="matching: volunteers")
        parser.add_argument("--data", default="", help="classifier-cv: labelled CSV (default: ../shared/data)")
        parser.add_argument(
            "--glossary", default="", help="classifier-cv: label,term,... CSV (default: taxonomy.csv beside the data)"
        )
        parser.add_argument("--folds", type=int, default=None, help="classifier-cv: folds (5)")
        parser.add_argument("--fold-seed", type=int, default=None, help="classifier-cv: seed of the folds (0)")

    def handle(self, *args: Any, **options: Any) -> None:
        # Benchmarks ship with the source tree, not the installed package.
        root = Path(gongzhi.__file__).resolve().parent.parent
        if not (root / "bench").is_dir():
            raise CommandError(f"bench/ not found next to {root / 'gongzhi'}; run from a source checkout")
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        module = importlib.import_module(BENCHMARKS[options["name"]])
        result = module.run_from_cli(options, log=lambda m: self.stderr.write(m))
        self.stdout.write(json.dumps(result, ensure_ascii=False))
