"""The embedded Store: one SQLite file (WAL, synchronous=FULL) shared by threads through a
small pool of connections; every write is one BEGIN IMMEDIATE transaction, and triggers keep
records, audit and case timelines append-only whoever connects."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .base import (
    AuditEntry,
    CaseChange,
    CaseEntry,
    CaseState,
    Completion,
    Deadline,
    FiredDeadline,
    IdempotencyClaim,
    InvalidCursor,
    OutboxEvent,
    Page,
    RecordVersion,
    StoreError,
    VersionConflict,
    check_change,
    check_fired,
)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
DEFAULT_CONNECTIONS = 8
EXPIRED_KEYS_PURGED_PER_CLAIM = 50
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS record_heads (
         record_id TEXT PRIMARY KEY, form_id TEXT NOT NULL,
         latest_version INTEGER NOT NULL CHECK (latest_version >= 1),
         first_created_at TEXT NOT NULL) STRICT""",
    """CREATE INDEX IF NOT EXISTS record_heads_by_form
         ON record_heads (form_id, first_created_at, record_id)""",
    """CREATE TABLE IF NOT EXISTS records (
         record_id TEXT NOT NULL REFERENCES record_heads (record_id),
         version INTEGER NOT NULL CHECK (version >= 1),
         form_id TEXT NOT NULL, form_version TEXT NOT NULL,
         data TEXT NOT NULL CHECK (json_valid(data)),
         created_at TEXT NOT NULL, created_by TEXT NOT NULL, agency TEXT NOT NULL, reason TEXT,
         PRIMARY KEY (record_id, version)) STRICT""",
    """CREATE TABLE IF NOT EXISTS audit (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
         role TEXT NOT NULL, agency TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
         reason TEXT, request_id TEXT) STRICT""",
    "CREATE INDEX IF NOT EXISTS audit_by_target ON audit (target, seq)",
    """CREATE TABLE IF NOT EXISTS outbox (
         event_id TEXT PRIMARY KEY, record_id TEXT NOT NULL REFERENCES record_heads (record_id),
         event TEXT NOT NULL, form_id TEXT NOT NULL, channel TEXT NOT NULL,
         recipient TEXT NOT NULL CHECK (json_valid(recipient)),
         payload TEXT NOT NULL CHECK (json_valid(payload)), created_at TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
         attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL,
         last_error TEXT, sent_at TEXT) STRICT""",
    """CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at, event_id)
         WHERE status = 'pending'""",
    "CREATE INDEX IF NOT EXISTS outbox_by_status ON outbox (status, created_at, event_id)",
    """CREATE TABLE IF NOT EXISTS idempotency (
         actor TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('in_flight', 'done')),
         response TEXT CHECK (response IS NULL OR json_valid(response)),
         expires_at TEXT NOT NULL, PRIMARY KEY (actor, key)) STRICT""",
    "CREATE INDEX IF NOT EXISTS idempotency_by_expiry ON idempotency (expires_at)",
    # Cases: the state (one row, moved a version at a time), the records attached to it,
    # its timeline and its deadlines (fired at most once; only pending ones are indexed).
    """CREATE TABLE IF NOT EXISTS cases (
         case_ref TEXT PRIMARY KEY REFERENCES record_heads (record_id),
         process TEXT NOT NULL, state TEXT NOT NULL,
         version INTEGER NOT NULL CHECK (version >= 1),
         opened_at TEXT NOT NULL, updated_at TEXT NOT NULL,
         facts TEXT NOT NULL CHECK (json_valid(facts)),
         closed INTEGER NOT NULL CHECK (closed IN (0, 1))) STRICT""",
    """CREATE TABLE IF NOT EXISTS case_records (
         record_id TEXT PRIMARY KEY REFERENCES record_heads (record_id),
         case_ref TEXT NOT NULL REFERENCES cases (case_ref),
         case_version INTEGER NOT NULL, position INTEGER NOT NULL) STRICT""",
    """CREATE INDEX IF NOT EXISTS case_records_by_case
         ON case_records (case_ref, case_version, position)""",
    """CREATE TABLE IF NOT EXISTS case_entries (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         case_ref TEXT NOT NULL REFERENCES cases (case_ref), at TEXT NOT NULL,
         kind TEXT NOT NULL, ref TEXT NOT NULL, actor TEXT NOT NULL, agency TEXT NOT NULL,
         detail TEXT NOT NULL CHECK (json_valid(detail))) STRICT""",
    "CREATE INDEX IF NOT EXISTS case_entries_by_case ON case_entries (case_ref, at, seq)",
    """CREATE TABLE IF NOT EXISTS deadlines (
         case_ref TEXT NOT NULL REFERENCES cases (case_ref), reason TEXT NOT NULL,
         due_on TEXT NOT NULL
           CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
         event TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('pending', 'fired', 'cleared')),
         fired_at TEXT, PRIMARY KEY (case_ref, reason)) STRICT""",
    """CREATE INDEX IF NOT EXISTS deadlines_due ON deadlines (due_on, case_ref, reason)
         WHERE status = 'pending'""",
    # Append-only, enforced by the database whoever connects.
    *(f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}
          BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"""
      for table in ("records", "audit", "case_records", "case_entries")
      for verb in ("UPDATE", "DELETE")),
    *(f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
          BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END"""
      for table in ("cases", "deadlines")),
    """CREATE TRIGGER IF NOT EXISTS cases_one_step BEFORE UPDATE ON cases
         WHEN NEW.case_ref IS NOT OLD.case_ref OR NEW.version IS NOT OLD.version + 1
           OR NEW.opened_at IS NOT OLD.opened_at
         BEGIN SELECT RAISE(ABORT, 'a case moves on one version at a time'); END""",
    """CREATE TRIGGER IF NOT EXISTS deadlines_fire_once BEFORE UPDATE ON deadlines
         WHEN OLD.status = 'fired' OR NEW.case_ref IS NOT OLD.case_ref
           OR NEW.reason IS NOT OLD.reason
         BEGIN SELECT RAISE(ABORT, 'a fired deadline never changes'); END""",
    """CREATE TRIGGER IF NOT EXISTS outbox_no_delete BEFORE DELETE ON outbox
         BEGIN SELECT RAISE(ABORT, 'outbox events are never deleted'); END""",
    """CREATE TRIGGER IF NOT EXISTS record_heads_no_delete BEFORE DELETE ON record_heads
         BEGIN SELECT RAISE(ABORT, 'records are never deleted'); END""",
    """CREATE TRIGGER IF NOT EXISTS record_heads_one_step BEFORE UPDATE ON record_heads
         WHEN NEW.record_id IS NOT OLD.record_id OR NEW.latest_version IS NOT OLD.latest_version + 1
           OR NEW.first_created_at IS NOT OLD.first_created_at
         BEGIN SELECT RAISE(ABORT, 'a record moves on one version at a time'); END""",
    """CREATE TRIGGER IF NOT EXISTS records_follow_head BEFORE INSERT ON records
         WHEN NEW.version IS NOT (SELECT latest_version FROM record_heads
                                  WHERE record_id = NEW.record_id)
         BEGIN SELECT RAISE(ABORT, 'a version is written with its head'); END""",
)
DEADLINE_COLUMNS = "case_ref, reason, due_on, event, status, fired_at"
RECORD_COLUMNS = ("r.record_id, r.version, r.form_id, r.form_version, r.data, r.created_at, "
                  "r.created_by, r.agency, r.reason")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def timestamp_after(now: str, seconds: int) -> str:
    """`now` plus `seconds`, in the sortable form YYYY-MM-DDTHH:MM:SS.ffffffZ."""
    moment = datetime.datetime.fromisoformat(now) + datetime.timedelta(seconds=seconds)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _record(row: sqlite3.Row) -> RecordVersion:
    return RecordVersion(record_id=row["record_id"], version=row["version"],
                         form_id=row["form_id"], form_version=row["form_version"],
                         data=json.loads(row["data"]), created_at=row["created_at"],
                         created_by=row["created_by"], agency=row["agency"],
                         reason=row["reason"])


def _event(row: sqlite3.Row) -> OutboxEvent:
    return OutboxEvent(event_id=row["event_id"], record_id=row["record_id"], event=row["event"],
                       form_id=row["form_id"], channel=row["channel"],
                       recipient=json.loads(row["recipient"]), payload=json.loads(row["payload"]),
                       created_at=row["created_at"], status=row["status"],
                       attempts=row["attempts"], next_attempt_at=row["next_attempt_at"],
                       last_error=row["last_error"], sent_at=row["sent_at"])


def _event_row(e: OutboxEvent) -> tuple[Any, ...]:
    return (e.event_id, e.record_id, e.event, e.form_id, e.channel, _json(e.recipient),
            _json(e.payload), e.created_at, e.status, e.attempts,
            e.next_attempt_at or e.created_at, e.last_error, e.sent_at)


def _case(row: sqlite3.Row) -> CaseState:
    return CaseState(case_ref=row["case_ref"], process=row["process"], state=row["state"],
                     version=row["version"], opened_at=row["opened_at"],
                     updated_at=row["updated_at"], facts=json.loads(row["facts"]),
                     closed=bool(row["closed"]))


def _entry_row(e: CaseEntry) -> tuple[Any, ...]:
    return (e.case_ref, e.at, e.kind, e.ref, e.actor, e.agency, _json(e.detail))


def _entry(row: sqlite3.Row) -> CaseEntry:
    return CaseEntry(case_ref=row["case_ref"], at=row["at"], kind=row["kind"], ref=row["ref"],
                     actor=row["actor"], agency=row["agency"], detail=json.loads(row["detail"]))


def _deadline(row: sqlite3.Row) -> Deadline:
    return Deadline(**{name: row[name] for name in DEADLINE_COLUMNS.split(", ")})


class SQLiteStore:
    """A Store in one SQLite file; safe to share between threads.

    At most `connections` operations run at once (each on its own pooled connection, so
    reads proceed during a write); `connections=1` makes it one connection behind a lock."""

    def __init__(self, path: str | Path, connections: int = DEFAULT_CONNECTIONS) -> None:
        self.path = Path(path)
        self._slots = threading.BoundedSemaphore(connections)
        self._idle: list[sqlite3.Connection] = []
        self._opened: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._write_lock = threading.Lock()
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # owner-only file
            with self._borrowed() as connection:
                mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the SQLite store: {error}") from error
        if mode != "wal":
            raise StoreError(f"SQLite refused WAL mode here (journal_mode={mode})")
        self._create_schema()

    # -- connections and transactions ------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                     isolation_level=None,  # we BEGIN and COMMIT ourselves
                                     check_same_thread=False)  # the pool hands it to one at a time
        connection.row_factory = sqlite3.Row
        # the log is copied into the database by checkpoint(), off the request path; the
        # automatic checkpoint stays only as a backstop if nothing calls it
        for pragma in (f"busy_timeout = {BUSY_TIMEOUT_MS}", "synchronous = FULL",
                       "foreign_keys = ON", "wal_autocheckpoint = 20000"):
            connection.execute(f"PRAGMA {pragma}")
        with self._pool_lock:
            self._opened.append(connection)
        return connection

    @contextmanager
    def _borrowed(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread alone until the block ends."""
        if not self._slots.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise StoreError("every SQLite connection stayed busy")
        try:
            with self._pool_lock:
                connection = self._idle.pop() if self._idle else None
            try:
                connection = connection or self._connect()
            except sqlite3.Error as error:
                raise StoreError(f"sqlite: {error}") from error
            try:
                yield connection
            finally:
                with self._pool_lock:
                    if connection.in_transaction:  # its rollback failed: never lend it again
                        self._opened.remove(connection)
                        connection.close()
                    else:
                        self._idle.append(connection)
        finally:
            self._slots.release()

    @contextmanager
    def _writing(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE); any error rolls it back.
        Writers queue on a lock here rather than in SQLite's busy-wait sleeps.

        `durable=False` skips the fsync for a write that may be lost in a power cut without
        harm (an idempotency claim: the retry simply claims again). In WAL mode the next
        durable commit's fsync makes it durable too, as it syncs the whole log.
        """
        if not self._write_lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise StoreError("another write held the SQLite store too long")
        try:
            with self._borrowed() as connection:
                try:
                    if not durable:
                        connection.execute("PRAGMA synchronous = NORMAL")
                    connection.execute("BEGIN IMMEDIATE")
                    yield connection
                    connection.execute("COMMIT")
                except BaseException as error:
                    if connection.in_transaction:
                        with suppress(sqlite3.Error):
                            connection.execute("ROLLBACK")
                    if isinstance(error, sqlite3.Error):
                        raise StoreError(f"sqlite: {error}") from error
                    raise
                finally:
                    if not durable:
                        with suppress(sqlite3.Error):
                            connection.execute("PRAGMA synchronous = FULL")
        finally:
            self._write_lock.release()

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file (PASSIVE: never waits).

        Requests leave this to a background thread (`dipforms run` calls it with the
        outbox dispatcher), so no submission pays for a checkpoint.
        """
        with suppress(sqlite3.Error), self._borrowed() as connection:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._borrowed() as connection:
            try:
                return connection.execute(sql, parameters).fetchall()
            except sqlite3.Error as error:
                raise StoreError(f"sqlite: {error}") from error

    def _create_schema(self) -> None:
        with self._writing() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS schema_version "
                               "(version INTEGER NOT NULL) STRICT")
            found = connection.execute("SELECT max(version) FROM schema_version").fetchone()[0]
            if found is not None and found > SCHEMA_VERSION:
                raise StoreError(f"the store has schema {found}; this code knows "
                                 f"{SCHEMA_VERSION}")
            for statement in SCHEMA:
                connection.execute(statement)
            if found is None:
                connection.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))

    def pragmas(self) -> dict[str, Any]:
        """The settings of a connection the store uses (for health checks and tests)."""
        names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        return {name: self._rows(f"PRAGMA {name}")[0][0] for name in names}

    def schema_version(self) -> int:
        return self._rows("SELECT max(version) FROM schema_version")[0][0]

    def close(self) -> None:
        """Close every connection; the store must not be used afterwards."""
        with self._pool_lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()
            self._idle.clear()

    # -- idempotency -----------------------------------------------------------------------
    def claim_key(self, actor: str, key: str, fingerprint: str, now: str,
                  ttl_seconds: int) -> IdempotencyClaim:
        expires_at = timestamp_after(now, ttl_seconds)
        with self._writing(durable=False) as connection:
            connection.execute("DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM "
                               "idempotency WHERE expires_at <= ? LIMIT ?)",
                               (now, EXPIRED_KEYS_PURGED_PER_CLAIM))
            row = connection.execute("SELECT fingerprint, status, response FROM idempotency "
                                     "WHERE actor = ? AND key = ? AND expires_at > ?",
                                     (actor, key, now)).fetchone()
            if row is None:
                connection.execute("INSERT OR REPLACE INTO idempotency (actor, key, fingerprint,"
                                   " status, expires_at) VALUES (?, ?, ?, 'in_flight', ?)",
                                   (actor, key, fingerprint, expires_at))
                return IdempotencyClaim("new")
        if row["fingerprint"] != fingerprint:
            return IdempotencyClaim("mismatch")
        if row["status"] == "done":
            return IdempotencyClaim("replay", json.loads(row["response"]))
        return IdempotencyClaim("in_flight")

    def release_key(self, actor: str, key: str) -> None:
        with self._writing(durable=False) as connection:
            connection.execute("DELETE FROM idempotency WHERE actor = ? AND key = ? "
                               "AND status = 'in_flight'", (actor, key))

    # -- records ---------------------------------------------------------------------------
    def commit(self, version: RecordVersion, audit: AuditEntry, events: list[OutboxEvent],
               completion: Completion | None = None,
               case_change: CaseChange | None = None) -> None:
        v = version
        data, response = _json(v.data), _json(completion.response) if completion else None
        if case_change is not None:
            check_change(case_change)
        with self._writing() as connection:
            if v.version == 1:
                try:
                    connection.execute("INSERT INTO record_heads VALUES (?, ?, 1, ?)",
                                       (v.record_id, v.form_id, v.created_at))
                except sqlite3.IntegrityError as error:
                    raise VersionConflict(f"{v.record_id} already exists") from error
            elif connection.execute("UPDATE record_heads SET latest_version = ?, form_id = ? "
                                    "WHERE record_id = ? AND latest_version = ?",
                                    (v.version, v.form_id, v.record_id, v.version - 1)
                                    ).rowcount != 1:
                raise VersionConflict(f"{v.record_id} is not at version {v.version - 1}")
            connection.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               (v.record_id, v.version, v.form_id, v.form_version, data,
                                v.created_at, v.created_by, v.agency, v.reason))
            self._insert_audit(connection, audit)
            self._insert_events(connection, events)
            if case_change is not None:
                self._apply_change(connection, case_change)
            if completion is not None and connection.execute(
                    "UPDATE idempotency SET status = 'done', response = ? WHERE actor = ? AND "
                    "key = ? AND status = 'in_flight' AND fingerprint = coalesce(?, fingerprint)",
                    (response, completion.actor, completion.key, completion.fingerprint)
            ).rowcount != 1:
                raise StoreError("the idempotency key is not in flight for this request")

    def get_version(self, record_id: str, version: int | None = None) -> RecordVersion | None:
        if version is None:
            rows = self._rows(f"SELECT {RECORD_COLUMNS} FROM record_heads h JOIN records r ON "
                              "r.record_id = h.record_id AND r.version = h.latest_version "
                              "WHERE h.record_id = ?", (record_id,))
        else:
            rows = self._rows(f"SELECT {RECORD_COLUMNS} FROM records r WHERE r.record_id = ? "
                              "AND r.version = ?", (record_id, version))
        return _record(rows[0]) if rows else None

    def list_versions(self, record_id: str) -> list[RecordVersion]:
        return [_record(row) for row in self._rows(
            f"SELECT {RECORD_COLUMNS} FROM records r WHERE r.record_id = ? ORDER BY r.version",
            (record_id,))]

    def list_records(self, form_id: str, limit: int, cursor: str | None = None) -> Page:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        after = _decode_cursor(cursor, form_id) if cursor else None
        rows = self._rows(
            f"SELECT {RECORD_COLUMNS}, h.first_created_at FROM record_heads h JOIN records r "
            "ON r.record_id = h.record_id AND r.version = h.latest_version WHERE h.form_id = ? "
            "AND (? IS NULL OR (h.first_created_at, h.record_id) < (?, ?)) "
            "ORDER BY h.first_created_at DESC, h.record_id DESC LIMIT ?",
            (form_id, after and after[0], after and after[0], after and after[1], limit + 1))
        more = len(rows) > limit
        last = rows[limit - 1] if more else None
        return Page([_record(row) for row in rows[:limit]],
                    _encode_cursor(form_id, last["first_created_at"], last["record_id"])
                    if last else None)

    # -- cases -----------------------------------------------------------------------------
    @staticmethod
    def _insert_events(connection: sqlite3.Connection, events: list[OutboxEvent]) -> None:
        connection.executemany("INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               [_event_row(event) for event in events])

    @staticmethod
    def _apply_change(connection: sqlite3.Connection, change: CaseChange) -> None:
        """Within a write transaction: the case's version check and row, the attached records,
        the timeline entries and the wanted deadlines."""
        c = change.case
        row = (c.process, c.state, c.version, c.opened_at, c.updated_at, _json(c.facts),
               int(c.closed), c.case_ref)
        found = connection.execute("SELECT version FROM cases WHERE case_ref = ?",
                                   (c.case_ref,)).fetchone()
        if c.version == 1:
            if found is not None:
                raise VersionConflict(f"case {c.case_ref} is already open")
            connection.execute("INSERT INTO cases (process, state, version, opened_at, "
                               "updated_at, facts, closed, case_ref) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
        elif found is None or found[0] != c.version - 1:
            raise VersionConflict(f"case {c.case_ref} is not at version {c.version - 1}")
        else:
            connection.execute("UPDATE cases SET process = ?, state = ?, version = ?, "
                               "opened_at = ?, updated_at = ?, facts = ?, closed = ? "
                               "WHERE case_ref = ?", row)
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
        connection.executemany("INSERT INTO case_entries (case_ref, at, kind, ref, actor, "
                               "agency, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [_entry_row(entry) for entry in change.entries])
        connection.executemany(
            "INSERT INTO deadlines (case_ref, reason, due_on, event, status) "
            "VALUES (?, ?, ?, ?, 'pending') ON CONFLICT (case_ref, reason) DO UPDATE SET "
            "due_on = excluded.due_on, event = excluded.event, status = 'pending' "
            "WHERE deadlines.status != 'fired' AND (deadlines.status = 'cleared' OR "
            "deadlines.due_on != excluded.due_on OR deadlines.event != excluded.event)",
            [(d.case_ref, d.reason, d.due_on, d.event) for d in change.deadlines])
        connection.execute("UPDATE deadlines SET status = 'cleared' WHERE case_ref = ? AND "
                           "status = 'pending' AND reason NOT IN (SELECT value FROM json_each(?))",
                           (c.case_ref, _json([d.reason for d in change.deadlines])))

    def change_case(self, change: CaseChange, audit: AuditEntry,
                    events: list[OutboxEvent]) -> None:
        check_change(change)
        with self._writing() as connection:
            self._apply_change(connection, change)
            self._insert_audit(connection, audit)
            self._insert_events(connection, events)

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
        return [_entry(row) for row in self._rows(
            "SELECT * FROM case_entries WHERE case_ref = ? ORDER BY at, seq", (case_ref,))]

    def case_deadlines(self, case_ref: str) -> list[Deadline]:
        """Every deadline of the case, whatever its status, by reason."""
        return [_deadline(row) for row in self._rows(
            f"SELECT {DEADLINE_COLUMNS} FROM deadlines WHERE case_ref = ? ORDER BY reason",
            (case_ref,))]

    def iter_cases(self, batch: int = 500) -> Iterator[CaseState]:
        """In case_ref order, one short read per batch (no read held open between them)."""
        if batch < 1:
            raise ValueError("batch must be at least 1")
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
        if limit < 1:
            raise ValueError("limit must be at least 1")
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
                connection.execute("INSERT INTO case_entries (case_ref, at, kind, ref, actor, "
                                   "agency, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   _entry_row(each.entry))
                self._insert_events(connection, each.events)
                done.append((d.case_ref, d.reason))
        return done

    # -- audit -----------------------------------------------------------------------------
    @staticmethod
    def _insert_audit(connection: sqlite3.Connection, entry: AuditEntry) -> None:
        connection.execute("INSERT INTO audit (at, actor, role, agency, action, target, reason, "
                           "request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (entry.at, entry.actor, entry.role, entry.agency, entry.action,
                            entry.target, entry.reason, entry.request_id))

    def append_audit(self, entry: AuditEntry) -> None:
        with self._writing() as connection:
            self._insert_audit(connection, entry)

    def list_audit(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first."""
        rows = self._rows("SELECT * FROM audit WHERE ? IS NULL OR target = ? "
                          "ORDER BY seq DESC LIMIT ?", (target, target, limit))
        return [AuditEntry(at=r["at"], actor=r["actor"], role=r["role"], agency=r["agency"],
                           action=r["action"], target=r["target"], reason=r["reason"],
                           request_id=r["request_id"]) for r in rows]

    # -- outbox ----------------------------------------------------------------------------
    def due_events(self, now: str, limit: int) -> list[OutboxEvent]:
        return [_event(row) for row in self._rows(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, event_id LIMIT ?", (now, limit))]

    def _change_event(self, sql: str, parameters: tuple[Any, ...]) -> int:
        with self._writing() as connection:
            return connection.execute(sql, parameters).rowcount

    def _require_event(self, event_id: str) -> None:
        if not self._rows("SELECT 1 FROM outbox WHERE event_id = ?", (event_id,)):
            raise StoreError(f"no outbox event {event_id}")

    def lease_event(self, event_id: str, now: str, until: str) -> bool:
        return self._change_event(
            "UPDATE outbox SET next_attempt_at = ? WHERE event_id = ? AND status = 'pending' "
            "AND next_attempt_at <= ?", (until, event_id, now)) == 1

    def mark_sent(self, event_id: str, now: str) -> None:
        if not self._change_event("UPDATE outbox SET status = 'sent', sent_at = ? "
                                  "WHERE event_id = ?", (now, event_id)):
            self._require_event(event_id)

    def mark_failed(self, event_id: str, error: str, next_attempt_at: str | None) -> None:
        """Only a pending event changes: one sent or dead-lettered meanwhile stays so."""
        if not self._change_event(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                "status = iif(? IS NULL, 'dead', 'pending'), "
                "next_attempt_at = coalesce(?, next_attempt_at) "
                "WHERE event_id = ? AND status = 'pending'",
                (error[:1000], next_attempt_at, next_attempt_at, event_id)):
            self._require_event(event_id)

    def list_events(self, status: str | None = None, limit: int = 100) -> list[OutboxEvent]:
        """Oldest first."""
        return [_event(row) for row in self._rows(
            "SELECT * FROM outbox WHERE ? IS NULL OR status = ? "
            "ORDER BY created_at, event_id LIMIT ?", (status, status, limit))]

    def requeue(self, event_id: str, now: str) -> bool:
        return self._change_event(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
            "WHERE event_id = ? AND status = 'dead'", (now, event_id)) == 1


def _encode_cursor(form_id: str, first_created_at: str, record_id: str) -> str:
    raw = _json([form_id, first_created_at, record_id]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode_cursor(cursor: str, form_id: str) -> tuple[str, str]:
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise InvalidCursor("the cursor is not one this store issued") from error
    if (not isinstance(found, list) or len(found) != 3
            or not all(isinstance(part, str) for part in found) or found[0] != form_id):
        raise InvalidCursor("the cursor is not one this store issued for this form")
    return found[1], found[2]
