"""The SQLite store's outbox: events inserted inside a record's or a case's transaction,
then leased, marked sent or failed, listed and requeued one conditional UPDATE at a time."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..base import (
    MAX_ERROR_CHARS,
    OutboxEvent,
    StoreError,
    batches,
    due_from,
    from_columns,
    to_columns,
)
from .database import Database, insert_statement

INSERT_EVENT = insert_statement("outbox", OutboxEvent)


def outbox_rows(events: list[OutboxEvent]) -> list[dict[str, Any]]:
    """The rows of `events`, as INSERT_EVENT takes them."""
    return [to_columns(event) | {"next_attempt_at": due_from(event)} for event in events]


def insert_events(connection: sqlite3.Connection, events: list[OutboxEvent]) -> None:
    """Within a write transaction: add `events` (an id that exists fails the transaction)."""
    connection.executemany(INSERT_EVENT, outbox_rows(events))


def _event(row: sqlite3.Row) -> OutboxEvent:
    return from_columns(OutboxEvent, row.__getitem__)


class Outbox(Database):
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
                (error[:MAX_ERROR_CHARS], next_attempt_at, next_attempt_at, event_id)):
            self._require_event(event_id)

    def list_events(self, status: str | None = None, limit: int = 100) -> list[OutboxEvent]:
        """Oldest first; the dead letters through their own small index (outbox_dead)."""
        if status == "dead":
            return [_event(row) for row in self._rows(
                "SELECT * FROM outbox WHERE status = 'dead' ORDER BY created_at, event_id "
                "LIMIT ?", (limit,))]
        return [_event(row) for row in self._rows(
            "SELECT * FROM outbox WHERE ? IS NULL OR status = ? "
            "ORDER BY created_at, event_id LIMIT ?", (status, status, limit))]

    def get_event(self, event_id: str) -> OutboxEvent | None:
        rows = self._rows("SELECT * FROM outbox WHERE event_id = ?", (event_id,))
        return _event(rows[0]) if rows else None

    def get_events(self, event_ids: list[str]) -> dict[str, OutboxEvent]:
        found: dict[str, OutboxEvent] = {}
        for part in batches(event_ids):
            marks = ", ".join("?" * len(part))
            for row in self._rows(f"SELECT * FROM outbox WHERE event_id IN ({marks})",
                                  tuple(part)):
                event = _event(row)
                found[event.event_id] = event
        return found

    def requeue(self, event_id: str, now: str) -> bool:
        return self._change_event(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
            "WHERE event_id = ? AND status = 'dead'", (now, event_id)) == 1
