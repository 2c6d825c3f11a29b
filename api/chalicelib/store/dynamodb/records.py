"""The DynamoDB store's records and idempotency keys: versions RECORD#<id>/V#<n> with a
LATEST copy listed by form, and IDEM#<actor>#<key> claims (kept by DynamoDB's TTL). A commit
is one TransactWriteItems, which may claim its key too (a conditional Put in it); a claim
alone is one conditional PutItem. Either takes over a claim left in flight past its lease."""

from __future__ import annotations

import math
import uuid
from typing import Any
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from ..base import (
    AuditEntry,
    CaseChange,
    Completion,
    IdempotencyClaim,
    KeyHeld,
    OutboxEvent,
    Page,
    RecordVersion,
    StoreError,
    check_change,
    claim_of_held_key,
    cursor_position,
    key_expiry,
    lease_end,
    page_of,
    previous_version,
    require_positive,
    sortable,
    to_columns,
    to_json,
)
from .audit import audit_item
from .cases import case_writes
from .items import assignments, from_item, plain, to_item, typed, typed_value
from .outbox import event_item
from .table import KEY_CLAIM, LISTING_INDEX, HeldItem, Table, Write

#: A claim's put succeeds on a key free, expired, or in flight past its lease.
CLAIMABLE = ("attribute_not_exists(pk) OR expires_at <= :now OR "
             "(#status = :in_flight AND lease_until <= :now)")


def _key_of_claim(actor: str, key: str) -> dict[str, Any]:
    """Actor and key each URL-encoded, so a '#' in either cannot blur them."""
    return typed(pk=f"IDEM#{quote(actor, safe='')}#{quote(key, safe='')}", sk="IDEM")


def _held_claim(held: dict[str, Any], fingerprint: str, now: str) -> IdempotencyClaim | None:
    """A claim at `now` of the key `held` is: None (it would be new) when it has expired or
    is in flight past its lease, else as claim_of_held_key says."""
    status, lease = plain(held, "status"), plain(held, "lease_until")
    if plain(held, "expires_at") <= now or (status == "in_flight" and lease is not None
                                            and lease <= now):
        return None
    return claim_of_held_key(fingerprint, plain(held, "fingerprint"), status,
                             plain(held, "response"))


def _latest_key(form_id: str, first_created_at: str, record_id: str) -> dict[str, Any]:
    """A LATEST item's key in the listing index: where a listing page continues after it."""
    return typed(pk=f"RECORD#{record_id}", sk="LATEST", listing_pk=f"FORM#{form_id}",
                 listing_sk=f"{first_created_at}#{record_id}")


class Records(Table):
    # -- idempotency -----------------------------------------------------------------------
    def claim_key(self, actor: str, key: str, fingerprint: str, now: str,
                  ttl_seconds: int, lease_seconds: int | None = None) -> IdempotencyClaim:
        expiry = key_expiry(now, ttl_seconds)
        claim_id = uuid.uuid4().hex  # recognises our own write when botocore retried the put
        claim = {**_key_of_claim(actor, key), **typed(
            type="idempotency_key", actor=actor, key=key, fingerprint=fingerprint,
            status="in_flight", expires_at=sortable(expiry),
            expires=math.ceil(expiry.timestamp()),  # TTL: epoch seconds, rounded up
            claim_id=claim_id, lease_until=lease_end(now, ttl_seconds, lease_seconds))}
        for _attempt in range(3):  # again only if the key was released between two calls
            try:
                self.client.put_item(  # free, expired, or in flight past its lease
                    TableName=self.table, Item=claim,
                    ConditionExpression=CLAIMABLE, ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={":now": typed_value(now),
                                               ":in_flight": typed_value("in_flight")},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
                return IdempotencyClaim("new", claim_id=claim_id)
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise StoreError(f"dynamodb put_item: {error.response['Error']['Code']}"
                                     ) from error
                held = error.response.get("Item") or self._call(
                    "get_item", Key=_key_of_claim(actor, key), ConsistentRead=True
                ).get("Item")
            except BotoCoreError as error:
                raise StoreError(f"dynamodb put_item: {type(error).__name__}") from error
            if held is not None:
                break
        else:
            raise StoreError("the idempotency key kept changing")
        if plain(held, "claim_id") == claim_id:
            return IdempotencyClaim("new", claim_id=claim_id)
        return claim_of_held_key(fingerprint, plain(held, "fingerprint"), plain(held, "status"),
                                 plain(held, "response"))

    def peek_key(self, actor: str, key: str, fingerprint: str,
                 now: str) -> IdempotencyClaim | None:
        held = self._call("get_item", Key=_key_of_claim(actor, key),
                          ConsistentRead=True).get("Item")
        return None if held is None else _held_claim(held, fingerprint, now)

    def release_key(self, actor: str, key: str, claim_id: str | None = None) -> None:
        condition, values = "#status = :in_flight", {":in_flight": typed_value("in_flight")}
        if claim_id is not None:
            condition += " AND claim_id = :claim"
            values[":claim"] = typed_value(claim_id)
        self._conditional("delete_item", Key=_key_of_claim(actor, key),
                          ConditionExpression=condition,
                          ExpressionAttributeNames={"#status": "status"},
                          ExpressionAttributeValues=values)

    def _completion(self, completion: Completion) -> dict[str, Any]:
        if completion.now is not None:
            return self._claimed_done(completion)
        condition, values = "#status = :in_flight", {":in_flight": typed_value("in_flight")}
        if completion.fingerprint is not None:
            condition += " AND #fingerprint = :expected"
            values[":expected"] = typed_value(completion.fingerprint)
        if completion.claim_id is not None:
            condition += " AND claim_id = :claim"
            values[":claim"] = typed_value(completion.claim_id)
        update = assignments({"status": "done", "response": to_json(completion.response)})
        if completion.fingerprint is not None:
            update["ExpressionAttributeNames"]["#fingerprint"] = "fingerprint"
        update["ExpressionAttributeValues"].update(values)
        return {"Update": {"TableName": self.table, **update, "ConditionExpression": condition,
                           "Key": _key_of_claim(completion.actor, completion.key)}}

    def _claimed_done(self, c: Completion) -> dict[str, Any]:
        """The transaction's Put of the key, done at once, if a claim at `c.now` may take it."""
        expiry = key_expiry(c.now, c.ttl_seconds)
        return {"Put": {
            "TableName": self.table, "ConditionExpression": CLAIMABLE,
            "Item": {**_key_of_claim(c.actor, c.key), **typed(
                type="idempotency_key", actor=c.actor, key=c.key, fingerprint=c.fingerprint,
                status="done", response=to_json(c.response), expires_at=sortable(expiry),
                expires=math.ceil(expiry.timestamp()))},
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":now": typed_value(c.now),
                                          ":in_flight": typed_value("in_flight")},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}

    def _held_key(self, c: Completion, item: dict[str, Any] | None) -> KeyHeld | StoreError:
        """What a commit whose key claim failed says: KeyHeld, as the held item tells."""
        held = item or self._call("get_item", Key=_key_of_claim(c.actor, c.key),
                                  ConsistentRead=True).get("Item")
        claim = None if held is None else _held_claim(held, c.fingerprint, c.now)
        return StoreError("the idempotency key kept changing") if claim is None else KeyHeld(
            claim)

    # -- records ---------------------------------------------------------------------------
    def commit(self, version: RecordVersion, audit: AuditEntry, events: list[OutboxEvent],
               completion: Completion | None = None,
               case_change: CaseChange | None = None) -> None:
        v, previous = version, previous_version(version.version)
        record = to_item(v, pk=f"RECORD#{v.record_id}", sk=f"V#{v.version:010d}",
                         type="record_version")
        writes: list[Write] = [("record", self._put_new(record))]
        if previous is None:
            writes.append(("record", self._put_new({**record, **typed(
                sk="LATEST", type="record_latest", first_created_at=v.created_at,
                listing_pk=f"FORM#{v.form_id}", listing_sk=f"{v.created_at}#{v.record_id}")})))
        else:
            update = assignments({**to_columns(v), "listing_pk": f"FORM#{v.form_id}"})
            update["ExpressionAttributeValues"][":previous"] = typed_value(previous)
            writes.append(("record", {"Update": {
                "TableName": self.table, **update, "ConditionExpression": "#version = :previous",
                "Key": typed(pk=f"RECORD#{v.record_id}", sk="LATEST")}}))
        writes.append(("other", self._put_new(audit_item(audit))))
        writes += [("other", self._put_new(event_item(event))) for event in events]
        if completion is not None:
            writes.append((KEY_CLAIM if completion.now is not None else "other",
                           self._completion(completion)))
        if case_change is not None:
            check_change(case_change)
            writes += case_writes(self, case_change, committed=v.record_id)
        try:
            self._transact(writes, f"record {v.record_id}")
        except HeldItem as error:
            raise self._held_key(completion, error.item) from error

    def get_version(self, record_id: str, version: int | None = None) -> RecordVersion | None:
        sk = "LATEST" if version is None else f"V#{version:010d}"
        found = self._call("get_item", Key=typed(pk=f"RECORD#{record_id}", sk=sk),
                           ConsistentRead=True).get("Item")
        return from_item(RecordVersion, found) if found else None

    def get_latest_versions(self, record_ids: list[str]) -> dict[str, RecordVersion]:
        """BatchGetItem of each record's LATEST item, 100 keys a call."""
        return {record.record_id: record for record in self._get_each(
            RecordVersion, record_ids, lambda rid: typed(pk=f"RECORD#{rid}", sk="LATEST"))}

    def list_versions(self, record_id: str) -> list[RecordVersion]:
        return [from_item(RecordVersion, item) for item in self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)", ConsistentRead=True,
            ExpressionAttributeValues=typed(**{":pk": f"RECORD#{record_id}", ":prefix": "V#"}))]

    def list_records(self, form_id: str, limit: int, cursor: str | None = None) -> Page:
        """Newest first by first submission; read from a GSI, so eventually consistent."""
        require_positive("limit", limit)
        start = ({"ExclusiveStartKey": _latest_key(form_id, *cursor_position(cursor, form_id))}
                 if cursor else {})
        items = self._query(limit + 1, IndexName=LISTING_INDEX, ScanIndexForward=False,
                            KeyConditionExpression="listing_pk = :form",
                            ExpressionAttributeValues=typed(**{":form": f"FORM#{form_id}"}),
                            **start)
        return page_of(form_id, limit, [(from_item(RecordVersion, item),
                                         plain(item, "first_created_at")) for item in items])
