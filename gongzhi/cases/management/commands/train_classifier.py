"""gongzhi train_classifier [--csv FILE] [--level leaf|class] [--min-per-label N] [--evaluate]: retrain the classifier.

From the deployment's own closed cases (label: the category the office settled on, a leaf or its class)
or from a CSV with columns title, detail, label (labels may be category codes, names or aliases, e.g. a
hotline's first-level sectors, which routing maps to our classes). The new model becomes the active one.
Progress goes to stderr, the summary (one JSON line) to stdout.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.cases import classifier, routing
from gongzhi.cases.actions.common import SYSTEM
from gongzhi.cases.actions.config import do_store_classifier
from gongzhi.cases.models import Case, Category, Status
from gongzhi.core import context

LEVELS = ("leaf", "class")


def read_csv(path: Path) -> tuple[list[str], list[str]]:
    """(texts, labels) from a CSV with title, detail and label columns."""
    try:
        return classifier.read_labeled_csv(path)
    except (OSError, ValueError, KeyError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc


def closed_cases(level: str) -> tuple[list[str], list[str]]:
    """(texts, labels) from closed cases: the category the office settled on, or its class."""
    rows = (
        Case.objects.filter(status=Status.CLOSED, category__isnull=False)
        .order_by("id")
        .values_list("title", "description", "category__code", "category__parent__code")
    )
    texts: list[str] = []
    labels: list[str] = []
    for title, detail, leaf, klass in rows.iterator(chunk_size=5000):
        texts.append(classifier.case_text(title, detail))
        labels.append(klass if level == "class" and klass else leaf)
    return texts, labels


def category_glossary(level: str) -> dict[str, list[str]]:
    """Our own scheme's names as the classifier's glossary: a leaf's name and aliases; a class's leaves.

    What a city's 一级/二级/三级 table is to a hotline's sectors (classifier.read_glossary_csv), the
    category tree is to our codes: the words each label is known by.
    """
    glossary: dict[str, list[str]] = {}
    for code, name, aliases, parent in Category.objects.filter(is_active=True).values_list(
        "code", "name", "aliases", "parent__code"
    ):
        names = [name, *[str(a) for a in aliases or []]]
        if level == "class" and parent:
            glossary.setdefault(parent, []).extend(names)
        else:
            glossary.setdefault(code, []).extend(names)
    return {label: sorted(set(entries)) for label, entries in glossary.items()}


def cross_validate(
    texts: list[str], labels: list[str], folds: int, glossary: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The classifier's stratified k-fold scores, leaving out labels with fewer examples than folds."""
    counts = Counter(labels)
    keep = [i for i, label in enumerate(labels) if counts[label] >= folds]
    if folds < 2 or len({labels[i] for i in keep}) < 2:
        return {}
    metrics = classifier.cross_validate(
        [texts[i] for i in keep], [labels[i] for i in keep], folds=folds, glossary=glossary
    )
    return {"method": f"{folds}-fold", **metrics}


class Command(BaseCommand):
    help = "Train the case classifier from closed cases or a labelled CSV and make it the active model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", dest="csv_path", default="", help="title,detail,label CSV instead of the cases")
        parser.add_argument("--level", choices=LEVELS, default="leaf", help="closed cases: train on leaves or classes")
        parser.add_argument("--min-per-label", type=int, default=5, help="leave out labels with fewer examples")
        parser.add_argument("--evaluate", action="store_true", help="add 5-fold accuracy and macro-F1")
        parser.add_argument("--folds", type=int, default=5, help="folds for --evaluate")
        parser.add_argument(
            "--glossary",
            default="",
            help="label,term,... CSV of the labels' scheme (a CSV's labels); closed cases use the category names",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stderr.write(f"  [{time.perf_counter() - started:6.1f}s] {message}")

        path = Path(options["csv_path"]) if options["csv_path"] else None
        glossary: dict[str, list[str]] | None = None
        if options["glossary"]:
            try:
                glossary = classifier.read_glossary_csv(options["glossary"])
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"cannot read {options['glossary']}: {exc}") from exc
        if path is not None:
            texts, labels = read_csv(path)
            source = f"csv {path.name}"
        else:
            texts, labels = closed_cases(options["level"])
            source = f"closed cases ({options['level']})"
            glossary = glossary or category_glossary(options["level"])
        progress(f"{len(texts)} examples from {source}")
        counts = Counter(labels)
        kept = {label for label, n in counts.items() if n >= max(options["min_per_label"], 1)}
        pairs = [(t, label) for t, label in zip(texts, labels, strict=True) if label in kept]
        texts, labels = [p[0] for p in pairs], [p[1] for p in pairs]
        if len(kept) < 2:
            raise CommandError(f"need at least two labels with {options['min_per_label']} examples each")
        mapping = routing._label_map(sorted(kept))
        unknown = sorted(label for label, code in mapping.items() if not code)
        if len(unknown) == len(kept):
            raise CommandError("none of the labels is a category code, name or alias: " + ", ".join(unknown[:10]))
        if unknown:
            progress(f"labels that match no category (their suggestions are dropped): {', '.join(unknown)}")
        metrics: dict[str, Any] = {}
        if options["evaluate"]:
            metrics = cross_validate(texts, labels, options["folds"], glossary)
            progress(f"{options['folds']}-fold: {metrics}")
        model = classifier.train(texts, labels, glossary=glossary)
        progress(f"trained on {len(texts)} examples, {len(kept)} labels, {len(model.glossary_labels)} glossary entries")
        with context.bind("cli"):
            row = do_store_classifier(actor=SYSTEM, source=source, model=model, n_samples=len(texts), metrics=metrics)
        summary = {
            "model": row.pk,
            "source": row.source,
            "n_samples": row.n_samples,
            "labels": len(row.labels),
            "unmapped_labels": unknown,
            "dropped": sum(n for label, n in counts.items() if label not in kept),
            "metrics": metrics,
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
