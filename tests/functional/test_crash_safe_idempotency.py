"""Finding 9 of issue 15: a process killed (SIGKILL) mid-submission must not block its
Idempotency-Key. Since issue 18 the key is claimed in the commit itself, so a process killed
before its commit holds nothing: the resend at once makes the record exactly once (201, then
a replay). A claim left in flight by an older process (claim_key) still ends with its lease.
Real processes, a real SQLite file: the child is tests/crash_submission.py."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import uuid

import pytest
from chalicelib import records
from chalicelib.clock import FixedClock
from chalicelib.domain.access import Principal
from chalicelib.domain.results import Done
from chalicelib.settings import IDEMPOTENCY_LEASE_SECONDS
from chalicelib.store.sqlite import SQLiteStore

from tests.api_harness import USERS, make_runtime
from tests.examples import ROOT, example_moment, load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")
USER, ROLE, AGENCY = USERS["police"]
POLICE = Principal(user_id=USER, role=ROLE, agency=AGENCY)


def _killed_after_claiming(data_dir, generated, key: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "api")])}
    child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "crash_submission.py"),
                              str(data_dir), str(generated), key], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "claimed", child.stderr.read()
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def _submit_after(data_dir, generated, key: str, seconds: float):
    """A fresh process's submission (a new store and runtime on the same file), `seconds`
    after the killed one claimed the key."""
    store = SQLiteStore(data_dir / "dipforms.sqlite3")
    moment = example_moment() + datetime.timedelta(seconds=seconds)
    runtime, _ = make_runtime(data_dir, generated, store, clock=FixedClock(moment))
    try:
        return records.submit(runtime.context, POLICE, "mg14", MG14, key), store
    except BaseException:
        store.close()
        raise


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_resend_after_sigkill_makes_the_record_exactly_once(tmp_path, generated):
    key = str(uuid.uuid4())
    _killed_after_claiming(tmp_path, generated, key)

    made, store = _submit_after(tmp_path, generated, key, 1)
    assert isinstance(made, Done) and made.created and not made.replayed   # nothing held it
    again, other = _submit_after(tmp_path, generated, key, 2)
    other.close()
    assert isinstance(again, Done) and again.replayed and again.value == made.value
    stored = store.list_records("mg14", 10).items
    assert [r.record_id for r in stored] == [made.value["record"]["id"]]
    assert [e.action for e in store.list_audit()] == ["submit"]
    assert {e.record_id for e in store.list_events()} == {made.value["record"]["id"]}
    store.close()


def test_the_lease_is_seconds_not_hours():
    assert 5 <= IDEMPOTENCY_LEASE_SECONDS <= 120
