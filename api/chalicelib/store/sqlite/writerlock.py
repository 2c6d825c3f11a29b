"""One SQLite writer at a time across processes (`dipforms run --workers N`), without
SQLite's busy handler: that handler sleeps 1, 2, 5 ... 100 ms between tries, so a writer
that meets another waits far longer than the other's commit takes (long p99 tails). A
lock file beside the database, taken with flock(2) around BEGIN IMMEDIATE, wakes the next
writer as soon as the last one commits; the kernel releases it if its process dies.

Where flock does not exist (Windows) the lock does nothing and SQLite's busy handler
decides, as with one process. Edge module.

Within one process the writers (the request threads, the outbox dispatcher) queue first on
a FifoLock: first come, first served, the lock handed straight to the longest waiter. A
plain threading.Lock lets the thread that lets go take it again at once (it holds the GIL),
so a loop of writes, such as the dispatcher's, kept a request waiting for a whole round.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class FifoLock:
    """A lock taken in the order it was asked for. release() hands it to the longest
    waiter directly (it never comes free between them), so no one can overtake a waiter,
    the thread that let go included. `acquire(timeout=...)` gives up after `timeout`
    seconds as threading.Lock's does (-1: wait as long as it takes)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        with self._guard:
            if not self._held:
                self._held = True
                return True
            if not blocking:
                return False
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout):
            return True                  # handed over by release()
        with self._guard:
            if turn in self._waiting:    # still queued: give up the place
                self._waiting.remove(turn)
                return False
        return True                      # handed over just as the wait ran out: ours

    def release(self) -> None:
        with self._guard:
            if not self._held:
                raise RuntimeError("release of a FifoLock that is not held")
            if self._waiting:
                self._waiting.popleft().release()   # held throughout: the next one's now
            else:
                self._held = False

    def waiting(self) -> int:
        """How many wait for the lock (for tests and health checks)."""
        with self._guard:
            return len(self._waiting)

    def __enter__(self) -> FifoLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


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
