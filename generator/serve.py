"""`dipforms serve`: serve site/ on loopback and rebuild when a YAML file changes.

When the YAML is invalid every page shows the same diagnostics as `check`, not a stale
form. Edge module: sockets, files and a watcher thread.
"""

from __future__ import annotations

import functools
import sys
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from .workspace import Workspace


class BuildState:
    """The outcome of the last build, shared between the watcher and the request threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.report = ""
        self.ok = True
        self.builds = 0

    def update(self, ok: bool, report: str) -> None:
        with self.lock:
            self.ok, self.report = ok, report
            self.builds += 1


def rebuild(workspace: Workspace, state: BuildState) -> None:
    result, report, _ = workspace.build_and_write()
    state.update(result.ok, report)
    when = "ok" if result.ok else "FAILED (pages show the diagnostics)"
    print(f"rebuilt: {when}", file=sys.stderr, flush=True)
    if report:
        print(report, file=sys.stderr, flush=True)


class SiteHandler(SimpleHTTPRequestHandler):
    """The site's files, the build's diagnostics, and (with `dipforms run`) the API under
    /v1/, passed to `api(method, path, headers, body) -> (status, headers, body)`."""

    state: BuildState
    api = None
    protocol_version = "HTTP/1.1"

    def _to_api(self, method: str) -> bool:
        if self.api is None or not self.path.startswith("/v1/"):
            return False
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        status, headers, payload = self.api(method, self.path, dict(self.headers.items()), body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        return True

    def do_POST(self) -> None:  # noqa: N802
        if not self._to_api("POST"):
            self._send_text(HTTPStatus.METHOD_NOT_ALLOWED, "only the API takes POST")

    def do_PUT(self) -> None:  # noqa: N802
        if not self._to_api("PUT"):
            self._send_text(HTTPStatus.METHOD_NOT_ALLOWED, "only the API takes PUT")

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self._to_api("GET"):
            return
        if self.path.split("?")[0] == "/__build":
            return self._send_text(HTTPStatus.OK, "ok" if self.state.ok else "failed")
        if not self.state.ok and not self.path.startswith("/assets/"):
            from .render import render_diagnostics_page
            from .templating import make_environment

            page = render_diagnostics_page(self.state.report, env=make_environment())
            return self._send_text(HTTPStatus.INTERNAL_SERVER_ERROR, page, "text/html")
        return super().do_GET()

    def _send_text(self, status: HTTPStatus, body: str, kind: str = "text/plain") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # request lines could carry identifiers; keep the console for build news


def watch(workspace: Workspace, state: BuildState, stop: threading.Event) -> None:
    from watchfiles import watch as watch_files

    forms = workspace.root / "forms"
    for _ in watch_files(forms, stop_event=stop, debounce=100, step=50):
        rebuild(workspace, state)


def make_server(workspace: Workspace, host: str, port: int, api=None):
    """Build once, start the watcher, and return (server, state, stop event).

    `api`, if given, answers every /v1/ request (see SiteHandler).
    """
    state = BuildState()
    rebuild(workspace, state)
    members = {"state": state, "api": staticmethod(api) if api else None}
    handler = functools.partial(type("Handler", (SiteHandler,), members),
                                directory=str(workspace.root / "site"))
    server = ThreadingHTTPServer((host, port), handler)
    stop = threading.Event()
    threading.Thread(target=watch, args=(workspace, state, stop), daemon=True).start()
    return server, state, stop


def serve(workspace: Workspace, *, host: str, port: int, api=None, on_stop=None) -> int:
    server, _, stop = make_server(workspace, host, port, api)
    what = "the forms and the API" if api else "the forms"
    print(f"serving {what} at http://{host}:{server.server_port}/ "
          "(Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    finally:
        stop.set()
        if on_stop is not None:
            on_stop()
        server.server_close()
    return 0
