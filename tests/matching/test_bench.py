"""`gongzhi bench matching` at a small size: one JSON line, both assignments feasible, the optimum ahead."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from bench import matching
from gongzhi.core.management.commands.bench import BENCHMARKS

KEYS = {"needs", "volunteers", "optimal_total", "greedy_total", "improvement", "optimal_s", "greedy_s"}


def test_the_benchmark_is_registered_and_prints_one_json_line() -> None:
    out, err = StringIO(), StringIO()

    call_command("bench", "matching", "--needs", "300", "--volunteers", "1500", "--seed", "2", stdout=out, stderr=err)

    lines = out.getvalue().strip().splitlines()
    assert BENCHMARKS["matching"] == "bench.matching" and len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) >= KEYS and (result["needs"], result["volunteers"], result["seed"]) == (300, 1500, 2)
    assert "candidate edges" in err.getvalue()


def test_the_optimum_is_strictly_better_than_greedy_on_the_seeded_data() -> None:
    result = matching.run(needs=1000, volunteers=5000, seed=1)

    assert result["optimal_total"] > max(result["greedy_total"], result["greedy_in_order_total"]) > 0
    assert result["strictly_better"] and result["improvement"] > 0
    assert result["difference"] == result["optimal_total"] - result["greedy_total"]
    assert result["optimal_s"] >= result["candidates_s"] and result["edges"] <= 1000 * 30
