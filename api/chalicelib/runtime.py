"""Build, once per process, what requests share: settings (with the stage's parameter and
secret, stage_config.py), catalogue, store, token verifier, user directory, access policy
and notification channels, and the one set of AWS clients they all use.

The edge between app.py and the pure modules; built on the first request so that
importing the app stays cheap, and nothing is made before it is used (a Lambda cold start
pays for every import and client): a form's validators are compiled on its first use,
SES and SNS clients on the first delivery, the Cognito client by `dipforms users` only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .settings import Settings, load_settings

_LOCK = threading.Lock()
_RUNTIME: Runtime | None = None


@dataclass
class Runtime:
    settings: Settings
    context: Any          # context.Context, which holds the one clock
    verifier: Any         # tokens.LocalVerifier | tokens.CognitoVerifier
    channels: dict[str, Any]
    directory: Any = None  # directory.Directory; made from the settings when not given
    aws: Any = None        # aws_clients.AwsClients: the clients made so far

    @property
    def clock(self):
        return self.context.clock

    @property
    def users(self):
        """The user directory every request is checked against (directory.py)."""
        if self.directory is None:
            from .directory import make_directory

            self.directory = make_directory(self.settings, self.context.clock)
        return self.directory


def make_clock(settings: Settings):
    """The machine's clock, or one set to DIPFORMS_CLOCK that runs on from there (a
    rehearsal or training copy on one machine; never with Cognito, where real people sign
    in and a wrong day would misjudge real records)."""
    from .clock import SetClock, SystemClock, parse_clock_setting

    if not settings.clock:
        return SystemClock()
    if settings.auth != "local":
        raise ValueError("DIPFORMS_CLOCK is for one machine (local sign-in) only: unset it")
    return SetClock(parse_clock_setting(settings.clock))


def make_runtime(settings: Settings, aws: Any = None, *, generated: Any = None) -> Runtime:
    """`aws`: the process's AWS clients (aws_clients.AwsClients), made when first used;
    `generated`: another build's folder for the catalogue (tests). Raises
    stage_config.StageConfigUnavailable when the stage's parameter or secret cannot be
    had."""
    from .aws_clients import AwsClients
    from .casefind import search_secret
    from .catalogue import Catalogue
    from .context import Context
    from .directory import make_directory
    from .domain.access import AccessPolicy
    from .stage_config import with_stage_config
    from .store import make_store

    aws = aws or AwsClients(settings.region)
    settings = with_stage_config(settings, aws)
    catalogue = Catalogue(generated) if generated else Catalogue()
    # in AWS the store, and the directory's marks, use the one DynamoDB client
    shared = {"dynamodb": aws("dynamodb")} if settings.store == "dynamodb" else {}
    store = make_store(settings.store, data_dir=settings.data_dir, table=settings.table,
                       region=settings.region,
                       **({"client": shared["dynamodb"]} if shared else {}))
    context = Context(store=store, catalogue=catalogue,
                      policy=AccessPolicy.from_protocol(catalogue.protocol,
                                                        form_ids=tuple(catalogue.forms)),
                      base_url=settings.base_url, clock=make_clock(settings),
                      search_key=search_secret(settings))
    directory = make_directory(settings, context.clock, cognito=lambda: aws("cognito-idp"),
                               **shared)
    return Runtime(settings, context, make_verifier(settings), make_channels(settings, aws),
                   directory, aws)


def make_verifier(settings: Settings):
    from . import tokens

    if settings.auth == "cognito":
        return tokens.CognitoVerifier(jwks_url=settings.cognito_jwks_url,
                                      issuer=settings.cognito_issuer,
                                      client_id=settings.cognito_client_id)
    return tokens.LocalVerifier(tokens.ensure_local_secret(settings.data_dir),
                                max_lifetime_seconds=settings.session_seconds)


def make_channels(settings: Settings, aws: Any = None) -> dict[str, Any]:
    """Logical channel (email, sns) -> the delivery this stage uses (file, ses, sns); SES
    and SNS make their clients from `aws` (aws_clients.AwsClients) on their first send."""
    from .notify.channels import make_channels as from_registry

    return from_registry(settings.channels, {
        "outbox_dir": settings.outbox_dir, "sender": settings.sender,
        "region": settings.region, "topic_arns": settings.topic_arns, "clients": aws})


def runtime() -> Runtime:
    global _RUNTIME
    if _RUNTIME is None:
        with _LOCK:
            if _RUNTIME is None:
                _RUNTIME = make_runtime(load_settings())
    return _RUNTIME


def set_runtime(value: Runtime | None) -> None:
    """For tests and the local server: use this runtime instead of the environment's."""
    global _RUNTIME
    _RUNTIME = value
