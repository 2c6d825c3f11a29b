"""`dipforms run --workers 2` (web/workers.py) over real HTTP: two processes answer at once,
share the form key, the sign-in key and the SQLite writer lock, stop gracefully and are
replaced when one dies; the outbox is delivered by the main process alone. Linux (/proc)."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
from chalicelib.users import UserDirectory

from tests.examples import load_examples
from tests.functional.test_nojs import PASSWORD, USER, Browser, hidden
from tests.local_run import ROOT, LocalRun, alive

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")
WAIT = 30.0
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/locks").exists(), reason="Linux /proc")]


def until(check, seconds: float = WAIT, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds:g} s")


def lock_waiters(lock_file: Path) -> set[int]:
    """The processes waiting for the flock on `lock_file` (/proc/locks: `-> FLOCK ...`)."""
    inode = os.stat(lock_file).st_ino
    waiting = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and fields[fields.index("->") + 1] == "FLOCK":
            pid, device = fields[fields.index("->") + 4:fields.index("->") + 6]
            if device.endswith(f":{inode}"):
                waiting.add(int(pid))
    return waiting


class HeldWriterLock:
    """The SQLite store's writer lock (store/sqlite/writerlock.py), held by the test: every
    write of the server waits for it, so its requests stay in flight until release()."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "dipforms.sqlite3.writer-lock"
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def submit_in_background(run: LocalRun, token: str, answers: list) -> threading.Thread:
    def send() -> None:
        answers.append(run.submit("mg14", MG14, token, str(uuid.uuid4()))[0])

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("T", "t")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workers")
    UserDirectory.in_data_dir(folder).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(folder, workers=2) as running:
        until(lambda: len(running.worker_pids()) == 2, what="two workers")
        yield running


@pytest.fixture(scope="module")
def police(run):
    return run.user_token("pc_jones_api", "police", "northshire_police")


def test_two_requests_are_answered_at_once_in_two_processes_and_both_writes_land(run, police):
    """While the test holds the writer lock, submissions sent at once wait for it in both
    worker processes (each process's writers queue on its own thread lock first, so one
    waiter per process): two in flight at once, in two processes. Released, every one
    lands: the processes take turns on the lock, none fails with 'database is locked'."""
    held = HeldWriterLock(run.data_dir)
    answers: list[int] = []
    threads = []
    try:
        workers = set(run.worker_pids())

        def both_waiting() -> bool:
            if len(threads) < 24:
                threads.append(submit_in_background(run, police, answers))
            return lock_waiters(held.path) == workers

        until(both_waiting, what="a submission waiting in each worker")
    finally:
        held.release()
    for thread in threads:
        thread.join(WAIT)
    assert answers == [201] * len(threads)


def test_a_form_shown_by_one_worker_is_accepted_by_the_other(run):
    """The sign-in (its session token) and the page's CSRF token come from one worker, the
    post goes to the other: each process signs and checks with the same keys. A worker
    stopped (SIGSTOP) accepts no connection, so the other answers."""
    first, second = run.worker_pids()
    browser = Browser(run.url)
    os.kill(second, signal.SIGSTOP)
    try:
        until(lambda: stopped(second), what="the second worker stopped")
        browser.sign_in(next_path="/forms/mg14/police_case.html")
        _, _, page = browser.post("/forms/mg14/police_case.html", {"urn": "47NS1"})
        token = hidden(page, "_csrf")
        assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", token)
        os.kill(first, signal.SIGSTOP)
    finally:
        os.kill(second, signal.SIGCONT)
    try:
        until(lambda: stopped(first), what="the first worker stopped")
        status, path, _ = browser.post("/sign-out", {"_csrf": token, "lang": "en"})
    finally:
        os.kill(first, signal.SIGCONT)
    assert (status, path) == (200, "/sign-in.html")


def test_an_outbox_event_is_sent_once_by_the_main_process(run, police):
    """Only the main process delivers: one .eml for the MG14's one referral, however many
    workers there are (two dispatchers would race to send it)."""
    outbox = run.data_dir / "outbox"
    status, body = run.submit("mg14", MG14, police)
    assert status == 201
    record_id = body["record"]["id"]

    def sent() -> list[Path]:
        return [eml for eml in outbox.glob("*.eml") if record_id in eml.read_text()]

    until(sent, what="the notification")
    time.sleep(3)   # three more dispatcher rounds: nothing sent again
    assert len(sent()) == 1


def test_a_killed_worker_is_replaced(run):
    first, second = run.worker_pids()
    os.kill(first, signal.SIGKILL)
    now = until(lambda: (p := run.worker_pids()) and len(p) == 2 and first not in p and p,
                what="a new worker")
    assert second in now
    until(lambda: run.request("GET", "/v1/health")[0] == 200, what="health")


def test_sigterm_finishes_the_requests_in_flight_then_exits_0(tmp_path):
    """SIGTERM to the main process while a submission waits (on the writer lock held by
    the test): the workers stop taking connections, the submission is answered 201 once
    the lock is free, and the run exits 0 with no worker left."""
    run = LocalRun(tmp_path, workers=2).start()
    try:
        until(lambda: len(run.worker_pids()) == 2, what="two workers")
        workers = run.worker_pids()
        police = run.user_token("pc_jones", "police", "northshire_police")
        held = HeldWriterLock(tmp_path)
        answers: list[int] = []
        try:
            thread = submit_in_background(run, police, answers)
            until(lambda: lock_waiters(held.path), what="a submission in flight")
            run.process.terminate()
            time.sleep(0.5)
            assert run.process.poll() is None   # waiting for the request in flight
        finally:
            held.release()
        thread.join(WAIT)
        assert answers == [201]
        assert run.process.wait(WAIT) == 0
        assert not any(alive(pid) for pid in workers)
    finally:
        run.stop()


def test_after_a_yaml_change_every_worker_is_replaced_by_one_on_the_new_build(tmp_path):
    """The main process rebuilds; the workers are restarted one at a time, each new one
    ready before an old one stops, so the port answers throughout; every answer after
    shows the new build (here: the YAML broken, then mended)."""
    from tests.browser.test_cognito_pkce import project_copy
    from tests.yaml_cases import THREE_MISTAKES

    root = project_copy(tmp_path / "project")
    run = LocalRun(tmp_path / "data", root=root, workers=2, start_seconds=90)
    run.env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{root / 'api'}"
    failures: list[str] = []
    done = threading.Event()

    def keep_asking() -> None:
        while not done.is_set():
            try:
                run.request("GET", "/v1/health", timeout=5)
            except OSError as error:
                failures.append(type(error).__name__)

    with run:
        until(lambda: len(run.worker_pids()) == 2, what="two workers")
        asking = threading.Thread(target=keep_asking, daemon=True)
        asking.start()
        time.sleep(1)   # the watcher starts once the workers are ready
        for text, build in ((THREE_MISTAKES, "failed"), (None, "ok")):
            before = set(run.worker_pids())
            if text is None:
                (root / "forms" / "t.yaml").unlink()
            else:
                (root / "forms" / "t.yaml").write_text(text)
            until(lambda old=before: not old & set(run.worker_pids())
                  and len(run.worker_pids()) == 2, seconds=90, what="both workers replaced")
            assert {run.page("/__build") for _ in range(10)} == {(200, build)}
        done.set()
        asking.join(WAIT)
    assert failures == []
