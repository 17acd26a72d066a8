"""Batch assignment of needs to volunteers under capacities: the exact optimum and the greedy baseline.

`optimal_assignment` solves a min-cost flow with OR-Tools (`SimpleMinCostFlow`, cost scaling, exact on
integers):

    source ─(cap 1)─▶ need ─(cap 1, cost −score)─▶ volunteer ─(cap capacity)─▶ sink

Two objectives (docs/matching.md):

- "score": the largest total score. A bypass arc source → sink (cost 0) lets needs stay unassigned, so
  the flow only routes through a need when that raises the total.
- "coverage": as many needs served as possible, then the largest total score among those
  (`solve_max_flow_with_min_cost`). What a campaign wants: a resident left out is worse than a match
  a few points lower. `ranking.batch_assign` uses it by default.

`greedy_assignment` is the baseline a person would write: edges by score, best first (or needs in
order, each taking its best volunteer with capacity left).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

from gongzhi.services.matching.candidates import Edges

IntArray = npt.NDArray[np.int64]
Objective = Literal["score", "coverage"]


@dataclass(frozen=True)
class Assignment:
    need: IntArray  # assigned pairs, sorted by need
    vol: IntArray
    score: IntArray

    @property
    def total(self) -> int:
        return int(self.score.sum())

    @property
    def assigned(self) -> int:
        return int(self.need.size)


def _pairs(need: IntArray, vol: IntArray, score: IntArray) -> Assignment:
    order = np.argsort(need, kind="stable")
    return Assignment(need[order], vol[order], score[order])


def _usable(capacities: IntArray, edges: Edges) -> npt.NDArray[np.bool_]:
    return capacities[edges.vol] > 0


def optimal_assignment(n_needs: int, capacities: IntArray, edges: Edges, objective: Objective = "score") -> Assignment:
    """The assignment maximising the objective: each need at most once, volunteer v at most capacities[v]."""
    capacities = np.asarray(capacities, dtype=np.int64)
    keep = _usable(capacities, edges)
    need, vol, score = edges.need[keep], edges.vol[keep], edges.score[keep]
    if need.size == 0:
        return _pairs(need, vol, score)
    # Compact node numbering: only needs and volunteers that have an edge.
    needs_used, need_node = np.unique(need, return_inverse=True)
    vols_used, vol_node = np.unique(vol, return_inverse=True)
    n, m = needs_used.size, vols_used.size
    source, sink = 0, n + m + 1
    tails = np.concatenate([np.zeros(n, dtype=np.int64), 1 + need_node, 1 + n + np.arange(m)])
    heads = np.concatenate([1 + np.arange(n), 1 + n + vol_node, np.full(m, sink)])
    caps = np.concatenate([np.ones(n + need.size, dtype=np.int64), capacities[vols_used]])
    costs = np.concatenate([np.zeros(n, dtype=np.int64), -score, np.zeros(m, dtype=np.int64)])
    if objective == "score":
        tails, heads = np.r_[tails, source], np.r_[heads, sink]
        caps, costs = np.r_[caps, n], np.r_[costs, 0]

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n, -n]))
    status = flow.solve() if objective == "score" else flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    used = flow.flows(arcs[n : n + need.size]) > 0
    return _pairs(need[used], vol[used], score[used])


def greedy_assignment(
    n_needs: int, capacities: IntArray, edges: Edges, order: Literal["score", "need"] = "score"
) -> Assignment:
    """order="score": all edges best first (ties: lower need, lower volunteer), take when both are free.
    order="need": needs in index order, each taking its best candidate with capacity left."""
    left = np.asarray(capacities, dtype=np.int64).copy()
    keep = _usable(left, edges)
    need, vol, score = edges.need[keep], edges.vol[keep], edges.score[keep]
    keys = (vol, need, -score) if order == "score" else (vol, -score, need)
    sequence = np.lexsort(keys)
    done = np.zeros(n_needs, dtype=np.bool_).tolist()
    remaining = left.tolist()
    taken: list[int] = []
    for e, n, v in zip(sequence.tolist(), need[sequence].tolist(), vol[sequence].tolist(), strict=True):
        if not done[n] and remaining[v] > 0:
            done[n] = True
            remaining[v] -= 1
            taken.append(e)
    chosen = np.array(taken, dtype=np.int64)
    return _pairs(need[chosen], vol[chosen], score[chosen])


def check_feasible(n_needs: int, capacities: IntArray, edges: Edges, assignment: Assignment) -> None:
    """Raise AssertionError unless every pair is a candidate edge with its score, needs appear at most once
    and no volunteer exceeds capacity."""
    capacities = np.asarray(capacities, dtype=np.int64)
    if np.unique(assignment.need).size != assignment.need.size:
        raise AssertionError("a need is assigned twice")
    load = np.bincount(assignment.vol, minlength=capacities.size)
    if (load > capacities).any():
        raise AssertionError("a volunteer is over capacity")
    known = dict(zip(zip(edges.need.tolist(), edges.vol.tolist(), strict=True), edges.score.tolist(), strict=True))
    for n, v, s in zip(assignment.need.tolist(), assignment.vol.tolist(), assignment.score.tolist(), strict=True):
        if known.get((n, v)) != s:
            raise AssertionError(f"pair ({n}, {v}) is not a candidate edge with score {s}")
