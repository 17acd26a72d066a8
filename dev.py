#!/usr/bin/env python3
"""One entry point for a fresh clone: needs only Python 3.11 and pip.

    python3 dev.py demo     install, seed the demo city once, serve http://127.0.0.1:8000
    python3 dev.py test     install everything, run the whole test suite (extra args go to pytest)
    python3 dev.py lint     ruff, mypy, migration check, deploy check

The virtualenv lives in .venv and is reinstalled only when a lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
LOCKS = {"base": ROOT / "requirements" / "base.txt", "dev": ROOT / "requirements" / "dev.txt"}


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_env(kind: str) -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"gongzhi needs Python 3.11; this is {sys.version.split()[0]}")
    if not PY.exists():
        print("» creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(LOCKS[kind].read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{kind}-{digest}"
    if stamp.exists() or (kind == "base" and _dev_covers_base()):
        return
    print(f"» installing {kind} dependencies from {LOCKS[kind].relative_to(ROOT)}", flush=True)
    run(PY, "-m", "pip", "install", "--quiet", "--quiet", "--disable-pip-version-check", "-r", LOCKS[kind])
    run(PY, "-m", "pip", "install", "--quiet", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", ".")
    for old in VENV.glob(f".installed-{kind}-*"):
        old.unlink()
    stamp.touch()


def _dev_covers_base() -> bool:
    """The dev lock pins a superset of the base lock; if it is current, the demo needs nothing more."""
    digest = hashlib.sha256(LOCKS["dev"].read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    return (VENV / f".installed-dev-{digest}").exists()


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    extra = sys.argv[2:]
    env = dict(os.environ)
    if command == "demo":
        ensure_env("base")
        env.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.dev")
        run(BIN / "gongzhi", "demo", *extra, env=env)
    elif command == "test":
        ensure_env("dev")
        # One worker per core (pytest-xdist, a test database each) unless the caller chose otherwise.
        workers = [] if any(a.startswith(("-n", "--numprocesses")) for a in extra) else ["-n", "auto"]
        run(PY, "-m", "pytest", *workers, *extra, env=env)
    elif command == "lint":
        ensure_env("dev")
        run(BIN / "ruff", "check", ".")
        run(BIN / "mypy", "gongzhi", "bench", "tests")
        env_check = {**env, "DJANGO_SETTINGS_MODULE": "gongzhi.settings.test"}
        run(BIN / "gongzhi", "makemigrations", "--check", "--dry-run", env=env_check)
        deploy = {
            **env,
            "DJANGO_SETTINGS_MODULE": "gongzhi.settings.production",
            "GONGZHI_SECRET_KEY": "lint-only-" + hashlib.sha256(os.urandom(32)).hexdigest(),
            "GONGZHI_CACHE_URL": "redis://127.0.0.1:6379/1",  # named, not contacted, by the check
        }
        run(BIN / "gongzhi", "check", "--deploy", "--fail-level", "WARNING", env=deploy)
    else:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)


if __name__ == "__main__":
    main()
