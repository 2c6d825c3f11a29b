"""Email through Amazon SES: the same RFC 5322 message as the file channel, sent raw to the
recipient's SPOC address. Takes a boto3 `sesv2` (preferred) or `ses` client; makes none.
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
        self.client = client
        self.sender = sender
        self.service = client.meta.service_model.service_name  # "sesv2" or "ses"

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
    """config: sender, region (optional)."""
    import boto3

    return SESChannel(boto3.client("sesv2", region_name=config.get("region")), config["sender"])
