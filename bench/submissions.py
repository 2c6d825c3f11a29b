"""Submission cost as the store grows, and the bytes each submission keeps.

In one run: records.submit in process (MG14 minimal, one thread) beside the floor (the
fastest verdict + one durable WAL transaction, bench.api's), measured again just before
each size so the ratio compares like with like on a shared machine; at 1, 100,000 and
1,000,000 stored records (seeded in bulk: one real submission's rows copied with new ids
by executemany, a few big transactions, bounded by --seed-seconds); and the bytes a stored
MG14 takes with its audit, outbox, idempotency and case rows (the file's growth over
BYTES_SUBMISSIONS real submissions, after a checkpoint), table by table.

Run: .venv/bin/python -m bench.submissions            (1, 100000, 1000000 records)
     .venv/bin/python -m bench.submissions --quick    (1 and 10000)
     .venv/bin/python -m bench.submissions --sizes 1,50000
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from chalicelib.catalogue import Catalogue
from chalicelib.context import Context
from chalicelib.domain.access import AccessPolicy, Principal
from chalicelib.records import submit
from chalicelib.responses import answer
from chalicelib.store.sqlite import SQLiteStore

from bench.api import floor, p, samples
from tests.api_harness import write_generated
from tests.examples import example_clock, load_examples

SIZES = (1, 100_000, 1_000_000)
QUICK_SIZES = (1, 10_000)
MEASURED = 1000             # submissions timed at each size
BYTES_SUBMISSIONS = 2000    # submissions whose growth of the file is divided
SEED_BATCH = 20_000         # records copied per transaction while seeding
SEED_SECONDS = 600          # seeding stops here, whatever the size asked
GOAL_RATIO, GOAL_BYTES = 3.0, 1536
#: What a submission stores for a while only: its idempotency key, purged once expired.
TRANSIENT_TABLES = ("idempotency", "sqlite_autoindex_idempotency_1", "idempotency_by_expiry")
SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Tables a submission's rows are not copied from: one row for the whole store.
NOT_COPIED = ("schema_version", "sqlite_sequence", "dashboard_counts")
POLICE = Principal("pc_jones", "police", "northshire_police")


def goal(met: bool) -> str:
    return "met" if met else "MISSED"


def context(catalogue: Catalogue, store: SQLiteStore) -> Context:
    return Context(store=store, catalogue=catalogue, base_url="http://127.0.0.1:8000",
                   policy=AccessPolicy.from_protocol(catalogue.protocol,
                                                     form_ids=tuple(catalogue.forms)),
                   clock=example_clock())


def submitter(ctx: Context, data: dict):
    def one() -> None:
        made = answer(submit(ctx, POLICE, "mg14", data, str(uuid.uuid4()), "bench"))
        assert made.status_code == 201, made.status_code
    return one


def file_bytes(path: Path) -> int:
    """The database file's size once the log is copied into it."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        count, size = (db.execute(f"PRAGMA {name}").fetchone()[0]
                       for name in ("page_count", "page_size"))
    return count * size


def table_bytes(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))


def encode(number: int, width: int) -> str:
    out = []
    for _ in range(width):
        number, digit = divmod(number, len(SYMBOLS))
        out.append(SYMBOLS[digit])
    return "".join(reversed(out))


class Seeder:
    """Copies of the store's one submission: every text holding its record id, event ids
    or idempotency key gets the copy's own (of the same length); AUTOINCREMENT keys fresh."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA synchronous = OFF")
        tables = [name for (name,) in self.db.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY rowid")
            if name not in NOT_COPIED]
        self.record_id = self.db.execute("SELECT record_id FROM record_heads").fetchone()[0]
        events = [e for (e,) in self.db.execute("SELECT event_id FROM outbox ORDER BY event_id")]
        keys = [k for (k,) in self.db.execute("SELECT key FROM idempotency")]
        terms = [t for (t,) in self.db.execute("SELECT term FROM case_terms")]  # own person
        self.tokens = [self.record_id, *events, *keys, *terms]
        self.rows: list[tuple[str, str, list]] = []
        for table in tables:
            info = self.db.execute(f"PRAGMA table_info({table})").fetchall()
            autoincrement = {c[1] for c in info if c[2] == "INTEGER" and c[5] == 1}
            names = [c[1] for c in info if c[1] not in autoincrement]
            found = self.db.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
            sql = (f"INSERT INTO {table} ({', '.join(names)}) "
                   f"VALUES ({', '.join('?' * len(names))})")
            for values in found:
                self.rows.append((table, sql, list(values)))
        self.counts = self.db.execute(
            "SELECT condition, state, closed FROM dashboard_counts").fetchall()

    def _copy(self, n: int) -> dict[str, str]:
        prefix, tail = self.record_id.rsplit("-", 1)
        made = {self.record_id: f"{prefix}-{encode(n, len(tail))}"}
        for index, token in enumerate(self.tokens[1:]):
            made[token] = token[:3] + encode(n * 64 + index, len(token) - 3)
        return made

    def seed(self, first: int, count: int, deadline: float) -> int:
        """Copies numbered first .. first+count-1; returns how many were written in time."""
        done = 0
        while done < count and time.perf_counter() < deadline:
            batch = min(SEED_BATCH, count - done)
            by_sql: dict[str, list[tuple]] = {}
            order: list[str] = []
            for n in range(first + done, first + done + batch):
                made = self._copy(n)
                for _, sql, values in self.rows:
                    row = []
                    for value in values:
                        if isinstance(value, str):
                            for old, new in made.items():
                                if old in value:
                                    value = value.replace(old, new)
                        row.append(value)
                    if sql not in by_sql:
                        by_sql[sql] = []
                        order.append(sql)
                    by_sql[sql].append(tuple(row))
            self.db.execute("BEGIN IMMEDIATE")
            for sql in order:
                self.db.executemany(sql, by_sql[sql])
            for condition, state, closed in self.counts:
                self.db.execute("UPDATE dashboard_counts SET cases = cases + ? WHERE "
                                "condition = ? AND state = ? AND closed = ?",
                                (batch, condition, state, closed))
            self.db.execute("COMMIT")
            done += batch
        return done

    def close(self) -> None:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()


def curve(catalogue: Catalogue, folder: Path, data: dict, sizes: list[int],
          seed_seconds: float, measured: int = MEASURED, warm: int = 50
          ) -> list[tuple[int, float, float, float, float, float]]:
    """(stored, seed s, submit p50, p99, floor p50, p99) for each size, one store grown."""
    path = folder / "curve.sqlite"
    store = SQLiteStore(path)
    submitter(context(catalogue, store), data)()   # the one submission copied
    store.close()
    seeder, stored, out = Seeder(path), 1, []
    deadline = time.perf_counter() + seed_seconds
    for size in sorted(sizes):
        started = time.perf_counter()
        if size > stored:
            stored += seeder.seed(stored, size - stored, deadline)
        seeded = time.perf_counter() - started
        seeder.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        least = floor(catalogue, folder / f"floor{size}", data, measured)
        store = SQLiteStore(path)
        times = samples(submitter(context(catalogue, store), data), measured, warm=warm)
        store.checkpoint()
        store.close()
        out.append((stored, seeded, p(times, 0.5), p(times, 0.99), p(least, 0.5),
                    p(least, 0.99)))
        stored += measured + warm
        print(f"  ... {stored - measured - warm:,} stored: seeded in {seeded:.1f} s, "
              f"measured", flush=True)
    seeder.close()
    return out


def bytes_per_record(catalogue: Catalogue, folder: Path, data: dict,
                     count: int = BYTES_SUBMISSIONS) -> tuple[float, dict[str, float]]:
    path = folder / "bytes.sqlite"
    store = SQLiteStore(path)
    one = submitter(context(catalogue, store), data)
    for _ in range(50):   # past the first pages of every table and index
        one()
    store.checkpoint()
    before, tables_before = file_bytes(path), table_bytes(path)
    for _ in range(count):
        one()
    store.close()
    after, tables_after = file_bytes(path), table_bytes(path)
    per_table = {name: (tables_after[name] - tables_before.get(name, 0)) / count
                 for name in tables_after}
    return (after - before) / count, per_table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.submissions", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--sizes", help="stored records to measure at, e.g. 1,100000")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    parser.add_argument("--seed-seconds", type=float, default=SEED_SECONDS)
    args = parser.parse_args(argv)
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else list(QUICK_SIZES if args.quick else SIZES))
    data = {e.name: e.data for e in load_examples("mg14")}["valid/minimal"]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        catalogue = Catalogue(write_generated(folder / "generated"))
        catalogue.warm()
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; SQLite "
              f"{sqlite3.sqlite_version}; temp files in {folder.parent}")
        per_record, per_table = bytes_per_record(catalogue, folder, data)
        print(f"\n(a) bytes per stored MG14 (minimal example) with its audit, outbox, key and "
              f"case rows: the file's growth over {BYTES_SUBMISSIONS} submissions, after a "
              "checkpoint")
        for name, size in sorted(per_table.items(), key=lambda item: -item[1]):
            if size >= 1:
                print(f"  {name:44} {size:8.0f} B")
        print(f"  {'total':44} {per_record:8.0f} B;  goal: at most {GOAL_BYTES} B: "
              f"{goal(per_record <= GOAL_BYTES)}")
        kept = per_record - sum(size for name, size in per_table.items()
                                if name in TRANSIENT_TABLES)
        print(f"  {'kept once its idempotency key expires':44} {kept:8.0f} B;  goal: at most "
              f"{GOAL_BYTES} B: {goal(kept <= GOAL_BYTES)} (the key and its answer are "
              "deleted after 48 h)")
        print(f"\n(b) records.submit in process beside the floor (is_valid + one WAL "
              f"transaction, FULL), {MEASURED} each, at each size:", flush=True)
        rows = curve(catalogue, folder, data, sizes, args.seed_seconds)
        print(f"  {'stored records':>15} {'submit p50':>11} {'p99':>8} {'floor p50':>10} "
              f"{'p99':>8} {'ratio p50':>10} {'p99':>7}  goal: each within {GOAL_RATIO:g}x")
        for stored, _, p50, p99, f50, f99 in rows:
            r50, r99 = p50 / f50, p99 / f99
            print(f"  {stored:>15,} {p50:9.3f}ms {p99:6.3f}ms {f50:8.3f}ms {f99:6.3f}ms "
                  f"{r50:9.2f}x {r99:6.2f}x  {goal(r50 <= GOAL_RATIO)} / "
                  f"{goal(r99 <= GOAL_RATIO)}")
        short = [size for size, row in zip(sorted(sizes), rows, strict=True) if row[0] < size]
        if short:
            print(f"  seeding stopped at {args.seed_seconds:g} s: fewer records than asked "
                  f"for {short}")


if __name__ == "__main__":
    main()
