"""One demo login per role, placed in a chosen district, street, community and grid."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from gongzhi.core import audit
from gongzhi.core.models import Membership, Role
from gongzhi.regions.models import Level, Region

DEMO_PASSWORD = "Gongzhi@2026"  # noqa: S105 - printed on purpose: the demo city is public


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: str
    region_name: str


def _pick_regions() -> dict[str, Region | None]:
    district = Region.objects.filter(level=Level.DISTRICT).order_by("code").first()
    street = Region.objects.filter(level=Level.STREET).order_by("code").first()
    community = (
        Region.objects.filter(level=Level.COMMUNITY, parent=street).order_by("code").first() if street else None
    )
    grid = (
        Region.objects.filter(level=Level.GRID, parent=community, grid_kind="comprehensive").order_by("code").first()
        if community
        else None
    )
    return {"district": district, "street": street, "community": community, "grid": grid}


PLAN: list[tuple[str, str, str | None]] = [
    ("leader", Role.DISTRICT_LEADER, "district"),
    ("street", Role.STREET_STAFF, "street"),
    ("secretary", Role.COMMUNITY_SECRETARY, "community"),
    ("community", Role.COMMUNITY_STAFF, "community"),
    ("grid", Role.GRID_WORKER, "grid"),
    ("sysadmin", Role.SYSTEM_ADMIN, None),
    ("secadmin", Role.SECURITY_ADMIN, None),
    ("auditor", Role.AUDIT_ADMIN, None),
]


@transaction.atomic
def do_ensure_demo_accounts() -> list[DemoAccount]:
    regions = _pick_regions()
    out: list[DemoAccount] = []
    for username, role, where in PLAN:
        region = regions[where] if where else None
        if where and region is None:
            continue
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": username})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            audit.record(actor=None, action="user.create", obj=user, changes={"role": role})
        Membership.objects.get_or_create(user=user, role=role, region=region)
        where_name = region.name if region else "—"
        out.append(DemoAccount(username=username, role=str(Role(role).label), region_name=where_name))
    return out
