"""One demo login per role, placed in a chosen district, street, community and grid."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.actions import do_grant_role
from gongzhi.core.models import Membership, Role
from gongzhi.people.models import Department, MemberKind
from gongzhi.regions.models import Level, Region
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus, UnitRegistration
from gongzhi.volunteers.models import Volunteer

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


def pick_regions() -> dict[str, Region | None]:
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
    regions = pick_regions()
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
    out.extend(ensure_participant_accounts(regions["community"]))
    return out


# ── participants: sign-ins without a staff role, linked to a volunteer of the demo community ─────

STREET_LEN = 9
PARTICIPANTS = ("member", "volunteer", "liaison")


def _liaison_registration(community: Region) -> UnitRegistration | None:
    return (
        UnitRegistration.objects.filter(community=community, status=RegistrationStatus.APPROVED, liaison__isnull=False)
        .select_related("unit", "liaison__person")
        .order_by("id")
        .first()
    )


def pick_participants(community: Region) -> dict[str, Volunteer | None]:
    """Who the participant accounts are, decided by the seeded rows alone (the same every time):

    `liaison` — the liaison of the community's first approved unit registration; `member` — an in-service
    party member living in another street whose registration (双报到) the community approved; `volunteer` —
    a resident volunteer of the community who is not a party member.
    """
    registration = _liaison_registration(community)
    liaison = registration.liaison if registration is not None else None
    taken = {liaison.pk} if liaison is not None else set()
    approved = MemberRegistration.objects.filter(
        community=community, status=RegistrationStatus.APPROVED, member__kind=MemberKind.IN_SERVICE
    ).exclude(volunteer_id__in=taken)
    elsewhere = approved.exclude(member__person__region_code__startswith=community.code[:STREET_LEN])
    reg = elsewhere.order_by("volunteer_id").first() or approved.order_by("volunteer_id").first()
    member = reg.volunteer if reg is not None else None
    if member is not None:
        taken.add(member.pk)
    volunteer = (
        Volunteer.objects.filter(community=community, is_active=True, person__party_member__isnull=True)
        .exclude(pk__in=taken)
        .order_by("id")
        .first()
    )
    return {"member": member, "volunteer": volunteer, "liaison": liaison}


def _participant_role(username: str) -> str:
    return {
        "member": _("In-service party member (registered)"),
        "volunteer": _("Resident volunteer"),
        "liaison": _("Unit liaison"),
    }[username]


@transaction.atomic
def ensure_participant_accounts(community: Region | None) -> list[DemoAccount]:
    """The three participant sign-ins (no staff role), each linked to its volunteer; nothing before volunteers exist."""
    if community is None or not Volunteer.objects.exists():
        return []
    picks: dict[str, Volunteer | None] = {}
    rows = Volunteer.objects.filter(user__username__in=PARTICIPANTS).select_related("user", "person")
    linked = {v.user.username: v for v in rows if v.user is not None}
    if len(linked) < len(PARTICIPANTS):
        picks = pick_participants(community)
    out: list[DemoAccount] = []
    hashed = ""  # hashed once: the three share the demo password, and hashing is slow on purpose
    for username in PARTICIPANTS:
        volunteer = linked.get(username) or picks.get(username)
        if volunteer is None:
            continue
        if volunteer.user is None or volunteer.user.username != username:
            generic = volunteer.user  # the seeded volunteer's own account, which cannot sign in
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": volunteer.person.name[:150]}
            )
            if created:
                hashed = hashed or make_password(DEMO_PASSWORD)
                user.password = hashed
                user.save(update_fields=["password"])
                audit.record(actor=None, action="user.create", obj=user, changes={"participant": username})
            Volunteer.objects.filter(user=user).exclude(pk=volunteer.pk).update(user=None)
            volunteer.user = user
            volunteer.save(update_fields=["user"])
            if generic is not None and not generic.has_usable_password():
                generic.delete()
            audit.record(actor=None, action="volunteer.link_user", obj=volunteer, changes={"user": username})
        where = community.name
        if username == "liaison":
            registration = _liaison_registration(community)
            if registration is not None:
                where = f"{where} · {registration.unit.name}"
        out.append(DemoAccount(username=username, role=_participant_role(username), region_name=where))
    return out
