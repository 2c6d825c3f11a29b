"""The HTTP server of `dipforms serve` and `dipforms run`: waitress (a maintained pure-Python
WSGI server; docs/serving.md says why), tuned and wrapped for this site. Edge module.

What it adds to waitress's own:
- limits: the request line and headers together at most MAX_HEADER_BYTES (431 above); a
  body the handlers would refuse (too long for its path, a bad Content-Length, chunked) is
  left unread and refused by them from the headers (SiteParser), as under http.server;
- graceful shutdown: `shutdown()` stops taking connections, lets every request already
  read finish and its answer be sent (up to `grace` seconds), then closes.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time

from waitress import create_server, wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.task import WSGITask

from .wsgi import CLOSE

MAX_HEADER_BYTES = 64 * 1024          # the request line and every header, together
#: The largest body the API takes: chalicelib.settings.MAX_BODY_BYTES, which web/ may not
#: import (tests/unit/test_httpserver.py keeps the two equal).
API_BODY_BYTES = 256 * 1024
#: The largest body a page takes: a form posted without JavaScript (nojs.MAX_POST_BYTES).
PAGE_BODY_BYTES = 1_000_000
THREADS = 8            # requests answered at once; SQLite takes one writer at a time
BACKLOG = 1024         # connections waiting to be accepted (http.server had 5)
CONNECTION_LIMIT = 512
GRACE_SECONDS = 10.0   # how long shutdown waits for requests in flight
FRESH_SECONDS = 2.0    # ...and for a connection accepted but silent so far
_DIGITS = re.compile(rb"^[0-9]+$")
# "Task queue depth is N" under load says nothing a DAT can act on; errors still show
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port and listening, for worker processes to share: the
    kernel hands each new connection to whichever worker accepts it first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def body_limit(path: str) -> int:
    return API_BODY_BYTES if path.startswith("/v1/") else PAGE_BODY_BYTES


class SiteParser(HTTPRequestParser):
    """waitress's parser, which reads a request's whole body before the application sees
    it, leaving unread a body the handlers would refuse from its headers alone: a
    Content-Length that is not a plain number (or two that differ), above the path's
    limit, or a chunked body. The handler then answers from the headers, in its own shape
    (the API's JSON error, a page's text), and the connection closes after it (wsgi.CLOSE):
    nothing is read to its end first, and a slow or lying client holds no thread."""

    unread = False

    def parse_header(self, header_plus: bytes) -> None:
        try:
            super().parse_header(header_plus)
        except ParsingError:
            length = self.headers.get("CONTENT_LENGTH", "0").encode("latin-1")
            if not getattr(self, "command", None) or _DIGITS.match(length):
                raise   # the request line or a header itself is wrong: waitress's 400
            self._leave_unread()
            return
        if self.chunked:
            self.headers["TRANSFER_ENCODING"] = "chunked"   # popped by waitress; the
            self._leave_unread()                            # handlers refuse it
        elif self.content_length > body_limit(self.path):
            self._leave_unread()

    def _leave_unread(self) -> None:
        self.chunked = False
        self.body_rcv = None
        self.content_length = 0
        self.connection_close = True
        self.unread = True


class SiteTask(WSGITask):
    """A WSGI task whose answer may ask for the connection to close (wsgi.CLOSE): an
    unread or refused body must not be read as the next request."""

    def get_environment(self):
        environ = super().get_environment()
        if self.request.unread:
            environ[CLOSE] = True
        return environ

    def build_response_header(self) -> bytes:
        """waitress's header block, with each header named as the application spelled
        it (waitress writes `Www-Authenticate`; HTTP does not mind, but readers do)."""
        if self.environ is not None and self.environ.get(CLOSE):
            self.set_close_on_finish()
        spelled = {name.lower(): name for name, _ in self.response_headers}
        block = super().build_response_header()
        first, *lines = block.decode("latin-1").rstrip("\r\n").split("\r\n")
        named = []
        for line in lines:
            name, _, value = line.partition(": ")
            named.append(f"{spelled.get(name.lower(), name)}: {value}")
        return "\r\n".join([first, *named, "", ""]).encode("latin-1")


class SiteChannel(HTTPChannel):
    parser_class = SiteParser
    task_class = SiteTask


class Server:
    """A waitress server with the interface of socketserver's: `server_port`,
    `serve_forever()`, `shutdown()` (from another thread; graceful) and `server_close()`."""

    def __init__(self, application, host: str, port: int, *, threads: int = THREADS,
                 grace: float = GRACE_SECONDS, sock: socket.socket | None = None) -> None:
        """`sock`: a socket already listening (listening_socket(), shared by the worker
        processes of workers.py) instead of binding host:port."""
        self.grace = grace
        where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
        self.waitress = create_server(
            application, **where, threads=threads, backlog=BACKLOG,
            connection_limit=CONNECTION_LIMIT, max_request_header_size=MAX_HEADER_BYTES,
            max_request_body_size=PAGE_BODY_BYTES + 1, ident="dipforms", expose_tracebacks=False,
            clear_untrusted_proxy_headers=True, channel_timeout=60)
        self.waitress.channel_class = SiteChannel
        self.server_port = int(self.waitress.effective_port)
        self.server_address = (host, self.server_port)
        self._stopping = threading.Event()
        self._done = threading.Event()
        self._closed = False

    def serve_forever(self, poll_interval: float = 0.2) -> None:
        """Answer until shutdown() (or stop()), then finish what is in flight."""
        self._done.clear()
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=poll_interval, map=self.waitress._map, count=1)
            self._drain()
        finally:
            self._done.set()

    def stop(self) -> None:
        """Ask serve_forever to finish (safe from a signal handler); returns at once."""
        self._stopping.set()
        self.waitress.pull_trigger()

    def shutdown(self) -> None:
        """stop(), then wait until serve_forever has finished the requests in flight."""
        self.stop()
        self._done.wait()

    def _drain(self) -> None:
        """Stop accepting (new connections are refused, not queued), then run the loop
        until no connection has a request being answered or an answer left to send."""
        listener = self.waitress
        listener.accepting = False
        listener.del_channel()
        listener.socket.close()
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline and self._busy():
            wasyncore.loop(timeout=0.05, map=listener._map, count=1)
        for channel in list(listener.active_channels.values()):
            channel.handle_close()   # idle now: kept-alive connections waiting for more

    def _busy(self) -> bool:
        """Whether a connection has a request being read, answered or sent, or was just
        accepted and has not spoken yet (its request is on the way: with worker processes
        sharing the port, one stopping must not drop a connection it took a moment ago)."""
        now = time.time()
        return any(channel.requests or channel.total_outbufs_len
                   or channel.request is not None
                   or (channel.last_activity == channel.creation_time
                       and now - channel.creation_time < FRESH_SECONDS)
                   for channel in list(self.waitress.active_channels.values()))

    def server_close(self) -> None:
        if self._closed:
            return
        self._closed = True
        listener = self.waitress
        listener.task_dispatcher.shutdown(cancel_pending=True, timeout=self.grace)
        listener.trigger.close()
        if listener.socket is not None and listener.socket.fileno() != -1:
            listener.socket.close()
