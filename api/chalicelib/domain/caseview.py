"""A case as its reader may see it: the case's state and next steps, its records each cut to
what the reader may see (their agency's own whole; others by access, the protocol's
`sharing:` scopes and consent), and the timeline without the forms they may not see.

Pure: works on a Snapshot that cases.py loaded, with the access policy and protocol.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from ..contract.protocol import Protocol
from ..store.base import CaseEntry, CaseState, RecordVersion
from . import caseflow, confirmations
from .access import AccessPolicy, Principal
from .caseflow import Process
from .caseplan import Snapshot, case_consent_view
from .sharing import ConsentView, visible_data


def case_view(process: Process, policy: AccessPolicy, protocol: Protocol,
              who: Principal, snapshot: Snapshot, today: datetime.date) -> dict[str, Any]:
    """{case, records, timeline} as `who` may see them. The DAT administrator sees the
    case's shape and codes, not the answers."""
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
    timeline = [_entry_json(e) for e in snapshot.entries
                if _entry_visible(e, who, admin, shown)]
    return {"case": case_json(process, snapshot.case, who.role),
            "records": list(shown.values()), "timeline": timeline}


def visible_answers(policy: AccessPolicy, protocol: Protocol, who: Principal,
                    record: RecordVersion, consent: ConsentView) -> dict[str, Any] | None:
    """What of a record `who` may see (None: nothing). A record the reader's own agency
    made is whole; for the roles the protocol's `sharing:` governs (the police and CPS) the
    scopes and consent decide; for the rest, access to the form does."""
    may_read = policy.may_read(who, record.form_id)
    if record.agency == who.agency and may_read:
        return record.data
    governed = who.role in protocol.sharing
    if not governed:
        return record.data if may_read else None
    return visible_data(record.form_id, record.data, who.role, who.agency, consent, protocol)


def _entry_visible(entry: CaseEntry, who: Principal, admin: bool,
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
    """The case's state, facts and the next steps (those `role` may take, when given)."""
    return {"ref": case.case_ref, "process": case.process, "state": case.state,
            "state_label": process.label(case.state), "closed": case.closed,
            "version": case.version, "opened_at": case.opened_at,
            "updated_at": case.updated_at, "facts": case.facts,
            "next_steps": caseflow.steps_json(process, case.state, role)}
