"""The demo's year of the service loop: rows that keep the ledger's, the wishes' and the activities' rules,
and a demo community with something to show each participant account."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from gongzhi.cases import routing, sla
from gongzhi.core import pii
from gongzhi.core.models import Membership
from gongzhi.demo.accounts import DEMO_PASSWORD, do_ensure_demo_accounts, pick_regions
from gongzhi.demo.load import do_seed_city
from gongzhi.demo.people import do_seed_people
from gongzhi.demo.plan import generate
from gongzhi.demo.services.seed import ServiceCounts, clear_services, do_issue_demo_wish_ticket, do_seed_services
from gongzhi.points.earning import points_for
from gongzhi.points.models import (
    AccountKind,
    CatalogItem,
    EarningRule,
    PointAccount,
    PointEntry,
    PointTransaction,
    Redemption,
    Station,
    StockMovement,
    TransactionKind,
)
from gongzhi.regions.locate import invalidate
from gongzhi.regions.models import Region
from gongzhi.registrations.access import units_acted_for
from gongzhi.registrations.compliance import Overall, community_compliance
from gongzhi.registrations.models import LiaisonTerm, MemberRegistration, RegistrationStatus, UnitRegistration
from gongzhi.registrations.periods import Period
from gongzhi.services.models import (
    OPEN_ORDER_STATUSES,
    ClaimStatus,
    Need,
    NeedSource,
    NeedStatus,
    OrderEvent,
    OrderStatus,
    Project,
    ProjectClaim,
    ProjectStatus,
    Resource,
    ServiceOrder,
)
from gongzhi.services.selectors import community_orders, unit_inbox
from gongzhi.services.workflow import TRANSITIONS
from gongzhi.volunteers.hours import attendance_hours
from gongzhi.volunteers.models import (
    Activity,
    ActivityStatus,
    Attendance,
    ServiceRecord,
    SignUp,
    SignUpStatus,
    Team,
    Volunteer,
)
from gongzhi.volunteers.records import service_key
from gongzhi.wishes.models import BoardLevel, Wish, WishEvent, WishSettings, WishStatus
from gongzhi.wishes.recommend import wish_candidates

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 21)
AS_OF = dt.datetime.combine(TODAY, dt.time(0), tzinfo=sla.LOCAL)
WISHES = 400
RESIDENTS = 8000


@dataclass
class Seeded:
    counts: ServiceCounts
    community: Region


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Seeded]:
    """A small demo district (8,000 residents) with its accounts and a year of service; rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            invalidate()
            routing.forget_cached()
            do_seed_city(actor=None, plan=generate("demo", 1), with_rooms=True, replace=False, progress=lambda _m: None)
            do_seed_people(actor=None, seed=1, progress=lambda _m: None, target=RESIDENTS)
            do_ensure_demo_accounts()
            counts = do_seed_services(seed=1, today=TODAY, wishes=WISHES, scale=0.4)
            community = pick_regions()["community"]
            assert community is not None
            yield Seeded(counts, community)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            routing.forget_cached()
            invalidate()


# ── the ledger ───────────────────────────────────────────────────────────────────────────────────


def test_every_transaction_balances_and_every_balance_is_its_entries(seeded: Seeded) -> None:
    # given the seeded ledger
    assert seeded.counts.transactions == PointTransaction.objects.count() > 0
    # then every transaction's entries sum to zero, none of them zero
    sums = PointEntry.objects.values("transaction_id").annotate(total=Sum("amount"))
    assert {row["total"] for row in sums} == {0}
    assert not PointEntry.objects.filter(amount=0).exists()
    assert PointTransaction.objects.exclude(pk__in=PointEntry.objects.values("transaction_id")).count() == 0
    # and replaying entries in id order gives every balance_after, never below zero where that is not allowed
    kinds = dict(PointAccount.objects.values_list("id", "kind"))
    running: Counter[int] = Counter()
    for account_id, amount, after in PointEntry.objects.order_by("id").values_list(
        "account_id", "amount", "balance_after"
    ):
        running[account_id] += amount
        assert running[account_id] == after
        if kinds[account_id] != AccountKind.ISSUANCE:
            assert after >= 0, account_id
    # and each account's balance is the sum of its entries
    for account_id, balance in PointAccount.objects.values_list("id", "balance"):
        assert balance == running[account_id]
    # and the earnings were paid from the issuance accounts, which went negative by as much
    issued = PointAccount.objects.filter(kind=AccountKind.ISSUANCE).aggregate(s=Sum("balance"))["s"]
    assert issued is not None and issued < 0


def test_transactions_are_backdated_in_id_order_within_the_year(seeded: Seeded) -> None:
    times = list(PointTransaction.objects.order_by("id").values_list("created_at", flat=True))
    assert times == sorted(times)
    assert AS_OF - dt.timedelta(days=400) < times[0] and times[-1] < AS_OF


def test_every_confirmed_service_has_one_record_and_one_earning_by_the_rules(seeded: Seeded) -> None:
    rules = {r.kind: r for r in EarningRule.objects.all()}
    records = {r.key: r for r in ServiceRecord.objects.all()}
    earnings = {t.source_key: t for t in PointTransaction.objects.filter(kind=TransactionKind.EARN)}
    owners = {a: (v, u) for a, v, u in PointAccount.objects.values_list("id", "volunteer_id", "unit_id")}
    credits: dict[int, tuple[int | None, int | None, int]] = {  # earning → (volunteer, unit, points) credited
        t: (*owners[a], n)
        for t, a, n in PointEntry.objects.filter(transaction__kind=TransactionKind.EARN, amount__gt=0).values_list(
            "transaction_id", "account_id", "amount"
        )
    }
    assert len(records) == seeded.counts.service_records
    # every confirmed attendance: one record with its hours, check-in date and title; one earning
    confirmed = Attendance.objects.filter(confirmed_at__isnull=False).select_related("activity")
    assert confirmed.count() > 100
    for a in confirmed:
        key = service_key("activity", a.pk)
        record = records.pop(key)
        assert (record.volunteer_id, record.community_id, record.hours) == (
            a.volunteer_id,
            a.activity.community_id,
            a.hours,
        )
        assert (record.served_on, record.summary) == (a.checked_in_at.astimezone(sla.LOCAL).date(), a.activity.title)
        assert record.created_at == a.confirmed_at
        assert a.checked_out_at is not None and a.hours is not None
        assert a.hours == attendance_hours(a.checked_in_at, a.checked_out_at, a.activity.starts_at, a.activity.ends_at)
        txn = earnings.pop(key)
        assert txn.created_at == a.confirmed_at and txn.region_code == a.activity.region_code
        assert credits[txn.pk] == (a.volunteer_id, None, points_for(rules["activity"], a.hours))
    # every confirmed wish: one record of the wish's hours, for its claimant; one earning
    hours = WishSettings.load().hours_per_wish
    wishes = Wish.objects.filter(status=WishStatus.CONFIRMED)
    assert wishes.count() > 50
    for w in wishes:
        key = service_key("wish", w.pk)
        record = records.pop(key)
        assert (record.volunteer_id, record.unit_id, record.hours) == (
            w.claimant_volunteer_id,
            w.claimant_unit_id,
            hours,
        )
        assert w.fulfilled_at is not None and record.served_on == w.fulfilled_at.astimezone(sla.LOCAL).date()
        txn = earnings.pop(key)
        assert txn.created_at == w.confirmed_at == record.created_at
        assert credits[txn.pk] == (w.claimant_volunteer_id, w.claimant_unit_id, rules["wish"].points)
    # every confirmed ordered service: one record for the unit, or the team's leader; one earning
    orders = ServiceOrder.objects.filter(status=OrderStatus.CONFIRMED).select_related("team", "community")
    assert orders.count() > 100
    for o in orders:
        key = service_key("order", o.pk)
        record = records.pop(key)
        volunteer = o.team.leader_id if o.team is not None else None
        assert (record.unit_id, record.volunteer_id) == (o.unit_id, volunteer) and (o.unit_id is None) != (
            volunteer is None
        )
        assert (record.community_id, record.hours, record.summary) == (o.community_id, o.hours or 0, o.title)
        assert o.completed_at is not None and record.served_on == o.completed_at.astimezone(sla.LOCAL).date()
        txn = earnings.pop(key)
        assert txn.created_at == o.confirmed_at == record.created_at and txn.region_code == o.region_code
        assert credits[txn.pk] == (volunteer, o.unit_id, points_for(rules["order"], record.hours))
    # every confirmed project claim: one record for the unit, of the delivery's day; one earning
    claims = ProjectClaim.objects.filter(status=ClaimStatus.CONFIRMED).select_related("project")
    assert claims.count() > 20
    for c in claims:
        key = service_key("project", c.pk)
        record = records.pop(key)
        assert (record.unit_id, record.volunteer_id, record.community_id) == (c.unit_id, None, c.project.community_id)
        assert c.delivered_at is not None and record.served_on == c.delivered_at.astimezone(sla.LOCAL).date()
        assert record.summary == c.project.title and record.hours >= 0
        txn = earnings.pop(key)
        assert txn.created_at == c.confirmed_at == record.created_at
        assert credits[txn.pk] == (None, c.unit_id, points_for(rules["project"], record.hours))
    # and nothing else was recorded or paid
    assert records == {} and earnings == {}


def test_reversals_mirror_their_originals(seeded: Seeded) -> None:
    reversals = PointTransaction.objects.filter(kind=TransactionKind.REVERSE).select_related("reverses")
    assert reversals.count() == seeded.counts.reversals > 0
    for r in reversals:
        original = r.reverses
        assert original is not None and original.kind == TransactionKind.EARN and original.pk < r.pk
        mine = sorted(r.entries.values_list("account_id", "amount"))
        theirs = sorted((a, -n) for a, n in original.entries.values_list("account_id", "amount"))
        assert mine == theirs
        assert r.region_code == original.region_code and len(r.memo) > 2


def test_stock_is_its_movements_and_never_negative(seeded: Seeded) -> None:
    assert Station.objects.count() == seeded.counts.stations > 0
    running: Counter[int] = Counter()
    for item_id, delta, after in StockMovement.objects.order_by("id").values_list("item_id", "delta", "stock_after"):
        running[item_id] += delta
        assert running[item_id] == after >= 0
    for item_id, stock in CatalogItem.objects.values_list("id", "stock"):
        assert stock == running[item_id] >= 0
    per_station = Counter(CatalogItem.objects.values_list("station_id", flat=True))
    assert min(per_station.values()) >= 5 and max(per_station.values()) <= 8
    # every redemption took stock with a redemption movement and paid its station
    redemptions = Redemption.objects.select_related("transaction", "item")
    assert redemptions.count() == seeded.counts.redemptions > 0
    for r in redemptions[:300]:
        move = StockMovement.objects.get(transaction=r.transaction)
        assert move.delta == -r.quantity and move.item_id == r.item_id
        station_entry = r.transaction.entries.get(amount__gt=0)
        assert station_entry.account.station_id == r.item.station_id
        assert station_entry.amount == r.item.cost * r.quantity


# ── wishes and activities ────────────────────────────────────────────────────────────────────────


def test_wishes_follow_their_timelines_and_keep_residents_masked(seeded: Seeded) -> None:
    settings = WishSettings.load()
    wishes = list(Wish.objects.all())
    assert len(wishes) == seeded.counts.wishes >= WISHES
    statuses = Counter(w.status for w in wishes)
    assert set(statuses) == set(WishStatus.values), statuses
    assert statuses[WishStatus.CONFIRMED] > len(wishes) / 2
    events: dict[int, list[WishEvent]] = defaultdict(list)
    for e in WishEvent.objects.order_by("at", "id"):
        events[e.wish_id].append(e)
    numbers = set()
    for w in wishes:
        steps = events[w.pk]
        assert steps[0].kind == "post" and steps[0].from_status == "" and steps[0].at == w.created_at
        for before, after in itertools.pairwise(steps):
            assert after.from_status == before.to_status and before.at <= after.at
        assert steps[-1].to_status == w.status and steps[-1].at < AS_OF
        assert w.updated_at == steps[-1].at
        # the resident is sealed and masked, never in full
        name = pii.decrypt(w.resident_name_ciphertext)
        assert len(name) >= 2 and w.resident_name_masked == pii.mask_name(name) != name
        assert "*" in w.resident_name_masked
        if w.status in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED):
            assert (w.claimant_volunteer_id is None) != (w.claimant_unit_id is None)
            assert w.claimed_at is not None and w.due_at == w.claimed_at + dt.timedelta(days=settings.claim_days)
        if w.status == WishStatus.OPEN:
            assert w.claimant_volunteer_id is None and w.claimant_unit_id is None
        if w.fulfilled_at is not None and w.due_at is not None:
            assert w.fulfilled_late == (w.fulfilled_at > w.due_at)
        escalated = any(e.kind == "escalate" for e in steps)
        assert escalated == (w.board_level == BoardLevel.STREET)
        if w.status == WishStatus.OPEN and AS_OF - w.created_at > dt.timedelta(hours=settings.escalate_after_hours):
            assert escalated
        if w.status == WishStatus.EXPIRED:
            assert steps[-1].at - w.created_at >= dt.timedelta(days=settings.expire_after_days)
        assert w.number.startswith(f"W{w.created_at.astimezone(sla.LOCAL):%y%m%d}")
        numbers.add(w.number)
    assert len(numbers) == len(wishes)
    assert any(w.fulfilled_late for w in wishes) and any(w.board_level == BoardLevel.STREET for w in wishes)


def test_claimants_may_serve_where_they_claimed(seeded: Seeded) -> None:
    served: dict[int, set[int]] = defaultdict(set)
    for vid, cid in Volunteer.objects.values_list("id", "community_id"):
        served[vid].add(cid)
    for vid, cid in MemberRegistration.objects.filter(status=RegistrationStatus.APPROVED).values_list(
        "volunteer_id", "community_id"
    ):
        served[vid].add(cid)
    units: dict[int, set[int]] = defaultdict(set)
    for uid, cid in UnitRegistration.objects.filter(status=RegistrationStatus.APPROVED).values_list(
        "unit_id", "community_id"
    ):
        units[uid].add(cid)
    streets = dict(Region.objects.filter(level="community").values_list("id", "code"))
    for w in Wish.objects.exclude(claimant_volunteer=None, claimant_unit=None):
        mine = served[w.claimant_volunteer_id] if w.claimant_volunteer_id else units[w.claimant_unit_id or 0]
        if w.board_level == BoardLevel.STREET:
            assert any(streets[c][:9] == streets[w.community_id][:9] for c in mine)
        else:
            assert w.community_id in mine


def test_activities_keep_their_places_and_past_ones_have_attendance(seeded: Seeded) -> None:
    taken = Counter(SignUp.objects.filter(status=SignUpStatus.SIGNED_UP).values_list("activity_id", flat=True))
    for activity in Activity.objects.all():
        assert taken[activity.pk] <= activity.capacity
        assert activity.created_at < min(activity.starts_at, AS_OF)
        if activity.status == ActivityStatus.OPEN:
            assert activity.starts_at > AS_OF
        else:
            assert activity.ends_at < AS_OF
    assert Activity.objects.filter(status=ActivityStatus.CANCELLED).exists()
    assert not Attendance.objects.filter(activity__status__in=[ActivityStatus.OPEN, ActivityStatus.CANCELLED]).exists()
    signed = set(SignUp.objects.filter(status=SignUpStatus.SIGNED_UP).values_list("activity_id", "volunteer_id"))
    for a in Attendance.objects.select_related("activity"):
        assert (a.activity_id, a.volunteer_id) in signed
        start, end = a.activity.starts_at, a.activity.ends_at
        assert start - dt.timedelta(minutes=30) <= a.checked_in_at <= end
        if a.checked_out_at is not None:
            assert a.checked_in_at < a.checked_out_at <= end + dt.timedelta(minutes=30)
            assert a.hours is not None and a.hours > 0
        else:
            assert a.confirmed_at is None


# ── 双报到 and the demo community ─────────────────────────────────────────────────────────────────


def test_the_demo_community_board_shows_compliant_and_non_compliant_units(seeded: Seeded) -> None:
    last_month = Period.current_month(TODAY).start - dt.timedelta(days=1)
    board = community_compliance(seeded.community, Period.month(last_month.year, last_month.month), today=TODAY)
    overall = Counter(u.overall for u in board.units)
    assert overall[Overall.COMPLIANT] >= 1 and overall[Overall.NOT_COMPLIANT] >= 1, overall
    # every approved registration with a liaison has an open term from its approval
    for reg in UnitRegistration.objects.filter(status=RegistrationStatus.APPROVED, liaison__isnull=False):
        term = LiaisonTerm.objects.get(registration=reg)
        assert term.volunteer_id == reg.liaison_id and term.ended_on is None
        assert reg.decided_at is not None and term.started_on == reg.decided_at.astimezone(sla.LOCAL).date()


def test_the_demo_accounts_sign_in_and_find_things_to_do(seeded: Seeded) -> None:
    community = seeded.community
    for username in ("member", "volunteer", "liaison"):
        user = User.objects.get(username=username)
        assert not Membership.objects.filter(user=user).exists()
        assert Client().login(username=username, password=DEMO_PASSWORD)
        volunteer = user.volunteer
        assert volunteer.is_active
    member = User.objects.get(username="member").volunteer
    assert member.person.region_code[:9] != community.code[:9]
    assert MemberRegistration.objects.filter(volunteer=member, community=community, status="approved").exists()
    account = PointAccount.objects.get(volunteer=member)
    assert account.balance > 0 and ServiceRecord.objects.filter(volunteer=member).count() >= 3
    assert Wish.objects.filter(claimant_volunteer=member, status=WishStatus.CLAIMED).exists()
    volunteer = User.objects.get(username="volunteer").volunteer
    assert volunteer.community_id == community.pk and not hasattr(volunteer.person, "party_member")
    liaison = User.objects.get(username="liaison")
    assert UnitRegistration.objects.filter(community=community, status="approved", liaison__user=liaison).exists()
    # the board has open wishes, the station stock, and an activity to sign up for
    assert Wish.objects.filter(community=community, status=WishStatus.OPEN).count() >= 3
    assert CatalogItem.objects.filter(station__community=community, stock__gt=0).count() >= 5
    open_activity = Activity.objects.filter(community=community, status=ActivityStatus.OPEN, starts_at__gt=AS_OF)
    assert open_activity.exists()
    assert not SignUp.objects.filter(activity__in=open_activity, volunteer=member).exists()
    # and ensuring the accounts again changes nothing
    accounts = {a.username for a in do_ensure_demo_accounts()}
    assert {"member", "volunteer", "liaison", "community"} <= accounts
    assert User.objects.get(username="member").volunteer == member


def test_most_volunteers_can_be_invited_so_open_wishes_have_recommended_people(seeded: Seeded) -> None:
    # given the seeded volunteers: most have their own (password-less) account to be told through
    with_account = Volunteer.objects.filter(user__isnull=False).count()
    assert 0.75 <= with_account / Volunteer.objects.count() <= 0.95
    generic = User.objects.filter(username__regex=r"^v[0-9]+$").first()
    assert generic is not None and not generic.has_usable_password()
    # when the demo community's open wishes are matched
    community = pick_regions()["community"]
    assert community is not None
    wishes = list(Wish.objects.filter(community=community, status=WishStatus.OPEN))
    # then each has people to recommend
    assert wishes and all(wish_candidates(w) for w in wishes)


def test_the_resident_status_link_opens_a_wish_awaiting_confirmation(seeded: Seeded) -> None:
    ticket = do_issue_demo_wish_ticket()
    assert ticket is not None
    page = Client().get(reverse("wishes:h5_status", args=ticket))
    assert page.status_code == 200
    wish = Wish.objects.get(number=ticket[0])
    assert wish.status == WishStatus.FULFILLED and wish.community_id == seeded.community.pk
    assert wish.title in page.content.decode()


def test_replacing_empties_the_loop_even_its_append_only_tables(seeded: Seeded) -> None:
    # given the seeded year, inside a savepoint so the other tests keep it
    sid = transaction.savepoint()
    try:
        # when the service loop is cleared (seed --replace does this before the people go)
        clear_services()
        # then every table of it is empty, and the settings stay
        for model in (PointEntry, PointTransaction, StockMovement, ServiceRecord, WishEvent, Wish, Activity):
            assert not model.objects.exists(), model
        assert EarningRule.objects.exists()
    finally:
        transaction.savepoint_rollback(sid)
    assert PointEntry.objects.exists()


def test_hours_are_half_hours_and_points_follow(seeded: Seeded) -> None:
    rng = random.Random(1)
    hours = list(Attendance.objects.filter(hours__isnull=False).values_list("hours", flat=True))
    for h in rng.sample(hours, min(200, len(hours))):
        assert h is not None and (h * 2) == (h * 2).to_integral_value() and h >= Decimal("0.5")


# ── the three lists and ordered services ─────────────────────────────────────────────────────────


def _approved_units() -> dict[int, set[int]]:
    """unit → the communities it is registered with (approved, with a liaison)."""
    units: dict[int, set[int]] = defaultdict(set)
    approved = UnitRegistration.objects.filter(status=RegistrationStatus.APPROVED, liaison__isnull=False)
    for uid, cid in approved.values_list("unit_id", "community_id"):
        units[uid].add(cid)
    return units


def test_orders_follow_their_timelines(seeded: Seeded) -> None:
    orders = {o.pk: o for o in ServiceOrder.objects.all()}
    assert len(orders) == seeded.counts.orders and 250 <= len(orders) <= 600
    statuses = Counter(o.status for o in orders.values())
    assert set(statuses) == set(OrderStatus.values), statuses
    assert statuses[OrderStatus.CONFIRMED] > len(orders) / 2
    assert any(o.send_back_count for o in orders.values())  # some services were sent back and done again
    assert seeded.counts.open_orders == sum(statuses[s] for s in OPEN_ORDER_STATUSES)
    events: dict[int, list[OrderEvent]] = defaultdict(list)
    for e in OrderEvent.objects.order_by("occurred_at", "id"):
        events[e.order_id].append(e)
    assert sum(map(len, events.values())) == seeded.counts.order_events
    units = _approved_units()
    community_code = dict(Region.objects.filter(level="community").values_list("id", "code"))
    teams = {t.pk: t for t in Team.objects.all()}
    late_accepts = 0
    for o in orders.values():
        steps = events[o.pk]
        # the first step places the order, each next one starts where the last ended, the last is its status
        first = steps[0]
        assert (first.action, first.from_status, first.to_status) == ("order", "", OrderStatus.ORDERED)
        assert first.occurred_at == o.ordered_at and first.actor_id == o.ordered_by_id
        for before, after in itertools.pairwise(steps):
            assert after.from_status == before.to_status and before.occurred_at <= after.occurred_at
            assert (after.from_status, after.action) in ALLOWED, (o.number, after.from_status, after.action)
        assert steps[-1].to_status == o.status and steps[-1].occurred_at < AS_OF
        assert o.number == f"DD{o.ordered_at.astimezone(sla.LOCAL):%Y%m%d}{o.pk:05d}"
        assert o.street_code == o.region_code[:9] == community_code[o.community_id][:9]
        assert o.wanted_by >= o.ordered_at.astimezone(sla.LOCAL).date()
        kinds = Counter(e.action for e in steps)
        assert o.decline_count == kinds["decline"] and (len(o.decline_reason) > 2) == (o.decline_count > 0)
        assert o.send_back_count == kinds["send_back"] and (len(o.send_back_reason) > 2) == (o.send_back_count > 0)
        # the assignee is the last dispatch's, cleared by a decline; a unit registered in the street, or its team
        dispatches = [e for e in steps if e.action == "dispatch"]
        if o.status in (OrderStatus.ORDERED, OrderStatus.DECLINED):
            assert o.unit_id is None and o.team_id is None and o.accept_due is None
        elif dispatches:
            last = dispatches[-1]
            assert (o.unit_id, o.team_id) == (last.data.get("unit"), last.data.get("team"))
            assert last.occurred_at == o.dispatched_at
            assert o.accept_due is not None and last.data["accept_due"] == o.accept_due.astimezone(dt.UTC).isoformat()
            assert o.accept_due - o.dispatched_at in {dt.timedelta(hours=h) for h in (24, 48, 72)}
            if o.unit_id is not None:
                assert any(community_code[c][:9] == o.street_code for c in units[o.unit_id])
            else:
                team = teams[o.team_id or 0]
                assert team.region_code.startswith(o.street_code) and team.leader_id is not None
        accepted = [e for e in steps if e.action == "accept"]
        assert (o.accepted_at is not None) == bool(accepted)
        if accepted:
            assert o.accepted_at == accepted[0].occurred_at and o.accept_due is not None
            late = o.accepted_at > o.accept_due
            assert accepted[0].data == ({"late": True} if late else {})
            late_accepts += late
        if o.status == OrderStatus.CONFIRMED:
            assert o.confirmed_at == o.closed_at == steps[-1].occurred_at
            assert o.completed_at is not None and o.accepted_at is not None and o.accepted_at <= o.completed_at
            assert o.completion_note and steps[-1].data == ({"hours": str(o.hours)} if o.hours is not None else {})
        if o.status == OrderStatus.CANCELLED:
            assert o.closed_at == steps[-1].occurred_at and o.cancel_reason == steps[-1].note != ""
        if o.status in OPEN_ORDER_STATUSES:
            assert o.closed_at is None and o.confirmed_at is None
    assert late_accepts > 0 and any(o.decline_count for o in orders.values())
    assert any(o.accept_overdue(AS_OF) for o in orders.values()) or statuses[OrderStatus.DISPATCHED] > 0


ALLOWED = {(s, t.action.value) for t in TRANSITIONS for s in t.sources}


def test_project_claims_keep_their_slots_and_statuses(seeded: Seeded) -> None:
    projects = {p.pk: p for p in Project.objects.all()}
    assert len(projects) == seeded.counts.projects > 100
    assert {ProjectStatus.DRAFT, ProjectStatus.PUBLISHED, ProjectStatus.DONE} <= {p.status for p in projects.values()}
    claims: dict[int, list[ProjectClaim]] = defaultdict(list)
    for c in ProjectClaim.objects.order_by("claimed_at", "id"):
        claims[c.project_id].append(c)
    assert sum(map(len, claims.values())) == seeded.counts.project_claims
    assert {c.status for cs in claims.values() for c in cs} == set(ClaimStatus.values)
    units = _approved_units()
    for pid, p in projects.items():
        mine = claims[pid]
        assert p.starts_on <= p.ends_on and p.created_at < AS_OF and p.budget >= 0
        # never more active claims than slots, at any moment
        moments = sorted([(c.claimed_at, 1) for c in mine] + [(c.withdrawn_at, -1) for c in mine if c.withdrawn_at])
        active = 0
        for _at, step in moments:
            active += step
            assert active <= p.slots, p.title
        assert sum(1 for c in mine if c.status != ClaimStatus.WITHDRAWN) <= p.slots
        assert len({c.unit_id for c in mine if c.status != ClaimStatus.WITHDRAWN}) == sum(
            1 for c in mine if c.status != ClaimStatus.WITHDRAWN
        )
        if p.status == ProjectStatus.DRAFT:
            assert mine == []
        if p.status == ProjectStatus.DONE:
            assert all(c.status in (ClaimStatus.CONFIRMED, ClaimStatus.WITHDRAWN) for c in mine) and mine
        for c in mine:
            assert p.community_id in units[c.unit_id]
            assert p.created_at < c.claimed_at < AS_OF
            assert c.claimed_at.astimezone(sla.LOCAL).date() <= p.ends_on
            if c.status == ClaimStatus.WITHDRAWN:
                assert c.withdrawn_at is not None and c.claimed_at < c.withdrawn_at < AS_OF and len(c.reason) > 2
                assert c.delivered_at is None and c.confirmed_at is None
            if c.status == ClaimStatus.CLAIMED:
                assert c.delivered_at is None and c.confirmed_at is None and c.withdrawn_at is None
            if c.status in (ClaimStatus.DELIVERED, ClaimStatus.CONFIRMED):
                assert c.delivered_at is not None and c.claimed_at < c.delivered_at < AS_OF and c.evidence
                assert (c.confirmed_at is not None) == (c.status == ClaimStatus.CONFIRMED)
            if c.confirmed_at is not None:
                assert c.delivered_at is not None and c.delivered_at < c.confirmed_at < AS_OF


def test_needs_and_resources_keep_the_lists_rules(seeded: Seeded) -> None:
    community_user = User.objects.get(username="community")
    resources = list(Resource.objects.all())
    assert len(resources) == seeded.counts.resources > 300
    assert any(len(r.region_code) == 9 for r in resources)  # street-wide ones
    units = _approved_units()
    codes = dict(Region.objects.values_list("id", "code"))
    for r in resources:
        assert sum(x is not None for x in (r.unit_id, r.team_id, r.volunteer_id)) == 1
        assert r.region_code == codes[r.region_id] and len(r.region_code) in (9, 12)
        if r.unit_id is not None:
            assert any(codes[c].startswith(r.region_code) for c in units[r.unit_id])
    needs = list(Need.objects.select_related("order"))
    assert len(needs) == seeded.counts.needs and set(NeedStatus.values) == {n.status for n in needs}
    for n in needs:
        assert n.created_at <= n.updated_at < AS_OF and n.region_code.startswith(codes[n.community_id])
        assert n.raised_by_id == (community_user.pk if n.community_id == seeded.community.pk else None)
        if n.source == NeedSource.RESIDENT:
            assert n.person_id is not None and "*" in n.resident_masked
        else:
            assert n.person_id is None and n.resident_masked == ""
        if n.status == NeedStatus.MATCHED:
            assert n.resource_id is not None or n.order_id is not None
        if n.resource_id is not None:
            resource = Resource.objects.get(pk=n.resource_id)
            assert codes[n.community_id].startswith(resource.region_code) and resource.created_at < n.updated_at
        if n.status == NeedStatus.CLOSED:
            assert len(n.status_note) > 2
        if n.order is not None:
            # ordered for it: matched while the order runs, met once confirmed; a cancelled order unlinks it
            assert n.order.community_id == n.community_id and n.order.category_id == n.category_id
            assert n.order.status != OrderStatus.CANCELLED
            expected = NeedStatus.MET if n.order.status == OrderStatus.CONFIRMED else NeedStatus.MATCHED
            assert n.status == expected and n.updated_at == n.order.ordered_at
    linked = OrderEvent.objects.filter(action="order", data__has_key="need").count()
    assert linked >= Need.objects.filter(order__isnull=False).count() > 10


def test_the_demo_community_and_liaison_have_orders_to_act_on(seeded: Seeded) -> None:
    # the community's staff see its orders in most states
    staff = User.objects.get(username="community")
    mine = community_orders(staff)
    assert {o.community_id for o in mine} == {seeded.community.pk}
    assert len({o.status for o in mine}) >= 6
    # and a unit's project delivery to confirm
    assert ProjectClaim.objects.filter(project__community=seeded.community, status=ClaimStatus.DELIVERED).exists()
    # the street's alliance has one to pass on
    street = User.objects.get(username="street")
    assert ServiceOrder.objects.filter(
        street_code=seeded.community.code[:9], status__in=(OrderStatus.ORDERED, OrderStatus.DECLINED)
    ).exists()
    assert street.is_active
    # the liaison's inbox: one passed on, waiting to be accepted (not yet overdue), and one in progress
    liaison = User.objects.get(username="liaison")
    inbox = list(unit_inbox(liaison))
    waiting = [o for o in inbox if o.status == OrderStatus.DISPATCHED and o.unit_id is not None]
    assert waiting and any(o.accept_due is not None and o.accept_due > AS_OF for o in waiting)
    assert any(o.status == OrderStatus.IN_PROGRESS for o in inbox)
    client = Client()
    assert client.login(username="liaison", password=DEMO_PASSWORD)
    page = client.get(reverse("services:inbox"))
    assert page.status_code == 200 and waiting[0].title in page.content.decode()
    # and its unit offers resources it entered itself, and has earned project or order points
    unit_ids = set(units_acted_for(liaison).values_list("pk", flat=True))
    assert {o.unit_id for o in waiting} <= unit_ids
    assert Resource.objects.filter(unit_id__in=unit_ids, region=seeded.community, created_by=liaison).exists()
    assert PointAccount.objects.filter(unit_id__in=unit_ids, balance__gt=0).exists()
