"""gongzhi import_hotline FILE --region CODE --as USERNAME [--map field=header …]: file 12345 tickets as cases.

All or nothing (gongzhi.cases.imports): on any bad row it prints every row error and exits with
status 1, having written nothing. Progress goes to stderr, the summary (one JSON line) to stdout.
`gongzhi import_hotline out.xlsx --template` writes the empty template instead.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.cases.actions.common import Actor
from gongzhi.cases.imports import ATTRIBUTE_PREFIX, DEFAULT_MAPPING, FIELDS, hotline_template, import_hotline
from gongzhi.core import context
from gongzhi.core.errors import DomainError


class Command(BaseCommand):
    help = "Import a 12345 hotline export (CSV or .xlsx) as cases, all or nothing."
    # Messages are for the office running the import: Chinese, like the pages.
    leave_locale_alone = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the hotline export (.csv in UTF-8 or GB18030, or .xlsx)")
        parser.add_argument("--region", default="", help="code of the street or district importing (required)")
        parser.add_argument("--as", dest="username", default="", help="the account importing (needs cases.import)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="which column holds a field, overriding the default headers; fields: "
            + ", ".join(FIELDS)
            + f", {ATTRIBUTE_PREFIX}<key>",
        )
        parser.add_argument("--template", action="store_true", help="write the empty template to FILE and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE), context.bind("cli"):
            self._run(options)

    def _mapping(self, pairs: list[str]) -> dict[str, str]:
        mapping = dict(DEFAULT_MAPPING)
        for pair in pairs:
            name, sep, header = pair.partition("=")
            name = name.strip()
            if not sep or not name or (name not in FIELDS and not name.startswith(ATTRIBUTE_PREFIX)):
                raise CommandError(f"--map {pair!r}: expected FIELD=HEADER with FIELD one of {', '.join(FIELDS)}")
            mapping[name] = header.strip()
        return mapping

    def _run(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if options["template"]:
            path.write_bytes(hotline_template())
            self.stdout.write(str(path))
            return
        if not options["region"] or not options["username"]:
            raise CommandError("--region and --as are required")
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active account {options['username']}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r  {done}/{total}", ending="")
            if done == total:
                self.stderr.write("")
            sys.stderr.flush()

        try:
            result = import_hotline(
                actor=Actor(user=user),
                data=data,
                filename=path.name,
                mapping=self._mapping(options["map"]),
                region_code=options["region"],
                progress=progress,
            )
        except PermissionDenied as exc:
            raise CommandError(f"{user.username} may not import cases for {options['region']}") from exc
        except DomainError as exc:
            raise CommandError("; ".join(item.message for item in exc.items)) from exc
        if result.unmapped:
            self.stderr.write("columns not in the file (ignored): " + ", ".join(result.unmapped))
        summary = {
            "ok": result.ok,
            "rows": result.total,
            "created": result.created,
            "existing": result.existing,
            "unclassified": result.unclassified,
            "errors": len(result.errors),
            "seconds": round(time.perf_counter() - started, 2),
        }
        if not result.ok:
            for error in result.errors:
                where = _("Row %(row)d") % {"row": error.row} + (f"，{error.column}" if error.column else "")
                self.stderr.write(f"{where}：{error.message}")
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            raise CommandError(_("%(n)d problems found; nothing was imported.") % {"n": len(result.errors)})
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
