"""Publish to an agency's Amazon SNS topic: the message's subject and plain-text body.

Takes a boto3 `sns` client (or a function making one on the first send: from_config, the
runtime's AwsClients) and the topic ARN of each agency.
An agency without a topic is a configuration error: Undeliverable, so it is dead-lettered
with that reason at once rather than retried for an hour.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...store.base import OutboxEvent
from ..message import body_for, subject_for
from .base import DeliveryFailed, Undeliverable

SUBJECT_LIMIT = 99  # SNS: ASCII, under 100 characters, one line


class SNSChannel:
    def __init__(self, client: Any, topic_arns: Mapping[str, str]) -> None:
        self._client = client
        self.topic_arns = dict(topic_arns)

    @property
    def client(self) -> Any:
        if callable(self._client):        # a boto3 client is not callable
            self._client = self._client()
        return self._client

    def send(self, event: OutboxEvent) -> None:
        agency = event.recipient.get("topic") or event.recipient.get("agency")
        topic_arn = self.topic_arns.get(agency or "")
        if not topic_arn:
            raise Undeliverable(f"sns: no topic ARN configured for agency {agency!r}")
        try:
            self.client.publish(
                TopicArn=topic_arn, Subject=sns_subject(subject_for(event)),
                Message=body_for(event),
                MessageAttributes={"event_id": {"DataType": "String",
                                                "StringValue": event.event_id}})
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "unknown")
            raise DeliveryFailed(f"sns: {code}") from error
        except BotoCoreError as error:
            raise DeliveryFailed(f"sns: {type(error).__name__}") from error


def sns_subject(subject: str) -> str:
    """SNS accepts only short one-line ASCII subjects: drop accents, then cut."""
    ascii_text = unicodedata.normalize("NFKD", subject).encode("ascii", "ignore").decode()
    return ascii_text[:SUBJECT_LIMIT].strip() or "Record event"


def from_config(config: Mapping[str, Any]) -> SNSChannel:
    """config: topic_arns ({agency id: topic ARN}); clients (aws_clients.AwsClients) or
    region."""
    from ...aws_clients import AwsClients

    clients = config.get("clients") or AwsClients(config.get("region"))
    return SNSChannel(lambda: clients("sns"), config["topic_arns"])
