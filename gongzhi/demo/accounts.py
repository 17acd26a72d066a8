"""One demo login per role, placed in a chosen district, street, community and grid."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count

from gongzhi.core import audit
from gongzhi.core.actions import do_grant_role
from gongzhi.core.models import Membership, Role
from gongzhi.people.models import Department
from gongzhi.regions.models import Level, Region

DEMO_PASSWORD = "Gongzhi@2026"  # noqa: S105 - printed on purpose: the demo city is public
DEMO_DEPARTMENT = "城管局"  # the department account works for 城市管理局, the busiest in the case loop


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: str
    region_name: str


def _pick_grid(community: Region) -> Region | None:
    """The community's comprehensive grid with the most homes, so the grid worker has residents to see."""
    grids = Region.objects.filter(level=Level.GRID, parent=community, grid_kind="comprehensive")
    return grids.annotate(homes=Count("buildings")).order_by("-homes", "code").first()


def _pick_regions() -> dict[str, Region | None]:
    district = Region.objects.filter(level=Level.DISTRICT).order_by("code").first()
    street = Region.objects.filter(level=Level.STREET).order_by("code").first()
    community = Region.objects.filter(level=Level.COMMUNITY, parent=street).order_by("code").first() if street else None
    grid = _pick_grid(community) if community else None
    return {"district": district, "street": street, "community": community, "grid": grid}


# (username, role, where, department short name)
PLAN: list[tuple[str, str, str | None, str | None]] = [
    ("leader", Role.DISTRICT_LEADER, "district", None),
    ("street", Role.STREET_STAFF, "street", None),
    ("secretary", Role.COMMUNITY_SECRETARY, "community", None),
    ("community", Role.COMMUNITY_STAFF, "community", None),
    ("grid", Role.GRID_WORKER, "grid", None),
    ("dept", Role.DEPARTMENT_STAFF, "district", DEMO_DEPARTMENT),
    ("sysadmin", Role.SYSTEM_ADMIN, None, None),
    ("secadmin", Role.SECURITY_ADMIN, None, None),
    ("auditor", Role.AUDIT_ADMIN, None, None),
]


@transaction.atomic
def do_ensure_demo_accounts() -> list[DemoAccount]:
    regions = _pick_regions()
    out: list[DemoAccount] = []
    for username, role, where, department_name in PLAN:
        region = regions[where] if where else None
        if where and region is None:
            continue
        department = (
            Department.objects.filter(region=region, short_name=department_name).first() if department_name else None
        )
        if department_name and department is None:
            continue  # a city seeded without people has no departments yet
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": username})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            audit.record(actor=None, action="user.create", obj=user, changes={"role": role})
        if not Membership.objects.filter(user=user, role=role, region=region).exists():
            # The shared grant action: the same 三员分立 checks and audit row as the account pages.
            do_grant_role(actor=None, user=user, role=role, region=region, department=department)
        where_name = region.name if region else "—"
        if department is not None:
            where_name = f"{where_name} · {department.short_name}"
        out.append(DemoAccount(username=username, role=str(Role(role).label), region_name=where_name))
    return out
