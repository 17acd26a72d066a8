"""The three lists and ordered services over the year, as `gongzhi.services`' actions would have written them.

资源清单: every community's registered units, teams and a few volunteers offer a handful of resources,
and each street a few street-wide ones. 项目清单: a few projects per street (run by the street, held in
its community with the most registered units) and up to three per community, claimed by registered
units up to their slots, delivered and confirmed — which records the unit's service (kind project) and
earns its points. 需求清单: 5–20 needs per community, some matched to a resource and met, some ordered.
点单: about 400 orders across the district: the community orders, the street's alliance passes it to a
registered unit or a team of the street, the unit accepts (a few late) or declines with a reason (and
the alliance passes it on again), starts, reports it done, and the community confirms — which records
the service for the unit, or the team's leader (kind order). Every step is one OrderEvent with the
fields `services.actions.orders.record_event` writes. The story is cut at the seed's moment, so recent
orders wait in every open state; the demo community's staff and the `liaison` account find some.

Staff outside the demo's own accounts have no sign-in here: their steps carry a label like the cases'
seed gives them ("<office> 王*"), with no user.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongzhi.core import pii
from gongzhi.demo import identities
from gongzhi.demo.services.rows import insert
from gongzhi.demo.services.texts import (
    ACCEPT_NOTES,
    CLAIM_EVIDENCE,
    CLAIM_PLANS,
    CONFIRM_NOTES,
    DECLINE_REASONS,
    DISPATCH_NOTES,
    EVIDENCE,
    NEED_CLOSE_REASONS,
    NEED_MET_NOTES,
    ORDER_CANCEL_REASONS,
    ORDERS,
    PROJECTS,
    RESOURCES,
    SEND_BACK_REASONS,
    STAFF_NEEDS,
    START_NOTES,
    STREET_PROJECTS,
    WISHES,
    WITHDRAW_REASONS,
)
from gongzhi.demo.services.world import LOCAL, STREET_LEN, Resident, World
from gongzhi.regions.models import Level, Region
from gongzhi.registrations.models import UnitRegistration
from gongzhi.services.actions.orders import ACCEPT_HOURS
from gongzhi.services.models import (
    OPEN_ORDER_STATUSES,
    ClaimStatus,
    NeedCategory,
    NeedSource,
    NeedStatus,
    OrderEvent,
    OrderStatus,
    Project,
    ProjectClaim,
    ProjectStatus,
    Resource,
    ServiceOrder,
    Urgency,
)
from gongzhi.services.models import Need as NeedRow
from gongzhi.services.workflow import OrderAction
from gongzhi.volunteers.models import ServiceKind, Team, Volunteer

S = OrderStatus
ORDERS_PER_COMMUNITY = 2.8  # about 400 across the demo district's 127 communities
SEASONS = {"EDU01": 7, "AID01": 1}  # the month a seasonal project (暑期…, 新春…) of the class starts
DEMO_ORDERS = 14  # the demo community's year, besides its showcase
Target = UnitRegistration | Team


@dataclass
class ListCounts:
    resources: int = 0
    needs: int = 0
    projects: int = 0
    claims: int = 0
    orders: int = 0
    order_events: int = 0
    orders_by_status: Counter[str] = field(default_factory=Counter)

    @property
    def open_orders(self) -> int:
        return sum(n for s, n in self.orders_by_status.items() if s in OPEN_ORDER_STATUSES)


@dataclass(frozen=True, slots=True)
class Who:
    """Who took a step: a sign-in (user id) and the label the timeline shows."""

    user_id: int | None
    label: str


@dataclass(slots=True)
class _Offer:
    id: int
    code: str
    label: str
    created_at: dt.datetime
    active: bool


@dataclass
class _Need:
    id: int
    community: Region
    code: str
    title: str
    description: str
    source: str
    person_id: int | None
    masked: str
    region_code: str
    urgency: str
    raised_by: int | None
    created_at: dt.datetime
    status: str = NeedStatus.OPEN
    resource_id: int | None = None
    order_id: int | None = None
    note: str = ""
    updated_at: dt.datetime | None = None


@dataclass
class _Order:
    id: int
    community: Region
    street: Region
    code: str
    title: str
    description: str
    done_note: str
    wanted_by: dt.date
    by: Who
    at: dt.datetime
    need: _Need | None = None
    status: str = ""
    target: Target | None = None
    dispatched_at: dt.datetime | None = None
    accept_due: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    decline_count: int = 0
    decline_reason: str = ""
    completion_note: str = ""
    hours: Decimal | None = None
    cancel_reason: str = ""
    send_back_count: int = 0
    send_back_reason: str = ""
    events: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def number(self) -> str:
        return f"DD{timezone.localtime(self.at):%Y%m%d}{self.id:05d}"


def _office(rng: random.Random, t: dt.datetime) -> dt.datetime:
    """The first working moment at or after t (weekdays 8:30–17:30): when staff and liaisons act."""
    t = t.astimezone(LOCAL)
    for _day in range(10):
        if t.weekday() < 5:
            opens = t.replace(hour=8, minute=30, second=0, microsecond=0)
            if t < opens:
                return opens + dt.timedelta(minutes=rng.randint(0, 100))
            if t <= t.replace(hour=17, minute=30, second=0, microsecond=0):
                return t
        t = (t + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return t


def _awake(rng: random.Random, t: dt.datetime) -> dt.datetime:
    """A liaison answers on their phone any time from 7:30 to 22:00; a later moment waits for the morning."""
    t = t.astimezone(LOCAL)
    if t.hour >= 22:
        t += dt.timedelta(days=1)
    if t.hour >= 22 or t.hour < 7:
        t = t.replace(hour=7, minute=30, second=0, microsecond=0) + dt.timedelta(minutes=rng.randint(0, 120))
    return t


def _hours(h: float) -> dt.timedelta:
    return dt.timedelta(hours=h)


class _Year:
    def __init__(self, world: World) -> None:
        self.world, self.rng = world, world.rng
        self.categories: dict[str, int] = dict(NeedCategory.objects.values_list("code", "pk"))
        self.streets: dict[str, Region] = {r.code: r for r in Region.objects.filter(level=Level.STREET)}
        demo = world.demo
        self.demo_id = demo.community.pk if demo.community is not None else None
        self.demo_street = demo.community.code[:STREET_LEN] if demo.community is not None else None
        self.users = {name: Who(u.pk, _label(u)) for name, u in demo.users.items()}
        self._rosters: dict[str, list[Who]] = {}
        self.offers: dict[str, list[_Offer]] = {}  # region code (community or street) → resources
        self._offered: set[tuple[str, str, tuple[str, int]]] = set()
        self.resource_rows: list[tuple[Any, ...]] = []
        self.project_rows: list[tuple[Any, ...]] = []
        self.claim_rows: list[tuple[Any, ...]] = []
        self.needs: list[_Need] = []
        self.orders: list[_Order] = []
        self._targets: dict[str, tuple[list[UnitRegistration], list[Team]]] = {}

    # ── who ──

    def _roster(self, region: Region, n: int) -> list[Who]:
        roster = self._rosters.get(region.code)
        if roster is None:
            r = random.Random(f"gongzhi-service-staff-{region.code}")
            roster = []
            for _i in range(n):
                male = r.random() < 0.5
                name = identities.surname(r) + identities.given_name(r, male, r.randint(1968, 1999))
                roster.append(Who(None, f"{region.name} {pii.mask_name(name)}"))
            self._rosters[region.code] = roster
        return roster

    def community_staff(self, community: Region) -> Who:
        if community.pk == self.demo_id:
            options = [self.users[n] for n in ("community", "secretary") if n in self.users]
            if options:
                return options[0] if self.rng.random() < 0.8 else self.rng.choice(options)
        return self.rng.choice(self._roster(community, 2))

    def alliance(self, street: Region) -> Who:
        if street.code == self.demo_street and "street" in self.users:
            return self.users["street"]
        return self.rng.choice(self._roster(street, 2))

    def assignee(self, target: Target) -> Who:
        volunteer = target.liaison if isinstance(target, UnitRegistration) else target.leader
        assert volunteer is not None  # noqa: S101 - targets have a liaison or a leader
        return Who(self.world.user_of(volunteer), self.world.label(volunteer)[:60])

    def street_of(self, community: Region) -> Region:
        return self.streets[community.code[:STREET_LEN]]

    def targets(self, street: str) -> tuple[list[UnitRegistration], list[Team]]:
        """What `dispatch_targets` offers: units registered in the street with a liaison; its teams with a leader."""
        found = self._targets.get(street)
        if found is None:
            units: dict[int, UnitRegistration] = {}
            teams: list[Team] = []
            for cid in self.world.by_street.get(street, []):
                for reg in self.world.units.get(cid, []):
                    units.setdefault(reg.unit_id, reg)
                teams += [t for t in self.world.teams.get(cid, []) if t.is_active and t.leader_id is not None]
            found = (sorted(units.values(), key=lambda r: r.pk), teams)
            self._targets[street] = found
        return found

    # ── 资源清单 ──

    def resources(self) -> None:
        world, rng = self.world, self.rng
        for cid in sorted(world.communities):
            community = world.communities[cid]
            regs = world.units.get(cid, [])
            teams = [t for t in world.teams.get(cid, []) if t.is_active]
            vols = [v for v in world.serving.get(cid, []) if v.is_active]
            n = rng.randint(3, 6) if cid != self.demo_id else 8
            mine = self.liaison_registration()
            if cid == self.demo_id and mine is not None:  # the liaison account finds its unit's offers
                for spec in rng.sample([r for r in RESOURCES if r[0] == "unit"], 2):
                    self._offer(community, spec, reg=mine)
            for _i in range(n):
                kinds = [k for k, pool in (("unit", regs), ("team", teams), ("volunteer", vols)) if pool]
                if not kinds:
                    break
                kind = rng.choices(kinds, [{"unit": 5, "team": 3, "volunteer": 1}[k] for k in kinds])[0]
                spec = rng.choice([r for r in RESOURCES if r[0] == kind])
                if kind == "unit":
                    self._offer(community, spec, reg=rng.choice(regs))
                elif kind == "team":
                    self._offer(community, spec, team=rng.choice(teams))
                else:
                    skilled = [v for v in vols if spec[1] in v.skills]
                    self._offer(community, spec, volunteer=rng.choice(skilled or vols))
        for street_code in sorted(world.by_street):
            street = self.streets.get(street_code)
            units, teams = self.targets(street_code)
            if street is None or not units:
                continue
            for spec in rng.sample([r for r in RESOURCES if r[0] == "unit"], rng.randint(2, 3)):
                self._offer(street, spec, reg=rng.choice(units))
            if teams and rng.random() < 0.6:
                self._offer(street, rng.choice([r for r in RESOURCES if r[0] == "team"]), team=rng.choice(teams))

    def _offer(
        self,
        region: Region,
        spec: tuple[str, str, str, str, str, int, str, str, int, str],
        *,
        reg: UnitRegistration | None = None,
        team: Team | None = None,
        volunteer: Volunteer | None = None,
    ) -> None:
        world, rng = self.world, self.rng
        _provider, code, kind, title, description, capacity, per, when, days, place = spec
        provider = (
            ("unit", reg.unit_id)
            if reg
            else ("team", team.pk)
            if team
            else ("volunteer", volunteer.pk if volunteer else 0)
        )
        if (region.code, title, provider) in self._offered:
            return  # one entry per provider and offer
        self._offered.add((region.code, title, provider))
        unit_name = reg.unit.name if reg is not None else ""
        place = place.format(unit=unit_name, community=region.name)
        created = world.start - dt.timedelta(days=rng.randint(-300, 200))
        created = _office(rng, min(created, world.as_of - dt.timedelta(days=3)))
        # Staff keep the list; a liaison with a sign-in offers for their unit where it is registered.
        by: int | None = None
        if reg is not None and reg.liaison is not None and reg.community_id == region.pk and world.user_of(reg.liaison):
            by = world.user_of(reg.liaison)
        elif region.pk == self.demo_id and "community" in self.users:
            by = self.users["community"].user_id
        elif region.code == self.demo_street and "street" in self.users:
            by = self.users["street"].user_id
        active = rng.random() > 0.06
        updated = created if active else _office(rng, created + dt.timedelta(days=rng.randint(30, 200)))
        if updated >= world.as_of:
            active, updated = True, created
        capacity = max(1, round(capacity * rng.choice((0.5, 1, 1, 1.5)))) if per != "元/年" else capacity
        rid = world.ids.take(Resource)
        self.resource_rows.append(
            (rid, kind, self.categories[code], title, description, reg.unit_id if reg else None,
             team.pk if team else None, volunteer.pk if volunteer else None, capacity, per, when, days, place,
             region.pk, region.code, active, by, created, updated)
        )  # fmt: skip
        label = unit_name or (team.name if team is not None else world.label(volunteer) if volunteer else "")
        self.offers.setdefault(region.code, []).append(_Offer(rid, code, label, created, active))

    # ── 项目清单 ──

    def projects(self) -> None:
        world, rng = self.world, self.rng
        for street_code in sorted(world.by_street):
            street = self.streets.get(street_code)
            cids = world.by_street[street_code]
            host = max(cids, key=lambda c: (len(world.units.get(c, [])), -c))
            if street is None or not world.units.get(host):
                continue
            for spec in rng.sample(STREET_PROJECTS, rng.randint(2, 3)):
                title = spec[1].format(street=street.name)
                by = (
                    self.users["street"].user_id if street_code == self.demo_street and "street" in self.users else None
                )
                self._project(world.communities[host], (spec[0], title, *spec[2:]), by)
        for cid in sorted(world.communities):
            community = world.communities[cid]
            if cid == self.demo_id:
                self._demo_projects(community)
                continue
            n = rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0]
            for spec in rng.sample(PROJECTS, n):
                self._project(community, spec, None)

    def _demo_projects(self, community: Region) -> None:
        """Done last spring, running now with the liaison's unit among the claimants, open for claims next month."""
        world, rng = self.world, self.rng
        by = self.users["community"].user_id if "community" in self.users else None
        today = world.today
        specs = rng.sample([p for p in PROJECTS if p[0] not in SEASONS], 3)
        self._project(community, specs[0], by, starts=today - dt.timedelta(days=200), days=90, liaison_claims=True)
        self._project(
            community, specs[1], by, starts=today - dt.timedelta(days=40), days=150, liaison_claims=True, slots=3
        )
        self._project(community, specs[2], by, starts=today + dt.timedelta(days=20), days=60, slots=3, publish=True)

    def _project(
        self,
        community: Region,
        spec: tuple[str, str, str, tuple[int, int], int, int],
        by: int | None,
        *,
        starts: dt.date | None = None,
        days: int | None = None,
        slots: int | None = None,
        liaison_claims: bool = False,
        publish: bool = False,
    ) -> None:
        world, rng = self.world, self.rng
        code, title, goal, budget_range, most, length = spec
        today = world.today
        if starts is None:
            starts = world.start.date() + dt.timedelta(days=rng.randint(-60, 365 + 30))
            season = SEASONS.get(code) if any(w in title for w in ("暑期", "新春")) else None
            if season is not None:  # summer projects start in July, the new-year visits in January
                starts = dt.date(today.year, season, rng.randint(1, 10))
                if starts > today + dt.timedelta(days=30):
                    starts = starts.replace(year=today.year - 1)
        ends = starts + dt.timedelta(days=days or max(14, round(length * rng.uniform(0.8, 1.2))))
        created = _office(
            rng, dt.datetime.combine(starts, dt.time(9), tzinfo=LOCAL) - dt.timedelta(days=rng.randint(7, 30))
        )
        created = min(created, _office(rng, world.as_of - dt.timedelta(days=rng.uniform(3, 12))))
        slots = slots or rng.randint(1, most)
        low, high = budget_range
        budget = Decimal(rng.randint(low, high) * 1000) if high else Decimal(0)
        project_id = world.ids.take(Project)
        published = _office(rng, created + _hours(rng.uniform(2, 72)))
        claims: list[tuple[Any, ...]] = []
        status = ProjectStatus.PUBLISHED
        updated = published
        if (starts > today and not publish and rng.random() < 0.5) or published >= world.as_of:
            status, updated = ProjectStatus.DRAFT, created
        else:
            claims, last = self._claims(
                project_id, community, title, published, starts, ends, slots, by, liaison_claims
            )
            pending = any(c[4] in (ClaimStatus.CLAIMED, ClaimStatus.DELIVERED) for c in claims)
            active = sum(1 for c in claims if c[4] != ClaimStatus.WITHDRAWN)
            if ends < today and not pending and active:
                done_at = _office(rng, last + dt.timedelta(days=rng.uniform(0.5, 5)))
                if done_at < world.as_of:
                    status, updated = ProjectStatus.DONE, done_at
            elif ends < today or (active >= slots and rng.random() < 0.6):
                closed_at = _office(rng, min(max(last, published), world.as_of - dt.timedelta(days=1)))
                if published < closed_at < world.as_of:
                    status, updated = ProjectStatus.CLOSED, closed_at
        self.project_rows.append(
            (project_id, community.pk, community.code, self.categories[code], title, goal, starts, ends, slots,
             budget, status, by, created, updated)
        )  # fmt: skip
        self.claim_rows += claims

    def _claims(
        self,
        project_id: int,
        community: Region,
        title: str,
        published: dt.datetime,
        starts: dt.date,
        ends: dt.date,
        slots: int,
        by: int | None,
        liaison_claims: bool,
    ) -> tuple[list[tuple[Any, ...]], dt.datetime]:
        """Claims in time order, never more active than slots; returns the rows and the last step's time."""
        world, rng = self.world, self.rng
        units = list({r.unit_id: r for r in world.units.get(community.pk, [])}.values())
        rng.shuffle(units)
        liaison = self.liaison_registration()
        if liaison_claims and liaison is not None:
            units = [u for u in units if u.unit_id != liaison.unit_id]
            units.insert(0, liaison)
        # A claim may be made while the project is open and not ended.
        open_until = min(dt.datetime.combine(ends, dt.time(17), tzinfo=LOCAL), world.as_of)
        if open_until <= published:
            return [], published
        wanted = slots if rng.random() < 0.75 else rng.randint(0, slots)
        rows: list[tuple[Any, ...]] = []
        last = published
        freed: list[dt.datetime] = []  # when withdrawn claims gave their slot back
        taken = 0
        confirm_by = by if community.pk == self.demo_id else None
        for reg in units:
            if taken >= wanted and not freed:
                break
            after = published
            if taken >= wanted:
                after = freed.pop(0)
            else:
                taken += 1
            window = (open_until - after).total_seconds()
            if window <= 3600:
                continue
            spread = 0.15 if liaison_claims else 0.5
            claimed = _office(rng, after + dt.timedelta(seconds=rng.uniform(600, window * spread)))
            if claimed >= open_until:
                continue
            assert reg.liaison is not None  # noqa: S101 - world.units hold registrations with a liaison
            claim_id = world.ids.take(ProjectClaim)
            user = world.user_of(reg.liaison)
            plan = rng.choice(CLAIM_PLANS)
            last = max(last, claimed)
            mine = liaison is not None and reg is liaison and liaison_claims
            if not mine and rng.random() < 0.08:
                withdrawn = _office(rng, claimed + dt.timedelta(days=rng.uniform(2, 20)))
                if withdrawn < world.as_of:
                    rows.append(
                        (
                            claim_id,
                            project_id,
                            reg.unit_id,
                            user,
                            ClaimStatus.WITHDRAWN,
                            plan,
                            "",
                            claimed,
                            None,
                            None,
                            withdrawn,
                            rng.choice(WITHDRAW_REASONS),
                        )
                    )
                    freed.append(withdrawn)
                    last = max(last, withdrawn)
                    continue
            begin = max(claimed, dt.datetime.combine(starts, dt.time(9), tzinfo=LOCAL))
            end = dt.datetime.combine(ends, dt.time(17), tzinfo=LOCAL) + dt.timedelta(days=rng.uniform(-10, 7))
            delivered = _office(rng, begin + (max(end, begin + _hours(24)) - begin) * rng.uniform(0.6, 1.0))
            awaiting = liaison_claims and not mine and ends > world.today  # the demo's staff have one to confirm
            if awaiting:
                delivered = _office(rng, max(claimed + _hours(24), world.as_of - dt.timedelta(days=rng.uniform(3, 5))))
            status, evidence = ClaimStatus.CLAIMED, ""
            confirmed: dt.datetime | None = None
            if delivered < world.as_of:
                status, evidence = ClaimStatus.DELIVERED, rng.choice(CLAIM_EVIDENCE)
                last = max(last, delivered)
                confirmed = _office(rng, delivered + dt.timedelta(days=rng.uniform(0.3, 10)))
                if awaiting:
                    confirmed = world.as_of
                if confirmed < world.as_of:
                    status = ClaimStatus.CONFIRMED
                    last = max(last, confirmed)
                    hours = Decimal(rng.choice((0, 8, 12, 16, 24, 40)))
                    world.record_service(
                        kind=ServiceKind.PROJECT,
                        source_id=claim_id,
                        community=community,
                        served_on=timezone.localdate(delivered),
                        summary=title,
                        at=confirmed,
                        by=confirm_by,
                        unit_id=reg.unit_id,
                        unit_region=reg.unit.region_code,
                        hours=hours.quantize(Decimal("0.01")),
                    )
                else:
                    confirmed = None
            rows.append(
                (
                    claim_id,
                    project_id,
                    reg.unit_id,
                    user,
                    status,
                    plan,
                    evidence,
                    claimed,
                    delivered if status != ClaimStatus.CLAIMED else None,
                    confirmed,
                    None,
                    "",
                )
            )
        return rows, last

    def liaison_registration(self) -> UnitRegistration | None:
        """The demo `liaison` account's registration in the demo community (its unit's inbox is the showcase)."""
        demo = self.world.demo
        if demo.liaison is None:
            return demo.units[0] if demo.units else None
        liaison_id = demo.liaison.pk
        mine = [r for r in demo.units if r.liaison is not None and r.liaison.pk == liaison_id]
        return mine[0] if mine else (demo.units[0] if demo.units else None)

    # ── 需求清单 ──

    def needs_of(self, community: Region) -> list[_Need]:
        world, rng = self.world, self.rng
        residents = world.residents.get(community.pk, [])
        demo = community.pk == self.demo_id
        n = rng.randint(15, 20) if demo else rng.randint(5, 20)
        staff = self.users["community"].user_id if demo and "community" in self.users else None
        span = (world.as_of - world.start).total_seconds()
        out: list[_Need] = []
        for _i in range(n):
            at = _office(rng, world.start + dt.timedelta(seconds=rng.uniform(0, span)))
            if at >= world.as_of:
                at = _office(rng, world.as_of - dt.timedelta(days=rng.randint(3, 6)))
            resident: Resident | None = rng.choice(residents) if residents and rng.random() < 0.7 else None
            who: tuple[str, int | None, str, str]
            if resident is not None:  # raised for a resident, who is kept masked
                code = rng.choice([c for c in WISHES if c in self.categories])
                title, description = rng.choice(WISHES[code])
                who = (NeedSource.RESIDENT, resident.id, pii.mask_name(resident.name)[:20], resident.grid_code)
            else:  # the community's own
                code, title, description = rng.choice(STAFF_NEEDS)
                who = (NeedSource.STAFF, None, "", community.code)
            source, person_id, masked, region_code = who
            need = _Need(world.ids.take(NeedRow), community, code, title, description, source, person_id, masked,
                         region_code, self._urgency(), staff, at)  # fmt: skip
            need.updated_at = at
            out.append(need)
        out.sort(key=lambda x: x.created_at)
        self.needs += out
        return out

    def _urgency(self) -> str:
        return self.rng.choices((Urgency.NORMAL, Urgency.HIGH, Urgency.LOW), (70, 15, 15))[0]

    def settle_need(self, need: _Need) -> None:
        """A need not ordered: matched to a resource (and perhaps met), met or closed directly, or still open."""
        world, rng = self.world, self.rng
        roll = rng.random()
        moved = _office(rng, need.created_at + dt.timedelta(days=rng.uniform(0.5, 12)))
        if moved >= world.as_of or roll < 0.3:
            return
        if roll < 0.75:
            offers = [
                o
                for o in self.offers.get(need.community.code, [])
                + self.offers.get(need.community.code[:STREET_LEN], [])
                if o.active and o.created_at < moved
            ]
            fitting = [o for o in offers if o.code[:3] == need.code[:3]]
            if not offers:
                return
            offer = rng.choice(fitting or offers)
            need.status, need.resource_id, need.updated_at = NeedStatus.MATCHED, offer.id, moved
            need.note = f"已对接：{offer.label}"[:300]
            met = _office(rng, moved + dt.timedelta(days=rng.uniform(2, 30)))
            if met < world.as_of and rng.random() < 0.7:
                need.status, need.note, need.updated_at = NeedStatus.MET, rng.choice(NEED_MET_NOTES), met
        elif roll < 0.87:
            need.status, need.note, need.updated_at = NeedStatus.CLOSED, rng.choice(NEED_CLOSE_REASONS), moved
        else:
            need.status, need.note, need.updated_at = NeedStatus.MET, "已由社区直接协调解决", moved

    # ── 点单 ──

    def order(
        self,
        community: Region,
        at: dt.datetime,
        need: _Need | None = None,
        fate: str = "",
        target: Target | None = None,
    ) -> _Order | None:
        world, rng = self.world, self.rng
        street = self.street_of(community)
        units, teams = self.targets(street.code)
        if not units and not teams:
            return None
        if need is not None:
            code, title, description = need.code, need.title, need.description
            if need.source == NeedSource.RESIDENT:
                done = rng.choice(EVIDENCE.get(code[:3], EVIDENCE["ELD"]))
            else:
                done = rng.choice([o[3] for o in ORDERS if o[0][:3] == code[:3]] or [ORDERS[0][3]])
        else:
            code, title, description, done = rng.choice(ORDERS)
        wanted = timezone.localdate(at) + dt.timedelta(days=rng.randint(5, 30))
        order = _Order(
            world.ids.take(ServiceOrder),
            community,
            street,
            code,
            title,
            description,
            done,
            wanted,
            self.community_staff(community),
            at,
            need,
        )
        data: dict[str, Any] = {"category": code}
        if need is not None:
            data["need"] = need.id
        if not self._step(order, "order", at, order.by, S.ORDERED, description[:300], data):
            return None
        if need is not None:
            need.status, need.order_id, need.updated_at = NeedStatus.MATCHED, order.id, at
        self._live(order, fate, target)
        self.orders.append(order)
        return order

    def _step(
        self,
        o: _Order,
        action: str,
        at: dt.datetime,
        who: Who,
        to: str,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> bool:
        """One timeline row if the step happened before the seed's moment; False when the story stops here."""
        if at >= self.world.as_of:
            return False
        o.events.append(
            (self.world.ids.take(OrderEvent), o.id, at, who.user_id, who.label[:60], action, o.status, to, note,
             data or {})
        )  # fmt: skip
        o.status = to
        return True

    def _pick(self, o: _Order, avoid: set[tuple[str, int]]) -> Target | None:
        rng = self.rng
        units, teams = self.targets(o.street.code)
        units = [u for u in units if ("unit", u.unit_id) not in avoid]
        teams = [t for t in teams if ("team", t.pk) not in avoid]
        skilled = [t for t in teams if any(s[:3] == o.code[:3] for s in t.skills)]
        if units and (not teams or rng.random() < 0.7):
            return rng.choice(units)
        if teams:
            return rng.choice(skilled if skilled and rng.random() < 0.7 else teams)
        return None

    def _dispatch(self, o: _Order, at: dt.datetime, target: Target, accept_hours: int) -> bool:
        due = at + _hours(accept_hours)
        if isinstance(target, UnitRegistration):
            data: dict[str, Any] = {"unit": target.unit_id, "assignee": target.unit.name}
        else:
            data = {"team": target.pk, "assignee": target.name}
        data["accept_due"] = due.astimezone(dt.UTC).isoformat()
        note = self.rng.choice(DISPATCH_NOTES) if self.rng.random() < 0.3 else ""
        if not self._step(o, OrderAction.DISPATCH, at, self.alliance(o.street), S.DISPATCHED, note, data):
            return False
        o.target, o.dispatched_at, o.accept_due = target, at, due
        return True

    def _cancel(self, o: _Order, at: dt.datetime) -> None:
        why = self.rng.choice(ORDER_CANCEL_REASONS)
        if self._step(o, OrderAction.CANCEL, at, self.community_staff(o.community), S.CANCELLED, why):
            o.closed_at, o.cancel_reason = at, why
            if o.need is not None and o.need.status == NeedStatus.MATCHED:
                o.need.status, o.need.order_id = NeedStatus.OPEN, None  # an update(): updated_at stays

    def _live(self, o: _Order, fate: str, forced: Target | None) -> None:
        world, rng = self.world, self.rng
        if fate == "ordered":
            return
        if not fate and rng.random() < 0.03:
            self._cancel(o, _office(rng, o.at + _hours(rng.uniform(2, 48))))
            return
        at = _office(rng, o.at + _hours(rng.uniform(0.5, 30) if not fate else rng.uniform(0.5, 3)))
        avoid: set[tuple[str, int]] = set()
        declines = 1 if fate == "declined" else (rng.choice((1, 1, 2)) if not fate and rng.random() < 0.12 else 0)
        if forced is not None:
            declines = 0
        while True:
            target = forced or self._pick(o, avoid)
            if target is None:
                return
            accept_hours = 48 if fate == "dispatched" else rng.choice((ACCEPT_HOURS,) * 5 + (48, 72))
            if not self._dispatch(o, at, target, accept_hours):
                return
            assert o.accept_due is not None  # noqa: S101 - set by the dispatch
            if fate == "dispatched":
                return
            who = self.assignee(target)
            if o.decline_count < declines:
                back = _awake(rng, at + _hours(rng.uniform(0.5, accept_hours * 0.8)))
                was: dict[str, Any] = (
                    {"unit": target.unit_id} if isinstance(target, UnitRegistration) else {"team": target.pk}
                )
                was["assignee"] = target.unit.name if isinstance(target, UnitRegistration) else target.name
                why = rng.choice(DECLINE_REASONS)
                if not self._step(o, OrderAction.DECLINE, back, who, S.DECLINED, why, was):
                    return
                o.target, o.accept_due = None, None
                o.decline_count += 1
                o.decline_reason = why
                avoid.add(("unit", target.unit_id) if isinstance(target, UnitRegistration) else ("team", target.pk))
                if fate == "declined":
                    return
                at = _office(rng, back + _hours(rng.uniform(1, 30)))
                continue
            break
        due = o.accept_due
        assert o.dispatched_at is not None and due is not None  # noqa: S101
        if not fate and rng.random() < 0.1:
            accepted = _awake(rng, due + _hours(rng.uniform(0.5, 30)))
        else:
            accepted = _awake(rng, o.dispatched_at + (due - o.dispatched_at) * rng.uniform(0.05, 0.6))
        late = accepted > due
        note = rng.choice(ACCEPT_NOTES) if rng.random() < 0.4 else ""
        if not self._step(o, OrderAction.ACCEPT, accepted, who, S.ACCEPTED, note, {"late": True} if late else {}):
            return
        o.accepted_at = accepted
        if fate == "accepted":
            return
        if not fate and rng.random() < 0.02:
            self._cancel(o, _office(rng, accepted + _hours(rng.uniform(4, 72))))
            return
        # The service happens between acceptance and the day wanted (now and then later).
        wanted_end = dt.datetime.combine(o.wanted_by, dt.time(17), tzinfo=LOCAL)
        span = max((wanted_end - accepted).total_seconds(), 7200.0)
        if fate in ("in_progress", "completed"):
            span = min(span, (world.as_of - accepted).total_seconds() * 0.6)
        service_day = accepted + dt.timedelta(seconds=rng.uniform(0.2, 0.9) * span)
        if not fate and rng.random() < 0.1:
            service_day = wanted_end + dt.timedelta(days=rng.uniform(1, 6))  # late
        starts = _office(rng, service_day)
        if fate == "in_progress" or rng.random() < 0.8:
            note = rng.choice(START_NOTES) if rng.random() < 0.5 else ""
            if not self._step(o, OrderAction.START, starts, who, S.IN_PROGRESS, note):
                return
            o.started_at = starts
            if fate == "in_progress":
                return
        completed = _awake(rng, starts + _hours(rng.uniform(2, 8) if rng.random() < 0.7 else rng.uniform(24, 240)))
        if fate == "completed" and completed >= world.as_of:
            completed = starts + (world.as_of - starts) / 2
        # As do_complete_order: late when reported after the day the community wanted it by.
        late_done = {"late": True} if completed.astimezone(LOCAL).date() > o.wanted_by else {}
        if not self._step(o, OrderAction.COMPLETE, completed, who, S.COMPLETED, o.done_note, late_done):
            return
        o.completed_at, o.completion_note = completed, o.done_note
        if not fate and rng.random() < 0.05:
            # 退回: the community is not satisfied; the unit comes back and reports it done again.
            staff = self.community_staff(o.community)
            sent = _office(rng, completed + _hours(rng.uniform(2, 48)))
            why = rng.choice(SEND_BACK_REASONS)
            if not self._step(o, OrderAction.SEND_BACK, sent, staff, S.IN_PROGRESS, why):
                return
            o.send_back_count, o.send_back_reason = o.send_back_count + 1, why
            o.completed_at, o.completion_note = None, ""
            completed = _awake(rng, sent + _hours(rng.uniform(4, 72)))
            late_done = {"late": True} if completed.astimezone(LOCAL).date() > o.wanted_by else {}
            if not self._step(o, OrderAction.COMPLETE, completed, who, S.COMPLETED, o.done_note, late_done):
                return
            o.completed_at, o.completion_note = completed, o.done_note
        if fate == "completed":
            return
        confirmed = _office(rng, completed + _hours(rng.uniform(2, 96)))
        hours = (
            Decimal(rng.choice((2, 3, 4, 4, 6, 8, 12, 16))).quantize(Decimal("0.01")) if rng.random() < 0.7 else None
        )
        staff = self.community_staff(o.community)
        note = rng.choice(CONFIRM_NOTES) if rng.random() < 0.3 else ""
        data = {"hours": str(hours)} if hours is not None else {}
        if not self._step(o, OrderAction.CONFIRM, confirmed, staff, S.CONFIRMED, note, data):
            return
        o.confirmed_at = o.closed_at = confirmed
        o.hours = hours
        target = o.target
        assert target is not None  # noqa: S101 - an accepted order has its assignee
        unit = target if isinstance(target, UnitRegistration) else None
        leader = target.leader if isinstance(target, Team) else None
        world.record_service(
            kind=ServiceKind.ORDER,
            source_id=o.id,
            community=o.community,
            served_on=timezone.localdate(completed),
            summary=o.title,
            at=confirmed,
            by=staff.user_id,
            volunteer=leader,
            unit_id=unit.unit_id if unit is not None else None,
            unit_region=unit.unit.region_code if unit is not None else "",
            hours=hours or Decimal("0"),
        )
        if o.need is not None and o.need.status == NeedStatus.MATCHED:
            o.need.status = NeedStatus.MET  # an update(): updated_at stays at the ordering

    def year_of_orders(self) -> None:
        world, rng = self.world, self.rng
        span = (world.as_of - world.start).total_seconds()
        for cid in sorted(world.communities):
            community = world.communities[cid]
            needs = self.needs_of(community)
            demo = cid == self.demo_id
            ordered = {n.id for n in needs if rng.random() < (0.3 if demo else 0.2)}
            for need in needs:
                if need.id in ordered:
                    at = _office(rng, need.created_at + dt.timedelta(days=rng.uniform(0.5, 10)))
                    if at < world.as_of and self.order(community, at, need) is not None:
                        continue
                self.settle_need(need)
            n = DEMO_ORDERS if demo else _poisson(rng, ORDERS_PER_COMMUNITY) - len(ordered)
            for _i in range(max(0, n)):
                at = _office(rng, world.start + dt.timedelta(seconds=rng.uniform(0, span)))
                if at < world.as_of:
                    self.order(community, at)
        self._showcase()

    def _showcase(self) -> None:
        """The demo community's staff see orders in every open state; the liaison's unit has one to accept and
        one in progress (and one done)."""
        demo = self.world.demo.community
        if demo is None:
            return
        as_of = self.world.as_of
        mine = self.liaison_registration()
        plan: list[tuple[dt.timedelta, str, Target | None]] = [
            (_hours(14), "ordered", None),
            (_hours(40), "dispatched", None),
            (_hours(70), "declined", None),
            (_hours(24 * 5), "accepted", None),
            (_hours(24 * 6), "completed", None),
            (_hours(24 * 40), "", mine),
        ]
        if mine is not None:
            plan += [(_hours(20), "dispatched", mine), (_hours(24 * 8), "in_progress", mine)]
        for ago, fate, target in plan:
            at = as_of - ago
            if at.astimezone(LOCAL).hour < 8:
                at = at.astimezone(LOCAL).replace(hour=9, minute=self.rng.randint(0, 50))
            self.order(demo, at, fate=fate, target=target)

    # ── writing ──

    def write(self, counts: ListCounts) -> None:
        insert(
            Resource,
            ("id", "kind", "category_id", "title", "description", "unit_id", "team_id", "volunteer_id", "capacity",
             "capacity_unit", "availability", "days", "place", "region_id", "region_code", "is_active",
             "created_by_id", "created_at", "updated_at"),
            self.resource_rows,
        )  # fmt: skip
        insert(
            Project,
            ("id", "community_id", "region_code", "category_id", "title", "goal", "starts_on", "ends_on", "slots",
             "budget", "status", "created_by_id", "created_at", "updated_at"),
            self.project_rows,
        )  # fmt: skip
        insert(
            ProjectClaim,
            ("id", "project_id", "unit_id", "claimed_by_id", "status", "plan", "evidence", "claimed_at",
             "delivered_at", "confirmed_at", "withdrawn_at", "reason"),
            self.claim_rows,
        )  # fmt: skip
        rows = []
        for o in self.orders:
            t = o.target
            unit_id = t.unit_id if isinstance(t, UnitRegistration) else None
            team_id = t.pk if isinstance(t, Team) else None
            rows.append(
                (o.id, o.number, o.community.pk, o.community.code, o.street.pk, o.street.code,
                 self.categories[o.code], o.title, o.description, o.wanted_by, o.status, unit_id, team_id,
                 o.by.user_id, o.at, o.dispatched_at, o.accept_due, o.accepted_at, o.started_at, o.completed_at,
                 o.confirmed_at, o.closed_at, o.decline_count, o.decline_reason, o.completion_note, o.hours,
                 o.cancel_reason, o.send_back_count, o.send_back_reason)
            )  # fmt: skip
            counts.orders_by_status[o.status] += 1
        insert(
            ServiceOrder,
            ("id", "number", "community_id", "region_code", "street_id", "street_code", "category_id", "title",
             "description", "wanted_by", "status", "unit_id", "team_id", "ordered_by_id", "ordered_at",
             "dispatched_at", "accept_due", "accepted_at", "started_at", "completed_at", "confirmed_at", "closed_at",
             "decline_count", "decline_reason", "completion_note", "hours", "cancel_reason", "send_back_count",
             "send_back_reason"),
            rows,
        )  # fmt: skip
        events = [e for o in self.orders for e in o.events]
        insert(
            OrderEvent,
            ("id", "order_id", "occurred_at", "actor_id", "actor_label", "action", "from_status", "to_status", "note",
             "data"),
            events,
        )  # fmt: skip
        insert(
            NeedRow,
            ("id", "category_id", "title", "description", "source", "person_id", "resident_masked", "community_id",
             "region_code", "urgency", "status", "resource_id", "order_id", "status_note", "raised_by_id",
             "created_at", "updated_at"),
            ((n.id, self.categories[n.code], n.title, n.description, n.source, n.person_id, n.masked, n.community.pk,
              n.region_code, n.urgency, n.status, n.resource_id, n.order_id, n.note, n.raised_by, n.created_at,
              n.updated_at) for n in self.needs),
        )  # fmt: skip
        counts.resources, counts.needs = len(self.resource_rows), len(self.needs)
        counts.projects, counts.claims = len(self.project_rows), len(self.claim_rows)
        counts.orders, counts.order_events = len(self.orders), len(events)


def _label(user: Any) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))[:60]


def _poisson(rng: random.Random, mean: float) -> int:
    """A small count around `mean` (Knuth's method; means here are single digits)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def seed_lists_and_orders(world: World) -> ListCounts:
    year = _Year(world)
    year.resources()
    year.projects()
    year.year_of_orders()
    counts = ListCounts()
    year.write(counts)
    return counts
