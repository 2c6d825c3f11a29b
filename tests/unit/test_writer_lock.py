"""The SQLite store's writer lock between processes (store/sqlite/writerlock.py): flock
belongs to an open file, so two WriterLocks on one path exclude each other as two
processes' would."""

from __future__ import annotations

import os
import threading
import time

import pytest
from chalicelib.store.sqlite.writerlock import WriterLock, fcntl

pytestmark = pytest.mark.skipif(fcntl is None, reason="flock: POSIX only")


def _held_elsewhere(path) -> bool:
    """Whether another holder has the lock file: a try that does not wait, through a
    descriptor of its own."""
    probe = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(probe)
    return False


def test_a_second_writer_waits_until_the_first_lets_go(tmp_path):
    path = tmp_path / "store.sqlite3.writer-lock"
    first, second = WriterLock(path), WriterLock(path)
    order: list[str] = []
    entered = threading.Event()

    def other() -> None:
        with second:
            order.append("second")
        entered.set()

    with first:
        thread = threading.Thread(target=other)
        thread.start()
        assert _held_elsewhere(path)      # the second cannot have it: it waits
        time.sleep(0.3)                   # (a sleep: under libfaketime a timed wait never
        assert not entered.is_set()       # times out, so Event.wait(0.3) would hang here)
        order.append("first done")
    assert entered.wait(5)
    thread.join(5)
    assert order == ["first done", "second"]
    first.close()
    second.close()


def test_the_lock_file_is_the_owners_alone(tmp_path):
    path = tmp_path / "store.sqlite3.writer-lock"
    with WriterLock(path) as lock:
        pass
    assert path.stat().st_mode & 0o777 == 0o600
    lock.close()
