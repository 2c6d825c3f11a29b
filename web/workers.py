"""`dipforms run --workers N`: N processes answer on one port, so that both cores of a
small server do Python work at once (threads in one process share one core: the GIL).

The main process binds the listening socket and starts the workers, each a fresh
`dipforms run --worker-socket FD` (a new interpreter, not a fork: the main process has
threads running). Every worker serves the inherited socket with waitress (the kernel gives
each connection to the worker that accepts it first), and reads on its stdin, as one JSON
line, what all of them must share: the key that signs the pages' forms (so a form shown by
one worker is accepted by another) and the start of the main process's set clock (so all
of them tell the same time). Sign-in tokens, sign-in throttling and the records are in
.data/ files every process reads; SQLite writers take turns on a lock file
(store/sqlite/writerlock.py).

The main process alone rebuilds on a YAML change, delivers the outbox and sweeps
deadlines. After a rebuild it restarts the workers one at a time (a new one is ready
before the old one stops, so the port never goes unanswered; the old one finishes its
requests first); a worker that dies is replaced; Ctrl+C or SIGTERM stops every worker
gracefully, and the main process exits 0. A worker whose main process disappears (its
stdin closes) stops too. Edge module: processes, pipes, signals.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

MAX_WORKERS = 4          # beyond the cores of a small server, more processes only queue
READY_SECONDS = 60.0     # how long a new worker may take to import, load and listen
STOP_SECONDS = 20.0      # a stopping worker's grace (httpserver.GRACE_SECONDS) and more
CRASH_SECONDS = 5.0      # a worker dying sooner than this after it started is crashing
CRASHES_ALLOWED = 3      # ...this many times in a row, and the main process gives up


def default_workers() -> int:
    """One worker per CPU, at least 1 and at most MAX_WORKERS; 1 where a socket cannot be
    handed to a child process (Windows)."""
    if os.name != "posix":
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


@dataclass
class Worker:
    process: subprocess.Popen
    started: float
    ready_pipe: int = -1     # the read end of the pipe the worker says "ready" on
    ready: bool = False
    retiring: bool = False   # told to stop (a restart or the end): not to be replaced


@dataclass
class Workers:
    """The main process's worker processes. `command`: the worker's command line, to
    which the socket's descriptor and the ready pipe's are added; `shared`: the JSON sent
    on each worker's stdin."""

    command: list[str]
    sock: socket.socket
    count: int
    shared: dict
    workers: list[Worker] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    restart_wanted: threading.Event = field(default_factory=threading.Event)
    crashes: int = 0

    def spawn(self) -> Worker:
        fd = self.sock.fileno()
        read_end, write_end = os.pipe()
        try:
            process = subprocess.Popen(
                [*self.command, "--worker-socket", str(fd), "--ready-fd", str(write_end)],
                pass_fds=(fd, write_end), stdin=subprocess.PIPE)
        finally:
            os.close(write_end)
        process.stdin.write(json.dumps(self.shared).encode() + b"\n")
        process.stdin.flush()          # left open: its end tells the worker we are gone
        worker = Worker(process, time.monotonic(), read_end)
        self.workers.append(worker)
        return worker

    def wait_ready(self, worker: Worker, seconds: float = READY_SECONDS) -> bool:
        """True once `worker` says it listens; False if it exits or takes too long."""
        pipe = worker.ready_pipe
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline and not self.stopping.is_set():
                readable, _, _ = select.select([pipe], [], [], 0.2)
                if readable:
                    worker.ready = os.read(pipe, 16).startswith(b"ready")
                    return worker.ready
                if worker.process.poll() is not None:
                    return False
            return False
        finally:
            os.close(pipe)

    def start(self) -> bool:
        """Start every worker; True when all are ready."""
        started = [self.spawn() for _ in range(self.count)]
        return all([self.wait_ready(worker) for worker in started])

    def retire(self, worker: Worker) -> None:
        """Stop `worker` gracefully (SIGTERM: it finishes its requests) and wait for it."""
        worker.retiring = True
        if worker.process.poll() is None:
            worker.process.terminate()
        try:
            worker.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
        self._close(worker)

    def _close(self, worker: Worker) -> None:
        if worker.process.stdin:
            try:
                worker.process.stdin.close()
            except OSError:
                pass
        if worker in self.workers:
            self.workers.remove(worker)

    def restart(self) -> None:
        """Replace each worker by a new one, one at a time: the new one is ready before
        the old one stops."""
        for old in [w for w in self.workers if not w.retiring]:
            if self.stopping.is_set():
                return
            new = self.spawn()
            if not self.wait_ready(new):
                print("a restarted worker did not start; keeping the one it would replace",
                      file=sys.stderr, flush=True)
                self.retire(new)
                continue
            self.retire(old)

    def replace_the_dead(self) -> bool:
        """Start a worker for each that exited unasked; False when they keep crashing."""
        for worker in list(self.workers):
            code = worker.process.poll()
            if code is None or worker.retiring:
                continue
            self._close(worker)
            if self.stopping.is_set():
                continue
            quick = time.monotonic() - worker.started < CRASH_SECONDS
            self.crashes = self.crashes + 1 if quick else 0
            if self.crashes >= CRASHES_ALLOWED:
                print("dipforms run: the workers keep stopping; see the messages above",
                      file=sys.stderr, flush=True)
                return False
            print(f"a worker stopped (exit {code}); starting another", file=sys.stderr,
                  flush=True)
            if quick:
                time.sleep(1.0)
            self.wait_ready(self.spawn())
        return True

    def supervise(self) -> int:
        """Keep the workers running until stop(); then stop them all. The exit code."""
        code = 0
        while not self.stopping.wait(0.2):
            if self.restart_wanted.is_set():
                self.restart_wanted.clear()
                self.restart()
            if not self.replace_the_dead():
                code = 1
                break
        for worker in list(self.workers):
            worker.retiring = True
            if worker.process.poll() is None:
                worker.process.terminate()   # all at once; each finishes its requests
        for worker in list(self.workers):
            self.retire(worker)
        return code

    def stop(self) -> None:
        """Ask supervise() to stop the workers and return (safe from a signal handler)."""
        self.stopping.set()


def serve_with_workers(workspace, state, *, host: str, port: int, count: int,
                       command: list[str], shared: dict, on_stop=None) -> int:
    """The main process of `dipforms run --workers N`: bind, start the workers, rebuild
    on change (restarting them), until Ctrl+C or SIGTERM. The build is done already."""
    from .httpserver import listening_socket
    from .serve import watch

    try:
        sock = listening_socket(host, port)
    except OSError as error:
        print(f"dipforms run: cannot listen on {host}:{port} ({error.strerror})",
              file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    workers = Workers([*command, "--host", host, "--port", str(port)], sock, count, shared)
    stopped_by_signal = threading.Event()

    def on_signal(*_) -> None:
        stopped_by_signal.set()
        workers.stop()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    stop = threading.Event()
    try:
        # watching from now: a change while the workers start restarts them once started
        threading.Thread(target=watch, args=(workspace, state, stop),
                         kwargs={"after": workers.restart_wanted.set}, daemon=True).start()
        started = workers.start()
        if not started and not workers.stopping.is_set():
            print("dipforms run: the workers did not start", file=sys.stderr, flush=True)
            workers.stop()
        elif started:
            print(f"serving the forms and the API at http://{host}:{port}/ with {count} "
                  "worker processes (Ctrl+C to stop)", flush=True)
        code = workers.supervise()
        if not started and code == 0 and not stopped_by_signal.is_set():
            code = 1
    finally:
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if on_stop is not None:
            on_stop()
        sock.close()
    return code


def serve_worker(workspace, *, host: str, port: int, socket_fd: int, ready_fd: int,
                 api, checks) -> int:
    """A worker process: load the build, serve the inherited socket until SIGTERM,
    Ctrl+C or the end of stdin (the main process gone). `shared` came on stdin."""
    from .serve import BuildState, load, serve

    state = BuildState()
    load(workspace, state)
    sock = socket.socket(fileno=socket_fd)
    shared = read_shared()

    def ready(server) -> None:
        threading.Thread(target=_stop_when_orphaned, args=(server,), daemon=True).start()
        try:
            os.write(ready_fd, b"ready\n")
        except OSError:        # the main process stopped waiting: it will stop this one
            pass
        os.close(ready_fd)

    return serve(workspace, host=host, port=port, api=api, checks=checks,
                 worker={"sock": sock, "state": state, "ready": ready,
                         "csrf_key": bytes.fromhex(shared["csrf_key"])})


_SHARED: dict | None = None


def read_shared() -> dict:
    """The JSON line the main process sent on stdin (read once)."""
    global _SHARED
    if _SHARED is None:
        line = b""
        while not line.endswith(b"\n"):   # unbuffered: nothing past the line is taken
            byte = os.read(0, 1)
            if not byte:
                break
            line += byte
        _SHARED = json.loads(line or b"{}")
    return _SHARED


def _stop_when_orphaned(server) -> None:
    """Stop `server` when stdin ends: the main process has gone (even by SIGKILL), and a
    worker must not go on answering alone. os.read, not sys.stdin: a thread blocked in a
    buffered read would stop the interpreter from exiting."""
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    server.stop()
