"""The SQLite store's writers never wait in SQLite's busy handler: the threads of one
process take turns (FifoLock) and the processes queue on the lock file (WriterLock) before
BEGIN IMMEDIATE, so no write meets another inside SQLite. Shown with the busy handler off
(busy_timeout 0): any write that met another would fail with "database is locked". Two
stores on one file stand for two processes (each its own turn and its own lock file
descriptor, as `dipforms run --workers` has)."""

from __future__ import annotations

import threading

from chalicelib.store.base import AuditEntry
from chalicelib.store.sqlite import SQLiteStore

WRITERS, WRITES = 4, 40


class NoBusyWait(SQLiteStore):
    """A store whose connections give up at once on a locked database."""

    def _connect(self):
        connection = super()._connect()
        connection.execute("PRAGMA busy_timeout = 0")
        return connection


def test_writers_of_two_processes_never_meet_inside_sqlite(tmp_path):
    path = tmp_path / "store.sqlite3"
    stores = [NoBusyWait(path), NoBusyWait(path)]
    failures: list[BaseException] = []

    def write(store: SQLiteStore, n: int) -> None:
        try:
            for i in range(WRITES):
                store.append_audit(AuditEntry("2026-12-07T10:00:00.000000Z", f"user{n}",
                                              "police", "northshire_police", "read",
                                              f"target{n}-{i}"))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(stores[n % 2], n))
               for n in range(2 * WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(stores[0].list_audit(limit=1000)) == 2 * WRITERS * WRITES
    assert stores[0].pragmas()["busy_timeout"] == 0     # the handler really was off
    for store in stores:
        store.close()
