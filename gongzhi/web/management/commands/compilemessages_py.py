"""`gongzhi compilemessages_py`: compile every .po under LOCALE_PATHS with polib."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.web.i18n import compile_po, po_files


class Command(BaseCommand):
    help = "Compile every .po file under LOCALE_PATHS to .mo with polib (no GNU gettext needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        paths = po_files()
        if not paths:
            self.stderr.write("no .po files found under LOCALE_PATHS")
            return
        for po in paths:
            mo = compile_po(po)
            self.stdout.write(f"compiled {mo}")
