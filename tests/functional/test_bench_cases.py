"""bench/cases.py at a small size, so its code cannot rot: the cases it opens are listed
newest first and one is found by its surname (figures() checks what each timed call
finds; timings are not checked)."""

from __future__ import annotations

from chalicelib import casefind

from bench import cases as bench


def test_the_case_list_bench_runs_and_finds_what_it_should(tmp_path):
    ctx = bench.seed(tmp_path, 60)
    first = casefind.list_cases(ctx, bench.POLICE, {}).value
    assert first["cases"][0]["person"]["name"].endswith(bench.surname(59))
    timings = bench.figures(ctx, 60, runs=1)
    assert len(timings) == 5 and all(len(v) == 1 for v in timings.values())
    assert len({bench.surname(i) for i in range(10_000)}) == 10_000
