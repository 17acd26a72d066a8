"""gongzhi eval classifier --train TRAIN.csv --data TEST.csv [--glossary SCHEME.csv]: train on one labelled
CSV, score on another.

Both CSVs have the columns title, detail and label (UTF-8, with or without BOM). `--glossary` names the
category scheme the labels come from (label, then the names of its subcategories, broadest first — a
city's 一级/二级/三级分类 table such as ../shared/data/gov_messages/taxonomy.csv); its names become
prior knowledge of the model (classifier.py).  Prints one JSON
line to stdout, {"n": …, "accuracy": …, "macro_f1": …}; progress goes to stderr.  The positional
target leaves room for evaluating other components the same way.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

TARGETS = ("classifier",)


class Command(BaseCommand):
    help = "Evaluate a component on labelled data; prints one JSON line (n, accuracy, macro_f1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", choices=TARGETS)
        parser.add_argument("--train", required=True, help="labelled CSV (title, detail, label) to train on")
        parser.add_argument("--data", required=True, help="labelled CSV (title, detail, label) to score")
        parser.add_argument("--glossary", default="", help="label,term,... CSV: the scheme's names of each label")

    def handle(self, *args: Any, **options: Any) -> None:
        glossary = Path(options["glossary"]) if options["glossary"] else None
        result = self._classifier(Path(options["train"]), Path(options["data"]), glossary)
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _classifier(self, train_path: Path, data_path: Path, glossary_path: Path | None) -> dict[str, Any]:
        from gongzhi.cases import classifier

        glossary = None
        if glossary_path is not None:
            if not glossary_path.is_file():
                raise CommandError(f"no such file: {glossary_path}")
            try:
                glossary = classifier.read_glossary_csv(glossary_path)
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
        train_texts, train_labels = _read(train_path)
        test_texts, test_labels = _read(data_path)
        if not test_texts:
            raise CommandError(f"{data_path}: no labelled rows to score")
        started = time.perf_counter()
        self.stderr.write(f"training on {len(train_texts)} examples from {train_path} …")
        try:
            model = classifier.train(train_texts, train_labels, glossary=glossary)
        except ValueError as exc:
            raise CommandError(f"{train_path}: {exc}") from exc
        self.stderr.write(
            f"trained in {time.perf_counter() - started:.1f}s; scoring {len(test_texts)} from {data_path}"
        )
        return classifier.evaluate(model, test_texts, test_labels)


def _read(path: Path) -> tuple[list[str], list[str]]:
    from gongzhi.cases.classifier import read_labeled_csv

    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    try:
        return read_labeled_csv(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
