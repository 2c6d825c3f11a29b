"""The DynamoDB store's DAT view items: counters of cases by condition, state and closed
(under DASHBOARD#COUNTS, spread over SHARDS items per key so that changes to different
cases seldom meet on one item) moved by UpdateItem ADD, and each open case's wanted
deadlines (`case_due` under CASEINDEX#<case_ref>, in the sparse `due` index by reason and
date). Both are written in the case change's own TransactWriteItems; both prefixes are
outside the IAM Deny on updating and deleting append-only items (docs/storage.md)."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from ..base import (
    CaseChange,
    CaseCount,
    CaseState,
    Deadline,
    count_key,
    outstanding_of,
    require_positive,
    to_json,
)
from .items import assignments, plain, typed
from .table import DUE_INDEX, INDEXED, Table, Write

COUNTS = "DASHBOARD#COUNTS"      # pk of the counters
SHARDS = 16                      # counter items per (condition, state, closed)
OUTSTANDING = "OUTSTANDING#"     # sk prefix (under CASEINDEX#<ref>) and due index partition


def shard_of(case_ref: str) -> int:
    return int(hashlib.sha256(case_ref.encode("utf-8")).hexdigest()[:8], 16) % SHARDS


def counter_update(table: Table, key: tuple[str, str, bool], shard: int,
                   delta: int) -> Write:
    condition, state, closed = key
    update = assignments({"type": "case_count", "condition": condition, "state": state,
                          "closed": int(closed)}, add={"cases": delta})
    sk = f"{shard:02d}#{to_json([condition, state, int(closed)])}"
    return ("other", {"Update": {"TableName": table.table, "Key": typed(pk=COUNTS, sk=sk),
                                 **update}})


def outstanding_item(deadline: Deadline) -> dict[str, Any]:
    d = deadline
    return typed(pk=f"{INDEXED}{d.case_ref}", sk=f"{OUTSTANDING}{d.reason}", type="case_due",
                 case_ref=d.case_ref, reason=d.reason, due_on=d.due_on, event=d.event,
                 due_pk=f"{OUTSTANDING}{d.reason}", due_sk=f"{d.due_on}#{d.case_ref}")


def dashboard_writes(table: Table, before: CaseState | None, change: CaseChange,
                     indexed: list[dict[str, Any]]) -> list[Write]:
    """The counters moved and the overdue rows made the wanted set; `indexed`: the items
    of CASEINDEX#<case_ref> as read before the change (none for a case just opened)."""
    ref = change.case.case_ref
    writes: list[Write] = []
    old, new = (None if before is None else count_key(before)), count_key(change.case)
    if old != new:
        if old is not None:
            writes.append(counter_update(table, old, shard_of(ref), -1))
        writes.append(counter_update(table, new, shard_of(ref), 1))
    return writes + outstanding_writes(table, ref, outstanding_of(change), indexed)


def outstanding_writes(table: Table, case_ref: str, wanted: list[Deadline],
                       indexed: list[dict[str, Any]]) -> list[Write]:
    held = {plain(item, "sk"): (plain(item, "due_on"), plain(item, "event"))
            for item in indexed if str(plain(item, "sk")).startswith(OUTSTANDING)}
    want = {f"{OUTSTANDING}{d.reason}": d for d in wanted}
    writes: list[Write] = [("other", {"Put": {"TableName": table.table,
                                              "Item": outstanding_item(d)}})
                           for sk, d in want.items() if held.get(sk) != (d.due_on, d.event)]
    writes += [("other", {"Delete": {"TableName": table.table,
                                     "Key": typed(pk=f"{INDEXED}{case_ref}", sk=sk)}})
               for sk in sorted(held) if sk not in want]
    return writes


class Dashboard(Table):
    def case_counts(self) -> list[CaseCount]:
        """One strongly consistent Query of the counters' partition, the shards summed."""
        total: Counter[tuple[str, str, bool]] = Counter()
        for item in self._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                                ExpressionAttributeValues=typed(**{":pk": COUNTS})):
            total[(plain(item, "condition"), plain(item, "state"),
                   bool(plain(item, "closed")))] += plain(item, "cases") or 0
        return [CaseCount(*key, n) for key, n in sorted(total.items()) if n]

    def overdue(self, reasons: list[str], before: str, limit: int) -> list[Deadline]:
        """One Query of the sparse `due` index per reason (eventually consistent), merged."""
        require_positive("limit", limit)
        found: list[Deadline] = []
        for reason in sorted(set(reasons)):
            found += [Deadline(plain(i, "case_ref"), plain(i, "reason"), plain(i, "due_on"),
                               plain(i, "event")) for i in self._query(
                limit, IndexName=DUE_INDEX,
                KeyConditionExpression="due_pk = :due AND due_sk < :before",
                ExpressionAttributeValues=typed(**{":due": f"{OUTSTANDING}{reason}",
                                                   ":before": before}))]
        return sorted(found, key=lambda d: (d.due_on, d.case_ref, d.reason))[:limit]

    def recount(self, counts: list[CaseCount]) -> None:
        """Every counter item put anew: the count in shard 0, the other shards zeroed."""
        wanted = {(c.condition, c.state, c.closed): c.cases for c in counts}
        held = {(plain(i, "condition"), plain(i, "state"), bool(plain(i, "closed")))
                for i in self._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                                     ExpressionAttributeValues=typed(**{":pk": COUNTS}))}
        for key in sorted(held | set(wanted)):
            for shard in range(SHARDS):
                condition, state, closed = key
                self._call("put_item", Item=typed(
                    pk=COUNTS, sk=f"{shard:02d}#{to_json([condition, state, int(closed)])}",
                    type="case_count", condition=condition, state=state, closed=int(closed),
                    cases=wanted.get(key, 0) if shard == 0 else 0))

    def reindex_outstanding(self, case_ref: str, deadlines: list[Deadline]) -> None:
        indexed = self._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                              ExpressionAttributeValues=typed(**{":pk": f"{INDEXED}{case_ref}"}))
        writes = outstanding_writes(self, case_ref, deadlines, indexed)
        if writes:
            self._transact(writes, f"the overdue rows of case {case_ref}")
