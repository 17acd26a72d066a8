from __future__ import annotations

import io
import shutil
from pathlib import Path

import polib
from django.core.management import call_command
from django.test import override_settings

from tests.web.test_i18n import PO


def test_compilemessages_py_writes_a_mo_next_to_each_po(tmp_path: Path) -> None:
    target = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO, target / "django.po")

    out = io.StringIO()
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("compilemessages_py", stdout=out)

    assert str(target / "django.mo") in out.getvalue()
    mo = polib.mofile(str(target / "django.mo"))
    assert {e.msgid: e.msgstr for e in mo}["Workbench"] == "工作台"


def test_compilemessages_py_leaves_out_fuzzy_guesses(tmp_path: Path) -> None:
    target = tmp_path / "locale" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Sure", msgstr="Certain"))
    po.append(polib.POEntry(msgid="Guess", msgstr="Maybe", flags=["fuzzy"]))
    po.save(str(target / "django.po"))

    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("compilemessages_py", stdout=io.StringIO())

    assert {e.msgid for e in polib.mofile(str(target / "django.mo"))} == {"Sure"}
