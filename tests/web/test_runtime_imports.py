"""The app must import with the base requirements alone: packages of the dev extra (type stubs, test
tools, the translation merger) may appear only under TYPE_CHECKING or in development commands."""

from __future__ import annotations

import ast
from pathlib import Path

import gongzhi

DEV_ONLY = {"django_stubs_ext", "pytest", "hypothesis", "playwright", "polib", "mypy", "ruff"}
# Development commands (translation merging) and the helpers only they import.
ALLOWED = {
    "gongzhi/web/i18n.py",
    "gongzhi/web/management/commands/add_translations.py",
    "gongzhi/web/management/commands/compilemessages_py.py",
}


def _runtime_imports(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Import):
                names.extend(alias.name.split(".")[0] for alias in sub.names)
            elif isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                names.append(sub.module.split(".")[0])
    return names


def test_no_module_needs_a_dev_only_package_at_run_time() -> None:
    root = Path(gongzhi.__file__).resolve().parent
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).as_posix()
        if rel in ALLOWED or "/migrations/" in rel:
            continue
        used = set(_runtime_imports(ast.parse(path.read_text(encoding="utf-8")))) & DEV_ONLY
        if used:
            offenders.append(f"{rel}: {sorted(used)}")
    assert offenders == []
