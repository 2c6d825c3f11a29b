"""Dashboard benchmark: GET /v1/dashboard and its CSV at 1,000, 10,000, 100,000 and
1,000,000 cases on SQLite, from the counts and overdue rows each case change keeps, beside
a baseline in the same run (`SELECT count(*) FROM cases`) and the full read the view made
before (every case read, its deadlines worked out), timed where it stays bounded.

Seeding: twelve template cases are written through the Store API as the case engine
writes them (an MG14 commit opening the case, a change moving it, the wanted deadlines
with each), covering the conditions, open and closed outcomes, a case overdue and one
with only a reminder past; then the store is grown in bulk by SQL, each clone a copy of
a template with its own case ref (cases, record heads, overdue rows) and the counters
recomputed from the cases. At 10,000 the kept view is checked equal to the full recount,
so the bulk seed is what the change path would have written. The same 500 cases are
overdue at every size, so the curve shows the cost of the number of cases; a last run
adds cases until the overdue list is at its cap (10,000 items), the most the view reads.

Run: .venv/bin/python -m bench.dashboard
"""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "api"))  # chalicelib, as the app and the tests import it

from chalicelib import dashboard_views  # noqa: E402
from chalicelib.catalogue import Catalogue  # noqa: E402
from chalicelib.clock import FixedClock  # noqa: E402
from chalicelib.context import Context  # noqa: E402
from chalicelib.domain.access import AccessPolicy, Principal  # noqa: E402
from chalicelib.domain.deadlines import wanted_deadlines  # noqa: E402
from chalicelib.store.base import (  # noqa: E402
    AuditEntry,
    CaseChange,
    CaseState,
    OutboxEvent,
    RecordVersion,
)
from chalicelib.store.sqlite import SQLiteStore  # noqa: E402

from tests.api_harness import write_generated  # noqa: E402
from tests.examples import example_data, example_moment  # noqa: E402

SIZES = (1_000, 10_000, 100_000, 1_000_000)
CHECKED_AT = 10_000          # the kept view checked against the full recount
FULL_READ_UPTO = 100_000     # the old full read timed up to this size (22 s at 1M)
OVERDUE = 500                # cases overdue at every size
GOAL_MS = 200.0              # at 1,000,000 cases
SAME_COST = 1.5              # the 1,000,000 figure at most this times the 1,000 one
RUNS = 15
ADMIN = Principal("dat_admin_1", "dat_admin", "northshire_dat")
PROCESS = "dip_conditional_caution"
#: (state, closed, condition, {date fact: days from today}): the templates; the first is
#: the overdue one (first contact 10 days late), cloned only for the first OVERDUE cases.
TEMPLATES = (
    ("administered", False, "one_session", {"contact_by_date": -10, "comply_by_date": 40}),
    ("in_programme", False, "one_session", {"comply_by_date": 3}),   # a reminder past only
    ("in_programme", False, "three_session", {"comply_by_date": 50}),
    ("considered", False, "two_session", {"offence_date": -20}),
    ("with_cps", False, None, {}),
    ("closed_complied", True, "one_session", {}),
    ("closed_complied", True, "three_session", {}),
    ("failure_response", True, "two_session", {}),
    ("declined", True, "one_session", {}),
    ("exit", True, None, {}),
    ("alternative_disposal", True, "not_a_code", {}),
    ("retired_state", True, "one_session", {}),   # closed in a state the process dropped
)


def context(folder: Path) -> Context:
    catalogue = Catalogue(write_generated(folder / "generated"))
    catalogue.warm()
    return Context(store=SQLiteStore(folder / "dashboard.sqlite3"), catalogue=catalogue,
                   policy=AccessPolicy.from_protocol(catalogue.protocol,
                                                     form_ids=tuple(catalogue.forms)),
                   base_url="http://127.0.0.1:8000", clock=FixedClock(example_moment()))


def write_templates(ctx: Context) -> None:
    """Each template opened (considered) and moved to its state, as the engine commits."""
    process, today = ctx.catalogue.case_process, ctx.today()
    data = example_data("mg14")
    for index, (state, closed, condition, dates) in enumerate(TEMPLATES):
        ref, at = f"MG14-T{index:09d}", ctx.timestamp()
        facts = {name: (today + datetime.timedelta(days=days)).isoformat()
                 for name, days in dates.items()}
        if condition is not None:
            facts["condition_type"] = condition
        opened = CaseState(ref, PROCESS, "considered", 1, at, at, facts)
        audit = AuditEntry(at, "pc_jones", "police", "northshire_police", "submit", ref)
        ctx.store.commit(RecordVersion(ref, 1, "mg14", "1.0", data, at, "pc_jones",
                                       "northshire_police"), audit, [],
                         case_change=CaseChange(opened, deadlines=wanted_deadlines(
                             process.deadlines, opened, ctx.catalogue.settings),
                             record_ids=[ref]))
        moved = CaseState(ref, PROCESS, state, 2, at, at, facts, closed)
        events = []
        if index in (5, 7):   # two dead letters, as the dispatcher leaves them
            events = [OutboxEvent(f"ev-bench-{index}", ref, "N12", "mg14", "file",
                                  {"agency": "northshire_police"}, {"reference": ref}, at,
                                  next_attempt_at="9999-12-31T00:00:00.000000Z")]
        ctx.store.change_case(CaseChange(moved, deadlines=wanted_deadlines(
            process.deadlines, moved, ctx.catalogue.settings)),
            AuditEntry(at, "pc_jones", "police", "northshire_police", "case_step", ref),
            events)
        for event in events:
            ctx.store.mark_failed(event.event_id, "DeliveryFailed: bench", None)


def grow(path: Path, start: int, end: int, *, overdue_upto: int = OVERDUE) -> None:
    """Clones start..end-1 in bulk (clone i < overdue_upto copies the overdue template,
    the others the rest in turn), then the counters recomputed from the cases."""
    others = len(TEMPLATES) - 1
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("BEGIN IMMEDIATE")
        numbers = ("WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n "
                   "WHERE i + 1 < ?), c(i, ref, tpl) AS (SELECT i, printf('MG14-D%09d', i), "
                   "printf('MG14-T%09d', CASE WHEN i < ? THEN 0 ELSE 1 + i % ? END) FROM n) ")
        span = (start, end, overdue_upto, others)
        db.execute(numbers + "INSERT INTO record_heads SELECT c.ref, h.form_id, "
                   "h.latest_version, h.first_created_at FROM c JOIN record_heads h "
                   "ON h.record_id = c.tpl", span)
        db.execute(numbers + "INSERT INTO cases SELECT c.ref, t.process, t.state, t.version, "
                   "t.opened_at, t.updated_at, t.facts, t.closed FROM c JOIN cases t "
                   "ON t.case_ref = c.tpl", span)
        db.execute(numbers + "INSERT INTO dashboard_due SELECT c.ref, d.reason, d.due_on, "
                   "d.event FROM c JOIN dashboard_due d ON d.case_ref = c.tpl", span)
        db.execute("DELETE FROM dashboard_counts")
        db.execute("INSERT INTO dashboard_counts SELECT CASE WHEN json_type(facts, "
                   "'$.condition_type') = 'text' AND length(json_extract(facts, "
                   "'$.condition_type')) <= 64 THEN json_extract(facts, '$.condition_type') "
                   "ELSE '' END AS condition, state, closed, count(*) FROM cases "
                   "GROUP BY 1, 2, 3")
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def timed(run: Callable[[], object], runs: int = RUNS) -> list[float]:
    """Milliseconds per call, after two unmeasured ones."""
    for _ in range(2):
        run()
    found = []
    for _ in range(runs):
        begun = time.perf_counter()
        run()
        found.append((time.perf_counter() - begun) * 1000)
    return found


def dashboard_json(ctx: Context) -> str:
    """GET /v1/dashboard's use case (audited, as the route calls it) and its JSON body."""
    result = dashboard_views.read(ctx, ADMIN)
    return json.dumps({"ok": True, **result.value})


def dashboard_csv(ctx: Context) -> str:
    return dashboard_views.export(ctx, ADMIN, "overdue").value.text


def count_cases(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT count(*) FROM cases").fetchone()[0]


def report(label: str, values: list[float]) -> float:
    median = statistics.median(values)
    print(f"  {label:<52} median {median:8.2f} ms, max {max(values):8.2f} ms")
    return median


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ctx = context(Path(folder))
        path = ctx.store.path
        write_templates(ctx)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; SQLite "
              f"{sqlite3.sqlite_version}; median of {RUNS}")
        medians, have = {}, 0
        for size in SIZES:
            begun = time.perf_counter()
            grow(path, have, size - len(TEMPLATES))   # with the templates, `size` cases
            have = size - len(TEMPLATES)
            cases = count_cases(path)
            view = dashboard_views.summary(ctx)
            print(f"{cases:,} cases ({view['overdue']['count']:,} overdue, "
                  f"{view['dead_letters']['count']} dead letters), seeded in "
                  f"{time.perf_counter() - begun:.1f} s")
            assert view["totals"]["cases"] == cases, view["totals"]
            if size == CHECKED_AT:
                assert view == dashboard_views.recounted(ctx), "kept view != full recount"
                print("  checked: the kept view equals the full recount (JSON)")
            medians[size] = report("GET /v1/dashboard (use case, audited, JSON)",
                                   timed(lambda: dashboard_json(ctx)))
            report("GET /v1/dashboard.csv?table=overdue", timed(lambda: dashboard_csv(ctx)))
            report("store reads alone (counts + overdue rows)", timed(lambda: (
                ctx.store.case_counts(), ctx.store.overdue(
                    dashboard_views.overdue_reasons(ctx), ctx.today().isoformat(),
                    dashboard_views.LIST_LIMIT))))
            report("baseline: SELECT count(*) FROM cases", timed(lambda: count_cases(path)))
            if size <= FULL_READ_UPTO:
                report("before: the full read (every case, recounted)",
                       timed(lambda: dashboard_views.recounted(ctx),
                             RUNS if size <= CHECKED_AT else 3))
        begun = time.perf_counter()
        cap = dashboard_views.LIST_LIMIT
        grow(path, have, have + cap - OVERDUE, overdue_upto=have + cap)
        view = dashboard_views.summary(ctx)
        print(f"{count_cases(path):,} cases ({view['overdue']['count']:,} overdue: the list "
              f"at its cap, truncated={view['overdue']['truncated']}), seeded in "
              f"{time.perf_counter() - begun:.1f} s")
        capped = report("GET /v1/dashboard (use case, audited, JSON)",
                        timed(lambda: dashboard_json(ctx)))
        report("GET /v1/dashboard.csv?table=overdue", timed(lambda: dashboard_csv(ctx)))
        top, small = medians[SIZES[-1]], medians[SIZES[0]]
        print("goals:")
        print(f"  dashboard at {SIZES[-1]:,} cases under {GOAL_MS:.0f} ms: {top:.2f} ms, "
              f"{'met' if top < GOAL_MS else 'MISSED'}")
        print(f"  with the overdue list at its cap ({cap:,}) under {GOAL_MS:.0f} ms: "
              f"{capped:.2f} ms, {'met' if capped < GOAL_MS else 'MISSED'}")
        ratio = top / small
        print(f"  the same cost at {SIZES[0]:,} and {SIZES[-1]:,} cases (at most "
              f"{SAME_COST}x): {ratio:.2f}x, {'met' if ratio <= SAME_COST else 'MISSED'}")


if __name__ == "__main__":
    main()
