"""The SQLite store's audit log: appended inside any write transaction, listed newest first.
Triggers (schema.py) refuse every UPDATE and DELETE of it."""

from __future__ import annotations

import sqlite3

from ..base import AuditEntry, from_columns, to_columns
from .database import Database, insert_statement

INSERT_AUDIT = insert_statement("audit", AuditEntry)


def insert_audit(connection: sqlite3.Connection, entry: AuditEntry) -> None:
    """Within a write transaction: append `entry`."""
    connection.execute(INSERT_AUDIT, to_columns(entry))


class Audit(Database):
    def append_audit(self, entry: AuditEntry) -> None:
        with self._writing() as connection:
            insert_audit(connection, entry)

    def list_audit(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first."""
        return [from_columns(AuditEntry, row.__getitem__) for row in self._rows(
            "SELECT * FROM audit WHERE ? IS NULL OR target = ? ORDER BY seq DESC LIMIT ?",
            (target, target, limit))]
