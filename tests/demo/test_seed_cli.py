"""The console script end to end: two empty databases, one seed, one geometry digest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _gongzhi(home: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GONGZHI_HOME=str(home), DJANGO_SETTINGS_MODULE="gongzhi.settings.dev")
    done = subprocess.run(
        [sys.executable, "-m", "gongzhi.cli", *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_demo_seed_into_two_empty_databases_prints_the_same_digest(tmp_path: Path) -> None:
    digests = []
    for name in ("first", "second"):
        home = tmp_path / name
        _gongzhi(home, "migrate", "-v0")
        out = _gongzhi(home, "seed", "--size", "demo", "--seed", "5", "--no-people")
        line = json.loads(out.strip().splitlines()[-1])
        assert (line["districts"], line["streets"], line["communities"], line["grids"]) == (1, 9, 127, 1063)
        digests.append(line["geometry_sha256"])
    assert digests[0] == digests[1]
    assert len(digests[0]) == 64
