"""The storage interface: records with every version, an append-only audit log, the
notification outbox and idempotency keys. Two real backends implement it: sqlite.py (one
machine) and dynamodb.py (AWS); tests/functional/test_store_contract.py holds both to it.

Pure: dataclasses and a Protocol; no I/O here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


class StoreError(Exception):
    """A storage failure the caller cannot fix (the request fails with 503, nothing kept)."""


class VersionConflict(StoreError):
    """The record version already exists: another amendment won the race."""


class InvalidCursor(StoreError):
    """A list cursor this store did not issue (or issued for another form): a 400, not a 503."""


@dataclass(frozen=True)
class RecordVersion:
    """One version of a record. Version 1 is the submission; each amendment adds one."""

    record_id: str
    version: int
    form_id: str
    form_version: str
    data: dict[str, Any]
    created_at: str            # ISO 8601 UTC, e.g. 2026-11-25T10:30:00.123456Z
    created_by: str            # user id (the token's subject)
    agency: str                # the creator's agency id
    reason: str | None = None  # why it was amended (None for version 1)


@dataclass(frozen=True)
class AuditEntry:
    """Who did what, when and why. Never holds submitted values."""

    at: str
    actor: str
    role: str
    agency: str
    action: str                # submit, amend, read, list, dead_letter_list, dead_letter_retry...
    target: str                # a record id, a form id, an event id
    reason: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class OutboxEvent:
    """A notification waiting to be delivered (or delivered, or dead-lettered)."""

    event_id: str
    record_id: str
    event: str                 # e.g. submitted, amended
    form_id: str
    channel: str               # a channel name: file, ses, sns
    recipient: dict[str, Any]  # {agency, name, email?, topic?}
    payload: dict[str, Any]    # what the message may carry (reference, link, allowed fields)
    created_at: str
    status: str = "pending"    # pending | sent | dead
    attempts: int = 0
    next_attempt_at: str = ""  # ISO UTC; due when <= now
    last_error: str | None = None
    sent_at: str | None = None


@dataclass(frozen=True)
class CaseState:
    """One case: opened by the record named `case_ref` (an MG14), moved by transitions.

    `facts` holds what deadlines, guards and the DAT view need (dates, codes, flags taken
    from the attached records); never names or free text. `version` starts at 1 and goes up
    by one with every change, so two changes made at once cannot both land.
    """

    case_ref: str
    process: str
    state: str
    version: int
    opened_at: str
    updated_at: str
    facts: dict[str, Any] = field(default_factory=dict)
    closed: bool = False       # the state is terminal


@dataclass(frozen=True)
class CaseEntry:
    """One line of a case's timeline. `detail` holds ids and codes, never answers."""

    case_ref: str
    at: str
    kind: str                  # form | transition | notification | disclosure | appointment |
                               # reminder | consent
    ref: str                   # the record, transition, event or disclosure id
    actor: str                 # a user id, or "system" for the sweep
    agency: str                # the actor's agency ("system" for the sweep)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Deadline:
    """A dated reason to tell someone something about a case, fired at most once.

    The key is (case_ref, reason). status: pending (waiting for due_on), fired (its events
    were emitted; it never fires again, even if recomputed), cleared (no longer needed).
    """

    case_ref: str
    reason: str                # a deadline id from forms/process.yaml, e.g. comply_by_passed
    due_on: str                # YYYY-MM-DD (England and Wales local date)
    event: str                 # the notification event it raises, e.g. N10
    status: str = "pending"
    fired_at: str | None = None


@dataclass(frozen=True)
class CaseChange:
    """What one request does to one case, committed with it or not at all.

    `case` is the case after the change: version 1 opens it (it must not exist yet); any
    other version must be exactly one more than the stored one, else VersionConflict.
    `deadlines` is the whole wanted set of pending deadlines for the case: each is
    inserted or its due date updated, unless that (case_ref, reason) already fired; the
    case's pending deadlines not in the set become cleared.
    """

    case: CaseState
    entries: list[CaseEntry] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)  # records attached by this change


@dataclass(frozen=True)
class FiredDeadline:
    """A due deadline, its notification events and its timeline line, for `fire_deadlines`."""

    deadline: Deadline
    events: list[OutboxEvent]
    entry: CaseEntry


def check_change(change: CaseChange) -> None:
    """ValueError for a change that cannot be meant: parts of another case, a reason wanted
    twice, a wanted deadline that is not pending or whose date is not YYYY-MM-DD."""
    ref = change.case.case_ref
    if change.case.version < 1:
        raise ValueError("a case version starts at 1")
    if any(part.case_ref != ref for part in (*change.entries, *change.deadlines)):
        raise ValueError(f"an entry or deadline of the change is not for case {ref}")
    reasons = [d.reason for d in change.deadlines]
    if len(set(reasons)) != len(reasons):
        raise ValueError("a deadline reason is wanted twice")
    for d in change.deadlines:
        if d.status != "pending" or len(d.due_on) != 10:
            raise ValueError(f"deadline {d.reason} must be pending with a YYYY-MM-DD date")
        datetime.date.fromisoformat(d.due_on)


def check_fired(fired: list[FiredDeadline]) -> None:
    """ValueError when a fired deadline's timeline entry is for another case."""
    if any(f.entry.case_ref != f.deadline.case_ref for f in fired):
        raise ValueError("a fired deadline's timeline entry is for another case")


@dataclass(frozen=True)
class IdempotencyClaim:
    """The outcome of claiming an Idempotency-Key for a request.

    outcome: 'new' (go ahead), 'replay' (return `response`), 'in_flight' (409),
    'mismatch' (the key was used with a different body: 422).
    """

    outcome: str
    response: dict[str, Any] | None = None


@dataclass(frozen=True)
class Page:
    items: list[RecordVersion]
    cursor: str | None         # pass back to get the next page; None: no more


@dataclass(frozen=True)
class Completion:
    """What marks an idempotency key done, in the same transaction as the record."""

    actor: str
    key: str
    response: dict[str, Any] = field(default_factory=dict)
    fingerprint: str | None = None  # when given, the claim must also have this fingerprint


class Store(Protocol):
    """Every method is one atomic step; a method that raises has changed nothing."""

    # -- idempotency (keys are scoped to the actor; kept at least `ttl_seconds`) --------
    def claim_key(self, actor: str, key: str, fingerprint: str, now: str,
                  ttl_seconds: int) -> IdempotencyClaim: ...

    def release_key(self, actor: str, key: str) -> None: ...

    # -- records: version, audit entry, outbox events and key completion in ONE transaction
    def commit(self, version: RecordVersion, audit: AuditEntry, events: list[OutboxEvent],
               completion: Completion | None = None,
               case_change: CaseChange | None = None) -> None:
        """Also applies `case_change` (opening or moving a case, attaching the record) in
        the same transaction; VersionConflict if the case moved meanwhile."""

    def get_version(self, record_id: str, version: int | None = None) -> RecordVersion | None:
        """The given version, or the latest when version is None."""

    def list_versions(self, record_id: str) -> list[RecordVersion]: ...

    def list_records(self, form_id: str, limit: int, cursor: str | None = None) -> Page:
        """The latest version of each record of a form, newest record first."""

    # -- cases ----------------------------------------------------------------------------
    def change_case(self, change: CaseChange, audit: AuditEntry,
                    events: list[OutboxEvent]) -> None:
        """A change to a case with no new record (a transition, a disclosure, an
        appointment): case, entries, deadlines, audit and events in one transaction."""

    def get_case(self, case_ref: str) -> CaseState | None: ...

    def case_of_record(self, record_id: str) -> str | None:
        """The case a record is attached to (the case's own MG14 included), or None."""

    def case_records(self, case_ref: str) -> list[str]:
        """The ids of the records attached to a case, in the order they were attached."""

    def case_entries(self, case_ref: str) -> list[CaseEntry]:
        """The case's timeline, oldest first."""

    def case_deadlines(self, case_ref: str) -> list[Deadline]: ...

    def iter_cases(self, batch: int = 500) -> Iterator[CaseState]:
        """Every case (for the DAT view), in no particular order."""

    def due_deadlines(self, today: str, limit: int) -> list[Deadline]:
        """Pending deadlines with due_on <= today, earliest first. Its cost grows with the
        number due, not the number of open cases (an index on status and due date)."""

    def fire_deadlines(self, fired: list[FiredDeadline], now: str) -> list[tuple[str, str]]:
        """Mark each still-pending deadline fired and add its events and timeline entry,
        each deadline atomically; returns the (case_ref, reason) pairs that fired. A
        deadline already fired or cleared (by another sweep, or a change) is skipped."""

    # -- audit (append-only: there is no update or delete) ------------------------------
    def append_audit(self, entry: AuditEntry) -> None: ...

    def list_audit(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]: ...

    # -- outbox ---------------------------------------------------------------------------
    def due_events(self, now: str, limit: int) -> list[OutboxEvent]: ...

    def lease_event(self, event_id: str, now: str, until: str) -> bool:
        """Take a due pending event for one delivery attempt: it is not due again before
        `until`. False when another dispatcher took it first (or it is no longer due)."""

    def mark_sent(self, event_id: str, now: str) -> None: ...

    def mark_failed(self, event_id: str, error: str, next_attempt_at: str | None) -> None:
        """Count a failed attempt; next_attempt_at None moves the event to dead."""

    def list_events(self, status: str | None = None, limit: int = 100) -> list[OutboxEvent]: ...

    def requeue(self, event_id: str, now: str) -> bool:
        """A dead event goes back to pending (attempts reset); False if it is not dead."""
