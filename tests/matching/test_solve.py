"""The batch solver: optimal against brute force, capacities respected, greedy never better, and where it is worse."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from gongzhi.services.matching.candidates import Edges
from gongzhi.services.matching.solve import check_feasible, greedy_assignment, optimal_assignment


def edges_of(triples: list[tuple[int, int, int]]) -> Edges:
    need, vol, score = (np.array(column, dtype=np.int64) for column in zip(*triples, strict=True))
    return Edges(need, vol, score)


def random_instance(seed: int) -> tuple[int, np.ndarray, Edges]:
    rng = np.random.default_rng(seed)
    n_needs, n_vols = int(rng.integers(2, 9)), int(rng.integers(1, 6))
    capacities = rng.integers(0, 3, n_vols)
    present = rng.random((n_needs, n_vols)) < 0.5
    triples = [(i, j, int(rng.integers(200, 1001))) for i in range(n_needs) for j in range(n_vols) if present[i, j]]
    return n_needs, capacities, edges_of(triples) if triples else Edges.empty()


def brute_force(n_needs: int, capacities: np.ndarray, edges: Edges, bonus: int = 0) -> tuple[int, int]:
    """(assigned, total score) of the best assignment: each volunteer copied `capacity` times, a need on a
    copy worth score + bonus, a non-edge worth 0 (= unassigned). bonus > every total makes it count first."""
    slots = [v for v, c in enumerate(capacities.tolist()) for _ in range(c)]
    if not slots or len(edges) == 0:
        return 0, 0
    scores = dict(zip(zip(edges.need.tolist(), edges.vol.tolist(), strict=True), edges.score.tolist(), strict=True))
    weight = np.zeros((n_needs, len(slots)), dtype=np.int64)
    for i in range(n_needs):
        for s, v in enumerate(slots):
            if (i, v) in scores:
                weight[i, s] = scores[i, v] + bonus
    rows, cols = linear_sum_assignment(weight, maximize=True)
    chosen = [(i, slots[s]) for i, s in zip(rows.tolist(), cols.tolist(), strict=True) if weight[i, s] > 0]
    return len(chosen), sum(scores[pair] for pair in chosen)


@pytest.mark.parametrize("seed", range(60))
def test_the_optimum_matches_brute_force_and_greedy_never_beats_it(seed: int) -> None:
    n_needs, capacities, edges = random_instance(seed)

    optimal = optimal_assignment(n_needs, capacities, edges)
    coverage = optimal_assignment(n_needs, capacities, edges, objective="coverage")
    greedy = greedy_assignment(n_needs, capacities, edges)
    in_order = greedy_assignment(n_needs, capacities, edges, order="need")

    for assignment in (optimal, coverage, greedy, in_order):
        check_feasible(n_needs, capacities, edges, assignment)
    assert optimal.total == brute_force(n_needs, capacities, edges)[1]
    assert (coverage.assigned, coverage.total) == brute_force(n_needs, capacities, edges, bonus=10**6)
    assert greedy.total <= optimal.total and in_order.total <= optimal.total
    assert coverage.assigned >= max(optimal.assigned, greedy.assigned)


def test_capacities_are_respected_and_a_volunteer_without_capacity_gets_nothing() -> None:
    # five needs all best served by volunteer 0 (capacity 2); volunteer 1 has none left this month
    triples = [(i, 0, 900) for i in range(5)] + [(i, 1, 990) for i in range(5)] + [(i, 2, 300) for i in range(5)]
    capacities = np.array([2, 0, 1])

    optimal = optimal_assignment(5, capacities, edges_of(triples))

    assert np.bincount(optimal.vol, minlength=3).tolist() == [2, 0, 1]
    assert optimal.total == 2 * 900 + 300 and optimal.assigned == 3


def test_greedy_is_strictly_worse_when_the_best_pair_blocks_two_good_ones() -> None:
    # need 0 likes A (1000) and B (900); need 1 can only have A (950). Greedy takes 0–A first and leaves
    # need 1 unserved; the optimum gives A to need 1 and B to need 0.
    a, b = 0, 1
    edges = edges_of([(0, a, 1000), (0, b, 900), (1, a, 950)])
    capacities = np.array([1, 1])

    greedy = greedy_assignment(2, capacities, edges)
    optimal = optimal_assignment(2, capacities, edges)

    assert (greedy.total, greedy.assigned) == (1000, 1)
    assert (optimal.total, optimal.assigned) == (1850, 2)
    assert list(zip(optimal.need.tolist(), optimal.vol.tolist(), strict=True)) == [(0, b), (1, a)]


def test_coverage_serves_more_needs_where_the_total_score_would_leave_one_out() -> None:
    # need 0: A (1000) or B (300); need 1: only A (300). Most score: 0–A alone (1000). Most served: 0–B, 1–A.
    edges = edges_of([(0, 0, 1000), (0, 1, 300), (1, 0, 300)])
    capacities = np.array([1, 1])

    by_score = optimal_assignment(2, capacities, edges, objective="score")
    by_coverage = optimal_assignment(2, capacities, edges, objective="coverage")

    assert (by_score.assigned, by_score.total) == (1, 1000)
    assert (by_coverage.assigned, by_coverage.total) == (2, 600)


def test_no_edges_and_a_bad_assignment_are_handled() -> None:
    empty = optimal_assignment(3, np.array([1]), Edges.empty())
    assert empty.assigned == 0 and empty.total == 0

    edges = edges_of([(0, 0, 500), (1, 0, 400)])
    twice = optimal_assignment(2, np.array([2]), edges)
    with pytest.raises(AssertionError, match="over capacity"):
        check_feasible(2, np.array([1]), edges, twice)
