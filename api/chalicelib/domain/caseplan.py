"""What a change to a case would be, planned on a snapshot that cases.py loaded first: the
case after it, its timeline entries and deadlines, its events and audit entry, or the
refusal saying why not. cases.py then commits the plan (or keeps the refusal's audit).

Pure: no store and no clock. The moment, the caller, the process and the protocol are
passed in; event ids come from the function Planning carries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..contract import codes
from ..contract.protocol import Protocol
from ..notify.routing import route_case_event
from ..store.base import (
    AuditEntry,
    CaseChange,
    CaseEntry,
    CaseState,
    Deadline,
    OutboxEvent,
    RecordVersion,
)
from . import caseflow
from .access import Principal
from .audit import audit_entry as audit
from .caseflow import Process
from .consent import (
    POLICE_CPS_FIELD,
    Consent,
    latest_consent,
    police_cps_consent,
    withdrawn_in_force,
)
from .deadlines import wanted_deadlines
from .parties import HANDOVER, may_hand_to
from .results import Refused
from .sharing import ConsentView, check_disclosure

DIP_01 = "DIP-01"
MAX_NOTE = 2000


@dataclass(frozen=True)
class Planning:
    """What every plan reads besides the case: the process (forms/process.yaml), the
    protocol and its settings, the site's address for links, and the event id maker."""

    process: Process
    protocol: Protocol
    base_url: str
    new_event_id: Callable[[], str]

    @property
    def settings(self) -> Mapping[str, Any]:
        return self.protocol.settings


@dataclass(frozen=True)
class Snapshot:
    """One case as it was read before deciding: the case, the latest version of each of
    its records (in attach order), for a decision that reads it its timeline, and every
    version of its records of consent.CONSENT_FORMS (the consent history; empty: the latest
    versions stand for it)."""

    case: CaseState
    records: list[RecordVersion]
    entries: list[CaseEntry] = field(default_factory=list)
    versions: list[RecordVersion] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """A change to commit: the case change, its audit entry and its outbox events."""

    change: CaseChange
    audit: AuditEntry
    events: list[OutboxEvent]


@dataclass(frozen=True)
class Denied:
    """A refusal that the audit log keeps (a step the caller's role or the rules refuse)."""

    refused: Refused
    audit: AuditEntry


# -- shared by the plans ---------------------------------------------------------------------

def case_consent(protocol: Protocol, snapshot: Snapshot,
                 *extra: RecordVersion) -> Consent | None:
    """The consent decision in force for the case's person: the latest recorded on the
    consent form, the MG14 or the required assessment (consent.py), with `extra` versions
    (one being committed) counted too."""
    return consent_in_force(protocol, [*snapshot.versions, *snapshot.records, *extra])


def consent_in_force(protocol: Protocol, versions: list[RecordVersion]) -> Consent | None:
    """The latest consent decision these versions (of any forms) record."""
    return latest_consent(versions, protocol.agencies)


def case_consent_view(protocol: Protocol, snapshot: Snapshot,
                      today: datetime.date) -> ConsentView:
    """What the case's consent in force allows today: what every read and message shares."""
    return ConsentView.of(case_consent(protocol, snapshot), today)


def with_consent_fact(protocol: Protocol, facts: Mapping[str, Any], consent: Consent | None,
                      today: datetime.date) -> dict[str, Any]:
    """The facts with consent_police_cps as the consent in force says it (given, refused,
    withdrawn, not_named; absent when none is recorded): the value DIP-01's guards read,
    whichever form recorded the latest decision."""
    value = police_cps_consent(consent, protocol.agencies, str(today))
    out = {k: v for k, v in facts.items() if k != POLICE_CPS_FIELD}
    return {**out, POLICE_CPS_FIELD: value} if value is not None else out


def consent_said(consent: Consent | None, value: str | None) -> dict[str, str]:
    """DIP-01's sentence on what the case holds: the decision in force, its date and its
    form, or that none is recorded."""
    if consent is None:
        said = ("No consent decision is recorded for this case: record the offender's "
                "decision on the consent to share information form")
    elif value == "not_named":
        said = (f"The consent in force ({consent.decision}, {consent.source}) names "
                "neither the police nor the CPS")
    else:
        when = consent.on or consent.recorded_at[:10]
        decision = "refused" if value == "refused" else consent.decision
        said = f"Consent was {decision} on {when} ({consent.source})"
    return {DIP_01: said}


def _refusal(planning: Planning, case: CaseState, step_id: str, role: str,
             facts: Mapping[str, Any], today: datetime.date, consent: Consent | None
             ) -> tuple[Refused | None, dict[str, Any]]:
    """caseflow.refusal on the facts with `consent` (the consent in force), and those
    facts."""
    facts = with_consent_fact(planning.protocol, facts, consent, today)
    said = consent_said(consent, facts.get(POLICE_CPS_FIELD))
    return caseflow.refusal(planning.process, case, step_id, role, facts, today, said), facts


def notify(planning: Planning, event: str, case_ref: str, records: list[RecordVersion],
           at: str, *, reason: str | None = None, detail: Mapping[str, Any] | None = None,
           history: list[RecordVersion] | None = None) -> list[OutboxEvent]:
    """The outbox events the local protocol routes for a case event (maybe none). What
    they carry follows the consent in force, from `history` (every version) when given,
    else from the latest versions in `records`."""
    consent = ConsentView.of(consent_in_force(planning.protocol, [*(history or ()), *records]),
                             (detail or {}).get("today") or at[:10])
    return route_case_event(event, case_ref, planning.protocol, records=records,
                            consent=consent, reason=reason, detail=dict(detail or {}),
                            base_url=planning.base_url, now=at, new_id=planning.new_event_id)


def sent_entries(case_ref: str, events: list[OutboxEvent], at: str, actor: str,
                 agency: str) -> list[CaseEntry]:
    return [CaseEntry(case_ref, at, "notification", e.event_id, actor, agency,
                      {"event": e.event, "to": e.recipient.get("agency"),
                       "channel": e.channel}) for e in events]


def wanted(planning: Planning, case: CaseState) -> list[Deadline]:
    return wanted_deadlines(planning.process.deadlines, case, planning.settings)


def _transition_entry(case: CaseState, step: Mapping[str, Any], who: Principal,
                      at: str, **extra: Any) -> CaseEntry:
    return CaseEntry(case.case_ref, at, "transition", step["id"], who.user_id, who.agency,
                     {"from": case.state, "to": step["to"], **extra})


# -- a record opening or joining a case ------------------------------------------------------

def opening(planning: Planning, who: Principal, version: RecordVersion, at: str,
            today: datetime.date) -> tuple[CaseChange, list[OutboxEvent]]:
    """The case an opening record (an MG14) starts, named by the record's id, moved along
    every step the record makes from the start state (an MG14 of a caution given opens
    the case at administered), and the events those steps raise."""
    case = caseflow.open_case(planning.process, version.record_id, version.data, at, today)
    consent = consent_in_force(planning.protocol, [version])
    case = replace(case, facts=with_consent_fact(planning.protocol, case.facts, consent, today))
    after, moves, events, stopped = _moves(planning, who, Snapshot(case, []), version,
                                           case.facts, consent, at, today)
    after = replace(after, version=1)
    entries = [CaseEntry(case.case_ref, at, "opened", version.record_id, who.user_id,
                         who.agency, {"form": version.form_id, "state": case.state,
                                      **stopped})]
    return CaseChange(after, entries + moves, wanted(planning, after),
                      [version.record_id]), events


def _moves(planning: Planning, who: Principal, snapshot: Snapshot, version: RecordVersion,
           facts: Mapping[str, Any], consent: Consent | None, at: str, today: datetime.date
           ) -> tuple[CaseState, list[CaseEntry], list[OutboxEvent], dict[str, Any]]:
    """The case after the steps a record makes (caseflow.chain from its state: a failed
    guard stops the chain, the case stays there and the record is kept), its timeline
    entries, and the events raised: each step's `notify` when the submitter's role is one
    the step names (a step the record only recounts, such as the CPS's decision on the
    MG14, was told when it was taken), a withdrawal of consent (N26), and the record's own
    `events:` (N06 when the MG14 records the follow-up assessment cancelled); and, when a
    guard stopped the chain, which step and why (for the record's timeline entry)."""
    process, case = planning.process, snapshot.case
    said = consent_said(consent, facts.get(POLICE_CPS_FIELD))
    made = caseflow.chain(process, case.state, version.form_id, version.data, facts, today,
                          said)
    state, entries = case, []
    raised: list[tuple[str, dict[str, Any]]] = []
    for step in made.steps:
        entries.append(_transition_entry(state, step, who, at, record=version.record_id))
        state = replace(state, state=step["to"])
        if step.get("notify") and who.role in step["roles"]:
            raised.append((step["notify"], {"state": step["to"]}))
    after = caseflow.moved(process, state, None, facts, at)
    before = next((r.data for r in snapshot.records if r.record_id == version.record_id
                   and r.version < version.version), None)
    raised += [(event, {"state": after.state}) for event in
               caseflow.form_events(process, version.form_id, version.data, before, today)]
    told = withdrawal_told(planning.protocol, snapshot, consent, today)
    if told is not None:
        raised.append(("N26", {"state": after.state, "agencies": told}))
    # the case's records with this version in place of its last
    records = [r for r in snapshot.records if r.record_id != version.record_id] + [version]
    events: list[OutboxEvent] = []
    made_by = {"record": {"form": version.form_id, "id": version.record_id}}
    for event, detail in raised:      # each message names the record that raised it too
        events += notify(planning, event, case.case_ref, records, at,
                         detail={**detail, **made_by}, history=[*snapshot.versions, version])
    if made.stopped is not None:      # the chain stopped at a guard: say which, and why
        item = made.refused.errors[0]
        stopped = {"stopped_at": made.stopped["id"], "rule": item.get("rule"),
                   "reason": item["message"]}   # the DAT reads the rule, not why
    else:
        stopped = {}
    entries += sent_entries(case.case_ref, events, at, who.user_id, who.agency)
    return after, entries, events, stopped


def unknown_case(process: Process, form_id: str) -> Refused:
    return Refused("invalid", [{"field": "/" + process.links[form_id],
                                "code": codes.UNKNOWN_CASE,
                                "message": "There is no case with this reference: check "
                                "the MG14 reference"}])


def attaching(planning: Planning, who: Principal, snapshot: Snapshot, version: RecordVersion,
              at: str, today: datetime.date) -> tuple[CaseChange, list[OutboxEvent]] | Refused:
    """A record (or a new version of one) joining its case: its facts (consent_police_cps
    as the consent in force, this version counted), the steps it makes from the case's
    state, whichever its version (a later MG14 with its outcome moves the case on), and
    the events these raise (_moves)."""
    process, case = planning.process, snapshot.case
    facts = caseflow.facts_from(process, case.facts, version.form_id, version.data, today)
    consent = case_consent(planning.protocol, snapshot, version)   # this version counted
    facts = with_consent_fact(planning.protocol, facts, consent, today)
    after, moves, events, stopped = _moves(planning, who, snapshot, version, facts, consent,
                                           at, today)
    entries = [CaseEntry(case.case_ref, at, "form", version.record_id, who.user_id,
                         who.agency, {"form": version.form_id, "version": version.version,
                                      **stopped}), *moves]
    return CaseChange(after, entries, wanted(planning, after), [version.record_id]), events


def withdrawal_told(protocol: Protocol, snapshot: Snapshot, after: Consent | None,
                    today: datetime.date) -> list[str] | None:
    """The agencies to tell (N26) when a version, of any consent form, withdraws the
    consent in force before it (`after`: the consent in force with it counted); None when
    it withdraws nothing new. They are the agencies that consent named, as protocol ids."""
    if after is None or not withdrawn_in_force(after, str(today)):
        return None
    if withdrawn_in_force(case_consent(protocol, snapshot), str(today)):
        return None
    known = protocol.agency_ids
    return sorted(a for a in after.agencies if a in known)


# -- requests on a case ----------------------------------------------------------------------

def transition(planning: Planning, who: Principal, snapshot: Snapshot, request: Any, at: str,
               today: datetime.date, request_id: str | None) -> Plan | Refused | Denied:
    """Take the step `request["transition"]` (a button: a form step is its form's to
    make), with what it asks (`reason`, for a step that ends the case), or say why not
    (nothing changes then)."""
    process, case = planning.process, snapshot.case
    case_ref = case.case_ref
    if not isinstance(request, dict) or not isinstance(request.get("transition"), str):
        return Refused("bad_request", [{"field": "/transition", "code": codes.REQUIRED,
                                        "message": "Name the step to take as transition",
                                        "allowed": caseflow.steps_json(process, case.state)}])
    base = request.get("base_version")
    if base is not None and base != case.version:
        return Refused("version_conflict")
    step_id = request["transition"]
    refused, facts = _refusal(planning, case, step_id, who.role, case.facts, today,
                              case_consent(planning.protocol, snapshot))
    if refused is not None:
        return Denied(refused, audit(who, "transition_denied", case_ref, at, reason=step_id,
                                     request_id=request_id, reason_ref=step_id))
    step = process.transitions[step_id]
    answers = caseflow.asked(step, request)     # what the button asks: a reason to end
    if isinstance(answers, Refused):
        return answers
    after = caseflow.moved(process, case, step, facts, at)
    events = (notify(planning, step["notify"], case_ref, snapshot.records, at,
                     detail={"state": after.state}, history=snapshot.versions)
              if step.get("notify") else [])
    # the reason is the parties' note on the timeline (the DAT does not read it); the
    # audit log keeps which step, not the words
    entries = [_transition_entry(case, step, who, at, **answers),
               *sent_entries(case_ref, events, at, who.user_id, who.agency)]
    return Plan(CaseChange(after, entries, wanted(planning, after)),
                audit(who, "transition", case_ref, at, reason=step_id, request_id=request_id,
                      reason_ref=step_id),
                events)


def recorded_fact(planning: Planning, who: Principal, snapshot: Snapshot, request: Any,
                  at: str, request_id: str | None) -> Plan | Refused:
    """Record a fact staff keep on the case (a release date, the start of supervision)."""
    process, case = planning.process, snapshot.case
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
        events = notify(planning, fact["notify"], case_ref, snapshot.records, at, detail=detail)
    entries = [CaseEntry(case_ref, at, "fact", fact_id, who.user_id, who.agency,
                         {"fact": fact_id}),
               *sent_entries(case_ref, events, at, who.user_id, who.agency)]
    return Plan(CaseChange(after, entries, wanted(planning, after)),
                audit(who, "record_fact", case_ref, at, reason=fact_id, request_id=request_id,
                      reason_ref=fact_id),
                events)


def appointment(planning: Planning, who: Principal, snapshot: Snapshot, request: Any,
                at: str, request_id: str | None) -> Plan | Refused:
    """Book an appointment for the person; one that overlaps another agency's tells both
    owners (N27, SUP-04). Appointments are times and an agency, never a place or a name."""
    process, case = planning.process, snapshot.case
    case_ref = case.case_ref
    slot = _slot(request)
    if isinstance(slot, Refused):
        return slot
    starts, ends = slot
    clashes = sorted({e.agency for e in snapshot.entries
                      if e.kind == "appointment" and e.agency != who.agency
                      and e.detail["starts_at"] < ends and starts < e.detail["ends_at"]})
    after = caseflow.moved(process, case, None, case.facts, at)
    events: list[OutboxEvent] = []
    if clashes:
        events = notify(planning, "N27", case_ref, snapshot.records, at,
                        detail={"state": case.state, "due_on": starts[:10],
                                "agencies": [who.agency, *clashes]})
    entries = [CaseEntry(case_ref, at, "appointment", f"{starts}/{ends}", who.user_id,
                         who.agency, {"starts_at": starts, "ends_at": ends,
                                      "clashes_with": clashes}),
               *sent_entries(case_ref, events, at, who.user_id, who.agency)]
    return Plan(CaseChange(after, entries, wanted(planning, after)),
                audit(who, "appointment", case_ref, at, request_id=request_id), events)


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


def disclosure(planning: Planning, who: Principal, snapshot: Snapshot, request: Any, at: str,
               today: datetime.date, request_id: str | None) -> Plan | Refused:
    """Record a disclosure {recipient, ground, items, reason, custody?, ...}: with consent,
    or on a ground PC36/2007 §2 gives (IS-01, IS-02) and within that ground's scope (the
    protocol's disclosure_grounds). What, to whom and on which ground go to the audit log
    (N25); the reason given is on the case's timeline, for the two agencies."""
    process, case, protocol = planning.process, snapshot.case, planning.protocol
    case_ref = case.case_ref
    request = request if isinstance(request, dict) else {}
    consent = case_consent_view(protocol, snapshot, today)
    problems = check_disclosure(request, consent, protocol,
                                custody=bool(request.get("custody")), from_role=who.role)
    if problems:
        return Refused("invalid", problems)
    ground = protocol.disclosure_grounds[request["ground"]]
    detail = {"to": request["recipient"], "ground": request["ground"],
              "rule": ground.rule, "items": sorted(request["items"]),
              "reason": request["reason"].strip()[:MAX_NOTE]}
    events = notify(planning, "N25", case_ref, snapshot.records, at,
                    detail={"state": case.state, "agencies": [request["recipient"]]})
    after = caseflow.moved(process, case, None, case.facts, at)
    entries = [CaseEntry(case_ref, at, "disclosure", request["ground"], who.user_id,
                         who.agency, detail),
               *sent_entries(case_ref, events, at, who.user_id, who.agency)]
    # the typed reason is the case's note (the timeline entry, which the two agencies
    # read); the audit log keeps what, to whom and on which ground, and where the why is
    why = (f"{ground.rule or request['ground']} ({request['ground']}) to "
           f"{request['recipient']}: {', '.join(detail['items'])}")
    return Plan(CaseChange(after, entries, wanted(planning, after)),
                audit(who, "disclosure", case_ref, at, reason=why, request_id=request_id,
                      reason_ref=f"{case_ref}:disclosure@{at}"),
                events)


# -- hand-over (the access model: domain/parties.py) ---------------------------------------

def handover(planning: Planning, who: Principal, snapshot: Snapshot, request: Any, at: str,
             request_id: str | None) -> Plan | Refused:
    """{agency, reason?}: a party hands the case to another agency of the protocol, which
    becomes a party too (a `handover` timeline entry, with the reason, which the parties
    read and the DAT does not). The audit log keeps who handed it to whom, not the reason's
    text."""
    case = snapshot.case
    request = request if isinstance(request, dict) else {}
    agency, reason = request.get("agency"), request.get("reason")
    problems = []
    if not isinstance(agency, str) or not agency:
        problems.append({"field": "/agency", "code": codes.REQUIRED,
                         "message": "Select the agency to hand the case to"})
    elif not may_hand_to(planning.protocol, agency):
        problems.append({"field": "/agency", "code": codes.UNKNOWN_AGENCY,
                         "message": "Select an agency of the local protocol whose staff use "
                                    "this service"})
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_NOTE):
        problems.append({"field": "/reason", "code": codes.MAX_LENGTH,
                         "message": f"Give the reason as text of at most {MAX_NOTE} "
                                    "characters"})
    if problems:
        return Refused("invalid", problems)
    after = caseflow.moved(planning.process, case, None, case.facts, at)
    detail = {"to": agency, **({"reason": reason.strip()} if reason and reason.strip() else {})}
    entry = CaseEntry(case.case_ref, at, HANDOVER, agency, who.user_id, who.agency, detail)
    return Plan(CaseChange(after, [entry], wanted(planning, after)),
                audit(who, "handover", case.case_ref, at, reason=f"to {agency}",
                      request_id=request_id),
                [])
