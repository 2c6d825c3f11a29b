"""The AWS clients of one process: one botocore session, and at most one client per service,
each made when first asked for. Service models and endpoint data then load once, and a
request pays only for the clients it uses (a Lambda cold start pays for every one made).

botocore, not boto3: the clients are the same, and boto3's import (resources, s3transfer)
is time a cold start would spend on nothing the API calls. And SSM's model is botocore's
largest (800 KB of JSON, about 45 ms to load for the one GetParameter the API makes), so
the session finds a slice of it first, in aws_models/: the operations the API calls and
the shapes they use, cut from botocore's own (tests/functional/test_aws_models.py keeps it
equal to the installed botocore's). A client of a sliced service has only those operations.
Edge module.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

#: botocore data folders searched before botocore's own: service/version/service-2.json
MODELS = Path(__file__).parent / "aws_models"
#: each sliced service -> its API version and the operations kept
SLICED = {"ssm": ("2014-11-06", ("GetParameter",))}


class AwsClients:
    def __init__(self, region: str, session: Any = None) -> None:
        """`session`: a botocore session to make the clients from (given the sliced
        models); by default one of this object's own, made with the first client."""
        self.region = region
        self._session = session
        if session is not None:
            use_sliced_models(session)
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

            self._session = use_sliced_models(botocore.session.get_session())
        return self._session.create_client(service, region_name=self.region)


def use_sliced_models(session: Any) -> Any:
    """Have a botocore session look in aws_models/ before botocore's own data."""
    paths = session.get_component("data_loader").search_paths
    if str(MODELS) not in paths:
        paths.insert(0, str(MODELS))
    return session
