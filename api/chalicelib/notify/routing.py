"""Route a record event to outbox events, one per matching route in the local protocol.

Pure: no clock, ids or settings of its own (all passed in). A payload carries only the
event, form, reference, link and the answers the route names; never any other answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..store.base import OutboxEvent, RecordVersion

EVENTS = ("submitted", "amended")
ROUTE_CHANNELS = ("email", "sns")


class RoutingError(ValueError):
    """The protocol names something that does not exist (the build's checks should have
    caught it); the record is not committed rather than committed without its messages."""


def route_event(event: str, record: RecordVersion, form_title: str, protocol: Mapping[str, Any],
                *, base_url: str, now: str, new_id: Callable[[], str]) -> list[OutboxEvent]:
    """One pending OutboxEvent per route matching (event, record.form_id), in route order."""
    if event not in EVENTS:
        raise RoutingError(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
    agencies = {agency["id"]: agency for agency in protocol.get("agencies", [])}
    payload = message_payload(event, record, form_title, base_url=base_url)
    events = []
    for index, route in enumerate(protocol.get("routes", [])):
        if route["event"] != event or route["form"] != record.form_id:
            continue
        events.append(OutboxEvent(
            event_id=new_id(), record_id=record.record_id, event=event,
            form_id=record.form_id, channel=_channel(route, index),
            recipient=recipient_for(route, agencies, index),
            payload={**payload, "fields": allowed_answers(record, route.get("fields", []))},
            created_at=now, status="pending", attempts=0, next_attempt_at=now))
    return events


def message_payload(event: str, record: RecordVersion, form_title: str, *,
                    base_url: str) -> dict[str, Any]:
    """What every message of this event may say, before any route adds its fields."""
    return {"event": event, "form_id": record.form_id, "form_title": form_title,
            "record_id": record.record_id, "version": record.version,
            "link": f"{base_url.rstrip('/')}/records/{record.record_id}"}


def allowed_answers(record: RecordVersion, field_ids: list[str]) -> dict[str, Any]:
    """Only the named answers the record has; unanswered fields are left out."""
    return {field_id: record.data[field_id] for field_id in field_ids
            if field_id in record.data}


def recipient_for(route: Mapping[str, Any], agencies: Mapping[str, Mapping[str, Any]],
                  index: int) -> dict[str, Any]:
    """The agency's SPOC for email; the agency's topic (its id) for sns."""
    agency = agencies.get(route["to"])
    if agency is None:
        raise RoutingError(f"routes[{index}]: unknown agency {route['to']!r}")
    if route["channel"] == "sns":
        return {"agency": agency["id"], "topic": agency["id"]}
    spoc = agency.get("spoc") or {}
    if not spoc.get("email"):
        raise RoutingError(f"routes[{index}]: agency {agency['id']!r} has no SPOC email")
    return {"agency": agency["id"], "name": spoc.get("name", ""), "email": spoc["email"]}


def _channel(route: Mapping[str, Any], index: int) -> str:
    channel = route["channel"]
    if channel not in ROUTE_CHANNELS:
        raise RoutingError(f"routes[{index}]: unknown channel {channel!r}")
    return channel
