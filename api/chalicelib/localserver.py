"""The API on one machine: chalice's LocalGateway behind a plain HTTP handler, and the
outbox dispatcher on a timer. `dipforms run` mounts it beside the site on one port.

Edge module (threads, sockets). chalice local lets every request past its authorizers;
ours verify tokens in the app itself, so that is no loss. A body is read only once its
Content-Length is known to be sound and within the API's limit; a header sent twice is
handed on as one comma-joined value (so a second Authorization cannot slip past the first).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from typing import BinaryIO

from .responses import ERRORS, error_body
from .settings import MAX_BODY_BYTES

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
#: Methods whose requests carry a body, so must say how long it is.
BODY_METHODS = {"POST", "PUT", "PATCH"}
MAX_LENGTH_DIGITS = 12   # far above any limit; int() of a longer text is not worth its cost

Answer = tuple[int, dict[str, str], bytes]


class BodyRefused(Exception):
    """A request body refused before a byte of it is read: `code` is one of codes.ERRORS."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def declared_length(method: str, headers: Iterable[tuple[str, str]], limit: int) -> int:
    """How many bytes of body to read, from the request's headers alone: bad_request for a
    body-carrying method without Content-Length, for one that is negative, not a plain
    number or sent twice differently, and for Transfer-Encoding (not decoded here);
    too_large above `limit`."""
    lengths, encoded = [], False
    for name, value in headers:
        lowered = name.lower()
        if lowered == "content-length":
            lengths.append(value.strip())
        encoded = encoded or lowered == "transfer-encoding"
    if encoded or len(set(lengths)) > 1:
        raise BodyRefused("bad_request")
    if not lengths:
        if method.upper() in BODY_METHODS:
            raise BodyRefused("bad_request")
        return 0
    text = lengths[0]
    if not (text.isascii() and text.isdigit()):
        raise BodyRefused("bad_request")  # '-1', 'abc', '+5', '1.0', ''
    if len(text) > MAX_LENGTH_DIGITS or int(text) > limit:
        raise BodyRefused("too_large")
    return int(text)


def joined_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as one value per name (any case), a repeated header's values joined by ', '
    as HTTP allows: nothing sent is silently dropped."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    joined: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for name, value in pairs:
        first = spelled.setdefault(name.lower(), name)
        joined[first] = f"{joined[first]}, {value}" if first in joined else value
    return joined


def refusal(code: str) -> Answer:
    """An error answered before the body was read: the connection closes after it, as the
    unread body would otherwise be taken for the next request."""
    return ERRORS[code][0], {"Content-Type": "application/json", "Connection": "close"}, \
        json.dumps(error_body(code)).encode()


class ApiBridge:
    """Call the Chalice app as API Gateway would, from a raw HTTP request, with the
    connection's peer as `requestContext.identity.sourceIp` (chalice local says 127.0.0.1
    for everyone, which would make one client's failed sign-ins everyone's). Requests on
    different threads are answered at once (per_thread_requests)."""

    def __init__(self, app_object) -> None:
        from chalice.config import Config

        config = Config.create(chalice_stage="local", app_name="dipforms",
                               lambda_timeout=60, lambda_memory_size=512)
        per_thread_requests(app_object)
        self.gateway = _peer_gateway(app_object, config)

    def handle(self, method: str, path: str,
               headers: Mapping[str, str] | Iterable[tuple[str, str]],
               body: bytes | BinaryIO | None, source_ip: str | None = None) -> Answer:
        """`headers` as sent (pairs, repeats kept); `body` the bytes, or the stream to read
        them from once Content-Length has been checked."""
        from chalice.local import LocalGatewayException

        pairs = list(headers.items() if isinstance(headers, Mapping) else headers)
        if body is not None and not isinstance(body, bytes):
            try:
                length = declared_length(method, pairs, MAX_BODY_BYTES)
            except BodyRefused as refused:
                return refusal(refused.code)
            body = body.read(length) if length else None
            if body is not None and len(body) < length:
                return refusal("bad_request")  # the client stopped short of its length
        try:
            self.gateway.peer.address = source_ip
            response = self.gateway.handle_request(method, path, joined_headers(pairs), body)
        except LocalGatewayException:
            # no such route: answer in our shape (chalice's own would echo the token back)
            return 404, {"Content-Type": "application/json"}, json.dumps(
                error_body("not_found")).encode()
        out_headers = {k: v for k, v in (response.get("headers") or {}).items()
                       if k.lower() not in HOP_BY_HOP}
        for name, values in (response.get("multiValueHeaders") or {}).items():
            out_headers[name] = ", ".join(values)
        payload = response.get("body") or b""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        return int(response["statusCode"]), out_headers, payload


def per_thread_requests(app_object) -> None:
    """Let `app_object` answer requests on several threads at once.

    Chalice keeps the request being answered on the app object (`app.current_request`,
    `app.lambda_context`, read by the routes through their blueprints), as one Lambda
    runs one request at a time. Here each thread gets its own: the app's class is swapped
    for a subclass whose two attributes live in a threading.local. The app's code is
    unchanged (and unchanged in Lambda, which never calls this)."""
    base = type(app_object)
    if getattr(base, "per_thread", False):
        return
    local = threading.local()

    def per_thread(name: str) -> property:
        return property(lambda self: getattr(local, name, None),
                        lambda self, value: setattr(local, name, value))

    app_object.__class__ = type(base.__name__, (base,), {
        "per_thread": True, "current_request": per_thread("current_request"),
        "lambda_context": per_thread("lambda_context")})


def _peer_gateway(app_object, config):
    """chalice's LocalGateway, its events carrying the client's address (`peer.address`,
    this thread's) instead of chalice's fixed 127.0.0.1; chalice is imported only when the
    bridge is made."""
    from chalice.local import LocalGateway

    class PeerGateway(LocalGateway):
        peer = threading.local()

        def _generate_lambda_event(self, *args, **kwargs):
            event = super()._generate_lambda_event(*args, **kwargs)
            address = getattr(self.peer, "address", None)
            if address:
                event["requestContext"]["identity"]["sourceIp"] = address
            return event

    return PeerGateway(app_object, config)


def start_dispatcher(runtime, stop: threading.Event, interval: float = 1.0) -> threading.Thread:
    """Deliver due notifications every `interval` seconds until `stop` is set."""
    from .notify.outbox import dispatch

    def loop() -> None:
        store = runtime.context.store
        while not stop.wait(interval):
            try:
                dispatch(store, runtime.channels, now=runtime.clock.now)
                if hasattr(store, "checkpoint"):  # SQLite: fold the log in, off the request path
                    store.checkpoint()
            except Exception as exc:  # noqa: BLE001 - keep delivering; say what kind failed
                print(f"outbox: dispatch failed ({type(exc).__name__}); will retry",
                      flush=True)

    thread = threading.Thread(target=loop, name="outbox-dispatcher", daemon=True)
    thread.start()
    return thread


def start_sweeper(runtime, stop: threading.Event, interval: float = 300.0) -> threading.Thread:
    """Run the deadline sweep now and every `interval` seconds until `stop` is set."""
    from .sweep import run_sweep

    def loop() -> None:
        while True:
            try:
                report = run_sweep(runtime.context, runtime.clock.now())
                if report.fired:
                    print(f"sweep: {report.fired} deadline(s) fired", flush=True)
            except Exception as exc:  # noqa: BLE001 - keep sweeping; say what kind failed
                print(f"sweep: failed ({type(exc).__name__}); will retry", flush=True)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=loop, name="deadline-sweeper", daemon=True)
    thread.start()
    return thread
