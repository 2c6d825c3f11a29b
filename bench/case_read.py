"""Case read benchmark: GET /v1/cases/{ref}'s use case on SQLite, for one case of 11,
1,001, 5,001 and 10,001 records, each size beside a baseline in the same run.

Each case is opened by an MG14 and joined by a required assessment and a first session
through records.submit (the real path); the case is then grown in bulk by copying the last
record's rows (its record, attachment and timeline entry) under new ids.
Timed, with the bytes of each answer: the first page (50 records, the newest 50 timeline
entries), a page from the middle of the case through its cursors, and the baseline, the
whole case in one answer as every read gave it before reads came in pages.

Goals: the first page's bytes the same at every size and far under Lambda's 6 MB answer;
its time flat once the page is full: at the largest size within 1.5x of that at 1,001 (a
page reads only the records and entries it shows, and who may see the case comes from
its reading, kept per case version: cases.case_view, readings.py). The first page's time
at 11 records, whose page holds all 11 and few entries, is printed beside it, not judged.

The case grows by first-session records (a form with no consent in it); --assessments
grows it by required assessments instead, each of which may record consent, so every
read also weighs each one's consent history (the dearest records a case can hold).

Run: .venv/bin/python -m bench.case_read   (--quick: 11, 1,001 and 5,001; --assessments)
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "api"))  # chalicelib, as the app and the tests import it

from chalicelib import cases  # noqa: E402
from chalicelib.catalogue import Catalogue  # noqa: E402
from chalicelib.clock import FixedClock  # noqa: E402
from chalicelib.context import Context  # noqa: E402
from chalicelib.domain import caseview  # noqa: E402
from chalicelib.domain.access import AccessPolicy, Principal  # noqa: E402
from chalicelib.domain.caseview import MAX_PAGE  # noqa: E402
from chalicelib.records import submit  # noqa: E402
from chalicelib.store.sqlite import SQLiteStore  # noqa: E402

from tests.api_harness import write_generated  # noqa: E402
from tests.examples import example_data, example_moment  # noqa: E402

SIZES = (11, 1_001, 5_001, 10_001)
FULL = 1_001      # the smallest size whose first page is full (50 records, 50 entries)
LAMBDA_LIMIT = 6 * 1024 * 1024
POLICE = Principal("pc_jones", "police", "northshire_police")
CJIT = Principal("cjit_worker", "cjit", "northshire_cjit")


def context(folder: Path, generated: Path) -> Context:
    catalogue = Catalogue(generated)
    catalogue.warm()
    return Context(store=SQLiteStore(folder / "case.sqlite3"), catalogue=catalogue,
                   policy=AccessPolicy.from_protocol(catalogue.protocol,
                                                     form_ids=tuple(catalogue.forms)),
                   base_url="http://127.0.0.1:8000", clock=FixedClock(example_moment()))


def seed(ctx: Context, records: int, bulk: str) -> str:
    """One case of `records` records: an MG14, its required assessment, then copies of
    the `bulk` record (a first session's, or the assessment's); its reference."""
    opened = submit(ctx, POLICE, "mg14", example_data("mg14"), str(uuid.uuid4()))
    ref = opened.value["case"]
    joined = submit(ctx, CJIT, "dir_required_assessment",
                    {**example_data("dir_required_assessment", "valid/full"),
                     "prompt": "conditional_caution", "cc_case_ref": ref}, str(uuid.uuid4()))
    template = joined.value["record"]["id"] if getattr(joined, "created", False) else None
    if bulk == "dip_session1_triage":
        session = submit(ctx, CJIT, bulk, {**example_data(bulk, "valid/one_session"),
                                           "case_ref": ref}, str(uuid.uuid4()))
        template = session.value["record"]["id"] if getattr(session, "created", False) else None
        records -= 1
    if template is None:
        raise RuntimeError("the case's records were not made")
    grow(ctx.store.path, ref, template, records - 2)
    return ref


def grow(path: Path, ref: str, template: str, copies: int) -> None:
    """`copies` more records like `template` on the case, in one transaction of SQL."""
    with sqlite3.connect(path) as db:
        head = db.execute("SELECT * FROM record_heads WHERE record_id = ?", (template,)
                          ).fetchone()
        version = db.execute("SELECT * FROM records WHERE record_id = ?", (template,)
                             ).fetchone()
        attached = db.execute("SELECT case_version, position FROM case_records "
                              "WHERE record_id = ?", (template,)).fetchone()
        entry = db.execute("SELECT case_ref, at, kind, ref, actor, agency, detail FROM "
                           "case_entries WHERE ref = ? AND kind = 'form'", (template,)
                           ).fetchone()
        ids = [f"{template}-{n:06d}" for n in range(copies)]
        db.executemany("INSERT INTO record_heads VALUES (?, ?, ?, ?)",
                       [(i, *head[1:]) for i in ids])
        db.executemany(f"INSERT INTO records VALUES ({', '.join('?' * len(version))})",
                       [(i, *version[1:]) for i in ids])
        db.executemany("INSERT INTO case_records VALUES (?, ?, ?, ?)",
                       [(i, ref, attached[0], attached[1] + 1 + n) for n, i in enumerate(ids)])
        db.executemany("INSERT INTO case_entries (case_ref, at, kind, ref, actor, agency, "
                       "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(ref, entry[1], "form", i, *entry[4:]) for i in ids])


def timed(run: Callable[[], object], runs: int) -> tuple[list[float], int]:
    """Milliseconds per call after one unmeasured call, and the answer's bytes as JSON."""
    answer = run()
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        found.append((time.perf_counter() - start) * 1000)
    return found, len(json.dumps(answer.value).encode("utf-8"))


def figures(ctx: Context, ref: str, records: int, runs: int) -> dict[str, tuple]:
    """Each read, checked to find what it should."""
    first = cases.case_view(ctx, CJIT, ref)
    assert len(first.value["records"]) == min(records, 50), first
    half = caseview.page_cursor("records", ref, records // 2)
    middle = {"records_cursor": half,
              "timeline_cursor": caseview.page_cursor("timeline", ref, records // 2)}
    deep = cases.case_view(ctx, CJIT, ref, middle)
    assert len(deep.value["records"]) == min(50, records - records // 2), deep
    whole = cases.case_view(ctx, CJIT, ref, {"limit": str(MAX_PAGE)})
    assert whole.value is not None

    def everything():
        """The baseline: the whole case in one answer, as before pages."""
        snapshot = cases.load(ctx, CJIT, ref)
        return type(first)(caseview.case_view(
            cases.process_of(ctx), ctx.policy, ctx.catalogue.protocol, CJIT, snapshot,
            ctx.today(), lambda refs: cases.timeline_words(ctx, refs),
            caseview.CasePages(limit=10 ** 9)))

    assert len(everything().value["records"]) == records
    return {
        "first page (50 records, newest 50 entries)": timed(
            lambda: cases.case_view(ctx, CJIT, ref), runs),
        "a page from the middle, through its cursors": timed(
            lambda: cases.case_view(ctx, CJIT, ref, middle), runs),
        "baseline: the whole case in one answer": timed(everything, runs),
    }


def main() -> None:
    sizes = SIZES[:3] if "--quick" in sys.argv else SIZES
    bulk = ("dir_required_assessment" if "--assessments" in sys.argv
            else "dip_session1_triage")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; SQLite "
          f"{sqlite3.sqlite_version}; the CJIT reading one case, as GET /v1/cases/{{ref}}, "
          f"grown with {bulk} records")
    firsts: dict[int, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        generated = write_generated(Path(folder) / "generated")
        for records in sizes:
            place = Path(folder) / str(records)
            place.mkdir()
            ctx = context(place, generated)
            ref = seed(ctx, records, bulk)
            print(f"{records:,} records on {ref}:")
            runs = 20 if records <= 1_001 else 5
            for label, (values, size) in figures(ctx, ref, records, runs).items():
                print(f"  {label:<46} median {statistics.median(values):8.2f} ms, "
                      f"max {max(values):8.2f} ms, {size / 1024:9.1f} KiB")
                if label.startswith("first"):
                    firsts[records] = (statistics.median(values), size)
    full = [size for records, (_, size) in firsts.items() if records >= 100]  # full pages
    if full:
        most, least = max(full), min(full)
        met = most < LAMBDA_LIMIT / 10 and most <= 1.1 * least
        print(f"goal: a full first page the same bytes at every size, far under 6 MB: "
              f"{least:,} to {most:,} bytes ({most / LAMBDA_LIMIT:.1%} of the limit): "
              f"{'met' if met else 'MISSED'}")
    low, high = min(firsts), max(firsts)
    print(f"first page time, {high:,} records against {low:,} (a page of {low}): "
          f"{firsts[high][0] / firsts[low][0]:.1f}x")
    if FULL in firsts and high > FULL:
        ratio = firsts[high][0] / firsts[FULL][0]
        print(f"goal: first page time flat once full, {high:,} records within 1.5x of "
              f"{FULL:,}: {ratio:.2f}x, {'met' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
