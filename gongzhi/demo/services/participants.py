"""Who serves in the demo city: every party member and some residents volunteer; in-service members and
co-building units register with a community (双报到); communities and units run volunteer teams."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.utils import timezone

from gongzhi.people.models import MemberKind, PartyMember, Person, Unit
from gongzhi.regions.models import Level, Region
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus, UnitRegistration
from gongzhi.volunteers.models import Team, TeamMember, Volunteer

BATCH = 2000
RESIDENT_VOLUNTEERS = 2_500  # residents who volunteer without being party members
SIGN_IN_SHARE = 0.85  # volunteers who use the phone pages
NO_PASSWORD = UNUSABLE_PASSWORD_PREFIX + "demo"  # the generated accounts are for being told, not signing in

# How often each kind of help is offered: everyday help far more than legal or medical skill.
SKILL_WEIGHTS: dict[str, int] = {
    "MED01": 3, "MED02": 5, "MED03": 2, "CUL01": 8, "ENV01": 10, "ENV02": 6, "REL01": 5, "ELD01": 12,
    "ELD02": 6, "ELD03": 4, "EDU01": 7, "EDU02": 3, "LAW01": 2, "JOB01": 2, "FIX01": 4, "FIX02": 5,
    "AID01": 6, "AID02": 3,
}  # fmt: skip
COMMUNITY_TEAMS = ("红色先锋志愿服务队", "银发互助服务队", "邻里守望志愿服务队", "青年突击队")
UNIT_TEAM_SUFFIX = "志愿服务队"
UNIT_OFFERS = ("场地共享、党员志愿服务", "专业技术服务、节日慰问物资", "政策宣讲、法律咨询", "员工志愿者结对帮扶")


@dataclass
class Participants:
    volunteers: list[Volunteer] = field(default_factory=list)
    by_community: dict[int, list[Volunteer]] = field(default_factory=lambda: defaultdict(list))
    members: dict[int, Volunteer] = field(default_factory=dict)  # party member id → volunteer
    units: list[UnitRegistration] = field(default_factory=list)  # approved
    teams: list[Team] = field(default_factory=list)
    team_members: dict[int, list[Volunteer]] = field(default_factory=dict)  # team id → members
    communities: dict[int, Region] = field(default_factory=dict)
    demo_community_id: int | None = None
    # The demo community's approved registrations in the order the showcase uses them: the first keeps
    # a team and every rule; the third has no team (the 五个一 board shows it).
    showcase_units: list[UnitRegistration] = field(default_factory=list)


def _skills(rng: random.Random) -> list[str]:
    codes = list(SKILL_WEIGHTS)
    weights = list(SKILL_WEIGHTS.values())
    chosen: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        code = rng.choices(codes, weights)[0]
        if code not in chosen:
            chosen.append(code)
    return chosen


def _days(rng: random.Random) -> int:
    pattern = rng.random()
    if pattern < 0.3:
        return 0b1100000  # weekends
    if pattern < 0.5:
        return 0b0011111  # weekdays
    mask = 0
    while bin(mask).count("1") < 3:
        mask |= 1 << rng.randrange(7)
    return mask


def _joined(rng: random.Random, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=rng.randint(120, 6 * 365))


def _decided(rng: random.Random, today: dt.date) -> dt.datetime:
    day = today - dt.timedelta(days=rng.randint(200, 900))
    return dt.datetime.combine(day, dt.time(10, rng.randint(0, 59)), tzinfo=dt.UTC)


def seed_participants(rng: random.Random, today: dt.date, demo_community_id: int | None = None) -> Participants:
    out = Participants(demo_community_id=demo_community_id)
    out.communities = {r.pk: r for r in Region.objects.filter(level=Level.COMMUNITY)}
    by_code = {r.code: r for r in out.communities.values()}
    homes = dict(Person.objects.filter(room__isnull=False).values_list("id", "room__unit__building_id"))
    rows: list[Volunteer] = []
    member_of_row: list[PartyMember | None] = []
    members = list(PartyMember.objects.select_related("person").order_by("id"))
    for m in members:
        code = m.region_code[:12]
        community = by_code.get(code)
        if community is None:
            continue
        rows.append(_volunteer(rng, today, m.person_id, community, homes.get(m.person_id)))
        member_of_row.append(m)
    taken = {m.person_id for m in members}
    adults = list(
        Person.objects.filter(
            room__isnull=False,
            birth_date__lte=today.replace(year=today.year - 18),
            birth_date__gte=today.replace(year=today.year - 72),
        )
        .order_by("id")
        .values_list("id", "region_code")
    )
    pool = [(pid, code) for pid, code in adults if pid not in taken]
    for pid, code in rng.sample(pool, min(RESIDENT_VOLUNTEERS, len(pool))):
        community = by_code.get(code[:12])
        if community is not None:
            rows.append(_volunteer(rng, today, pid, community, homes.get(pid)))
            member_of_row.append(None)
    Volunteer.objects.bulk_create(rows, batch_size=BATCH)
    _sign_ins(random.Random(f"sign-ins-{len(rows)}"), rows)  # its own draws: the rest of the year is unchanged
    out.volunteers = rows
    for vol, member in zip(rows, member_of_row, strict=True):
        out.by_community[vol.community_id].append(vol)
        if member is not None:
            out.members[member.pk] = vol
    _register_members(rng, today, members, out)
    _register_units(rng, today, members, out)
    _teams(rng, today, members, out)
    return out


def _sign_ins(rng: random.Random, volunteers: list[Volunteer]) -> None:
    """Most volunteers use the phone pages, so they can be invited and claim wishes; some never signed up.

    Their accounts cannot sign in to the demo (no password); the demo's own participant accounts can.
    """
    names = dict(Person.objects.filter(pk__in=[v.person_id for v in volunteers]).values_list("pk", "name"))
    chosen = [v for v in volunteers if rng.random() < SIGN_IN_SHARE]
    users = [
        User(username=f"v{v.person_id}", first_name=names.get(v.person_id, "")[:150], password=NO_PASSWORD)
        for v in chosen
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    by_name = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
    for v in chosen:
        v.user_id = by_name[f"v{v.person_id}"]
    Volunteer.objects.bulk_update(chosen, ["user"], batch_size=BATCH)


def _volunteer(
    rng: random.Random, today: dt.date, person_id: int, community: Region, building_id: int | None
) -> Volunteer:
    return Volunteer(
        person_id=person_id,
        community=community,
        region_code=community.code,
        building_id=building_id,
        skills=_skills(rng),
        available_days=_days(rng),
        monthly_capacity=rng.choice((2, 3, 4, 4, 6)),
        joined_on=_joined(rng, today),
    )


def _register_members(rng: random.Random, today: dt.date, members: list[PartyMember], out: Participants) -> None:
    rows: list[MemberRegistration] = []
    for m in members:
        vol = out.members.get(m.pk)
        if m.kind != MemberKind.IN_SERVICE or vol is None or m.registered_community_id is None:
            continue
        roll = rng.random()
        status = (
            RegistrationStatus.APPROVED
            if roll < 0.94
            else RegistrationStatus.PENDING
            if roll < 0.98
            else RegistrationStatus.REJECTED
        )
        community = out.communities[m.registered_community_id]
        rows.append(
            MemberRegistration(
                member=m,
                volunteer=vol,
                community=community,
                region_code=community.code,
                status=status,
                decided_at=None if status == RegistrationStatus.PENDING else _decided(rng, today),
                reason="" if status != RegistrationStatus.REJECTED else "报到材料不全，请补充单位证明后重新申请",
            )
        )
    MemberRegistration.objects.bulk_create(rows, batch_size=BATCH)
    # Applied at: auto_now_add stamps today; a pending application is recent, an approved one older.
    for reg in rows:
        reg.applied_at = (reg.decided_at or timezone.now()) - dt.timedelta(days=rng.randint(1, 10))
    MemberRegistration.objects.bulk_update(rows, ["applied_at"], batch_size=BATCH)


def _register_units(rng: random.Random, today: dt.date, members: list[PartyMember], out: Participants) -> None:
    staff: dict[int, list[Volunteer]] = defaultdict(list)
    for m in members:
        vol = out.members.get(m.pk)
        if m.employer_id is not None and vol is not None:
            staff[m.employer_id].append(vol)
    rows: list[UnitRegistration] = []
    for unit in Unit.objects.order_by("id"):
        community = out.communities.get(unit.community_id)
        if community is None:
            continue
        if unit.is_cobuilding:
            status = RegistrationStatus.APPROVED
        elif rng.random() < 0.2:
            status = RegistrationStatus.PENDING
        else:
            continue
        candidates = staff.get(unit.pk) or out.by_community.get(community.pk) or []
        liaison = rng.choice(candidates) if candidates and status == RegistrationStatus.APPROVED else None
        rows.append(
            UnitRegistration(
                unit=unit,
                community=community,
                region_code=community.code,
                status=status,
                liaison=liaison,
                offers=rng.choice(UNIT_OFFERS),
                decided_at=None if status == RegistrationStatus.PENDING else _decided(rng, today),
            )
        )
    rows += _showcase_registrations(rng, today, rows, staff, out)
    UnitRegistration.objects.bulk_create(rows, batch_size=BATCH)
    out.units = [r for r in rows if r.status == RegistrationStatus.APPROVED]
    out.showcase_units = sorted(
        (r for r in out.units if r.community_id == out.demo_community_id and r.liaison is not None),
        key=lambda r: r.pk,
    )


SHOWCASE_UNITS = 5  # approved units of the demo community, so its 五个一 board has a mix to show


def _showcase_registrations(
    rng: random.Random,
    today: dt.date,
    rows: list[UnitRegistration],
    staff: dict[int, list[Volunteer]],
    out: Participants,
) -> list[UnitRegistration]:
    """The demo community's own units approved, and units of its street until it has SHOWCASE_UNITS."""
    community = out.communities.get(out.demo_community_id or 0)
    if community is None:
        return []
    pool = out.by_community.get(community.pk) or []
    mine = {r.unit_id: r for r in rows if r.community_id == community.pk}
    added: list[UnitRegistration] = []
    approved = sum(1 for r in mine.values() if r.status == RegistrationStatus.APPROVED)
    street_units = Unit.objects.filter(region_code__startswith=community.code[:9]).order_by("id")
    for unit in sorted(street_units, key=lambda u: (u.community_id != community.pk, u.pk)):  # its own first
        if approved >= SHOWCASE_UNITS:
            break
        existing = mine.get(unit.pk)
        if existing is not None and existing.status == RegistrationStatus.APPROVED:
            continue
        candidates = staff.get(unit.pk) or pool
        if not candidates:
            continue
        reg = existing or UnitRegistration(
            unit=unit, community=community, region_code=community.code, offers=rng.choice(UNIT_OFFERS)
        )
        reg.status = RegistrationStatus.APPROVED
        reg.liaison = rng.choice(candidates)
        reg.decided_at = _decided(rng, today)
        if existing is None:
            added.append(reg)
        approved += 1
    return added


def _teams(rng: random.Random, today: dt.date, members: list[PartyMember], out: Participants) -> None:
    teams: list[Team] = []
    rosters: list[list[Volunteer]] = []
    for community_id, vols in sorted(out.by_community.items()):
        community = out.communities[community_id]
        for name in rng.sample(COMMUNITY_TEAMS, k=min(len(COMMUNITY_TEAMS), rng.choice((2, 2, 3)))):
            roster = rng.sample(vols, min(len(vols), rng.randint(6, 18)))
            if not roster:
                continue
            teams.append(
                Team(
                    name=f"{community.name}{name}",
                    community=community,
                    region_code=community.code,
                    leader=roster[0],
                    skills=sorted({s for v in roster for s in v.skills})[:6],
                    founded_on=_joined(rng, today),
                )
            )
            rosters.append(roster)
    showcase = [r.pk for r in out.showcase_units]
    teamless = {r.unit_id for r in out.showcase_units[2:3]}  # the demo community's third unit has no team
    for reg in sorted(out.units, key=lambda r: r.pk not in showcase):  # the showcase's teams in its community
        if reg.liaison is None or reg.unit_id in teamless:
            continue
        if reg.pk not in showcase and rng.random() > 0.7:
            continue  # not every unit keeps a team: the 五个一 board shows who does not
        if any(t.unit_id == reg.unit_id for t in teams):
            continue  # one team per unit, even when it registered with two communities
        community = out.communities[reg.community_id]
        pool = [v for v in out.by_community.get(community.pk, []) if v.pk != reg.liaison.pk]
        roster = [reg.liaison, *rng.sample(pool, min(len(pool), rng.randint(2, 6)))]
        teams.append(
            Team(
                name=f"{reg.unit.name}{UNIT_TEAM_SUFFIX}",
                community=community,
                region_code=community.code,
                unit=reg.unit,
                leader=reg.liaison,
                skills=sorted({s for v in roster for s in v.skills})[:6],
                founded_on=_joined(rng, today),
            )
        )
        rosters.append(roster)
    Team.objects.bulk_create(teams, batch_size=BATCH)
    links = [
        TeamMember(team=team, volunteer=vol, joined_on=max(team.founded_on, vol.joined_on or team.founded_on))
        for team, roster in zip(teams, rosters, strict=True)
        for vol in roster
    ]
    TeamMember.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
    out.teams = teams
    out.team_members = {team.pk: roster for team, roster in zip(teams, rosters, strict=True)}
