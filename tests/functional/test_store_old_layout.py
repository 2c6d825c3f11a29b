"""A SQLite store made before issue 18 (rowid tables, case lists keyed by agency first, each
list row with its own copy of the case's deadlines, and the outbox index by status that no
query used) keeps working when opened by this code: the unused index is dropped, the
lists get an index by case, rows written before read as they were, and new writes read
alike. New stores get the smaller layout (WITHOUT ROWID, deadlines on the '*' row only)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from chalicelib.store.base import ALL_CASES, CaseQuery, Completion, KeyHeld
from chalicelib.store.sqlite import SQLiteStore
from chalicelib.store.sqlite.schema import SCHEMA

from tests.functional.test_store_case_lists_builders import listed_change, opened
from tests.functional.test_store_contract import at, audit, event, version


def make_old_store(path) -> None:
    """The layout this code's SCHEMA had before issue 18, made with sqlite3 alone."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT")
        db.execute("INSERT INTO schema_version VALUES (1)")
        for statement in SCHEMA:
            if statement.startswith("DROP INDEX") or "outbox_dead" in statement:
                continue
            db.execute(statement.replace(", WITHOUT ROWID", "").replace(
                "PRIMARY KEY (case_ref, agency)", "PRIMARY KEY (agency, case_ref)"))
        db.execute("CREATE INDEX outbox_by_status ON outbox (status, created_at, event_id)")
        db.commit()


def indexes(path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        return {name for (name,) in db.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'index'")}


def without_rowid(path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        return {name for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'table'")
            if "WITHOUT ROWID" in sql}


def test_a_new_store_has_the_small_layout(tmp_path):
    path = tmp_path / "new.sqlite3"
    SQLiteStore(path).close()
    assert without_rowid(path) == {"case_records", "deadlines", "case_index", "case_terms",
                                   "dashboard_due"}
    assert "outbox_by_status" not in indexes(path) and "outbox_dead" in indexes(path)
    assert "case_index_by_case" not in indexes(path)   # its key leads with the case


def test_deadlines_are_kept_on_the_all_cases_row_alone_and_read_on_every_row(tmp_path):
    store = SQLiteStore(tmp_path / "new.sqlite3")
    opened(store, "MG14-1", parties=("police", "cjit"))
    with closing(sqlite3.connect(store.path)) as db:
        kept = dict(db.execute("SELECT agency, due FROM case_index"))
    assert kept == {ALL_CASES: '{"contact_by_passed":{"due_on":"2026-12-04","event":"N10"}}',
                    "cjit": "{}", "police": "{}"}
    for agency in ("police", "cjit", ALL_CASES):
        listed = store.list_cases(CaseQuery(agency), 10).items
        assert [row.due for row in listed] == [
            {"contact_by_passed": {"due_on": "2026-12-04", "event": "N10"}}]
        assert store.listed_cases(agency, ["MG14-1"]) == listed
        assert store.due_cases(agency, "2026-12-31", 10) == listed
    store.close()


def test_an_old_store_opens_drops_the_unused_index_and_keeps_working(tmp_path):
    path = tmp_path / "old.sqlite3"
    make_old_store(path)
    with closing(sqlite3.connect(path)) as db:   # a case listed as the old code listed it
        db.execute("PRAGMA foreign_keys = ON")
        for statement, values in (
                ("INSERT INTO record_heads VALUES (?, 'mg14', 1, ?)", ("MG14-0", at(0))),
                ("INSERT INTO records VALUES (?, 1, 'mg14', '1.0', '{}', ?, 'u', 'police', "
                 "NULL)", ("MG14-0", at(0))),
                ("INSERT INTO cases VALUES (?, 'dip_caution', 'referred', 1, ?, ?, '{}', 0)",
                 ("MG14-0", at(0), at(0)))):
            db.execute(statement, values)
        due = '{"contact_by_passed":{"due_on":"2026-12-01","event":"N10"}}'
        db.executemany("INSERT INTO case_index VALUES (?, 'MG14-0', 'referred', 0, ?, ?, "
                       "'one_session', '2026-12-01', ?)",
                       [(agency, at(0), at(0), due) for agency in ("*", "police")])
        db.commit()
    store = SQLiteStore(path)
    assert "outbox_by_status" not in indexes(path)
    assert {"outbox_dead", "case_index_by_case"} <= indexes(path)
    assert without_rowid(path) == set()             # its tables stay as they were
    old = store.listed_cases("police", ["MG14-0"])
    assert [row.due for row in old] == [{"contact_by_passed": {"due_on": "2026-12-01",
                                                               "event": "N10"}}]
    opened(store, "MG14-1", when=1, parties=("police",))
    store.change_case(listed_change("MG14-1", 2, when=2, parties=("cjit",)),
                      audit("MG14-1", 2), [])
    assert [r.case_ref for r in store.list_cases(CaseQuery("police"), 10).items] == ["MG14-0"]
    (moved,) = store.list_cases(CaseQuery("cjit"), 10).items
    assert moved.case_ref == "MG14-1" and moved.due == {
        "contact_by_passed": {"due_on": "2026-12-04", "event": "N10"}}
    assert [r.case_ref for r in store.due_cases(ALL_CASES, "2026-12-31", 10)] == [
        "MG14-0", "MG14-1"]
    # the key claimed in the commit, on the old idempotency table
    claim = Completion("user-1", "key-1", {"value": 1}, "fp", now=at(3), ttl_seconds=60)
    store.commit(version("MG14-2", when=3), audit("MG14-2", 3), [event("EV-2", "MG14-2", 3)],
                 claim)
    with pytest.raises(KeyHeld):
        store.commit(version("MG14-3", when=3), audit("MG14-3", 3), [], claim)
    store.mark_failed("EV-2", "gone", None)
    assert [e.event_id for e in store.list_events("dead")] == ["EV-2"]
    store.close()
