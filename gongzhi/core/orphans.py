"""Uploaded files that no row refers to: found and removed after a grace period.

A photo's file is written while its row is still inside the transaction (the storage is not
transactional), so an intake or a step that fails after writing it leaves the file behind with no
row. Rather than guess at every failure path, the worker sweeps: every folder an upload field writes
to is listed, and a file is removed when no row of any model names it and it is older than the grace
period (so a file whose transaction is still open is never touched).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils import timezone

log = logging.getLogger("gongzhi.orphans")

GRACE = dt.timedelta(hours=24)
_CHUNK = 500  # names per IN (...) lookup


@dataclass(frozen=True, slots=True)
class Swept:
    files_seen: int
    orphans: tuple[str, ...]
    removed: int
    bytes_removed: int


def _upload_fields() -> list[tuple[type[models.Model], str, str]]:
    """(model, field name, top folder) of every FileField whose upload_to is a plain path."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and isinstance(field.upload_to, str) and field.upload_to:
                found.append((model, field.name, field.upload_to.split("/", 1)[0]))
    return found


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in dirs:
        yield from _walk(storage, f"{folder}/{sub}")


def _referenced(names: list[str], fields: list[tuple[type[models.Model], str]]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        for model, field in fields:
            known.update(model._default_manager.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return known


def sweep_orphan_files(*, grace: dt.timedelta = GRACE, now: dt.datetime | None = None, dry_run: bool = False) -> Swept:
    """Remove (or, dry run, list) unreferenced upload files older than `grace`."""
    storage = default_storage
    now = now or timezone.now()
    by_folder: dict[str, list[tuple[type[models.Model], str]]] = {}
    for model, field, folder in _upload_fields():
        by_folder.setdefault(folder, []).append((model, field))
    seen = 0
    orphans: list[str] = []
    removed = size = 0
    for folder, fields in sorted(by_folder.items()):
        names = list(_walk(storage, folder))
        seen += len(names)
        known = _referenced(names, fields)
        for name in names:
            if name in known or now - storage.get_modified_time(name) < grace:
                continue
            orphans.append(name)
            if dry_run:
                continue
            size += storage.size(name)
            storage.delete(name)
            removed += 1
    if removed:
        log.info("orphans: removed %d unreferenced upload files (%d bytes)", removed, size)
    return Swept(files_seen=seen, orphans=tuple(orphans), removed=removed, bytes_removed=size)
