"""Finding work: the filters of GET /v1/cases, a listed case and its deadlines in plain
words, what is due for GET /v1/due, and the listing a case change writes (the parties,
the condition and the keyed terms of its person).

A case's deadlines are the ones its process wants now (deadlines.wanted_deadlines, as the
store's listing keeps them): a reminder already sent is still work due until the case
moves on. A deadline is overdue once its day has passed (England's date, passed in).

Pure: plain values in and out; the store, clock and secret are the caller's.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from ..contract import codes
from ..contract.protocol import Protocol
from ..store.base import CaseListing, CaseQuery, CaseState, Deadline, ListedCase
from .caseflow import Process
from .deadlines import wanted_deadlines
from .person import keyed, terms_of

PAGE_DEFAULT, PAGE_MOST = 25, 100        # cases on one page of GET /v1/cases
DUE_WITHIN_DAYS = 14                     # GET /v1/due: due within this many days, or overdue
DUE_MOST = 200                           # items GET /v1/due answers at most
WEEK_DAYS = 7                            # due=week
DUE_FILTERS = ("overdue", "week")
PARAMETERS = ("state", "condition", "due", "q", "cursor", "limit")


def deadline_label(process: Process, reason: str) -> str:
    """The deadline's `label:` from forms/process.yaml, else its id in words."""
    for definition in process.deadlines:
        if definition.get("id") == reason and definition.get("label"):
            return str(definition["label"])
    return reason.replace("_", " ").capitalize()


def due_json(process: Process, reason: str, due_on: str, event: str | None,
             today: datetime.date) -> dict[str, Any]:
    return {"id": reason, "label": deadline_label(process, reason), "due": due_on,
            "overdue": due_on < today.isoformat(), "notify": event}


def case_deadlines(process: Process, protocol: Protocol, case: CaseState,
                   today: datetime.date) -> list[dict[str, Any]]:
    """The deadlines the case wants now, soonest first, in plain words (case.deadlines)."""
    wanted = wanted_deadlines(process.deadlines, case, protocol.settings)
    return sorted((due_json(process, d.reason, d.due_on, d.event, today) for d in wanted),
                  key=lambda d: (d["due"], d["id"]))


def listed_deadlines(process: Process, row: ListedCase,
                     today: datetime.date) -> list[dict[str, Any]]:
    """A listed case's deadlines, soonest first."""
    return sorted((due_json(process, reason, held.get("due_on", ""), held.get("event"), today)
                   for reason, held in row.due.items()), key=lambda d: (d["due"], d["id"]))


def listed_json(process: Process, row: ListedCase, today: datetime.date,
                person: Mapping[str, str] | None) -> dict[str, Any]:
    """One case of GET /v1/cases."""
    due = listed_deadlines(process, row, today)
    next_due = ({k: due[0][k] for k in ("id", "label", "due", "overdue")} if due else None)
    return {"ref": row.case_ref, "state": row.state, "state_label": process.label(row.state),
            "closed": row.closed, "opened_at": row.opened_at, "updated_at": row.updated_at,
            "condition_type": row.condition_type, "next_due": next_due,
            "person": dict(person) if person else None}


def due_items(process: Process, rows: Iterable[ListedCase], today: datetime.date,
              upto: str) -> list[dict[str, Any]]:
    """Every deadline of these cases due on or before `upto`, soonest first (GET /v1/due;
    the caller adds each item's person)."""
    items = [{"case": row.case_ref, **item, "state_label": process.label(row.state)}
             for row in rows for item in listed_deadlines(process, row, today)
             if item["due"] <= upto]
    return sorted(items, key=lambda i: (i["due"], i["case"], i["id"]))


def due_upto(today: datetime.date) -> str:
    return (today + datetime.timedelta(days=DUE_WITHIN_DAYS)).isoformat()


def case_query(agency: str, params: Mapping[str, str], today: datetime.date,
               process: Process) -> tuple[CaseQuery, int] | list[dict[str, str]]:
    """(the store's query, the page size) from GET /v1/cases's query string, or the field
    errors. due=overdue: a deadline whose day has passed; due=week: one due within 7 days
    (or overdue)."""
    errors = []
    state = params.get("state") or None
    if state is not None and state not in process.states:
        errors.append(_error("state", codes.INVALID, "Choose a state of the case process"))
    due = params.get("due") or None
    due_by = None
    if due == "overdue":
        due_by = (today - datetime.timedelta(days=1)).isoformat()
    elif due == "week":
        due_by = (today + datetime.timedelta(days=WEEK_DAYS)).isoformat()
    elif due is not None:
        errors.append(_error("due", codes.INVALID, "due must be overdue or week"))
    limit_text = params.get("limit") or str(PAGE_DEFAULT)
    if not (limit_text.isascii() and limit_text.isdigit() and 1 <= int(limit_text) <= PAGE_MOST):
        errors.append(_error("limit", codes.TYPE,
                             f"limit must be a whole number from 1 to {PAGE_MOST}"))
    if errors:
        return errors
    return CaseQuery(agency, state, params.get("condition") or None, due_by), int(limit_text)


def listing_of(protocol: Protocol, case: CaseState, parties: Iterable[str],
               answers: Iterable[Mapping[str, Any]] | None, key: bytes) -> CaseListing:
    """The listing a case change writes: its parties, its condition, and (when `answers`,
    the latest answers of every record of the case, are given) its person's keyed terms."""
    terms = None if answers is None else tuple(sorted(keyed(key, t) for t in terms_of(answers)))
    condition = case.facts.get("condition_type")
    return CaseListing(tuple(sorted(parties)),
                       condition if isinstance(condition, str) else None, terms)


def wanted_of(process: Process, protocol: Protocol, case: CaseState) -> list[Deadline]:
    return wanted_deadlines(process.deadlines, case, protocol.settings)


def _error(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}
