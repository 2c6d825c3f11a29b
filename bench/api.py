"""API benchmarks: the validator choice; records.submit in-process beside its floor (one
validation and one SQLite transaction), and the per-request user check and access decision
beside that floor;
`dipforms run` over loopback HTTP at a fixed rate; and the import time of app.py beside a
bare Chalice app. All in this one run.

Run: .venv/bin/python -m bench.api
"""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "api"))  # chalicelib, as the app and the tests import it

import jsonschema_rs  # noqa: E402
from chalicelib.catalogue import Catalogue  # noqa: E402
from chalicelib.clock import iso  # noqa: E402
from chalicelib.context import Context  # noqa: E402
from chalicelib.domain.access import AccessPolicy, Principal  # noqa: E402
from chalicelib.domain.validation import compile_validator  # noqa: E402
from chalicelib.records import check_answers, submit  # noqa: E402
from chalicelib.responses import answer  # noqa: E402
from chalicelib.store.sqlite import SQLiteStore  # noqa: E402

from tests.api_harness import write_generated  # noqa: E402
from tests.examples import (  # noqa: E402
    DEFAULT_TODAY,
    example_clock,
    example_moment,
    load_examples,
)
from tests.local_run import LocalRun  # noqa: E402

SUBMISSIONS = 3000
HTTP_RATE, HTTP_SECONDS, HTTP_THREADS = 50, 20, 8
IMPORT_RUNS = 7
BARE_APP = "import boto3\nfrom chalice import Chalice\n\napp = Chalice(app_name='bare')\n"
IMPORT_PROBE = ("import sys, time; sys.path.insert(0, sys.argv[1]); t = time.perf_counter(); "
                "import app; print(time.perf_counter() - t)")


def samples(run: Callable[[], object], count: int, warm: int = 20) -> list[float]:
    """Milliseconds per call, `count` calls after `warm` unmeasured ones."""
    for _ in range(warm):
        run()
    out = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(label: str, values: list[float], note: str = "") -> tuple[str, float, float, str]:
    return label, p(values, 0.5), p(values, 0.99), note


def show(title: str, rows: list[tuple[str, float, float, str]], micro: bool = False) -> None:
    """Rows of (label, p50 ms, p99 ms, note); in microseconds if `micro`."""
    unit, scale, places = ("us", 1000, 1) if micro else ("ms", 1, 3)
    print(f"\n{title}")
    print(f"  {'':58} {'p50 ' + unit:>11} {'p99 ' + unit:>11}")
    for label, p50, p99, note in rows:
        print(f"  {label:58} {p50 * scale:11.{places}f} {p99 * scale:11.{places}f}  {note}")


def goal(met: bool) -> str:
    return "met" if met else "MISSED"


def validators(catalogue: Catalogue, valid: dict, invalid: dict) -> None:
    """(a) jsonschema-rs against jsonschema: verdicts, error lists, and building."""
    form = catalogue.current("mg14")
    fast, detailed = form.fast, form.detailed
    n = 2000
    rows = [
        row("valid minimal: jsonschema-rs is_valid", samples(lambda: fast.is_valid(valid), n)),
        row("valid minimal: jsonschema is_valid",
            samples(lambda: detailed.is_valid(valid), n // 4)),
        row("invalid: jsonschema-rs is_valid", samples(lambda: fast.is_valid(invalid), n)),
        row("invalid: jsonschema is_valid", samples(lambda: detailed.is_valid(invalid), n // 4)),
        row("invalid: jsonschema-rs every error",
            samples(lambda: list(fast.iter_errors(invalid)), n),
            f"{len(list(fast.iter_errors(invalid)))} errors"),
        row("invalid: jsonschema every error (what the app lists)",
            samples(lambda: list(detailed.iter_errors(invalid)), n // 4),
            f"{len(list(detailed.iter_errors(invalid)))} errors"),
        row("build: jsonschema_rs.validator_for(schema, formats)",
            samples(lambda: jsonschema_rs.validator_for(form.schema, validate_formats=True),
                    200, warm=5)),
        row("build: Draft202012Validator(schema, format_checker)",
            samples(lambda: compile_validator(form.schema), 200, warm=5)),
        row("build + first is_valid: jsonschema-rs",
            samples(lambda: jsonschema_rs.validator_for(
                form.schema, validate_formats=True).is_valid(valid), 200, warm=5)),
        row("build + first is_valid: jsonschema",
            samples(lambda: compile_validator(form.schema).is_valid(valid), 100, warm=5)),
    ]
    show("(a) validator choice, MG14 (jsonschema-rs 0.60 gives the verdict; jsonschema the "
         "field errors on a failure)", rows, micro=True)


def in_process(catalogue: Catalogue, folder: Path, data: dict) -> list[float]:
    """(b) records.submit: validate, rules, the case planned, one transaction (the key
    claimed in it), outbox events."""
    store = SQLiteStore(folder / "bench.sqlite")
    ctx = Context(store=store, catalogue=catalogue, base_url="http://127.0.0.1:8000",
                  policy=AccessPolicy.from_protocol(catalogue.protocol,
                                                    form_ids=tuple(catalogue.forms)),
                  clock=example_clock())   # the example's day, as LocalRun's server has
    who = Principal("pc_jones", "police", "northshire_police")
    keys = [str(uuid.uuid4()) for _ in range(SUBMISSIONS + 50)]
    statuses = set()

    def one() -> None:
        statuses.add(answer(submit(ctx, who, "mg14", data, keys.pop(), "bench")).status_code)

    started = time.perf_counter()
    times = samples(one, SUBMISSIONS, warm=50)
    elapsed = time.perf_counter() - started
    store.close()
    assert statuses == {201}, statuses
    print(f"\n(b) in-process records.submit, MG14 minimal, {SUBMISSIONS} submissions with fresh "
          f"keys, one thread: {SUBMISSIONS / elapsed:.0f} submissions/s")
    return times


def parts(catalogue: Catalogue, folder: Path, data: dict) -> list[tuple[str, float, float, str]]:
    """Two pieces alone: a separate idempotency claim (no longer on (b)'s path: its commit
    claims the key) and the verdict with the rules, which (b) pays."""
    store = SQLiteStore(folder / "parts.sqlite")
    form, today = catalogue.current("mg14"), DEFAULT_TODAY
    now = iso(example_moment())
    claims = samples(lambda: store.claim_key("pc_jones", str(uuid.uuid4()), "f", now, 3600),
                     1000, warm=20)
    store.close()
    checks = samples(lambda: check_answers(form, data, today), 2000)
    return [row("  for comparison: store.claim_key alone, which (b) no longer pays", claims),
            row(f"  of which: check_answers, alone ({len(form.schema['x-dipforms-rules'])} "
                "rules)", checks)]


def floor(catalogue: Catalogue, folder: Path, data: dict,
          count: int = SUBMISSIONS) -> list[float]:
    """(c) the least any submit could do: a verdict, then one row in one durable transaction."""
    fast = catalogue.current("mg14").fast
    folder.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(folder / "floor.sqlite", isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")

    def one() -> None:
        assert fast.is_valid(data)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO records (data) VALUES (?)",
                           (json.dumps(data, ensure_ascii=False, separators=(",", ":")),))
        connection.execute("COMMIT")

    times = samples(one, count, warm=50)
    connection.close()
    return times


USERS_IN_FILE = 2000


def user_check(folder: Path) -> tuple[list[float], list[tuple[str, float, float, str]]]:
    """What every signed-in request pays to know its user exists and is enabled: one
    primary-key read of the users file (directory.LocalDirectory), beside the token's
    signature check it follows. The users file holds USERS_IN_FILE users."""
    from chalicelib.directory import LocalDirectory
    from chalicelib.tokens import LocalVerifier, mint_local_token
    from chalicelib.users import UserDirectory

    users = UserDirectory(folder / "users.sqlite")
    with sqlite3.connect(users.path) as db:   # no passwords: the check never reads them
        db.executemany("INSERT INTO users (user_id, role, agency, created_at) VALUES "
                       "(?, 'police', 'northshire_police', '2026-01-01T00:00:00Z')",
                       [(f"user{i:05d}",) for i in range(USERS_IN_FILE)])
    users.disable("user00007")
    directory = LocalDirectory(users.path)
    secret, now = os.urandom(64), int(example_moment().timestamp())
    verifier = LocalVerifier(secret)
    token = mint_local_token(secret, subject="user01234", role="police",
                             agency="northshire_police", now=now)
    assert directory.is_active("user01234") and not directory.is_active("user00007")
    checks = samples(lambda: directory.is_active("user01234"), 5000, warm=100)
    verifies = samples(lambda: verifier.verify(token, now), 5000, warm=100)
    both = samples(lambda: directory.is_active(verifier.verify(token, now).subject), 5000,
                   warm=100)
    return checks, [
        row(f"user check: directory.is_active, one read ({USERS_IN_FILE} users)", checks),
        row("  for comparison: the token's signature and claims checked", verifies),
        row("  the two, as the decorator does them on every request", both)]


def access_decision(catalogue: Catalogue, folder: Path, data: dict
                    ) -> tuple[list[float], list[tuple[str, float, float, str]]]:
    """What a record read pays to decide what its reader sees: the CJIT reading the
    police's MG14 on its case. Pure: the case's parties, `sees_record` and the cut by
    access, `sharing:` and consent (caseview.visible_answers), on a snapshot already
    loaded; and cases.record_as_seen, which loads what that needs from SQLite first."""
    from chalicelib import cases
    from chalicelib.domain import caseplan, caseview, parties
    from chalicelib.domain.sharing import ConsentView

    store = SQLiteStore(folder / "access.sqlite")
    policy = AccessPolicy.from_protocol(catalogue.protocol, form_ids=tuple(catalogue.forms))
    ctx = Context(store=store, catalogue=catalogue, base_url="http://127.0.0.1:8000",
                  policy=policy, clock=example_clock())
    police = Principal("pc_jones", "police", "northshire_police")
    cjit = Principal("jo_worker", "cjit", "northshire_cjit")
    made = submit(ctx, police, "mg14", data, str(uuid.uuid4()), "bench")
    record = store.get_version(made.value["record"]["id"])
    case_ref = made.value["case"]
    records, entries = cases.case_records(ctx, case_ref), store.case_entries(case_ref)
    protocol, opened_by, today = catalogue.protocol, catalogue.case_process.opened_by, \
        DEFAULT_TODAY
    consent = ConsentView.of(caseplan.consent_in_force(protocol, records), today)

    def decide() -> object:
        found = parties.case_parties(protocol, opened_by, records, entries)
        assert policy.sees_record(cjit, record.agency, found)
        return caseview.visible_answers(policy, protocol, cjit, record, consent)

    assert decide() is not None and cases.record_as_seen(ctx, cjit, record, today)
    pure = samples(decide, 5000, warm=100)
    loaded = samples(lambda: cases.record_as_seen(ctx, cjit, record, today), 2000, warm=50)
    store.close()
    return pure, [
        row("access decision: parties + sees_record + the cut (pure)", pure),
        row("  with its reads from SQLite (record_as_seen)", loaded)]


def fsyncs(folder: Path) -> list[float]:
    """One fsync of a small file on the same disk: the unit a durable transaction pays."""
    path = folder / "fsync.bin"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        def one() -> None:
            os.write(fd, b"x" * 512)
            os.fsync(fd)
        return samples(one, 500)
    finally:
        os.close(fd)


def over_http(data: dict) -> None:
    """(d) `dipforms run` on loopback at a fixed rate, open loop: latency from the scheduled
    send time, so a slow answer delays no later request's clock."""
    total = HTTP_RATE * HTTP_SECONDS
    with tempfile.TemporaryDirectory() as folder, LocalRun(Path(folder)) as run:
        token = run.user_token("pc_jones", "police", "northshire_police")
        body = json.dumps(data).encode()
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def send(scheduled: float) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", run.port, timeout=10)
            try:
                connection.request("POST", "/v1/forms/mg14/submissions", body, {
                    "Content-Type": "application/json", "Authorization": f"Bearer {token}",
                    "Idempotency-Key": str(uuid.uuid4())})
                response = connection.getresponse()
                response.read()
                failure = None if response.status == 201 else f"HTTP {response.status}"
            except OSError as error:
                failure = type(error).__name__
            finally:
                connection.close()
            with lock:
                latencies.append((time.perf_counter() - scheduled) * 1000)
                if failure:
                    errors.append(failure)

        for _ in range(20):  # warm: first requests compile validators, open connections
            send(time.perf_counter())
        latencies.clear()
        errors.clear()
        with ThreadPoolExecutor(HTTP_THREADS) as pool:
            start = time.perf_counter() + 0.1
            for i in range(total):
                scheduled = start + i / HTTP_RATE
                time.sleep(max(0.0, scheduled - time.perf_counter()))
                pool.submit(send, scheduled)
        took = time.perf_counter() - start
    p99 = p(latencies, 0.99)
    show(f"(d) HTTP POST /v1/forms/mg14/submissions through `dipforms run`, {HTTP_RATE}/s for "
         f"{HTTP_SECONDS} s, open loop, {HTTP_THREADS} client threads",
         [row("latency from the scheduled send", latencies,
              f"{len(latencies)} sent in {took:.1f} s, {len(errors)} errors "
              f"{sorted(set(errors)) or ''}")])
    print(f"  goal: p99 < 25 ms with no errors: {goal(p99 < 25 and not errors)}")


def import_seconds(folder: Path) -> float:
    run = subprocess.run([sys.executable, "-c", IMPORT_PROBE, str(folder)], cwd=folder,
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return float(run.stdout.strip()) * 1000


def imports() -> None:
    """(e) `import app` in a fresh interpreter: ours against a bare Chalice app with boto3."""
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder)
        (bare / "app.py").write_text(BARE_APP)
        ours_ms, bare_ms = [], []
        for _ in range(IMPORT_RUNS):  # alternate, so drift in the machine hits both alike
            ours_ms.append(import_seconds(ROOT / "api"))
            bare_ms.append(import_seconds(bare))
    ours, base = statistics.median(ours_ms), statistics.median(bare_ms)
    print(f"\n(e) `import app` in a fresh interpreter, median of {IMPORT_RUNS}")
    print(f"  api/app.py                                     {ours:8.1f} ms")
    print(f"  bare Chalice app importing boto3 (baseline)    {base:8.1f} ms")
    print(f"  ratio {ours / base:.2f}x; goal: within 1.25x: {goal(ours <= 1.25 * base)}")


def main() -> None:
    examples = {e.name: e.data for e in load_examples("mg14")}
    valid, invalid = examples["valid/minimal"], examples["invalid/missing_surname"]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        catalogue = Catalogue(write_generated(folder / "generated"))
        catalogue.warm()
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; SQLite "
              f"{sqlite3.sqlite_version}; temp files in {folder.parent}")
        validators(catalogue, valid, invalid)
        full = in_process(catalogue, folder, valid)
        least = floor(catalogue, folder, valid)
        sync = fsyncs(folder)
        checks, check_rows = user_check(folder)
        decisions, decision_rows = access_decision(catalogue, folder, valid)
        show("(b) against (c), the floor: the same body, fastest verdict + one durable "
             "transaction", [row("records.submit (b)", full),
                             *parts(catalogue, folder, valid),
                             row("floor: is_valid + one WAL transaction, FULL (c)", least),
                             row("one fsync of a small file, same disk", sync),
                             *check_rows, *decision_rows])
        p50, p99 = p(full, 0.5) / p(least, 0.5), p(full, 0.99) / p(least, 0.99)
        print(f"  ratio (b)/(c): p50 {p50:.2f}x, p99 {p99:.2f}x")
        print(f"  goal: p99 < 5 ms: {goal(p(full, 0.99) < 5)}; p99 within 3x the floor's "
              f"p99: {goal(p99 <= 3)} (and p50 within 3x the floor's p50: {goal(p50 <= 3)})")
        share = p(checks, 0.5) / p(least, 0.5)
        print(f"  user check / floor (c): p50 {share:.1%}, p99 "
              f"{p(checks, 0.99) / p(least, 0.99):.1%}; goal: p50 under 10% of the "
              f"floor's: {goal(share < 0.10)}")
        share = p(decisions, 0.5) / p(least, 0.5)
        print(f"  access decision / floor (c): p50 {share:.1%}, p99 "
              f"{p(decisions, 0.99) / p(least, 0.99):.1%}; goal: p50 under 10% of the "
              f"floor's: {goal(share < 0.10)}")
    over_http(valid)
    imports()


if __name__ == "__main__":
    main()
