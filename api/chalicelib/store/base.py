"""The storage interface: records with every version, an append-only audit log, the
notification outbox, idempotency keys and cases. Two real backends implement it: sqlite/ (one
machine) and dynamodb/ (AWS); tests/functional/test_store_contract.py holds both to it.

Also what both decide alike: idempotency outcomes, version and deadline rules, stored
columns, listing cursors. Pure: dataclasses, a Protocol and functions; no I/O here.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, Protocol, TypeVar, get_origin, get_type_hints

Stored = TypeVar("Stored")  # one of the dataclasses below, as a backend reads it back


class StoreError(Exception):
    """A storage failure the caller cannot fix (the request fails with 503, nothing kept)."""


class VersionConflict(StoreError):
    """The record version already exists: another amendment won the race."""


class InvalidCursor(StoreError):
    """A list cursor this store did not issue (or issued for another form): a 400, not a 503."""


class KeyHeld(StoreError):
    """A commit that claims its idempotency key found it held: nothing was written. `claim`
    says how (replay, with the stored response; mismatch; in_flight)."""

    def __init__(self, claim: IdempotencyClaim) -> None:
        super().__init__(f"the idempotency key is held ({claim.outcome})")
        self.claim = claim


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
    """Who did what, when, to what, and where the why is kept. Never holds submitted values.

    `reason_ref` points at the reason instead of copying it: a record version
    (`<record id>@v<n>`, whose `reason` it is), a step or fact id. `reason` is free text
    that entries written before reason_ref may hold; the audit route never answers it.
    """

    at: str
    actor: str
    role: str
    agency: str
    action: str                # submit, amend, read, case_read, list, dashboard_export...
    target: str                # a record id, a case ref, a form id, an event id
    reason: str | None = None
    request_id: str | None = None
    reason_ref: str | None = None


@dataclass(frozen=True)
class AuditQuery:
    """Which audit entries to page through; every filter given must hold. `case`: entries
    about the case or any record attached to it; `actor`: a user id; `since` (inclusive)
    and `before` (exclusive): stored timestamps (UTC, as `sortable` writes them)."""

    case: str | None = None
    actor: str | None = None
    since: str | None = None
    before: str | None = None


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEntry]
    cursor: str | None         # pass back with the same query for the next page; None: no more


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
    #: what the case lists and searches read of the case after it (None: unchanged)
    listing: CaseListing | None = None


@dataclass(frozen=True)
class CaseListing:
    """What GET /v1/cases and /v1/due read of a case, written in the same transaction as
    each change to it, so no list reads every case. `parties`: the agencies that list it
    (ALL_CASES, the DAT's view of every case, is added by the store). `terms`: the keyed
    hashes (HMAC) of what identifies its person, never the words themselves; None leaves
    the stored ones as they are (a change that adds no record)."""

    parties: tuple[str, ...]
    condition_type: str | None = None
    terms: tuple[str, ...] | None = None


ALL_CASES = "*"   # the listing of every case, whoever is party to it (the DAT's)


@dataclass(frozen=True)
class ListedCase:
    """One case as one agency's list holds it. `due`: reason -> {due_on, event} of every
    deadline the case wants now (fired or not: a reminder sent is still work due);
    `next_due` the soonest of them."""

    agency: str
    case_ref: str
    state: str
    closed: bool
    opened_at: str
    updated_at: str
    condition_type: str | None = None
    next_due: str | None = None
    due: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseQuery:
    """Which of an agency's listed cases to page through, newest change first; every
    filter given must hold. `due_by`: a deadline due on or before this date."""

    agency: str
    state: str | None = None
    condition_type: str | None = None
    due_by: str | None = None


@dataclass(frozen=True)
class CasePage:
    items: list[ListedCase]
    cursor: str | None         # pass back with the same query for the next page


@dataclass(frozen=True)
class CaseCount:
    """How many cases are in one state with one condition, kept by every change so the DAT
    view counts without reading the cases. `condition`: the case's condition_type fact as
    stored (text of at most 64 characters, else ""); the view maps it to its codes."""

    condition: str
    state: str
    closed: bool
    cases: int


def count_key(case: CaseState) -> tuple[str, str, bool]:
    """The (condition, state, closed) a case is counted under."""
    value = case.facts.get("condition_type")
    condition = value if isinstance(value, str) and len(value) <= 64 else ""
    return condition, case.state, case.closed


def outstanding_of(change: CaseChange) -> list[Deadline]:
    """The deadlines the DAT view may list as overdue once their date passes: every one an
    open case wants (fired or not: a reminder sent is still not done); none of a closed one.
    The view picks the reasons that count (those without a `lead`) and the dates before
    today when it reads, so the rows stay right as the days pass without a write."""
    if change.case.closed:
        return []
    return [Deadline(d.case_ref, d.reason, d.due_on, d.event) for d in change.deadlines]


@dataclass(frozen=True)
class FiredDeadline:
    """A due deadline, its notification events and its timeline line, for `fire_deadlines`."""

    deadline: Deadline
    events: list[OutboxEvent]
    entry: CaseEntry


@dataclass(frozen=True)
class IdempotencyClaim:
    """The outcome of claiming an Idempotency-Key for a request.

    outcome: 'new' (go ahead), 'replay' (return `response`), 'in_flight' (409),
    'mismatch' (the key was used with a different body: 422).
    """

    outcome: str
    response: dict[str, Any] | None = None
    #: 'new' only: names this claim, so that only its own request completes or releases it
    #: (a request still running after its lease was taken over cannot)
    claim_id: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Page:
    items: list[RecordVersion]
    cursor: str | None         # pass back to get the next page; None: no more


@dataclass(frozen=True)
class Completion:
    """What marks an idempotency key done, in the same transaction as the record.

    With `now` (and `ttl_seconds`), the commit claims the key itself, so a submission is one
    write: the key must be free, expired or in flight past its lease at `now`, else KeyHeld
    and nothing is written; it is kept done until `now + ttl_seconds`. Without `now`, the
    key must be in flight from an earlier claim_key (the fingerprint and claim_id checks)."""

    actor: str
    key: str
    response: dict[str, Any] = field(default_factory=dict)
    fingerprint: str | None = None  # when given, the claim must also have this fingerprint
    claim_id: str | None = None     # when given, the claim must still be this one
    now: str | None = None          # when given, claimed here (needs fingerprint and ttl)
    ttl_seconds: int | None = None

    def __post_init__(self) -> None:
        if self.now is not None and (self.fingerprint is None or self.ttl_seconds is None):
            raise ValueError("a completion that claims its key needs fingerprint and ttl")


class Store(Protocol):
    """Every method is one atomic step; a method that raises has changed nothing."""

    # -- idempotency (keys are scoped to the actor; kept at least `ttl_seconds`) --------
    def claim_key(self, actor: str, key: str, fingerprint: str, now: str,
                  ttl_seconds: int, lease_seconds: int | None = None) -> IdempotencyClaim:
        """A claim still in flight `lease_seconds` after `now` (its process died, having
        stored nothing) is taken over by the next claim of the key, as if it were free; a
        done key is kept `ttl_seconds`. None: an in-flight claim also holds `ttl_seconds`."""

    def release_key(self, actor: str, key: str, claim_id: str | None = None) -> None:
        """Free an in-flight key (its request stored nothing); given `claim_id`, only while
        that claim holds it."""

    def peek_key(self, actor: str, key: str, fingerprint: str,
                 now: str) -> IdempotencyClaim | None:
        """Read only: how a claim of the key at `now` would be held (replay, mismatch,
        in_flight), or None when a claim would be new. A commit claiming the key decides."""

    # -- records: version, audit entry, outbox events and key completion in ONE transaction
    def commit(self, version: RecordVersion, audit: AuditEntry, events: list[OutboxEvent],
               completion: Completion | None = None,
               case_change: CaseChange | None = None) -> None:
        """Also applies `case_change` (opening or moving a case, attaching the record) in
        the same transaction; VersionConflict if the case moved meanwhile."""

    def get_version(self, record_id: str, version: int | None = None) -> RecordVersion | None:
        """The given version, or the latest when version is None."""

    def list_versions(self, record_id: str) -> list[RecordVersion]: ...

    def get_latest_versions(self, record_ids: list[str]) -> dict[str, RecordVersion]:
        """The latest version of each record there is, by id, in a few reads (not one per
        record); ids with no record are left out."""

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

    def case_records_at(self, case_ref: str, start: int, limit: int) -> list[str]:
        """case_records(case_ref)[start:start + limit], without reading the rest."""

    def case_entries(self, case_ref: str) -> list[CaseEntry]:
        """The case's timeline, oldest first."""

    def case_timeline(self, case_ref: str, before: int | None,
                      limit: int) -> tuple[int, int, list[CaseEntry]]:
        """(start, total, entries): the entries of the case's timeline (case_entries' order,
        places counted from 0) from place `start` up to `before` (None: to the end), the
        last `limit` of them, oldest first (timeline_window), and how many entries the
        whole timeline holds, read as one consistent whole."""

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

    # -- the case lists (written with each change: CaseChange.listing) -----------------
    def list_cases(self, query: CaseQuery, limit: int,
                   cursor: str | None = None) -> CasePage:
        """A page of the agency's listed cases, newest change first; InvalidCursor for a
        cursor not issued for this query."""

    def listed_cases(self, agency: str, case_refs: list[str]) -> list[ListedCase]:
        """The agency's listing of each of these cases it has (others are left out)."""

    def cases_with_term(self, term: str, limit: int) -> list[str]:
        """The cases whose person has this keyed term, at most `limit`."""

    def due_cases(self, agency: str, upto: str, limit: int) -> list[ListedCase]:
        """The agency's listed cases with a deadline due on or before `upto`, soonest
        first (its cost grows with the number due, not the number of cases)."""

    def relist_case(self, change: CaseChange) -> None:
        """Write only the listing of `change` (its case as stored): for a case opened
        before the lists existed. Nothing else of the case changes."""

    # -- the DAT view's counts and overdue rows (written with each change) ---------------
    def case_counts(self) -> list[CaseCount]:
        """The cases counted by condition, state and closed (counts of 0 may be left out)."""

    def overdue(self, reasons: list[str], before: str, limit: int) -> list[Deadline]:
        """Of the open cases' wanted deadlines (`outstanding_of`) with one of `reasons`,
        those due before `before`, by due date, case and reason, at most `limit`: read
        through an index by reason and date (its cost follows the number read)."""

    def recount(self, counts: list[CaseCount]) -> None:
        """Make the stored counts exactly `counts` (for a store made before they existed)."""

    def reindex_outstanding(self, case_ref: str, deadlines: list[Deadline]) -> None:
        """Make a case's overdue rows exactly `deadlines` (for a store made before them)."""

    # -- audit (append-only: there is no update or delete) ------------------------------
    def append_audit(self, entry: AuditEntry, durable: bool = True) -> None:
        """`durable=False`: an entry of a read that was answered (a list, a record or case
        shown), which the store may keep as safe against a crash of the process but not
        yet of the machine until its next durable write (SQLite: committed without its own
        fsync, docs/storage.md); every other entry is durable when this returns."""

    def list_audit(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]: ...

    def page_audit(self, query: AuditQuery, limit: int,
                   cursor: str | None = None) -> AuditPage:
        """A page of the entries `query` finds, newest first; InvalidCursor for a cursor
        not issued for this query."""

    # -- outbox ---------------------------------------------------------------------------
    def due_events(self, now: str, limit: int) -> list[OutboxEvent]: ...

    def lease_event(self, event_id: str, now: str, until: str) -> bool:
        """Take a due pending event for one delivery attempt: it is not due again before
        `until`. False when another dispatcher took it first (or it is no longer due)."""

    def mark_sent(self, event_id: str, now: str) -> None: ...

    def mark_failed(self, event_id: str, error: str, next_attempt_at: str | None) -> None:
        """Count a failed attempt; next_attempt_at None moves the event to dead."""

    def list_events(self, status: str | None = None, limit: int = 100) -> list[OutboxEvent]: ...

    def get_event(self, event_id: str) -> OutboxEvent | None:
        """One event as it is now (read consistently), or None if there is none."""

    def get_events(self, event_ids: list[str]) -> dict[str, OutboxEvent]:
        """get_event for many at once, by id, in a few reads; ids with no event left out."""

    def requeue(self, event_id: str, now: str) -> bool:
        """A dead event goes back to pending (attempts reset); False if it is not dead."""


# -- what every backend decides alike ------------------------------------------------------
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


def listing_rows(change: CaseChange) -> list[ListedCase]:
    """The rows a change's listing writes: one per party and one in ALL_CASES, each with
    the case's wanted deadlines (CaseChange.deadlines is the whole wanted set)."""
    listing, case = change.listing, change.case
    if listing is None:
        return []
    due = {d.reason: {"due_on": d.due_on, "event": d.event} for d in change.deadlines}
    next_due = min((d.due_on for d in change.deadlines), default=None)
    return [ListedCase(agency, case.case_ref, case.state, case.closed, case.opened_at,
                       case.updated_at, listing.condition_type, next_due, due)
            for agency in sorted({*listing.parties, ALL_CASES})]


def timeline_window(total: int, before: int | None, limit: int) -> tuple[int, int]:
    """The places [start, end) of a timeline of `total` entries that case_timeline reads."""
    require_positive("limit", limit)
    end = total if before is None else max(0, min(before, total))
    return max(0, end - limit), end


def check_fired(fired: list[FiredDeadline]) -> None:
    """ValueError when a fired deadline's timeline entry is for another case."""
    if any(f.entry.case_ref != f.deadline.case_ref for f in fired):
        raise ValueError("a fired deadline's timeline entry is for another case")


#: How many ids one batched read asks for (SQLite's `IN (...)`, DynamoDB's BatchGetItem
#: takes at most 100 keys a call)
BATCH_READ = 100


def batches(ids: list[str]) -> Iterator[list[str]]:
    """`ids` without repeats, BATCH_READ at a time."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), BATCH_READ):
        yield unique[start:start + BATCH_READ]


def require_positive(name: str, value: int) -> None:
    """ValueError unless a limit or batch size asks for at least one item."""
    if value < 1:
        raise ValueError(f"{name} must be at least 1")


# Stored values: every backend keeps a dataclass as flat columns (text, integers, nulls).
#: One encoder for every stored text (json.dumps with these options makes a new one a call)
_STORED_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def to_json(value: Any) -> str:
    """Compact JSON text, as answers, recipients, payloads, facts and details are kept."""
    return _STORED_JSON.encode(value)


JSON, FLAG, PLAIN = "json", "flag", "plain"


@cache
def _stored_as(kind: type) -> tuple[tuple[str, str], ...]:
    """`kind`'s fields in order, each with how it is kept: JSON text (dicts), 0/1 (flags) or
    as it is. Worked out once per type: a case read turns thousands of rows into values."""
    hints = get_type_hints(kind)
    return tuple((f.name, JSON if get_origin(hints[f.name]) is dict
                  else FLAG if hints[f.name] is bool else PLAIN) for f in fields(kind))


def to_columns(value: Any) -> dict[str, str | int | None]:
    """A dataclass of this module as the columns a backend stores, by field name."""
    columns = {}
    for name, kept in _stored_as(type(value)):
        found = getattr(value, name)
        columns[name] = (to_json(found) if kept is JSON
                         else int(found) if kept is FLAG else found)
    return columns


def from_columns(kind: type[Stored], column: Callable[[str], Any]) -> Stored:
    """The `kind` whose stored columns `column(name)` gives: to_columns in reverse."""
    values = {}
    for name, kept in _stored_as(kind):
        found = column(name)
        values[name] = (json.loads(found) if kept is JSON
                        else bool(found) if kept is FLAG else found)
    return kind(**values)


def sortable(moment: datetime.datetime) -> str:
    """A moment as the timestamps are kept, so they sort as text: 2026-11-25T10:30:00.123456Z."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def key_expiry(now: str, ttl_seconds: int) -> datetime.datetime:
    """When an idempotency key claimed at `now` stops holding (it is free at that moment)."""
    return datetime.datetime.fromisoformat(now) + datetime.timedelta(seconds=ttl_seconds)


def lease_end(now: str, ttl_seconds: int, lease_seconds: int | None) -> str:
    """When an in-flight claim made at `now` may be taken over: after its lease, or its
    key's expiry if that comes first (or there is no lease)."""
    held = ttl_seconds if lease_seconds is None else min(ttl_seconds, lease_seconds)
    return sortable(key_expiry(now, held))


def claim_of_held_key(fingerprint: str, held_fingerprint: str, held_status: str,
                      held_response: str | None) -> IdempotencyClaim:
    """The claim of a key that is already held and unexpired, by a request whose body has
    `fingerprint`: another body's key is a mismatch, a done one is replayed (`held_response`
    is its JSON), one not done yet is in flight."""
    if held_fingerprint != fingerprint:
        return IdempotencyClaim("mismatch")
    if held_status == "done":
        return IdempotencyClaim("replay", json.loads(held_response))
    return IdempotencyClaim("in_flight")


# Optimistic versions: a record or a case moves on exactly one version at a time.
def previous_version(version: int) -> int | None:
    """The version a write of `version` must find stored: None for 1 (nothing may exist)."""
    return None if version == 1 else version - 1


def check_case_version(case: CaseState, stored: int | None) -> None:
    """VersionConflict unless `stored` (the stored case's version, None if there is none) is
    the one `case` moves on from."""
    expected = previous_version(case.version)
    if stored != expected:
        raise VersionConflict(f"case {case.case_ref} is already open" if expected is None
                              else f"case {case.case_ref} is not at version {expected}")


@dataclass(frozen=True)
class DeadlineWrites:
    """What a change does to a case's deadlines. `put` pairs each deadline to write with the
    status it was read in (None: it is new); `clear` holds pending ones no longer wanted."""

    put: list[tuple[Deadline, str | None]]
    clear: list[Deadline]


def plan_deadlines(held: list[Deadline], wanted: list[Deadline]) -> DeadlineWrites:
    """The writes that make a case's deadlines the `wanted` set (see CaseChange): one that
    fired is never written again, a pending one with the same date and event needs no write,
    a cleared one wanted again is pending again; pending ones not wanted are cleared."""
    held_by_reason = {d.reason: d for d in held}
    put: list[tuple[Deadline, str | None]] = []
    for want in wanted:
        now = held_by_reason.get(want.reason)
        if now is None:
            put.append((want, None))
        elif now.status == "cleared" or (now.status == "pending" and (
                now.due_on, now.event) != (want.due_on, want.event)):
            put.append((want, now.status))
    reasons = {d.reason for d in wanted}
    return DeadlineWrites(put, [d for d in held if d.status == "pending"
                                and d.reason not in reasons])


def due_from(event: OutboxEvent) -> str:
    """When an event is first due: its next_attempt_at, or when empty its created_at."""
    return event.next_attempt_at or event.created_at


MAX_ERROR_CHARS = 1000  # of a failed delivery's error, kept on the event


# Listing cursors: opaque to callers, the same text whichever backend issued them.
def page_of(form_id: str, limit: int, found: list[tuple[RecordVersion, str]]) -> Page:
    """The page of `found` (each record's latest version with its version 1's created_at,
    newest first, up to limit + 1 of them) and, when there were more, the cursor after it."""
    if len(found) <= limit:
        return Page([v for v, _ in found], None)
    last, first_created_at = found[limit - 1]
    raw = to_json([form_id, first_created_at, last.record_id]).encode("utf-8")
    return Page([v for v, _ in found[:limit]], base64.urlsafe_b64encode(raw).decode("ascii"))


def cursor_position(cursor: str, form_id: str) -> tuple[str, str]:
    """The (first created_at, record id) a cursor from `page_of` continues after; it must
    have been issued for `form_id`, else InvalidCursor."""
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise InvalidCursor("the cursor is not one this store issued") from error
    if (not isinstance(found, list) or len(found) != 3
            or not all(isinstance(part, str) for part in found) or found[0] != form_id):
        raise InvalidCursor("the cursor is not one this store issued for this form")
    return found[1], found[2]


# Audit cursors: the query they were issued for and the position (a backend's own order
# key of the last entry given) the next page starts after.
def _audit_query_key(query: AuditQuery) -> list[str | None]:
    return ["audit", query.case, query.actor, query.since, query.before]


def audit_cursor(query: AuditQuery, position: str) -> str:
    raw = to_json([*_audit_query_key(query), position]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def audit_position(cursor: str, query: AuditQuery) -> str:
    """The position an `audit_cursor` continues after; InvalidCursor unless it was issued
    for exactly this query."""
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise InvalidCursor("the cursor is not one this store issued") from error
    key = _audit_query_key(query)
    if (not isinstance(found, list) or len(found) != len(key) + 1 or found[:-1] != key
            or not isinstance(found[-1], str)):
        raise InvalidCursor("the cursor is not one this store issued for this query")
    return found[-1]


# Case list cursors: the query they were issued for and the last case given.
def _case_query_key(query: CaseQuery) -> list[str | None]:
    return ["cases", query.agency, query.state, query.condition_type, query.due_by]


def case_cursor(query: CaseQuery, last: ListedCase) -> str:
    raw = to_json([*_case_query_key(query), last.updated_at, last.case_ref]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def case_position(cursor: str, query: CaseQuery) -> tuple[str, str]:
    """The (updated_at, case_ref) a `case_cursor` continues after; InvalidCursor unless it
    was issued for exactly this query."""
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise InvalidCursor("the cursor is not one this store issued") from error
    key = _case_query_key(query)
    if (not isinstance(found, list) or len(found) != len(key) + 2
            or found[:-2] != key or not all(isinstance(p, str) for p in found[-2:])):
        raise InvalidCursor("the cursor is not one this store issued for this query")
    return found[-2], found[-1]


def listed_matches(row: ListedCase, query: CaseQuery) -> bool:
    """Whether a listed case passes the query's filters (a backend may filter in place)."""
    return ((query.state is None or row.state == query.state)
            and (query.condition_type is None or row.condition_type == query.condition_type)
            and (query.due_by is None or (row.next_due is not None
                                          and row.next_due <= query.due_by)))
