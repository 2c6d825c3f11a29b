"""The API on one machine: chalice's LocalGateway behind a plain HTTP handler, and the
outbox dispatcher on a timer. `dipforms run` mounts it beside the site on one port.

Edge module (threads, sockets). chalice local lets every request past its authorizers;
ours verify tokens in the app itself, so that is no loss.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping

from .responses import error_body

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class ApiBridge:
    """Call the Chalice app as API Gateway would, from a raw HTTP request, with the
    connection's peer as `requestContext.identity.sourceIp` (chalice local says 127.0.0.1
    for everyone, which would make one client's failed sign-ins everyone's)."""

    def __init__(self, app_object) -> None:
        from chalice.config import Config

        config = Config.create(chalice_stage="local", app_name="dipforms",
                               lambda_timeout=60, lambda_memory_size=512)
        self.gateway = _peer_gateway(app_object, config)
        # Chalice keeps the request on the app object (`app.current_request`), as one
        # Lambda runs one request at a time; so must we, or one caller could see another's.
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, headers: Mapping[str, str],
               body: bytes | None, source_ip: str | None = None
               ) -> tuple[int, dict[str, str], bytes]:
        from chalice.local import LocalGatewayException

        try:
            with self.lock:
                self.gateway.source_ip = source_ip
                response = self.gateway.handle_request(method, path, dict(headers), body)
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


def _peer_gateway(app_object, config):
    """chalice's LocalGateway, its events carrying `source_ip` (set under the bridge's lock)
    instead of chalice's fixed 127.0.0.1; chalice is imported only when the bridge is made."""
    from chalice.local import LocalGateway

    class PeerGateway(LocalGateway):
        source_ip: str | None = None

        def _generate_lambda_event(self, *args, **kwargs):
            event = super()._generate_lambda_event(*args, **kwargs)
            if self.source_ip:
                event["requestContext"]["identity"]["sourceIp"] = self.source_ip
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
