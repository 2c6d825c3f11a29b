# ruff: noqa: F811 (the fixtures imported from test_store_contract are parameter names)
"""The case part of the Store contract, for every backend: SQLite in a temporary folder and
DynamoDB on moto (the fixtures of test_store_contract.py). Cases, their records, timelines
and deadlines; faults are injected at the sqlite3 / boto3 boundary, never in our code."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from typing import Any

import pytest
from chalicelib.store.base import (
    CaseChange,
    CaseEntry,
    CaseState,
    Completion,
    Deadline,
    FiredDeadline,
    StoreError,
    VersionConflict,
)
from chalicelib.store.dynamodb import DynamoDBStore
from chalicelib.store.sqlite import SQLiteStore

from tests.functional.test_store_contract import (  # noqa: F401 - fixtures used by name
    TABLE,
    Backend,
    FailingTransactions,
    OneCallAtATime,
    at,
    audit,
    backend,
    event,
    in_threads,
    moto_client,
    sqlite_store,
    store,
    version,
)


# -- builders ----------------------------------------------------------------------------------
def case(ref: str = "MG14-1", number: int = 1, state: str = "referred", when: float = 0,
         **facts: Any) -> CaseState:
    return CaseState(case_ref=ref, process="dip_caution", state=state, version=number,
                     opened_at=at(0), updated_at=at(when),
                     facts=facts or {"comply_by": "2027-01-15", "sessions": 1},
                     closed=state == "complied")


def entry(ref: str, when: float, kind: str = "transition", what: str = "t1",
          **detail: Any) -> CaseEntry:
    return CaseEntry(case_ref=ref, at=at(when), kind=kind, ref=what, actor="user-1",
                     agency="dip-leeds", detail=detail or {"to": "assessed"})


def deadline(ref: str, reason: str, due_on: str, event_name: str = "N10") -> Deadline:
    return Deadline(case_ref=ref, reason=reason, due_on=due_on, event=event_name)


def change(ref: str = "MG14-1", number: int = 1, when: float = 0,
           deadlines: tuple[Deadline, ...] = (), entries: tuple[CaseEntry, ...] | None = None,
           records: tuple[str, ...] = (), state: str = "referred") -> CaseChange:
    if entries is None:
        entries = (entry(ref, when, "form" if number == 1 else "transition", f"{ref}-{number}"),)
    return CaseChange(case(ref, number, state, when), list(entries), list(deadlines),
                      list(records))


def open_case(store, ref: str = "MG14-1", when: float = 0,
              deadlines: tuple[Deadline, ...] = ()) -> CaseChange:
    """Submit the MG14 `ref` and open its case in the one commit, as a submission does."""
    opening = change(ref, 1, when, deadlines, records=(ref,))
    store.commit(version(ref, when=when), audit(ref, when), [event(f"EV-{ref}", ref, when)],
                 case_change=opening)
    return opening


def fired(d: Deadline, when: float, events: int = 1) -> FiredDeadline:
    return FiredDeadline(d, [event(f"EV-{d.case_ref}-{d.reason}-{n}", d.case_ref, when)
                             for n in range(events)],
                         CaseEntry(d.case_ref, at(when), "reminder", d.reason, "system",
                                   "system", {"event": d.event}))


def snapshot(store, refs: tuple[str, ...], records: tuple[str, ...] = ()) -> dict[str, Any]:
    """Everything the store shows about these cases and records, to compare before/after."""
    return {"cases": [store.get_case(ref) for ref in refs],
            "records": [store.case_records(ref) for ref in refs],
            "entries": [store.case_entries(ref) for ref in refs],
            "deadlines": [store.case_deadlines(ref) for ref in refs],
            "attached": [store.case_of_record(r) for r in (*refs, *records)],
            "versions": [store.list_versions(r) for r in (*refs, *records)],
            "audit": store.list_audit(), "events": store.list_events(),
            "due": store.due_deadlines("2099-12-31", 100)}


def status(store, ref: str) -> dict[str, tuple[str, str, str | None]]:
    return {d.reason: (d.status, d.due_on, d.fired_at) for d in store.case_deadlines(ref)}


# -- opening and moving a case -------------------------------------------------------------------
def test_a_submission_opens_its_case_in_the_same_commit(store):
    assert store.get_case("MG14-1") is None and store.case_of_record("MG14-1") is None
    assert store.case_records("MG14-1") == [] and store.case_entries("MG14-1") == []
    assert store.case_deadlines("MG14-1") == []
    store.claim_key("user-1", "key-1", "fp", at(0), 60)
    opening = change("MG14-1", deadlines=(deadline("MG14-1", "contact_by", "2026-12-01", "N03"),
                                          deadline("MG14-1", "comply_by", "2027-01-15")),
                     records=("MG14-1",))
    store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-1", "MG14-1")],
                 Completion("user-1", "key-1", {"status": 201}, "fp"), case_change=opening)
    assert store.get_case("MG14-1") == opening.case
    assert store.get_version("MG14-1") == version("MG14-1")
    assert store.case_of_record("MG14-1") == "MG14-1"
    assert store.case_records("MG14-1") == ["MG14-1"]
    assert store.case_entries("MG14-1") == opening.entries
    assert store.case_deadlines("MG14-1") == [deadline("MG14-1", "comply_by", "2027-01-15"),
                                              deadline("MG14-1", "contact_by", "2026-12-01",
                                                       "N03")]
    assert [e.event_id for e in store.list_events()] == ["EV-1"]
    assert store.claim_key("user-1", "key-1", "fp", at(1), 60).outcome == "replay"


def test_a_window_of_the_timeline_or_the_records_is_that_slice_of_the_whole(store):
    """case_timeline and case_records_at read a part of a case as case_entries and
    case_records would give it whole (a case read's pages read no more)."""
    open_case(store, "MG14-1", 0)
    for number in range(2, 6):     # two records and two lines at a time (one moment each)
        ids = (f"DIR-{number}a", f"DIR-{number}b")
        for record_id in ids:
            store.commit(version(record_id, when=number, form="dir"), audit(record_id, number),
                         [], case_change=None)
        store.change_case(change("MG14-1", number, number, records=ids, entries=(
            entry("MG14-1", number, "form", ids[0]), entry("MG14-1", number, "form", ids[1]))),
            audit("MG14-1", number), [])
    entries, records = store.case_entries("MG14-1"), store.case_records("MG14-1")
    assert len(entries) == 9 and len(records) == 9
    for limit in (1, 2, 4, 20):
        for before in (None, 0, 1, 3, 8, 9, 30):
            end = len(entries) if before is None else min(before, len(entries))
            start = max(0, end - limit)
            assert store.case_timeline("MG14-1", before, limit) == (
                start, len(entries), entries[start:end]), (before, limit)
        for start in (0, 1, 5, 8, 9, 12):
            assert store.case_records_at("MG14-1", start, limit) == records[
                start:start + limit]
    assert store.case_timeline("MG14-9", None, 5) == (0, 0, [])
    assert store.case_records_at("MG14-9", 0, 5) == []


def test_a_case_without_a_new_record_moves_with_its_audit_and_events(store):
    open_case(store)
    moved = change("MG14-1", 2, 10, state="complied")
    store.change_case(moved, audit("MG14-1", 10, "transition"), [event("EV-N09", "MG14-1", 10)])
    assert store.get_case("MG14-1") == moved.case and moved.case.closed
    assert [e.ref for e in store.case_entries("MG14-1")] == ["MG14-1-1", "MG14-1-2"]
    assert [a.action for a in store.list_audit("MG14-1")] == ["transition", "submit"]
    assert [e.event_id for e in store.list_events()] == ["EV-MG14-1", "EV-N09"]
    assert store.list_versions("MG14-1") == [version("MG14-1")]  # no record version added


def test_opening_a_case_twice_conflicts_and_writes_nothing(store):
    open_case(store)
    store.commit(version("MG14-2"), audit("MG14-2"), [])
    store.claim_key("user-1", "key-1", "fp", at(5), 60)
    before = snapshot(store, ("MG14-1",), ("MG14-2", "MG14-3"))
    reopening = change("MG14-1", 1, 5, (deadline("MG14-1", "other", "2026-12-02"),),
                       records=("MG14-3",))
    with pytest.raises(VersionConflict):
        store.commit(version("MG14-3", when=5), audit("MG14-3", 5), [event("EV-3", "MG14-3", 5)],
                     Completion("user-1", "key-1", {"status": 201}, "fp"),
                     case_change=reopening)
    with pytest.raises(VersionConflict):
        store.change_case(change("MG14-1", 1, 5, records=("MG14-2",)), audit("MG14-1", 5),
                          [event("EV-4", "MG14-1", 5)])
    assert store.get_version("MG14-3") is None  # the record was not written either
    assert snapshot(store, ("MG14-1",), ("MG14-2", "MG14-3")) == before
    assert store.claim_key("user-1", "key-1", "fp", at(6), 60).outcome == "in_flight"


def test_a_stale_or_skipping_case_version_conflicts_and_changes_nothing(store):
    open_case(store, deadlines=(deadline("MG14-1", "comply_by", "2027-01-15"),))
    store.change_case(change("MG14-1", 2, 10, state="assessed"), audit("MG14-1", 10), [])
    store.commit(version("DIR-1", when=15), audit("DIR-1", 15), [])
    before = snapshot(store, ("MG14-1", "MG14-9"), ("DIR-1", "DIR-2"))
    for stale in (change("MG14-1", 2, 20, state="stale"), change("MG14-1", 4, 20),
                  change("MG14-9", 2, 20)):
        with pytest.raises(VersionConflict):
            store.change_case(CaseChange(stale.case, stale.entries, [], ["DIR-1"]),
                              audit(stale.case.case_ref, 20), [event("EV-late", "MG14-1", 20)])
        with pytest.raises(VersionConflict):
            store.commit(version("DIR-2", when=20), audit("DIR-2", 20),
                         [event("EV-late", "DIR-2", 20)],
                         case_change=CaseChange(stale.case, stale.entries, [], ["DIR-2"]))
    assert store.get_version("DIR-2") is None
    assert snapshot(store, ("MG14-1", "MG14-9"), ("DIR-1", "DIR-2")) == before


def test_concurrent_changes_of_one_case_let_exactly_one_win(store):
    open_case(store)
    results = in_threads(8, lambda i: store.change_case(
        change("MG14-1", 2, 10, state=f"s{i}"), audit("MG14-1", 10), [event(f"EV-{i}", "MG14-1")]))
    assert Counter(type(result).__name__ for result in results) == {
        "NoneType": 1, "VersionConflict": 7}
    assert store.get_case("MG14-1").version == 2
    assert len(store.case_entries("MG14-1")) == 2 and len(store.list_events()) == 2


def test_a_change_for_another_case_or_a_duplicate_reason_is_refused_before_writing(store):
    open_case(store)
    before = snapshot(store, ("MG14-1",))
    for bad in (change("MG14-1", 2, entries=(entry("MG14-2", 1),)),
                change("MG14-1", 2, deadlines=(deadline("MG14-2", "r", "2026-12-01"),)),
                change("MG14-1", 2, deadlines=(deadline("MG14-1", "r", "2026-12-01"),
                                               deadline("MG14-1", "r", "2026-12-02"))),
                change("MG14-1", 2, deadlines=(deadline("MG14-1", "r", "1 Dec 2026"),))):
        with pytest.raises(ValueError):
            store.change_case(bad, audit("MG14-1"), [])
    assert snapshot(store, ("MG14-1",)) == before


# -- records attached to a case -----------------------------------------------------------------
def test_records_attach_to_one_case_in_order_and_re_attaching_is_a_no_op(store):
    open_case(store, "MG14-1")
    open_case(store, "MG14-2", 1)
    for n, when in ((1, 10), (2, 20)):
        store.commit(version(f"DIR-{n}", when=when, form="dir"), audit(f"DIR-{n}", when), [],
                     case_change=change("MG14-1", n + 1, when, records=(f"DIR-{n}",)))
    assert store.case_records("MG14-1") == ["MG14-1", "DIR-1", "DIR-2"]
    assert store.case_of_record("DIR-2") == "MG14-1" and store.case_of_record("MG14-2") == "MG14-2"
    store.change_case(change("MG14-1", 4, 30, records=("DIR-2", "DIR-1", "DIR-2")),
                      audit("MG14-1", 30), [])
    assert store.case_records("MG14-1") == ["MG14-1", "DIR-1", "DIR-2"]
    assert store.get_case("MG14-1").version == 4
    store.commit(version("PC36-1", when=40), audit("PC36-1", 40), [])
    before = snapshot(store, ("MG14-1", "MG14-2"), ("DIR-1", "DIR-2", "PC36-1", "DIR-3"))
    refused = [  # attached elsewhere, or no such record: StoreError, not a conflict
        lambda: store.change_case(change("MG14-2", 2, 40, records=("PC36-1", "DIR-1")),
                                  audit("MG14-2", 40), []),
        lambda: store.change_case(change("MG14-2", 2, 40, records=("NOPE-1",)),
                                  audit("MG14-2", 40), []),
        lambda: store.commit(version("DIR-3", when=40), audit("DIR-3", 40),
                             [event("EV-D3", "DIR-3", 40)],
                             case_change=change("MG14-2", 2, 40, records=("DIR-3", "DIR-2"))),
        lambda: store.commit(version("DIR-3", when=40), audit("DIR-3", 40), [],
                             case_change=change("MG14-3", 1, 40, records=("DIR-3",))),
    ]
    for attempt in refused:
        with pytest.raises(StoreError) as raised:
            attempt()
        assert not isinstance(raised.value, VersionConflict)
    assert snapshot(store, ("MG14-1", "MG14-2"), ("DIR-1", "DIR-2", "PC36-1", "DIR-3")) == before
    assert store.get_case("MG14-3") is None


# -- the timeline --------------------------------------------------------------------------------
def test_entries_are_kept_oldest_first_and_in_the_order_of_one_change(store):
    d = deadline("MG14-1", "contact_by", "2026-11-30", "N03")
    open_case(store, deadlines=(d,))
    several = (entry("MG14-1", 20, what="b"), entry("MG14-1", 20, what="a"),
               entry("MG14-1", 20, "notification", "c"))
    store.change_case(change("MG14-1", 2, 20, (d,), several), audit("MG14-1", 20), [])
    store.fire_deadlines([fired(d, 30)], at(30))
    store.change_case(change("MG14-1", 3, 40, (d,), (entry("MG14-1", 40, what="d"),)),
                      audit("MG14-1", 40), [])
    assert [(e.at, e.ref) for e in store.case_entries("MG14-1")] == [
        (at(0), "MG14-1-1"), (at(20), "b"), (at(20), "a"), (at(20), "c"),
        (at(30), "contact_by"), (at(40), "d")]
    assert store.case_entries("MG14-1")[1:4] == list(several)


# -- deadlines -----------------------------------------------------------------------------------
def test_deadlines_are_upserted_and_those_no_longer_wanted_cleared(store):
    a, b = deadline("MG14-1", "a", "2026-12-01"), deadline("MG14-1", "b", "2026-12-05", "N11")
    open_case(store, deadlines=(a, b))
    moved_a = deadline("MG14-1", "a", "2026-12-03", "N12")
    store.change_case(change("MG14-1", 2, 10, (moved_a,)), audit("MG14-1", 10), [])
    assert store.case_deadlines("MG14-1") == [moved_a, Deadline("MG14-1", "b", "2026-12-05",
                                                                "N11", "cleared")]
    assert store.due_deadlines("2026-12-31", 10) == [moved_a]
    wanted_b = deadline("MG14-1", "b", "2026-12-06")  # a cleared one is wanted again
    store.change_case(change("MG14-1", 3, 20, (wanted_b,)), audit("MG14-1", 20), [])
    assert status(store, "MG14-1") == {"a": ("cleared", "2026-12-03", None),
                                       "b": ("pending", "2026-12-06", None)}
    assert store.due_deadlines("2026-12-31", 10) == [wanted_b]
    store.change_case(change("MG14-1", 4, 30, (wanted_b,)), audit("MG14-1", 30), [])  # unchanged
    store.change_case(change("MG14-1", 5, 40), audit("MG14-1", 40), [])  # none wanted
    assert status(store, "MG14-1") == {"a": ("cleared", "2026-12-03", None),
                                       "b": ("cleared", "2026-12-06", None)}
    assert store.due_deadlines("2099-12-31", 10) == []


def test_due_deadlines_are_pending_and_due_earliest_first_within_the_limit(store):
    open_case(store, "MG14-2", 0, (deadline("MG14-2", "b", "2026-12-01"),
                                   deadline("MG14-2", "a", "2026-12-01"),
                                   deadline("MG14-2", "late", "2026-12-03")))
    open_case(store, "MG14-1", 1, (deadline("MG14-1", "z", "2026-12-01"),
                                   deadline("MG14-1", "early", "2026-11-28"),
                                   deadline("MG14-1", "gone", "2026-11-27"),
                                   deadline("MG14-1", "done", "2026-11-26")))
    store.fire_deadlines([fired(deadline("MG14-1", "done", "2026-11-26"), 2)], at(2))
    store.change_case(change("MG14-1", 2, 3, (deadline("MG14-1", "z", "2026-12-01"),
                                             deadline("MG14-1", "early", "2026-11-28"),
                                             deadline("MG14-1", "done", "2026-11-26"))),
                      audit("MG14-1", 3), [])  # "gone" cleared; "done" stays fired
    due = [(d.due_on, d.case_ref, d.reason) for d in store.due_deadlines("2026-12-02", 10)]
    assert due == [("2026-11-28", "MG14-1", "early"), ("2026-12-01", "MG14-1", "z"),
                   ("2026-12-01", "MG14-2", "a"), ("2026-12-01", "MG14-2", "b")]
    assert [d.reason for d in store.due_deadlines("2026-12-01", 2)] == ["early", "z"]
    assert [d.reason for d in store.due_deadlines("2026-11-28", 10)] == ["early"]  # inclusive
    assert store.due_deadlines("2026-11-27", 10) == []
    assert [d.reason for d in store.due_deadlines("2026-12-03", 10)][-1] == "late"
    assert all(d.status == "pending" for d in store.due_deadlines("2099-01-01", 100))


def test_a_deadline_fires_once_and_its_events_are_queued_once(store):
    comply, contact = (deadline("MG14-1", "comply_by", "2026-12-01"),
                       deadline("MG14-1", "contact_by", "2026-12-02", "N03"))
    open_case(store, deadlines=(comply, contact))
    open_case(store, "MG14-2", 1, (deadline("MG14-2", "comply_by", "2026-12-01"),))
    store.change_case(change("MG14-2", 2, 2), audit("MG14-2", 2), [])  # clears MG14-2's
    due = store.due_deadlines("2026-12-02", 10)
    assert [(d.case_ref, d.reason) for d in due] == [("MG14-1", "comply_by"),
                                                     ("MG14-1", "contact_by")]
    batch = [fired(due[0], 10, events=2), fired(due[1], 10),
             fired(deadline("MG14-2", "comply_by", "2026-12-01"), 10),  # cleared: skipped
             fired(deadline("MG14-1", "never_set", "2026-12-01"), 10)]  # unknown: skipped
    assert store.fire_deadlines(batch, at(10)) == [("MG14-1", "comply_by"),
                                                   ("MG14-1", "contact_by")]
    assert store.fire_deadlines(batch, at(20)) == []  # a second sweep fires nothing
    assert store.due_deadlines("2026-12-02", 10) == []
    assert status(store, "MG14-1") == {"comply_by": ("fired", "2026-12-01", at(10)),
                                       "contact_by": ("fired", "2026-12-02", at(10))}
    assert status(store, "MG14-2") == {"comply_by": ("cleared", "2026-12-01", None)}
    events = [e.event_id for e in store.list_events() if e.event_id.count("-") > 2]
    assert Counter(events) == {"EV-MG14-1-comply_by-0": 1, "EV-MG14-1-comply_by-1": 1,
                               "EV-MG14-1-contact_by-0": 1}
    assert {e.record_id for e in store.list_events()} == {"MG14-1", "MG14-2"}
    reminders = [e for e in store.case_entries("MG14-1") if e.kind == "reminder"]
    assert [e.ref for e in reminders] == ["comply_by", "contact_by"]
    assert store.case_entries("MG14-2")[-1].kind == "transition"


def test_concurrent_sweeps_fire_each_deadline_once(store):
    due = tuple(deadline("MG14-1", f"r{n}", "2026-12-01") for n in range(5))
    open_case(store, deadlines=due)
    results = in_threads(4, lambda i: store.fire_deadlines([fired(d, 10) for d in due], at(10)))
    assert sorted(pair for pairs in results for pair in pairs) == [
        ("MG14-1", f"r{n}") for n in range(5)]
    assert len(store.list_events()) == 1 + 5


def test_a_fired_deadline_is_not_resurrected_or_cleared_by_a_later_change(store):
    d = deadline("MG14-1", "comply_by", "2026-12-01")
    open_case(store, deadlines=(d,))
    assert store.fire_deadlines([fired(d, 10)], at(10)) == [("MG14-1", "comply_by")]
    for n, wanted in ((2, (deadline("MG14-1", "comply_by", "2027-01-01", "N11"),)), (3, ())):
        store.change_case(change("MG14-1", n, 10 * n, wanted), audit("MG14-1", 10 * n), [])
        assert store.case_deadlines("MG14-1") == [Deadline("MG14-1", "comply_by", "2026-12-01",
                                                           "N10", "fired", at(10))]
        assert store.due_deadlines("2099-12-31", 10) == []
    assert store.fire_deadlines([fired(d, 40)], at(40)) == []


# -- listing every case --------------------------------------------------------------------------
def test_iter_cases_yields_every_case_once_across_batches(store):
    refs = [f"MG14-{n}" for n in range(7)]
    for n, ref in enumerate(refs):
        open_case(store, ref, n)
    store.change_case(change("MG14-3", 2, 10, state="complied"), audit("MG14-3", 10), [])
    for batch in (1, 3, 7, 500):
        found = list(store.iter_cases(batch=batch))
        assert sorted(c.case_ref for c in found) == refs
        assert {c.case_ref: c for c in found}["MG14-3"] == store.get_case("MG14-3")
    assert len(list(store.iter_cases())) == 7
    with pytest.raises(ValueError):
        list(store.iter_cases(batch=0))


# -- failures ------------------------------------------------------------------------------------
def _fault_on_insert(store: SQLiteStore, table: str) -> SQLiteStore:
    """A trigger, added through sqlite3, aborts the next insert into `table`."""
    with closing(sqlite3.connect(store.path)) as connection:
        connection.execute(f"CREATE TRIGGER injected_fault BEFORE INSERT ON {table} "
                           "BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    return store


def failing(backend: Backend, table: str) -> Any:
    """The same data behind a store whose next write fails midway (in SQLite, at the first
    insert into `table`, after the rows before it; in DynamoDB, at TransactWriteItems, after
    the reads the change makes)."""
    if backend.name == "sqlite":
        return _fault_on_insert(backend.store, table)
    return DynamoDBStore(TABLE, FailingTransactions(backend.store.client))


@pytest.mark.parametrize("how", ["commit", "change_case"])
def test_a_failure_midway_through_a_case_change_leaves_nothing(backend, how):
    store = backend.store
    keep, drop = deadline("MG14-1", "keep", "2026-12-01"), deadline("MG14-1", "drop", "2026-12-02")
    open_case(store, deadlines=(keep, drop))
    store.commit(version("DIR-1", when=5), audit("DIR-1", 5), [])
    store.claim_key("user-1", "key-1", "fp", at(5), 60)
    before = snapshot(store, ("MG14-1",), ("DIR-1", "DIR-2"))
    moved = CaseChange(case("MG14-1", 2, "assessed", 10), [entry("MG14-1", 10)],
                       [deadline("MG14-1", "keep", "2026-12-09"),
                        deadline("MG14-1", "new", "2026-12-10")], ["DIR-1", "DIR-2"])
    broken = failing(backend, "deadlines")
    with pytest.raises(StoreError) as raised:
        if how == "commit":
            broken.commit(version("DIR-2", when=10), audit("DIR-2", 10),
                          [event("EV-D2", "DIR-2", 10)],
                          Completion("user-1", "key-1", {"status": 201}, "fp"), moved)
        else:
            broken.change_case(moved, audit("MG14-1", 10), [event("EV-T", "MG14-1", 10)])
    assert not isinstance(raised.value, VersionConflict)
    assert snapshot(store, ("MG14-1",), ("DIR-1", "DIR-2")) == before
    assert store.claim_key("user-1", "key-1", "fp", at(11), 60).outcome == "in_flight"


def test_a_failure_while_firing_fires_nothing(backend):
    due = (deadline("MG14-1", "a", "2026-12-01"), deadline("MG14-1", "b", "2026-12-01"))
    open_case(backend.store, deadlines=due)
    before = snapshot(backend.store, ("MG14-1",))
    with pytest.raises(StoreError):
        failing(backend, "outbox").fire_deadlines([fired(d, 10) for d in due], at(10))
    assert snapshot(backend.store, ("MG14-1",)) == before


def test_a_deadline_fired_while_a_change_was_computed_is_not_lost(backend):
    """In DynamoDB a change reads the deadlines before its transaction; a sweep firing one
    in between makes the change a VersionConflict (retry), never a resurrection."""
    d = deadline("MG14-1", "comply_by", "2026-12-01")
    open_case(backend.store, deadlines=(d,))
    moved = change("MG14-1", 2, 10, (deadline("MG14-1", "comply_by", "2026-12-20"),))
    store = backend.store
    if backend.name == "dynamodb":
        store = DynamoDBStore(TABLE, SweepBeforeTransaction(store.client, store, fired(d, 5)))
    else:
        store.fire_deadlines([fired(d, 5)], at(5))  # SQLite reads inside its transaction
    try:
        store.change_case(moved, audit("MG14-1", 10), [])
        conflicted = False
    except VersionConflict:
        conflicted = True
        backend.store.change_case(moved, audit("MG14-1", 10), [])  # the caller's retry
    assert conflicted == (backend.name == "dynamodb")
    assert status(backend.store, "MG14-1") == {"comply_by": ("fired", "2026-12-01", at(5))}
    assert backend.store.get_case("MG14-1").version == 2


class SweepBeforeTransaction(OneCallAtATime):
    """A boto3 client that lets a sweep fire a deadline just before the next transaction."""

    def __init__(self, client: Any, store: DynamoDBStore, firing: FiredDeadline) -> None:
        super().__init__(client)
        self._store, self._firing = store, firing

    def transact_write_items(self, **arguments: Any) -> dict[str, Any]:
        if self._firing is not None:
            firing, self._firing = self._firing, None
            assert self._store.fire_deadlines([firing], at(5))
        return self._client.transact_write_items(**arguments)


# -- DynamoDB specifics --------------------------------------------------------------------------
def test_dynamodb_refuses_a_change_too_big_for_one_transaction(moto_client):
    store = DynamoDBStore(TABLE, moto_client)
    open_case(store)
    before = snapshot(store, ("MG14-1",))
    many = tuple(entry("MG14-1", 10, what=f"e{n}") for n in range(99))  # + case + audit: 101
    with pytest.raises(StoreError, match="more than one DynamoDB transaction holds"):
        store.change_case(change("MG14-1", 2, 10, entries=many), audit("MG14-1", 10), [])
    assert snapshot(store, ("MG14-1",)) == before
    store.change_case(change("MG14-1", 2, 10, entries=many[:98]), audit("MG14-1", 10), [])
    assert len(store.case_entries("MG14-1")) == 1 + 98


class CountingCalls(OneCallAtATime):
    """A boto3 client that notes each operation it is asked for, with its index."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.calls: list[tuple[str, str | None]] = []

    def __getattr__(self, name: str) -> Any:
        call = super().__getattr__(name)
        if not callable(call):
            return call

        def noted(*arguments: Any, **keywords: Any) -> Any:
            self.calls.append((name, keywords.get("IndexName")))
            return call(*arguments, **keywords)
        return noted


def test_dynamodb_sweeps_and_lists_cases_by_query_never_scan(moto_client):
    client = CountingCalls(moto_client)
    store = DynamoDBStore(TABLE, client)
    for n in range(3):
        open_case(store, f"MG14-{n}", n, (deadline(f"MG14-{n}", "r", "2026-12-01"),))
    client.calls.clear()
    assert len(store.due_deadlines("2026-12-01", 10)) == 3
    assert len(list(store.iter_cases(batch=2))) == 3
    assert set(client.calls) == {("query", "due"), ("query", "listing")}
    assert client.calls.count(("query", "listing")) == 2  # two pages of two


def test_dynamodb_case_items_are_the_documented_key_design(moto_client):
    store = DynamoDBStore(TABLE, moto_client)
    d = deadline("MG14-1", "comply_by", "2026-12-01")
    open_case(store, deadlines=(d, deadline("MG14-1", "contact_by", "2026-12-02")))
    store.change_case(change("MG14-1", 2, 10, (d,)), audit("MG14-1", 10), [])
    store.fire_deadlines([fired(d, 20)], at(20))
    items = {(i["pk"]["S"], i["sk"]["S"]): i
             for i in moto_client.scan(TableName=TABLE, ConsistentRead=True)["Items"]
             if i["pk"]["S"].startswith("CASE#") or i["sk"]["S"] == "CASE"}
    assert {key: item["type"]["S"] for key, item in items.items()} == {
        ("CASE#MG14-1", "CASE"): "case", ("RECORD#MG14-1", "CASE"): "record_case",
        ("CASE#MG14-1", "RECORD#MG14-1"): "case_record",
        ("CASE#MG14-1", f"ENTRY#{at(0)}#0000000001#0000"): "case_entry",
        ("CASE#MG14-1", f"ENTRY#{at(10)}#0000000002#0000"): "case_entry",
        ("CASE#MG14-1", f"ENTRY#{at(20)}#F#comply_by"): "case_entry",
        ("CASE#MG14-1", "DEADLINE#comply_by"): "deadline",
        ("CASE#MG14-1", "DEADLINE#contact_by"): "deadline"}
    assert (items["CASE#MG14-1", "CASE"]["listing_pk"]["S"],
            items["CASE#MG14-1", "CASE"]["listing_sk"]["S"]) == ("CASES", "MG14-1")
    assert items["RECORD#MG14-1", "CASE"]["case_ref"]["S"] == "MG14-1"
    assert not any("due_pk" in item for item in items.values())  # fired and cleared: unindexed
    open_case(store, "MG14-2", 30, (deadline("MG14-2", "comply_by", "2026-12-03"),))
    pending = moto_client.get_item(TableName=TABLE, Key={"pk": {"S": "CASE#MG14-2"},
                                                         "sk": {"S": "DEADLINE#comply_by"}})
    assert (pending["Item"]["due_pk"]["S"], pending["Item"]["due_sk"]["S"]) == (
        "DEADLINE", "2026-12-03#MG14-2#comply_by")


# -- SQLite specifics ----------------------------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "UPDATE case_entries SET actor = 'someone-else'", "DELETE FROM case_entries",
    "UPDATE case_records SET case_ref = 'MG14-2'", "DELETE FROM case_records",
    "DELETE FROM cases", "DELETE FROM deadlines", "UPDATE cases SET version = 5",
    "UPDATE deadlines SET status = 'pending' WHERE reason = 'fired_one'",
    "UPDATE deadlines SET due_on = '2026-13' WHERE reason = 'pending_one'"])
def test_sqlite_refuses_to_rewrite_a_case_whoever_connects(sqlite_store, statement):
    d = deadline("MG14-1", "fired_one", "2026-12-01")
    open_case(sqlite_store, deadlines=(d, deadline("MG14-1", "pending_one", "2026-12-02")))
    sqlite_store.fire_deadlines([fired(d, 10)], at(10))
    before = snapshot(sqlite_store, ("MG14-1",))
    with closing(sqlite3.connect(sqlite_store.path)) as connection:
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute(statement)
    assert snapshot(sqlite_store, ("MG14-1",)) == before


def test_sqlite_finds_due_deadlines_through_the_pending_index(tmp_path):
    store = SQLiteStore(tmp_path / "one.sqlite3", connections=1)  # one connection to watch
    statements: list[str] = []
    with store._borrowed() as connection:
        connection.set_trace_callback(statements.append)
    store.due_deadlines("2026-12-01", 10)
    with store._borrowed() as connection:
        connection.set_trace_callback(None)
        plan = connection.execute(f"EXPLAIN QUERY PLAN {statements[-1]}").fetchall()
    store.close()
    assert "'2026-12-01'" in statements[-1]  # the statement the store ran, values bound
    assert [row[3] for row in plan] == ["SEARCH deadlines USING INDEX deadlines_due (due_on<?)"]
