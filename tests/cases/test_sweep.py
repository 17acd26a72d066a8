"""The overdue sweep and the commands that run it: warn, mark overdue, escalate step by step, never twice.

Every test chooses the sweep's clock (`run_sweep(now=…)`) relative to the case's own deadline, so
nothing sleeps and the working-day calendar does not matter.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from gongzhi.cases.models import Case, CaseEvent, EscalationStep, HandlingLevel, Notification, Status
from gongzhi.cases.sweep import SweepResult, run_sweep
from tests.cases.conftest import Loop
from tests.cases.states import reach

HOUR = dt.timedelta(hours=1)


Sweep = Callable[[dt.datetime], SweepResult]


@pytest.fixture
def sweep(django_capture_on_commit_callbacks: Any) -> Callable[[dt.datetime], SweepResult]:
    """run_sweep at a chosen time, with the notifications it schedules after commit actually sent."""

    def run(now: dt.datetime) -> SweepResult:
        with django_capture_on_commit_callbacks(execute=True):
            return run_sweep(now=now)

    return run


def due(case: Case) -> dt.datetime:
    assert case.handle_due is not None
    return case.handle_due


def notified(loop: Loop, user: str, kind: str, case: Case) -> int:
    return Notification.objects.filter(user=loop.users[user], kind=kind, case=case).count()


def actions(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("occurred_at", "id").values_list("action", flat=True))


def test_the_default_escalation_rule(loop: Loop) -> None:
    # the rule do_load_default_duty_lists installs: community at once, street after a day, district after three
    steps = list(EscalationStep.objects.values_list("order", "overdue_hours", "target_level", "supervise"))
    assert steps == [
        (1, 0, HandlingLevel.COMMUNITY, False),
        (2, 24, HandlingLevel.STREET, True),
        (3, 72, HandlingLevel.DEPARTMENT, True),
    ]


def test_a_warning_before_the_deadline_reaches_the_handler_once(loop: Loop, sweep: Sweep) -> None:
    # given a case with 城管局, due in two hours (the default warning window is 24 hours)
    case, _token = reach(loop, Status.DISPATCHED)
    at = due(case) - 2 * HOUR
    # when the sweep runs
    result = sweep(at)
    # then the handler and the office in charge are warned, and the timeline says so
    assert (result.warned, result.overdue, result.escalated) == (1, 0, 0)
    fresh = loop.reload(case)
    assert fresh.warned_at == at and not fresh.is_overdue
    assert notified(loop, "dept", "deadline", case) == 1
    assert notified(loop, "street", "deadline", case) == 1
    assert actions(case)[-1] == "deadline_warning"
    # and a second pass warns nobody again
    assert sweep(at + HOUR).warned == 0
    assert notified(loop, "dept", "deadline", case) == 1


def test_no_warning_long_before_the_deadline(loop: Loop, sweep: Sweep) -> None:
    case, _token = reach(loop, Status.DISPATCHED)
    assert sweep(due(case) - 48 * HOUR).warned == 0
    assert loop.reload(case).warned_at is None


def test_past_the_deadline_the_case_is_overdue_and_goes_to_the_community(loop: Loop, sweep: Sweep) -> None:
    # given a case in hand whose deadline passed an hour ago
    case, _token = reach(loop, Status.HANDLING)
    events_before = len(actions(case))
    # when the sweep runs
    result = sweep(due(case) + HOUR)
    # then it is marked overdue, with a timeline row and a notice to the handler
    assert (result.overdue, result.escalated) == (1, 1)
    fresh = loop.reload(case)
    assert fresh.is_overdue and fresh.escalation_step == 1 and not fresh.supervised
    assert actions(case)[events_before:] == ["overdue", "escalate_overdue"]
    assert notified(loop, "dept", "overdue", case) == 1
    # and step 1 tells the community office, not yet the street's supervisors
    assert notified(loop, "community", "escalation", case) == 1
    assert notified(loop, "leader", "escalation", case) == 0
    overdue_event = CaseEvent.objects.get(case=case, action="overdue")
    assert overdue_event.from_status == Status.HANDLING and overdue_event.to_status == Status.HANDLING


def test_escalation_follows_the_hours_overdue_and_supervises_from_step_two(loop: Loop, sweep: Sweep) -> None:
    # given an overdue case at step 1
    case, _token = reach(loop, Status.SIGNED)
    sweep(due(case) + HOUR)
    # when it is still open a day later
    assert sweep(due(case) + 25 * HOUR).escalated == 1
    # then the street supervises it
    fresh = loop.reload(case)
    assert (fresh.escalation_step, fresh.supervised) == (2, True)
    assert notified(loop, "street", "escalation", case) == 1
    event = CaseEvent.objects.filter(case=case, action="escalate_overdue").last()
    assert event is not None and event.data == {"step": 2, "office": "320113001", "supervise": True}
    # and three days late it reaches the district
    assert sweep(due(case) + 73 * HOUR).escalated == 1
    fresh = loop.reload(case)
    assert fresh.escalation_step == 3
    assert notified(loop, "leader", "escalation", case) == 1
    # and past the last step nothing more happens
    assert sweep(due(case) + 200 * HOUR).escalated == 0


def test_a_case_found_very_late_jumps_to_the_step_its_lateness_calls_for(loop: Loop, sweep: Sweep) -> None:
    case, _token = reach(loop, Status.DISPATCHED)
    result = sweep(due(case) + 80 * HOUR)
    fresh = loop.reload(case)
    assert (result.overdue, result.escalated) == (1, 1)
    assert (fresh.escalation_step, fresh.supervised) == (3, True)


def test_a_second_run_at_the_same_moment_does_nothing(loop: Loop, sweep: Sweep) -> None:
    # given a pass that warned one case and escalated another
    late, _t1 = reach(loop, Status.HANDLING)
    soon, _t2 = reach(loop, Status.DISPATCHED)
    at = due(late) + 30 * HOUR
    soon.handle_due = at + 2 * HOUR
    soon.save(update_fields=["handle_due"])
    first = sweep(at)
    assert (first.warned, first.overdue, first.escalated) == (1, 1, 1)
    events = CaseEvent.objects.count()
    notices = Notification.objects.count()
    # when it runs again
    second = sweep(at)
    # then nothing changes
    assert (second.warned, second.overdue, second.escalated) == (0, 0, 0)
    assert (CaseEvent.objects.count(), Notification.objects.count()) == (events, notices)


def test_suspended_and_closed_cases_are_not_marked(loop: Loop, sweep: Sweep) -> None:
    # given a suspended case and a closed one, both long past their deadlines
    suspended, _t1 = reach(loop, Status.SUSPENDED)
    closed, _t2 = reach(loop, Status.CLOSED)
    at = max(due(suspended), due(closed)) + 100 * HOUR
    # when the sweep runs
    result = sweep(at)
    # then neither is touched
    assert (result.warned, result.overdue, result.escalated) == (0, 0, 0)
    for case in (suspended, closed):
        fresh = loop.reload(case)
        assert not fresh.is_overdue and fresh.escalation_step == 0 and fresh.warned_at is None
        assert "overdue" not in actions(case)


def test_the_sweep_command_prints_its_counts(loop: Loop) -> None:
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert json.loads(out.getvalue()) == {"warned": 0, "overdue": 0, "escalated": 0}


def test_the_worker_runs_a_pass_and_stops(loop: Loop, caplog: pytest.LogCaptureFixture) -> None:
    # given an overdue case (its deadline moved into the past)
    case, _token = reach(loop, Status.HANDLING)
    Case.objects.filter(pk=case.pk).update(handle_due=due(case) - dt.timedelta(days=30))
    # when the worker runs once
    with caplog.at_level("INFO", logger="gongzhi.worker"):
        call_command("worker", "--once", "--interval", "1")
    # then the case is overdue and the pass is logged with its counts
    assert loop.reload(case).is_overdue
    assert any("overdue=1" in r.getMessage() for r in caplog.records)
    assert any("stopped after 1 passes" in r.getMessage() for r in caplog.records)
