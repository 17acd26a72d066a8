"""About 2,000 micro-wishes over the year, each lived through as the wishes app and its sweep would.

A resident posts (the H5 page, or in the demo community sometimes the grid worker for them); most wishes
are claimed within three days by someone who may serve in the community (or a unit's liaison), the rest
go up to the street board after 72 hours and are claimed there or expire after 30 days; a claimant
fulfils within the 7 days (some late), the resident confirms, and the confirmation records the service
and earns the points. The story is cut at the seed's moment, so recent wishes are still open, claimed
or awaiting confirmation. Names are stored sealed and masked by `core.pii`, as `do_post_wish` stores them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from gongzhi.cases.actions.common import SYSTEM, Actor
from gongzhi.core import pii
from gongzhi.demo.services.rows import insert
from gongzhi.demo.services.texts import CANCEL_REASONS, EVIDENCE, RELEASE_REASONS, WISH_WEIGHTS, WISHES
from gongzhi.demo.services.world import Resident, World
from gongzhi.regions.models import Region
from gongzhi.registrations.models import UnitRegistration
from gongzhi.services.models import NeedCategory
from gongzhi.volunteers.models import ServiceKind, Volunteer
from gongzhi.wishes.access import token_digest
from gongzhi.wishes.models import BoardLevel, Wish, WishChannel, WishEvent, WishSettings, WishStatus

DEFAULT_WISHES = 2000
RESIDENT = Actor().label
S = WishStatus
# Hour-of-day weights for posting (residents post in the evening too).
_HOURS = (0, 0, 0, 0, 0, 0, 1, 3, 6, 8, 8, 6, 4, 4, 6, 6, 6, 5, 5, 7, 8, 7, 4, 1)


@dataclass
class WishCounts:
    wishes: int = 0
    events: int = 0
    by_status: Counter[str] = field(default_factory=Counter)


@dataclass
class _Claimant:
    volunteer: Volunteer | None
    unit: UnitRegistration | None
    user_id: int | None
    label: str
    note: str


@dataclass
class _Life:
    """One wish as it stands at the seed's moment, and its timeline up to then."""

    id: int
    at: dt.datetime
    community: Region
    resident: Resident
    code: str
    title: str
    description: str
    channel: str = WishChannel.H5
    posted_by: User | None = None
    building_id: int | None = None
    region_code: str = ""
    status: str = ""  # before the post
    board: str = BoardLevel.COMMUNITY
    escalated_at: dt.datetime | None = None
    claimant: _Claimant | None = None
    claimed_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    fulfilled_at: dt.datetime | None = None
    evidence: str = ""
    confirmed_at: dt.datetime | None = None
    confirmed_by: int | None = None
    by_resident: bool = False
    reason: str = ""
    events: list[tuple[Any, ...]] = field(default_factory=list)

    def event(
        self, world: World, kind: str, at: dt.datetime, actor: int | None, label: str, to: str, note: str = ""
    ) -> bool:
        """Appends the step if it happened before the seed's moment; False when the story stops here."""
        if at >= world.as_of:
            return False
        self.events.append(
            (world.ids.take(WishEvent), self.id, kind, actor, label[:60], self.status, to, note[:300], at)
        )
        self.status = to
        return True


class _Wishes:
    def __init__(self, world: World, settings: WishSettings) -> None:
        self.world, self.settings = world, settings
        self.categories = dict(NeedCategory.objects.filter(parent__isnull=False).values_list("code", "pk"))
        self.codes = [c for c in WISH_WEIGHTS if c in self.categories and c in WISHES]
        self.weights = [WISH_WEIGHTS[c] for c in self.codes]
        self.escalate = dt.timedelta(hours=settings.escalate_after_hours)
        self.expire = dt.timedelta(days=settings.expire_after_days)
        self.claim_days = dt.timedelta(days=settings.claim_days)
        self._pools: dict[tuple[int, bool, str], list[Volunteer]] = {}

    # ── who ──

    def resident(self, community_id: int, code: str) -> Resident | None:
        rng = self.world.rng
        people = self.world.residents.get(community_id, [])
        if not people:
            return None
        for _i in range(12):
            r = rng.choice(people)
            if code[:3] in ("ELD", "MED") and r.age < 60:
                continue
            if code in ("EDU01", "AID02") and not 28 <= r.age <= 50:
                continue
            return r
        return rng.choice(people)

    def claimant(self, life: _Life, street: bool, avoid: int | None = None) -> _Claimant | None:
        world, rng = self.world, self.world.rng
        cid = life.community.pk
        units = list(world.units.get(cid, []))
        if street:
            units = [u for c in world.by_street.get(life.community.code[:9], []) for u in world.units.get(c, [])]
        if units and rng.random() < 0.15:
            reg = rng.choice(units)
            assert reg.liaison is not None  # noqa: S101 - world.units holds registrations with a liaison
            return _Claimant(None, reg, world.user_of(reg.liaison), world.label(reg.liaison), reg.unit.name)
        pool = self.pool(cid, street, "")
        skilled = self.pool(cid, street, life.code[:3])
        for _try in range(20):
            v = rng.choice(skilled if skilled and rng.random() < 0.8 else pool) if pool else None
            if v is not None and v.person_id != life.resident.id and v.pk != avoid:
                return _Claimant(v, None, world.user_of(v), world.label(v), "")
        return None

    def pool(self, community_id: int, street: bool, major: str) -> list[Volunteer]:
        """Who may claim in the community (or on its street's board), those with a skill of `major` if given."""
        key = (community_id, street, major)
        found = self._pools.get(key)
        if found is None:
            if major:
                found = [v for v in self.pool(community_id, street, "") if any(s[:3] == major for s in v.skills)]
            else:
                world = self.world
                every = world.street_serving(community_id) if street else world.serving.get(community_id, [])
                found = [v for v in every if v.is_active]
            self._pools[key] = found
        return found

    # ── one life ──

    def post(self, life: _Life, staff: User | None) -> None:
        world = self.world
        if staff is not None:
            life.channel, life.posted_by = WishChannel.STAFF, staff
            life.building_id, life.region_code = life.resident.building_id, life.resident.grid_code
            life.event(world, "post", life.at, staff.pk, Actor(user=staff).label, S.OPEN)
            return
        if world.rng.random() < 0.75 and life.resident.building_id is not None:
            life.building_id, life.region_code = life.resident.building_id, life.resident.grid_code
        else:
            life.region_code = life.community.code
        life.event(world, "post", life.at, None, RESIDENT, S.OPEN)

    def claim(self, life: _Life, at: dt.datetime, who: _Claimant) -> bool:
        if not life.event(self.world, "claim", at, who.user_id, who.label, S.CLAIMED, who.note):
            return False
        life.claimant, life.claimed_at, life.due_at = who, at, at + self.claim_days
        return True

    def live(self, life: _Life, fate: str = "") -> None:
        world, rng = self.world, self.world.rng
        t0 = life.at
        system = SYSTEM.label
        roll = rng.random()
        if fate == "open":
            return
        if not fate and roll < 0.03:  # withdrawn before anyone claimed it
            life.event(world, "cancel", t0 + dt.timedelta(hours=rng.uniform(2, 60)), None, RESIDENT, S.CANCELLED,
                       rng.choice(CANCEL_REASONS))  # fmt: skip
            life.reason = life.events[-1][7] if life.status == S.CANCELLED else ""
            return
        if fate in ("claimed", "fulfilled"):
            claim_at = t0 + dt.timedelta(hours=rng.uniform(1, 20))
        elif fate or roll < 0.75:
            claim_at = t0 + dt.timedelta(hours=rng.uniform(0.5, 70))
        elif roll < 0.93:
            claim_at = t0 + self.escalate + dt.timedelta(hours=rng.uniform(1, 26 * 24))
        else:
            claim_at = t0 + self.expire + dt.timedelta(days=1)  # nobody came
        escalate_at = t0 + self.escalate + dt.timedelta(seconds=rng.randint(1, 59))
        if claim_at > escalate_at:
            if not life.event(world, "escalate", escalate_at, None, system, S.OPEN):
                return
            life.board, life.escalated_at = BoardLevel.STREET, escalate_at
            if claim_at >= t0 + self.expire:
                expire_at = t0 + self.expire + dt.timedelta(seconds=rng.randint(1, 59))
                life.event(world, "expire", expire_at, None, system, S.EXPIRED)
                return
        who = self.forced_claimant(fate) or self.claimant(life, life.board == BoardLevel.STREET)
        if who is None or not self.claim(life, claim_at, who):
            return
        if not fate and rng.random() < 0.04:  # given back, then taken by someone else
            back = claim_at + dt.timedelta(hours=rng.uniform(6, 60))
            if not life.event(world, "release", back, who.user_id, who.label, S.OPEN, rng.choice(RELEASE_REASONS)):
                return
            life.claimant = life.claimed_at = life.due_at = None
            reclaim_at = back + dt.timedelta(hours=rng.uniform(2, 40))
            # Back on the community board past the 72 hours: the sweep's next pass pushes it to the street.
            sweep_at = max(back, t0 + self.escalate) + dt.timedelta(seconds=rng.randint(1, 59))
            if life.board == BoardLevel.COMMUNITY and sweep_at < reclaim_at:
                if not life.event(world, "escalate", sweep_at, None, system, S.OPEN):
                    return
                life.board, life.escalated_at = BoardLevel.STREET, sweep_at
            avoid = who.volunteer.pk if who.volunteer is not None else None
            again = self.claimant(life, life.board == BoardLevel.STREET, avoid=avoid)
            if again is None or not self.claim(life, reclaim_at, again):
                return
            who = again
        assert life.claimed_at is not None and life.due_at is not None  # noqa: S101 - claimed just now
        if fate == "claimed":
            return
        if not fate and rng.random() < 0.015:
            at = life.claimed_at + dt.timedelta(hours=rng.uniform(5, 72))
            if life.event(world, "cancel", at, None, RESIDENT, S.CANCELLED, rng.choice(CANCEL_REASONS)):
                life.reason = life.events[-1][7]
            return
        late = rng.random() < 0.13 and not fate
        delay = rng.uniform(7.2, 14) if late else rng.uniform(0.25, 6.5)
        fulfil_at = life.claimed_at + dt.timedelta(days=delay)
        evidence = rng.choice(EVIDENCE.get(life.code[:3], EVIDENCE["ELD"]))
        if fate == "fulfilled":
            fulfil_at = life.claimed_at + dt.timedelta(hours=rng.uniform(6, 40))
        if not life.event(world, "fulfil", fulfil_at, who.user_id, who.label, S.FULFILLED, evidence):
            return
        life.fulfilled_at, life.evidence = fulfil_at, evidence
        if fate == "fulfilled":
            return
        confirm_at = fulfil_at + dt.timedelta(hours=rng.uniform(1, 72))
        staff = world.demo.users.get("community") if life.community == world.demo.community else None
        if staff is not None and rng.random() < 0.25:
            ok = life.event(world, "confirm", confirm_at, staff.pk, Actor(user=staff).label, S.CONFIRMED)
            life.confirmed_by, life.by_resident = staff.pk, False
        else:
            ok = life.event(world, "confirm", confirm_at, None, RESIDENT, S.CONFIRMED)
            life.by_resident = True
        if not ok:
            return
        life.confirmed_at = confirm_at
        world.record_service(
            kind=ServiceKind.WISH,
            source_id=life.id,
            community=life.community,
            served_on=timezone.localdate(fulfil_at),
            summary=life.title,
            at=confirm_at,
            by=life.confirmed_by,
            volunteer=who.volunteer,
            unit_id=who.unit.unit_id if who.unit is not None else None,
            unit_region=who.unit.unit.region_code if who.unit is not None else "",
            hours=Decimal(self.settings.hours_per_wish),
        )

    def forced_claimant(self, fate: str) -> _Claimant | None:
        member = self.world.demo.member
        if fate in ("claimed", "confirmed_by_member") and member is not None:
            return _Claimant(member, None, self.world.user_of(member), self.world.label(member), "")
        return None


def _showcase(world: World) -> list[tuple[dt.timedelta, str]]:
    """The demo community's board: fresh open wishes, one claimed by `member`, one awaiting the resident."""
    if world.demo.community is None:
        return []
    hours = dt.timedelta(hours=1)
    plan = [(hours * h, "open") for h in (3, 9, 20, 30, 44)]
    plan += [(hours * 40, "claimed"), (hours * 90, "fulfilled"), (hours * 24 * 50, "confirmed_by_member")]
    return plan


def seed_wishes(world: World, count: int) -> WishCounts:
    rng = world.rng
    settings = WishSettings.load()
    gen = _Wishes(world, settings)
    communities = sorted(c for c in world.residents if world.serving.get(c))
    # Older neighbourhoods (more residents over 60) wish for more.
    weights = [1 + sum(1 for r in world.residents[c] if r.age >= 60) for c in communities]
    span = (world.as_of - world.start).total_seconds()
    plans: list[tuple[dt.datetime, int, str]] = []
    for _i in range(count):
        at = world.start + dt.timedelta(seconds=rng.uniform(0, span))
        day = at.astimezone(world.as_of.tzinfo).replace(hour=0, minute=0, second=0, microsecond=0)
        at = day + dt.timedelta(hours=rng.choices(range(24), _HOURS)[0], minutes=rng.randint(0, 59))
        if at >= world.as_of:
            at -= dt.timedelta(days=1)
        plans.append((at, rng.choices(communities, weights)[0], ""))
    demo = world.demo.community
    if demo is not None and demo.pk in world.residents:
        plans += [(world.as_of - ago, demo.pk, fate) for ago, fate in _showcase(world)]
    plans.sort(key=lambda p: p[0])
    lives: list[_Life] = []
    sequence: Counter[str] = Counter()
    numbers: list[str] = []
    for at, community_id, fate in plans:
        code = rng.choices(gen.codes, gen.weights)[0]
        resident = gen.resident(community_id, code)
        if resident is None:
            continue
        title, description = rng.choice(WISHES[code])
        community = world.communities[community_id]
        life = _Life(world.ids.take(Wish), at, community, resident, code, title, description)
        staff = None
        if community == demo and fate != "fulfilled" and rng.random() < 0.3:
            staff = world.demo.users.get("grid") or world.demo.users.get("community")
        gen.post(life, staff)
        gen.live(life, fate)
        prefix = f"W{timezone.localtime(at):%y%m%d}"
        sequence[prefix] += 1
        numbers.append(f"{prefix}{sequence[prefix]:04d}")
        lives.append(life)
    counts = WishCounts(wishes=len(lives))
    _write(gen, lives, numbers, counts)
    return counts


_WISH_FIELDS = (
    "id", "number", "token_digest", "channel", "source", "client_key", "title", "description", "category_id",
    "community_id", "region_code", "building_id", "person_id", "resident_name_ciphertext", "resident_name_masked",
    "resident_phone_ciphertext", "resident_phone_digest", "resident_phone_masked", "posted_by_id", "status",
    "board_level", "escalated_at", "claimant_volunteer_id", "claimant_unit_id", "claimed_by_id", "claimed_at",
    "due_at", "fulfilled_at", "fulfilled_late", "evidence", "confirmed_at", "confirmed_by_id",
    "confirmed_by_resident", "closed_reason", "created_at", "updated_at",
)  # fmt: skip


def _write(gen: _Wishes, lives: list[_Life], numbers: list[str], counts: WishCounts) -> None:
    rows = []
    for life, number in zip(lives, numbers, strict=True):
        r = life.resident
        who = life.claimant
        staff = life.posted_by
        cipher, digest, masked = r.phone if r.phone[0] else ("", "", "")
        rows.append(
            (life.id, number, token_digest(secrets.token_urlsafe(16)), life.channel,
             "web" if staff is None else f"user:{staff.pk}", "", life.title, life.description,
             gen.categories[life.code], life.community.pk, life.region_code, life.building_id,
             r.id if staff is not None else None, pii.encrypt(r.name), pii.mask_name(r.name)[:20],
             cipher, digest, masked, staff.pk if staff is not None else None, life.status, life.board,
             life.escalated_at, who.volunteer.pk if who and who.volunteer else None,
             who.unit.unit_id if who and who.unit else None, who.user_id if who else None, life.claimed_at,
             life.due_at, life.fulfilled_at,
             bool(life.fulfilled_at and life.due_at and life.fulfilled_at > life.due_at), life.evidence,
             life.confirmed_at, life.confirmed_by, life.by_resident, life.reason, life.at, life.events[-1][8])
        )  # fmt: skip
        counts.by_status[life.status] += 1
        counts.events += len(life.events)
    insert(Wish, _WISH_FIELDS, rows)
    insert(
        WishEvent,
        ("id", "wish_id", "kind", "actor_id", "actor_label", "from_status", "to_status", "note", "at"),
        (e for life in lives for e in life.events),
    )
