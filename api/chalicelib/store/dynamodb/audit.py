"""The DynamoDB store's audit log: items AUDIT#<target>, put once and never updated, also in
the listing index's AUDIT partition for the log across targets and in the audit_actor index
for one user's entries. Every sk is <at>#<random>, so each of the three orders by time."""

from __future__ import annotations

import re
import uuid
from typing import Any

from ..base import (
    AuditEntry,
    AuditPage,
    AuditQuery,
    InvalidCursor,
    audit_cursor,
    audit_position,
    require_positive,
)
from .items import from_item, plain, to_item, typed
from .table import ACTOR_INDEX, LISTING_INDEX, Table

ORDER = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#[0-9a-f]{32}")
LOWEST, HIGHEST = "0", "~"  # below and above every stored timestamp


def audit_item(entry: AuditEntry) -> dict[str, Any]:
    """sk <at>#<random>: by time, and never two alike."""
    order = f"{entry.at}#{uuid.uuid4().hex}"
    return to_item(entry, pk=f"AUDIT#{entry.target}", sk=order, type="audit",
                   listing_pk="AUDIT", listing_sk=order, audit_actor=entry.actor)


class Audit(Table):
    def append_audit(self, entry: AuditEntry, durable: bool = True) -> None:
        """Always durable: DynamoDB has acknowledged the write when put_item returns."""
        self._call("put_item", Item=audit_item(entry),
                   ConditionExpression="attribute_not_exists(pk)")

    def list_audit(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first; across all targets from a GSI (eventually consistent)."""
        if target is None:
            query = {"IndexName": LISTING_INDEX, "KeyConditionExpression": "listing_pk = :pk",
                     "ExpressionAttributeValues": typed(**{":pk": "AUDIT"})}
        else:
            query = {"KeyConditionExpression": "pk = :pk", "ConsistentRead": True,
                     "ExpressionAttributeValues": typed(**{":pk": f"AUDIT#{target}"})}
        return [from_item(AuditEntry, item)
                for item in self._query(limit, ScanIndexForward=False, **query)]

    def page_audit(self, query: AuditQuery, limit: int,
                   cursor: str | None = None) -> AuditPage:
        """Newest first. By case: one consistent Query per target (the case and each of its
        records), merged; else by user from the audit_actor index, else the listing index's
        AUDIT partition (both eventually consistent). The sort key is kept between the
        bounds; the position in a cursor is the last entry's sk."""
        require_positive("limit", limit)
        position = None
        if cursor is not None:
            position = audit_position(cursor, query)
            if not ORDER.fullmatch(position):
                raise InvalidCursor("the cursor is not one this store issued")
        low = query.since or LOWEST
        high = min(query.before or HIGHEST, position or HIGHEST)
        if low > high:
            return AuditPage([], None)
        wanted = limit + 1 + (position is not None)  # one more tells whether there is more
        found: dict[str, dict[str, Any]] = {}
        for arguments in self._audit_queries(query, low, high):
            for item in self._query(wanted, ScanIndexForward=False, **arguments):
                found[plain(item, "sk")] = item
        orders = sorted((o for o in found if o != position), reverse=True)[:limit + 1]
        items = [from_item(AuditEntry, found[o]) for o in orders[:limit]]
        more = len(orders) > limit
        return AuditPage(items, audit_cursor(query, orders[limit - 1]) if more else None)

    def _audit_queries(self, query: AuditQuery, low: str, high: str) -> list[dict[str, Any]]:
        """The Query arguments that between them find the entries `query` asks for."""
        if query.case is not None:
            targets = [query.case, *self.case_records(query.case)]
            by_actor = ({"FilterExpression": "actor = :actor"} if query.actor is not None
                        else {})
            return [{"KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
                     "ConsistentRead": True, **by_actor,
                     "ExpressionAttributeValues": typed(**{
                         ":pk": f"AUDIT#{target}", ":low": low, ":high": high,
                         **({":actor": query.actor} if query.actor is not None else {})})}
                    for target in targets]
        if query.actor is not None:
            return [{"IndexName": ACTOR_INDEX,
                     "KeyConditionExpression": "audit_actor = :actor AND sk BETWEEN :low AND :high",
                     "ExpressionAttributeValues": typed(**{":actor": query.actor, ":low": low,
                                                          ":high": high})}]
        return [{"IndexName": LISTING_INDEX,
                 "KeyConditionExpression": "listing_pk = :pk AND listing_sk BETWEEN :low AND :high",
                 "ExpressionAttributeValues": typed(**{":pk": "AUDIT", ":low": low,
                                                      ":high": high})}]
