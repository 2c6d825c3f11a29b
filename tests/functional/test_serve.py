"""`dipforms serve` rebuilds when a YAML file changes; while the YAML is invalid every page
shows the same diagnostics as `check` instead of a stale form."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import pytest

from generator.edges.workspace import Workspace
from tests.functional.test_cli import GOOD, make_project
from tests.local_run import raw_request
from tests.yaml_cases import THREE_MISTAKES
from web.serve import make_server


def fetch(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def served(tmp_path):
    project = make_project(tmp_path, GOOD)
    server, state, stop = make_server(Workspace(project), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield project, server.server_port, state
    stop.set()
    server.shutdown()
    server.server_close()


def test_serves_the_built_site(served):
    _, port, _ = served
    status, body = fetch(port, "/forms/t/index.html")
    assert status == 200 and "Test form" in body
    assert fetch(port, "/__build") == (200, "ok")


def test_invalid_yaml_shows_diagnostics_then_the_fixed_form(served):
    project, port, state = served
    builds = state.builds
    time.sleep(0.3)  # let the watcher start before the first change
    (project / "forms/t.yaml").write_text(THREE_MISTAKES)
    wait_for(lambda: state.builds > builds and not state.ok)
    status, body = fetch(port, "/forms/t/index.html")
    assert status == 500
    assert "forms/t.yaml:12:15: error F004: unknown field type &#39;dat&#39;" in body
    assert "F001" in body and "F006" in body
    builds = state.builds
    (project / "forms/t.yaml").write_text(GOOD.replace("Test form", "Renamed form"))
    wait_for(lambda: state.builds > builds and state.ok)
    status, body = fetch(port, "/forms/t/index.html")
    assert status == 200 and "Renamed form" in body


def test_the_preview_sends_the_browser_headers_and_checks_the_host(served):
    """Finding 16 on `dipforms serve` too: the headers of web/headers.py on every answer
    (a page, a file, a 404), and a Host that is not this server refused."""
    from web.headers import security_headers

    _, port, _ = served
    url = f"http://127.0.0.1:{port}"
    for path in ("/forms/t/index.html", "/assets/init.js", "/no-such-page.html"):
        status, headers = raw_request(url, "GET", path, {"Host": f"127.0.0.1:{port}"})
        assert status == (404 if path.startswith("/no-") else 200), path
        for name, value in security_headers().items():
            assert headers.get_all(name) == [value], (path, name)
    assert raw_request(url, "GET", "/index.html", {"Host": f"localhost:{port}"})[0] == 200
    assert raw_request(url, "GET", "/index.html", {"Host": "attacker.example"})[0] == 421
    assert raw_request(url, "HEAD", "/index.html", {"Host": f"attacker.example:{port}"})[0] == 421
    status, headers = raw_request(url, "POST", "/forms/t/main.html", {"Host": f"127.0.0.1:{port}"})
    assert status == 403 and headers["Connection"] == "close"


def test_the_hosts_a_server_answers_for():
    from web.serve import allowed_hosts, allowed_origins

    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000",
                                                "[::1]:8000"}
    assert allowed_hosts("10.0.0.5", 80) == {"10.0.0.5:80", "10.0.0.5"}
    public = allowed_hosts("0.0.0.0", 8000, ("https://Forms.Example.org",))
    assert public == {"0.0.0.0:8000", "forms.example.org:443", "forms.example.org"}
    assert allowed_origins(public, ("https://Forms.Example.org",)) >= {
        "https://forms.example.org", "http://0.0.0.0:8000"}
