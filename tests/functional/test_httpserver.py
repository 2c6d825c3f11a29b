"""The server under `dipforms run` (web/httpserver.py on waitress, web/wsgi.py, the API's
per-thread requests): requests answered at once, limits, and a shutdown that finishes what
is in flight. Over real loopback sockets; no timing is asserted, only what arrives."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from web.httpserver import API_BODY_BYTES, MAX_HEADER_BYTES, PAGE_BODY_BYTES, Server

WAIT = 10.0   # seconds: only ever reached when the code is wrong


def test_the_server_limits_are_the_handlers_limits():
    from chalicelib.settings import MAX_BODY_BYTES

    from web.nojs import MAX_POST_BYTES

    assert API_BODY_BYTES == MAX_BODY_BYTES and PAGE_BODY_BYTES == MAX_POST_BYTES


@pytest.fixture
def held():
    """A server whose application holds each request until `release` is set."""
    entered, release = threading.Event(), threading.Event()

    def application(environ, start_response):
        entered.set()
        release.wait(WAIT)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"done"]

    server = Server(application, "127.0.0.1", 0, grace=WAIT)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, entered, release, thread
    release.set()
    server.shutdown()
    server.server_close()


def ask(port: int, head: bytes) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    conn.sendall(head)
    return conn


def answer(conn: socket.socket) -> bytes:
    received = b""
    while chunk := conn.recv(65536):
        received += chunk
    return received


def test_shutdown_finishes_the_request_in_flight_and_takes_no_new_one(held):
    server, entered, release, thread = held
    conn = ask(server.server_port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert entered.wait(WAIT)
    stopping = threading.Thread(target=server.shutdown)
    stopping.start()
    time.sleep(0.5)    # a sleep: under libfaketime a timed join would never time out
    assert stopping.is_alive()            # waiting for the request, not cutting it off
    with pytest.raises(OSError):          # the listener is closed: refused, not queued
        socket.create_connection(("127.0.0.1", server.server_port), timeout=WAIT).recv(1)
    release.set()
    got = answer(conn)
    assert got.startswith(b"HTTP/1.1 200") and got.endswith(b"done")
    stopping.join(WAIT)
    assert not stopping.is_alive() and not thread.is_alive()


def test_headers_above_the_limit_are_refused_with_431(held):
    server, entered, _, _ = held
    # exactly the limit, unfinished: the server reads every byte before it refuses, so its
    # close comes without a reset that would lose the answer
    start = b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: "
    conn = ask(server.server_port, start + b"a" * (MAX_HEADER_BYTES - len(start)))
    assert answer(conn).split(b"\r\n")[0].split()[1] == b"431"
    assert not entered.is_set()


def test_a_kept_alive_answer_comes_with_its_headers_in_one_write():
    """No delayed-ACK stall: headers and body go out together, on a TCP_NODELAY socket."""
    def application(environ, start_response):
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    server = Server(application, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        conn = socket.create_connection(("127.0.0.1", server.server_port), timeout=WAIT)
        for _ in range(3):                # the same connection, kept alive
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            got = b""
            while not got.endswith(b"ok"):
                got += conn.recv(65536)
            assert got.startswith(b"HTTP/1.1 200") and b"Connection: close" not in got
        conn.close()
        channels = list(server.waitress.active_channels.values())
        assert all(c.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                   for c in channels)
    finally:
        server.shutdown()
        server.server_close()


def test_the_api_answers_requests_at_once_each_seeing_its_own():
    """Two requests inside the Chalice app at the same time (a barrier both must reach),
    each reading its own app.current_request: the bridge no longer serialises them."""
    from chalice import Chalice
    from chalicelib.localserver import ApiBridge

    app = Chalice(app_name="both")
    barrier = threading.Barrier(2, timeout=WAIT)

    @app.route("/v1/echo/{word}")
    def echo(word):
        barrier.wait()                    # a BrokenBarrierError if requests run one by one
        return {"word": word, "seen": app.current_request.uri_params["word"]}

    bridge = ApiBridge(app)
    answers = {}

    def call(word: str) -> None:
        answers[word] = bridge.handle("GET", f"/v1/echo/{word}", [("Host", "x")], b"")

    threads = [threading.Thread(target=call, args=(w,)) for w in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    for word in ("one", "two"):
        status, _, body = answers[word]
        assert status == 200 and body == (
            f'{{"word":"{word}","seen":"{word}"}}').encode()


@pytest.mark.slow
def test_dipforms_run_ends_cleanly_on_sigterm(tmp_path):
    """A service manager's stop (SIGTERM) finishes what is in flight and exits 0; before,
    the process died of the signal."""
    from tests.local_run import LocalRun

    run = LocalRun(tmp_path / "data").start()
    try:
        assert run.request("GET", "/v1/health")[0] == 200
    finally:
        run.process.terminate()
        code = run.process.wait(timeout=30)
    assert code == 0
