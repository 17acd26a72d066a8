"""Batch matching: the exact min-cost-flow optimum against greedy, on the same candidates.

    gongzhi bench matching [--needs 10000] [--volunteers 50000] [--seed 1]
    python -m bench.matching  [same options]                # no Django needed

A seeded synthetic campaign over the demo district (`gongzhi.services.matching.data.synthetic`):
candidates (top 30 per need within 3 km, `candidates.generate`), then `solve.optimal_assignment`
(objective "score": largest total score) and `solve.greedy_assignment` (edges best first) on the same
edges. Both are checked for feasibility. Prints one JSON line: needs, volunteers, optimal_total,
greedy_total, improvement (optimal_total / greedy_total − 1), optimal_s (candidates + solve, wall
seconds; optimal_cpu_s the same in CPU seconds), candidates_s, solve_s, greedy_s (on the same
candidates, without generating them), assigned counts, and the greedy that takes needs in order.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from gongzhi.services.matching import candidates, data, solve

T = TypeVar("T")

DESCRIPTION = "Batch matching: min-cost-flow optimum against greedy on the same candidates."


def run(
    needs: int = 10_000,
    volunteers: int = 50_000,
    seed: int = 1,
    k: int = candidates.DEFAULT_K,
    log: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    log(f"generating {needs:,} needs × {volunteers:,} volunteers (seed {seed})…")
    problem = data.synthetic(needs, volunteers, seed)
    capacities = problem.vol_capacity

    cpu: list[float] = []  # the machine is shared: CPU seconds say what the work costs, wall what it took
    edges, candidates_s = _timed(lambda: candidates.generate(problem, k=k), cpu)
    log(f"{len(edges):,} candidate edges in {candidates_s:.2f} s; solving…")
    optimal, solve_s = _timed(lambda: solve.optimal_assignment(problem.n_needs, capacities, edges), cpu)
    greedy, greedy_s = _timed(lambda: solve.greedy_assignment(problem.n_needs, capacities, edges))
    in_order = solve.greedy_assignment(problem.n_needs, capacities, edges, order="need")
    for assignment in (optimal, greedy, in_order):
        solve.check_feasible(problem.n_needs, capacities, edges, assignment)
    log(f"optimal {optimal.total:,} in {solve_s:.2f} s, greedy {greedy.total:,} in {greedy_s:.2f} s")
    return {
        "needs": needs,
        "volunteers": volunteers,
        "optimal_total": optimal.total,
        "greedy_total": greedy.total,
        "improvement": round(optimal.total / greedy.total - 1, 6) if greedy.total else None,
        "difference": optimal.total - greedy.total,
        "strictly_better": optimal.total > greedy.total,
        "optimal_s": round(candidates_s + solve_s, 3),
        "optimal_cpu_s": round(sum(cpu), 3),
        "candidates_s": round(candidates_s, 3),
        "solve_s": round(solve_s, 3),
        "greedy_s": round(greedy_s, 3),
        "edges": len(edges),
        "optimal_assigned": optimal.assigned,
        "greedy_assigned": greedy.assigned,
        "greedy_in_order_total": in_order.total,
        "seed": seed,
    }


def _timed(fn: Callable[[], T], cpu: list[float] | None = None) -> tuple[T, float]:
    """The result and the wall seconds; the CPU seconds of this process are appended to `cpu`."""
    started, started_cpu = time.perf_counter(), time.process_time()
    result = fn()
    if cpu is not None:
        cpu.append(time.process_time() - started_cpu)
    return result, time.perf_counter() - started


def run_from_cli(options: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """Entry point of `gongzhi bench matching`."""
    return run(needs=options["needs"], volunteers=options["volunteers"], seed=options["seed"], log=log)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=DESCRIPTION)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--volunteers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = run(args.needs, args.volunteers, args.seed, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
