"""The AWS Store: one DynamoDB table (pk/sk, two sparse GSIs) through a low-level boto3 client.
A commit or a case change is one TransactWriteItems (firing a deadline: one per deadline);
every other change is one conditional write.
Key design and item types: docs/storage.md. The client is passed in; no settings read here."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from .base import (
    AuditEntry,
    CaseChange,
    CaseEntry,
    CaseState,
    Completion,
    Deadline,
    FiredDeadline,
    IdempotencyClaim,
    InvalidCursor,
    OutboxEvent,
    Page,
    RecordVersion,
    StoreError,
    VersionConflict,
    check_change,
    check_fired,
)

LISTING_INDEX = "listing"        # FORM#<form> -> latest versions; AUDIT; OUTBOX#<status>; CASES
DUE_INDEX = "due"                # DUE -> pending events by next_attempt_at (sparse);
DEADLINES_DUE = "DEADLINE"       # DEADLINE -> pending deadlines by due_on, in the same index
CASES_LISTING = "CASES"
TTL_ATTRIBUTE = "expires"        # epoch seconds on idempotency items
MAX_TRANSACTION_ITEMS = 100
RECORD_FIELDS = ("record_id", "form_id", "form_version", "data", "created_at", "created_by",
                 "agency", "reason")
EVENT_STATUSES = ("pending", "sent", "dead")
CASE_FIELDS = ("case_ref", "process", "state", "version", "opened_at", "updated_at")
DEADLINE_FIELDS = ("case_ref", "reason", "due_on", "event", "status", "fired_at")
# What a failed condition on each kind of transaction item means (see _transact)
CONFLICTS = {"record": "the record moved on", "case": "the case moved on",
             "deadline": "a deadline of the case changed"}
REFUSALS = {"attached": "a record is attached to another case",
            "missing": "a record to attach does not exist"}


def _value(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"cannot store {type(value).__name__} directly")
    return {"N": str(value)} if isinstance(value, int) else {"S": value}


def _item(**attributes: Any) -> dict[str, Any]:
    return {name: _value(value) for name, value in attributes.items()}


def _plain(item: dict[str, Any], name: str) -> Any:
    found = item.get(name, {"NULL": True})
    return int(found["N"]) if "N" in found else found.get("S")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _assignments(values: dict[str, Any], remove: tuple[str, ...] = (),
                 add: dict[str, int] | None = None) -> dict[str, Any]:
    """UpdateExpression arguments: SET `values`, REMOVE `remove`, ADD `add`; names escaped."""
    add = add or {}
    expression = "SET " + ", ".join(f"#{name} = :{name}" for name in values)
    if remove:
        expression += " REMOVE " + ", ".join(f"#{name}" for name in remove)
    if add:
        expression += " ADD " + ", ".join(f"#{name} :{name}" for name in add)
    return {"UpdateExpression": expression,
            "ExpressionAttributeNames": {f"#{name}": name for name in (*values, *remove, *add)},
            "ExpressionAttributeValues": {f":{name}": _value(v)
                                          for name, v in (values | add).items()}}


def _expiry(now: str, ttl_seconds: int) -> tuple[str, int]:
    """When a claim made at `now` expires: as a sortable timestamp, and in epoch seconds
    (rounded up) for DynamoDB's TTL, which deletes the item some time after."""
    moment = datetime.datetime.fromisoformat(now) + datetime.timedelta(seconds=ttl_seconds)
    return (moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            math.ceil(moment.timestamp()))


def _record(item: dict[str, Any]) -> RecordVersion:
    values = {name: _plain(item, name) for name in RECORD_FIELDS}
    return RecordVersion(version=_plain(item, "version"), **{**values,
                                                            "data": json.loads(values["data"])})


def _event(item: dict[str, Any]) -> OutboxEvent:
    return OutboxEvent(
        **{name: _plain(item, name) for name in (
            "event_id", "record_id", "event", "form_id", "channel", "created_at", "status",
            "attempts", "next_attempt_at", "last_error", "sent_at")},
        recipient=json.loads(_plain(item, "recipient")),
        payload=json.loads(_plain(item, "payload")))


def _case(item: dict[str, Any]) -> CaseState:
    return CaseState(**{name: _plain(item, name) for name in CASE_FIELDS},
                     facts=json.loads(_plain(item, "facts")), closed=bool(_plain(item, "closed")))


def _entry(item: dict[str, Any]) -> CaseEntry:
    return CaseEntry(**{name: _plain(item, name) for name in (
        "case_ref", "at", "kind", "ref", "actor", "agency")},
        detail=json.loads(_plain(item, "detail")))


def _deadline(item: dict[str, Any]) -> Deadline:
    return Deadline(**{name: _plain(item, name) for name in DEADLINE_FIELDS})


def _audit(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry(**{name: _plain(item, name) for name in (
        "at", "actor", "role", "agency", "action", "target", "reason", "request_id")})


class DynamoDBStore:
    """A Store in one DynamoDB table, used through a boto3 DynamoDB client."""

    def __init__(self, table: str, client: Any) -> None:
        self.table = table
        self.client = client

    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        """One API call; every failure becomes StoreError (callers catch conditions first)."""
        try:
            return getattr(self.client, operation)(TableName=self.table, **arguments)
        except ClientError as error:
            raise StoreError(f"dynamodb {operation}: {error.response['Error']['Code']}") from error
        except BotoCoreError as error:
            raise StoreError(f"dynamodb {operation}: {type(error).__name__}") from error

    def _conditional(self, operation: str, **arguments: Any) -> bool:
        """A conditional write: False when the condition failed, StoreError on other errors."""
        try:
            self._call(operation, **arguments)
        except StoreError as error:
            if isinstance(error.__cause__, ClientError) and error.__cause__.response["Error"][
                    "Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _query(self, limit: int | None = None, **arguments: Any) -> list[dict[str, Any]]:
        """Every item the query finds (up to `limit`), across DynamoDB's 1 MB pages."""
        items: list[dict[str, Any]] = []
        while limit is None or len(items) < limit:
            page = self._call("query", **arguments,
                              **({"Limit": limit - len(items)} if limit else {}))
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return items

    # -- idempotency -----------------------------------------------------------------------
    @staticmethod
    def _key_of_claim(actor: str, key: str) -> dict[str, Any]:
        return _item(pk=f"IDEM#{quote(actor, safe='')}#{quote(key, safe='')}", sk="IDEM")

    def claim_key(self, actor: str, key: str, fingerprint: str, now: str,
                  ttl_seconds: int) -> IdempotencyClaim:
        expires_at, expires = _expiry(now, ttl_seconds)
        claim_id = uuid.uuid4().hex  # recognises our own write when botocore retried the put
        claim = {**self._key_of_claim(actor, key), **_item(
            type="idempotency_key", actor=actor, key=key, fingerprint=fingerprint,
            status="in_flight", expires_at=expires_at, expires=expires, claim_id=claim_id)}
        for _attempt in range(3):  # again only if the key was released between two calls
            try:
                self.client.put_item(
                    TableName=self.table, Item=claim,
                    ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
                    ExpressionAttributeValues={":now": _value(now)},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
                return IdempotencyClaim("new")
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise StoreError(f"dynamodb put_item: {error.response['Error']['Code']}"
                                     ) from error
                held = error.response.get("Item") or self._call(
                    "get_item", Key=self._key_of_claim(actor, key), ConsistentRead=True
                ).get("Item")
            except BotoCoreError as error:
                raise StoreError(f"dynamodb put_item: {type(error).__name__}") from error
            if held is not None:
                break
        else:
            raise StoreError("the idempotency key kept changing")
        if _plain(held, "claim_id") == claim_id:
            return IdempotencyClaim("new")
        if _plain(held, "fingerprint") != fingerprint:
            return IdempotencyClaim("mismatch")
        if _plain(held, "status") == "done":
            return IdempotencyClaim("replay", json.loads(_plain(held, "response")))
        return IdempotencyClaim("in_flight")

    def release_key(self, actor: str, key: str) -> None:
        self._conditional("delete_item", Key=self._key_of_claim(actor, key),
                          ConditionExpression="#status = :in_flight",
                          ExpressionAttributeNames={"#status": "status"},
                          ExpressionAttributeValues={":in_flight": _value("in_flight")})

    # -- records ---------------------------------------------------------------------------
    def commit(self, version: RecordVersion, audit: AuditEntry, events: list[OutboxEvent],
               completion: Completion | None = None,
               case_change: CaseChange | None = None) -> None:
        v = version
        fields = {name: getattr(v, name) for name in RECORD_FIELDS} | {"data": _json(v.data)}
        record = _item(pk=f"RECORD#{v.record_id}", sk=f"V#{v.version:010d}",
                       type="record_version", version=v.version, **fields)
        writes = [("record", self._put_new(record))]
        if v.version == 1:
            writes.append(("record", self._put_new({**record, **_item(
                sk="LATEST", type="record_latest", first_created_at=v.created_at,
                listing_pk=f"FORM#{v.form_id}", listing_sk=f"{v.created_at}#{v.record_id}")})))
        else:
            update = _assignments({"version": v.version, **fields,
                                   "listing_pk": f"FORM#{v.form_id}"})
            update["ExpressionAttributeNames"]["#version"] = "version"
            update["ExpressionAttributeValues"][":previous"] = _value(v.version - 1)
            writes.append(("record", {"Update": {
                "TableName": self.table, **update, "ConditionExpression": "#version = :previous",
                "Key": _item(pk=f"RECORD#{v.record_id}", sk="LATEST")}}))
        writes.append(("other", self._put_new(self._audit_item(audit))))
        writes += [("other", self._put_new(self._event_item(event))) for event in events]
        if completion is not None:
            writes.append(("other", self._completion(completion)))
        if case_change is not None:
            check_change(case_change)
            writes += self._case_writes(case_change, committed=v.record_id)
        self._transact(writes, f"record {v.record_id}")

    def _transact(self, writes: list[tuple[str, dict[str, Any]]], what: str) -> None:
        """One TransactWriteItems of (kind, item) pairs, all or nothing. A failed condition on
        a `CONFLICTS` kind is VersionConflict, on a `REFUSALS` kind a StoreError saying so."""
        if len(writes) > MAX_TRANSACTION_ITEMS:
            raise StoreError(f"{what}: {len(writes)} items are more than one DynamoDB "
                             f"transaction holds ({MAX_TRANSACTION_ITEMS}); nothing written")
        try:
            self.client.transact_write_items(TransactItems=[item for _, item in writes],
                                             ClientRequestToken=uuid.uuid4().hex)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            failed = [kind for (kind, _), reason in zip(writes, reasons, strict=False)
                      if reason == "ConditionalCheckFailed"]
            if code == "TransactionCanceledException":
                for kind in failed:
                    if kind in CONFLICTS:
                        raise VersionConflict(f"{what}: {CONFLICTS[kind]}") from error
                for kind in failed:
                    if kind in REFUSALS:
                        raise StoreError(f"{what}: {REFUSALS[kind]}") from error
            raise StoreError(f"dynamodb transact_write_items: {code} {reasons}") from error
        except BotoCoreError as error:
            raise StoreError(f"dynamodb transact_write_items: {type(error).__name__}"
                             ) from error

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"Put": {"TableName": self.table, "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def _completion(self, completion: Completion) -> dict[str, Any]:
        condition, values = "#status = :in_flight", {":in_flight": _value("in_flight")}
        if completion.fingerprint is not None:
            condition += " AND #fingerprint = :expected"
            values[":expected"] = _value(completion.fingerprint)
        update = _assignments({"status": "done", "response": _json(completion.response)})
        if completion.fingerprint is not None:
            update["ExpressionAttributeNames"]["#fingerprint"] = "fingerprint"
        update["ExpressionAttributeValues"].update(values)
        return {"Update": {"TableName": self.table, **update, "ConditionExpression": condition,
                           "Key": self._key_of_claim(completion.actor, completion.key)}}

    def get_version(self, record_id: str, version: int | None = None) -> RecordVersion | None:
        sk = "LATEST" if version is None else f"V#{version:010d}"
        found = self._call("get_item", Key=_item(pk=f"RECORD#{record_id}", sk=sk),
                           ConsistentRead=True).get("Item")
        return _record(found) if found else None

    def list_versions(self, record_id: str) -> list[RecordVersion]:
        return [_record(item) for item in self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)", ConsistentRead=True,
            ExpressionAttributeValues=_item(**{":pk": f"RECORD#{record_id}", ":prefix": "V#"}))]

    def list_records(self, form_id: str, limit: int, cursor: str | None = None) -> Page:
        """Newest first by first submission; read from a GSI, so eventually consistent."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        start = {"ExclusiveStartKey": _decode_cursor(cursor, form_id)} if cursor else {}
        items = self._query(limit + 1, IndexName=LISTING_INDEX, ScanIndexForward=False,
                            KeyConditionExpression="listing_pk = :form",
                            ExpressionAttributeValues=_item(**{":form": f"FORM#{form_id}"}),
                            **start)
        last = items[limit - 1] if len(items) > limit else None
        return Page([_record(item) for item in items[:limit]],
                    _encode_cursor(last) if last else None)

    # -- cases -----------------------------------------------------------------------------
    def _case_writes(self, change: CaseChange,
                     committed: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """The transaction items of a case change (`committed`: the record id written in the
        same transaction). Reads the case's deadlines first, strongly consistent, to write
        only those that change; a condition on each written one catches a sweep in between."""
        c = change.case
        case = _item(pk=f"CASE#{c.case_ref}", sk="CASE", type="case",
                     **{name: getattr(c, name) for name in CASE_FIELDS}, facts=_json(c.facts),
                     closed=int(c.closed), listing_pk=CASES_LISTING, listing_sk=c.case_ref)
        if c.version == 1:
            writes, held = [("case", self._put_new(case))], {}
        else:
            writes = [("case", {"Put": {
                "TableName": self.table, "Item": case,
                "ConditionExpression": "#version = :previous",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":previous": _value(c.version - 1)}}})]
            held = {d.reason: d for d in self.case_deadlines(c.case_ref)}
        records = list(dict.fromkeys(change.record_ids))
        opened = {c.case_ref} if c.version == 1 else set()
        for record_id in sorted((opened | set(records)) - {committed}):
            writes.append(("missing", {"ConditionCheck": {
                "TableName": self.table, "ConditionExpression": "attribute_exists(pk)",
                "Key": _item(pk=f"RECORD#{record_id}", sk="LATEST")}}))
        for position, record_id in enumerate(records):
            claim = _assignments({"type": "record_case", "case_ref": c.case_ref})
            writes.append(("attached", {"Update": {
                "TableName": self.table, "Key": _item(pk=f"RECORD#{record_id}", sk="CASE"),
                "ConditionExpression": "attribute_not_exists(pk) OR #case_ref = :case_ref",
                **claim}}))
            writes.append(("other", {"Update": {
                "TableName": self.table, "Key": _item(pk=f"CASE#{c.case_ref}",
                                                      sk=f"RECORD#{record_id}"),
                "UpdateExpression": "SET #type = :type, #record_id = :record_id, "
                                    "#attached = if_not_exists(#attached, :attached)",
                "ExpressionAttributeNames": {f"#{n}": n for n in (
                    "type", "record_id", "attached")},
                "ExpressionAttributeValues": _item(**{
                    ":type": "case_record", ":record_id": record_id,
                    ":attached": f"{c.version:010d}#{position:04d}"})}}))
        writes += [("other", self._put_new(self._entry_item(entry, f"{c.version:010d}#{i:04d}")))
                   for i, entry in enumerate(change.entries)]
        for wanted in change.deadlines:
            now = held.get(wanted.reason)
            if now is not None and (now.status == "fired" or (
                    now.status == "pending" and (now.due_on, now.event) == (
                        wanted.due_on, wanted.event))):
                continue  # never fired twice; unchanged needs no write
            put: dict[str, Any] = {"TableName": self.table, "Item": self._deadline_item(wanted),
                                   "ConditionExpression": "attribute_not_exists(pk)"}
            if now is not None:
                put |= {"ConditionExpression": "#status = :seen",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":seen": _value(now.status)}}
            writes.append(("deadline", {"Put": put}))
        wanted_reasons = {d.reason for d in change.deadlines}
        for reason, now in held.items():
            if now.status == "pending" and reason not in wanted_reasons:
                writes.append(("deadline", self._deadline_update(now, "cleared")))
        return writes

    def _deadline_update(self, deadline: Deadline, status: str,
                         **values: Any) -> dict[str, Any]:
        """Move a pending deadline to `status` (out of the due index), if still pending."""
        update = _assignments({"status": status, **values}, ("due_pk", "due_sk"))
        update["ExpressionAttributeValues"][":pending"] = _value("pending")
        return {"Update": {"TableName": self.table, **update,
                           "ConditionExpression": "#status = :pending",
                           "Key": _item(pk=f"CASE#{deadline.case_ref}",
                                        sk=f"DEADLINE#{deadline.reason}")}}

    @staticmethod
    def _deadline_item(deadline: Deadline) -> dict[str, Any]:
        d = deadline
        item = _item(pk=f"CASE#{d.case_ref}", sk=f"DEADLINE#{d.reason}", type="deadline",
                     **{name: getattr(d, name) for name in DEADLINE_FIELDS})
        if d.status == "pending":
            item |= _item(due_pk=DEADLINES_DUE, due_sk=f"{d.due_on}#{d.case_ref}#{d.reason}")
        return item

    @staticmethod
    def _entry_item(entry: CaseEntry, order: str) -> dict[str, Any]:
        """sk ENTRY#<at>#<order>: by time, then by the change (its case version) and place."""
        return _item(pk=f"CASE#{entry.case_ref}", sk=f"ENTRY#{entry.at}#{order}",
                     type="case_entry", **{name: getattr(entry, name) for name in (
                         "case_ref", "at", "kind", "ref", "actor", "agency")},
                     detail=_json(entry.detail))

    def change_case(self, change: CaseChange, audit: AuditEntry,
                    events: list[OutboxEvent]) -> None:
        check_change(change)
        writes = self._case_writes(change)
        writes.append(("other", self._put_new(self._audit_item(audit))))
        writes += [("other", self._put_new(self._event_item(event))) for event in events]
        self._transact(writes, f"case {change.case.case_ref}")

    def get_case(self, case_ref: str) -> CaseState | None:
        found = self._call("get_item", Key=_item(pk=f"CASE#{case_ref}", sk="CASE"),
                           ConsistentRead=True).get("Item")
        return _case(found) if found else None

    def case_of_record(self, record_id: str) -> str | None:
        found = self._call("get_item", Key=_item(pk=f"RECORD#{record_id}", sk="CASE"),
                           ConsistentRead=True).get("Item")
        return _plain(found, "case_ref") if found else None

    def _case_items(self, case_ref: str, prefix: str) -> list[dict[str, Any]]:
        return self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)", ConsistentRead=True,
            ExpressionAttributeValues=_item(**{":pk": f"CASE#{case_ref}", ":prefix": prefix}))

    def case_records(self, case_ref: str) -> list[str]:
        items = sorted(self._case_items(case_ref, "RECORD#"),
                       key=lambda item: _plain(item, "attached"))
        return [_plain(item, "record_id") for item in items]

    def case_entries(self, case_ref: str) -> list[CaseEntry]:
        """Oldest first by `at`; entries of one moment by change, then place in the change."""
        return [_entry(item) for item in self._case_items(case_ref, "ENTRY#")]

    def case_deadlines(self, case_ref: str) -> list[Deadline]:
        """Every deadline of the case, whatever its status, by reason."""
        return [_deadline(item) for item in self._case_items(case_ref, "DEADLINE#")]

    def iter_cases(self, batch: int = 500) -> Iterator[CaseState]:
        """A Query of the `CASES` partition of the listing index, `batch` items a page
        (eventually consistent, like every GSI read); no Scan of the whole table."""
        if batch < 1:
            raise ValueError("batch must be at least 1")
        arguments: dict[str, Any] = {
            "IndexName": LISTING_INDEX, "KeyConditionExpression": "listing_pk = :cases",
            "ExpressionAttributeValues": _item(**{":cases": CASES_LISTING}), "Limit": batch}
        while True:
            page = self._call("query", **arguments)
            yield from (_case(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def due_deadlines(self, today: str, limit: int) -> list[Deadline]:
        """By due date, then case and reason: a Query of the `DEADLINE` partition of the
        sparse `due` index (eventually consistent; fire_deadlines decides for real)."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        return [_deadline(item) for item in self._query(
            limit, IndexName=DUE_INDEX, KeyConditionExpression="due_pk = :due AND due_sk < :upto",
            ExpressionAttributeValues=_item(**{":due": DEADLINES_DUE,
                                               ":upto": today + "$"}))]  # '#' < '$'

    def fire_deadlines(self, fired: list[FiredDeadline], now: str) -> list[tuple[str, str]]:
        """One transaction per deadline. A failure other than a lost race raises StoreError;
        the deadlines fired before it stay fired (a later sweep skips them)."""
        check_fired(fired)
        done: list[tuple[str, str]] = []
        for each in fired:
            d = each.deadline
            writes = [("deadline", self._deadline_update(d, "fired", fired_at=now)),
                      ("other", self._put_new(self._entry_item(each.entry, f"F#{d.reason}")))]
            writes += [("other", self._put_new(self._event_item(event)))
                       for event in each.events]
            try:
                self._transact(writes, f"deadline {d.reason} of case {d.case_ref}")
            except VersionConflict:
                continue  # fired or cleared meanwhile
            done.append((d.case_ref, d.reason))
        return done

    # -- audit -----------------------------------------------------------------------------
    @staticmethod
    def _audit_item(entry: AuditEntry) -> dict[str, Any]:
        order = f"{entry.at}#{uuid.uuid4().hex}"
        return _item(pk=f"AUDIT#{entry.target}", sk=order, type="audit", listing_pk="AUDIT",
                     listing_sk=order, **vars(entry))

    def append_audit(self, entry: AuditEntry) -> None:
        self._call("put_item", Item=self._audit_item(entry),
                   ConditionExpression="attribute_not_exists(pk)")

    def list_audit(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first; across all targets from a GSI (eventually consistent)."""
        if target is None:
            query = {"IndexName": LISTING_INDEX, "KeyConditionExpression": "listing_pk = :pk",
                     "ExpressionAttributeValues": _item(**{":pk": "AUDIT"})}
        else:
            query = {"KeyConditionExpression": "pk = :pk", "ConsistentRead": True,
                     "ExpressionAttributeValues": _item(**{":pk": f"AUDIT#{target}"})}
        return [_audit(item) for item in self._query(limit, ScanIndexForward=False, **query)]

    # -- outbox ----------------------------------------------------------------------------
    @staticmethod
    def _event_item(event: OutboxEvent) -> dict[str, Any]:
        due = event.next_attempt_at or event.created_at
        item = _item(pk=f"OUTBOX#{event.event_id}", sk="EVENT", type="outbox_event",
                     **{**vars(event), "next_attempt_at": due, "recipient": _json(event.recipient),
                        "payload": _json(event.payload)},
                     listing_pk=f"OUTBOX#{event.status}",
                     listing_sk=f"{event.created_at}#{event.event_id}")
        if event.status == "pending":
            item |= _item(due_pk="DUE", due_sk=f"{due}#{event.event_id}")
        return item

    def due_events(self, now: str, limit: int) -> list[OutboxEvent]:
        """Read from the sparse GSI (eventually consistent); lease_event decides for real."""
        return [_event(item) for item in self._query(
            limit, IndexName=DUE_INDEX, KeyConditionExpression="due_pk = :due AND due_sk < :upto",
            ExpressionAttributeValues=_item(**{":due": "DUE", ":upto": now + "$"}))]  # '#' < '$'

    def _update_event(self, event_id: str, condition: str, values: dict[str, Any],
                      remove: tuple[str, ...] = (), add: dict[str, int] | None = None,
                      **condition_values: Any) -> bool:
        update = _assignments(values, remove, add)
        update["ExpressionAttributeNames"]["#status"] = "status"
        update["ExpressionAttributeValues"].update(_item(**condition_values))
        return self._conditional("update_item", Key=_item(pk=f"OUTBOX#{event_id}", sk="EVENT"),
                                 ConditionExpression=condition, **update)

    def _require_event(self, event_id: str) -> None:
        if "Item" not in self._call("get_item", Key=_item(pk=f"OUTBOX#{event_id}", sk="EVENT"),
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
                                  {**values, "last_error": error[:1000]}, remove,
                                  {"attempts": 1}, **{":pending": "pending"}):
            self._require_event(event_id)

    def list_events(self, status: str | None = None, limit: int = 100) -> list[OutboxEvent]:
        """Oldest first (merged across statuses when status is None); from a GSI."""
        items = []
        for each in [status] if status else EVENT_STATUSES:
            items += self._query(limit, IndexName=LISTING_INDEX,
                                 KeyConditionExpression="listing_pk = :pk",
                                 ExpressionAttributeValues=_item(**{":pk": f"OUTBOX#{each}"}))
        items.sort(key=lambda item: _plain(item, "listing_sk"))
        return [_event(item) for item in items[:limit]]

    def requeue(self, event_id: str, now: str) -> bool:
        return self._update_event(
            event_id, "#status = :dead",
            {"status": "pending", "attempts": 0, "next_attempt_at": now,
             "listing_pk": "OUTBOX#pending", "due_pk": "DUE", "due_sk": f"{now}#{event_id}"},
            **{":dead": "dead"})


def _encode_cursor(item: dict[str, Any]) -> str:
    key = {name: item[name] for name in ("pk", "sk", "listing_pk", "listing_sk")}
    return base64.urlsafe_b64encode(_json(key).encode("utf-8")).decode("ascii")


def _decode_cursor(cursor: str, form_id: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        plain = {name: key[name]["S"] for name in ("pk", "sk", "listing_pk", "listing_sk")}
    except (ValueError, UnicodeError, binascii.Error, KeyError, TypeError) as error:
        raise InvalidCursor("the cursor is not one this store issued") from error
    if (len(key) != 4 or not all(isinstance(v, str) for v in plain.values())
            or plain["listing_pk"] != f"FORM#{form_id}" or plain["sk"] != "LATEST"):
        raise InvalidCursor("the cursor is not one this store issued for this form")
    return _item(**plain)


def table_definition(name: str, kms_key_id: str | None = None) -> dict[str, Any]:
    """The table as CloudFormation/SAM `AWS::DynamoDB::Table` Properties."""
    keys = [("pk", "sk"), ("listing_pk", "listing_sk"), ("due_pk", "due_sk")]
    schema = [[{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]
              for h, r in keys]
    sse = {"SSEEnabled": True, "SSEType": "KMS"} | ({"KMSMasterKeyId": kms_key_id}
                                                     if kms_key_id else {})
    return {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST", "KeySchema": schema[0],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"}
                                 for pair in keys for a in pair],
        "GlobalSecondaryIndexes": [
            {"IndexName": index, "KeySchema": schema[i], "Projection": {"ProjectionType": "ALL"}}
            for i, index in ((1, LISTING_INDEX), (2, DUE_INDEX))],
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": sse, "DeletionProtectionEnabled": True,
    }


def create_table(client: Any, name: str) -> None:
    """Create the table (on demand, both GSIs, TTL) and wait until it is active: for
    development and tests. Deployments use table_definition in the SAM template."""
    definition = table_definition(name)
    client.create_table(**{key: definition[key] for key in (
        "TableName", "BillingMode", "KeySchema", "AttributeDefinitions",
        "GlobalSecondaryIndexes")})
    client.get_waiter("table_exists").wait(TableName=name,
                                           WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "AttributeName": TTL_ATTRIBUTE, "Enabled": True})
