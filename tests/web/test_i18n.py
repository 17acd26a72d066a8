"""Chinese first, English on request, and a translation catalogue that cannot silently go stale."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.translation.template import templatize

from tests.conftest import SmallTree

PACKAGE = Path(settings.BASE_DIR)
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
HOW_TO_FIX = (
    "run `../.venv/bin/gongzhi makemessages -l zh_Hans --add-location file` inside gongzhi/, translate the new "
    "entries in django.po, then `gongzhi compilemessages_py`, and commit both files"
)


def python_msgids(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        args = node.args[1:] if name.startswith("p") else node.args  # pgettext: context first
        if name in GETTEXT_NAMES and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            found.add(args[0].value)
    return found


# templatize() rewrites a template into gettext calls for xgettext; we read those calls back.
# A string holding an apostrophe comes back in double quotes.
TEMPLATE_CALL = re.compile(r"""\b(?:n|p)?gettext\((u'(?:[^'\\]|\\.)*'|u"(?:[^"\\]|\\.)*")""")


def template_msgids(path: Path) -> set[str]:
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    return {ast.literal_eval(literal) for literal in TEMPLATE_CALL.findall(source)}


def source_msgids() -> dict[str, str]:
    """msgid → the first file that uses it, for every translatable string in the package."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if "migrations" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py":
            ids = python_msgids(path)
        elif path.suffix in {".html", ".txt"} and "templates" in path.parts:
            ids = template_msgids(path)
        else:
            continue
        for msgid in ids:
            found.setdefault(msgid, str(path.relative_to(PACKAGE)))
    return found


def test_every_string_in_the_code_has_a_chinese_translation() -> None:
    translated = {e.msgid for e in polib.pofile(str(PO)) if e.translated()}

    missing = {msgid: where for msgid, where in source_msgids().items() if msgid not in translated}

    assert not missing, f"untranslated strings {missing}: {HOW_TO_FIX}"


def test_committed_mo_matches_the_po() -> None:
    po = polib.pofile(str(PO))
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(MO))}

    stale = []
    for entry in po.translated_entries():
        compiled = mo.get((entry.msgctxt, entry.msgid))
        if compiled is None:
            stale.append(entry.msgid)
        elif entry.msgid_plural:
            if {int(k): v for k, v in compiled.msgstr_plural.items()} != {
                int(k): v for k, v in entry.msgstr_plural.items()
            }:
                stale.append(entry.msgid)
        elif compiled.msgstr != entry.msgstr:
            stale.append(entry.msgid)
    extra = {key for key in mo if key[1] and key[1] not in {e.msgid for e in po.translated_entries()}}

    assert not stale and not extra, f".mo out of date (stale {stale}, extra {extra}): {HOW_TO_FIX}"


@pytest.fixture
def signed_in(client: Client, small_tree: SmallTree) -> Client:
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    return client


def test_pages_are_chinese_by_default(signed_in: Client) -> None:
    html = signed_in.get(reverse("regions:detail", args=["320113001001"])).content.decode()

    assert '<html lang="zh-hans">' in html
    assert "工作台" in html and "区划网格" in html and "退出登录" in html
    assert "综合网格" in html  # model choices are translated too
    assert "Workbench" not in html


def test_an_english_browser_still_gets_chinese_until_the_user_switches(signed_in: Client) -> None:
    # Office PCs and kiosks often run English browsers; their users did not ask for English.
    html = signed_in.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="zh-hans">' in html and "工作台" in html


def test_switching_to_english_sticks_across_pages(signed_in: Client) -> None:
    url = reverse("regions:detail", args=["320113001001"])

    response = signed_in.post(reverse("set_language"), {"language": "en", "next": url})

    assert response.status_code == 302 and response["Location"] == url
    html = signed_in.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Workbench" in html and "Log out" in html and "Comprehensive grid" in html
    assert "工作台" not in html
    assert "Workbench" in signed_in.get(reverse("web:home")).content.decode()


def test_switching_back_to_chinese(signed_in: Client) -> None:
    signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    signed_in.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert "工作台" in signed_in.get(reverse("web:home")).content.decode()


def test_domain_errors_are_translated(small_tree: SmallTree) -> None:
    from django.utils import translation

    from gongzhi.core.errors import DomainError
    from gongzhi.regions.actions import do_create_region

    with translation.override("zh-hans"), pytest.raises(DomainError) as info:
        do_create_region(actor=None, level="street", code="32011300", name="错误街道", parent=small_tree.district)

    assert info.value.items[0].message == "街道编码应为 9 位，32011300 为 8 位。"
