"""The rules for granting roles, 三员分立 first: pure checks, shared by the actions and the admin forms.

- a user holds at most one of the three administrator roles (system, security, audit);
- an administrator role is never combined with a business role;
- nobody grants or revokes their own roles, so nobody makes themselves an administrator;
- each business role sits at its level of the tree (a grid worker in a grid …), department staff
  in a department; the administrator roles are city-wide and sit nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.capabilities import ADMIN_ROLES
from gongzhi.core.errors import DomainError
from gongzhi.core.models import Role
from gongzhi.regions.models import Level, Region

ROLE_LEVEL: dict[str, str] = {
    Role.GRID_WORKER: Level.GRID,
    Role.COMMUNITY_STAFF: Level.COMMUNITY,
    Role.COMMUNITY_SECRETARY: Level.COMMUNITY,
    Role.STREET_STAFF: Level.STREET,
    Role.DISTRICT_LEADER: Level.DISTRICT,
    Role.CITY_LEADER: Level.CITY,
}


def is_admin_role(role: str) -> bool:
    return role in ADMIN_ROLES


def _label(role: str) -> str:
    return str(Role(role).label)


def check_not_self(actor: Any, user: Any) -> None:
    if actor is not None and actor.pk == user.pk:
        raise DomainError.single("user", "own_roles", _("You cannot change your own roles."))


def check_placement(*, role: str, region: Region | None, department: Any | None) -> None:
    """Where the role sits: nowhere for administrators, its level of the tree or a department otherwise."""
    if role not in Role.values:
        raise DomainError.single("role", "role_unknown", _("Choose a role from the list."))
    if is_admin_role(role):
        if region is not None or department is not None:
            raise DomainError.single(
                "region",
                "admin_role_placed",
                _("Administrator roles are city-wide: leave region and department empty."),
            )
        return
    if role == Role.DEPARTMENT_STAFF:
        if department is None:
            raise DomainError.single("department", "department_required", _("Choose the department."))
        return
    if department is not None:
        raise DomainError.single(
            "department", "department_not_allowed", _("Only department staff belong to a department.")
        )
    if region is None:
        raise DomainError.single("region", "region_required", _("Enter the code of the region."))
    expected = ROLE_LEVEL[role]
    if region.level != expected:
        raise DomainError.single(
            "region",
            "wrong_level",
            _("A %(role)s is appointed to a %(level)s; %(code)s is a %(actual)s.")
            % {
                "role": _label(role),
                "level": str(Level(expected).label),
                "code": region.code,
                "actual": str(Level(region.level).label),
            },
        )


def check_separation(*, role: str, held: Iterable[str]) -> None:
    """三员分立 against the roles the user already holds."""
    held = set(held)
    if is_admin_role(role):
        admin_held = sorted(held & set(ADMIN_ROLES))
        if admin_held:
            raise DomainError.single(
                "role",
                "second_admin_role",
                _("This account is already the %(role)s; one person holds at most one administrator role.")
                % {"role": _label(admin_held[0])},
            )
        if held:
            raise DomainError.single(
                "role",
                "admin_with_business_role",
                _("An administrator role cannot be combined with other roles; this account is %(role)s.")
                % {"role": _label(sorted(held)[0])},
            )
    else:
        admin_held = sorted(held & set(ADMIN_ROLES))
        if admin_held:
            raise DomainError.single(
                "role",
                "business_role_for_admin",
                _("This account is the %(role)s and can hold no other role.") % {"role": _label(admin_held[0])},
            )
