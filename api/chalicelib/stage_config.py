"""The settings a deployed stage keeps outside its functions' environment, read once per
process: the site's address and the hosted UI's app client id, from the SSM parameter
DIPFORMS_SITE_PARAMETER names (made after the CDN, which the functions cannot reference),
and the stage's one secret, from the Secrets Manager secret DIPFORMS_SECRET_ARN names,
from which the draft secret and the search secret are derived (docs/deploy.md).

Edge module (AWS). A parameter or secret that cannot be read, or does not fit, stops the
runtime with StageConfigUnavailable, whose message names the variable and AWS's error code
and never a value read: requests then answer 503 (routes/area.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from .settings import Settings

DRAFT_PURPOSE = b"dipforms draft secret v1"
SEARCH_PURPOSE = b"dipforms search secret v1"
MIN_SECRET_CHARS = 32    # the stack makes 64 letters and digits


class StageConfigUnavailable(Exception):
    """The stage names a parameter or a secret that cannot be read or does not fit."""


def derived_secret(master: str, purpose: bytes) -> str:
    """HMAC-SHA256(master, purpose) as 64 hex characters: one secret per use, so a leaked
    draft secret tells nothing of the search secret or of the master."""
    return hmac.new(master.encode("utf-8"), purpose, hashlib.sha256).hexdigest()


def with_stage_config(settings: Settings, clients: Callable[[str], Any]) -> Settings:
    """`settings` with what the stage's parameter and secret give; unchanged when the
    environment names neither (one machine, tests). `clients`: service name -> a boto3
    client (aws_clients.AwsClients), asked only for the services needed. The stack's
    values win over DIPFORMS_BASE_URL, DIPFORMS_COGNITO_CLIENT_ID and the two secrets'
    own variables, which are for one machine."""
    changes: dict[str, str] = {}
    if settings.site_parameter:
        text = _read("DIPFORMS_SITE_PARAMETER", "the SSM parameter", lambda: clients(
            "ssm").get_parameter(Name=settings.site_parameter)["Parameter"]["Value"])
        changes.update(site_values(text))
    if settings.secret_arn:
        master = _read("DIPFORMS_SECRET_ARN", "the secret", lambda: clients(
            "secretsmanager").get_secret_value(SecretId=settings.secret_arn)["SecretString"])
        if len(master) < MIN_SECRET_CHARS:
            raise StageConfigUnavailable(
                f"DIPFORMS_SECRET_ARN: the secret is shorter than {MIN_SECRET_CHARS} "
                "characters")
        changes.update(draft_secret=derived_secret(master, DRAFT_PURPOSE),
                       search_secret=derived_secret(master, SEARCH_PURPOSE))
    return dataclasses.replace(settings, **changes) if changes else settings


def site_values(text: str) -> dict[str, str]:
    """The parameter's JSON -> {base_url, cognito_client_id}, both required."""
    problem = "DIPFORMS_SITE_PARAMETER: the parameter is not JSON with base_url and " \
              "cognito_client_id"
    try:
        found = json.loads(text)
    except ValueError:
        raise StageConfigUnavailable(problem) from None
    if not isinstance(found, dict):
        raise StageConfigUnavailable(problem)
    base_url, client_id = found.get("base_url"), found.get("cognito_client_id")
    if not (isinstance(base_url, str) and base_url.startswith(("https://", "http://"))
            and isinstance(client_id, str) and client_id):
        raise StageConfigUnavailable(problem)
    return {"base_url": base_url.rstrip("/"), "cognito_client_id": client_id}


def _read(variable: str, what: str, call: Callable[[], str]) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = call()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "unknown")
        raise StageConfigUnavailable(f"{variable}: {what} cannot be read ({code})") from None
    except BotoCoreError as error:
        raise StageConfigUnavailable(
            f"{variable}: {what} cannot be read ({type(error).__name__})") from None
    except KeyError:   # a binary secret: no SecretString
        raise StageConfigUnavailable(f"{variable}: {what} has no text value") from None
    if not isinstance(value, str) or not value:
        raise StageConfigUnavailable(f"{variable}: {what} is empty")
    return value
