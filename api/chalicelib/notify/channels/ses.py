"""Email through Amazon SES: the same RFC 5322 message as the file channel, sent raw to the
recipient's SPOC address. Takes a boto3 `sesv2` (preferred) or `ses` client, or a function
making one on the first send (from_config: the runtime's AwsClients).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...store.base import OutboxEvent
from ..message import build_message
from .base import DeliveryFailed, Undeliverable


class SESChannel:
    def __init__(self, client: Any, sender: str) -> None:
        self._client = client
        self.sender = sender

    @property
    def client(self) -> Any:
        if callable(self._client):        # a boto3 client is not callable
            self._client = self._client()
        return self._client

    @property
    def service(self) -> str:
        return self.client.meta.service_model.service_name  # "sesv2" or "ses"

    def send(self, event: OutboxEvent) -> None:
        address = event.recipient.get("email")
        if not address:
            agency = event.recipient.get("agency")
            raise Undeliverable(f"ses: no email address for agency {agency!r}")
        raw = build_message(event, self.sender).as_bytes()
        try:
            if self.service == "sesv2":
                self.client.send_email(FromEmailAddress=self.sender,
                                       Destination={"ToAddresses": [address]},
                                       Content={"Raw": {"Data": raw}})
            else:
                self.client.send_raw_email(Source=self.sender, Destinations=[address],
                                           RawMessage={"Data": raw})
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "unknown")
            raise DeliveryFailed(f"ses: {code}") from error
        except BotoCoreError as error:
            raise DeliveryFailed(f"ses: {type(error).__name__}") from error


def from_config(config: Mapping[str, Any]) -> SESChannel:
    """config: sender; clients (aws_clients.AwsClients) or region."""
    from ...aws_clients import AwsClients

    clients = config.get("clients") or AwsClients(config.get("region"))
    return SESChannel(lambda: clients("sesv2"), config["sender"])
