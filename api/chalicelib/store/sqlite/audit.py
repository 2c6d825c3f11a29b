"""The SQLite store's audit log: appended inside any write transaction, listed and paged
newest first (by `seq`, the order of writing). Triggers (schema.py) refuse every UPDATE and
DELETE of it."""

from __future__ import annotations

import sqlite3

from ..base import (
    AuditEntry,
    AuditPage,
    AuditQuery,
    InvalidCursor,
    audit_cursor,
    audit_position,
    from_columns,
    require_positive,
    to_columns,
)
from .database import Database, insert_statement

INSERT_AUDIT = insert_statement("audit", AuditEntry)
#: Columns added to the audit table after stores were first made: (name, declaration).
ADDED_COLUMNS = (("reason_ref", "TEXT"),)


def insert_audit(connection: sqlite3.Connection, entry: AuditEntry) -> None:
    """Within a write transaction: append `entry`."""
    connection.execute(INSERT_AUDIT, to_columns(entry))


def add_missing_columns(connection: sqlite3.Connection) -> None:
    """Within a write transaction: give an audit table made before ADDED_COLUMNS them
    (ALTER TABLE ADD COLUMN fires no UPDATE trigger; old rows read NULL)."""
    have = {row[1] for row in connection.execute("PRAGMA table_info(audit)")}
    for name, declaration in ADDED_COLUMNS:
        if name not in have:
            connection.execute(f"ALTER TABLE audit ADD COLUMN {name} {declaration}")


class Audit(Database):
    def _create_schema(self) -> None:
        super()._create_schema()
        with self._writing() as connection:
            add_missing_columns(connection)

    def append_audit(self, entry: AuditEntry, durable: bool = True) -> None:
        """A read's entry (`durable=False`) is committed with synchronous=NORMAL: in WAL
        mode it survives the process, and the next durable commit's fsync syncs it."""
        with self._writing(durable=durable) as connection:
            insert_audit(connection, entry)

    def list_audit(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first."""
        return [from_columns(AuditEntry, row.__getitem__) for row in self._rows(
            "SELECT * FROM audit WHERE ? IS NULL OR target = ? ORDER BY seq DESC LIMIT ?",
            (target, target, limit))]

    def page_audit(self, query: AuditQuery, limit: int,
                   cursor: str | None = None) -> AuditPage:
        """Newest first; the position in a cursor is the last entry's seq."""
        require_positive("limit", limit)
        where, parameters = _conditions(query, self.case_records(query.case)
                                        if query.case is not None else [])
        if cursor is not None:
            position = audit_position(cursor, query)
            if not (position.isascii() and position.isdigit()):
                raise InvalidCursor("the cursor is not one this store issued")
            where.append("seq < ?")
            parameters.append(int(position))
        rows = self._rows(f"SELECT * FROM audit {_where(where)} ORDER BY seq DESC LIMIT ?",
                          (*parameters, limit + 1))
        items = [from_columns(AuditEntry, row.__getitem__) for row in rows[:limit]]
        more = len(rows) > limit
        return AuditPage(items, audit_cursor(query, str(rows[limit - 1]["seq"])) if more
                         else None)


def _conditions(query: AuditQuery, records: list[str]) -> tuple[list[str], list]:
    """The WHERE conditions (only those the query sets, so each may use an index)."""
    where: list[str] = []
    parameters: list = []
    if query.case is not None:
        targets = [query.case, *records]
        where.append(f"target IN ({', '.join('?' for _ in targets)})")
        parameters += targets
    for column, operator, value in (("actor", "=", query.actor), ("at", ">=", query.since),
                                    ("at", "<", query.before)):
        if value is not None:
            where.append(f"{column} {operator} ?")
            parameters.append(value)
    return where, parameters


def _where(conditions: list[str]) -> str:
    return ("WHERE " + " AND ".join(conditions)) if conditions else ""
