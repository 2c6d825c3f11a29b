"""The site's request handler (serve.SiteHandler) as a WSGI application, so that a maintained
server (web/httpserver.py, waitress) owns the sockets, the parsing and the threads, and every
answer the handler gives stays as it was: the same code decides, only the transport moved.

Each request gets a fresh handler object that reads the request from the WSGI environ and
collects its answer (status, headers, body) instead of writing to a socket; the server
sends headers and body together, with TCP_NODELAY, so a kept-alive client never waits on a
delayed ACK. Edge module.
"""

from __future__ import annotations

import http.client
import io
from collections.abc import Callable, Iterable
from http import HTTPStatus

#: The environ key by which an answer asks the server to close the connection after it
#: (WSGI forbids the application a Connection header; httpserver.SiteTask reads this).
CLOSE = "dipforms.close"
_NOT_HEADERS = {"HTTP_CONTENT_LENGTH", "HTTP_CONTENT_TYPE"}


def request_headers(environ: dict) -> http.client.HTTPMessage:
    """The request's headers as http.server gives them to a handler. The server joins a
    repeated header's values with ', ' (as HTTP allows); a Host header cannot hold a comma,
    so a joined one is split again, and the handler's Host check sees there were several."""
    message = http.client.HTTPMessage()
    for key, value in environ.items():
        if key.startswith("HTTP_") and key not in _NOT_HEADERS:
            name = "-".join(part.capitalize() for part in key[5:].split("_"))
            values = value.split(",") if name == "Host" else [value]
            for one in values:
                message[name] = one.strip()
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            message[name] = environ[key]
    return message


def exchange_class(handler_class: type) -> type:
    """`handler_class` (a SiteHandler) answering one WSGI request: what BaseHTTPRequestHandler
    would write to the socket is kept on the object instead."""

    class Exchange(handler_class):
        def __init__(self, environ: dict, directory: str) -> None:  # no socket to read
            self.directory = directory
            self.environ = environ
            self.command = environ["REQUEST_METHOD"]
            self.path = environ.get("REQUEST_URI") or _path_of(environ)
            self.request_version = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
            self.requestline = f"{self.command} {self.path} {self.request_version}"
            self.headers = request_headers(environ)
            self.rfile = environ["wsgi.input"]
            self.wfile = io.BytesIO()
            self.client_address = (environ.get("REMOTE_ADDR"), 0)
            self.close_connection = False
            self.status: tuple[int, str] | None = None
            self.answer_headers: list[tuple[str, str]] = []
            self._headers_buffer = []
            self._sent: set[str] = set()

        def send_response_only(self, code, message=None) -> None:
            code = int(code)
            if message is None:
                message = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ \
                    else ""
            self.status = (code, message)
            self.answer_headers = []

        def send_header(self, keyword: str, value: str) -> None:
            self._sent.add(keyword.lower())
            lowered = keyword.lower()
            if lowered == "connection":
                self.close_connection = self.close_connection or value.lower() == "close"
            elif lowered not in ("server", "date"):  # the server sends its own
                self.answer_headers.append((keyword, str(value)))

        def flush_headers(self) -> None:
            self._headers_buffer = []

    Exchange.__name__ = f"{handler_class.__name__}Exchange"
    return Exchange


def _path_of(environ: dict) -> str:
    from urllib.parse import quote

    path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                 safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def site_application(handler_class: type, directory: str,
                     peer: Callable[[str | None], None]) -> Callable:
    """The WSGI application answering every request with a fresh `handler_class` object.
    `peer(address)` is told the client's address before the handler runs (serve._PEER)."""
    exchange = exchange_class(handler_class)

    def application(environ: dict, start_response) -> Iterable[bytes]:
        handler = exchange(environ, directory)
        peer(environ.get("REMOTE_ADDR"))
        method = getattr(handler, f"do_{handler.command}", None)
        if handler.host_ours():           # else refused already (400 or 421)
            if method is None:
                handler.send_error(HTTPStatus.NOT_IMPLEMENTED,
                                   f"Unsupported method ({handler.command!r})")
            else:
                method()
        if handler.status is None:   # a handler that answered nothing: never silently
            handler.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)
        if handler.close_connection:
            environ[CLOSE] = True
        code, phrase = handler.status
        start_response(f"{code} {phrase}".rstrip(), handler.answer_headers)
        body = handler.wfile.getvalue()
        return [body] if body and handler.command != "HEAD" else []

    return application
