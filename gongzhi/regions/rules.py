"""The rules of the jurisdiction tree. Each failure is a DomainError with a stable code."""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.regions.geometry import TOLERANCE_M, Polygonal, degrees_for_metres
from gongzhi.regions.models import CODE_LENGTH, PARENT_LEVEL, Level, Region, scope_prefix


def check_code(*, level: str, code: str, parent_level: str | None, parent_code: str | None) -> None:
    expected = CODE_LENGTH[level]
    if not code.isascii() or not code.isdigit():
        raise DomainError.single("code", "code_not_digits", _("A region code may contain digits only."))
    if len(code) != expected:
        raise DomainError.single(
            "code",
            "code_length",
            _("A %(level)s code has %(expected)d digits; %(code)s has %(got)d.")
            % {"level": Level(level).label, "expected": expected, "code": code, "got": len(code)},
        )
    if PARENT_LEVEL[level] != parent_level:
        raise DomainError.single(
            "parent",
            "parent_level",
            _("The parent of a %(level)s must be a %(parent)s.")
            % {"level": Level(level).label, "parent": Level(PARENT_LEVEL[level] or "city").label},
        )
    if parent_code is not None and parent_level is not None:
        prefix = scope_prefix(parent_level, parent_code)
        if not code.startswith(prefix):
            raise DomainError.single(
                "code",
                "code_prefix",
                _("Code %(code)s must start with its parent's code %(prefix)s.") % {"code": code, "prefix": prefix},
            )


def check_code_unique(code: str, *, exclude_pk: int | None = None) -> None:
    qs = Region.objects.filter(code=code)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise DomainError.single("code", "code_duplicate", _("Code %(code)s is already in use.") % {"code": code})


def check_geometry_valid(geom: Polygonal) -> None:
    if geom.is_empty or not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise DomainError.single(
            "geometry", "geometry_invalid", _("The boundary is not a valid polygon: %(reason)s") % {"reason": reason}
        )


def check_within_parent(geom: Polygonal, parent_geom: Polygonal | None) -> None:
    if parent_geom is None:
        return
    tol = degrees_for_metres(TOLERANCE_M, parent_geom.centroid.y)
    if not parent_geom.buffer(tol).covers(geom):
        outside = geom.difference(parent_geom.buffer(tol))
        point = outside.representative_point()
        raise DomainError.single(
            "geometry",
            "outside_parent",
            _("The boundary leaves its parent's area near %(lon).6f, %(lat).6f.") % {"lon": point.x, "lat": point.y},
        )


def overlapping_pairs(geoms: Sequence[Polygonal], lat: float) -> list[tuple[int, int]]:
    """Pairs (i < j) whose common area is thicker than the tolerance; shared edges do not count."""
    if len(geoms) < 2:
        return []
    arr = shapely.from_wkb(shapely.to_wkb(list(geoms)))  # a fresh array; STRtree keeps references
    tree = shapely.STRtree(arr)
    left, right = tree.query(arr, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if left.size == 0:
        return []
    common = shapely.intersection(arr[left], arr[right])
    tol = degrees_for_metres(TOLERANCE_M, lat)
    thick = ~shapely.is_empty(shapely.buffer(common, -tol)) & (shapely.area(common) > 0)
    return [(int(a), int(b)) for a, b in zip(left[thick], right[thick], strict=True)]


def check_no_sibling_overlap(geom: Polygonal, siblings: Sequence[tuple[str, Polygonal]]) -> None:
    if not siblings:
        return
    pairs = overlapping_pairs([geom, *(g for _, g in siblings)], geom.centroid.y)
    for a, b in pairs:
        if a == 0:
            name = siblings[b - 1][0]
            raise DomainError.single(
                "geometry", "overlaps_sibling", _("The boundary overlaps %(name)s.") % {"name": name}
            )
