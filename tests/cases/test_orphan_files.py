"""Photo files left behind by a failed write are removed by the sweep, and nothing else is."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from gongzhi.cases.actions.intake import Report, do_file_case
from gongzhi.cases.models import CasePhoto, Channel
from gongzhi.cases.photos import clean_photos
from gongzhi.core.orphans import sweep_orphan_files
from tests.cases.conftest import GRID1_POINT, Loop


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "bin.png"
    return buffer


def _orphan(media: Path, name: str, age: dt.timedelta) -> Path:
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG not a row's")
    stamp = time.time() - age.total_seconds()
    os.utime(path, (stamp, stamp))
    return path


def _file_with_photo(loop: Loop) -> CasePhoto:
    report = Report(
        channel=Channel.PATROL,
        title="垃圾满溢",
        description="小区门口垃圾桶满了两天没人清运。",
        lon=GRID1_POINT[0],
        lat=GRID1_POINT[1],
    )
    filed = do_file_case(actor=loop.actor("grid"), report=report, photos=clean_photos([_png()]))
    return CasePhoto.objects.get(case=filed.case)


def test_an_old_unreferenced_file_is_removed_and_the_rest_stay(loop: Loop, _media: Path) -> None:
    # given a filed case with its photo, an orphan from yesterday's failed intake, and one from a minute ago
    photo = _file_with_photo(loop)
    stale = _orphan(_media, "cases/2026/11/26112100000001-abcdef012345.png", dt.timedelta(hours=30))
    fresh = _orphan(_media, "cases/2026/11/26112100000002-abcdef012345.png", dt.timedelta(minutes=1))
    old_wish = _orphan(_media, "wishes/2026/10/w-1.jpg", dt.timedelta(days=40))
    # when the sweep runs
    swept = sweep_orphan_files()
    # then only the stale orphans are gone; the case's photo and the recent file remain
    assert not stale.exists() and not old_wish.exists()
    assert fresh.exists()
    assert (Path(_media) / photo.image.name).exists()
    assert swept.removed == 2 and swept.files_seen == 4
    assert sorted(swept.orphans) == ["cases/2026/11/26112100000001-abcdef012345.png", "wishes/2026/10/w-1.jpg"]


def test_a_dry_run_lists_and_removes_nothing(loop: Loop, _media: Path) -> None:
    # given an old orphan
    stale = _orphan(_media, "cases/2026/09/x.png", dt.timedelta(days=3))
    # when an operator asks for a dry run
    out, err = io.StringIO(), io.StringIO()
    call_command("sweep_orphans", "--dry-run", stdout=out, stderr=err)
    # then it is named and still there
    assert stale.exists()
    assert json.loads(out.getvalue()) == {"files_seen": 1, "orphans": 1, "removed": 0, "bytes_removed": 0}
    assert "would remove cases/2026/09/x.png" in err.getvalue()


def test_the_grace_period_protects_a_file_whose_row_is_not_committed_yet(loop: Loop, _media: Path) -> None:
    # given an unreferenced file written just now (its transaction may still be open)
    recent = _orphan(_media, "cases/2026/11/open.png", dt.timedelta(seconds=5))
    # when the sweep runs with the default grace
    swept = sweep_orphan_files(now=timezone.now())
    # then it is left alone
    assert recent.exists() and swept.removed == 0


def test_no_media_folder_yet_is_not_an_error(loop: Loop) -> None:
    assert sweep_orphan_files().files_seen == 0


def test_the_worker_sweeps_orphans_on_its_first_pass(loop: Loop, _media: Path) -> None:
    # given an orphan from two days ago
    stale = _orphan(_media, "cases/2026/11/left-behind.png", dt.timedelta(days=2))
    # when the worker makes one pass
    call_command("worker", "--once", "--interval", "1")
    # then the file is gone
    assert not stale.exists()
