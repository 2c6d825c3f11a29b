"""Case list benchmark: GET /v1/cases's use case over 10,000 cases on SQLite, beside a
baseline in the same process (counting the cases).

Every case is opened through records.submit, the real path (an MG14, its case, its list
rows and its person's keyed terms in one commit), each with its own surname. Timed: the
first page (25 cases, each with its person read as the reader may see it), a page deep
in the list through its cursor, a search by a surname that one case has, and the store's
page alone (the index read, no person).

Run: .venv/bin/python -m bench.cases
"""

from __future__ import annotations

import datetime
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

from chalicelib import casefind  # noqa: E402
from chalicelib.catalogue import Catalogue  # noqa: E402
from chalicelib.clock import FixedClock  # noqa: E402
from chalicelib.context import Context  # noqa: E402
from chalicelib.domain.access import AccessPolicy, Principal  # noqa: E402
from chalicelib.records import submit  # noqa: E402
from chalicelib.store.base import CaseQuery  # noqa: E402
from chalicelib.store.sqlite import SQLiteStore  # noqa: E402

from tests.api_harness import write_generated  # noqa: E402
from tests.examples import example_data, example_moment  # noqa: E402

CASES, RUNS = 10_000, 30
POLICE = Principal("pc_jones", "police", "northshire_police")


def surname(index: int) -> str:
    """A surname of letters only, one per case: 0 -> 'Baaaa', 1 -> 'Baaab'..."""
    letters = []
    for _ in range(4):
        index, rest = divmod(index, 26)
        letters.append(chr(ord("a") + rest))
    return "B" + "".join(reversed(letters))


def seed(folder: Path, cases: int) -> Context:
    """A Context on a fresh SQLite store with `cases` cases opened by MG14 submissions, a
    minute apart on a fixed clock."""
    catalogue = Catalogue(write_generated(folder / "generated"))
    catalogue.warm()
    clock = FixedClock(example_moment())
    ctx = Context(store=SQLiteStore(folder / "cases.sqlite3"), catalogue=catalogue,
                  policy=AccessPolicy.from_protocol(catalogue.protocol,
                                                    form_ids=tuple(catalogue.forms)),
                  base_url="http://127.0.0.1:8000", clock=clock)
    data = example_data("mg14")
    for index in range(cases):
        made = submit(ctx, POLICE, "mg14", {**data, "surname": surname(index)},
                      str(uuid.uuid4()))
        if not made.created:
            raise RuntimeError(f"case {index} was not opened: {made}")
        clock.moment += datetime.timedelta(minutes=1)
    return ctx


def timed(run: Callable[[], object], runs: int = RUNS) -> list[float]:
    """Milliseconds per call, after two unmeasured ones."""
    for _ in range(2):
        run()
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        found.append((time.perf_counter() - start) * 1000)
    return found


def figures(ctx: Context, cases: int, runs: int = RUNS) -> dict[str, list[float]]:
    """The timings, each checked to find what it should."""
    first = casefind.list_cases(ctx, POLICE, {})
    assert len(first.value["cases"]) == 25, first
    deep = None
    for _ in range(min(20, cases // 25 - 1)):
        page = casefind.list_cases(ctx, POLICE, {"cursor": (deep or first).value[
            "next_cursor"]})
        deep = page
    deep_cursor = (deep or first).value["next_cursor"]
    one = surname(cases // 2)
    hit = casefind.list_cases(ctx, POLICE, {"q": one})
    assert [c["person"]["name"].split()[-1] for c in hit.value["cases"]] == [one], hit

    def count() -> int:
        with sqlite3.connect(ctx.store.path) as connection:
            return connection.execute("SELECT count(*) FROM cases").fetchone()[0]

    assert count() == cases
    return {
        "GET /v1/cases, first page (25, with persons)":
            timed(lambda: casefind.list_cases(ctx, POLICE, {}), runs),
        "GET /v1/cases, a page 20 pages deep":
            timed(lambda: casefind.list_cases(ctx, POLICE, {"cursor": deep_cursor}), runs),
        "GET /v1/cases?q=<one case's surname>":
            timed(lambda: casefind.list_cases(ctx, POLICE, {"q": one}), runs),
        "store.list_cases alone (25 rows)":
            timed(lambda: ctx.store.list_cases(CaseQuery(POLICE.agency), 25), runs),
        "baseline: SELECT count(*) FROM cases": timed(count, runs),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        ctx = seed(Path(folder), CASES)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; SQLite "
              f"{sqlite3.sqlite_version}; {CASES:,} cases opened through records.submit in "
              f"{time.perf_counter() - start:.0f} s")
        for label, values in figures(ctx, CASES).items():
            print(f"  {label:<48} median {statistics.median(values):7.2f} ms, "
                  f"max {max(values):7.2f} ms")


if __name__ == "__main__":
    main()
