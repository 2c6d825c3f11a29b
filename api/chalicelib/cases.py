"""Case commands and reads through the Store, each in three steps: load a snapshot of what
the decision needs, plan on it (caseplan.py, pure), then commit the plan with its audit
entry and events in one atomic step. A case changed meanwhile fails the commit
(VersionConflict: its version moved on), so nothing is planned on a stale case.

The decisions are caseflow.py's (from forms/process.yaml), sharing.py's (consent and
scopes) and deadlines.py's; the reader's view of a case is caseview.py's.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import casefind, readings
from .clock import england_date, iso
from .domain import caseplan, caseview, parties
from .domain.access import Principal
from .domain.audit import audit_entry
from .domain.caseflow import Process
from .domain.caseplan import Denied, Plan, Planning, Snapshot
from .domain.consent import CONSENT_FORMS, Consent
from .domain.ids import is_our_id
from .domain.person import person_of
from .domain.results import Done, Refused, Result
from .domain.sharing import ConsentView
from .store.base import (
    BATCH_READ,
    CaseChange,
    CaseEntry,
    CaseState,
    OutboxEvent,
    RecordVersion,
    StoreError,
    VersionConflict,
)


def process_of(ctx) -> Process | None:
    return ctx.catalogue.case_process


def planning_of(ctx) -> Planning | None:
    """What plans read besides the case (None: the forms define no case process)."""
    process = process_of(ctx)
    if process is None:
        return None
    return Planning(process, ctx.catalogue.protocol, ctx.base_url,
                    ctx.new_event_id)


# -- loading -------------------------------------------------------------------------------

def case_records(ctx, case_ref: str) -> list[RecordVersion]:
    """The latest version of every record attached to the case, in attach order (read in
    batches, not one read per record)."""
    ids = ctx.store.case_records(case_ref)
    found = ctx.store.get_latest_versions(ids) if ids else {}
    return [found[record_id] for record_id in ids if record_id in found]


def consent_versions(ctx, records: list[RecordVersion]) -> list[RecordVersion]:
    """Every version of the case's records that can record consent (consent.CONSENT_FORMS):
    the consent history. A first version is its own history, so only amended ones are read."""
    return [v for record in records if record.form_id in CONSENT_FORMS
            for v in (ctx.store.list_versions(record.record_id) if record.version > 1
                      else [record])]


def snapshot_of(ctx, case: CaseState) -> Snapshot:
    """The case with its records, its timeline and its consent history, as read now."""
    records = case_records(ctx, case.case_ref)
    return Snapshot(case, records, ctx.store.case_entries(case.case_ref),
                    consent_versions(ctx, records))


def notify(ctx, event: str, case_ref: str, records: list[RecordVersion], at: str, *,
           reason: str | None = None, detail: Mapping[str, Any] | None = None
           ) -> list[OutboxEvent]:
    """The outbox events the local protocol routes for a case event (the sweep's)."""
    return caseplan.notify(planning_of(ctx), event, case_ref, records, at, reason=reason,
                           detail=detail)


def load(ctx, who: Principal, case_ref: str, *, act: bool = False,
         request_id: str | None = None) -> Snapshot | Refused:
    """The case with its records and timeline, if it exists and the caller may see it: a
    party to it (parties.py), or the DAT administrator reading (never acting). A case the
    caller may not see answers as one that does not exist (404), and the audit log keeps
    the refusal; a caller whose agency or role the protocol refuses is refused (403)."""
    case = found_case(ctx, who, case_ref)
    if isinstance(case, Refused):
        return case
    snapshot = snapshot_of(ctx, case)
    if ctx.policy.is_admin(who):
        return Refused("forbidden") if act else snapshot
    if not ctx.policy.is_party(who, parties_of(ctx, snapshot)):
        ctx.store.append_audit(audit_entry(who, "read_denied" if not act else "case_denied",
                                           case_ref, ctx.timestamp(), request_id=request_id))
        return Refused("not_found")
    return snapshot


def found_case(ctx, who: Principal, case_ref: str) -> CaseState | Refused:
    """The case, unless there is none (or no process) or the caller's agency or role is
    refused (403, whether or not the case exists)."""
    case = ctx.store.get_case(case_ref) if process_of(ctx) and is_our_id(case_ref) else None
    if ctx.policy.denial_reason(who) is not None:
        return Refused("forbidden")
    return Refused("not_found") if case is None else case


def parties_of(ctx, snapshot: Snapshot) -> frozenset[str]:
    """The case's parties (domain/parties.py)."""
    return parties.case_parties(ctx.catalogue.protocol, process_of(ctx).opened_by,
                                snapshot.records, snapshot.entries)


def _now(ctx) -> tuple[str, datetime.date]:
    """This moment as stored, and today in England: one reading of the clock."""
    now = ctx.now()
    return iso(now), england_date(now)


# -- a record opening or joining a case ----------------------------------------------------

def plan_for_record(ctx, who: Principal, version: RecordVersion, at: str,
                    today: datetime.date) -> tuple[CaseChange | None, list[OutboxEvent]] | Refused:
    """What a new record (or record version) does to its case: opens one (the MG14),
    attaches to one (a linked form naming a case), maybe moves it, and its events. The
    record's commit carries the change (records.py)."""
    planning = planning_of(ctx)
    if planning is None:
        return None, []
    process = planning.process
    if version.form_id == process.opened_by and version.version == 1:
        change, events = caseplan.opening(planning, who, version, at, today)
        return casefind.listed(ctx, change, [version], []), events
    case_ref = (version.record_id if version.form_id == process.opened_by
                else ctx.store.case_of_record(version.record_id) if version.version > 1
                else None) or process.case_ref_in(version.form_id, version.data)
    if case_ref is None:
        return None, []
    case = ctx.store.get_case(case_ref)
    if case is None:
        return caseplan.unknown_case(process, version.form_id)
    snapshot = snapshot_of(ctx, case)
    if version.version == 1 and not ctx.policy.is_party(who, parties_of(ctx, snapshot)):
        # joining a case takes a party's hand-over: naming its reference is not enough, or
        # any agency could join (and then read) any case whose reference it guessed
        return caseplan.unknown_case(process, version.form_id)
    return _listed_attaching(ctx, snapshot, version,
                             caseplan.attaching(planning, who, snapshot, version, at, today))


def _listed_attaching(ctx, snapshot: Snapshot, version: RecordVersion, planned):
    """A record's change to its case with the case lists it writes (casefind.py)."""
    if isinstance(planned, Refused):
        return planned
    change, events = planned
    records = [r for r in snapshot.records if r.record_id != version.record_id] + [version]
    return casefind.listed(ctx, change, records, snapshot.entries), events


def with_record_events(change: CaseChange | None, events: list[OutboxEvent],
                       who: Principal, at: str) -> CaseChange | None:
    """The record's change to its case with a timeline line for each of the record's own
    notifications (the MG14's e-mail to the CJIT), as a case event's are kept."""
    if change is None or not events:
        return change
    told = caseplan.sent_entries(change.case.case_ref, events, at, who.user_id, who.agency)
    told = [dataclasses.replace(e, detail={**e.detail, "form": event.form_id})
            for e, event in zip(told, events, strict=True)]
    return dataclasses.replace(change, entries=[*change.entries, *told])


# -- requests on a case --------------------------------------------------------------------

def on_case(*, act: bool = True):
    """Load the snapshot first (the case, its records and timeline): the command runs on it
    only when the case exists and the caller may see it, and (`act`) is a party to it;
    otherwise the refusal answers."""
    def wrap(command):
        @functools.wraps(command)
        def run(ctx, who: Principal, case_ref: str, *args, **kwargs):
            # a command is called (ctx, who, case_ref, request, request_id)
            request_id = kwargs.get("request_id", args[1] if len(args) > 1 else None)
            snapshot = load(ctx, who, case_ref, act=act, request_id=request_id)
            if isinstance(snapshot, Refused):
                return snapshot
            return command(ctx, who, snapshot, *args, **kwargs)
        return run
    return wrap


def _commit(ctx, planned: Plan | Denied | Refused) -> Result:
    """The plan's change, audit entry and events in one step; the case as it now is. A
    refusal the audit log keeps is kept there; nothing else is written for a refusal."""
    if isinstance(planned, Denied):
        ctx.store.append_audit(planned.audit)
        return planned.refused
    if isinstance(planned, Refused):
        return planned
    ref = planned.change.case.case_ref
    change = casefind.listed(ctx, planned.change, case_records(ctx, ref),   # no new record:
                             ctx.store.case_entries(ref), terms=False)      # terms as they are
    try:
        ctx.store.change_case(change, planned.audit, planned.events)
    except VersionConflict:
        return Refused("version_conflict")
    except StoreError:
        return Refused("unavailable")
    return Done({"case": caseview.case_json(process_of(ctx), planned.change.case)})


@on_case()
def transition(ctx, who: Principal, snapshot: Snapshot, request: Any,
               request_id: str | None = None) -> Result:
    """Take the step `request["transition"]`, or say why not (nothing changes then)."""
    at, today = _now(ctx)
    return _commit(ctx, caseplan.transition(planning_of(ctx), who, snapshot, request, at,
                                            today, request_id))


@on_case()
def record_fact(ctx, who: Principal, snapshot: Snapshot, request: Any,
                request_id: str | None = None) -> Result:
    """Record a fact staff keep on the case (a release date, the start of supervision)."""
    at, _ = _now(ctx)
    return _commit(ctx, caseplan.recorded_fact(planning_of(ctx), who, snapshot, request, at,
                                               request_id))


@on_case()
def add_appointment(ctx, who: Principal, snapshot: Snapshot, request: Any,
                    request_id: str | None = None) -> Result:
    """Book an appointment; one that overlaps another agency's tells both owners (N27)."""
    at, _ = _now(ctx)
    return _commit(ctx, caseplan.appointment(planning_of(ctx), who, snapshot, request, at,
                                             request_id))


@on_case()
def disclose(ctx, who: Principal, snapshot: Snapshot, request: Any,
             request_id: str | None = None) -> Result:
    """Record a disclosure with consent or on a ground of the protocol's, or refuse it."""
    at, today = _now(ctx)
    return _commit(ctx, caseplan.disclosure(planning_of(ctx), who, snapshot, request, at,
                                            today, request_id))


@on_case()
def hand_over(ctx, who: Principal, snapshot: Snapshot, request: Any,
              request_id: str | None = None) -> Result:
    """{agency, reason?}: make another agency a party to the case (a timeline entry)."""
    at, _ = _now(ctx)
    return _commit(ctx, caseplan.handover(planning_of(ctx), who, snapshot, request, at,
                                          request_id))


# -- reading -------------------------------------------------------------------------------

def case_view(ctx, who: Principal, case_ref: str,
              params: Mapping[str, str] | None = None) -> Result:
    """The case as `who` may see it (caseview.py), its timeline in words: the pages
    `params` asks for (timeline_cursor, records_cursor, limit), the first ones when none.
    A cursor is checked before the case is read. Who may see the case, and the consent
    that cuts its records, come from its reading (case_reading, kept per version); then
    only what the pages show is read (_CaseRead), so a read costs the same whatever the
    size of the case. Every page is cut exactly as the whole case would be for the
    reader: the case's version is read again at the end, and a case that changed
    meanwhile is read again (READ_TRIES), so the answer is of one version of the case."""
    pages = caseview.case_pages(case_ref, params or {})
    if isinstance(pages, list):
        return Refused("bad_request", pages)
    for _ in range(READ_TRIES):
        case = found_case(ctx, who, case_ref)
        if isinstance(case, Refused):
            return case
        today, admin = ctx.today(), ctx.policy.is_admin(who)
        reading = None if admin else reading_of(ctx, case_ref, case, today)
        if reading is not None and not ctx.policy.is_party(who, reading.parties):
            ctx.store.append_audit(audit_entry(who, "read_denied", case_ref, ctx.timestamp()))
            return Refused("not_found")
        read = _CaseRead(ctx, who, case, None if reading is None else reading.consent, today)
        records, records_cursor = ([], None) if admin else caseview.records_page(
            case_ref, read.placed(pages.records_after, pages.limit + 1), pages)
        entries, timeline_cursor = caseview.timeline_page(
            case_ref, read.newest_visible(pages.timeline_before, pages.limit + 1), pages)
        person = None if admin else read.person()
        if not read.moved and _version_of(ctx, case_ref) == case.version:
            return Done(caseview.view_of(
                process_of(ctx), ctx.catalogue.protocol, who, admin, case, today,
                caseview.Cut(records, records_cursor, entries, timeline_cursor, person),
                lambda refs: timeline_words(ctx, refs)))
    return _case_page(ctx, who, case_ref, pages)     # a case changing at every read: whole


#: How many times a case read starts again when the case changed while it was read,
#: before it reads the whole case at once (one snapshot) instead.
READ_TRIES = 3


@on_case(act=False)
def _case_page(ctx, who: Principal, snapshot: Snapshot,
               pages: caseview.CasePages) -> Result:
    """The page cut from the whole case, loaded at once (as every read was before)."""
    return Done(caseview.case_view(process_of(ctx), ctx.policy, ctx.catalogue.protocol, who,
                                   snapshot, ctx.today(),
                                   lambda refs: timeline_words(ctx, refs), pages))


class _CaseRead:
    """One read of a case's records as one reader is shown them (caseview.shown_record),
    each read when first needed, a batch at a time: the records page, the timeline page's
    form lines, the person. `consent`: the case's consent view (None: the DAT
    administrator, who is shown no record's answers). A form line of the timeline names a
    record of its own case (the store attaches the record in the change that writes the
    line), so its record is read by id, with no list of the case's records."""

    def __init__(self, ctx, who: Principal, case: CaseState, consent: ConsentView | None,
                 today: datetime.date) -> None:
        self.ctx, self.who, self.case, self.consent = ctx, who, case, consent
        self.case_ref = case.case_ref
        self._seen: dict[str, dict[str, Any] | None] = {}
        self.moved = False   # the timeline grew while it was read
        #: what this reader is shown of the case depends on their role and agency, and on
        #: the day (a withdrawal dated ahead): the memo's key for it, at the case's version
        self._key = (case.case_ref, who.role, who.agency, str(today))

    def shown(self, ids: list[str]) -> dict[str, dict[str, Any] | None]:
        """The records of these ids as shown (None: not shown), read in one batch."""
        wanted = [i for i in dict.fromkeys(ids) if i not in self._seen]
        found = (self.ctx.store.get_latest_versions(wanted)
                 if wanted and self.consent is not None else {})
        for record_id in wanted:
            record = found.get(record_id)
            self._seen[record_id] = None if record is None else caseview.shown_record(
                self.ctx.policy, self.ctx.catalogue.protocol, self.who, record, self.consent)
        return {i: self._seen[i] for i in ids}

    def in_order(self, start: int, batch: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """(place, record as shown) of the shown records from `start`, in attach order. A
        read from the first record to the last (a reader shown fewer records than a page
        reads them all) leaves the places of the shown ones in the memo (placed)."""
        batch, first, places = min(batch, BATCH_READ), start, []
        while True:
            ids = self.ctx.store.case_records_at(self.case_ref, start, batch)
            shown = self.shown(ids)
            for n, record_id in enumerate(ids):
                if shown[record_id] is not None:
                    places.append(start + n)
                    yield start + n, shown[record_id]
            if len(ids) < batch:
                break
            start += batch
        runs = caseview.runs_of(places)
        if first == 0 and len(runs) <= MOST_RUNS:
            self._remember("shown", lambda: tuple(runs))

    def placed(self, start: int, batch: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """in_order, but through the places of the shown records when the memo has them
        for this version and reader: only the records shown are read, however many of the
        case's records this reader is not shown."""
        runs = self.ctx.memo.get(("shown", *self._key, self.case.version))
        if runs is None:
            yield from self.in_order(start, batch)
            return
        for low, high in runs:
            low = max(low, start)
            while low < high:
                ids = self.ctx.store.case_records_at(self.case_ref, low,
                                                     min(high - low, batch, BATCH_READ))
                if not ids:
                    return
                shown = self.shown(ids)
                yield from ((low + n, shown[i]) for n, i in enumerate(ids)
                            if shown[i] is not None)
                low += len(ids)

    def _remember(self, kind: str, derive):
        return readings.remember(self.ctx.memo, (kind, *self._key), self.case.version,
                                 derive, functools.partial(_version_of, self.ctx,
                                                           self.case_ref))

    def newest_visible(self, before: int | None,
                       batch: int) -> Iterator[tuple[int, CaseEntry]]:
        """(place, entry) of the timeline's entries the reader sees, newest first, from
        `before` (None: the newest), read `batch` entries at a time; through the places of
        the visible entries when the memo has them for this timeline (placed)."""
        start, total, entries = self.ctx.store.case_timeline(self.case_ref, before, batch)
        # entries are only ever appended (a reminder keeps the case's version): the version
        # and the number of entries are the timeline's own version
        key = ("timeline", *self._key, self.case.version, total)
        runs = self.ctx.memo.get(key)
        if runs is not None:
            yield from self._through(runs, total if before is None else before, total,
                                     batch)
            return
        places = []
        while True:
            for place, entry in self._visible(start, entries):
                places.append(place)
                yield place, entry
            if start == 0:
                break
            start, now, entries = self.ctx.store.case_timeline(self.case_ref, start, batch)
            if self._grew(total, now):
                return
        runs = caseview.runs_of(places[::-1])
        if (before is None and len(runs) <= MOST_RUNS
                and _version_of(self.ctx, self.case_ref) == self.case.version):
            self.ctx.memo.put(key, tuple(runs))

    def _grew(self, total: int, now: int) -> bool:
        """Whether the timeline grew while it was read (a reminder keeps the case's
        version): then `moved`, and the read is read again (case_view)."""
        if now != total:
            self.moved = True
        return self.moved

    def _visible(self, start: int, entries: list[CaseEntry]
                 ) -> Iterator[tuple[int, CaseEntry]]:
        """Of the entries placed from `start`, those the reader sees, newest first."""
        forms = self.shown([e.ref for e in entries if e.kind == "form"])
        shown = {record_id for record_id, each in forms.items() if each is not None}
        for offset in range(len(entries) - 1, -1, -1):
            if caseview.entry_visible(entries[offset], self.who, self.consent is None, shown):
                yield start + offset, entries[offset]

    def _through(self, runs: tuple[tuple[int, int], ...], before: int, total: int,
                 batch: int) -> Iterator[tuple[int, CaseEntry]]:
        """The visible entries before `before`, newest first, read run by run (of a
        timeline of `total` entries)."""
        for low, high in reversed(runs):
            high = min(high, before)
            while high > low:
                start, now, entries = self.ctx.store.case_timeline(
                    self.case_ref, high, min(high - low, batch))
                if self._grew(total, now):
                    return
                yield from self._visible(start, entries)
                high = start

    def person(self) -> dict[str, str] | None:
        """Who the case is about as this reader is shown them (person_of, which reads
        records in attach order only until it has every detail), kept per case version,
        reader's role and agency and day (readings.py)."""
        return self._remember("person", lambda: (person_of(
            each["data"] for _, each in self.placed(0, PERSON_BATCH)),))[0]


#: The most runs of shown places (of consecutive records a reader is shown) the memo keeps
#: for one reader of one case: a case with more is read through (in_order) each time.
MOST_RUNS = 64
#: How many records a person's first read takes at a time (the opening MG14 usually
#: holds every detail, so one batch).
PERSON_BATCH = 20


def timeline_words(ctx, event_ids: list[str]) -> caseview.TimelineWords:
    """The form titles, and the delivery of the notifications `event_ids` as the outbox
    holds them now (one batched read, not one per notification)."""
    titles = {form_id: form.title.get("en", form_id)
              for form_id, form in ctx.catalogue.forms.items()}
    found = ctx.store.get_events(event_ids) if event_ids else {}
    return caseview.TimelineWords(titles, {ref: e.status for ref, e in found.items()})


def record_as_seen(ctx, who: Principal, record: RecordVersion, today: datetime.date,
                   reading: CaseReading | None = None) -> dict[str, Any] | None:
    """What of one record, read on its own, `who` may see (None: nothing): only when their
    agency made it or is a party to its case (a record on no case: its own agency only),
    then cut by access, `sharing:` and its case's consent. `reading`: its case's, already
    read (case_reading), for a caller reading many records."""
    if reading is None:
        reading = case_reading(ctx, case_of(ctx, record.record_id), today)
    if not ctx.policy.sees_record(who, record.agency, reading.parties):
        return None
    return caseview.visible_answers(ctx.policy, ctx.catalogue.protocol, who, record,
                                    reading.consent)


def case_of(ctx, record_id: str) -> str | None:
    """The case the record is attached to (None: none, or the forms define no process)."""
    return ctx.store.case_of_record(record_id) if process_of(ctx) is not None else None


@dataclass(frozen=True)
class CaseReading:
    """What a read of one record needs of its case: its parties (None: the record is on no
    case) and what its consent in force allows."""

    parties: frozenset[str] | None
    consent: ConsentView


def case_reading(ctx, case_ref: str | None, today: datetime.date) -> CaseReading:
    """The parties and consent of the case `case_ref` (None: no case, no consent): derived
    from the case's records and timeline once per version of the case (readings.py), the
    version read now, so a change to the case is seen by the very next read."""
    if case_ref is None:
        return CaseReading(None, ConsentView.of(None, today))
    return reading_of(ctx, case_ref, ctx.store.get_case(case_ref), today)


def reading_of(ctx, case_ref: str, case: CaseState | None,
               today: datetime.date) -> CaseReading:
    """case_reading of the case `case_ref` as the caller has just read it (`case`; None:
    the store has no state for it), so the version is not read twice."""
    derive = functools.partial(_derived_reading, ctx, case_ref)
    found_parties, consent = derive() if case is None else readings.remember(
        ctx.memo, ("reading", case_ref), case.version, derive,
        functools.partial(_version_of, ctx, case_ref))
    return CaseReading(found_parties, ConsentView.of(consent, today))


def _derived_reading(ctx, case_ref: str) -> tuple[frozenset[str], Consent | None]:
    """The case's parties and its consent in force (whatever the day), as stored now."""
    protocol = ctx.catalogue.protocol
    records = case_records(ctx, case_ref)
    return (parties.case_parties(protocol, process_of(ctx).opened_by, records,
                                 ctx.store.case_entries(case_ref)),
            caseplan.consent_in_force(protocol, [*consent_versions(ctx, records), *records]))


def _version_of(ctx, case_ref: str) -> int | None:
    case = ctx.store.get_case(case_ref)
    return None if case is None else case.version
