"""The DynamoDB store's cases: items under CASE#<case_ref> (the case, its timeline, its
deadlines, its records) and RECORD#<id>/CASE (one case per record). A change is items of
one transaction; what it may do is decided in base.py, here it is only written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..base import (
    AuditEntry,
    CaseChange,
    CaseEntry,
    CaseState,
    Deadline,
    FiredDeadline,
    OutboxEvent,
    VersionConflict,
    check_change,
    check_fired,
    plan_deadlines,
    previous_version,
    require_positive,
)
from .audit import audit_item
from .items import assignments, from_item, plain, to_item, typed, typed_value
from .outbox import event_item
from .table import DUE_INDEX, LISTING_INDEX, Table, Write

CASES_LISTING = "CASES"          # the listing index's partition of every case
DEADLINES_DUE = "DEADLINE"       # the due index's partition of pending deadlines


def case_items(table: Table, case_ref: str, prefix: str) -> list[dict[str, Any]]:
    """The items under CASE#<case_ref> whose sk starts with `prefix`, strongly consistent."""
    return table._query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)", ConsistentRead=True,
        ExpressionAttributeValues=typed(**{":pk": f"CASE#{case_ref}", ":prefix": prefix}))


def case_writes(table: Table, change: CaseChange, committed: str | None = None) -> list[Write]:
    """The transaction items of a case change (`committed`: the record id written in the
    same transaction). Reads the case's deadlines first, strongly consistent, to write
    only those that change; a condition on each written one catches a sweep in between."""
    c, previous = change.case, previous_version(change.case.version)
    case = to_item(c, pk=f"CASE#{c.case_ref}", sk="CASE", type="case",
                   listing_pk=CASES_LISTING, listing_sk=c.case_ref)
    if previous is None:
        writes, held = [("case", table._put_new(case))], []
    else:
        writes = [("case", {"Put": {
            "TableName": table.table, "Item": case,
            "ConditionExpression": "#version = :previous",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":previous": typed_value(previous)}}})]
        held = [from_item(Deadline, item) for item in case_items(table, c.case_ref, "DEADLINE#")]
    records = list(dict.fromkeys(change.record_ids))
    opened = {c.case_ref} if previous is None else set()
    for record_id in sorted((opened | set(records)) - {committed}):
        writes.append(("missing", {"ConditionCheck": {
            "TableName": table.table, "ConditionExpression": "attribute_exists(pk)",
            "Key": typed(pk=f"RECORD#{record_id}", sk="LATEST")}}))
    for position, record_id in enumerate(records):
        claim = assignments({"type": "record_case", "case_ref": c.case_ref})
        writes.append(("attached", {"Update": {
            "TableName": table.table, "Key": typed(pk=f"RECORD#{record_id}", sk="CASE"),
            "ConditionExpression": "attribute_not_exists(pk) OR #case_ref = :case_ref",
            **claim}}))
        writes.append(("other", {"Update": {
            "TableName": table.table, "Key": typed(pk=f"CASE#{c.case_ref}",
                                                   sk=f"RECORD#{record_id}"),
            "UpdateExpression": "SET #type = :type, #record_id = :record_id, "
                                "#attached = if_not_exists(#attached, :attached)",
            "ExpressionAttributeNames": {f"#{n}": n for n in ("type", "record_id", "attached")},
            "ExpressionAttributeValues": typed(**{
                ":type": "case_record", ":record_id": record_id,
                ":attached": f"{c.version:010d}#{position:04d}"})}}))
    writes += [("other", table._put_new(entry_item(entry, f"{c.version:010d}#{i:04d}")))
               for i, entry in enumerate(change.entries)]
    planned = plan_deadlines(held, change.deadlines)
    for wanted, seen in planned.put:
        put: dict[str, Any] = {"TableName": table.table, "Item": deadline_item(wanted),
                               "ConditionExpression": "attribute_not_exists(pk)"}
        if seen is not None:
            put |= {"ConditionExpression": "#status = :seen",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {":seen": typed_value(seen)}}
        writes.append(("deadline", {"Put": put}))
    writes += [("deadline", deadline_update(table, d, "cleared")) for d in planned.clear]
    return writes


def deadline_update(table: Table, deadline: Deadline, status: str,
                    **values: Any) -> dict[str, Any]:
    """Move a pending deadline to `status` (out of the due index), if still pending."""
    update = assignments({"status": status, **values}, ("due_pk", "due_sk"))
    update["ExpressionAttributeValues"][":pending"] = typed_value("pending")
    return {"Update": {"TableName": table.table, **update,
                       "ConditionExpression": "#status = :pending",
                       "Key": typed(pk=f"CASE#{deadline.case_ref}",
                                    sk=f"DEADLINE#{deadline.reason}")}}


def deadline_item(deadline: Deadline) -> dict[str, Any]:
    d = deadline
    item = to_item(d, pk=f"CASE#{d.case_ref}", sk=f"DEADLINE#{d.reason}", type="deadline")
    if d.status == "pending":
        item |= typed(due_pk=DEADLINES_DUE, due_sk=f"{d.due_on}#{d.case_ref}#{d.reason}")
    return item


def entry_item(entry: CaseEntry, order: str) -> dict[str, Any]:
    """sk ENTRY#<at>#<order>: by time, then by the change (its case version) and place."""
    return to_item(entry, pk=f"CASE#{entry.case_ref}", sk=f"ENTRY#{entry.at}#{order}",
                   type="case_entry")


class Cases(Table):
    def change_case(self, change: CaseChange, audit: AuditEntry,
                    events: list[OutboxEvent]) -> None:
        check_change(change)
        writes = case_writes(self, change)
        writes.append(("other", self._put_new(audit_item(audit))))
        writes += [("other", self._put_new(event_item(event))) for event in events]
        self._transact(writes, f"case {change.case.case_ref}")

    def get_case(self, case_ref: str) -> CaseState | None:
        found = self._call("get_item", Key=typed(pk=f"CASE#{case_ref}", sk="CASE"),
                           ConsistentRead=True).get("Item")
        return from_item(CaseState, found) if found else None

    def case_of_record(self, record_id: str) -> str | None:
        found = self._call("get_item", Key=typed(pk=f"RECORD#{record_id}", sk="CASE"),
                           ConsistentRead=True).get("Item")
        return plain(found, "case_ref") if found else None

    def case_records(self, case_ref: str) -> list[str]:
        items = sorted(case_items(self, case_ref, "RECORD#"),
                       key=lambda item: plain(item, "attached"))
        return [plain(item, "record_id") for item in items]

    def case_entries(self, case_ref: str) -> list[CaseEntry]:
        """Oldest first by `at`; entries of one moment by change, then place in the change."""
        return [from_item(CaseEntry, item) for item in case_items(self, case_ref, "ENTRY#")]

    def case_deadlines(self, case_ref: str) -> list[Deadline]:
        """Every deadline of the case, whatever its status, by reason."""
        return [from_item(Deadline, item) for item in case_items(self, case_ref, "DEADLINE#")]

    def iter_cases(self, batch: int = 500) -> Iterator[CaseState]:
        """A Query of the `CASES` partition of the listing index, `batch` items a page
        (eventually consistent, like every GSI read); no Scan of the whole table."""
        require_positive("batch", batch)
        arguments: dict[str, Any] = {
            "IndexName": LISTING_INDEX, "KeyConditionExpression": "listing_pk = :cases",
            "ExpressionAttributeValues": typed(**{":cases": CASES_LISTING}), "Limit": batch}
        while True:
            page = self._call("query", **arguments)
            yield from (from_item(CaseState, item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def due_deadlines(self, today: str, limit: int) -> list[Deadline]:
        """By due date, then case and reason: a Query of the `DEADLINE` partition of the
        sparse `due` index (eventually consistent; fire_deadlines decides for real)."""
        require_positive("limit", limit)
        return [from_item(Deadline, item) for item in self._query(
            limit, IndexName=DUE_INDEX, KeyConditionExpression="due_pk = :due AND due_sk < :upto",
            ExpressionAttributeValues=typed(**{":due": DEADLINES_DUE,
                                               ":upto": today + "$"}))]  # '#' < '$'

    def fire_deadlines(self, fired: list[FiredDeadline], now: str) -> list[tuple[str, str]]:
        """One transaction per deadline. A failure other than a lost race raises StoreError;
        the deadlines fired before it stay fired (a later sweep skips them)."""
        check_fired(fired)
        done: list[tuple[str, str]] = []
        for each in fired:
            d = each.deadline
            writes = [("deadline", deadline_update(self, d, "fired", fired_at=now)),
                      ("other", self._put_new(entry_item(each.entry, f"F#{d.reason}")))]
            writes += [("other", self._put_new(event_item(event))) for event in each.events]
            try:
                self._transact(writes, f"deadline {d.reason} of case {d.case_ref}")
            except VersionConflict:
                continue  # fired or cleared meanwhile
            done.append((d.case_ref, d.reason))
        return done
