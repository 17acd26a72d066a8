"""The micro-wishes' tests: the shared service-loop world, evidence photos kept in a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.serviceloop.world import world  # noqa: F401


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
