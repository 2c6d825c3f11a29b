"""A case as its reader may see it: the case's state and next steps, its records each cut to
what the reader may see (their agency's own whole; others by access, the protocol's
`sharing:` scopes and consent), and the timeline without the forms they may not see.
cases.py lets only a party (parties.py) or the DAT administrator this far; the
administrator sees the case's shape, codes and references: no answers, facts, appointment
times or hand-over reasons.

Pure: works on a Snapshot that cases.py loaded, with the access policy and protocol.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..contract.protocol import Protocol
from ..store.base import CaseEntry, CaseState, RecordVersion
from . import casefind, caseflow, confirmations
from .access import AccessPolicy, Principal
from .caseflow import Process
from .caseplan import Snapshot, case_consent_view
from .person import person_of
from .sharing import ConsentView, visible_data


def case_view(process: Process, policy: AccessPolicy, protocol: Protocol,
              who: Principal, snapshot: Snapshot, today: datetime.date,
              words: TimelineWords | None = None) -> dict[str, Any]:
    """{case, records, timeline, agencies} as `who` may see them: the case with its
    deadlines and its person (what the reader may see of them; None for the DAT
    administrator, who sees the case's shape and codes, not the answers), and the timeline
    in words (`words`: the form titles and the notifications' delivery, read by the
    caller)."""
    words = words or TimelineWords()
    consent = case_consent_view(protocol, snapshot, today)
    admin = policy.is_admin(who)
    shown: dict[str, dict[str, Any]] = {}
    for record in snapshot.records:
        data = None if admin else visible_answers(policy, protocol, who, record, consent)
        if data is not None:
            answers, kept = confirmations.stored_view(data)   # warnings gone ahead with
            shown[record.record_id] = {"id": record.record_id, "form": record.form_id,
                                       "version": record.version, "agency": record.agency,
                                       "created_at": record.created_at, "data": answers,
                                       "confirmations": kept}
    timeline = [timeline_words(process, _entry_json(e, admin), words) for e in snapshot.entries
                if _entry_visible(e, who, admin, shown)]
    case = case_json(process, snapshot.case, who.role)
    case["deadlines"] = casefind.case_deadlines(process, protocol, snapshot.case, today)
    case["forms"] = [] if snapshot.case.closed else process.forms_for(snapshot.case.facts,
                                                                      today)
    case["person"] = None if admin else person_of(r["data"] for r in shown.values())
    if admin:
        case["facts"] = {}
    named = {who.agency, *(r["agency"] for r in shown.values())}
    for entry in timeline:
        named.add(entry.get("agency"))
        to = entry.get("to")
        named |= set(to) if isinstance(to, list) else {to}
    return {"case": case, "records": list(shown.values()), "timeline": timeline,
            "agencies": agency_names(protocol, named)}


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


def _entry_visible(entry: CaseEntry, who: Principal, admin: bool,
                   shown: Mapping[str, Any]) -> bool:
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
