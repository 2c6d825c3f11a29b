"""The local server's files: gzip when the client accepts it (bytes that decompress to the
file), `Cache-Control: no-cache` with an ETag (a 304 when unchanged), directories as their
index.html, and /sw.js: the generated worker with the API, a self-removing one in the
preview."""

from __future__ import annotations

import gzip
import http.client
import shutil
import subprocess
import threading

import pytest

from generator.edges.workspace import Workspace
from tests.functional.test_cli import GOOD, make_project
from web.serve import accepts_gzip, make_server


def no_api(method, path, headers, body, source_ip=None):
    """Stands for the API bridge: only its presence matters to the site's files."""
    return 404, {"Content-Type": "application/json"}, b'{"ok": false}'


def serve(tmp_path, api):
    project = make_project(tmp_path, GOOD)
    server, _, stop = make_server(Workspace(project), "127.0.0.1", 0, api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return project, server, stop


@pytest.fixture
def running(tmp_path):
    project, server, stop = serve(tmp_path, no_api)
    yield project, server.server_port
    stop.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def preview(tmp_path):
    project, server, stop = serve(tmp_path, None)
    yield project, server.server_port
    stop.set()
    server.shutdown()
    server.server_close()


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_accept_encoding_gzip_gives_gzip_bytes_of_the_file(running):
    project, port = running
    on_disk = (project / "site/forms/t/main.html").read_bytes()
    response = get(port, "/forms/t/main.html", Accept_Encoding="gzip, deflate, br")
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Vary") == "Accept-Encoding"
    assert int(response.getheader("Content-Length")) == len(response.body) < len(on_disk)
    assert gzip.decompress(response.body) == on_disk
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.getheader("Cache-Control") == "no-cache"
    again = get(port, "/forms/t/main.html", Accept_Encoding="gzip")
    assert again.body == response.body                                     # kept, the same


def test_without_gzip_the_file_is_sent_as_it_is(running):
    project, port = running
    on_disk = (project / "site/assets/offline.js").read_bytes()
    for headers in ({}, {"Accept_Encoding": "gzip;q=0, identity"}):
        response = get(port, "/assets/offline.js", **headers)
        assert response.status == 200 and response.body == on_disk
        assert response.getheader("Content-Encoding") is None
        assert response.getheader("Cache-Control") == "no-cache"
        assert response.getheader("Vary") == "Accept-Encoding"


def test_an_unchanged_file_is_a_304_and_a_changed_one_is_sent_again(running):
    project, port = running
    first = get(port, "/index.html", Accept_Encoding="gzip")
    tag = first.getheader("ETag")
    assert tag and tag.endswith('-gz"')
    unchanged = get(port, "/index.html", Accept_Encoding="gzip", If_None_Match=tag)
    assert (unchanged.status, unchanged.body) == (304, b"")
    assert unchanged.getheader("ETag") == tag
    since = get(port, "/index.html", If_Modified_Since=first.getheader("Last-Modified"))
    assert since.status == 304
    page = project / "site/index.html"
    page.write_bytes(page.read_bytes() + b"\n")
    changed = get(port, "/index.html", Accept_Encoding="gzip", If_None_Match=tag)
    assert changed.status == 200 and gzip.decompress(changed.body) == page.read_bytes()


def test_a_directory_is_its_index_and_needs_its_slash(running):
    project, port = running
    response = get(port, "/forms/t/", Accept_Encoding="gzip")
    assert gzip.decompress(response.body) == (project / "site/forms/t/index.html").read_bytes()
    redirect = get(port, "/forms/t")
    assert redirect.status == 301 and redirect.getheader("Location") == "/forms/t/"
    assert get(port, "/forms/t/nothing.html").status == 404
    assert get(port, "/index.html/").status == 404


def test_the_local_run_serves_the_generated_worker(running):
    project, port = running
    response = get(port, "/sw.js", Accept_Encoding="gzip")
    assert response.getheader("Content-Type") == "text/javascript; charset=utf-8"
    assert response.getheader("Cache-Control") == "no-cache"
    text = gzip.decompress(response.body).decode()
    assert text == (project / "site/sw.js").read_text()
    assert '"/forms/t/index.html"' in text and '"/forms/t/print.html"' not in text
    node = shutil.which("node")
    if node:   # the worker is valid JavaScript
        check = subprocess.run([node, "--check", str(project / "site/sw.js")],
                               capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stderr


def test_the_preview_answers_sw_js_with_a_worker_that_removes_itself(preview):
    _, port = preview
    response = get(port, "/sw.js")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/javascript; charset=utf-8"
    assert response.getheader("Cache-Control") == "no-store"
    text = response.body.decode()
    assert "registration.unregister()" in text and "caches.delete" in text
    assert "respondWith" not in text                           # it never answers a request


@pytest.mark.parametrize("header, accepted", [
    ("gzip", True), ("gzip, deflate, br, zstd", True), ("br;q=1.0, gzip;q=0.8", True),
    ("GZIP", True), ("gzip;q=0", False), ("gzip; q=0.0", False), ("deflate", False),
    ("", False), (None, False), ("gzip;q=nonsense", False),
])
def test_accepts_gzip(header, accepted):
    assert accepts_gzip(header) is accepted
