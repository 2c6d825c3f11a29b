"""Deliver due outbox events: lease, send through the channel for the event, then mark it
sent, or failed with a deterministic back-off, or dead after too many attempts.

Orchestration only, through the store, channels and clock passed in: no settings, no clients
of its own, and never an exception's message from outside our channels in last_error.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..store.base import OutboxEvent, Store
from .channels.base import Channel, DeliveryFailed, Undeliverable
from .references import MissingRecord, with_answers

ERROR_LIMIT = 200


@dataclass(frozen=True)
class RetryPolicy:
    """Delay after failed attempt n: base * 2**(n-1), capped; dead after max_attempts."""

    base_delay: datetime.timedelta = datetime.timedelta(seconds=30)
    max_delay: datetime.timedelta = datetime.timedelta(hours=1)
    max_attempts: int = 8
    lease: datetime.timedelta = datetime.timedelta(minutes=5)  # longer than any one send

    def delay_after(self, attempts: int) -> datetime.timedelta:
        """How long to wait after the `attempts`-th failed attempt (1-based)."""
        if attempts < 1:
            raise ValueError("attempts counts failed attempts and starts at 1")
        return min(self.base_delay * 2 ** min(attempts - 1, 32), self.max_delay)

    def next_attempt_at(self, attempts: int, now: datetime.datetime) -> datetime.datetime | None:
        """When to try again after `attempts` failures; None: give up (dead letter)."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay_after(attempts)


@dataclass(frozen=True)
class DispatchReport:
    sent: int = 0
    failed: int = 0     # failed attempts that will be retried
    dead: int = 0       # events moved to dead letters by this run
    skipped: int = 0    # due events another dispatcher leased first


def dispatch(store: Store, channels: Mapping[str, Channel], *,
             now: Callable[[], datetime.datetime], limit: int = 100,
             policy: RetryPolicy = RetryPolicy()) -> DispatchReport:
    """Attempt due events until none is due or `limit` attempts were made. A channel's
    failure is counted; a store's failure propagates (the leased event is retried later)."""
    counts = {"sent": 0, "failed": 0, "dead": 0, "skipped": 0}
    attempted = 0
    while attempted < limit:
        due = store.due_events(iso_utc(now()), limit - attempted)
        if not due:
            break
        leased_any = False
        for event in due:
            started = now()
            if not store.lease_event(event.event_id, iso_utc(started),
                                     iso_utc(started + policy.lease)):
                counts["skipped"] += 1
                continue
            leased_any = True
            attempted += 1
            counts[_attempt(store, channels, event, now, policy)] += 1
        if not leased_any:
            break
    return DispatchReport(**counts)


def dead_letters(store: Store, limit: int = 100) -> list[OutboxEvent]:
    """Dead events, for a DAT administrator to read and retry."""
    return store.list_events("dead", limit)


def retry_dead_letter(store: Store, event_id: str, now: datetime.datetime) -> bool:
    """Put a dead event back in the queue, due now with its attempts reset; False if the
    event is not dead (unknown, pending or already sent)."""
    return store.requeue(event_id, iso_utc(now))


def iso_utc(moment: datetime.datetime) -> str:
    """The store's time format: 2026-11-25T10:30:00.123456Z (sorts as text)."""
    if moment.tzinfo is None:
        raise ValueError("pass an aware datetime (UTC), not a naive one")
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _attempt(store: Store, channels: Mapping[str, Channel], event: OutboxEvent,
             now: Callable[[], datetime.datetime], policy: RetryPolicy) -> str:
    """One delivery attempt of a leased event; returns the DispatchReport field to count.
    The answers its payload refers to are read first (a store's failure propagates)."""
    channel = channels.get(event.channel)
    try:
        event = with_answers(event, store.get_version)
    except MissingRecord as error:
        store.mark_failed(event.event_id, _describe(error, own_words=True), None)
        return "dead"
    try:
        if channel is None:
            raise Undeliverable(f"no channel configured for {event.channel!r}")
        channel.send(event)
    except Undeliverable as error:
        store.mark_failed(event.event_id, _describe(error, own_words=True), None)
        return "dead"
    except Exception as error:  # any channel failure is counted and retried, never raised
        retry_at = policy.next_attempt_at(event.attempts + 1, now())
        own_words = isinstance(error, DeliveryFailed)
        store.mark_failed(event.event_id, _describe(error, own_words),
                          None if retry_at is None else iso_utc(retry_at))
        return "dead" if retry_at is None else "failed"
    store.mark_sent(event.event_id, iso_utc(now()))
    return "sent"


def _describe(error: Exception, own_words: bool) -> str:
    """Our channels' messages are safe to keep; anything else keeps only its type name."""
    name = type(error).__name__
    text = f"{name}: {error}" if own_words and str(error) else name
    return text[:ERROR_LIMIT]
