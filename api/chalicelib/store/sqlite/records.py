"""The SQLite store's records and idempotency keys: a commit writes a version with its audit
entry, events, key (claimed there, or completed) and case change in one transaction; reads
and listing pages. SQLite has no TTL, so each claim also deletes a few expired keys; a claim
left in flight past its lease (its process died) is taken over."""

from __future__ import annotations

import sqlite3
import uuid

from ..base import (
    AuditEntry,
    CaseChange,
    Completion,
    IdempotencyClaim,
    KeyHeld,
    OutboxEvent,
    Page,
    RecordVersion,
    StoreError,
    VersionConflict,
    batches,
    check_change,
    claim_of_held_key,
    cursor_position,
    from_columns,
    key_expiry,
    lease_end,
    page_of,
    previous_version,
    require_positive,
    sortable,
    to_columns,
    to_json,
)
from .audit import INSERT_AUDIT
from .cases import apply_change, rows_of
from .database import Database, insert_statement
from .outbox import INSERT_EVENT, outbox_rows

EXPIRED_KEYS_PURGED_PER_CLAIM = 50
RECORD_COLUMNS = ("r.record_id, r.version, r.form_id, r.form_version, r.data, r.created_at, "
                  "r.created_by, r.agency, r.reason")
INSERT_VERSION = insert_statement("records", RecordVersion)
#: The key as a claim at `now` finds it: unexpired, and not an in-flight one past its lease.
HELD_KEY = ("SELECT fingerprint, status, response FROM idempotency WHERE actor = ? AND key = ? "
            "AND expires_at > ? AND NOT (status = 'in_flight' AND lease_until IS NOT NULL AND "
            "lease_until <= ?)")
PURGE_EXPIRED_KEYS = ("DELETE FROM idempotency WHERE (actor, key) IN (SELECT actor, key FROM "
                      "idempotency WHERE expires_at <= ? LIMIT ?)")


def _record(row: sqlite3.Row) -> RecordVersion:
    return from_columns(RecordVersion, row.__getitem__)


def _claim_done(connection: sqlite3.Connection, completion: Completion,
                response: str) -> None:
    """Within the commit: take the key, done at once with `response` (the completion's,
    as JSON), or raise KeyHeld if it is held."""
    c = completion
    connection.execute(PURGE_EXPIRED_KEYS, (c.now, EXPIRED_KEYS_PURGED_PER_CLAIM))
    held = connection.execute(HELD_KEY, (c.actor, c.key, c.now, c.now)).fetchone()
    if held is not None:
        raise KeyHeld(claim_of_held_key(c.fingerprint, held["fingerprint"], held["status"],
                                        held["response"]))
    connection.execute("INSERT OR REPLACE INTO idempotency (actor, key, fingerprint, status, "
                       "response, expires_at) VALUES (?, ?, ?, 'done', ?, ?)",
                       (c.actor, c.key, c.fingerprint, response,
                        sortable(key_expiry(c.now, c.ttl_seconds))))


class Records(Database):
    # -- idempotency -----------------------------------------------------------------------
    def claim_key(self, actor: str, key: str, fingerprint: str, now: str,
                  ttl_seconds: int, lease_seconds: int | None = None) -> IdempotencyClaim:
        expires_at = sortable(key_expiry(now, ttl_seconds))
        claim_id = uuid.uuid4().hex
        with self._writing(durable=False) as connection:
            connection.execute(PURGE_EXPIRED_KEYS, (now, EXPIRED_KEYS_PURGED_PER_CLAIM))
            row = connection.execute(HELD_KEY, (actor, key, now, now)).fetchone()
            if row is None:
                connection.execute(
                    "INSERT OR REPLACE INTO idempotency (actor, key, fingerprint, status, "
                    "expires_at, claim_id, lease_until) VALUES (?, ?, ?, 'in_flight', ?, ?, ?)",
                    (actor, key, fingerprint, expires_at, claim_id,
                     lease_end(now, ttl_seconds, lease_seconds)))
                return IdempotencyClaim("new", claim_id=claim_id)
        return claim_of_held_key(fingerprint, row["fingerprint"], row["status"], row["response"])

    def peek_key(self, actor: str, key: str, fingerprint: str,
                 now: str) -> IdempotencyClaim | None:
        rows = self._rows(HELD_KEY, (actor, key, now, now))
        return None if not rows else claim_of_held_key(
            fingerprint, rows[0]["fingerprint"], rows[0]["status"], rows[0]["response"])

    def release_key(self, actor: str, key: str, claim_id: str | None = None) -> None:
        with self._writing(durable=False) as connection:
            connection.execute("DELETE FROM idempotency WHERE actor = ? AND key = ? AND "
                               "status = 'in_flight' AND (? IS NULL OR claim_id = ?)",
                               (actor, key, claim_id, claim_id))

    # -- records ---------------------------------------------------------------------------
    def commit(self, version: RecordVersion, audit: AuditEntry, events: list[OutboxEvent],
               completion: Completion | None = None,
               case_change: CaseChange | None = None) -> None:
        v, previous = version, previous_version(version.version)
        if case_change is not None:
            check_change(case_change)
        # every row is made before the writers' turn: the turn is for the SQL alone
        version_row, audit_row, event_rows = to_columns(v), to_columns(audit), outbox_rows(events)
        change_rows = rows_of(case_change) if case_change is not None else None
        response = to_json(completion.response) if completion is not None else None
        with self._writing() as connection:
            if completion is not None and completion.now is not None:
                _claim_done(connection, completion, response)  # first: a held key writes nothing
            if previous is None:
                try:
                    connection.execute("INSERT INTO record_heads VALUES (?, ?, 1, ?)",
                                       (v.record_id, v.form_id, v.created_at))
                except sqlite3.IntegrityError as error:
                    raise VersionConflict(f"{v.record_id} already exists") from error
            elif connection.execute("UPDATE record_heads SET latest_version = ?, form_id = ? "
                                    "WHERE record_id = ? AND latest_version = ?",
                                    (v.version, v.form_id, v.record_id, previous)
                                    ).rowcount != 1:
                raise VersionConflict(f"{v.record_id} is not at version {previous}")
            connection.execute(INSERT_VERSION, version_row)
            connection.execute(INSERT_AUDIT, audit_row)
            connection.executemany(INSERT_EVENT, event_rows)
            if change_rows is not None:
                apply_change(connection, change_rows)
            if completion is not None and completion.now is None and connection.execute(
                    "UPDATE idempotency SET status = 'done', response = ? WHERE actor = ? AND "
                    "key = ? AND status = 'in_flight' AND fingerprint = coalesce(?, fingerprint) "
                    "AND (? IS NULL OR claim_id = ?)",
                    (response, completion.actor, completion.key,
                     completion.fingerprint, completion.claim_id, completion.claim_id)
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

    def get_latest_versions(self, record_ids: list[str]) -> dict[str, RecordVersion]:
        """One read per BATCH_READ ids, through the heads' primary key."""
        found: dict[str, RecordVersion] = {}
        for part in batches(record_ids):
            marks = ", ".join("?" * len(part))
            for row in self._rows(f"SELECT {RECORD_COLUMNS} FROM record_heads h JOIN records r "
                                  "ON r.record_id = h.record_id AND r.version = h.latest_version "
                                  f"WHERE h.record_id IN ({marks})", tuple(part)):
                record = _record(row)
                found[record.record_id] = record
        return found

    def list_versions(self, record_id: str) -> list[RecordVersion]:
        return [_record(row) for row in self._rows(
            f"SELECT {RECORD_COLUMNS} FROM records r WHERE r.record_id = ? ORDER BY r.version",
            (record_id,))]

    def list_records(self, form_id: str, limit: int, cursor: str | None = None) -> Page:
        require_positive("limit", limit)
        after = cursor_position(cursor, form_id) if cursor else (None, None)
        rows = self._rows(
            f"SELECT {RECORD_COLUMNS}, h.first_created_at FROM record_heads h JOIN records r "
            "ON r.record_id = h.record_id AND r.version = h.latest_version WHERE h.form_id = ? "
            "AND (? IS NULL OR (h.first_created_at, h.record_id) < (?, ?)) "
            "ORDER BY h.first_created_at DESC, h.record_id DESC LIMIT ?",
            (form_id, after[0], after[0], after[1], limit + 1))
        return page_of(form_id, limit, [(_record(row), row["first_created_at"]) for row in rows])
