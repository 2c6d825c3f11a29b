"""Cases through the Store: opening a case with its MG14, attaching records, transitions,
facts recorded on a case, appointments (and their clashes), disclosures, and reading a
case's timeline as the reader may see it.

The decisions are caseflow.py's (from forms/process.yaml), sharing.py's (consent and
scopes) and deadlines.py's; this module gathers what they need from the Store and hands
each change back as one CaseChange, committed atomically with its audit entry and events.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from typing import Any

from . import caseflow, codes, confirmations
from .access import Principal
from .caseflow import Process
from .clock import england_date, iso
from .deadlines import wanted_deadlines
from .notify.routing import latest_by_form, route_case_event
from .results import Done, Refused, Result
from .sharing import ConsentView, check_disclosure, visible_data
from .store.base import (
    AuditEntry,
    CaseChange,
    CaseEntry,
    CaseState,
    OutboxEvent,
    RecordVersion,
    StoreError,
    VersionConflict,
)

CONSENT_FORM = "consent_to_share_information"
MAX_NOTE = 2000


def process_of(ctx) -> Process | None:
    return ctx.catalogue.case_process


def settings_of(ctx) -> Mapping[str, Any]:
    return ctx.catalogue.settings


# -- gathering -----------------------------------------------------------------------------

def case_records(ctx, case_ref: str) -> list[RecordVersion]:
    """The latest version of every record attached to the case, in attach order."""
    found = (ctx.store.get_version(record_id) for record_id in ctx.store.case_records(case_ref))
    return [record for record in found if record is not None]


def consent_of(records: list[RecordVersion]) -> Mapping[str, Any] | None:
    """The most recently made consent record's answers (None: no consent record); the
    same "latest" that decides which record a message's answers come from."""
    consent = latest_by_form(records).get(CONSENT_FORM)
    return consent.data if consent else None


def consent_view(ctx, data: Mapping[str, Any] | None, today: datetime.date) -> ConsentView:
    """A consent record's answers as what they allow today (agencies named by their
    protocol name or id are known by id)."""
    return ConsentView.from_data(data, today, agencies=ctx.catalogue.protocol.get("agencies")
                                 or ())


def notify(ctx, event: str, case_ref: str, records: list[RecordVersion], at: str, *,
           reason: str | None = None, detail: Mapping[str, Any] | None = None
           ) -> list[OutboxEvent]:
    """The outbox events the local protocol routes for a case event (maybe none)."""
    return route_case_event(event, case_ref, ctx.catalogue.protocol, records=records,
                            consent=consent_of(records), reason=reason, detail=dict(detail or {}),
                            base_url=ctx.base_url, now=at,
                            new_id=ctx.new_event_id)


def sent_entries(case_ref: str, events: list[OutboxEvent], at: str, actor: str,
                 agency: str) -> list[CaseEntry]:
    return [CaseEntry(case_ref, at, "notification", e.event_id, actor, agency,
                      {"event": e.event, "to": e.recipient.get("agency"),
                       "channel": e.channel}) for e in events]


def audit(who: Principal, action: str, target: str, at: str, reason: str | None = None,
          request_id: str | None = None) -> AuditEntry:
    return AuditEntry(at=at, actor=who.user_id, role=who.role, agency=who.agency,
                      action=action, target=target, reason=reason, request_id=request_id)


# -- records joining a case ----------------------------------------------------------------

def plan_for_record(ctx, who: Principal, version: RecordVersion, at: str,
                    today: datetime.date) -> tuple[CaseChange | None, list[OutboxEvent]] | Refused:
    """What a new record (or record version) does to its case: opens one (the MG14),
    attaches to one (a linked form naming a case), maybe moves it, and its events."""
    process = process_of(ctx)
    if process is None:
        return None, []
    if version.form_id == process.opened_by and version.version == 1:
        case = caseflow.open_case(process, version.record_id, version.data, at, today)
        entries = [CaseEntry(case.case_ref, at, "opened", version.record_id, who.user_id,
                             who.agency, {"form": version.form_id, "state": case.state})]
        return CaseChange(case, entries, wanted(ctx, process, case),
                          [version.record_id]), []
    case_ref = (version.record_id if version.form_id == process.opened_by
                else ctx.store.case_of_record(version.record_id) if version.version > 1
                else None) or process.case_ref_in(version.form_id, version.data)
    if case_ref is None:
        return None, []
    case = ctx.store.get_case(case_ref)
    if case is None:
        return Refused("invalid", [{"field": "/" + process.links[version.form_id],
                                    "code": codes.UNKNOWN_CASE,
                                    "message": "There is no case with this reference: check "
                                    "the MG14 reference"}])
    return _attach(ctx, process, who, case, version, at, today)


def _attach(ctx, process: Process, who: Principal, case: CaseState, version: RecordVersion,
            at: str, today: datetime.date) -> tuple[CaseChange, list[OutboxEvent]] | Refused:
    facts = caseflow.facts_from(process, case.facts, version.form_id, version.data, today)
    step = (caseflow.triggered(process, case, version.form_id, version.data, who.role, today)
            if version.version == 1 else None)
    if step is not None:
        refused = caseflow.refusal(process, case, step["id"], who.role, facts, today)
        if refused is not None:
            return refused
    after = caseflow.moved(process, case, step, facts, at)
    entries = [CaseEntry(case.case_ref, at, "form", version.record_id, who.user_id,
                         who.agency, {"form": version.form_id, "version": version.version})]
    raised: list[tuple[str, dict[str, Any]]] = []
    if step is not None:
        entries.append(_transition_entry(case, step, who, at))
        if step.get("notify"):
            raised.append((step["notify"], {"state": after.state}))
    told = _withdrawal_told(ctx, version, today) if version.form_id == CONSENT_FORM else None
    if told is not None:
        raised.append(("N26", {"state": after.state, "agencies": told}))
    events: list[OutboxEvent] = []
    if raised:  # the case's records, this version in place of its last, are read only now
        records = [r for r in case_records(ctx, case.case_ref)
                   if r.record_id != version.record_id] + [version]
        for event, detail in raised:
            events += notify(ctx, event, case.case_ref, records, at, detail=detail)
    entries += sent_entries(case.case_ref, events, at, who.user_id, who.agency)
    return CaseChange(after, entries, wanted(ctx, process, after), [version.record_id]), events


def _withdrawal_told(ctx, version: RecordVersion, today: datetime.date) -> list[str] | None:
    """The agencies to tell (N26) when this consent version withdraws consent that the
    one before it gave; None when it withdraws nothing new. They are the agencies the
    consent named, as protocol ids."""
    if not consent_view(ctx, version.data, today).withdrawn:
        return None
    before = (ctx.store.get_version(version.record_id, version.version - 1)
              if version.version > 1 else None)
    if before is not None and consent_view(ctx, before.data, today).withdrawn:
        return None
    named = consent_view(ctx, (before or version).data, today).agencies
    known = {a["id"] for a in ctx.catalogue.protocol.get("agencies") or ()}
    return sorted(a for a in named if a in known)


def wanted(ctx, process: Process, case: CaseState):
    return wanted_deadlines(process.deadlines, case, settings_of(ctx))


def _transition_entry(case: CaseState, step: Mapping[str, Any], who: Principal,
                      at: str) -> CaseEntry:
    return CaseEntry(case.case_ref, at, "transition", step["id"], who.user_id, who.agency,
                     {"from": case.state, "to": step["to"]})


# -- requests on a case --------------------------------------------------------------------

def load(ctx, who: Principal, case_ref: str) -> tuple[Process, CaseState] | Refused:
    """The case, if it exists and the caller's agency is one of the area's."""
    process = process_of(ctx)
    case = ctx.store.get_case(case_ref) if process and _is_ref(case_ref) else None
    if case is None:
        return Refused("not_found")
    if not ctx.policy.readable_forms(who):
        return Refused("forbidden")
    return process, case


def on_case(action):
    """Load the case the request names first: the action runs with (process, case) only
    when the case exists and the caller is in the area; otherwise the Refused answers."""
    @functools.wraps(action)
    def run(ctx, who: Principal, case_ref: str, *args, **kwargs):
        loaded = load(ctx, who, case_ref)
        if isinstance(loaded, Refused):
            return loaded
        return action(ctx, who, *loaded, *args, **kwargs)
    return run


def _now(ctx) -> tuple[str, datetime.date]:
    """This moment as stored, and today in England: one reading of the clock."""
    now = ctx.now()
    return iso(now), england_date(now)


def _is_ref(text: str) -> bool:
    return 3 <= len(text) <= 64 and text.isascii() and all(c.isalnum() or c == "-"
                                                           for c in text)


@on_case
def transition(ctx, who: Principal, process: Process, case: CaseState, request: Any,
               request_id: str | None = None) -> Result:
    """Take the step `request["transition"]`, or say why not (nothing changes then)."""
    at, today = _now(ctx)
    case_ref = case.case_ref
    if not isinstance(request, dict) or not isinstance(request.get("transition"), str):
        return Refused("bad_request", [{"field": "/transition", "code": codes.REQUIRED,
                                        "message": "Name the step to take as transition",
                                        "allowed": caseflow.steps_json(process, case.state)}])
    base = request.get("base_version")
    if base is not None and base != case.version:
        return Refused("version_conflict")
    step_id = request["transition"]
    refused = caseflow.refusal(process, case, step_id, who.role, case.facts, today)
    if refused is not None:
        ctx.store.append_audit(audit(who, "transition_denied", case_ref, at,
                                     reason=step_id, request_id=request_id))
        return refused
    step = process.transitions[step_id]
    after = caseflow.moved(process, case, step, case.facts, at)
    events = (notify(ctx, step["notify"], case_ref, case_records(ctx, case_ref), at,
                     detail={"state": after.state}) if step.get("notify") else [])
    entries = [_transition_entry(case, step, who, at),
               *sent_entries(case_ref, events, at, who.user_id, who.agency)]
    return _commit(ctx, CaseChange(after, entries, wanted(ctx, process, after)),
                   audit(who, "transition", case_ref, at, reason=step_id,
                         request_id=request_id), events)


def _commit(ctx, change: CaseChange, entry: AuditEntry,
            events: list[OutboxEvent]) -> Result:
    """The change, its audit entry and its events in one step; the case as it now is."""
    try:
        ctx.store.change_case(change, entry, events)
    except VersionConflict:
        return Refused("version_conflict")
    except StoreError:
        return Refused("unavailable")
    return Done({"case": case_json(process_of(ctx), change.case)})


@on_case
def record_fact(ctx, who: Principal, process: Process, case: CaseState, request: Any,
                request_id: str | None = None) -> Result:
    """Record a fact staff keep on the case (a release date, the start of supervision)."""
    at, _ = _now(ctx)
    case_ref = case.case_ref
    request = request if isinstance(request, dict) else {}
    fact_id, value = request.get("fact"), request.get("value")
    refused = caseflow.recorded_fact_refusal(process, fact_id, value, who.role)
    if refused is not None:
        return refused
    fact = process.facts[fact_id]
    after = caseflow.moved(process, case, None, {**case.facts, fact_id: value}, at)
    events: list[OutboxEvent] = []
    if fact.get("notify"):
        detail = {"state": after.state, "due_on": str(value)[:10]}
        flag = caseflow.fact_flag(fact, value)
        if flag:
            detail["flag"] = flag
        events = notify(ctx, fact["notify"], case_ref, case_records(ctx, case_ref), at,
                        detail=detail)
    entries = [CaseEntry(case_ref, at, "fact", fact_id, who.user_id, who.agency,
                         {"fact": fact_id}),
               *sent_entries(case_ref, events, at, who.user_id, who.agency)]
    return _commit(ctx, CaseChange(after, entries, wanted(ctx, process, after)),
                   audit(who, "record_fact", case_ref, at, reason=fact_id,
                         request_id=request_id), events)


@on_case
def add_appointment(ctx, who: Principal, process: Process, case: CaseState, request: Any,
                    request_id: str | None = None) -> Result:
    """Book an appointment for the person; one that overlaps another agency's tells both
    owners (N27, SUP-04). Appointments are times and an agency, never a place or a name."""
    at, _ = _now(ctx)
    case_ref = case.case_ref
    slot = _slot(request)
    if isinstance(slot, Refused):
        return slot
    starts, ends = slot
    clashes = sorted({e.agency for e in ctx.store.case_entries(case_ref)
                      if e.kind == "appointment" and e.agency != who.agency
                      and e.detail["starts_at"] < ends and starts < e.detail["ends_at"]})
    after = caseflow.moved(process, case, None, case.facts, at)
    events: list[OutboxEvent] = []
    if clashes:
        events = notify(ctx, "N27", case_ref, case_records(ctx, case_ref), at,
                        detail={"state": case.state, "due_on": starts[:10],
                                "agencies": [who.agency, *clashes]})
    entries = [CaseEntry(case_ref, at, "appointment", f"{starts}/{ends}", who.user_id,
                         who.agency, {"starts_at": starts, "ends_at": ends,
                                      "clashes_with": clashes}),
               *sent_entries(case_ref, events, at, who.user_id, who.agency)]
    outcome = _commit(ctx, CaseChange(after, entries, wanted(ctx, process, after)),
                      audit(who, "appointment", case_ref, at, request_id=request_id), events)
    return outcome


def _slot(request: Any) -> tuple[str, str] | Refused:
    request = request if isinstance(request, dict) else {}
    starts, ends, problems = request.get("starts_at"), request.get("ends_at"), []
    for name, value in (("starts_at", starts), ("ends_at", ends)):
        if not caseflow.is_fact_value("datetime", value):
            problems.append({"field": f"/{name}", "code": codes.FORMAT,
                             "message": f"Give {name} as a date and time, like 2026-12-04T10:30"})
    if not problems and ends <= starts:
        problems.append({"field": "/ends_at", "code": codes.ORDER,
                         "message": "The appointment must end after it starts"})
    return Refused("invalid", problems) if problems else (starts, ends)


@on_case
def disclose(ctx, who: Principal, process: Process, case: CaseState, request: Any,
             request_id: str | None = None) -> Result:
    """Record a disclosure {recipient, ground, items, reason, custody?, ...}: with consent,
    or on a ground PC36/2007 §2 gives (IS-01, IS-02) and within that ground's scope (the
    protocol's disclosure_grounds). What, to whom and why go to the audit log (N25)."""
    at, today = _now(ctx)
    case_ref = case.case_ref
    request = request if isinstance(request, dict) else {}
    records = case_records(ctx, case_ref)
    consent = consent_view(ctx, consent_of(records), today)
    problems = check_disclosure(request, consent, ctx.catalogue.protocol,
                                custody=bool(request.get("custody")), from_role=who.role)
    if problems:
        return Refused("invalid", problems)
    ground = ctx.catalogue.protocol["disclosure_grounds"][request["ground"]]
    detail = {"to": request["recipient"], "ground": request["ground"],
              "rule": ground.get("rule"), "items": sorted(request["items"])}
    events = notify(ctx, "N25", case_ref, records, at,
                    detail={"state": case.state, "agencies": [request["recipient"]]})
    after = caseflow.moved(process, case, None, case.facts, at)
    entries = [CaseEntry(case_ref, at, "disclosure", request["ground"], who.user_id,
                         who.agency, detail),
               *sent_entries(case_ref, events, at, who.user_id, who.agency)]
    why = (f"{ground.get('rule') or request['ground']} ({request['ground']}) to "
           f"{request['recipient']}: {', '.join(detail['items'])}; "
           f"{request['reason'].strip()[:MAX_NOTE]}")
    return _commit(ctx, CaseChange(after, entries, wanted(ctx, process, after)),
                   audit(who, "disclosure", case_ref, at, reason=why,
                         request_id=request_id), events)


# -- reading a case ------------------------------------------------------------------------

@on_case
def case_view(ctx, who: Principal, process: Process, case: CaseState) -> Result:
    """The case as `who` may see it: its state and next steps, the records (each cut to
    what the reader may see: their agency's own records whole, others by access, scope and
    consent), and the timeline (forms the reader may not see are left out)."""
    case_ref = case.case_ref
    records = case_records(ctx, case_ref)
    consent = consent_view(ctx, consent_of(records), ctx.today())
    admin = ctx.policy.is_admin(who)
    shown: dict[str, dict[str, Any]] = {}
    for record in records:
        data = _visible(ctx, who, record, consent, admin)
        if data is not None:
            answers, kept = confirmations.stored_view(data)   # warnings gone ahead with
            shown[record.record_id] = {"id": record.record_id, "form": record.form_id,
                                       "version": record.version, "agency": record.agency,
                                       "created_at": record.created_at, "data": answers,
                                       "confirmations": kept}
    attached = {r.record_id: r.form_id for r in records}
    timeline = [_entry_json(e) for e in ctx.store.case_entries(case_ref)
                if _entry_visible(e, who, admin, attached, shown)]
    return Done({"case": case_json(process, case, who.role), "records": list(shown.values()),
                 "timeline": timeline})


def _visible(ctx, who: Principal, record: RecordVersion, consent: ConsentView,
             admin: bool) -> dict[str, Any] | None:
    if admin:
        return None  # the DAT sees the case's shape and codes, not the answers
    return visible_answers(ctx, who, record, consent)


def visible_answers(ctx, who: Principal, record: RecordVersion,
                    consent: ConsentView) -> dict[str, Any] | None:
    """What of a record `who` may see (None: nothing). A record the reader's own agency
    made is whole; for the roles the protocol's `sharing:` governs (the police and CPS) the
    scopes and consent decide; for the rest, access to the form does."""
    may_read = ctx.policy.may_read(who, record.form_id)
    if record.agency == who.agency and may_read:
        return record.data
    governed = who.role in (ctx.catalogue.protocol.get("sharing") or {})
    if not governed:
        return record.data if may_read else None
    return visible_data(record.form_id, record.data, who.role, who.agency, consent,
                        ctx.catalogue.protocol)


def record_as_seen(ctx, who: Principal, record: RecordVersion,
                   today: datetime.date) -> dict[str, Any] | None:
    """`visible_answers` for one record read on its own, with its case's consent."""
    case_ref = ctx.store.case_of_record(record.record_id)
    consent = consent_view(ctx, consent_of(case_records(ctx, case_ref)) if case_ref else None,
                           today)
    return visible_answers(ctx, who, record, consent)


def _entry_visible(entry: CaseEntry, who: Principal, admin: bool, attached: Mapping[str, str],
                   shown: Mapping[str, Any]) -> bool:
    if entry.kind == "form":
        return admin or entry.ref in shown
    if entry.kind in ("notification", "disclosure"):
        to = entry.detail.get("to")
        return admin or entry.agency == who.agency or to == who.agency
    return True


def _entry_json(entry: CaseEntry) -> dict[str, Any]:
    return {"at": entry.at, "kind": entry.kind, "ref": entry.ref, "agency": entry.agency,
            **entry.detail}


def case_json(process: Process, case: CaseState, role: str | None = None) -> dict[str, Any]:
    return {"ref": case.case_ref, "process": case.process, "state": case.state,
            "state_label": process.label(case.state), "closed": case.closed,
            "version": case.version, "opened_at": case.opened_at,
            "updated_at": case.updated_at, "facts": case.facts,
            "next_steps": caseflow.steps_json(process, case.state, role)}
