"""The page and API server of `dipforms run` over loopback: the subject (this tree: waitress,
web/httpserver.py, in one process and with worker processes, web/workers.py) beside its
baseline (http.server with the API under one lock, the code of commit BASELINE, unpacked
with `git archive`), in one run, under the same load:

(a) one client, GET /v1/records: p50 on a kept-alive connection and on a fresh one each;
(b) reads (GET /v1/records) and submissions (POST /v1/forms/mg14/submissions) at 1, 4, 16
    and 64 concurrent clients, each on fresh connections, closed loop, `--seconds` each:
    throughput, p50, p99 and connection errors (resets, refusals, timeouts).

Run: .venv/bin/python -m bench.server [--seconds 20] [--only baseline|subject|one|workers]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import uuid
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "api"))

from tests.examples import load_examples  # noqa: E402
from tests.local_run import LocalRun  # noqa: E402
from web.workers import default_workers  # noqa: E402

BASELINE = "3efcc06"   # the last commit served by http.server
LEVELS = (1, 4, 16, 64)
LATENCY_SECONDS = 5.0
MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")


class CodeRun(LocalRun):
    """`dipforms run` from another copy of the code (`code`), its own build and data."""

    def __init__(self, code: Path, data_dir: Path, options: tuple[str, ...] = ()) -> None:
        super().__init__(data_dir, root=code)
        self.code = code
        self.options = options   # more of `dipforms run`'s options (--workers N)
        self.env["PYTHONPATH"] = f"{code}{os.pathsep}{code / 'api'}"

    def cli(self, *args: str) -> str:
        run = subprocess.run([sys.executable, "-m", "dipforms_cli", *args], cwd=self.code,
                             env=self.env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    def _start(self) -> CodeRun:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dipforms_cli", "run", "--root", str(self.code),
             "--port", str(self.port), *self.options], cwd=self.code, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("dipforms run exited")
            try:
                if self.request("GET", "/v1/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("dipforms run did not start")


def unpack(commit: str, into: Path) -> Path:
    """The tree of `commit`, with this tree's built styles (not in git)."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    built = ROOT / "generator" / "static" / "build"
    if built.is_dir():
        shutil.copytree(built, into / "generator" / "static" / "build", dirs_exist_ok=True)
    (into / "node_modules").symlink_to(ROOT / "node_modules")
    return into


class Client:
    """One request kind against one server: `send(connection)` -> ok."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.body = json.dumps(MG14).encode()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def read(self, connection) -> bool:
        connection.request("GET", "/v1/records?form=mg14&limit=20",
                           headers={"Authorization": f"Bearer {self.token}"})
        response = connection.getresponse()
        response.read()
        return response.status == 200

    def submit(self, connection) -> bool:
        connection.request("POST", "/v1/forms/mg14/submissions", self.body, {
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": str(uuid.uuid4())})
        response = connection.getresponse()
        response.read()
        return response.status == 201


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency(client: Client, seconds: float) -> tuple[float, float]:
    """p50 ms of GET /v1/records, one client: kept alive, then a fresh connection each."""
    kept: list[float] = []
    connection = client.connect()
    end = time.monotonic() + seconds / 2
    while time.monotonic() < end:
        started = time.perf_counter()
        client.read(connection)
        kept.append((time.perf_counter() - started) * 1000)
    connection.close()
    fresh: list[float] = []
    end = time.monotonic() + seconds / 2
    while time.monotonic() < end:
        started = time.perf_counter()
        connection = client.connect()
        client.read(connection)
        connection.close()
        fresh.append((time.perf_counter() - started) * 1000)
    return statistics.median(kept), statistics.median(fresh)


def level(client: Client, send, clients: int, seconds: float) -> dict:
    """`clients` threads, each sending on a fresh connection as soon as the last answer
    came, for `seconds`: throughput, p50, p99 and the failed exchanges."""
    times: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < end:
            started = time.perf_counter()
            connection = client.connect()
            try:
                ok = send(connection)
                failure = None if ok else "bad status"
            except OSError as error:
                failure = type(error).__name__
            finally:
                connection.close()
            with lock:
                if failure:
                    failures[failure] = failures.get(failure, 0) + 1
                else:
                    times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    return {"rate": len(times) / took, "p50": percentile(times, 0.5),
            "p99": percentile(times, 0.99), "failures": failures}


def measure(run: LocalRun, seconds: float) -> dict:
    token = run.user_token("pc_jones", "police", "northshire_police")
    client = Client(run.port, token)
    for _ in range(20):   # warm: validators compiled, first pages read
        client.submit(client.connect())
    result = {"latency": latency(client, LATENCY_SECONDS)}
    for kind in ("read", "submit"):
        for clients in LEVELS:
            result[kind, clients] = level(client, getattr(client, kind), clients, seconds)
    return result


def goal(met: bool) -> str:
    return "met" if met else "MISSED"


def report(name: str, result: dict) -> None:
    kept, fresh = result["latency"]
    print(f"\n== {name}")
    print(f"  GET /v1/records, one client: kept-alive p50 {kept:.2f} ms, fresh-connection p50 "
          f"{fresh:.2f} ms ({kept / fresh:.2f}x)")
    print(f"    goal: kept-alive p50 within 1.5x fresh: {goal(kept <= 1.5 * fresh)}")
    for kind in ("read", "submit"):
        print(f"  {kind:6} clients  per s    p50 ms   p99 ms   connection failures")
        for clients in LEVELS:
            row = result[kind, clients]
            failed = sum(row["failures"].values())
            print(f"         {clients:7} {row['rate']:7.0f}  {row['p50']:7.2f}  {row['p99']:7.2f}"
                  f"   {failed} {row['failures'] or ''}")
    scale = result["read", 4]["rate"] / result["read", 1]["rate"]
    print(f"    goal: 4-client read throughput >= 1.5x 1-client: {scale:.2f}x, "
          f"{goal(scale >= 1.5)}")
    failed = sum(sum(result[k, c]["failures"].values()) for k in ("read", "submit")
                 for c in LEVELS)
    print(f"    goal: no connection failures up to 64 clients: {failed}, {goal(failed == 0)}")
    p99 = result["submit", 16]["p99"]
    print(f"    goal: submission p99 < 50 ms at 16 clients: {p99:.1f} ms, {goal(p99 < 50)}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.server")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="per concurrency level and request kind (at most 20)")
    parser.add_argument("--only", choices=("baseline", "subject", "one", "workers"),
                        help="one server: the baseline, or this tree's (subject: both of "
                             "its modes; one: one process; workers: --workers)")
    parser.add_argument("--workers", type=int, default=None,
                        help="the worker processes of the last run (default: dipforms "
                             "run's own default, one per CPU)")
    args = parser.parse_args()
    seconds = min(args.seconds, 20.0)
    print(f"bench.server: {seconds:g} s per level, loopback, fresh connections per request "
          f"in (b); {os.cpu_count()} cores shared with the clients")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        runs = {}
        if args.only in (None, "baseline"):
            code = unpack(BASELINE, folder / "baseline")
            runs[f"baseline: http.server, commit {BASELINE}"] = CodeRun(code, folder / "b")
        here = unpack_here(folder / "subject") if args.only != "baseline" else None
        if args.only in (None, "subject", "one"):
            runs["subject: waitress, one process (this tree, --workers 1)"] = CodeRun(
                here, folder / "s1", ("--workers", "1"))
        if args.only in (None, "subject", "workers"):
            count = args.workers or default_workers()
            runs[f"subject: waitress, {count} worker processes (this tree, --workers "
                 f"{count})"] = CodeRun(here, folder / "sn", ("--workers", str(count)))
        for name, run in runs.items():
            with run:
                report(name, measure(run, seconds))


def unpack_here(into: Path) -> Path:
    """This working tree as it is (committed or not), without its data and environments."""
    skip = shutil.ignore_patterns(".venv*", "node_modules", ".data", ".git", "__pycache__")
    shutil.copytree(ROOT, into, ignore=skip, symlinks=True)
    (into / "node_modules").symlink_to(ROOT / "node_modules")
    return into


if __name__ == "__main__":
    main()
