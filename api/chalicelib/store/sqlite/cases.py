"""The SQLite store's cases: a change (the case row, its attached records, timeline entries
and deadlines) applied inside one write transaction, the case reads, and the sweep's
deadlines. What a change may do is decided in base.py; here it is only written."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator

from ..base import (
    ALL_CASES,
    AuditEntry,
    CaseChange,
    CaseEntry,
    CasePage,
    CaseQuery,
    CaseState,
    Deadline,
    FiredDeadline,
    ListedCase,
    OutboxEvent,
    StoreError,
    case_cursor,
    case_position,
    check_case_version,
    check_change,
    check_fired,
    from_columns,
    listing_rows,
    plan_deadlines,
    require_positive,
    timeline_window,
    to_columns,
)
from .audit import INSERT_AUDIT
from .dashboard import apply_dashboard
from .database import Database, insert_statement
from .outbox import INSERT_EVENT, insert_events, outbox_rows

DEADLINE_COLUMNS = "case_ref, reason, due_on, event, status, fired_at"
DEADLINES_OF_CASE = f"SELECT {DEADLINE_COLUMNS} FROM deadlines WHERE case_ref = ? ORDER BY reason"
INSERT_CASE = insert_statement("cases", CaseState)
INSERT_ENTRY = insert_statement("case_entries", CaseEntry)
INSERT_DEADLINE = insert_statement("deadlines", Deadline)
INSERT_LISTED = insert_statement("case_index", ListedCase)
#: A case's list rows with the deadlines of its ALL_CASES row, the one that keeps them
#: (rows of a store made before keep their own copy, the same).
LISTED = ("SELECT i.agency, i.case_ref, i.state, i.closed, i.opened_at, i.updated_at, "
          "i.condition_type, i.next_due, coalesce(a.due, i.due) AS due FROM case_index i "
          f"LEFT JOIN case_index a ON a.agency = '{ALL_CASES}' AND a.case_ref = i.case_ref")


def _case(row: sqlite3.Row) -> CaseState:
    return from_columns(CaseState, row.__getitem__)


def _deadline(row: sqlite3.Row) -> Deadline:
    return from_columns(Deadline, row.__getitem__)


@dataclasses.dataclass(frozen=True)
class Rows:
    """A case change as the rows it writes, built before the writers' turn is taken (the
    JSON of facts, details and deadlines made outside the write transaction)."""

    change: CaseChange
    case: dict
    entries: list[dict]
    listed: list[dict] | None      # None: the change writes no listing
    terms: list[tuple[str, str]] | None


def rows_of(change: CaseChange) -> Rows:
    listing, ref = change.listing, change.case.case_ref
    listed = None if listing is None else [
        to_columns(row if row.agency == ALL_CASES else dataclasses.replace(row, due={}))
        for row in listing_rows(change)]
    terms = (None if listing is None or listing.terms is None
             else [(term, ref) for term in listing.terms])
    return Rows(change, to_columns(change.case), [to_columns(e) for e in change.entries],
                listed, terms)


def apply_change(connection: sqlite3.Connection, change: CaseChange | Rows) -> None:
    """Within a write transaction: the case's version check and row, the attached records,
    the timeline entries and the wanted deadlines (`change` as rows_of made it, or made
    here)."""
    rows = change if isinstance(change, Rows) else rows_of(change)
    change = rows.change
    c = change.case
    found = connection.execute("SELECT * FROM cases WHERE case_ref = ?",
                               (c.case_ref,)).fetchone()
    check_case_version(c, None if found is None else found["version"])
    if found is None:
        connection.execute(INSERT_CASE, rows.case)
    else:
        connection.execute("UPDATE cases SET process = :process, state = :state, "
                           "version = :version, opened_at = :opened_at, "
                           "updated_at = :updated_at, facts = :facts, closed = :closed "
                           "WHERE case_ref = :case_ref", rows.case)
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
    connection.executemany(INSERT_ENTRY, rows.entries)
    stored = [_deadline(row) for row in connection.execute(DEADLINES_OF_CASE, (c.case_ref,))]
    writes = plan_deadlines(stored, change.deadlines)
    connection.executemany(INSERT_DEADLINE, [to_columns(wanted) for wanted, seen in writes.put
                                             if seen is None])
    connection.executemany("UPDATE deadlines SET due_on = :due_on, event = :event, "
                           "status = 'pending' WHERE case_ref = :case_ref "
                           "AND reason = :reason", [to_columns(wanted) for wanted, seen
                                                    in writes.put if seen is not None])
    connection.executemany("UPDATE deadlines SET status = 'cleared' WHERE case_ref = ? "
                           "AND reason = ?", [(d.case_ref, d.reason) for d in writes.clear])
    apply_listing(connection, rows)
    apply_dashboard(connection, None if found is None else _case(found), change)


def apply_listing(connection: sqlite3.Connection, change: CaseChange | Rows) -> None:
    """Within the change's transaction: the case's list rows, and its terms when given."""
    rows = change if isinstance(change, Rows) else rows_of(change)
    if rows.listed is None:
        return
    ref = rows.change.case.case_ref
    connection.execute("DELETE FROM case_index WHERE case_ref = ?", (ref,))
    connection.executemany(INSERT_LISTED, rows.listed)
    if rows.terms is not None:
        connection.execute("DELETE FROM case_terms WHERE case_ref = ?", (ref,))
        connection.executemany("INSERT OR IGNORE INTO case_terms VALUES (?, ?)", rows.terms)


def _listed(row: sqlite3.Row) -> ListedCase:
    return from_columns(ListedCase, row.__getitem__)


class Cases(Database):
    def _create_schema(self) -> None:
        super()._create_schema()
        with self._writing() as connection:    # a store made before: its lists keyed by agency
            keyed = {row["name"]: row["pk"] for row in connection.execute(
                "PRAGMA table_info(case_index)")}
            if keyed.get("case_ref") != 1:
                connection.execute("CREATE INDEX IF NOT EXISTS case_index_by_case "
                                   "ON case_index (case_ref)")

    def change_case(self, change: CaseChange, audit: AuditEntry,
                    events: list[OutboxEvent]) -> None:
        check_change(change)
        rows, audit_row, event_rows = rows_of(change), to_columns(audit), outbox_rows(events)
        with self._writing() as connection:
            apply_change(connection, rows)
            connection.execute(INSERT_AUDIT, audit_row)
            connection.executemany(INSERT_EVENT, event_rows)

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

    def case_records_at(self, case_ref: str, start: int, limit: int) -> list[str]:
        """Through case_records_by_case: the rows before `start` are skipped in the index."""
        require_positive("limit", limit)
        return [row[0] for row in self._rows(
            "SELECT record_id FROM case_records WHERE case_ref = ? "
            "ORDER BY case_version, position LIMIT ? OFFSET ?", (case_ref, limit, start))]

    def case_entries(self, case_ref: str) -> list[CaseEntry]:
        """Oldest first by `at`; entries written at the same moment in the order written."""
        return [from_columns(CaseEntry, row.__getitem__) for row in self._rows(
            "SELECT * FROM case_entries WHERE case_ref = ? ORDER BY at, seq", (case_ref,))]

    def case_timeline(self, case_ref: str, before: int | None,
                      limit: int) -> tuple[int, int, list[CaseEntry]]:
        """Counted and read in one read transaction, through case_entries_by_case (the
        rows before the window are skipped in the index, never turned into values)."""
        with self._borrowed() as connection:
            try:
                connection.execute("BEGIN")
                total = connection.execute("SELECT count(*) FROM case_entries WHERE "
                                           "case_ref = ?", (case_ref,)).fetchone()[0]
                start, end = timeline_window(total, before, limit)
                rows = connection.execute(
                    "SELECT * FROM case_entries WHERE case_ref = ? ORDER BY at, seq "
                    "LIMIT ? OFFSET ?", (case_ref, end - start, start)).fetchall()
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise StoreError(f"sqlite: {error}") from error
        return start, total, [from_columns(CaseEntry, row.__getitem__) for row in rows]

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

    # -- the case lists --------------------------------------------------------------------
    def list_cases(self, query: CaseQuery, limit: int,
                   cursor: str | None = None) -> CasePage:
        """Through the (agency, updated_at, case_ref) index, newest first, filtered."""
        require_positive("limit", limit)
        after = case_position(cursor, query) if cursor else (None, None)
        rows = [_listed(row) for row in self._rows(
            f"{LISTED} WHERE i.agency = ? AND (? IS NULL OR i.state = ?) "
            "AND (? IS NULL OR i.condition_type = ?) "
            "AND (? IS NULL OR (i.next_due IS NOT NULL AND i.next_due <= ?)) "
            "AND (? IS NULL OR (i.updated_at, i.case_ref) < (?, ?)) "
            "ORDER BY i.updated_at DESC, i.case_ref DESC LIMIT ?",
            (query.agency, query.state, query.state, query.condition_type,
             query.condition_type, query.due_by, query.due_by, after[0], after[0], after[1],
             limit + 1))]
        more = len(rows) > limit
        return CasePage(rows[:limit], case_cursor(query, rows[limit - 1]) if more else None)

    def listed_cases(self, agency: str, case_refs: list[str]) -> list[ListedCase]:
        found: list[ListedCase] = []
        refs = list(dict.fromkeys(case_refs))
        for start in range(0, len(refs), 500):
            part = refs[start:start + 500]
            found += [_listed(row) for row in self._rows(
                f"{LISTED} WHERE i.agency = ? AND i.case_ref IN "
                f"({', '.join('?' * len(part))})", (agency, *part))]
        return found

    def cases_with_term(self, term: str, limit: int) -> list[str]:
        require_positive("limit", limit)
        return [row[0] for row in self._rows(
            "SELECT case_ref FROM case_terms WHERE term = ? ORDER BY case_ref LIMIT ?",
            (term, limit))]

    def due_cases(self, agency: str, upto: str, limit: int) -> list[ListedCase]:
        require_positive("limit", limit)
        return [_listed(row) for row in self._rows(
            f"{LISTED} WHERE i.agency = ? AND i.next_due IS NOT NULL "
            "AND i.next_due <= ? ORDER BY i.next_due, i.case_ref LIMIT ?", (agency, upto, limit))]

    def relist_case(self, change: CaseChange) -> None:
        with self._writing() as connection:
            apply_listing(connection, change)
