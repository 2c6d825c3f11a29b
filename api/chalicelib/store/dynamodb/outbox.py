"""The DynamoDB store's outbox: items OUTBOX#<event_id>, listed by status in the listing
index and, while pending, in the due index's DUE partition; each change after the commit
is one conditional UpdateItem."""

from __future__ import annotations

from typing import Any

from ..base import MAX_ERROR_CHARS, OutboxEvent, StoreError, due_from
from .items import assignments, from_item, plain, to_item, typed
from .table import DUE_INDEX, LISTING_INDEX, Table

EVENT_STATUSES = ("pending", "sent", "dead")
EVENTS_DUE = "DUE"               # the due index's partition of pending events


def event_item(event: OutboxEvent) -> dict[str, Any]:
    due = due_from(event)
    item = to_item(event, next_attempt_at=due, pk=f"OUTBOX#{event.event_id}", sk="EVENT",
                   type="outbox_event", listing_pk=f"OUTBOX#{event.status}",
                   listing_sk=f"{event.created_at}#{event.event_id}")
    if event.status == "pending":
        item |= typed(due_pk=EVENTS_DUE, due_sk=f"{due}#{event.event_id}")
    return item


class Outbox(Table):
    def due_events(self, now: str, limit: int) -> list[OutboxEvent]:
        """Read from the sparse GSI (eventually consistent); lease_event decides for real."""
        return [from_item(OutboxEvent, item) for item in self._query(
            limit, IndexName=DUE_INDEX, KeyConditionExpression="due_pk = :due AND due_sk < :upto",
            ExpressionAttributeValues=typed(**{":due": EVENTS_DUE,
                                               ":upto": now + "$"}))]  # '#' < '$'

    def _update_event(self, event_id: str, condition: str, values: dict[str, Any],
                      remove: tuple[str, ...] = (), add: dict[str, int] | None = None,
                      **condition_values: Any) -> bool:
        update = assignments(values, remove, add)
        update["ExpressionAttributeNames"]["#status"] = "status"
        update["ExpressionAttributeValues"].update(typed(**condition_values))
        return self._conditional("update_item", Key=typed(pk=f"OUTBOX#{event_id}", sk="EVENT"),
                                 ConditionExpression=condition, **update)

    def _require_event(self, event_id: str) -> None:
        if "Item" not in self._call("get_item", Key=typed(pk=f"OUTBOX#{event_id}", sk="EVENT"),
                                    ConsistentRead=True):
            raise StoreError(f"no outbox event {event_id}")

    def lease_event(self, event_id: str, now: str, until: str) -> bool:
        return self._update_event(
            event_id, "#status = :pending AND #next_attempt_at <= :now",
            {"next_attempt_at": until, "due_sk": f"{until}#{event_id}"},
            **{":pending": "pending", ":now": now})

    def mark_sent(self, event_id: str, now: str) -> None:
        if not self._update_event(event_id, "attribute_exists(pk)",
                                  {"status": "sent", "sent_at": now, "listing_pk": "OUTBOX#sent"},
                                  ("due_pk", "due_sk")):
            raise StoreError(f"no outbox event {event_id}")

    def mark_failed(self, event_id: str, error: str, next_attempt_at: str | None) -> None:
        """Only a pending event changes: one sent or dead-lettered meanwhile stays so."""
        if next_attempt_at is None:
            values, remove = {"status": "dead", "listing_pk": "OUTBOX#dead"}, ("due_pk", "due_sk")
        else:
            values = {"next_attempt_at": next_attempt_at,
                      "due_sk": f"{next_attempt_at}#{event_id}"}
            remove = ()
        if not self._update_event(event_id, "#status = :pending",
                                  {**values, "last_error": error[:MAX_ERROR_CHARS]}, remove,
                                  {"attempts": 1}, **{":pending": "pending"}):
            self._require_event(event_id)

    def list_events(self, status: str | None = None, limit: int = 100) -> list[OutboxEvent]:
        """Oldest first (merged across statuses when status is None); from a GSI."""
        items = []
        for each in [status] if status else EVENT_STATUSES:
            items += self._query(limit, IndexName=LISTING_INDEX,
                                 KeyConditionExpression="listing_pk = :pk",
                                 ExpressionAttributeValues=typed(**{":pk": f"OUTBOX#{each}"}))
        items.sort(key=lambda item: plain(item, "listing_sk"))
        return [from_item(OutboxEvent, item) for item in items[:limit]]

    def get_event(self, event_id: str) -> OutboxEvent | None:
        found = self._call("get_item", Key=typed(pk=f"OUTBOX#{event_id}", sk="EVENT"),
                           ConsistentRead=True).get("Item")
        return from_item(OutboxEvent, found) if found else None

    def get_events(self, event_ids: list[str]) -> dict[str, OutboxEvent]:
        """BatchGetItem of the events' items, 100 keys a call."""
        return {event.event_id: event for event in self._get_each(
            OutboxEvent, event_ids, lambda eid: typed(pk=f"OUTBOX#{eid}", sk="EVENT"))}

    def requeue(self, event_id: str, now: str) -> bool:
        return self._update_event(
            event_id, "#status = :dead",
            {"status": "pending", "attempts": 0, "next_attempt_at": now,
             "listing_pk": "OUTBOX#pending", "due_pk": EVENTS_DUE, "due_sk": f"{now}#{event_id}"},
            **{":dead": "dead"})
