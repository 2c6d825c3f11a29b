"""The README's local run (`dipforms run`) as a subprocess on a free loopback port, with a
temporary data folder, for end-to-end tests over real HTTP."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tests.examples import example_moment

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def one_build_at_a_time(root: Path):
    """Hold a lock on the folder `dipforms run` builds into while it starts.

    Before serving, `dipforms run` writes site/, schemas/ and api/chalicelib/generated/
    under its root (the repo's, unless --root), through fixed temporary names, and deletes
    what it did not write: two such builds at once (tests on two pytest-xdist workers)
    could trip over each other's files. Once up, the servers only read, side by side."""
    folder = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)  # and with it the lock


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie has let go of its sockets and files)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalRun:
    def __init__(self, data_dir: Path, port: int | None = None, root: Path | None = None,
                 start_seconds: float = 60, clock: str | None = None,
                 workers: int | None = None) -> None:
        """`root`: run `dipforms run --root <root>` (a copy of the project) instead.
        `clock`: DIPFORMS_CLOCK for the server and every CLI call alike, by default 10:00
        on the example submissions' day (tests/examples.py). `workers`: `--workers N`
        (by default dipforms run's own: one process per CPU)."""
        self.data_dir = data_dir
        self.workers = workers
        self.root = root
        self.start_seconds = start_seconds
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.env = {**os.environ, "DIPFORMS_DATA_DIR": str(data_dir),
                    "DIPFORMS_BASE_URL": self.url,
                    "DIPFORMS_CLOCK": clock or example_moment().isoformat()}
        self.env.pop("DIPFORMS_DEBUG", None)
        # Under bin/test-clocks the tests run with libfaketime, whose 0.9.10 does not reach
        # sem_clockwait: a Python thread's timed wait (the outbox dispatcher's) would never
        # return. The server's day is DIPFORMS_CLOCK, not the machine's, so it and the CLI
        # run on the real clock and are no less tested.
        if "faketime" in self.env.get("LD_PRELOAD", ""):
            for name in ("LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED"):
                self.env.pop(name, None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        run = subprocess.run([sys.executable, "-m", "dipforms_cli", *args], cwd=ROOT,
                             env=self.env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    def user_token(self, user: str, role: str, agency: str) -> str:
        self.cli("users", "add", "--id", user, "--role", role, "--agency", agency)
        return self.cli("token", "--user", user)

    def start(self) -> LocalRun:
        with one_build_at_a_time(self.root or ROOT):
            return self._start()

    def _start(self) -> LocalRun:
        where = ["--root", str(self.root)] if self.root else []
        if self.workers is not None:
            where += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dipforms_cli", "run", *where, "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.start_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dipforms run exited: {self.process.stderr.read()}")
            try:
                if self.request("GET", "/v1/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dipforms run did not start in {self.start_seconds:g} s")

    def worker_pids(self) -> list[int]:
        """The worker processes of `dipforms run --workers N` (Linux: /proc)."""
        children = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                children += (task / "children").read_text().split()
        return sorted(int(child) for child in children)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as in a power cut or an OOM kill; the worker
        processes of `--workers` too (alone, they would finish their requests and stop)."""
        if self.process and self.process.poll() is None:
            workers = self.worker_pids()
            self.process.send_signal(signal.SIGKILL)
            for pid in workers:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            deadline = time.monotonic() + 30
            while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def request(self, method: str, path: str, body=None, token: str | None = None,
                headers: dict | None = None, timeout: float = 10) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def page(self, path: str) -> tuple[int, str]:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.status, response.read().decode("utf-8")

    def submit(self, form: str, data: dict, token: str, key: str | None = None):
        return self.request("POST", f"/v1/forms/{form}/submissions", data, token,
                            {"Idempotency-Key": key or str(uuid.uuid4())})

    def __enter__(self) -> LocalRun:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def raw_request(url: str, method: str, path: str, headers: dict, body: bytes = b""):
    """(status, headers) of one request sent exactly as given (http.client adds no Host or
    Accept-Encoding): a header's value may be a list, sent that many times."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            for one in value if isinstance(value, list) else [value]:
                connection.putheader(name, one)
        if body:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()
