"""A case's parties: the agencies that may see its records (as far as access, `sharing:` and
consent allow) and act on it. Everyone else is told the case does not exist.

The parties are
- the agency that made the opening record (the force that administered the caution);
- the agencies the protocol routes the opening form's record events to (the CJIT it was
  referred to) and, by agency id, the case's process events to (the CPS that authorises,
  the offender manager told of supervision deadlines): the partnership's agency for that
  part of the process;
- the agencies of the records attached to it (every version);
- the agencies it was handed to (timeline entries of kind `handover`).
An agency whose staff hold the DAT's administrator role is never a party: the DAT sees
counts and references, never answers.

Pure: the typed protocol, the case's records and timeline in; agency ids out.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..contract.events import SPECIAL_RECIPIENTS
from ..contract.protocol import CaseRoute, Protocol, RecordRoute
from ..contract.roles import ADMIN
from ..store.base import CaseEntry, RecordVersion

HANDOVER = "handover"


def routed_parties(protocol: Protocol, opening_form: str) -> frozenset[str]:
    """The agencies every case of the process has by the protocol's routes."""
    found = set()
    for route in protocol.routes:
        if isinstance(route, RecordRoute) and route.form == opening_form:
            found.add(route.to)
        elif isinstance(route, CaseRoute) and route.to not in SPECIAL_RECIPIENTS:
            found.add(route.to)
    return frozenset(a for a in found & protocol.agency_ids if ADMIN not in protocol.roles_of(a))


def case_parties(protocol: Protocol, opening_form: str, records: Iterable[RecordVersion],
                 entries: Iterable[CaseEntry]) -> frozenset[str]:
    """Every party of one case (see the module's docstring)."""
    found = set(routed_parties(protocol, opening_form))
    found |= {record.agency for record in records}
    for entry in entries:
        if entry.kind in ("opened", "form"):
            found.add(entry.agency)
        elif entry.kind == HANDOVER and isinstance(entry.detail.get("to"), str):
            found.add(entry.detail["to"])
    return frozenset(a for a in found if ADMIN not in protocol.roles_of(a))


def may_hand_to(protocol: Protocol, agency_id: str) -> bool:
    """A case may be handed to an agency of the protocol whose staff use the service (hold
    a role), other than the DAT's administrators."""
    roles = protocol.roles_of(agency_id)
    return bool(roles) and ADMIN not in roles
