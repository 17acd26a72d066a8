"""The step `gongzhi seed --size demo` runs after the cases: a year of the service loop in the demo district.

Volunteers, registrations and teams (participants.py), then, over the twelve months before `today`
(cut at the midnight that starts it, like the cases): liaison terms, contacts and joint meetings
(units.py), activities with attendance (activities.py), micro-wishes (wishes.py), the three lists and
ordered services (orders.py), a love station in every community with its catalogue, and the points
ledger lived through in time order (ledger.py).
Rows are written straight through the cursor; `tests/demo/test_demo_services.py` checks them against
the rules the actions enforce (balances, stock, one record and one earning per confirmed service).
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import models, transaction

from gongzhi.cases import sla
from gongzhi.core import audit
from gongzhi.demo.accounts import ensure_participant_accounts, pick_regions
from gongzhi.demo.services import activities as activity_year
from gongzhi.demo.services import orders as order_year
from gongzhi.demo.services import units as unit_year
from gongzhi.demo.services import wishes as wish_year
from gongzhi.demo.services.ledger import Book, Counts, Item, Station, Visit
from gongzhi.demo.services.orders import ListCounts
from gongzhi.demo.services.participants import NO_PASSWORD, seed_participants
from gongzhi.demo.services.rows import Ids, empty, insert, reset_sequences
from gongzhi.demo.services.texts import REVERSAL_REASONS, STATION_HOURS, STATION_ITEMS
from gongzhi.demo.services.world import RECORD_FIELDS, Demo, World, load_world
from gongzhi.points import models as points
from gongzhi.points.earning import ensure_default_rules
from gongzhi.registrations import models as registrations
from gongzhi.services import models as services
from gongzhi.volunteers import models as volunteers
from gongzhi.volunteers.models import ServiceRecord, Volunteer
from gongzhi.wishes import models as wish_models
from gongzhi.wishes.access import token_digest

Progress = Callable[[str], None]
LOCAL = sla.LOCAL
DEFAULT_WISHES = wish_year.DEFAULT_WISHES


def _quiet(_message: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ServiceCounts:
    volunteers: int
    teams: int
    unit_registrations: int
    activities: int
    open_activities: int
    signups: int
    attendances: int
    wishes: int
    wish_events: int
    open_wishes: int
    service_records: int
    transactions: int
    points_earned: int
    redemptions: int
    reversals: int
    stations: int
    contacts: int
    meetings: int
    resources: int
    needs: int
    projects: int
    project_claims: int
    orders: int
    order_events: int
    open_orders: int
    seconds: float


# ── emptying (seed --replace) ─────────────────────────────────────────────────────────────────────

# Settings rows that describe how the loop works rather than what happened in it: kept.
_KEEP: set[type[models.Model]] = {
    points.EarningRule,
    wish_models.WishSettings,
    services.NeedCategory,
    registrations.DutyHours,
}


def _loop_models() -> list[type[models.Model]]:
    out: list[type[models.Model]] = []
    for module in (points, wish_models, services, registrations, volunteers):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, models.Model)
                and not value._meta.abstract
                and value.__module__ == module.__name__
                and value not in _KEEP
            ):
                out.append(value)
    return out


def clear_services() -> None:
    """Empties the service loop's tables (for seed --replace), the append-only ones too; people go after."""
    registrations.DutyHours.objects.filter(region__isnull=False).delete()
    empty(_loop_models())
    # The generated volunteers' own accounts (no password) went with nothing else pointing at them.
    User.objects.filter(username__regex=r"^v[0-9]+$", password=NO_PASSWORD).delete()


# ── stations and the ledger ───────────────────────────────────────────────────────────────────────


def _stations(world: World) -> list[Station]:
    rng, book = world.rng, world.book
    out: list[Station] = []
    rows = []
    for community in sorted(world.communities.values(), key=lambda c: c.code):
        opened = world.start - dt.timedelta(days=rng.randint(15, 420), hours=rng.randint(0, 8))
        station = Station(world.ids.take(points.Station), f"{community.name}党员爱心驿站", community.pk, community.code)
        rows.append((station.id, station.name, community.pk, community.code, f"{community.name}党群服务中心一楼",
                     rng.choice(STATION_HOURS), True, opened))  # fmt: skip
        book.account(("station", station.id), community.code, opened)
        for name, cost, quantity in sorted(rng.sample(STATION_ITEMS, rng.randint(5, 8)), key=lambda i: i[1]):
            at = opened + dt.timedelta(minutes=rng.randint(10, 120))
            item = Item(world.ids.take(points.CatalogItem), station.id, name, cost, quantity, at)
            station.items.append(item)
            book.restock(at, item, quantity * 2)
        out.append(station)
    insert(
        points.Station,
        ("id", "name", "community_id", "region_code", "address", "opening_hours", "is_active", "created_at"),
        rows,
    )
    return out


def _visits_and_reversals(world: World, stations: list[Station]) -> None:
    """Members spend some of what they earned at their community's station; staff reverse a few mistakes."""
    rng, book = world.rng, world.book
    station_of = {s.community_id: s for s in stations}
    vols: dict[int, Volunteer] = {v.pk: v for v in world.people.volunteers}
    earnings = [payload for _at, _seq, kind, payload in book.queue if kind == "earn"]
    earnings.sort(key=lambda e: (e.at, e.source_key))
    for e in earnings:
        if e.owner[0] != "member" or rng.random() > 0.3:
            continue
        v = vols.get(e.owner[1])
        station = station_of.get(v.community_id) if v is not None else None
        at = e.at + dt.timedelta(days=rng.uniform(1, 45))
        if v is None or station is None or at >= world.as_of:
            continue
        at = at.astimezone(LOCAL).replace(hour=rng.randint(9, 16), minute=rng.randint(0, 59))
        if at <= e.at or at >= world.as_of:
            continue
        book.visit(Visit(at, v.pk, v.region_code, world.user_of(v), station))
    member, demo = world.demo.member, world.demo.community
    if member is not None and demo is not None and demo.pk in station_of:
        at = (world.as_of - dt.timedelta(days=2)).replace(hour=10, minute=12)
        book.visit(Visit(at, member.pk, member.region_code, world.user_of(member), station_of[demo.pk]))
    mistaken = [e for e in earnings if e.source_key.startswith("activity:")]
    secretary = world.demo.user_id("secretary")
    for e in rng.sample(mistaken, min(len(mistaken), max(6, len(mistaken) // 3000))):
        e.reverse_at = e.at + dt.timedelta(days=rng.uniform(0.5, 6))
        e.reverse_reason = rng.choice(REVERSAL_REASONS)
        e.reverse_by = secretary if demo is not None and e.community_id == demo.pk else None


# ── the ordered services and the three lists ─────────────────────────────────────────────────────


def seed_lists_and_orders(world: World) -> ListCounts:
    """Resources, needs, projects claimed by units and ordered services through the alliance (orders.py).

    Run before the stations, so that confirmed project claims and orders (ServiceRecord kind project /
    order) earn their points in the same ledger run as everything else.
    """
    return order_year.seed_lists_and_orders(world)


# ── the step ──────────────────────────────────────────────────────────────────────────────────────


def _demo(community_id: int | None) -> Demo:
    regions = pick_regions()
    users = {u.username: u for u in User.objects.filter(username__in=("community", "secretary", "grid", "street"))}
    return Demo(community=regions["community"], users=users) if community_id else Demo(users=users)


@transaction.atomic
def do_seed_services(
    *,
    seed: int,
    today: dt.date | None = None,
    wishes: int = DEFAULT_WISHES,
    scale: float = 1.0,
    progress: Progress = _quiet,
) -> ServiceCounts:
    """A year of the service loop up to the start of `today` (local) in the seeded district.

    `scale` multiplies how many activities each community runs (tests use fewer).
    """
    started = time.perf_counter()
    today = today or dt.datetime.now(LOCAL).date()
    as_of = dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL)
    rng = random.Random(f"gongzhi-services-{seed}-{today.isoformat()}")
    ensure_default_rules()
    community = pick_regions()["community"]
    demo = _demo(community.pk if community is not None else None)
    people = seed_participants(rng, today, community.pk if community is not None else None)
    progress(f"volunteers: {len(people.volunteers)}, teams: {len(people.teams)}, units: {len(people.units)}")
    demo.units = people.showcase_units
    ensure_participant_accounts(community)
    linked = {v.user.username: v for v in Volunteer.objects.filter(user__isnull=False).select_related("user")
              if v.user is not None}  # fmt: skip
    demo.member, demo.volunteer, demo.liaison = (linked.get(n) for n in ("member", "volunteer", "liaison"))
    demo.users.update({n: v.user for n, v in linked.items() if v.user is not None})
    by_id = {v.pk: v for v in people.volunteers}
    # The same objects the participants hold, so `in` and identity checks agree.
    demo.member, demo.volunteer, demo.liaison = (
        by_id.get(v.pk, v) if v is not None else None for v in (demo.member, demo.volunteer, demo.liaison)
    )
    ids = Ids()
    book = Book(ids, rng, as_of)
    world = load_world(rng, as_of, ids, book, people, demo)
    gc.disable()  # hundreds of thousands of small tuples that live until written
    try:
        contacts, meetings = unit_year.seed_units(world)
        progress(f"liaison terms, contacts: {contacts}, joint meetings: {meetings}")
        acts = activity_year.seed_activities(world, scale)
        progress(f"activities: {acts.activities} ({acts.open} open), attendances: {acts.attendances}")
        wished = wish_year.seed_wishes(world, wishes)
        progress(f"micro-wishes: {wished.wishes}, timeline rows: {wished.events}")
        lists = seed_lists_and_orders(world)
        progress(
            f"resources: {lists.resources}, needs: {lists.needs}, projects: {lists.projects} "
            f"({lists.claims} claims), ordered services: {lists.orders} ({lists.open_orders} open)"
        )
        stations = _stations(world)
        _visits_and_reversals(world, stations)
        book.run()
        book.top_up_empty_shelves(stations, demo.user_id("community"))
    finally:
        gc.enable()
    insert(ServiceRecord, RECORD_FIELDS, world.records)
    book.write(stations)
    reset_sequences(ids.models())
    counts: Counts = book.counts
    progress(
        f"service records: {len(world.records)}, points transactions: {counts.transactions} "
        f"({counts.redemptions} redemptions, {counts.reversals} reversals), stations: {len(stations)}"
    )
    result = ServiceCounts(
        volunteers=len(people.volunteers),
        teams=len(people.teams),
        unit_registrations=len(people.units),
        activities=acts.activities,
        open_activities=acts.open,
        signups=acts.signups,
        attendances=acts.attendances,
        wishes=wished.wishes,
        wish_events=wished.events,
        open_wishes=wished.by_status.get(wish_models.WishStatus.OPEN, 0),
        service_records=len(world.records),
        transactions=counts.transactions,
        points_earned=counts.earned,
        redemptions=counts.redemptions,
        reversals=counts.reversals,
        stations=len(stations),
        contacts=contacts,
        meetings=meetings,
        resources=lists.resources,
        needs=lists.needs,
        projects=lists.projects,
        project_claims=lists.claims,
        orders=lists.orders,
        order_events=lists.order_events,
        open_orders=lists.open_orders,
        seconds=round(time.perf_counter() - started, 2),
    )
    changes = {"seed": seed, "until": as_of.isoformat(), **{k: getattr(result, k) for k in result.__slots__}}
    audit.record(actor=None, action="demo.seed_services", changes=changes)
    return result


@transaction.atomic
def do_issue_demo_wish_ticket() -> tuple[str, str] | None:
    """A fresh status-page token for the demo community's newest wish awaiting the resident's confirmation.

    Only digests of tokens are stored, so the demo re-issues one each time it prints the link.
    """
    community = pick_regions()["community"]
    if community is None:
        return None
    wish = (
        wish_models.Wish.objects.select_for_update()
        .filter(community=community, status=wish_models.WishStatus.FULFILLED, channel=wish_models.WishChannel.H5)
        .order_by("-fulfilled_at", "-id")
        .first()
    )
    if wish is None:
        return None
    token = secrets.token_urlsafe(16)
    wish.token_digest = token_digest(token)
    wish.save(update_fields=["token_digest"])
    audit.record(
        actor=None, action="demo.wish_ticket", obj=wish, object_repr=wish.number, changes={"number": wish.number}
    )
    return wish.number, token
