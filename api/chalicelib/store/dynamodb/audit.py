"""The DynamoDB store's audit log: items AUDIT#<target>, put once and never updated, also in
the listing index's AUDIT partition for the log across targets."""

from __future__ import annotations

import uuid
from typing import Any

from ..base import AuditEntry
from .items import from_item, to_item, typed
from .table import LISTING_INDEX, Table


def audit_item(entry: AuditEntry) -> dict[str, Any]:
    """sk <at>#<random>: by time, and never two alike."""
    order = f"{entry.at}#{uuid.uuid4().hex}"
    return to_item(entry, pk=f"AUDIT#{entry.target}", sk=order, type="audit",
                   listing_pk="AUDIT", listing_sk=order)


class Audit(Table):
    def append_audit(self, entry: AuditEntry) -> None:
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
