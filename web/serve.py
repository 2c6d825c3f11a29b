"""`dipforms serve`: serve site/ on loopback and rebuild when a YAML file changes.

When the YAML is invalid every page shows the same diagnostics as `check`, not a stale
form. SiteHandler decides every answer; waitress (web/httpserver.py) carries them, through
web/wsgi.py. Edge module: sockets, files, signals and a watcher thread.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import http.cookies
import json
import os
import re
import secrets
import signal
import stat
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler

from chalicelib.contract.ids import form_of_record

from generator.edges.templating import TEMPLATES_DIR
from generator.edges.workspace import Workspace

from .headers import origin_of, security_headers

#: Sent gzip-compressed to a client that accepts it: the pages, styles and scripts.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_COMPRESSED = 256   # smaller files gain nothing from gzip's 20 bytes of framing
#: What the preview (`dipforms serve`, no API) answers for /sw.js; see that file.
PREVIEW_WORKER = TEMPLATES_DIR / "sw-preview.js"
#: The address of the client whose request this thread answers (set per request, wsgi.py).
_PEER = threading.local()
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
#: /cases/<ref>, the case link of messages before they named cases/case.html?ref=
_OLD_LINK = re.compile(r"^/cases/([A-Z][A-Z0-9]*-[A-Za-z0-9-]+)$")
_OLD_RECORD_LINK = re.compile(r"^/records/([A-Z][A-Z0-9-]*-[A-Za-z0-9]+)$")


def allowed_hosts(host: str, port: int, public_urls=()) -> frozenset[str]:
    """The Host headers this server answers: its own address and port (every loopback name
    when it listens on loopback) and the host of each public address (DIPFORMS_BASE_URL).
    Any other is refused, so a name rebound to this machine's address (DNS rebinding) gets
    nothing; lower case, as compared."""
    name = f"[{host}]" if ":" in host else host
    names = set(LOOPBACK_NAMES) if name.lower() in (*LOOPBACK_NAMES, "::1") else {name}
    hosts = {f"{n}:{port}".lower() for n in names}
    if port == 80:
        hosts |= {n.lower() for n in names}
    for url in public_urls:
        parts = urllib.parse.urlsplit(url or "")
        if parts.hostname:
            default = 443 if parts.scheme == "https" else 80
            hostname = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            hosts.add(f"{hostname}:{parts.port or default}".lower())
            if parts.port in (None, default):
                hosts.add(hostname.lower())
    return frozenset(hosts)


def allowed_origins(hosts: frozenset[str], public_urls=()) -> frozenset[str]:
    """The origins whose posts are this site's own: http:// and each allowed host, and each
    public address's own origin (https:// behind a proxy that ends TLS)."""
    return frozenset({f"http://{h}" for h in hosts}
                     | {origin_of(url) for url in public_urls if url})


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header accepts gzip (`gzip;q=0` refuses it)."""
    for part in (header or "").split(","):
        name, _, params = part.partition(";")
        if name.strip().lower() == "gzip":
            q = params.strip().replace(" ", "")
            try:
                return not q.startswith("q=") or float(q[2:]) > 0
            except ValueError:
                return False
    return False


class Compressed:
    """gzip bytes of the site's files, kept by path while the file's mtime and size stay."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, tuple[tuple[int, int], bytes]] = {}

    def get(self, path: str, info: os.stat_result, data: bytes) -> bytes:
        key = (info.st_mtime_ns, info.st_size)
        with self.lock:
            entry = self.entries.get(path)
        if entry is not None and entry[0] == key:
            return entry[1]
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        with self.lock:
            self.entries[path] = (key, packed)
        return packed


class BuildState:
    """The outcome of the last build, shared between the watcher and the request threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.report = ""
        self.ok = True
        self.builds = 0
        self.forms: tuple = ()   # the forms of the last good build (for pages posted, nojs.py)
        self.project = None      # its project (the case pages filled without scripts)

    def update(self, ok: bool, report: str, forms: tuple | None = None,
               project=None) -> None:
        with self.lock:
            self.ok, self.report = ok, report
            if ok and forms is not None:
                self.forms = forms
                self.project = project
            self.builds += 1


def rebuild(workspace: Workspace, state: BuildState) -> None:
    result, report, _ = workspace.build_and_write()
    project = result.project if result.ok else None
    state.update(result.ok, report, tuple(project.forms) if project is not None else None,
                 project)
    when = "ok" if result.ok else "FAILED (pages show the diagnostics)"
    print(f"rebuilt: {when}", file=sys.stderr, flush=True)
    if report:
        print(report, file=sys.stderr, flush=True)


def load(workspace: Workspace, state: BuildState) -> None:
    """What a worker process (workers.py) knows of the build: the forms and their
    diagnostics, checked from the YAML as the main process built it, without writing (the
    main process alone writes site/ and the schemas)."""
    from generator.diagnostics import format_all

    result, sources = workspace.build(site=False)
    project = result.project if result.ok else None
    state.update(result.ok, format_all(result.diagnostics, sources),
                 tuple(project.forms) if project is not None else None, project)


def from_peer(api):
    """`api(method, path, headers, body)` passing the API the served client's address as
    `source_ip`, so that sign-in attempts are counted per real client (the page posts of
    nojs.py call the API on the same thread, so they carry it too)."""
    def call(method, path, headers, body):
        return api(method, path, headers, body, source_ip=getattr(_PEER, "address", None))
    return call


class SiteHandler(SimpleHTTPRequestHandler):
    """The site's files, the build's diagnostics, and (with `dipforms run`) the API under
    /v1/, passed to `api(method, path, headers, body) -> (status, headers, body)`."""

    state: BuildState
    api = None
    no_script = None   # nojs.NoScript: pages posted without JavaScript (with `dipforms run`)
    protocol_version = "HTTP/1.1"
    hosts: frozenset[str] = frozenset()     # allowed_hosts(); set by make_server
    origins: frozenset[str] = frozenset()   # allowed_origins()
    security: dict[str, str] = dict(security_headers())   # web/headers.py

    def host_ours(self) -> bool:
        """The Host header checked before anything else is answered: exactly one, naming
        this server (allowed_hosts). 400 for none or several, 421 for another host."""
        given = self.headers.get_all("Host") or []
        if len(given) != 1:
            self._refuse(HTTPStatus.BAD_REQUEST, "send one Host header")
            return False
        if given[0].strip().lower() not in self.hosts:
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "this server does not answer for "
                         "that host name; set DIPFORMS_BASE_URL to the address people use")
            return False
        return True

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        """Answer at once without reading the body, and close the connection: what is left
        of the request must not be read as the next one."""
        self.close_connection = True
        data = message.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _origin_ours(self) -> bool | None:
        """Whether the browser says the request comes from this site (Origin, else the
        Referer's origin): True or False, or None when it sends neither."""
        origin = self.headers.get("Origin")
        if origin is None:
            referer = self.headers.get("Referer")
            if referer is None:
                return None
            origin = origin_of(referer)
        return origin.strip().lower() in self.origins

    def _cross_site(self) -> bool:
        """Refuse (403) a post or put another site could have made; True when refused.

        A browser names where a post comes from (Origin; with Referrer-Policy same-origin
        it is never `null` for this site's own pages). Neither Origin nor Referer: a page's
        post is refused; an API call passes only with a header no other site's page can
        send without a CORS preflight, which this server never grants: Authorization (a
        bearer token, never a cookie, so nothing to forge) or a JSON Content-Type. So a
        client that is not a browser (curl, scripts with a token) keeps working.
        """
        ours = self._origin_ours()
        if ours:
            return False
        if ours is None and self.path.startswith("/v1/") and self._preflighted():
            return False
        self._refuse(HTTPStatus.FORBIDDEN, "posts from other sites are refused")
        return True

    def _preflighted(self) -> bool:
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return "Authorization" in self.headers or kind == "application/json"

    def _session(self) -> str | None:
        """The session cookie's value (nojs.COOKIE), if the request carries one."""
        from .replies import COOKIE

        cookies = http.cookies.SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie") or "")
        except http.cookies.CookieError:
            return None
        return (cookies[COOKIE].value or None) if COOKIE in cookies else None

    def _to_api(self, method: str) -> bool:
        if self.api is None or not self.path.startswith("/v1/"):
            return False
        # the API checks Content-Length before it reads the body from the stream, and is
        # handed every header as sent (a repeated one too)
        status, headers, payload = self.api(method, self.path, self.headers.items(), self.rfile)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if method == "POST" and status == 200 and self.path.split("?")[0] == "/v1/session":
            cookie = self._sign_in_cookie(payload)
            if cookie:
                self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        return True

    def _sign_in_cookie(self, payload: bytes) -> str | None:
        """A page script's sign-in (POST /v1/session) also sets the session cookie, so that
        another tab of this browser can ask for the session (GET /session) instead of
        signing in again. HttpOnly and SameSite=Strict (replies.session_cookie): no script
        reads it and no other site's request carries it; it lasts no longer than the token."""
        from .replies import session_cookie

        try:
            body = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("token"), str):
            return None
        left = self.no_script.seconds_left(body) if self.no_script is not None else None
        return session_cookie(body["token"], left)

    def _session_answer(self, method: str) -> bool:
        """This tab's copy of the browser's session (tabs.md in docs/auth.md):

        GET /session: the token the session cookie holds, for a page of this site in a tab
        that has none; 401 when signed out. Another site's page cannot have it: the Strict
        cookie is not sent with its requests, no CORS header lets it read the answer, and a
        browser that says the request is not same-origin (Sec-Fetch-Site) is refused.
        POST /session/end: signing out in a page script clears the cookie (the post passed
        the origin check of do_POST), so no tab can take the session up again.
        """
        path = urllib.parse.urlsplit(self.path).path
        if self.api is None or path not in ("/session", "/session/end"):
            return False
        if method == "GET" and path == "/session":
            site = self.headers.get("Sec-Fetch-Site")
            if site is not None and site.strip().lower() != "same-origin":
                self._send_json(HTTPStatus.FORBIDDEN, {"error": "forbidden"})
            elif (token := self._session()) is None:
                self._send_json(HTTPStatus.UNAUTHORIZED, {"error": "signed_out"})
            else:
                self._send_json(HTTPStatus.OK, {"token": token})
            return True
        if method == "POST" and path == "/session/end":
            from .replies import CLEARED

            # the body says nothing, but it is read: left unread, it would be taken as the
            # start of the next request on a kept-alive connection, which then stalls
            length = self._posted_length(method, 1024)
            if length is None:
                return True
            self.rfile.read(length)
            self._send_json(HTTPStatus.OK, {"signed_out": True}, cookie=CLEARED)
            return True
        self._send_text(HTTPStatus.METHOD_NOT_ALLOWED, "GET /session, POST /session/end")
        return True

    def _send_json(self, status: HTTPStatus, body: dict, cookie: str | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        if self._cross_site():
            return
        if self._session_answer("POST"):
            return
        if not self._to_api("POST") and not self._posted_page("POST"):
            self._send_text(HTTPStatus.METHOD_NOT_ALLOWED, "only the API and the pages of "
                            "forms take POST")

    def _posted_page(self, method: str) -> bool:
        """A sign-in or question page posted without JavaScript, or signing out (nojs.py):
        by a post only; GET /sign-out shows a page with the Sign out button.

        A post from another site is refused: the browser must say it comes from this
        server (Origin, else Referer; _cross_site).
        """
        if self.no_script is None:
            return False
        from . import nojs

        parts = urllib.parse.urlsplit(self.path)
        if not (parts.path == "/sign-out" or (method == "POST"
                                               and self.no_script.handles(parts.path))):
            return False
        if method == "GET":
            self._send_reply(self.no_script.sign_out_page(parts.query, self._session()))
            return True
        length = self._posted_length(method, nojs.MAX_POST_BYTES)
        if length is None:
            return True
        body = self.rfile.read(length) if length else b""
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            self._send_text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the form as a web form")
            return True
        if not self.state.ok:
            self._send_text(HTTPStatus.SERVICE_UNAVAILABLE, "the forms have errors; see the "
                            "console of `dipforms run`")
            return True
        raw = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        if parts.path == "/sign-out":
            self._send_reply(self.no_script.sign_out(raw, self._session()))
            return True
        reply = self.no_script.post(parts.path, urllib.parse.parse_qs(parts.query), raw,
                                    self._session())
        if reply is None:
            return False
        self._send_reply(reply)
        return True

    def _served_page(self) -> bool:
        """A case, list or record page asked for by a browser that does not run the pages'
        scripts (no casepages.MARKER cookie): filled here (web/casepages.py)."""
        pages = getattr(self.no_script, "case_pages", None)
        if pages is None or not self.state.ok:
            return False
        from .casepages import MARKER

        parts = urllib.parse.urlsplit(self.path)
        cookies = http.cookies.SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie") or "")
        except http.cookies.CookieError:
            pass
        reply = pages.get(parts.path, urllib.parse.parse_qs(parts.query), self._session(),
                          scripted=MARKER in cookies)
        if reply is None:
            return False
        self._send_reply(reply)
        return True

    def _posted_length(self, method: str, limit: int) -> int | None:
        """The body's length from Content-Length, checked before a byte is read; None once
        a refusal has been answered (at once, then the connection closes): 400 for a post
        without one, a negative or non-numeric one, two that differ, or Transfer-Encoding
        (not decoded here); 413 above `limit`."""
        values = [v.strip() for v in self.headers.get_all("Content-Length") or []]
        if not values and method != "POST" and "Transfer-Encoding" not in self.headers:
            return 0
        text = values[0] if len(set(values)) == 1 else ""
        if "Transfer-Encoding" in self.headers or not (text.isascii() and text.isdigit()):
            status, words = HTTPStatus.BAD_REQUEST, "say how long the form is (Content-Length)"
        elif len(text) > len(str(limit)) or int(text) > limit:
            status, words = HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the form is too large"
        else:
            return int(text)
        self.close_connection = True
        self._send_text(status, words)
        return None

    def _send_reply(self, reply) -> None:
        data = reply.html.encode("utf-8")
        self.send_response(reply.status)
        if reply.location:
            self.send_header("Location", reply.location)
        if reply.cookie:
            self.send_header("Set-Cookie", reply.cookie)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")   # the page holds the answers
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:  # noqa: N802
        if self._cross_site():
            return
        if not self._to_api("PUT"):
            self._send_text(HTTPStatus.METHOD_NOT_ALLOWED, "only the API takes PUT")

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self._to_api("GET") or self._posted_page("GET") or self._session_answer("GET"):
            return
        if self._served_page():
            return
        if self.api is not None and (found := _OLD_LINK.match(self.path.split("?")[0])):
            # a message sent before messages named the case page
            ref = urllib.parse.quote(found.group(1), safe="")
            return self._redirect(f"/cases/case.html?ref={ref}")
        if self.api is not None and (found := _OLD_RECORD_LINK.match(self.path.split("?")[0])):
            return self._redirect(self._record_page(found.group(1)))
        if self.path.split("?")[0] == "/__build":
            return self._send_text(HTTPStatus.OK, "ok" if self.state.ok else "failed")
        if self.api is None and self.path.split("?")[0] == "/sw.js":
            # the preview shows every save at once: no offline copies (sw-preview.js)
            return self._send_text(HTTPStatus.OK, PREVIEW_WORKER.read_text(), "text/javascript")
        if not self.state.ok and not self.path.startswith("/assets/"):
            from generator.edges.templating import make_environment
            from generator.render.site import render_diagnostics_page

            page = render_diagnostics_page(self.state.report, env=make_environment())
            return self._send_text(HTTPStatus.INTERNAL_SERVER_ERROR, page, "text/html")
        if self._send_file():
            return
        return super().do_GET()

    def _record_page(self, record_id: str) -> str:
        """Where an old /records/<id> link (a message sent before messages named the record
        page) now leads: its form's record page, known from how the id begins; the Cases
        list when no one form's ids begin so."""
        form = form_of_record(record_id, (f.id for f in self.state.forms))
        if form is None:
            return "/cases/index.html"
        return f"/forms/{form}/record.html?id={urllib.parse.quote(record_id, safe='')}"

    compressed = Compressed()

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send_file(self) -> bool:
        """A file of the site, gzip-compressed when it is text and the client accepts gzip.

        `Cache-Control: no-cache` everywhere: the browser keeps a copy but asks each time
        (ETag, Last-Modified: a 304 costs only headers), so a rebuilt page or script is never
        served stale; keeping the site for repeat visits and offline is the service
        worker's job (sw.js), which refreshes its copies in the background. False for
        what SimpleHTTPRequestHandler answers instead: a directory without its slash (a
        redirect), a directory without index.html, a missing file.
        """
        url_path = urllib.parse.urlsplit(self.path).path
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not url_path.endswith("/"):
                return False
            path = os.path.join(path, "index.html")
        elif url_path.endswith("/"):
            return False
        try:
            info = os.stat(path)
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        kind = self.guess_type(path)
        text = kind.startswith(COMPRESSIBLE)
        packed = text and info.st_size >= MIN_COMPRESSED and accepts_gzip(
            self.headers.get("Accept-Encoding"))
        tag = f'"{info.st_mtime_ns:x}-{info.st_size:x}{"-gz" if packed else ""}"'
        if self._unchanged(tag, info):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._file_headers(tag, info, text)
            self.end_headers()
            return True
        with open(path, "rb") as file:
            data = file.read()
        if packed:
            data = self.compressed.get(path, info, data)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if text else kind)
        if packed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self._file_headers(tag, info, text)
        self.end_headers()
        self.wfile.write(data)
        return True

    def _file_headers(self, tag: str, info: os.stat_result, text: bool) -> None:
        self.send_header("ETag", tag)
        self.send_header("Last-Modified", email.utils.formatdate(info.st_mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache")
        if text:
            self.send_header("Vary", "Accept-Encoding")

    def _unchanged(self, tag: str, info: os.stat_result) -> bool:
        """The client's copy is current: its ETag matches, or (without one) it is no older
        than the file."""
        match = self.headers.get("If-None-Match")
        if match is not None:
            return tag in [t.strip() for t in match.split(",")] or match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return when.tzinfo is not None and int(info.st_mtime) <= when.timestamp()

    def _send_text(self, status: HTTPStatus, body: str, kind: str = "text/plain") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def send_response(self, code, message=None) -> None:
        self._sent: set[str] = set()
        super().send_response(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        getattr(self, "_sent", set()).add(keyword.lower())
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        """Every answer (files, pages, the API, refusals) with the headers of headers.py,
        each once (the API already sends nosniff)."""
        sent = getattr(self, "_sent", set())
        for name, value in self.security.items():
            if name.lower() not in sent:
                self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # request lines could carry identifiers; keep the console for build news


def watch(workspace: Workspace, state: BuildState, stop: threading.Event,
          after=None) -> None:
    """Rebuild whenever a YAML file changes, then call `after()` if given (workers.py
    restarts its worker processes on the new build)."""
    from watchfiles import watch as watch_files

    forms = workspace.root / "forms"
    for _ in watch_files(forms, stop_event=stop, debounce=100, step=50):
        rebuild(workspace, state)
        if after is not None:
            after()


def make_server(workspace: Workspace, host: str, port: int, api=None, checks=None,
                public_urls=(), *, sock=None, csrf_key: bytes | None = None,
                state: BuildState | None = None):
    """Build once, start the watcher, and return (server, state, stop event).

    `api`, if given, answers every /v1/ request (see SiteHandler), called with the
    client's address as `source_ip` besides (see from_peer); with `checks` too
    (nojs.Checks), the pages of forms can be posted without JavaScript. `public_urls`: the
    addresses people use besides host:port (allowed_hosts).

    A worker process of workers.py passes `sock` (the listening socket it shares),
    `csrf_key` (the key every worker signs forms with) and `state` (loaded, not built):
    then nothing is built or watched here.
    """
    worker = state is not None
    if state is None:
        state = BuildState()
        rebuild(workspace, state)
    api = from_peer(api) if api is not None else None
    auth = workspace.auth
    cognito = (auth.domain,) if auth is not None and auth.mode == "cognito" else ()
    members = {"state": state, "api": staticmethod(api) if api else None,
               "security": dict(security_headers(connect=cognito))}
    if api is not None and checks is not None:
        from .casepages import CasePages
        from .csrf import CsrfTokens
        from .nojs import NoScript, server_site

        members["no_script"] = NoScript(server_site(workspace.auth), lambda: state.forms,
                                        api=api, checks=checks,
                                        csrf=CsrfTokens(csrf_key or secrets.token_bytes(32)))
        members["no_script"].case_pages = CasePages(members["no_script"],
                                                    lambda: state.project)
    handler_class = type("Handler", (SiteHandler,), members)
    from .httpserver import Server
    from .wsgi import site_application

    application = site_application(handler_class, str(workspace.root / "site"),
                                   functools.partial(setattr, _PEER, "address"))
    server = Server(application, host, port, sock=sock)
    handler_class.hosts = allowed_hosts(host, server.server_port, public_urls)
    handler_class.origins = allowed_origins(handler_class.hosts, public_urls)
    stop = threading.Event()
    if not worker:
        threading.Thread(target=watch, args=(workspace, state, stop), daemon=True).start()
    return server, state, stop


def public_urls() -> tuple[str, ...]:
    public = os.environ.get("DIPFORMS_BASE_URL", "").strip()
    return (public,) if public else ()


def serve(workspace: Workspace, *, host: str, port: int, api=None, on_stop=None,
          checks=None, worker: dict | None = None) -> int:
    """Serve until Ctrl+C or SIGTERM. `worker`: the make_server options of a worker
    process (workers.serve_worker), which announces nothing and says when it is ready
    through `worker["ready"]()`."""
    options = dict(worker or {})
    ready = options.pop("ready", None)
    server, _, stop = make_server(workspace, host, port, api, checks,
                                  public_urls=public_urls(), **options)
    if ready is None:
        what = "the forms and the API" if api else "the forms"
        print(f"serving {what} at http://{host}:{server.server_port}/ "
              "(Ctrl+C to stop)", flush=True)
    # Ctrl+C and SIGTERM (a service manager's stop) both finish the requests in flight
    # before the process ends (httpserver.Server.stop)
    previous = {sig: signal.signal(sig, lambda *_: server.stop())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop.set()
        if on_stop is not None:
            on_stop()
        server.server_close()
    return 0
