"""The SQLite store's writer lock between processes (store/sqlite/writerlock.py): flock
belongs to an open file, so two WriterLocks on one path exclude each other as two
processes' would."""

from __future__ import annotations

import os
import threading
import time

import pytest
from chalicelib.store.sqlite.writerlock import FifoLock, WriterLock, fcntl

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


# -- FifoLock: the writers of one process, in turn ------------------------------------------

def _until(condition) -> None:
    """Sleep until `condition()` holds (a sleep loop: no timed wait, see above)."""
    for _ in range(2000):
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("the condition never held")


def test_fifo_lock_serves_waiters_in_the_order_they_came():
    lock, order = FifoLock(), []
    lock.acquire()
    threads = []
    for name in ("a", "b", "c", "d"):
        def take(name=name) -> None:
            with lock:
                order.append(name)
        thread = threading.Thread(target=take)
        thread.start()
        threads.append(thread)
        queued = len(threads)
        _until(lambda queued=queued: lock.waiting() == queued)   # before the next one asks
    lock.release()
    for thread in threads:
        thread.join()
    assert order == ["a", "b", "c", "d"]
    assert lock.waiting() == 0 and lock.acquire(blocking=False)


def test_fifo_lock_is_handed_over_so_the_one_letting_go_cannot_take_it_back():
    lock, got = FifoLock(), []
    lock.acquire()
    thread = threading.Thread(target=lambda: (lock.acquire(), got.append("waiter")))
    thread.start()
    _until(lambda: lock.waiting() == 1)
    lock.release()
    assert not lock.acquire(blocking=False)   # the waiter holds it now, awake or not
    thread.join()
    assert got == ["waiter"]
    lock.release()
    assert lock.acquire(blocking=False)


def test_fifo_lock_excludes_and_refuses_a_release_it_does_not_hold():
    lock = FifoLock()
    with pytest.raises(RuntimeError):
        lock.release()
    inside, most = [], []

    def work() -> None:
        for _ in range(200):
            with lock:
                inside.append(1)
                most.append(len(inside))
                inside.pop()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(most) == 1 and len(most) == 800
