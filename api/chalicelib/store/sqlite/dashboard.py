"""The SQLite store's DAT view rows: the cases counted by condition, state and closed
(`dashboard_counts`), and each open case's wanted deadlines (`dashboard_due`, indexed by
reason and date), both written inside a case change's transaction."""

from __future__ import annotations

import sqlite3

from ..base import (
    CaseChange,
    CaseCount,
    CaseState,
    Deadline,
    count_key,
    outstanding_of,
    require_positive,
)
from .database import Database

DUE_COLUMNS = "case_ref, reason, due_on, event"


def apply_dashboard(connection: sqlite3.Connection, before: CaseState | None,
                    change: CaseChange) -> None:
    """Within the change's transaction: the case moved from its old count to its new one,
    and its overdue rows made the deadlines it now wants (only rows that differ written)."""
    old, new = (None if before is None else count_key(before)), count_key(change.case)
    if old != new:
        if old is not None:
            connection.execute("UPDATE dashboard_counts SET cases = cases - 1 WHERE "
                               "condition = ? AND state = ? AND closed = ?", _key(old))
        connection.execute("INSERT INTO dashboard_counts VALUES (?, ?, ?, 1) ON CONFLICT "
                           "DO UPDATE SET cases = cases + 1", _key(new))
    write_outstanding(connection, change.case.case_ref, outstanding_of(change),
                      fresh=before is None)


def write_outstanding(connection: sqlite3.Connection, case_ref: str,
                      wanted: list[Deadline], *, fresh: bool = False) -> None:
    held = {} if fresh else {row[0]: (row[1], row[2]) for row in connection.execute(
        "SELECT reason, due_on, event FROM dashboard_due WHERE case_ref = ?", (case_ref,))}
    want = {d.reason: (d.due_on, d.event) for d in wanted}
    connection.executemany("DELETE FROM dashboard_due WHERE case_ref = ? AND reason = ?",
                           [(case_ref, r) for r in held if r not in want])
    connection.executemany("INSERT OR REPLACE INTO dashboard_due VALUES (?, ?, ?, ?)",
                           [(case_ref, r, due, event) for r, (due, event) in want.items()
                            if held.get(r) != (due, event)])


def _key(key: tuple[str, str, bool]) -> tuple[str, str, int]:
    return key[0], key[1], int(key[2])


class Dashboard(Database):
    def case_counts(self) -> list[CaseCount]:
        return [CaseCount(row[0], row[1], bool(row[2]), row[3]) for row in self._rows(
            "SELECT condition, state, closed, cases FROM dashboard_counts WHERE cases != 0 "
            "ORDER BY condition, state, closed")]

    def overdue(self, reasons: list[str], before: str, limit: int) -> list[Deadline]:
        """One indexed read per reason (each at most `limit`), merged."""
        require_positive("limit", limit)
        found: list[Deadline] = []
        for reason in sorted(set(reasons)):
            found += [Deadline(*row) for row in self._rows(
                f"SELECT {DUE_COLUMNS} FROM dashboard_due WHERE reason = ? AND due_on < ? "
                "ORDER BY due_on, case_ref LIMIT ?", (reason, before, limit))]
        return sorted(found, key=lambda d: (d.due_on, d.case_ref, d.reason))[:limit]

    def recount(self, counts: list[CaseCount]) -> None:
        with self._writing() as connection:
            connection.execute("DELETE FROM dashboard_counts")
            connection.executemany("INSERT INTO dashboard_counts VALUES (?, ?, ?, ?)",
                                   [(c.condition, c.state, int(c.closed), c.cases)
                                    for c in counts])

    def reindex_outstanding(self, case_ref: str, deadlines: list[Deadline]) -> None:
        with self._writing() as connection:
            write_outstanding(connection, case_ref, deadlines)
