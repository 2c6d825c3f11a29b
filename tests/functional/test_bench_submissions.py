"""bench/submissions.py at a small size, so its code cannot rot: the seeded copies are whole
submissions the store reads as their own records and cases (each with its own person's
terms), the curve measures at each size asked, and the bytes are counted from the file
(timings are not checked)."""

from __future__ import annotations

import json

from chalicelib.catalogue import Catalogue
from chalicelib.store.base import ALL_CASES, CaseQuery
from chalicelib.store.sqlite import SQLiteStore

from bench import submissions as bench
from tests.api_harness import write_generated
from tests.examples import load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")


def test_the_submission_bench_seeds_whole_copies_and_measures_each_size(tmp_path):
    catalogue = Catalogue(write_generated(tmp_path / "generated"))
    rows = bench.curve(catalogue, tmp_path, MG14, [1, 40], seed_seconds=60, measured=5,
                       warm=1)
    assert [row[0] for row in rows] == [1, 40]
    store = SQLiteStore(tmp_path / "curve.sqlite")
    records = store.list_records("mg14", 100).items
    assert len(records) == 40 + 6 and len({r.record_id for r in records}) == len(records)
    cases = store.list_cases(CaseQuery(ALL_CASES), 100).items
    assert len(cases) == len(records)
    copy = next(c for c in cases if c.case_ref.endswith("0000000008"))   # copy number 8
    assert copy.due and store.case_entries(copy.case_ref)
    assert len({json.dumps(r.data, sort_keys=True) for r in records}) == 1  # copied whole
    terms = {t for (t,) in store._rows("SELECT term FROM case_terms")}
    # 33 copies (numbers 7 to 39: 1 real + 6 measured came first), each its own person
    assert len(terms) >= 3 * 33
    store.close()
    per_record, per_table = bench.bytes_per_record(catalogue, tmp_path, MG14, count=20)
    assert per_record > 0 and per_table["records"] > 0
