"""bench/sweep.py at a small size, so its code cannot rot: the seeded copies read back through
the Store like the case written through it, and the sweeps report the counts they should
(not timings)."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing

from chalicelib.catalogue import Catalogue
from chalicelib.store.sqlite import SQLiteStore

from bench import sweep as bench
from tests.api_harness import write_generated


def test_seeded_copies_read_back_like_the_template(tmp_path):
    path = bench.seed(tmp_path / "seeded.sqlite3", 30, 2, 5)
    store = SQLiteStore(path)
    template = store.get_case(bench.TEMPLATE)
    assert template.state == "in_programme" and template.version == len(bench.WALK) + 1
    for index in (0, 1, 4, 29):
        ref = bench.case_ref(index)
        assert store.get_case(ref) == dataclasses.replace(template, case_ref=ref)
        assert store.case_records(ref) == [ref] and store.case_of_record(ref) == ref
        assert store.get_version(ref).data == store.get_version(bench.TEMPLATE).data
        assert [e.ref for e in store.case_entries(ref)] == [ref] + [w[0] for w in bench.WALK]
        assert {d.reason: d.status for d in store.case_deadlines(ref)} == {
            "contact_by_passed": "cleared", "comply_by_approaching": "pending",
            "comply_by_passed": "pending", "compliance_report_due": "pending"}
        assert len(store.list_audit(ref)) == len(bench.WALK) + 1
    assert store.get_case(bench.case_ref(30)) is None
    due = store.due_deadlines(bench.FIRST_DAY.isoformat(), 100)
    assert [(d.case_ref, d.reason) for d in due] == [(bench.case_ref(0), bench.DUE_REASON),
                                                     (bench.case_ref(1), bench.DUE_REASON)]
    store.close()
    with closing(sqlite3.connect(path)) as connection:
        for table in bench.TABLES:
            total = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert total % 30 == 0 and total >= 30, table


def test_the_bench_reports_the_counts_it_should_at_a_small_size(tmp_path):
    catalogue = Catalogue(write_generated(tmp_path / "generated"))
    rows, counted = bench.run(tmp_path, open_cases=2000, few=10, many=60, small_set=200,
                              runs=1, catalogue=catalogue)
    assert counted > 0
    engine = bench.engine_sweep(catalogue)  # None until the case engine routes case events
    assert [r.label for r in rows] == ["run_sweep"] * 3 * (engine is not None) + [
        "store floor"] * 3
    for i in range(0, len(rows), 3):
        assert [(r.open_cases, r.due, r.fired) for r in rows[i:i + 3]] == [
            (2000, 10, 10), (2000, 60, 60), (200, 10, 10)]
        assert all(len(r.seconds) == 1 and r.median > 0 for r in rows[i:i + 3])
    assert [r.events for r in rows[-3:]] == [10, 60, 10]  # the floor: one event a deadline
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite3") == [
        "seeded-small.sqlite3", "seeded.sqlite3"]  # each run's copy was removed
