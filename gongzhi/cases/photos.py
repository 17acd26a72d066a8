"""Photo uploads: at most six, JPEG/PNG/WebP only (checked by decoding, not by the name), at most 8 MB
each, re-encoded so that EXIF (often a phone's GPS position and device) is never stored."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Protocol

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from gongzhi.cases.models import Case, CasePhoto
from gongzhi.core.errors import DomainError, ErrorItem

MAX_PHOTOS = 6
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


class Upload(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class CleanPhoto:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_photos(files: list[Upload] | None, field: str = "photos") -> list[CleanPhoto]:
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise DomainError.single(field, "too_many", _("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    out: list[CleanPhoto] = []
    errors: list[ErrorItem] = []
    for i, upload in enumerate(files):
        name = f"{field}.{i}"
        raw = upload.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            errors.append(ErrorItem(name, "too_large", _("A photo may be at most 8 MB.")))
            continue
        try:
            with Image.open(io.BytesIO(raw)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(raw)) as image:
                kind = image.format or ""
                if kind not in _FORMATS:
                    raise UnidentifiedImageError(kind)
                if image.width * image.height > MAX_PIXELS:
                    errors.append(ErrorItem(name, "too_large", _("The photo has too many pixels.")))
                    continue
                buffer = io.BytesIO()
                clean = image.convert("RGB") if kind == "JPEG" and image.mode not in ("RGB", "L") else image
                # Saving without the exif argument drops EXIF, GPS included.
                clean.save(buffer, format=kind, quality=85) if kind != "PNG" else clean.save(buffer, format=kind)
                content_type, extension = _FORMATS[kind]
                out.append(CleanPhoto(buffer.getvalue(), content_type, extension, image.width, image.height))
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            errors.append(ErrorItem(name, "not_an_image", _("Only JPEG, PNG or WebP photos are accepted.")))
    if errors:
        raise DomainError(errors)
    return out


def save_photos(case: Case, stage: str, photos: list[CleanPhoto]) -> list[CasePhoto]:
    saved = []
    for photo in photos:
        digest = hashlib.sha256(photo.data).hexdigest()
        row = CasePhoto(
            case=case,
            stage=stage,
            content_type=photo.content_type,
            size=len(photo.data),
            width=photo.width,
            height=photo.height,
            sha256=digest,
        )
        row.image.save(f"{case.number}-{digest[:12]}.{photo.extension}", ContentFile(photo.data), save=False)
        row.save()
        saved.append(row)
    return saved
