"""Finding 11 of issue 15 over real HTTP on one machine (web/serve.py in front of the API's
localserver.ApiBridge): Content-Length is checked before a byte of the body is read, and a
repeated Authorization header is refused. `-1` used to hang a thread reading to the end of
the stream; `99999999999` was read before the size limit."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import pytest

from generator.edges.workspace import Workspace
from tests.api_harness import make_runtime
from tests.examples import load_examples
from tests.functional.test_cli import GOOD, make_project

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")
PROMPT = 5.0  # seconds: a refusal comes at once; a server waiting for the body would time out


@pytest.fixture
def served(tmp_path, generated):
    import app as api_app
    from chalicelib.localserver import ApiBridge
    from chalicelib.runtime import set_runtime
    from chalicelib.store.sqlite import SQLiteStore

    from dipforms_cli import page_checks
    from web.serve import make_server

    store = SQLiteStore(tmp_path / "data" / "dipforms.sqlite3")
    runtime, secret = make_runtime(tmp_path / "data", generated, store)
    set_runtime(runtime)
    project = make_project(tmp_path / "project", GOOD)
    server, _, stop = make_server(Workspace(project), "127.0.0.1", 0,
                                  api=ApiBridge(api_app.app).handle,
                                  checks=page_checks(runtime.context))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from tests.api_harness import Api

    yield server.server_port, Api(None, runtime, secret), store
    stop.set()
    server.shutdown()
    server.server_close()
    set_runtime(None)
    store.close()


def exchange(port: int, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Send `head` (request line and headers, without the blank line and the Host header,
    which is added: this server's own) and `body`; read the answer until the server closes.
    Raises socket.timeout if it does not answer."""
    line, _, rest = head.partition("\n")
    head = f"{line}\nHost: 127.0.0.1:{port}" + (f"\n{rest}" if rest else "")
    with socket.create_connection(("127.0.0.1", port), timeout=PROMPT) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n\r\n" + body)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
        top, _, rest = received.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        length = int(headers.get("Content-Length", "0"))
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        return int(lines[0].split()[1]), headers, rest


def submission_head(api, length_lines: str, auth: str | None = None) -> str:
    auth = auth or f"Authorization: Bearer {api.token('police')}"
    return (f"POST /v1/forms/mg14/submissions HTTP/1.1\n{auth}\n"
            f"Content-Type: application/json\nIdempotency-Key: {uuid.uuid4()}"
            + (f"\n{length_lines}" if length_lines else ""))


@pytest.mark.parametrize(("length_lines", "status", "error"), [
    ("Content-Length: -1", 400, "bad_request"),
    ("Content-Length: abc", 400, "bad_request"),
    ("Content-Length: 1.5", 400, "bad_request"),
    ("Content-Length: +5", 400, "bad_request"),
    ("", 400, "bad_request"),                                   # missing on a POST
    ("Content-Length: 5\nContent-Length: 6", 400, "bad_request"),
    ("Transfer-Encoding: chunked", 400, "bad_request"),
    ("Content-Length: 99999999999", 413, "too_large"),
    ("Content-Length: 999999999999999999999999", 413, "too_large"),
    (f"Content-Length: {256 * 1024 + 1}", 413, "too_large"),
])
def test_a_bad_content_length_is_answered_at_once_without_reading(served, length_lines,
                                                                   status, error):
    port, api, store = served
    started = time.monotonic()
    answered, headers, body = exchange(port, submission_head(api, length_lines))  # no body
    assert time.monotonic() - started < PROMPT
    assert answered == status and json.loads(body)["error"] == error
    assert headers.get("Connection") == "close"
    assert store.list_records("mg14", 10).items == [] and store.list_events() == []
    assert exchange(port, "GET /v1/health HTTP/1.1\nConnection: close")[0] == 200


def test_a_sound_content_length_is_read_and_the_record_made(served):
    port, api, store = served
    raw = json.dumps(MG14).encode()
    head = submission_head(api, f"Content-Length: {len(raw)}\nConnection: close")
    assert exchange(port, head, raw)[0] == 201
    assert len(store.list_records("mg14", 10).items) == 1


def test_two_authorization_headers_are_401_whichever_comes_first(served):
    port, api, store = served
    raw = json.dumps(MG14).encode()
    good, other = api.token("police"), api.token("dat_admin")
    for first, second in ((good, "x.y.z"), ("x.y.z", good), (good, good), (other, good)):
        auth = f"Authorization: Bearer {first}\nAuthorization: Bearer {second}"
        head = submission_head(api, f"Content-Length: {len(raw)}\nConnection: close", auth)
        status, headers, _ = exchange(port, head, raw)
        assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    assert store.list_records("mg14", 10).items == []


@pytest.mark.parametrize(("length_line", "status"), [
    ("Content-Length: -1", 400), ("Content-Length: abc", 400), ("", 400),
    ("Content-Length: 99999999999", 413), ("Transfer-Encoding: chunked", 400),
])
def test_a_posted_page_checks_its_content_length_before_reading(served, length_line, status):
    port, _, _ = served
    head = ("POST /sign-in.html HTTP/1.1\n"
            f"Origin: http://127.0.0.1:{port}\n"
            "Content-Type: application/x-www-form-urlencoded"
            + (f"\n{length_line}" if length_line else ""))
    started = time.monotonic()
    assert exchange(port, head)[0] == status
    assert time.monotonic() - started < PROMPT
