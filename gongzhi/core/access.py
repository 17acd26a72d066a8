"""Who sees what: a user's scope is the union of the subtrees of their memberships' regions."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from gongzhi.core.models import Membership, Role

# Reference data (the tree, addresses) is visible city-wide to the system administrator.
REFERENCE_DATA_ROLES = frozenset({Role.SYSTEM_ADMIN})

AnyUser = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True, slots=True)
class Scope:
    """`everything` or a set of code prefixes; empty means nothing at all."""

    everything: bool
    prefixes: tuple[str, ...]

    def q(self, field: str) -> Q:
        if self.everything:
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        query = Q()
        for prefix in self.prefixes:
            query |= Q(**{f"{field}__startswith": prefix})
        return query

    def covers(self, code: str) -> bool:
        return self.everything or any(code.startswith(p) for p in self.prefixes)


NOTHING = Scope(everything=False, prefixes=())


def _minimal(prefixes: set[str]) -> Scope:
    """A prefix inside another adds nothing; keeping the minimal set keeps the SQL short."""
    return Scope(
        everything=False,
        prefixes=tuple(sorted(p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes))),
    )


def region_scope(user: AnyUser) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if getattr(user, "is_superuser", False):
        return Scope(everything=True, prefixes=())
    prefixes: set[str] = set()
    for membership in Membership.objects.filter(user_id=user.pk).select_related("region"):
        if membership.role in REFERENCE_DATA_ROLES:
            return Scope(everything=True, prefixes=())
        if membership.region is not None:
            prefixes.add(membership.region.prefix)
    return _minimal(prefixes)


def capability_scope(user: AnyUser, cap: str) -> Scope:
    """The regions in which the user may exercise `cap`: memberships whose role grants it."""
    from gongzhi.core.capabilities import capabilities_of

    if not user.is_authenticated or not user.is_active:
        return NOTHING
    prefixes: set[str] = set()
    for membership in Membership.objects.filter(user_id=user.pk).select_related("region"):
        if cap not in capabilities_of(membership.role):
            continue
        if membership.region is None:
            # Region-less roles (the administrators) act city-wide on what their capability covers.
            return Scope(everything=True, prefixes=())
        prefixes.add(membership.region.prefix)
    return _minimal(prefixes)


def has_capability(user: AnyUser, cap: str) -> bool:
    scope = capability_scope(user, cap)
    return scope.everything or bool(scope.prefixes)


def can_view_regions(user: AnyUser) -> bool:
    """The tree is reference data: roles with regions.view, and Django superusers (who run the admin)."""
    from gongzhi.core.capabilities import Cap

    return bool(getattr(user, "is_superuser", False) and user.is_active) or has_capability(user, Cap.REGIONS_VIEW)
