"""The SQLite store's connections and transactions: one file (WAL, synchronous=FULL) shared
by threads through a small pool of connections for reads and one connection for writes,
which take turns; every write is one BEGIN IMMEDIATE transaction. The Store methods
themselves are in records, audit, outbox and cases."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..base import StoreError
from .schema import ADDED_COLUMNS, SCHEMA, SCHEMA_VERSION
from .writerlock import FifoLock, WriterLock

BUSY_TIMEOUT_MS = 10_000
DEFAULT_CONNECTIONS = 8


def insert_statement(table: str, kind: type) -> str:
    """INSERT INTO `table` a row of the dataclass `kind`: columns named as its fields,
    given as named parameters (a dict from base.to_columns)."""
    names = [f.name for f in fields(kind)]
    return (f"INSERT INTO {table} ({', '.join(names)}) "
            f"VALUES ({', '.join(':' + name for name in names)})")


class Database:
    """The file, its pool of `connections` and its transactions, which every part of the
    store uses (SQLiteStore tells what the pool means for callers)."""

    def __init__(self, path: str | Path, connections: int = DEFAULT_CONNECTIONS) -> None:
        self.path = Path(path)
        self._slots = threading.BoundedSemaphore(connections)
        self._idle: list[sqlite3.Connection] = []
        self._opened: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._write_lock = FifoLock()   # this process's writers, first come first served
        #: The one connection writes go through, used under _write_lock alone: its page
        #: cache stays good from one write to the next (a pooled one's is thrown away
        #: whenever another connection has written since it was last used).
        self._write_connection: sqlite3.Connection | None = None
        self._writer = WriterLock(self.path.with_name(self.path.name + ".writer-lock"))
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
        Writers queue on a lock here rather than in SQLite's busy-wait sleeps: the threads
        of this process in turn (FifoLock: first come, first served), the processes of
        `dipforms run --workers` on a lock file (writerlock.py) that wakes the next one the
        moment the last commits.

        `durable=False` skips the fsync for a write that may be lost in a power cut without
        harm (an idempotency claim: the retry simply claims again). In WAL mode the next
        durable commit's fsync makes it durable too, as it syncs the whole log.
        """
        if not self._write_lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise StoreError("another write held the SQLite store too long")
        try:
            with self._writer, self._written() as connection:
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

    @contextmanager
    def _written(self) -> Iterator[sqlite3.Connection]:
        """The writer connection (under _write_lock), opened on first use; one left in a
        transaction (its rollback failed) is closed, and the next write opens another."""
        try:
            connection = self._write_connection or self._connect()
        except sqlite3.Error as error:
            raise StoreError(f"sqlite: {error}") from error
        self._write_connection = connection
        try:
            yield connection
        finally:
            if connection.in_transaction:
                self._write_connection = None
                with self._pool_lock:
                    self._opened.remove(connection)
                connection.close()

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
            for table, column, kind in ADDED_COLUMNS:
                have = {row["name"] for row in connection.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
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
            self._write_connection = None
        self._writer.close()
