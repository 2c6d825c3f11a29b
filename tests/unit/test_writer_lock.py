"""The SQLite store's writer lock between processes (store/sqlite/writerlock.py): flock
belongs to an open file, so two WriterLocks on one path exclude each other as two
processes' would."""

from __future__ import annotations

import threading

import pytest
from chalicelib.store.sqlite.writerlock import WriterLock, fcntl

pytestmark = pytest.mark.skipif(fcntl is None, reason="flock: POSIX only")


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
        assert not entered.wait(0.3)     # still waiting for the first
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
