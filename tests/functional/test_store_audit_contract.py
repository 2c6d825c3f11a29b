# ruff: noqa: F811 (the fixtures imported from test_store_contract are parameter names)
"""The audit part of the Store contract, for every backend: SQLite in a temporary folder and
DynamoDB on moto (the fixtures of test_store_contract.py). Paging the log by case (the case
and its records), by user and by time, newest first, with cursors bound to their query."""

from __future__ import annotations

import base64
import json
import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest
from chalicelib.store.base import AuditEntry, AuditQuery, InvalidCursor, audit_cursor
from chalicelib.store.dynamodb import DynamoDBStore
from chalicelib.store.sqlite import SQLiteStore

from tests.functional.test_store_cases_contract import change, open_case
from tests.functional.test_store_contract import (  # noqa: F401 - fixtures used by name
    TABLE,
    at,
    audit,
    backend,
    moto_client,
    sqlite_store,
    store,
    version,
)


def entry(target: str, when: float, actor: str = "user-1", action: str = "read",
          **more) -> AuditEntry:
    return AuditEntry(at=at(when), actor=actor, role="dip_worker", agency="dip-leeds",
                      action=action, target=target, request_id=f"req-{when}", **more)


def everything(store, query: AuditQuery, limit: int) -> list[list[AuditEntry]]:
    """Every page of `query`, following the cursors to the end."""
    pages, cursor = [], None
    while True:
        page = store.page_audit(query, limit, cursor)
        pages.append(page.items)
        if page.cursor is None:
            return pages
        cursor = page.cursor


@pytest.fixture
def logged(store) -> list[AuditEntry]:
    """A case MG14-1 with a DIR attached, another case, and entries by two users, oldest
    first: what each query below picks from."""
    open_case(store, "MG14-1", 0)
    store.commit(version("DIR-1", when=5, form="dir"), audit("DIR-1", 5), [],
                 case_change=change("MG14-1", 2, 5, records=("DIR-1",)))
    open_case(store, "MG14-2", 6)
    entries = [entry("MG14-1", 10, action="case_read"), entry("DIR-1", 20, "pc_jones"),
               entry("MG14-2", 30), entry("dashboard", 40, "admin-1", "dashboard_export"),
               entry("MG14-1", 50, "pc_jones", "case_read"),
               entry("DIR-1", 60, action="amend", reason_ref="DIR-1@v2"),
               entry("MG14-1", 70, "pc_jones", "case_read_denied")]
    for n, one in enumerate(entries):    # a read's entry (durable=False) is logged alike
        store.append_audit(one, durable=n % 2 == 0)
    return [audit("MG14-1", 0), audit("DIR-1", 5), audit("MG14-2", 6), *entries]


def test_the_whole_log_pages_newest_first_to_the_end(store, logged):
    pages = everything(store, AuditQuery(), 4)
    assert [len(p) for p in pages] == [4, 4, 2]
    assert [e for p in pages for e in p] == logged[::-1]
    assert store.page_audit(AuditQuery(), 100).cursor is None


def test_by_case_finds_the_case_and_its_records_only(store, logged):
    found = [e for p in everything(store, AuditQuery(case="MG14-1"), 2) for e in p]
    assert found == [e for e in logged[::-1] if e.target in ("MG14-1", "DIR-1")]
    assert store.page_audit(AuditQuery(case="MG14-9"), 10).items == []


def test_by_user_and_by_time_and_all_at_once(store, logged):
    by_jones = [e for p in everything(store, AuditQuery(actor="pc_jones"), 1) for e in p]
    assert [e.at for e in by_jones] == [at(70), at(50), at(20)]
    window = AuditQuery(since=at(20), before=at(60))  # since inclusive, before exclusive
    assert [e.at for e in store.page_audit(window, 10).items] == [at(50), at(40), at(30),
                                                                  at(20)]
    narrow = AuditQuery(case="MG14-1", actor="pc_jones", since=at(21))
    assert [e.at for p in everything(store, narrow, 1) for e in p] == [at(70), at(50)]
    assert store.page_audit(AuditQuery(since=at(80)), 10).items == []
    assert store.page_audit(AuditQuery(since=at(50), before=at(20)), 10).items == []


def test_the_reason_ref_and_an_old_entrys_reason_come_back_as_written(store, logged):
    old = entry("MG14-1", 80, action="amend", reason="free text of an older release")
    store.append_audit(old)
    first = store.page_audit(AuditQuery(case="MG14-1"), 3).items[0]
    assert first == old and first.reason_ref is None
    assert store.page_audit(AuditQuery(actor="user-1", since=at(60), before=at(61)),
                            5).items[0].reason_ref == "DIR-1@v2"


@pytest.mark.parametrize("cursor", ["not base64 !", base64.urlsafe_b64encode(b"[1,2]").decode(),
                                    base64.urlsafe_b64encode(b"{}").decode(), ""])
def test_a_cursor_the_store_did_not_issue_is_refused(store, logged, cursor):
    with pytest.raises(InvalidCursor):
        store.page_audit(AuditQuery(), 2, cursor)


def test_a_cursor_is_good_only_for_the_query_it_was_issued_for(store, logged):
    cursor = store.page_audit(AuditQuery(case="MG14-1"), 1).cursor
    assert cursor is not None
    for other in (AuditQuery(), AuditQuery(case="MG14-2"), AuditQuery(case="MG14-1",
                                                                       actor="pc_jones")):
        with pytest.raises(InvalidCursor):
            store.page_audit(other, 1, cursor)
    forged = audit_cursor(AuditQuery(), "1 OR 1=1")  # the right query, a position made up
    with pytest.raises(InvalidCursor):
        store.page_audit(AuditQuery(), 1, forged)


def test_a_page_limit_below_one_is_a_mistake(store):
    with pytest.raises(ValueError):
        store.page_audit(AuditQuery(), 0)


# -- what each backend keeps ---------------------------------------------------------------------
def test_sqlite_gives_an_older_audit_table_its_reason_ref_column(tmp_path):
    path = tmp_path / "old.sqlite3"
    SQLiteStore(path).close()
    with closing(sqlite3.connect(path)) as connection:  # the table as the first release made it
        connection.executescript(
            "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TABLE audit;"
            "CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
            " actor TEXT NOT NULL, role TEXT NOT NULL, agency TEXT NOT NULL,"
            " action TEXT NOT NULL, target TEXT NOT NULL, reason TEXT, request_id TEXT) STRICT;"
            "INSERT INTO audit (at, actor, role, agency, action, target, reason) VALUES"
            " ('2026-11-25T10:00:00.000000Z', 'u', 'cjit', 'a', 'amend', 'DIR-1', 'old text');")
    store = SQLiteStore(path)
    [old] = store.page_audit(AuditQuery(), 5).items
    assert (old.reason, old.reason_ref) == ("old text", None)
    store.append_audit(replace(old, at=at(1), reason=None, reason_ref="DIR-1@v3"))
    assert [e.reason_ref for e in store.page_audit(AuditQuery(), 5).items] == ["DIR-1@v3", None]
    with closing(sqlite3.connect(path)) as connection, pytest.raises(sqlite3.DatabaseError):
        connection.execute("UPDATE audit SET reason = NULL")  # still append-only
    store.close()


def test_sqlite_keeps_a_read_s_entry_without_its_own_fsync_then_syncs_again(tmp_path):
    """A read's entry is committed with synchronous=NORMAL (WAL: safe from a crash of the
    process); the connection goes back to FULL, so the next durable write syncs both."""
    path = tmp_path / "audit.sqlite3"
    store = SQLiteStore(path, connections=1)     # one connection: the one the entry used
    store.append_audit(entry("MG14-1", 10, action="list"), durable=False)
    assert store.pragmas()["synchronous"] == 2   # FULL
    store.append_audit(entry("MG14-1", 20, action="read_denied"))
    store.close()
    reopened = SQLiteStore(path)
    assert [e.action for e in reopened.page_audit(AuditQuery(), 5).items] == [
        "read_denied", "list"]
    reopened.close()


def test_dynamodb_audit_items_are_in_the_user_index(moto_client):
    store = DynamoDBStore(TABLE, moto_client)
    store.append_audit(entry("MG14-1", 10, "pc_jones", reason_ref="MG14-1@v2"))
    [item] = moto_client.query(TableName=TABLE, IndexName="audit_actor",
                               KeyConditionExpression="audit_actor = :a",
                               ExpressionAttributeValues={":a": {"S": "pc_jones"}})["Items"]
    assert item["pk"] == {"S": "AUDIT#MG14-1"} and item["sk"]["S"].startswith(at(10) + "#")
    assert item["reason_ref"] == {"S": "MG14-1@v2"}
    assert json.dumps(item).count("pc_jones") == 2  # actor and audit_actor, nothing else
