"""What the workbench home shows: the user's roles, regions and the size of their jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.access import AnyUser
from gongzhi.core.models import Membership
from gongzhi.regions import selectors
from gongzhi.regions.models import GridKind, Level


@dataclass(frozen=True, slots=True)
class ScopeCounts:
    districts: int
    streets: int
    communities: int
    grids: int
    comprehensive_grids: int
    dedicated_grids: int
    buildings: int


def scope_counts(user: AnyUser) -> ScopeCounts:
    """Two grouped queries over the scoped selectors, whatever the size of the jurisdiction."""
    by_level: dict[tuple[str, str], int] = {
        (level, kind): n
        for level, kind, n in selectors.regions_for(user)
        .order_by()
        .values_list("level", "grid_kind")
        .annotate(n=Count("id"))
    }

    def level_total(level: str) -> int:
        return sum(n for (lvl, _kind), n in by_level.items() if lvl == level)

    return ScopeCounts(
        districts=level_total(Level.DISTRICT),
        streets=level_total(Level.STREET),
        communities=level_total(Level.COMMUNITY),
        grids=level_total(Level.GRID),
        comprehensive_grids=by_level.get((Level.GRID, GridKind.COMPREHENSIVE), 0),
        dedicated_grids=by_level.get((Level.GRID, GridKind.DEDICATED), 0),
        buildings=selectors.buildings_for(user).count(),
    )


def memberships_of(user: AnyUser) -> list[Membership]:
    if not isinstance(user, AbstractBaseUser):
        return []
    return list(Membership.objects.filter(user_id=user.pk).select_related("region").order_by("role"))


def greeting() -> str:
    """By the hour in the site's time zone (Asia/Shanghai), not the server's."""
    hour = timezone.localtime().hour
    if hour < 5:
        return _("Good evening")
    if hour < 12:
        return _("Good morning")
    if hour < 18:
        return _("Good afternoon")
    return _("Good evening")
