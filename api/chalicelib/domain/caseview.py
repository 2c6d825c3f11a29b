"""A case as its reader may see it: the case's state and next steps, its records each cut to
what the reader may see (their agency's own whole; others by access, the protocol's
`sharing:` scopes and consent), and the timeline without the forms they may not see.
cases.py lets only a party (parties.py) or the DAT administrator this far; the
administrator sees the case's shape, codes and references: no answers, facts, appointment
times or hand-over reasons.

Pure: works on a Snapshot that cases.py loaded, with the access policy and protocol.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from ..contract import codes
from ..contract.protocol import Protocol
from ..store.base import CaseEntry, CaseState, RecordVersion
from . import casefind, caseflow, confirmations
from .access import AccessPolicy, Principal
from .caseflow import Process
from .caseplan import Snapshot, case_consent_view
from .person import person_of
from .sharing import ConsentView, visible_data

#: How many timeline entries and records one read of a case answers, unless asked for
#: fewer or more (up to MAX_PAGE): a long case stays fast and under Lambda's 6 MB answer.
PAGE = 50
MAX_PAGE = 200


@dataclass(frozen=True)
class CasePages:
    """Which page of the timeline and of the records a read answers: `timeline_before` the
    place (in the case's whole timeline, oldest first) the page ends before (None: the
    newest entries); `records_after` how many of the records, in attach order, come
    before the page."""

    timeline_before: int | None = None
    records_after: int = 0
    limit: int = PAGE


class BadCursor(ValueError):
    """A cursor this case's reads did not issue (another case's, another list's, made up)."""


def page_cursor(kind: str, case_ref: str, position: int) -> str:
    """An opaque cursor for the next page of `kind` (timeline, records) of one case."""
    raw = json.dumps([kind, case_ref, position], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def cursor_place(cursor: str, kind: str, case_ref: str) -> int:
    """The position a `page_cursor` for `kind` of `case_ref` holds; BadCursor for any other
    (a cursor of another case reads nothing of it: the case read is the reader's own)."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4))
        found = json.loads(raw)
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise BadCursor(kind) from error
    if (not isinstance(found, list) or len(found) != 3 or found[:2] != [kind, case_ref]
            or type(found[2]) is not int or found[2] < 0):
        raise BadCursor(kind)
    return found[2]


def case_pages(case_ref: str, params: Mapping[str, str]) -> CasePages | list[dict[str, str]]:
    """The pages GET /v1/cases/{ref}?timeline_cursor=&records_cursor=&limit= asks for, or
    the field errors (a cursor from no page of this case; a limit out of range)."""
    errors = []
    places: dict[str, int | None] = {"timeline": None, "records": None}
    for kind in places:
        cursor = params.get(f"{kind}_cursor") or None
        if cursor is not None:
            try:
                places[kind] = cursor_place(cursor, kind, case_ref)
            except BadCursor:
                errors.append({"field": f"{kind}_cursor", "code": codes.INVALID,
                               "message": "Start again from the case's first page"})
    limit = params.get("limit") or str(PAGE)
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_PAGE):
        errors.append({"field": "limit", "code": codes.TYPE,
                       "message": f"limit must be a whole number from 1 to {MAX_PAGE}"})
    if errors:
        return errors
    return CasePages(places["timeline"], places["records"] or 0, int(limit))


def case_view(process: Process, policy: AccessPolicy, protocol: Protocol,
              who: Principal, snapshot: Snapshot, today: datetime.date,
              words_for: Callable[[list[str]], TimelineWords] | None = None,
              pages: CasePages | None = None) -> dict[str, Any]:
    """{case, records, timeline, agencies, records_cursor, timeline_cursor} as `who` may
    see them: the case with its deadlines and its person (what the reader may see of them;
    None for the DAT administrator, who sees the case's shape and codes, not the answers),
    one page of its records (attach order) and one of its timeline (the newest entries
    before the page's place, oldest first as the timeline reads) in words (`words_for`:
    the form titles and the delivery of the page's notifications, by their event ids, read
    by the caller), and the cursors of the next pages (None: no more).

    Every page is cut from the whole case as the reader may see it, so what a page shows
    and what it leaves out are exactly what one read of the whole case would."""
    pages = pages or CasePages()
    consent = case_consent_view(protocol, snapshot, today)
    admin = policy.is_admin(who)
    shown: dict[str, dict[str, Any]] = {}
    for record in snapshot.records:
        seen = None if admin else shown_record(policy, protocol, who, record, consent)
        if seen is not None:
            shown[record.record_id] = seen
    ref = snapshot.case.case_ref
    records, records_cursor = records_page(
        ref, ((place, shown[r.record_id]) for place, r in enumerate(snapshot.records)
              if r.record_id in shown), pages)
    entries, timeline_cursor = timeline_page(
        ref, ((place, e) for place, e in reversed(list(enumerate(snapshot.entries)))
              if entry_visible(e, who, admin, shown)), pages)
    person = None if admin else person_of(r["data"] for r in shown.values())
    return view_of(process, protocol, who, admin, snapshot.case, today,
                   Cut(records, records_cursor, entries, timeline_cursor, person), words_for)


def shown_record(policy: AccessPolicy, protocol: Protocol, who: Principal,
                 record: RecordVersion, consent: ConsentView) -> dict[str, Any] | None:
    """One record of the case as `who` (not the DAT administrator) is shown it on the case
    (None: not at all), with the warnings it went ahead with apart from its answers."""
    data = visible_answers(policy, protocol, who, record, consent)
    if data is None:
        return None
    answers, kept = confirmations.stored_view(data)   # warnings gone ahead with
    return {"id": record.record_id, "form": record.form_id, "version": record.version,
            "agency": record.agency, "created_at": record.created_at, "data": answers,
            "confirmations": kept}


@dataclass(frozen=True)
class Cut:
    """What one read shows of a case's records and timeline, cut for its reader: a page of
    each with the cursors of the next, and the person as the reader sees them."""

    records: list[dict[str, Any]]
    records_cursor: str | None
    entries: list[CaseEntry]
    timeline_cursor: str | None
    person: dict[str, str] | None


def view_of(process: Process, protocol: Protocol, who: Principal, admin: bool,
            case: CaseState, today: datetime.date, cut: Cut,
            words_for: Callable[[list[str]], TimelineWords] | None = None) -> dict[str, Any]:
    """The answer of a case read (case_view) from the case and what was cut of it for
    `who` (`admin`: the DAT administrator, shown the case's shape and codes)."""
    words = (words_for or (lambda _refs: TimelineWords()))(
        [e.ref for e in cut.entries if e.kind == "notification"])
    timeline = [timeline_words(process, _entry_json(e, admin), words) for e in cut.entries]
    found = case_json(process, case, who.role)
    found["deadlines"] = casefind.case_deadlines(process, protocol, case, today)
    found["forms"] = [] if case.closed else process.forms_for(case.facts, today)
    found["person"] = cut.person
    if admin:
        found["facts"] = {}
    named = {who.agency, *(r["agency"] for r in cut.records)}
    for entry in timeline:
        named.add(entry.get("agency"))
        to = entry.get("to")
        named |= set(to) if isinstance(to, list) else {to}
    return {"case": found, "records": cut.records, "timeline": timeline,
            "agencies": agency_names(protocol, named), "records_cursor": cut.records_cursor,
            "timeline_cursor": cut.timeline_cursor}


def records_page(case_ref: str, placed: Iterable[tuple[int, dict[str, Any]]],
                 pages: CasePages) -> tuple[list[dict[str, Any]], str | None]:
    """The first `limit` records the reader is shown placed at or after `records_after`
    (`placed`: (place in the case's attach order, record as shown), in that order; read no
    further than one past the page), and the cursor of the rest (the place after the page)."""
    found = list(islice(((place, each) for place, each in placed
                         if place >= pages.records_after), pages.limit + 1))
    page = found[:pages.limit]
    return ([each for _, each in page],
            page_cursor("records", case_ref, page[-1][0] + 1) if len(found) > len(page)
            else None)


def runs_of(places: list[int]) -> list[tuple[int, int]]:
    """Ascending places as runs [low, high): [0, 1, 2, 7] -> [(0, 3), (7, 8)]."""
    runs: list[tuple[int, int]] = []
    for place in places:
        if runs and runs[-1][1] == place:
            runs[-1] = (runs[-1][0], place + 1)
        else:
            runs.append((place, place + 1))
    return runs


def timeline_page(case_ref: str, newest_first: Iterable[tuple[int, CaseEntry]],
                  pages: CasePages) -> tuple[list[CaseEntry], str | None]:
    """The newest `limit` visible entries placed before `timeline_before`, oldest first,
    and the cursor of the older ones (the place of the page's oldest entry). `newest_first`:
    the visible entries with their places, newest first; read no further than one past
    the page."""
    before = pages.timeline_before
    found = list(islice(((place, e) for place, e in newest_first
                         if before is None or place < before), pages.limit + 1))
    page = found[:pages.limit][::-1]
    return ([e for _, e in page],
            page_cursor("timeline", case_ref, page[0][0]) if len(found) > len(page) else None)


@dataclass(frozen=True)
class TimelineWords:
    """What the timeline's words need besides the case: form id -> title, and outbox event
    id -> its delivery status as stored (pending, sent, dead)."""

    titles: Mapping[str, str] = field(default_factory=dict)
    deliveries: Mapping[str, str] = field(default_factory=dict)


#: A notification's delivery in the timeline: waiting (to be sent, or to be tried again),
#: sent, or failed (dead-lettered: the DAT is told to resend it).
DELIVERY = {"pending": "waiting", "sent": "sent", "dead": "failed"}
#: The process events N01-N28 in words (domain notes §6).
EVENT_TITLES = {
    "N01": "Conditional caution being considered", "N02": "Assessment feedback",
    "N03": "CPS authorisation asked for", "N04": "CPS decision",
    "N05": "Conditional caution given", "N06": "Follow-up assessment cancelled",
    "N07": "Required assessment continues", "N08": "Failed to attend or stay for the assessment",
    "N09": "Appointment changed", "N10": "Reminder", "N11": "Non-compliance",
    "N12": "Compliance confirmed", "N13": "Police outcome",
    "N14": "Pre-sentence report being prepared", "N15": "Possible drug rehabilitation "
    "requirement", "N16": "Drug rehabilitation requirement: client assessed",
    "N17": "Community order with a drug rehabilitation requirement",
    "N18": "Custodial sentence", "N19": "Client with a drug rehabilitation requirement taken "
    "into custody", "N20": "Moved to another prison", "N21": "Release planned",
    "N22": "Warrant known", "N23": "Recalled or returned to custody", "N24": "Risk of harm",
    "N25": "Information shared without consent", "N26": "Consent withdrawn",
    "N27": "Appointments clash", "N28": "Supervision ending",
}


def event_words(event: str | None, form_title: str | None) -> str:
    """An event in plain words: a record's (`submitted`) by its form's title."""
    if event == "submitted":
        return f"{form_title or 'Record'} sent"
    if event == "amended":
        return f"{form_title or 'Record'} changed"
    return EVENT_TITLES.get(event or "", event or "Notification")


def timeline_words(process: Process, entry: dict[str, Any],
                   words: TimelineWords) -> dict[str, Any]:
    """A timeline entry with its words: a form's title, a step's label, a notification's
    title and delivery, a reminder's label."""
    kind = entry["kind"]
    if kind in ("form", "opened") and entry.get("form"):
        entry["form_title"] = words.titles.get(entry["form"], entry["form"])
    if kind == "transition":
        step = process.transitions.get(entry["ref"], {})
        entry["transition"] = entry["ref"]
        entry["label"] = step.get("label") or entry["ref"]
        if entry.get("to") in process.states:
            entry["to_label"] = process.label(entry["to"])
    elif kind == "notification":
        entry["title"] = event_words(entry.get("event"),
                                     words.titles.get(entry.get("form") or ""))
        entry["status"] = DELIVERY.get(words.deliveries.get(entry["ref"], ""), "waiting")
    elif kind == "reminder":
        entry["label"] = casefind.deadline_label(process, entry["ref"])
    return entry


def agency_names(protocol: Protocol, agency_ids) -> dict[str, str]:
    """{agency id: name} for every id among `agency_ids` the protocol has."""
    found = {}
    for agency_id in sorted(a for a in agency_ids if isinstance(a, str)):
        agency = protocol.agency(agency_id)
        if agency is not None:
            found[agency_id] = agency.name or agency_id
    return found


def visible_answers(policy: AccessPolicy, protocol: Protocol, who: Principal,
                    record: RecordVersion, consent: ConsentView) -> dict[str, Any] | None:
    """What of a record `who` may see (None: nothing). A record the reader's own agency
    made is whole; for the roles the protocol's `sharing:` governs (every role but the DAT's,
    in the shipped protocol) the scopes and consent decide; for the rest, access to the form
    does."""
    may_read = policy.may_read(who, record.form_id)
    if record.agency == who.agency and may_read:
        return record.data
    governed = who.role in protocol.sharing
    if not governed:
        return record.data if may_read else None
    return visible_data(record.form_id, record.data, who.role, who.agency, consent, protocol)


def entry_visible(entry: CaseEntry, who: Principal, admin: bool,
                  shown: Collection[str]) -> bool:
    """Whether a timeline entry is shown (`shown`: the ids of the records shown)."""
    if entry.kind == "appointment":
        return not admin
    if entry.kind == "form":
        return admin or entry.ref in shown
    if entry.kind in ("notification", "disclosure"):
        to = entry.detail.get("to")
        return admin or entry.agency == who.agency or to == who.agency
    return True


def _entry_json(entry: CaseEntry, admin: bool = False) -> dict[str, Any]:
    detail = ({k: v for k, v in entry.detail.items() if k != "reason"} if admin
              else entry.detail)
    return {"at": entry.at, "kind": entry.kind, "ref": entry.ref, "agency": entry.agency,
            **detail}


def case_json(process: Process, case: CaseState, role: str | None = None) -> dict[str, Any]:
    """The case's state, facts and the next steps (those `role` may take, when given)."""
    return {"ref": case.case_ref, "process": case.process, "state": case.state,
            "state_label": process.label(case.state), "closed": case.closed,
            "version": case.version, "opened_at": case.opened_at,
            "updated_at": case.updated_at, "facts": case.facts,
            "next_steps": caseflow.steps_json(process, case.state, role)}
