"""What every channel is: a `send(event)` that delivers one outbox event or raises.

Messages of the exceptions below are kept as the event's last_error and shown to a DAT
administrator: build them from our own words, ids and AWS error codes, never from a record
or from an AWS error message (those can echo addresses back).
"""

from __future__ import annotations

from typing import Protocol

from ...store.base import OutboxEvent


class DeliveryFailed(Exception):
    """This attempt failed and a later one may succeed (network, throttling, a full disk)."""


class Undeliverable(Exception):
    """No retry can succeed until someone changes the configuration (no topic for the
    agency, no email for the recipient): the dispatcher dead-letters the event at once."""


class Channel(Protocol):
    def send(self, event: OutboxEvent) -> None:
        """Deliver one event; sending one event twice must not harm (ids are stable)."""
