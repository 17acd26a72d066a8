"""gongzhi add_translations FILE.json: merge {msgid: 中文} into the zh_Hans catalogue and recompile.

Works without GNU gettext and takes a file lock, so several people (or jobs) adding strings at once
do not overwrite each other's entries.
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

import polib
from django.core.management.base import BaseCommand, CommandParser

from gongzhi.web.i18n import compile_po, po_files


class Command(BaseCommand):
    help = "Merge translations from a JSON object {msgid: msgstr} into zh_Hans and recompile the .mo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("json_file")

    def handle(self, *args: Any, **options: Any) -> None:
        entries: dict[str, str] = json.loads(Path(options["json_file"]).read_text(encoding="utf-8"))
        po_path = next(p for p in po_files() if "zh_Hans" in p.parts)
        with open(po_path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            catalog = polib.pofile(str(po_path))
            known = {e.msgid: e for e in catalog}
            for msgid, msgstr in entries.items():
                entry = known.get(msgid)
                if entry is None:
                    catalog.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
                else:
                    entry.msgstr = msgstr
                    if "fuzzy" in entry.flags:
                        entry.flags.remove("fuzzy")
            catalog.save(str(po_path))
            compile_po(po_path)
        self.stdout.write(f"{len(entries)} entries merged into {po_path}")
