"""A submission that stops for good at its commit (where its Idempotency-Key is claimed), for
the SIGKILL test (tests/functional/test_crash_safe_idempotency.py): the real records.submit
on a real SQLite store, whose commit this script alone wraps to say "claimed" and wait to
be killed.

    python tests/crash_submission.py DATA_DIR GENERATED_DIR IDEMPOTENCY_KEY
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from chalicelib import records
from chalicelib.clock import FixedClock
from chalicelib.domain.access import Principal
from chalicelib.store.sqlite import SQLiteStore

from tests.api_harness import USERS, make_runtime
from tests.examples import example_moment, load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")


def main(data_dir: str, generated: str, key: str) -> None:
    store = SQLiteStore(Path(data_dir) / "dipforms.sqlite3")

    def commit_never(*_args, **_kwargs) -> None:
        print("claimed", flush=True)   # at its commit: the parent kills us now
        threading.Event().wait()       # never returns

    store.commit = commit_never
    runtime, _ = make_runtime(Path(data_dir), Path(generated), store,
                              clock=FixedClock(example_moment()))
    user, role, agency = USERS["police"]
    records.submit(runtime.context, Principal(user_id=user, role=role, agency=agency), "mg14",
                   json.loads(json.dumps(MG14)), key)
    print("not killed", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
