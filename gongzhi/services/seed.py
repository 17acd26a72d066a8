"""Putting the seeded need taxonomy back where it is missing (a flushed test database, a new deployment)."""

from __future__ import annotations

from gongzhi.services.models import NeedCategory
from gongzhi.services.taxonomy_data import NEED_TAXONOMY


def ensure_need_taxonomy() -> int:
    """Creates the seeded classes that are missing; classes already there (perhaps renamed) stay as they are."""
    created = 0
    order = 0
    for major_code, major_name, minors in NEED_TAXONOMY:
        order += 1
        major, made = NeedCategory.objects.get_or_create(
            code=major_code, defaults={"name": major_name, "sort_order": order}
        )
        created += made
        for code, name in minors:
            order += 1
            _minor, made = NeedCategory.objects.get_or_create(
                code=code, defaults={"name": name, "parent": major, "sort_order": order}
            )
            created += made
    return created
