"""The AWS clients of one process: one botocore session, and at most one client per service,
each made when first asked for. Service models and endpoint data then load once, and a
request pays only for the clients it uses (a Lambda cold start pays for every one made).

botocore, not boto3: the clients are the same, and boto3's import (resources, s3transfer)
is time a cold start would spend on nothing the API calls. Edge module.
"""

from __future__ import annotations

import threading
from typing import Any


class AwsClients:
    def __init__(self, region: str, session: Any = None) -> None:
        """`session`: a botocore (or boto3) session to make the clients from; by default
        one of this object's own, made with the first client."""
        self.region = region
        self._session = session
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AwsClients({self.region!r}, made={sorted(self._clients)})"

    def __call__(self, service: str) -> Any:
        """The client of `service` (e.g. "dynamodb", "sesv2"), made on first use."""
        found = self._clients.get(service)
        if found is not None:
            return found
        with self._lock:   # clients are thread-safe; making them (the session) is not
            if service not in self._clients:
                self._clients[service] = self._make(service)
            return self._clients[service]

    @property
    def made(self) -> tuple[str, ...]:
        """The services whose clients have been made, for tests and the cold-start bench."""
        return tuple(sorted(self._clients))

    def _make(self, service: str) -> Any:
        if self._session is None:
            import botocore.session

            self._session = botocore.session.get_session()
        make = getattr(self._session, "create_client", None) or self._session.client  # boto3
        return make(service, region_name=self.region)
