"""The DynamoDB store's cases: items under CASE#<case_ref> (the case, its timeline, its
deadlines, its records), RECORD#<id>/CASE (one case per record) and, apart under
CASEINDEX#<case_ref>, the case's list rows and person terms: derived from the case and
rebuilt by its changes, the only case items ever deleted, so IAM can deny DeleteItem on
CASE#*. A change is items of one transaction; what it may do is decided in base.py, here
it is only written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..base import (
    AuditEntry,
    CaseChange,
    CaseEntry,
    CasePage,
    CaseQuery,
    CaseState,
    Deadline,
    FiredDeadline,
    ListedCase,
    OutboxEvent,
    StoreError,
    VersionConflict,
    case_cursor,
    case_position,
    check_change,
    check_fired,
    listed_matches,
    listing_rows,
    plan_deadlines,
    previous_version,
    require_positive,
    timeline_window,
)
from .audit import audit_item
from .dashboard import dashboard_writes
from .items import assignments, from_item, plain, to_item, typed, typed_value
from .outbox import event_item
from .table import DUE_INDEX, INDEXED, LISTING_INDEX, Table, Write

CASES_LISTING = "CASES"          # the listing index's partition of every case
DEADLINES_DUE = "DEADLINE"       # the due index's partition of pending deadlines
LISTED = "PARTY#"                # sk prefix and listing partition of an agency's list rows
DUE_FOR = "DUEFOR#"              # the due index's partition of an agency's due cases
TERM = "TERM#"                   # sk prefix and listing partition of a keyed person term


def case_items(table: Table, case_ref: str, prefix: str) -> list[dict[str, Any]]:
    """The items under CASE#<case_ref> whose sk starts with `prefix`, strongly consistent."""
    return table._query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)", ConsistentRead=True,
        ExpressionAttributeValues=typed(**{":pk": f"CASE#{case_ref}", ":prefix": prefix}))


def indexed_items(table: Table, case_ref: str) -> list[dict[str, Any]]:
    """The case's list rows and terms (all of CASEINDEX#<case_ref>), strongly consistent:
    one Query where the two kinds once took one each."""
    return table._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                        ExpressionAttributeValues=typed(**{":pk": f"{INDEXED}{case_ref}"}))


def case_writes(table: Table, change: CaseChange, committed: str | None = None) -> list[Write]:
    """The transaction items of a case change (`committed`: the record id written in the
    same transaction). Reads the case's deadlines first, strongly consistent, to write
    only those that change; a condition on each written one catches a sweep in between."""
    c, previous = change.case, previous_version(change.case.version)
    case = to_item(c, pk=f"CASE#{c.case_ref}", sk="CASE", type="case",
                   listing_pk=CASES_LISTING, listing_sk=c.case_ref)
    if previous is None:
        writes, held, before = [("case", table._put_new(case))], [], None
    else:
        writes = [("case", {"Put": {
            "TableName": table.table, "Item": case,
            "ConditionExpression": "#version = :previous",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":previous": typed_value(previous)}}})]
        stored = case_and_deadlines(table, c.case_ref)
        before = next((from_item(CaseState, i) for i in stored if plain(i, "sk") == "CASE"),
                      None)
        if before is None or before.version != previous:
            raise VersionConflict(f"case {c.case_ref} is not at version {previous}")
        held = [from_item(Deadline, i) for i in stored if plain(i, "sk") != "CASE"]
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
    indexed = [] if previous is None else indexed_items(table, c.case_ref)
    writes += listing_writes(table, change, opened=previous is None, held_items=indexed)
    return writes + dashboard_writes(table, before, change, indexed)


def case_and_deadlines(table: Table, case_ref: str) -> list[dict[str, Any]]:
    """The case item and its deadlines, in one strongly consistent Query: their sort keys
    `CASE` and `DEADLINE#...` come before every other kind's (`ENTRY#`, `RECORD#`)."""
    return table._query(
        KeyConditionExpression="pk = :pk AND sk BETWEEN :case AND :last", ConsistentRead=True,
        ExpressionAttributeValues=typed(**{":pk": f"CASE#{case_ref}", ":case": "CASE",
                                           ":last": "DEADLINE$"}))  # '#' < '$'



def listed_item(row: ListedCase) -> dict[str, Any]:
    """An agency's list row: in the listing index by change, in the due index (sparse) by
    its soonest deadline."""
    item = to_item(row, pk=f"{INDEXED}{row.case_ref}", sk=f"{LISTED}{row.agency}",
                   type="case_listed", listing_pk=f"{LISTED}{row.agency}",
                   listing_sk=f"{row.updated_at}#{row.case_ref}")
    if row.next_due is not None:
        item |= typed(due_pk=f"{DUE_FOR}{row.agency}", due_sk=f"{row.next_due}#{row.case_ref}")
    return item


def listing_writes(table: Table, change: CaseChange, *, opened: bool,
                   held_items: list[dict[str, Any]] | None = None) -> list[Write]:
    """The list rows put anew, those of agencies no longer party deleted, and (when the
    change gives them) the person's terms made the given set. `held_items`: the case's
    CASEINDEX# items if already read."""
    listing, ref = change.listing, change.case.case_ref
    if listing is None:
        return []
    rows, pk = listing_rows(change), f"{INDEXED}{ref}"
    if held_items is None and not opened:
        held_items = indexed_items(table, ref)
    held = {plain(item, "sk") for item in held_items or ()}
    keep = {f"{LISTED}{row.agency}" for row in rows}
    writes: list[Write] = [("other", {"Put": {"TableName": table.table,
                                              "Item": listed_item(row)}}) for row in rows]
    writes += [("other", {"Delete": {"TableName": table.table, "Key": typed(pk=pk, sk=sk)}})
               for sk in sorted(held) if sk.startswith(LISTED) and sk not in keep]
    if listing.terms is not None:
        had = {sk for sk in held if sk.startswith(TERM)}
        wanted = {f"{TERM}{term}" for term in listing.terms}
        writes += [("other", {"Put": {"TableName": table.table, "Item": typed(
            pk=pk, sk=sk, type="case_term", listing_pk=sk, listing_sk=ref)}})
            for sk in sorted(wanted - had)]
        writes += [("other", {"Delete": {"TableName": table.table, "Key": typed(
            pk=pk, sk=sk)}}) for sk in sorted(had - wanted)]
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

    def case_records_at(self, case_ref: str, start: int, limit: int) -> list[str]:
        """Every attachment read, then cut (a Query cannot start at a place)."""
        require_positive("limit", limit)
        return self.case_records(case_ref)[start:start + limit]

    def case_entries(self, case_ref: str) -> list[CaseEntry]:
        """Oldest first by `at`; entries of one moment by change, then place in the change."""
        return [from_item(CaseEntry, item) for item in case_items(self, case_ref, "ENTRY#")]

    def case_timeline(self, case_ref: str, before: int | None,
                      limit: int) -> tuple[int, int, list[CaseEntry]]:
        """The whole timeline read (one Query, paged), then cut: a DynamoDB Query cannot
        start at a place, so this read still grows with the case here."""
        entries = self.case_entries(case_ref)
        start, end = timeline_window(len(entries), before, limit)
        return start, len(entries), entries[start:end]

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

    # -- the case lists --------------------------------------------------------------------
    def list_cases(self, query: CaseQuery, limit: int,
                   cursor: str | None = None) -> CasePage:
        """A Query of the agency's partition of the listing index, newest first, the
        filters applied as the pages come (eventually consistent, like every GSI read)."""
        require_positive("limit", limit)
        arguments: dict[str, Any] = {
            "IndexName": LISTING_INDEX, "ScanIndexForward": False,
            "KeyConditionExpression": "listing_pk = :agency",
            "ExpressionAttributeValues": typed(**{":agency": f"{LISTED}{query.agency}"})}
        if cursor:
            updated_at, ref = case_position(cursor, query)
            arguments["ExclusiveStartKey"] = typed(
                pk=f"{INDEXED}{ref}", sk=f"{LISTED}{query.agency}",
                listing_pk=f"{LISTED}{query.agency}", listing_sk=f"{updated_at}#{ref}")
        rows: list[ListedCase] = []
        while len(rows) <= limit:
            page = self._call("query", **arguments, Limit=max(limit + 1, 25))
            rows += [row for row in (from_item(ListedCase, item) for item in page["Items"])
                     if listed_matches(row, query)]
            if "LastEvaluatedKey" not in page:
                break
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        more = len(rows) > limit
        return CasePage(rows[:limit], case_cursor(query, rows[limit - 1]) if more else None)

    def listed_cases(self, agency: str, case_refs: list[str]) -> list[ListedCase]:
        """BatchGetItem, 100 keys a call, strongly consistent; keys DynamoDB leaves
        unprocessed are asked again."""
        refs, found = list(dict.fromkeys(case_refs)), []
        for start in range(0, len(refs), 100):
            keys = [typed(pk=f"{INDEXED}{ref}", sk=f"{LISTED}{agency}")
                    for ref in refs[start:start + 100]]
            for _attempt in range(10):
                try:
                    answer = self.client.batch_get_item(RequestItems={
                        self.table: {"Keys": keys, "ConsistentRead": True}})
                except (ClientError, BotoCoreError) as error:
                    raise StoreError(f"dynamodb batch_get_item: {type(error).__name__}"
                                     ) from error
                found += answer.get("Responses", {}).get(self.table, [])
                keys = answer.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
                if not keys:
                    break
            else:
                raise StoreError("dynamodb batch_get_item: keys left unprocessed")
        rows = {plain(item, "case_ref"): from_item(ListedCase, item) for item in found}
        return [rows[ref] for ref in refs if ref in rows]

    def cases_with_term(self, term: str, limit: int) -> list[str]:
        require_positive("limit", limit)
        return [plain(item, "listing_sk") for item in self._query(
            limit, IndexName=LISTING_INDEX, KeyConditionExpression="listing_pk = :term",
            ExpressionAttributeValues=typed(**{":term": f"{TERM}{term}"}))]

    def due_cases(self, agency: str, upto: str, limit: int) -> list[ListedCase]:
        """A Query of the agency's partition of the sparse due index, soonest first."""
        require_positive("limit", limit)
        return [from_item(ListedCase, item) for item in self._query(
            limit, IndexName=DUE_INDEX, KeyConditionExpression="due_pk = :due AND due_sk < :upto",
            ExpressionAttributeValues=typed(**{":due": f"{DUE_FOR}{agency}",
                                               ":upto": upto + "$"}))]  # '#' < '$'

    def relist_case(self, change: CaseChange) -> None:
        writes = listing_writes(self, change, opened=False)
        if writes:
            self._transact(writes, f"the lists of case {change.case.case_ref}")
