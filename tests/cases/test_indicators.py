"""Indicators from what actually happened (docs/indicators.md): each rate from its counts, the
combined score from the configured weights, grouped by region, department and category."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.cases import indicators
from gongzhi.cases.actions import transitions as t
from gongzhi.cases.actions.common import SYSTEM
from gongzhi.cases.actions.config import do_update_loop_settings
from gongzhi.cases.models import Case, Status
from gongzhi.cases.sla import LOCAL
from gongzhi.core.errors import DomainError
from tests.cases.conftest import Loop
from tests.cases.states import reach, resident

TODAY = dt.datetime.now(dt.UTC).astimezone(LOCAL).date()


def _month() -> tuple[dt.date, dt.date]:
    return TODAY - dt.timedelta(days=31), TODAY + dt.timedelta(days=1)


def _world(loop: Loop) -> None:
    """Five cases in 第一网格 (尧化街道) with known outcomes, and one pending in 马群街道."""
    # 1: closed on time, solved, rated 满意
    c1, tok1 = reach(loop, Status.CLOSED)
    t.do_rate_case(actor=resident(tok1), case_id=c1.pk, rating="satisfied")
    # 2: closed, explained (not solved), rated 不满意 → rework (still open), counted as reworked
    c2, tok2 = reach(loop, Status.CLOSED)
    Case.objects.filter(pk=c2.pk).update(resolution="explained")
    t.do_rate_case(actor=resident(tok2), case_id=c2.pk, rating="unsatisfied")
    # 3: handled late: verifying, handled after the deadline, responded late
    c3, _tok3 = reach(loop, Status.VERIFYING)
    Case.objects.filter(pk=c3.pk).update(handled_on_time=False, responded_on_time=False)
    # 4: dispatched, not yet signed (no response yet)
    reach(loop, Status.DISPATCHED)
    # 5: rejected — not counted at all
    c5, _ = reach(loop, Status.PENDING)
    t.do_reject_case(actor=loop.actor("street"), case_id=c5.pk, reason="非本区事项")
    # elsewhere: one pending case in 马群街道
    loop.file(point=(118.87, 32.12))


def test_rates_follow_their_definitions(loop: Loop) -> None:
    _world(loop)
    start, end = _month()
    [row] = indicators.compute(Case.objects.all(), start=start, end=end, region=loop.tree.street.code)
    c = row.counts
    # four counted cases in the street (the rejected one is not work)
    assert c["total"] == 4
    # 响应率: responded on time / dispatched = cases 1, 2 of the four dispatched (3 was late, 4 unanswered)
    assert (c["dispatched"], c["responded_on_time"], row.response_rate) == (4, 2, 0.5)
    # 按期办结率: handled on time / handled = 2 of 3
    assert (c["handled"], c["handled_on_time"], row.on_time_rate) == (3, 2, round(2 / 3, 4))
    # 解决率: solved among closed = case 1 only (case 2 went back to rework)
    assert (c["closed"], c["solved"], row.solution_rate) == (1, 1, 1.0)
    # 满意率: (满意 + 基本满意) / rated = 1 of 2
    assert (c["rated"], c["satisfied"], row.satisfaction_rate) == (2, 1, 0.5)
    # 返工率: reworked among handled = 1 of 3
    assert row.rework_rate == round(1 / 3, 4)
    # score = 30×0.5 + 35×1.0 + 35×0.5 = 67.5
    assert row.score == 67.5


def test_weights_are_configurable_and_must_add_to_100(loop: Loop) -> None:
    _world(loop)
    do_update_loop_settings(actor=SYSTEM, weight_response=20, weight_solution=40, weight_satisfaction=40)
    start, end = _month()
    [row] = indicators.compute(Case.objects.all(), start=start, end=end, region=loop.tree.street.code)
    assert row.score == 20 * 0.5 + 40 * 1.0 + 40 * 0.5
    with pytest.raises(DomainError):
        do_update_loop_settings(actor=SYSTEM, weight_response=50)


def test_grouping_by_region_department_and_category(loop: Loop) -> None:
    _world(loop)
    start, end = _month()
    by_street = {
        r.key: r.counts["total"]
        for r in indicators.compute(
            Case.objects.all(), start=start, end=end, region=loop.tree.district.code, group="region"
        )
    }
    assert by_street == {loop.tree.street.code: 4, loop.tree.street2.code: 1}
    by_department = {
        r.key: r.counts["total"]
        for r in indicators.compute(Case.objects.all(), start=start, end=end, group="department")
    }
    assert by_department == {"栖霞区城管局": 4}
    by_class = {
        r.key: r.counts["total"] for r in indicators.compute(Case.objects.all(), start=start, end=end, group="category")
    }
    assert by_class == {"SJ03": 5}


def test_a_period_without_cases_has_no_rates(loop: Loop) -> None:
    [row] = indicators.compute(Case.objects.all(), start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 31))
    assert row.counts["total"] == 0
    assert row.response_rate is None and row.score is None
