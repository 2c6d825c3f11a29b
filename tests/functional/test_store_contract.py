"""One behavioural suite for every storage backend: SQLite in a temporary folder and
DynamoDB on moto. Faults are injected at the sqlite3 / boto3 boundary, never in our code."""

from __future__ import annotations

import datetime
import sqlite3
import stat
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from chalicelib.store import make_store
from chalicelib.store.base import (
    AuditEntry,
    Completion,
    IdempotencyClaim,
    InvalidCursor,
    KeyHeld,
    OutboxEvent,
    RecordVersion,
    StoreError,
    VersionConflict,
)
from chalicelib.store.dynamodb import DynamoDBStore, create_table, table_definition
from chalicelib.store.sqlite import SQLiteStore
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
START = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
TABLE = "dipforms-test"
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "eu-west-2"}


def at(seconds: float) -> str:
    """START plus `seconds`, as the callers pass timestamps."""
    moment = START + datetime.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def version(record_id: str, number: int = 1, when: float = 0, form: str = "mg14",
            **data: Any) -> RecordVersion:
    return RecordVersion(record_id=record_id, version=number, form_id=form, form_version="1.0",
                         data=data or {"surname": "Siân", "score": 1.5, "tests": [1, "opiates"]},
                         created_at=at(when), created_by=f"user-{number}", agency="dip-leeds",
                         reason=None if number == 1 else "corrected the date")


def audit(target: str, when: float = 0, action: str = "submit") -> AuditEntry:
    return AuditEntry(at=at(when), actor="user-1", role="dip_worker", agency="dip-leeds",
                      action=action, target=target, reason=None, request_id=f"req-{when}")


def event(event_id: str, record_id: str, when: float = 0, due: str = "") -> OutboxEvent:
    return OutboxEvent(event_id=event_id, record_id=record_id, event="submitted", form_id="mg14",
                       channel="file", recipient={"agency": "probation", "name": "Leeds"},
                       payload={"reference": record_id}, created_at=at(when), next_attempt_at=due)


class OneCallAtATime:
    """A boto3 client that lets one call reach moto at a time. moto undoes a cancelled
    transaction by restoring a copy of the whole table, without a lock, so concurrent calls
    can erase each other's writes; DynamoDB itself serialises writes per item. Threads still
    interleave between calls, which is where our races would be."""

    def __init__(self, client: Any) -> None:
        self._client, self._lock = client, threading.Lock()

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._client, name)
        if not callable(call):
            return call

        def one_at_a_time(*arguments: Any, **keywords: Any) -> Any:
            with self._lock:
                return call(*arguments, **keywords)
        return one_at_a_time


class FailingTransactions:
    """A boto3 DynamoDB client whose TransactWriteItems fails as the service can."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def transact_write_items(self, **arguments: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}},
                          "TransactWriteItems")


@dataclass
class Backend:
    name: str
    store: Any
    failing: Callable[[], Any]  # the same data behind a store whose next commit fails midway


def _failing_sqlite(store: SQLiteStore) -> SQLiteStore:
    """A trigger, added through sqlite3, aborts the commit after its record and audit rows."""
    with closing(sqlite3.connect(store.path)) as connection:
        connection.execute("CREATE TRIGGER injected_fault BEFORE INSERT ON outbox "
                           "BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    return store


@pytest.fixture
def moto_client(monkeypatch) -> Iterator[Any]:
    """A DynamoDB client on moto, with the table made by create_table."""
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-2")
        create_table(client, TABLE)
        yield client


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request, tmp_path) -> Iterator[Backend]:
    if request.param == "sqlite":
        store = SQLiteStore(tmp_path / "data" / "dipforms.sqlite3")
        yield Backend("sqlite", store, lambda: _failing_sqlite(store))
        store.close()
    else:
        client = OneCallAtATime(request.getfixturevalue("moto_client"))
        yield Backend("dynamodb", DynamoDBStore(TABLE, client),
                      lambda: DynamoDBStore(TABLE, FailingTransactions(client)))


@pytest.fixture
def store(backend: Backend) -> Any:
    return backend.store


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in `count` threads released at the same moment."""
    start, results = threading.Barrier(count), [None] * count

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# -- records ---------------------------------------------------------------------------------
def test_commit_then_read_latest_a_version_and_the_history(store):
    first = version("MG14-1")
    store.commit(first, audit("MG14-1"), [])
    assert store.get_version("MG14-1") == first
    assert store.get_version("MG14-1", 1) == first
    assert store.get_version("MG14-1", 2) is None
    assert store.get_version("MG14-NONE") is None
    assert store.list_versions("MG14-1") == [first]
    assert store.list_versions("MG14-NONE") == []


def test_an_amendment_keeps_the_earlier_version_readable(store):
    first, second = version("MG14-1"), version("MG14-1", 2, when=60, surname="Jones")
    store.commit(first, audit("MG14-1"), [])
    store.commit(second, audit("MG14-1", 60, "amend"), [])
    assert store.get_version("MG14-1") == second
    assert store.get_version("MG14-1", 1) == first
    assert store.list_versions("MG14-1") == [first, second]


def test_a_stale_or_skipping_version_conflicts_and_writes_nothing(store):
    store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-1", "MG14-1")])
    store.commit(version("MG14-1", 2, 10), audit("MG14-1", 10), [event("EV-2", "MG14-1", 10)])
    assert store.claim_key("user-2", "key-1", "fp", at(20), 60).outcome == "new"
    history, trail, events = (store.list_versions("MG14-1"), store.list_audit(),
                              store.list_events())
    for stale in (version("MG14-1", 2, 20, surname="Stale"), version("MG14-1", 4, 20),
                  version("MG14-1", 1, 20), version("MG14-NEW", 2, 20)):
        with pytest.raises(VersionConflict):
            store.commit(stale, audit(stale.record_id, 20, "amend"),
                         [event(f"EV-{stale.version}-late", stale.record_id, 20)],
                         Completion("user-2", "key-1", {"status": 200}, "fp"))
    assert store.list_versions("MG14-1") == history
    assert store.get_version("MG14-1").data == history[-1].data
    assert store.get_version("MG14-NEW") is None
    assert store.list_audit() == trail
    assert store.list_events() == events
    assert store.claim_key("user-2", "key-1", "fp", at(21), 60).outcome == "in_flight"


def test_concurrent_amendments_of_one_version_let_exactly_one_win(store):
    store.commit(version("MG14-1"), audit("MG14-1"), [])
    results = in_threads(10, lambda i: store.commit(version("MG14-1", 2, 5, surname=f"S{i}"),
                                                    audit("MG14-1", 5, "amend"), []))
    assert sum(result is None for result in results) == 1
    assert sum(isinstance(result, VersionConflict) for result in results) == 9
    assert [v.version for v in store.list_versions("MG14-1")] == [1, 2]
    assert len(store.list_audit("MG14-1")) == 2


def _all_pages(store, form: str, limit: int) -> list[list[RecordVersion]]:
    pages, cursor = [], None
    while True:
        page = store.list_records(form, limit, cursor)
        pages.append(page.items)
        if page.cursor is None:
            return pages
        cursor = page.cursor


def test_list_records_pages_newest_first_latest_versions_only_per_form(store):
    for n in range(7):
        store.commit(version(f"MG14-{n}", when=n), audit(f"MG14-{n}", n), [])
        store.commit(version(f"PC36-{n}", when=n + 0.5, form="pc36"), audit(f"PC36-{n}"), [])
    for amended in ("MG14-0", "MG14-5"):
        store.commit(version(amended, 2, 100, surname="Amended"), audit(amended, 100), [])
    pages = _all_pages(store, "mg14", 3)
    assert [len(page) for page in pages] == [3, 3, 1]
    listed = [item for page in pages for item in page]
    assert [item.record_id for item in listed] == [f"MG14-{n}" for n in range(6, -1, -1)]
    assert {item.record_id: item.version for item in listed if item.version > 1} == {
        "MG14-5": 2, "MG14-0": 2}
    assert listed[1] == store.get_version("MG14-5")
    assert [len(page) for page in _all_pages(store, "mg14", 7)] == [7]
    assert [p[0].record_id for p in _all_pages(store, "pc36", 4)] == ["PC36-6", "PC36-2"]
    assert _all_pages(store, "dir_activity", 5) == [[]]


def test_a_cursor_from_elsewhere_is_refused(store):
    for n in range(3):
        store.commit(version(f"MG14-{n}", when=n), audit(f"MG14-{n}"), [])
    cursor = store.list_records("mg14", 1).cursor
    for bad in ("not base64!", "bm90IGpzb24=", "WzEsMl0="):
        with pytest.raises(InvalidCursor):
            store.list_records("mg14", 1, bad)
    with pytest.raises(InvalidCursor):
        store.list_records("pc36", 1, cursor)


# -- idempotency -----------------------------------------------------------------------------
def test_idempotency_outcomes(store):
    assert store.claim_key("user-1", "key-1", "fp-a", at(0), 60) == IdempotencyClaim("new")
    assert store.claim_key("user-1", "key-1", "fp-a", at(1), 60).outcome == "in_flight"
    assert store.claim_key("user-1", "key-1", "fp-b", at(1), 60).outcome == "mismatch"
    assert store.claim_key("user-2", "key-1", "fp-b", at(1), 60).outcome == "new"  # per actor
    response = {"status": 201, "body": {"ok": True, "record": {"id": "MG14-1"}}}
    store.commit(version("MG14-1"), audit("MG14-1"), [],
                 Completion("user-1", "key-1", response, "fp-a"))
    assert store.claim_key("user-1", "key-1", "fp-a", at(2), 60) == IdempotencyClaim(
        "replay", response)
    assert store.claim_key("user-1", "key-1", "fp-b", at(2), 60).outcome == "mismatch"
    store.release_key("user-1", "key-1")  # only an in-flight claim is released
    assert store.claim_key("user-1", "key-1", "fp-a", at(59.999999), 60).outcome == "replay"
    assert store.claim_key("user-1", "key-1", "fp-b", at(60), 60).outcome == "new"  # expired


def test_an_expired_or_released_claim_is_new_again(store):
    assert store.claim_key("user-1", "key-1", "fp", at(0), 10).outcome == "new"
    assert store.claim_key("user-1", "key-1", "fp", at(9.999999), 10).outcome == "in_flight"
    assert store.claim_key("user-1", "key-1", "fp", at(10), 10).outcome == "new"
    store.release_key("user-1", "key-1")
    store.release_key("user-1", "never-claimed")
    assert store.claim_key("user-1", "key-1", "fp-other", at(11), 10).outcome == "new"


def test_a_claim_left_in_flight_is_taken_over_after_its_lease(store):
    """Finding 9: a process killed mid-submission left its key in flight; the resend takes
    it over once the lease has passed (by the time handed in), never before."""
    first = store.claim_key("user-1", "key-1", "fp", at(0), 3600, lease_seconds=30)
    assert first.outcome == "new" and first.claim_id
    assert store.claim_key("user-1", "key-1", "fp", at(29.999999), 3600, 30).outcome == "in_flight"
    assert store.claim_key("user-1", "key-1", "fp-b", at(29.999999), 3600, 30).outcome == "mismatch"
    second = store.claim_key("user-1", "key-1", "fp", at(30), 3600, lease_seconds=30)
    assert second.outcome == "new" and second.claim_id not in (None, first.claim_id)
    assert store.claim_key("user-1", "key-1", "fp", at(31), 3600, 30).outcome == "in_flight"
    # the first request, still running after all, can neither complete nor free the key
    store.release_key("user-1", "key-1", first.claim_id)
    assert store.claim_key("user-1", "key-1", "fp", at(32), 3600, 30).outcome == "in_flight"
    with pytest.raises(StoreError):
        store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-1", "MG14-1")],
                     Completion("user-1", "key-1", {"n": 1}, "fp", claim_id=first.claim_id))
    assert store.get_version("MG14-1") is None and store.list_events() == []
    store.commit(version("MG14-2"), audit("MG14-2"), [],
                 Completion("user-1", "key-1", {"n": 2}, "fp", claim_id=second.claim_id))
    # a done key is kept its whole time, lease or not
    assert store.claim_key("user-1", "key-1", "fp", at(3629), 3600, 30) == IdempotencyClaim(
        "replay", {"n": 2})
    assert store.claim_key("user-1", "key-1", "fp", at(3630), 3600, 30).outcome == "new"


def test_a_claim_taken_over_may_carry_another_body_and_frees_only_by_its_own_id(store):
    first = store.claim_key("user-1", "key-1", "fp-a", at(0), 60, lease_seconds=5)
    taken = store.claim_key("user-1", "key-1", "fp-b", at(5), 60, lease_seconds=5)
    assert taken.outcome == "new"  # the first stored nothing: its body binds nothing
    store.release_key("user-1", "key-1", first.claim_id)
    assert store.claim_key("user-1", "key-1", "fp-b", at(6), 60, 5).outcome == "in_flight"
    store.release_key("user-1", "key-1", taken.claim_id)
    assert store.claim_key("user-1", "key-1", "fp-c", at(6), 60, 5).outcome == "new"


def test_a_lease_longer_than_the_key_ends_with_the_key(store):
    assert store.claim_key("user-1", "key-1", "fp", at(0), 10, lease_seconds=30).outcome == "new"
    assert store.claim_key("user-1", "key-1", "fp", at(10), 10, 30).outcome == "new"


def test_twenty_concurrent_takeovers_of_an_expired_lease_give_exactly_one_new(store):
    store.claim_key("user-1", "key-1", "fp", at(0), 3600, lease_seconds=30)
    outcomes = in_threads(20, lambda i: store.claim_key(
        "user-1", "key-1", "fp", at(31), 3600, 30).outcome)
    assert Counter(outcomes) == {"new": 1, "in_flight": 19}


def test_twenty_concurrent_claims_of_one_key_give_exactly_one_new(store):
    for key in ("key-1", "key-2"):
        outcomes = in_threads(20, lambda i, key=key: store.claim_key(
            "user-1", key, "fp", at(0), 60).outcome)
        assert Counter(outcomes) == {"new": 1, "in_flight": 19}


def test_a_completion_needs_the_key_in_flight_with_its_fingerprint(store):
    store.claim_key("user-1", "key-1", "fp-a", at(0), 60)
    for wrong in (Completion("user-1", "never-claimed"), Completion("user-1", "key-1", {}, "fp-b")):
        with pytest.raises(StoreError) as raised:
            store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-1", "MG14-1")], wrong)
        assert not isinstance(raised.value, VersionConflict)
        assert store.get_version("MG14-1") is None
        assert store.list_audit() == [] and store.list_events() == []
    store.commit(version("MG14-1"), audit("MG14-1"), [], Completion("user-1", "key-1", {}, "fp-a"))
    assert store.claim_key("user-1", "key-1", "fp-a", at(1), 60).outcome == "replay"


@pytest.mark.parametrize("fault", ["colliding_event_id", "backend_fails_midway"])
def test_a_failed_commit_leaves_no_record_audit_or_event_and_the_key_in_flight(backend, fault):
    store = backend.store
    store.commit(version("MG14-0"), audit("MG14-0"), [event("EV-0", "MG14-0")])
    assert store.claim_key("user-1", "key-1", "fp", at(1), 60).outcome == "new"
    events = [event("EV-1", "MG14-1", 1), event("EV-0", "MG14-1", 1)]
    if fault == "backend_fails_midway":
        store, events = backend.failing(), events[:1]
    with pytest.raises(StoreError) as raised:
        store.commit(version("MG14-1", when=1), audit("MG14-1", 1), events,
                     Completion("user-1", "key-1", {"status": 201}, "fp"))
    assert not isinstance(raised.value, VersionConflict)
    store = backend.store
    assert store.get_version("MG14-1") is None and store.list_versions("MG14-1") == []
    assert store.list_audit("MG14-1") == [] and len(store.list_audit()) == 1
    assert [e.event_id for e in store.list_events()] == ["EV-0"]
    assert [r.record_id for r in store.list_records("mg14", 10).items] == ["MG14-0"]
    assert store.claim_key("user-1", "key-1", "fp", at(2), 60).outcome == "in_flight"


# -- the key claimed in the commit itself (issue 18: one durable write per submission) -----
def claiming(key: str = "key-1", fp: str = "fp-a", when: float = 0, actor: str = "user-1",
             response: dict | None = None) -> Completion:
    return Completion(actor, key, response or {"value": {"n": 1}}, fp, now=at(when),
                      ttl_seconds=60)


def test_a_commit_claims_its_key_and_a_held_key_writes_nothing(store):
    assert store.peek_key("user-1", "key-1", "fp-a", at(0)) is None
    store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-1", "MG14-1")], claiming())
    assert store.peek_key("user-1", "key-1", "fp-a", at(1)) == IdempotencyClaim(
        "replay", {"value": {"n": 1}})
    assert store.peek_key("user-1", "key-1", "fp-b", at(1)) == IdempotencyClaim("mismatch")
    assert store.claim_key("user-1", "key-1", "fp-a", at(1), 60).outcome == "replay"
    for fp, outcome in (("fp-a", "replay"), ("fp-b", "mismatch")):
        with pytest.raises(KeyHeld) as raised:
            store.commit(version("MG14-2", when=1), audit("MG14-2", 1),
                         [event("EV-2", "MG14-2", 1)], claiming(fp=fp, when=1))
        assert raised.value.claim.outcome == outcome
    assert raised.value.claim == IdempotencyClaim("mismatch")
    assert store.get_version("MG14-2") is None and store.list_audit("MG14-2") == []
    assert [e.event_id for e in store.list_events()] == ["EV-1"]
    # per actor, and free again once expired (another body may take it then)
    store.commit(version("MG14-3", when=1), audit("MG14-3", 1), [],
                 claiming(actor="user-2", fp="fp-b", when=1))
    assert store.peek_key("user-1", "key-1", "fp-b", at(60)) is None
    store.commit(version("MG14-4", when=60), audit("MG14-4", 60), [],
                 claiming(fp="fp-b", when=60, response={"value": {"n": 4}}))
    assert store.peek_key("user-1", "key-1", "fp-b", at(61)) == IdempotencyClaim(
        "replay", {"value": {"n": 4}})


def test_a_commit_respects_a_claim_in_flight_until_its_lease_ends(store):
    store.claim_key("user-1", "key-1", "fp-a", at(0), 60, lease_seconds=5)
    assert store.peek_key("user-1", "key-1", "fp-a", at(1)) == IdempotencyClaim("in_flight")
    with pytest.raises(KeyHeld) as raised:
        store.commit(version("MG14-1", when=1), audit("MG14-1", 1), [], claiming(when=1))
    assert raised.value.claim == IdempotencyClaim("in_flight")
    assert store.get_version("MG14-1") is None
    assert store.peek_key("user-1", "key-1", "fp-a", at(5)) is None    # its lease is over
    store.commit(version("MG14-1", when=5), audit("MG14-1", 5), [], claiming(when=5))
    assert store.claim_key("user-1", "key-1", "fp-a", at(6), 60).outcome == "replay"


def test_a_failed_claiming_commit_leaves_the_key_free(backend):
    store = backend.failing()
    with pytest.raises(StoreError) as raised:
        store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-1", "MG14-1")], claiming())
    assert not isinstance(raised.value, KeyHeld)
    store = backend.store
    assert store.peek_key("user-1", "key-1", "fp-a", at(1)) is None
    store.commit(version("MG14-1", when=1), audit("MG14-1", 1), [], claiming(when=1))
    assert store.peek_key("user-1", "key-1", "fp-a", at(2)).outcome == "replay"


def test_twenty_concurrent_commits_of_one_key_make_one_record(store):
    outcomes = in_threads(20, lambda i: store.commit(
        version(f"MG14-{i}"), audit(f"MG14-{i}"), [event(f"EV-{i}", f"MG14-{i}")],
        claiming(response={"value": {"n": i}})))
    made = [i for i, outcome in enumerate(outcomes) if outcome is None]
    assert len(made) == 1, outcomes
    assert all(isinstance(o, KeyHeld) and o.claim == IdempotencyClaim(
        "replay", {"value": {"n": made[0]}}) for i, o in enumerate(outcomes) if i != made[0])
    assert [r.record_id for r in store.list_records("mg14", 50).items] == [f"MG14-{made[0]}"]
    assert len(store.list_events()) == 1 and len(store.list_audit()) == 1


# -- audit -----------------------------------------------------------------------------------
def test_audit_lists_newest_first_by_target_and_limit(store):
    entries = [audit("MG14-1", 0), audit("mg14", 1, "list"), audit("MG14-1", 2, "read"),
               AuditEntry(at(3), "user-9", "admin", "dip-hq", "amend", "MG14-1",
                          reason="wrong date", request_id=None)]
    store.commit(version("MG14-1"), entries[0], [])
    for entry in entries[1:]:
        store.append_audit(entry)
    assert store.list_audit() == entries[::-1]
    assert store.list_audit("MG14-1") == [entries[3], entries[2], entries[0]]
    assert store.list_audit("MG14-1", limit=2) == [entries[3], entries[2]]
    assert store.list_audit("nobody") == []


# -- outbox ----------------------------------------------------------------------------------
def _one(store, event_id: str) -> OutboxEvent:
    return next(e for e in store.list_events() if e.event_id == event_id)


def test_outbox_due_lease_fail_dead_requeue_and_sent(store):
    store.commit(version("MG14-1"), audit("MG14-1"), [
        event("EV-a", "MG14-1", 0, due=at(0)), event("EV-b", "MG14-1", 0, due=at(5)),
        event("EV-c", "MG14-1", 1)])  # no next_attempt_at: due from created_at
    assert [e.event_id for e in store.due_events(at(2), 10)] == ["EV-a", "EV-c"]
    assert [e.event_id for e in store.due_events(at(5), 10)] == ["EV-a", "EV-c", "EV-b"]
    assert [e.event_id for e in store.due_events(at(9), 2)] == ["EV-a", "EV-c"]
    assert store.lease_event("EV-a", at(2), until=at(32))
    assert not store.lease_event("EV-a", at(2), until=at(32))  # a second dispatcher loses
    assert [e.event_id for e in store.due_events(at(31), 10)] == ["EV-c", "EV-b"]
    assert store.lease_event("EV-a", at(32), until=at(62))  # the first lease ran out
    store.mark_failed("EV-a", "smtp timeout", at(100))
    failed = _one(store, "EV-a")
    assert (failed.status, failed.attempts, failed.next_attempt_at, failed.last_error) == (
        "pending", 1, at(100), "smtp timeout")
    assert "EV-a" not in [e.event_id for e in store.due_events(at(99), 10)]
    assert store.lease_event("EV-a", at(100), until=at(130))
    store.mark_failed("EV-a", "mailbox refused", None)
    assert (_one(store, "EV-a").status, _one(store, "EV-a").attempts) == ("dead", 2)
    assert [e.event_id for e in store.list_events("dead")] == ["EV-a"]
    assert "EV-a" not in [e.event_id for e in store.due_events(at(10_000), 10)]
    assert not store.lease_event("EV-a", at(10_000), until=at(10_030))
    assert store.requeue("EV-a", at(200)) and not store.requeue("EV-a", at(200))
    again = _one(store, "EV-a")
    assert (again.status, again.attempts, again.next_attempt_at) == ("pending", 0, at(200))
    store.mark_sent("EV-b", at(6))
    store.mark_failed("EV-b", "late failure", None)  # a sent event stays sent
    sent = _one(store, "EV-b")
    assert (sent.status, sent.sent_at, sent.attempts) == ("sent", at(6), 0)
    assert [e.event_id for e in store.list_events("sent")] == ["EV-b"]
    assert [e.event_id for e in store.list_events("pending")] == ["EV-a", "EV-c"]
    assert [e.event_id for e in store.due_events(at(300), 10)] == ["EV-c", "EV-a"]
    assert [e.event_id for e in store.list_events(limit=2)] == ["EV-a", "EV-b"]
    assert _one(store, "EV-c") == event("EV-c", "MG14-1", 1, due=at(1))


def test_outbox_rejects_unknown_events(store):
    for change in (lambda: store.mark_sent("EV-x", at(0)),
                   lambda: store.mark_failed("EV-x", "boom", None)):
        with pytest.raises(StoreError):
            change()
    assert not store.requeue("EV-x", at(0)) and not store.lease_event("EV-x", at(0), at(30))


def test_concurrent_leases_of_one_event_give_it_to_one_dispatcher(store):
    store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-a", "MG14-1")])
    assert in_threads(10, lambda i: store.lease_event("EV-a", at(1), at(31))).count(True) == 1


# -- SQLite specifics ------------------------------------------------------------------------
@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "data" / "dipforms.sqlite3")
    yield store
    store.close()


@pytest.mark.parametrize("statement", [
    "UPDATE audit SET actor = 'someone-else'", "DELETE FROM audit",
    "UPDATE records SET data = '{}'", "DELETE FROM records", "DELETE FROM record_heads",
    "UPDATE record_heads SET latest_version = 7", "DELETE FROM outbox",
    "INSERT INTO records SELECT record_id, 3, form_id, form_version, data, created_at, "
    "created_by, agency, reason FROM records"])
def test_sqlite_refuses_to_rewrite_history_whoever_connects(sqlite_store, statement):
    sqlite_store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-1", "MG14-1")])
    with closing(sqlite3.connect(sqlite_store.path)) as connection:
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute(statement)
    assert sqlite_store.list_versions("MG14-1") == [version("MG14-1")]
    assert sqlite_store.list_audit() == [audit("MG14-1")] and sqlite_store.list_events()


def test_sqlite_file_is_wal_synchronous_full_and_private(sqlite_store):
    with closing(sqlite3.connect(sqlite_store.path)) as fresh:
        assert fresh.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    expected = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000}
    assert sqlite_store.pragmas() == expected
    assert in_threads(4, lambda i: sqlite_store.pragmas()) == [expected] * 4
    assert stat.S_IMODE(sqlite_store.path.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE(sqlite_store.path.parent.stat().st_mode) & 0o077 == 0


def test_sqlite_schema_is_made_once_and_a_newer_schema_is_refused(sqlite_store):
    sqlite_store.commit(version("MG14-1"), audit("MG14-1"), [])
    sqlite_store.close()
    reopened = SQLiteStore(sqlite_store.path)
    assert reopened.schema_version() == 1 and reopened.get_version("MG14-1") == version("MG14-1")
    reopened.close()
    with closing(sqlite3.connect(sqlite_store.path)) as connection:
        assert connection.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1
        connection.execute("INSERT INTO schema_version VALUES (2)")
        connection.commit()
    with pytest.raises(StoreError, match="schema 2"):
        SQLiteStore(sqlite_store.path)


# -- DynamoDB specifics and the registry -------------------------------------------------------
def test_dynamodb_table_definition_is_what_create_table_makes(moto_client):
    definition = table_definition("dipforms-prod", kms_key_id="alias/dipforms")
    assert definition["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert definition["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS",
                                              "KMSMasterKeyId": "alias/dipforms"}
    assert definition["TimeToLiveSpecification"] == {"AttributeName": "expires", "Enabled": True}
    assert definition["BillingMode"] == "PAY_PER_REQUEST"
    made = moto_client.describe_table(TableName=TABLE)["Table"]
    assert made["KeySchema"] == definition["KeySchema"]
    assert sorted((i["IndexName"], str(i["KeySchema"])) for i in made["GlobalSecondaryIndexes"]
                  ) == sorted((i["IndexName"], str(i["KeySchema"]))
                              for i in definition["GlobalSecondaryIndexes"])
    assert moto_client.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"] == {
        "AttributeName": "expires", "TimeToLiveStatus": "ENABLED"}
    store = make_store("dynamodb", table=TABLE, region="eu-west-2")  # its own boto3 client
    assert store.claim_key("user-1", "key-1", "fp", at(0), 60).outcome == "new"
    assert store.list_records("mg14", 5).items == []


def test_dynamodb_items_are_the_documented_key_design(moto_client):
    store = DynamoDBStore(TABLE, moto_client)
    store.claim_key("user/1#x", "key-1", "fp", at(0), 3600)
    store.commit(version("MG14-1"), audit("MG14-1"), [event("EV-a", "MG14-1"),
                                                      event("EV-b", "MG14-1")],
                 Completion("user/1#x", "key-1", {"status": 201}, "fp"))
    store.mark_sent("EV-b", at(1))
    items = {(i["pk"]["S"], i["sk"]["S"].split("#")[0]): i
             for i in moto_client.scan(TableName=TABLE, ConsistentRead=True)["Items"]}
    assert {key: item["type"]["S"] for key, item in items.items()} == {
        ("RECORD#MG14-1", "V"): "record_version", ("RECORD#MG14-1", "LATEST"): "record_latest",
        ("AUDIT#MG14-1", at(0)): "audit", ("OUTBOX#EV-a", "EVENT"): "outbox_event",
        ("OUTBOX#EV-b", "EVENT"): "outbox_event", ("IDEM#user%2F1%23x#key-1", "IDEM"):
        "idempotency_key"}
    assert items["RECORD#MG14-1", "V"]["sk"]["S"] == "V#0000000001"
    assert items["RECORD#MG14-1", "LATEST"]["listing_pk"]["S"] == "FORM#mg14"
    assert items["AUDIT#MG14-1", at(0)]["listing_pk"]["S"] == "AUDIT"
    assert (items["OUTBOX#EV-a", "EVENT"]["due_pk"]["S"], items["OUTBOX#EV-a", "EVENT"][
        "listing_pk"]["S"]) == ("DUE", "OUTBOX#pending")
    assert "due_pk" not in items["OUTBOX#EV-b", "EVENT"]
    idempotency = items["IDEM#user%2F1%23x#key-1", "IDEM"]
    assert int(idempotency["expires"]["N"]) == int(START.timestamp()) + 3600
    assert (idempotency["status"]["S"], idempotency["expires_at"]["S"]) == ("done", at(3600))


class RetriedPuts(OneCallAtATime):
    """A client whose PutItem is sent twice, as botocore does when a response is lost."""

    def put_item(self, **arguments: Any) -> dict[str, Any]:
        self._client.put_item(**arguments)
        return self._client.put_item(**arguments)


def test_dynamodb_claim_is_new_when_botocore_retried_its_put(moto_client):
    retried = DynamoDBStore(TABLE, RetriedPuts(moto_client))
    assert retried.claim_key("user-1", "key-1", "fp", at(0), 60).outcome == "new"
    assert retried.claim_key("user-1", "key-1", "fp", at(1), 60).outcome == "in_flight"


def test_the_sqlite_store_is_made_without_importing_boto3(tmp_path):
    program = ("import sys; sys.path.insert(0, 'api'); from chalicelib.store import make_store; "
               "store = make_store('sqlite', data_dir=sys.argv[1], table=None, region=None); "
               "print(type(store).__name__, 'boto3' in sys.modules, 'botocore' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", program, str(tmp_path)], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["SQLiteStore", "False", "False"]
    assert (tmp_path / "dipforms.sqlite3").is_file()
    with pytest.raises(ValueError, match="known: dynamodb, sqlite"):
        make_store("postgres")


def test_a_sqlite_store_made_before_leases_gains_their_columns_on_open(tmp_path):
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as old:
        old.execute("""CREATE TABLE idempotency (
             actor TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
             status TEXT NOT NULL CHECK (status IN ('in_flight', 'done')),
             response TEXT CHECK (response IS NULL OR json_valid(response)),
             expires_at TEXT NOT NULL, PRIMARY KEY (actor, key)) STRICT""")
        old.execute("INSERT INTO idempotency VALUES ('user-1', 'old', 'fp', 'in_flight', NULL, ?)",
                    (at(3600),))
        old.commit()
    store = SQLiteStore(path)
    # a claim made before leases (no lease_until) holds for its whole time, as it promised
    assert store.claim_key("user-1", "old", "fp", at(60), 3600, 30).outcome == "in_flight"
    assert store.claim_key("user-1", "new", "fp", at(0), 3600, 30).outcome == "new"
    assert store.claim_key("user-1", "new", "fp", at(30), 3600, 30).outcome == "new"
    store.close()
