"""The DAT view: stored cases, overdue deadlines and dead letters -> counts and lists, and
the same as CSV. Only codes, counts, dates and references ever leave here: a case's facts
are read for its condition type alone, and an unknown value is counted, never shown.

Pure: plain values in, a dict or text out; no store, clock or file.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Set
from typing import Any

from ..store.base import CaseCount, CaseState, Deadline, OutboxEvent, count_key

#: The DIP conditions (forms/codelists/dip_condition_type.yaml; a unit test holds these
#: labels to that file), then cases whose condition is not recorded or not one of them.
CONDITION_TYPES: dict[str, str] = {
    "one_session": "One session condition",
    "two_session": "Two session condition",
    "three_session": "Three session condition",
}
UNKNOWN = "unknown"
UNKNOWN_LABEL = "Not recorded"
CONDITION_FACT = "condition_type"
#: Every open state counts as one outcome; terminal states are outcomes of their own.
OPEN = "open"
OPEN_LABEL = "Open"
#: A closed case in a state the process no longer lists (the process file changed).
OTHER = "other_closed"
OTHER_LABEL = "Closed in a state no longer in the process"
TABLES = ("counts", "overdue", "dead")
#: Formula-injection guard: a cell starting with one of these is prefixed with ' (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ERROR_KIND = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def summarise(cases: Iterable[CaseState], overdue: Iterable[Deadline],
              dead: Iterable[OutboxEvent], process: Mapping[str, Any], today: str, *,
              case_of_record: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The DAT view for `today` (YYYY-MM-DD). `process` is generated/process.json;
    `overdue` may hold any deadlines (only pending ones due before today count);
    `case_of_record` names the case of a dead letter's record where it is known."""
    tally: Counter[tuple[str, str, bool]] = Counter()
    case_refs: set[str] = set()
    for case in cases:
        case_refs.add(case.case_ref)
        tally[count_key(case)] += 1
    return summarise_counts([CaseCount(*key, n) for key, n in tally.items()], overdue, dead,
                            process, today, case_of_record=case_of_record,
                            case_refs=case_refs)


def summarise_counts(counts: Iterable[CaseCount], overdue: Iterable[Deadline],
                     dead: Iterable[OutboxEvent], process: Mapping[str, Any], today: str, *,
                     case_of_record: Mapping[str, str] | None = None,
                     case_refs: Set[str] = frozenset()) -> dict[str, Any]:
    """The DAT view from the store's kept counts (as `summarise` counts the cases):
    `case_refs` holds the dead letters' record ids that are cases."""
    states = {s["id"]: s for s in process.get("states") or ()}
    terminal = [s for s in process.get("states") or () if s.get("terminal")]
    terminal_ids = {s["id"] for s in terminal}
    table: dict[str, Counter[str]] = {code: Counter() for code in (*CONDITION_TYPES, UNKNOWN)}
    for count in counts:
        outcome = (count.state if count.state in terminal_ids
                   else OTHER if count.closed and count.state not in states else OPEN)
        condition = count.condition if count.condition in CONDITION_TYPES else UNKNOWN
        table[condition][outcome] += count.cases
    outcomes = [{"id": OPEN, "label": OPEN_LABEL}] + [
        {"id": s["id"], "label": s.get("label") or s["id"]} for s in terminal]
    if any(row[OTHER] for row in table.values()):
        outcomes.append({"id": OTHER, "label": OTHER_LABEL})
    ids = [o["id"] for o in outcomes]
    rows = [{"condition_type": code, "label": CONDITION_TYPES.get(code, UNKNOWN_LABEL),
             "counts": {i: table[code][i] for i in ids}, "total": sum(table[code].values())}
            for code in table]
    column_totals = {i: sum(r["counts"][i] for r in rows) for i in ids}
    total = sum(column_totals.values())
    return {
        "today": today,
        "totals": {"cases": total, "open": column_totals[OPEN],
                   "closed": total - column_totals[OPEN]},
        "counts": {"outcomes": outcomes, "rows": rows, "totals": column_totals},
        "overdue": _overdue(overdue, today, _deadline_labels(process)),
        "dead_letters": _dead(dead, case_refs, case_of_record or {}),
    }


def _deadline_labels(process: Mapping[str, Any]) -> dict[str, str]:
    """Deadline id -> label, where the process file gives one (else the id is shown)."""
    found = {}
    for entry in process.get("deadlines") or ():
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            label = entry.get("label")
            found[entry["id"]] = label if isinstance(label, str) and label else entry["id"]
    return found


def _overdue(deadlines: Iterable[Deadline], today: str,
             labels: Mapping[str, str]) -> dict[str, Any]:
    day = datetime.date.fromisoformat(today)
    items = sorted((d for d in deadlines if d.status == "pending" and d.due_on < today),
                   key=lambda d: (d.due_on, d.case_ref, d.reason))
    by_reason = Counter(d.reason for d in items)
    return {
        "count": len(items),
        "by_reason": [{"reason": r, "label": labels.get(r, r), "count": n}
                      for r, n in sorted(by_reason.items())],
        "items": [{"case_ref": d.case_ref, "reason": d.reason, "event": d.event,
                   "due_on": d.due_on,
                   "days_overdue": (day - datetime.date.fromisoformat(d.due_on)).days}
                  for d in items],
    }


def _dead(events: Iterable[OutboxEvent], case_refs: Set[str],
          case_of_record: Mapping[str, str]) -> dict[str, Any]:
    """Dead letters without their recipient's name or address and without the payload:
    which event, about which record or case, to which agency, and what kind of failure."""
    items = sorted((e for e in events if e.status == "dead"),
                   key=lambda e: (e.created_at, e.event_id))
    by_event = Counter(e.event for e in items)
    return {
        "count": len(items),
        "by_event": [{"event": ev, "count": n} for ev, n in sorted(by_event.items())],
        "items": [{"event_id": e.event_id, "event": e.event, "record_id": e.record_id,
                   "case_ref": case_of_record.get(e.record_id)
                   or (e.record_id if e.record_id in case_refs else None),
                   "form_id": e.form_id, "channel": e.channel,
                   "agency": e.recipient.get("agency"), "attempts": e.attempts,
                   "error": error_kind(e.last_error), "created_at": e.created_at}
                  for e in items],
    }


def error_kind(last_error: str | None) -> str | None:
    """The kind of the last failure (`DeliveryFailed`, `Undeliverable`, `TimeoutError`):
    the exception's name outbox.py put first, without the words after it."""
    if not last_error:
        return None
    head = last_error.split(":", 1)[0].strip()
    return head if _ERROR_KIND.fullmatch(head) else "error"


# --- CSV ---------------------------------------------------------------------------------

def to_csv(summary: Mapping[str, Any], table: str = "counts") -> str:
    """One table of the summary as RFC 4180 CSV (CRLF, a header row): `counts` (condition
    type by outcome, with a total row), `overdue` or `dead`."""
    if table not in TABLES:
        raise ValueError(f"table must be one of {TABLES}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _rows(summary, table):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _rows(summary: Mapping[str, Any], table: str) -> list[list[Any]]:
    if table == "counts":
        counts = summary["counts"]
        ids = [o["id"] for o in counts["outcomes"]]
        rows: list[list[Any]] = [["condition_type", "condition", *ids, "total"]]
        rows += [[r["condition_type"], r["label"], *(r["counts"][i] for i in ids), r["total"]]
                 for r in counts["rows"]]
        rows.append(["all", "All conditions", *(counts["totals"][i] for i in ids),
                     summary["totals"]["cases"]])
        return rows
    if table == "overdue":
        keys = ["case_ref", "reason", "event", "due_on", "days_overdue"]
        return [keys] + [[item[k] for k in keys] for item in summary["overdue"]["items"]]
    keys = ["event_id", "event", "record_id", "case_ref", "form_id", "channel", "agency",
            "attempts", "error", "created_at"]
    return [keys] + [[item[k] for k in keys] for item in summary["dead_letters"]["items"]]


def _cell(value: Any) -> Any:
    """A value as a CSV cell; text a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_START) else text
    return value
