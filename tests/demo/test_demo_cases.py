"""The demo city's year of cases: a believable mix, timelines that agree with the cases, the same cases for
the same seed, and a classifier trained from them that recognises fresh reports."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from gongzhi.cases import routing, sla
from gongzhi.cases.access import access_case_by_ticket
from gongzhi.cases.models import (
    Case,
    CaseEvent,
    CaseRequest,
    ClassifierModel,
    DutyItem,
    HandlingLevel,
    Notification,
    PartyRole,
    RequestStatus,
    Status,
    WhistleParty,
)
from gongzhi.cases.selectors import department_inbox, dispatch_queue, field_tasks
from gongzhi.cases.workflow import BY_ACTION, Action
from gongzhi.core.models import AuditEvent
from gongzhi.demo import organisations
from gongzhi.demo.accounts import do_ensure_demo_accounts
from gongzhi.demo.case_texts import Place, compose
from gongzhi.demo.cases import CaseCounts, cases_sha256, clear_cases, do_issue_demo_ticket, do_seed_cases
from gongzhi.demo.load import do_seed_city
from gongzhi.demo.plan import generate
from gongzhi.people.models import Department
from gongzhi.regions.locate import invalidate, locate

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 28)
AS_OF = dt.datetime.combine(TODAY, dt.time(0), tzinfo=sla.LOCAL)
COUNT = 1500
LABELLED = Path(__file__).resolve().parents[2].parent / "shared/data/gov_messages/labeled.csv"
SHOWN_STATES = {
    Status.PENDING,
    Status.REGISTERED,
    Status.DISPATCHED,
    Status.SIGNED,
    Status.RETURNED,
    Status.HANDLING,
    Status.VERIFYING,
    Status.REWORK,
    Status.SUSPENDED,
}
# Timeline rows that are not moves of the workflow table: intake, the sweep, the merge's other side.
NOT_WORKFLOW = {"file", "merged_in", "deadline_warning", "overdue", "escalate_overdue"}


@dataclass
class Seeded:
    counts: CaseCounts


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Seeded]:
    """The demo tree (no rooms), its departments and accounts, and a year of cases; rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            invalidate()
            routing.forget_cached()
            do_seed_city(
                actor=None, plan=generate("demo", 1), with_rooms=False, replace=False, progress=lambda _m: None
            )
            organisations.seed_departments(random.Random(1))
            do_ensure_demo_accounts()
            counts = do_seed_cases(seed=3, count=COUNT, today=TODAY)
            yield Seeded(counts)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            routing.forget_cached()
            invalidate()


@pytest.fixture(autouse=True)
def _fresh_routing_cache() -> Iterator[None]:
    # A model trained inside a test is rolled back with it; the per-process cache must not outlive it.
    routing.forget_cached()
    yield
    routing.forget_cached()


def _timelines() -> dict[int, list[CaseEvent]]:
    out: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.order_by("occurred_at", "id"):
        out[event.case_id].append(event)
    return out


def test_a_year_of_cases_with_every_state_among_the_recent_ones(seeded: Seeded) -> None:
    # given the seeded year
    cases = Case.objects.all()
    # then there are as many as asked, spread over the twelve months before the day
    assert cases.count() == COUNT == seeded.counts.cases
    first = min(cases.values_list("created_at", flat=True))
    assert AS_OF - dt.timedelta(days=366) <= first < AS_OF - dt.timedelta(days=330)
    assert not cases.filter(created_at__gte=AS_OF).exists()
    months = Counter(c.astimezone(sla.LOCAL).month for c in cases.values_list("created_at", flat=True))
    assert len(months) == 12
    # and the recent weeks hold open cases in every state the queues show
    recent = set(cases.filter(created_at__gte=AS_OF - dt.timedelta(days=30)).values_list("status", flat=True))
    assert recent >= SHOWN_STATES
    statuses = Counter(cases.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > 0.85 * COUNT
    assert statuses[Status.REJECTED] > 0 and statuses[Status.MERGED] > 0
    # and every channel is used, roughly in the proportions of a city's intake
    channels = Counter(cases.values_list("channel", flat=True))
    for channel, share in (("hotline", 0.35), ("patrol", 0.30), ("h5", 0.25), ("api", 0.05), ("staff", 0.05)):
        assert abs(channels[channel] / COUNT - share) < 0.06, channels
    # and patrols close many small things on the spot
    on_spot = cases.filter(closed_on_spot=True)
    assert on_spot.count() > 0.3 * channels["patrol"]
    assert set(on_spot.values_list("channel", flat=True)) == {"patrol"}


def test_the_overdue_share_ratings_and_joint_handling_look_like_a_real_year(seeded: Seeded) -> None:
    cases = Case.objects.all()
    # then about one case in ten ran past its deadline
    overdue = cases.filter(is_overdue=True).count() / COUNT
    assert 0.06 <= overdue <= 0.14, overdue
    assert not cases.filter(handled_on_time=False).exclude(is_overdue=True).exists()
    # and residents rated most of what they reported, mostly satisfied
    resident_closed = cases.filter(channel__in=("h5", "hotline"), closed_at__isnull=False, status=Status.CLOSED)
    rated = resident_closed.exclude(rating="")
    assert rated.count() > 0.7 * resident_closed.count()
    ratings = Counter(cases.exclude(rating="").values_list("rating", flat=True))
    assert ratings["satisfied"] > ratings["basic"] > 0 and ratings["unsatisfied"] > 0
    assert not cases.filter(closed_on_spot=True).exclude(rating="").exists()
    # and some cases were reworked after an unsatisfied rating or a failed check
    assert cases.filter(rework_count__gt=0).exists()
    # and whistles summoned a lead and assisting departments, who reported in and did their part
    parties = WhistleParty.objects.select_related("whistle__case")
    assert parties.filter(role=PartyRole.LEAD).count() == seeded.counts.whistles > 0
    assert parties.filter(role=PartyRole.ASSIST).exists()
    for party in parties.filter(whistle__case__status=Status.CLOSED):
        assert party.role == PartyRole.NOTIFY or party.reported_in_at is not None
        if party.role == PartyRole.ASSIST:
            assert party.part and party.part_submitted_at is not None
    # and suspensions were approved before the case was suspended
    for case in cases.filter(status=Status.SUSPENDED):
        request = CaseRequest.objects.get(case=case, kind="suspend")
        assert request.status == RequestStatus.APPROVED and case.suspended_status in (Status.SIGNED, "handling")


def test_every_timeline_agrees_with_its_case(seeded: Seeded) -> None:
    timelines = _timelines()
    duty = set(DutyItem.objects.values_list("category_id", "department_id", "level"))
    departments = dict(Department.objects.values_list("name", "pk"))
    reworks = 0
    for case in Case.objects.select_related("category"):
        events = timelines[case.pk]
        # the story starts with the report and ends in the case's state
        assert events[0].action == "file" and events[0].to_status == Status.PENDING
        assert events[0].occurred_at == case.created_at
        assert events[-1].to_status == case.status, (case.number, [e.action for e in events])
        assert all(a.occurred_at <= b.occurred_at for a, b in itertools.pairwise(events))
        assert events[-1].occurred_at < AS_OF
        # each step is one the workflow table allows from where the case stood, and states chain up
        for before, event in itertools.pairwise(events):
            assert event.from_status == before.to_status, (case.number, before.action, event.action)
            if event.action in NOT_WORKFLOW:
                assert event.from_status == event.to_status
                continue
            move = BY_ACTION[Action(event.action)]
            assert event.from_status in move.sources, (case.number, event.action, event.from_status)
            if move.target is not None:
                assert event.to_status == move.target
            if event.action == Action.DISPATCH:
                # 非准不入: only where the duty list puts the category
                to = event.data["to"]
                listed = (case.category_id, None, HandlingLevel.GRID) if to.isdigit() else (
                    case.category_id, departments[to], "")  # fmt: skip
                assert listed in duty, (case.number, to)
        # the frozen columns say what the timeline says
        assert case.rework_count == sum(1 for e in events if e.to_status == Status.REWORK and e.from_status in (
            Status.VERIFYING, Status.CLOSED))  # fmt: skip
        reworks += case.rework_count
        if case.status == Status.CLOSED:
            assert case.handled_at is not None and case.dispatched_at is not None and case.closed_at is not None
            assert case.closed_at >= case.handled_at >= case.dispatched_at >= case.created_at
        if case.handled_at is not None:
            assert case.handled_on_time == (case.handle_due is None or case.handled_at <= case.handle_due)
        if case.responded_at is not None:
            assert case.responded_on_time == (case.response_due is None or case.responded_at <= case.response_due)
        if case.registered_at is not None and case.category is not None and not case.closed_on_spot:
            asked = any(e.action in (Action.DECIDE_REQUEST, Action.RESUME) for e in events)
            if not asked:
                assert case.handle_due == sla.deadline(case.registered_at, case.category.handling_days)
        # overdue exactly as the sweep marks it: open past the deadline, or once was
        marked = any(e.action == "overdue" for e in events)
        assert case.is_overdue == marked or any(e.action == Action.DECIDE_REQUEST for e in events)
        if case.status in (Status.REGISTERED, Status.DISPATCHED, Status.SIGNED, Status.RETURNED, "handling", "rework"):
            assert case.handle_due is not None
            assert case.is_overdue == (case.handle_due < AS_OF - dt.timedelta(minutes=1)), case.number
        if case.is_overdue:
            assert case.handle_due is not None and case.handle_due < AS_OF
        if case.status == Status.MERGED:
            assert case.duplicate_of is not None and case.duplicate_of.region_code[:9] == case.region_code[:9]
        if case.closed_on_spot:
            assert [e.action for e in events] == ["file", Action.CLOSE_ON_SPOT] and case.result
    assert reworks > 0


def test_the_demo_accounts_find_work_and_unread_notifications(seeded: Seeded) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=("community", "street", "dept", "grid"))}
    # then each demo login opens on a list with something to do
    assert dispatch_queue(users["community"]).exists()
    assert dispatch_queue(users["street"]).exists()
    assert department_inbox(users["dept"]).exists()
    assert field_tasks(users["grid"]).exists()
    # and their inbox badge is not empty
    for name in ("community", "street", "dept", "grid"):
        assert Notification.objects.filter(user=users[name], read_at__isnull=True).exists(), name
    # and the demo accounts appear in timelines where they acted
    assert CaseEvent.objects.filter(actor=users["dept"]).exists()
    assert CaseEvent.objects.filter(actor=users["grid"]).exists()
    # and one audit row covers the whole step
    assert AuditEvent.objects.filter(action="demo.seed_cases").count() == 1


def test_the_case_pages_show_the_seeded_histories(seeded: Seeded, client: Client) -> None:
    leader = User.objects.get(username="leader")
    client.force_login(leader)
    # given one case in each state, the leader opens its page and sees its story
    for status in sorted(set(Case.objects.values_list("status", flat=True))):
        case = Case.objects.filter(status=status).order_by("-created_at").first()
        assert case is not None
        page = client.get(reverse("cases:detail", args=[case.number]))
        assert page.status_code == 200, status
        assert case.title in page.content.decode()
    # and each demo account's own list opens on its work
    for username, name, work in (
        ("community", "cases:queue", dispatch_queue),
        ("dept", "cases:inbox", department_inbox),
        ("grid", "cases:tasks", field_tasks),
    ):
        user = User.objects.get(username=username)
        first = work(user).first()
        assert first is not None, username
        client.force_login(user)
        page = client.get(reverse(name))
        assert page.status_code == 200 and first.number in page.content.decode(), username


def test_points_lie_in_their_grid_and_reporters_are_masked(seeded: Seeded) -> None:
    for case in Case.objects.order_by("id")[::15]:
        assert case.lon is not None and case.lat is not None
        found = locate(case.lon, case.lat)
        assert found is not None and found.grid.code == case.region_code
        assert case.number[:6] == case.created_at.astimezone(sla.LOCAL).strftime("%y%m%d") and len(case.number) == 14
    phones = Case.objects.exclude(reporter_phone_masked="")
    assert phones.exists() and set(phones.values_list("channel", flat=True)) <= {"h5", "hotline", "staff"}
    assert all("****" in m for m in phones.values_list("reporter_phone_masked", flat=True))
    assert all(
        "*" in n for n in Case.objects.exclude(reporter_name_masked="").values_list("reporter_name_masked", flat=True)
    )


def test_the_resident_ticket_opens_its_case(seeded: Seeded) -> None:
    # given the ticket printed for the demo
    issued = do_issue_demo_ticket()
    assert issued is not None
    number, token = issued
    # then the status page finds it with the token, and it can still be rated
    case = access_case_by_ticket(number, token)
    assert case.status == Status.CLOSED and case.rating == "" and case.channel == "h5"


def test_the_same_seed_gives_the_same_cases(seeded: Seeded) -> None:
    def digest(seed: int) -> str:
        clear_cases()
        do_seed_cases(seed=seed, count=200, today=TODAY, train=False)
        return cases_sha256()

    first, again, other = digest(5), digest(5), digest(6)

    assert first == again and first != other


def test_the_classifier_trained_on_the_year_recognises_fresh_reports(seeded: Seeded) -> None:
    # given the model the seed trained on the closed cases, scored on the fifth it left out
    model = ClassifierModel.objects.get(is_active=True, source="demo closed cases")
    assert model.n_samples == seeded.counts.classifier_samples > 0.6 * COUNT
    assert model.metrics["method"] == "held-out closed cases" and model.metrics["accuracy"] > 0.9
    # when fresh reports are written for the commonest categories, in any channel's voice
    closed = Case.objects.filter(status=Status.CLOSED).values_list("category__code", flat=True)
    frequent = [code for code, _n in Counter(closed).most_common(10)]
    place = Place(street="仙林街道", community="文苑社区", compound="仙林翠谷花园", building="3栋", road="文苑路")
    rng = random.Random(99)
    hits = 0
    for i in range(50):
        code = frequent[i % len(frequent)]
        text = compose(rng, code, place, channel=rng.choice(("h5", "hotline", "patrol", "api", "staff")))
        top = routing.suggest(text.title, text.detail)
        hits += bool(top) and top[0][0] == code
    # then nearly all are recognised (measured: 50 of 50; the seeded texts are regular, real messages are harder)
    assert hits >= 45, hits
    # and the reports still waiting carry the suggestions the dispatcher sees
    pending = Case.objects.filter(status=Status.PENDING)
    assert pending.exists()
    for case in pending:
        assert case.suggestions and case.suggested_category is not None
        assert case.suggested_category.code == case.suggestions[0][0]


def test_train_classifier_from_the_cases_by_class(seeded: Seeded) -> None:
    # when the deployment retrains on its own closed cases, by class, with cross-validation
    out = StringIO()
    call_command("train_classifier", "--level", "class", "--evaluate", "--folds", "2", stdout=out, stderr=StringIO())
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    # then the new model is the only active one, its labels are our classes, and it was audited
    active = ClassifierModel.objects.get(is_active=True)
    assert active.pk == summary["model"] and summary["source"] == "closed cases (class)"
    assert all(len(label) == 4 for label in active.labels) and summary["unmapped_labels"] == []
    assert summary["metrics"]["method"] == "2-fold" and summary["metrics"]["accuracy"] > 0.6
    assert AuditEvent.objects.filter(action="cases.classifier.train", object_id=str(active.pk)).exists()
    routing.forget_cached()
    assert all(len(code) == 4 for code, _p in routing.suggest("小区门口垃圾堆积", "垃圾好几天没人清运，臭气熏天"))


def test_train_classifier_from_the_labelled_messages(seeded: Seeded) -> None:
    if not LABELLED.exists():
        pytest.skip(f"labelled messages not found at {LABELLED} (../shared/data is not part of the repository)")
    # when the classifier is trained on the city's labelled messages, whose labels are its sector names
    out = StringIO()
    call_command("train_classifier", "--csv", str(LABELLED), stdout=out, stderr=StringIO())
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    # then all seven sectors map onto our classes and the model is the active one
    assert summary["labels"] == 7 and summary["unmapped_labels"] == [] and summary["n_samples"] > 900
    assert ClassifierModel.objects.get(is_active=True).pk == summary["model"]
    # and routing answers with our class codes
    routing.forget_cached()
    top = routing.suggest(
        "小区物业乱收费", "我们小区物业公司擅自提高物业费，电梯坏了一个月也没人修，业主多次反映无果。"
    )
    assert top and {code for code, _p in top} <= {"MS01", "MS02", "MS03", "MS04", "MS05", "MS06", "MS07"}


@pytest.mark.slow
def test_the_seed_command_replaces_a_city_and_its_cases(seeded: Seeded) -> None:
    # given the seeded demo city with its cases, which point at its departments and accounts
    assert Case.objects.exists()
    # when the whole demo is seeded again over it, with a small year of cases
    out = StringIO()
    args = ("--size", "demo", "--seed", "2", "--cases", "300", "--no-services", "--replace")
    call_command("seed", *args, stdout=out, stderr=StringIO())
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    # then the old cases made way for the new ones, with their timelines and a classifier of their own
    assert result["cases"] == Case.objects.count() == 300
    assert result["case_events"] == CaseEvent.objects.count()
    assert result["cases_sha256"] == cases_sha256()
    assert ClassifierModel.objects.get(is_active=True).source == "demo closed cases"
    # and the printed ticket opens the resident's status page
    number, token = str(result["demo_ticket"]), str(result["demo_token"])
    assert access_case_by_ticket(number, token).number == number
    invalidate()  # the grid index now holds the replacing city, which the rollback takes away again
