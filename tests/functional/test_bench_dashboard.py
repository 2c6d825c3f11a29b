"""bench/dashboard.py on small sizes, so the benchmark cannot rot: it seeds, checks the
kept view against the full recount, and prints every figure with its goal."""

from __future__ import annotations

import bench.dashboard as bench


def test_the_dashboard_bench_prints_each_figure_and_goal(monkeypatch, capsys):
    monkeypatch.setattr(bench, "SIZES", (1_000, 10_000))
    monkeypatch.setattr(bench, "RUNS", 1)
    bench.main()
    out = capsys.readouterr().out
    assert "1,000 cases (501 overdue, 2 dead letters)" in out
    assert "10,000 cases (501 overdue" in out
    assert "checked: the kept view equals the full recount" in out
    assert "list at its cap, truncated=True" in out
    assert out.count("baseline: SELECT count(*) FROM cases") == 2
    goals = out.split("goals:")[1].strip().splitlines()
    assert len(goals) == 3
    assert all(line.rstrip().endswith(("met", "MISSED")) for line in goals)
