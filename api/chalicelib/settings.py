"""Environment -> frozen Settings: which store, which channels, which token verifier.

The only module that reads os.environ. In AWS the stack sets these on every function, and
what it keeps in SSM and Secrets Manager (DIPFORMS_SITE_PARAMETER, DIPFORMS_SECRET_ARN) is
filled in once per process by stage_config.py; on one machine the defaults give SQLite
and .eml files under the data folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MAX_BODY_BYTES = 256 * 1024
MAX_JSON_DEPTH = 32   # a body's arrays and objects, nested; a submission needs about five
IDEMPOTENCY_TTL_SECONDS = 48 * 3600  # the issue asks for at least 24 hours
#: How long a claimed key waits for its request to finish before the next request with that
#: key takes it over: a process killed mid-submission stored nothing, so its client may
#: resend. Far longer than any submission takes (milliseconds; SQLite's busy timeout is 10 s).
IDEMPOTENCY_LEASE_SECONDS = 30
#: How long a local token lasts, from sign-in and from `dipforms token` alike.
SESSION_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Settings:
    store: str = "sqlite"                   # sqlite | dynamodb
    data_dir: Path = Path(".data")
    table: str = "dipforms"
    region: str = "eu-west-2"
    channels: dict[str, str] = field(default_factory=lambda: {"email": "file", "sns": "file"})
    sender: str = "dipforms@localhost"
    base_url: str = "http://127.0.0.1:8000"
    auth: str = "local"                     # local | cognito
    cognito_issuer: str = ""
    cognito_client_id: str = ""
    cognito_jwks_url: str = ""
    cognito_user_pool_id: str = ""          # else the last part of the issuer's URL
    session_seconds: int = SESSION_SECONDS  # DIPFORMS_SESSION_SECONDS: local tokens' lifetime
    topic_arns: dict[str, str] = field(default_factory=dict)
    clock: str = ""                         # DIPFORMS_CLOCK: run as of another day (clock.py)
    search_secret: str = ""                 # DIPFORMS_SEARCH_SECRET: keys the search words
    draft_secret: str = ""                  # DIPFORMS_DRAFT_SECRET: derives the draft keys
    stage: str = ""                         # DIPFORMS_STAGE: the deployed stage (dev, prod)
    #: DIPFORMS_SITE_PARAMETER, DIPFORMS_SECRET_ARN: where a deployed stage keeps base_url
    #: and cognito_client_id, and the secret the draft and search secrets derive from
    site_parameter: str = ""
    secret_arn: str = ""

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"


def _pairs(text: str) -> dict[str, str]:
    """'email=ses,sns=sns' -> {'email': 'ses', 'sns': 'sns'}."""
    return dict(part.split("=", 1) for part in text.split(",") if "=" in part)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    defaults = Settings()
    return Settings(
        store=env.get("DIPFORMS_STORE", defaults.store),
        data_dir=Path(env.get("DIPFORMS_DATA_DIR", str(defaults.data_dir))),
        table=env.get("DIPFORMS_TABLE", defaults.table),
        region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", defaults.region)),
        channels=_pairs(env["DIPFORMS_CHANNELS"]) if env.get("DIPFORMS_CHANNELS")
        else defaults.channels,
        sender=env.get("DIPFORMS_SENDER", defaults.sender),
        base_url=env.get("DIPFORMS_BASE_URL", defaults.base_url).rstrip("/"),
        auth=env.get("DIPFORMS_AUTH", defaults.auth),
        cognito_issuer=env.get("DIPFORMS_COGNITO_ISSUER", ""),
        cognito_client_id=env.get("DIPFORMS_COGNITO_CLIENT_ID", ""),
        cognito_jwks_url=env.get("DIPFORMS_COGNITO_JWKS_URL", ""),
        cognito_user_pool_id=env.get("DIPFORMS_COGNITO_USER_POOL_ID", ""),
        session_seconds=int(env.get("DIPFORMS_SESSION_SECONDS") or SESSION_SECONDS),
        topic_arns=_pairs(env.get("DIPFORMS_TOPIC_ARNS", "")),
        clock=env.get("DIPFORMS_CLOCK", ""),
        search_secret=env.get("DIPFORMS_SEARCH_SECRET", ""),
        draft_secret=env.get("DIPFORMS_DRAFT_SECRET", ""),
        stage=env.get("DIPFORMS_STAGE", ""),
        site_parameter=env.get("DIPFORMS_SITE_PARAMETER", ""),
        secret_arn=env.get("DIPFORMS_SECRET_ARN", ""),
    )
