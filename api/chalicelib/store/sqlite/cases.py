"""The SQLite store's cases: a change (the case row, its attached records, timeline entries
and deadlines) applied inside one write transaction, the case reads, and the sweep's
deadlines. What a change may do is decided in base.py; here it is only written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from ..base import (
    AuditEntry,
    CaseChange,
    CaseEntry,
    CaseState,
    Deadline,
    FiredDeadline,
    OutboxEvent,
    StoreError,
    check_case_version,
    check_change,
    check_fired,
    from_columns,
    plan_deadlines,
    require_positive,
    to_columns,
)
from .audit import insert_audit
from .database import Database, insert_statement
from .outbox import insert_events

DEADLINE_COLUMNS = "case_ref, reason, due_on, event, status, fired_at"
DEADLINES_OF_CASE = f"SELECT {DEADLINE_COLUMNS} FROM deadlines WHERE case_ref = ? ORDER BY reason"
INSERT_CASE = insert_statement("cases", CaseState)
INSERT_ENTRY = insert_statement("case_entries", CaseEntry)
INSERT_DEADLINE = insert_statement("deadlines", Deadline)


def _case(row: sqlite3.Row) -> CaseState:
    return from_columns(CaseState, row.__getitem__)


def _deadline(row: sqlite3.Row) -> Deadline:
    return from_columns(Deadline, row.__getitem__)


def apply_change(connection: sqlite3.Connection, change: CaseChange) -> None:
    """Within a write transaction: the case's version check and row, the attached records,
    the timeline entries and the wanted deadlines."""
    c = change.case
    found = connection.execute("SELECT version FROM cases WHERE case_ref = ?",
                               (c.case_ref,)).fetchone()
    check_case_version(c, None if found is None else found[0])
    if found is None:
        connection.execute(INSERT_CASE, to_columns(c))
    else:
        connection.execute("UPDATE cases SET process = :process, state = :state, "
                           "version = :version, opened_at = :opened_at, "
                           "updated_at = :updated_at, facts = :facts, closed = :closed "
                           "WHERE case_ref = :case_ref", to_columns(c))
    for position, record_id in enumerate(change.record_ids):
        held = connection.execute("SELECT case_ref FROM case_records WHERE record_id = ?",
                                  (record_id,)).fetchone()
        if held is not None and held[0] != c.case_ref:
            raise StoreError(f"record {record_id} is attached to another case")
        if held is None:
            if connection.execute("SELECT 1 FROM record_heads WHERE record_id = ?",
                                  (record_id,)).fetchone() is None:
                raise StoreError(f"no record {record_id} to attach")
            connection.execute("INSERT INTO case_records VALUES (?, ?, ?, ?)",
                               (record_id, c.case_ref, c.version, position))
    connection.executemany(INSERT_ENTRY, [to_columns(entry) for entry in change.entries])
    stored = [_deadline(row) for row in connection.execute(DEADLINES_OF_CASE, (c.case_ref,))]
    writes = plan_deadlines(stored, change.deadlines)
    for wanted, seen in writes.put:
        if seen is None:
            connection.execute(INSERT_DEADLINE, to_columns(wanted))
        else:
            connection.execute("UPDATE deadlines SET due_on = :due_on, event = :event, "
                               "status = 'pending' WHERE case_ref = :case_ref "
                               "AND reason = :reason", to_columns(wanted))
    connection.executemany("UPDATE deadlines SET status = 'cleared' WHERE case_ref = ? "
                           "AND reason = ?", [(d.case_ref, d.reason) for d in writes.clear])


class Cases(Database):
    def change_case(self, change: CaseChange, audit: AuditEntry,
                    events: list[OutboxEvent]) -> None:
        check_change(change)
        with self._writing() as connection:
            apply_change(connection, change)
            insert_audit(connection, audit)
            insert_events(connection, events)

    def get_case(self, case_ref: str) -> CaseState | None:
        rows = self._rows("SELECT * FROM cases WHERE case_ref = ?", (case_ref,))
        return _case(rows[0]) if rows else None

    def case_of_record(self, record_id: str) -> str | None:
        rows = self._rows("SELECT case_ref FROM case_records WHERE record_id = ?", (record_id,))
        return rows[0][0] if rows else None

    def case_records(self, case_ref: str) -> list[str]:
        return [row[0] for row in self._rows(
            "SELECT record_id FROM case_records WHERE case_ref = ? "
            "ORDER BY case_version, position", (case_ref,))]

    def case_entries(self, case_ref: str) -> list[CaseEntry]:
        """Oldest first by `at`; entries written at the same moment in the order written."""
        return [from_columns(CaseEntry, row.__getitem__) for row in self._rows(
            "SELECT * FROM case_entries WHERE case_ref = ? ORDER BY at, seq", (case_ref,))]

    def case_deadlines(self, case_ref: str) -> list[Deadline]:
        """Every deadline of the case, whatever its status, by reason."""
        return [_deadline(row) for row in self._rows(DEADLINES_OF_CASE, (case_ref,))]

    def iter_cases(self, batch: int = 500) -> Iterator[CaseState]:
        """In case_ref order, one short read per batch (no read held open between them)."""
        require_positive("batch", batch)
        after = ""
        while True:
            rows = self._rows("SELECT * FROM cases WHERE case_ref > ? ORDER BY case_ref "
                              "LIMIT ?", (after, batch))
            yield from (_case(row) for row in rows)
            if len(rows) < batch:
                return
            after = rows[-1]["case_ref"]

    def due_deadlines(self, today: str, limit: int) -> list[Deadline]:
        """By due date, then case and reason; read through the partial index of pending ones."""
        require_positive("limit", limit)
        return [_deadline(row) for row in self._rows(
            f"SELECT {DEADLINE_COLUMNS} FROM deadlines WHERE status = 'pending' AND due_on <= ? "
            "ORDER BY due_on, case_ref, reason LIMIT ?", (today, limit))]

    def fire_deadlines(self, fired: list[FiredDeadline], now: str) -> list[tuple[str, str]]:
        """All in one transaction (so a failure fires none); each only if still pending."""
        check_fired(fired)
        done: list[tuple[str, str]] = []
        with self._writing() as connection:
            for each in fired:
                d = each.deadline
                if connection.execute("UPDATE deadlines SET status = 'fired', fired_at = ? "
                                      "WHERE case_ref = ? AND reason = ? AND status = 'pending'",
                                      (now, d.case_ref, d.reason)).rowcount != 1:
                    continue
                connection.execute(INSERT_ENTRY, to_columns(each.entry))
                insert_events(connection, each.events)
                done.append((d.case_ref, d.reason))
        return done
