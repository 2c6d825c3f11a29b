"""Sweep benchmark: the deadline sweep over 100,000 open cases on SQLite, with 100 deadlines
due and with 10,000 due, beside a baseline in the same process (counting the open cases).

The seeded file holds rows the real code writes: one case is written through the Store API
(the MG14, its case opened and moved twice, three deadlines, the record attached) and its
rows are copied for every other case, with only the ids and the due dates changed. Each
timed run sweeps a fresh copy of that file, so every deadline is pending again.

Two sweeps are timed: `run_sweep` (chalicelib.sweep: the case engine, routing each event
by the protocol) and its storage floor (`due_deadlines` + `fire_deadlines` with one event
made here per deadline). run_sweep is timed when the case engine can route events.

Run: .venv/bin/python -m bench.sweep
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "api"))  # chalicelib, as the app and the tests import it

from chalicelib.store.base import (  # noqa: E402
    AuditEntry,
    CaseChange,
    CaseEntry,
    CaseState,
    Deadline,
    FiredDeadline,
    OutboxEvent,
    RecordVersion,
)
from chalicelib.store.sqlite import SQLiteStore  # noqa: E402

from tests.examples import load_examples  # noqa: E402

OPEN_CASES, FEW, MANY, SMALL_SET = 100_000, 100, 10_000, 10_000
RUNS = 3
BATCH = 500
TEMPLATE = "MG14-0000000000"   # the case written through the Store API; clones replace it
PROCESS = "dip_conditional_caution"
DUE_REASON = "comply_by_passed"
REASONS = {"contact_by_passed": "N10", "comply_by_approaching": "N10", DUE_REASON: "N11",
           "compliance_report_due": "N10"}
WALK = (  # forms/process.yaml's path from considered to in_programme, and what each wants
    ("arrange_ra", "considered", "ra_arranged", ()),
    ("ra_attended", "ra_arranged", "assessed", ()),
    ("feedback_with_consent", "assessed", "with_cps", ()),
    ("cps_authorises", "with_cps", "offered", ()),
    ("caution_administered", "offered", "administered", tuple(REASONS)),
    ("first_contact", "administered", "in_programme", tuple(REASONS)[1:]),
)
FIRST_DAY = datetime.date(2027, 3, 1)  # FEW deadlines due by this day, MANY by the next
LATER = (FIRST_DAY + datetime.timedelta(days=400)).isoformat()  # the other deadlines
SEQ_COLUMNS = {"audit": "seq", "case_entries": "seq"}  # autoincrement: left to SQLite
TABLES = {"record_heads": "record_id", "records": "record_id", "cases": "case_ref",
          "case_records": "case_ref", "case_entries": "case_ref", "deadlines": "case_ref",
          "audit": "target"}  # each table, and the column naming the template's case


def stamp(day: datetime.date, hour: int = 12) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00.000000Z"


# -- the template: one case written by the Store API -------------------------------------------
def write_template(store: SQLiteStore) -> None:
    """An MG14 opens the case (one commit); six transitions, each with its audit entry and
    timeline entry, move it to in_programme, setting the deadlines each state wants (the
    contact-by one is cleared by first contact), as the case engine writes them."""
    data = next(e.data for e in load_examples("mg14") if e.name == "valid/full")
    day = datetime.date(2026, 11, 20)
    opened, user, role, agency = stamp(day), "pc_jones", "police", "northshire_police"
    facts = {"condition_type": "three_session", "offence_class": "either_way",
             "offence_date": "2026-11-18", "comply_by_date": "2027-03-31",
             "contact_by_date": "2026-11-27", "followup_ra_at": "2026-11-26T10:00",
             "consent_police_cps": "given"}
    record = RecordVersion(TEMPLATE, 1, "mg14", "2.0", data, opened, user, agency)
    case = CaseState(TEMPLATE, PROCESS, "considered", 1, opened, opened, facts)
    store.commit(record, AuditEntry(opened, user, role, agency, "submit", TEMPLATE), [],
                 case_change=CaseChange(case, [CaseEntry(
                     TEMPLATE, opened, "opened", TEMPLATE, user, agency,
                     {"form": "mg14", "state": "considered"})], [], [TEMPLATE]))
    for number, (step, before, after, reasons) in enumerate(WALK, start=2):
        at = stamp(day + datetime.timedelta(days=number))
        case = CaseState(TEMPLATE, PROCESS, after, number, opened, at, facts)
        wanted = [Deadline(TEMPLATE, reason, "2027-03-31", REASONS[reason])
                  for reason in reasons]
        store.change_case(
            CaseChange(case, [CaseEntry(TEMPLATE, at, "transition", step, user, agency,
                                        {"from": before, "to": after})], wanted),
            AuditEntry(at, user, role, agency, "transition", TEMPLATE), [])


# -- seeding: the template's rows, copied ------------------------------------------------------
def due_on(index: int, few: int, many: int) -> str:
    """The due date of case `index`'s DUE_REASON deadline: FIRST_DAY for the first `few`,
    the day after for the next up to `many`, weeks later for the rest."""
    if index < few:
        return FIRST_DAY.isoformat()
    if index < many:
        return (FIRST_DAY + datetime.timedelta(days=1)).isoformat()
    return (FIRST_DAY + datetime.timedelta(days=30 + index % 300)).isoformat()


def case_ref(index: int) -> str:
    return f"MG14-{index:010d}"


def seed(path: Path, open_cases: int, few: int, many: int) -> Path:
    """A store file at `path` holding `open_cases` copies of the template case."""
    store = SQLiteStore(path)
    write_template(store)
    store.close()
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("PRAGMA synchronous = OFF")  # seeding only: a crash loses a bench
        connection.execute("BEGIN IMMEDIATE")
        for table, ref_column in TABLES.items():
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")
                       if row[1] != SEQ_COLUMNS.get(table)]
            rows = connection.execute(f"SELECT {', '.join(columns)} FROM {table} "
                                      f"WHERE {ref_column} = ?", (TEMPLATE,)).fetchall()
            assert rows, f"the template wrote no {table} row"
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                _copies(columns, rows, open_cases, few, many))
        connection.execute(  # the template is case 0: its due dates as the copies' are
            "UPDATE deadlines SET due_on = iif(reason = ?, ?, ?) WHERE case_ref = ? AND "
            "status = 'pending'", (DUE_REASON, due_on(0, few, many), LATER, TEMPLATE))
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _copies(columns: list[str], rows: list[tuple], open_cases: int, few: int,
            many: int) -> Iterator[tuple]:
    """The template's rows for cases 1..open_cases-1: the case ref replaced in every text
    value; deadlines get their due date (DUE_REASON: due_on(); the others: far ahead)."""
    is_deadline = "due_on" in columns and "reason" in columns
    reason_at = columns.index("reason") if is_deadline else -1
    due_at = columns.index("due_on") if is_deadline else -1
    status_at = columns.index("status") if is_deadline else -1
    for index in range(1, open_cases):
        ref = case_ref(index)
        for row in rows:
            copy = [v.replace(TEMPLATE, ref) if isinstance(v, str) else v for v in row]
            if is_deadline and copy[status_at] == "pending":
                copy[due_at] = (due_on(index, few, many) if copy[reason_at] == DUE_REASON
                                else LATER)
            yield tuple(copy)


# -- the sweeps ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Swept:
    due: int
    fired: int


def store_sweep(store: SQLiteStore, now: datetime.datetime) -> Swept:
    """The sweep's storage work alone: find due deadlines a batch at a time and fire each
    with one event and one timeline entry (what run_sweep hands fire_deadlines)."""
    today, at = now.date().isoformat(), now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    due_total = fired_total = 0
    while due := store.due_deadlines(today, BATCH):
        plans = [FiredDeadline(d, [OutboxEvent(
            f"EV-{d.case_ref}-{d.reason}", d.case_ref, d.event, "mg14", "file",
            {"agency": "northshire_police", "name": "Northshire Police"},
            {"reference": d.case_ref, "reason": d.reason}, at)],
            CaseEntry(d.case_ref, at, "reminder", d.reason, "system", "system",
                      {"event": d.event, "due_on": d.due_on})) for d in due]
        due_total += len(due)
        fired_total += len(store.fire_deadlines(plans, at))
    return Swept(due_total, fired_total)


def engine_sweep(catalogue) -> Callable[[SQLiteStore, datetime.datetime], Swept]:
    """chalicelib.sweep.run_sweep over a store."""
    from chalicelib.context import Context
    from chalicelib.domain.access import AccessPolicy
    from chalicelib.sweep import run_sweep

    policy = AccessPolicy.from_protocol(catalogue.protocol, form_ids=tuple(catalogue.forms))

    def sweep(store: SQLiteStore, now: datetime.datetime) -> Swept:
        report = run_sweep(Context(store=store, catalogue=catalogue, policy=policy,
                                   base_url="http://127.0.0.1:8000"), now)
        return Swept(report.due, report.fired)
    return sweep


# -- measuring ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measured:
    label: str
    open_cases: int
    due: int
    fired: int
    seconds: list[float]
    events: int            # outbox events the last run added

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def measure(label: str, seeded: Path, folder: Path, day: datetime.date,
            sweep: Callable[[SQLiteStore, datetime.datetime], Swept], runs: int) -> Measured:
    """`runs` sweeps, each of a fresh copy of the seeded file (copy and open not timed)."""
    seconds, swept, events = [], Swept(0, 0), 0
    for run in range(runs):
        copy = folder / f"run-{run}.sqlite3"
        shutil.copyfile(seeded, copy)
        store = SQLiteStore(copy)
        before = count(copy, "SELECT count(*) FROM outbox")
        started = time.perf_counter()
        swept = sweep(store, datetime.datetime.combine(day, datetime.time(12),
                                                       datetime.UTC))
        seconds.append(time.perf_counter() - started)
        store.close()
        events = count(copy, "SELECT count(*) FROM outbox") - before
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return Measured(label, count(seeded, "SELECT count(*) FROM cases WHERE closed = 0"),
                    swept.due, swept.fired, seconds, events)


def count(path: Path, sql: str) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchone()[0]


def baseline(path: Path, runs: int) -> float:
    """Seconds to count the open cases, median of `runs`: a full pass over the cases."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        count(path, "SELECT count(*) FROM cases WHERE closed = 0")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(folder: Path, open_cases: int, few: int, many: int, small_set: int, runs: int,
        catalogue=None) -> tuple[list[Measured], float]:
    """Every figure main() prints, for these sizes: (rows, baseline seconds)."""
    big = seed(folder / "seeded.sqlite3", open_cases, few, many)
    small = seed(folder / "seeded-small.sqlite3", small_set, few, few)
    sweeps = [("store floor", store_sweep)]
    engine = engine_sweep(catalogue) if catalogue is not None else None
    if engine is not None:
        sweeps.insert(0, ("run_sweep", engine))
    rows = []
    for name, sweep in sweeps:
        rows.append(measure(name, big, folder, FIRST_DAY, sweep, runs))
        rows.append(measure(name, big, folder, FIRST_DAY + datetime.timedelta(days=1), sweep,
                            runs))
        rows.append(measure(name, small, folder, FIRST_DAY, sweep, runs))
    return rows, baseline(big, runs)


def main() -> None:
    from chalicelib.catalogue import Catalogue

    from tests.api_harness import write_generated

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        catalogue = Catalogue(write_generated(folder / "generated"))
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; SQLite "
              f"{sqlite3.sqlite_version}; seeding {OPEN_CASES:,} + {SMALL_SET:,} cases in "
              f"{folder}")
        started = time.perf_counter()
        rows, counted = run(folder, OPEN_CASES, FEW, MANY, SMALL_SET, RUNS, catalogue)
        print(f"seeded and swept in {time.perf_counter() - started:.0f} s; each sweep on a "
              f"fresh copy of the seeded file; median of {RUNS}\n")
    print(f"{'sweep':14} {'open cases':>11} {'due':>7} {'fired':>7} {'events':>7} "
          f"{'median s':>9} {'best s':>8}")
    for r in rows:
        print(f"{r.label:14} {r.open_cases:11,} {r.due:7,} {r.fired:7,} {r.events:7,} "
              f"{r.median:9.3f} {min(r.seconds):8.3f}")
    print(f"\nbaseline: SELECT count(*) of the {OPEN_CASES:,} open cases: "
          f"{counted * 1000:.1f} ms")
    for i in range(0, len(rows), 3):
        few, many, small = rows[i:i + 3]
        print(f"{few.label}: {MANY:,} due / {FEW:,} due = {many.median / few.median:.1f}x; "
              f"{FEW} due over {OPEN_CASES:,} / over {SMALL_SET:,} open cases = "
              f"{few.median / small.median:.2f}x; {FEW} due / baseline = "
              f"{few.median / counted:.1f}x")
    first = rows[0]
    print(f"goals: {FEW} due under 0.5 s ({first.label}): "
          f"{'met' if first.median < 0.5 else 'MISSED'}; the time follows the due "
          f"deadlines, not the open cases (ratios above: about {MANY // FEW}x and about 1x)")


if __name__ == "__main__":
    main()
