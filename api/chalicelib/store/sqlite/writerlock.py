"""One SQLite writer at a time across processes (`dipforms run --workers N`), without
SQLite's busy handler: that handler sleeps 1, 2, 5 ... 100 ms between tries, so a writer
that meets another waits far longer than the other's commit takes (long p99 tails). A
lock file beside the database, taken with flock(2) around BEGIN IMMEDIATE, wakes the next
writer as soon as the last one commits; the kernel releases it if its process dies.

Where flock does not exist (Windows) the lock does nothing and SQLite's busy handler
decides, as with one process. Edge module.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class WriterLock:
    """A context manager holding an exclusive flock on `path` while the block runs. The
    callers of one process take it one at a time (Database holds its thread lock first);
    the file is opened once per process, on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._opening = threading.Lock()

    def _descriptor(self) -> int:
        with self._opening:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
            return self._fd

    def __enter__(self) -> WriterLock:
        if fcntl is not None:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        if fcntl is not None and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._opening:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
