"""Compiling the translations without GNU gettext, which intranet build machines often lack."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings


def locale_dirs() -> list[Path]:
    return [Path(p) for p in settings.LOCALE_PATHS]


def po_files() -> list[Path]:
    return sorted(po for root in locale_dirs() for po in root.glob("*/LC_MESSAGES/*.po"))


def compile_po(po_path: Path) -> Path:
    """Writes the .mo next to the .po. Like msgfmt, polib leaves out fuzzy and untranslated
    entries: a guessed translation shown to a user is worse than the English original."""
    catalog = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    catalog.save_as_mofile(str(mo_path))
    return mo_path
