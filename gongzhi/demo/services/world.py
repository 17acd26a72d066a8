"""What the year of service is generated from: who may serve where, the residents, the demo's own people.

Loaded once from the seeded people and participants; the generators only read it and append rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from gongzhi.cases import sla
from gongzhi.cases.actions.common import Actor
from gongzhi.core import pii
from gongzhi.demo.services.ledger import Book, Earning
from gongzhi.demo.services.participants import Participants
from gongzhi.demo.services.rows import Ids
from gongzhi.people.models import Person
from gongzhi.points.earning import points_for
from gongzhi.points.models import EarningRule
from gongzhi.regions.models import Region
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus, UnitRegistration
from gongzhi.volunteers.models import ServiceRecord, Team, Volunteer
from gongzhi.volunteers.records import service_key

LOCAL = sla.LOCAL
STREET_LEN = 9


@dataclass(slots=True)
class Resident:
    id: int
    name: str
    grid_code: str
    building_id: int | None
    age: int
    phone: tuple[str, str, str]  # ciphertext, digest, masked


@dataclass
class Demo:
    """The demo accounts' people: what the showcase makes sure they have to look at."""

    community: Region | None = None
    users: dict[str, User] = field(default_factory=dict)  # staff and participant sign-ins by username
    member: Volunteer | None = None
    volunteer: Volunteer | None = None
    liaison: Volunteer | None = None
    units: list[UnitRegistration] = field(default_factory=list)  # the showcase registrations

    def user_id(self, name: str) -> int | None:
        user = self.users.get(name)
        return user.pk if user is not None else None

    def participants(self) -> list[Volunteer]:
        return [v for v in (self.member, self.volunteer, self.liaison) if v is not None]


@dataclass
class World:
    rng: random.Random
    as_of: dt.datetime
    start: dt.datetime
    ids: Ids
    book: Book
    people: Participants
    demo: Demo
    rules: dict[str, EarningRule]
    communities: dict[int, Region]
    by_street: dict[str, list[int]]
    serving: dict[int, list[Volunteer]]  # community → volunteers who may serve there
    units: dict[int, list[UnitRegistration]]  # community → approved registrations with a liaison
    teams: dict[int, list[Team]]  # community → its active teams (community and unit teams)
    residents: dict[int, list[Resident]]  # community → adult residents
    names: dict[int, str] = field(default_factory=dict)  # volunteer → full name
    volunteer_users: dict[int, User] = field(default_factory=dict)
    records: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.as_of.date()

    def street_serving(self, community_id: int) -> list[Volunteer]:
        street = self.communities[community_id].code[:STREET_LEN]
        out: list[Volunteer] = []
        for cid in self.by_street.get(street, []):
            out.extend(self.serving.get(cid, []))
        return out

    def label(self, volunteer: Volunteer) -> str:
        """How a timeline names a participant: their sign-in's name, else their masked name."""
        user = self.volunteer_users.get(volunteer.pk)
        return Actor(user=user).label if user is not None else pii.mask_name(self.names.get(volunteer.pk, ""))

    def user_of(self, volunteer: Volunteer | None) -> int | None:
        if volunteer is None:
            return None
        user = self.volunteer_users.get(volunteer.pk)
        return user.pk if user is not None else None

    def record_service(
        self,
        *,
        kind: str,
        source_id: int,
        community: Region,
        served_on: dt.date,
        summary: str,
        at: dt.datetime,
        by: int | None,
        volunteer: Volunteer | None = None,
        unit_id: int | None = None,
        unit_region: str = "",
        hours: Decimal = Decimal("0"),
    ) -> None:
        """The ServiceRecord `do_record_service` would write at `at`, and the earning it would award."""
        key = service_key(kind, source_id)
        record_id = self.ids.take(ServiceRecord)
        self.records.append(
            (record_id, key, kind, source_id, volunteer.pk if volunteer else None, unit_id, community.pk,
             community.code, served_on, hours, summary[:200], at)
        )  # fmt: skip
        rule = self.rules.get(kind)
        if rule is None or not rule.is_active:
            return
        amount = points_for(rule, hours)
        if amount <= 0:
            return
        owner = ("member", volunteer.pk) if volunteer is not None else ("unit", unit_id or 0)
        region = volunteer.region_code if volunteer is not None else unit_region
        self.book.earn(Earning(at, key, owner, region, community.pk, community.code, amount, summary, by))


RECORD_FIELDS = (
    "id", "key", "kind", "source_id", "volunteer_id", "unit_id", "community_id", "region_code", "served_on",
    "hours", "summary", "created_at",
)  # fmt: skip


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL)


def load_world(rng: random.Random, as_of: dt.datetime, ids: Ids, book: Book, people: Participants, demo: Demo) -> World:
    communities = people.communities
    by_street: dict[str, list[int]] = defaultdict(list)
    for c in sorted(communities.values(), key=lambda r: r.code):
        by_street[c.code[:STREET_LEN]].append(c.pk)
    serving: dict[int, list[Volunteer]] = {cid: list(vols) for cid, vols in people.by_community.items()}
    by_id = {v.pk: v for v in people.volunteers}
    seen = {(v.community_id, v.pk) for v in people.volunteers}
    approved = MemberRegistration.objects.filter(status=RegistrationStatus.APPROVED).order_by("id")
    for community_id, volunteer_id in approved.values_list("community_id", "volunteer_id"):
        if (community_id, volunteer_id) not in seen and volunteer_id in by_id:
            serving.setdefault(community_id, []).append(by_id[volunteer_id])
            seen.add((community_id, volunteer_id))
    units: dict[int, list[UnitRegistration]] = defaultdict(list)
    for reg in people.units:
        if reg.liaison is not None:
            units[reg.community_id].append(reg)
    teams: dict[int, list[Team]] = defaultdict(list)
    for team in people.teams:
        teams[team.community_id].append(team)
    residents: dict[int, list[Resident]] = defaultdict(list)
    community_of = {c.code: c.pk for c in communities.values()}
    rows = Person.objects.filter(room__isnull=False, birth_date__isnull=False).values_list(
        "id", "name", "region_code", "room__unit__building_id", "birth_date", "phone_ciphertext", "phone_digest",
        "phone_masked",
    )  # fmt: skip
    year = as_of.year
    for pid, name, code, building_id, born, cipher, digest, masked in rows.order_by("id").iterator(chunk_size=5000):
        age = year - born.year if born is not None else 0
        home = community_of.get(code[:12])
        if age >= 18 and home is not None and pid is not None:
            residents[home].append(Resident(pid, name, code, building_id, age, (cipher, digest, masked)))
    return World(
        rng=rng,
        as_of=as_of,
        start=as_of - dt.timedelta(days=365),
        ids=ids,
        book=book,
        people=people,
        demo=demo,
        rules={r.kind: r for r in EarningRule.objects.all()},
        communities=communities,
        by_street=dict(by_street),
        serving=serving,
        units=dict(units),
        teams=dict(teams),
        residents=dict(residents),
        names=dict(Volunteer.objects.values_list("id", "person__name")),
        volunteer_users={v.pk: v.user for v in Volunteer.objects.filter(user__isnull=False).select_related("user")
                         if v.user is not None},
    )  # fmt: skip
