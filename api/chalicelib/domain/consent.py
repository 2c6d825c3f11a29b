"""Consent as one fact with a history: every consent decision the case's records make (the
consent to share information form, and the MG14's and the required assessment's
`consent_police_cps`), in the order they were recorded, and the latest, which decides both
what is shared (sharing.ConsentView) and DIP-01.

Pure: record versions and the protocol's agencies in, plain values out; no store, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..contract.protocol import Agency
from ..store.base import RecordVersion

CONSENT_FORM = "consent_to_share_information"
#: The field of the MG14 and the required assessment that records the offender's written
#: agreement to share the assessment with the police and CPS (dip-condition-operational-
#: guidelines.txt §4.6; Annex A note 1). forms/process.yaml's fact of the same name reads
#: the same forms; tests/unit/test_consent.py keeps the two equal.
POLICE_CPS_FIELD = "consent_police_cps"
POLICE_CPS_FORMS = ("mg14", "dir_required_assessment")
#: The agency types that field's agreement names, and what it lets them have.
POLICE_CPS_TYPES = ("police_custody", "cps")
POLICE_CPS_ITEMS = frozenset({"assessment", "test_result"})
POLICE_CPS_PURPOSE = "dip_cc_consideration"
DECISIONS = ("given", "partial", "refused", "withdrawn")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Consent:
    """One consent decision: what, when, from which record, and the scope in force with it.

    `agencies` maps each named agency (its protocol id when the record's value matches an
    id or a name, else the name as written, normalised) to the items agreed for it. A
    withdrawal carries the scope it withdraws (the last consent before it), so a withdrawal
    of some purposes leaves the rest, and one dated ahead is not yet in force.
    """

    decision: str
    form: str
    record_id: str
    version: int
    recorded_at: str                     # when the version was made (ISO 8601 UTC)
    on: str | None = None                # the date the answers give, if any
    purposes: frozenset[str] = frozenset()
    agencies: Mapping[str, frozenset[str]] = field(default_factory=dict)
    withdrawn_scope: frozenset[str] = frozenset()

    @property
    def source(self) -> str:
        """'<form> <record id> version <n>' for a message or the docs."""
        return f"{self.form} {self.record_id} version {self.version}"

    def json(self) -> dict[str, Any]:
        return {"decision": self.decision, "on": self.on, "form": self.form,
                "record": self.record_id, "version": self.version,
                "recorded_at": self.recorded_at, "purposes": sorted(self.purposes),
                "agencies": {a: sorted(items) for a, items in sorted(self.agencies.items())},
                "withdrawn_scope": sorted(self.withdrawn_scope)}


def consent_history(versions: Iterable[RecordVersion],
                    agencies: Iterable[Agency] = ()) -> list[Consent]:
    """Every consent decision the versions make, oldest first (by when each version was
    made). A version counts only when it changes its record's decision or scope (an MG14
    amended for an address does not give consent again over a later withdrawal)."""
    agencies = tuple(agencies)
    ids = {_normal(written): agency.id
           for agency in agencies for written in (agency.id, agency.name) if written}
    police_cps = {a.id: POLICE_CPS_ITEMS for a in agencies if a.type in POLICE_CPS_TYPES}
    ordered = sorted(_distinct(versions), key=lambda v: (v.created_at, v.record_id, v.version))
    history: list[Consent] = []
    said: dict[str, tuple] = {}                    # record id -> what its last version said
    for version in ordered:
        found = _decision(version, ids, police_cps)
        if found is None:
            continue
        key = (found.decision, found.on, found.purposes, tuple(sorted(found.agencies.items())),
               found.withdrawn_scope)
        if said.get(version.record_id) == key:
            continue
        said[version.record_id] = key
        history.append(_in_context(found, history))
    return history


def latest_consent(versions: Iterable[RecordVersion],
                   agencies: Iterable[Agency] = ()) -> Consent | None:
    """The consent decision in force: the latest one recorded (None: none recorded)."""
    history = consent_history(versions, agencies)
    return history[-1] if history else None


def withdrawn_in_force(consent: Consent | None, today: str) -> bool:
    """A withdrawal whose date has come (one without a date counts from when recorded)."""
    if consent is None or consent.decision != "withdrawn":
        return False
    return consent.on is None or consent.on <= today[:10]


def police_cps_consent(consent: Consent | None, agencies: Iterable[Agency],
                       today: str) -> str | None:
    """What the latest consent says of sharing with the police and CPS, as DIP-01 reads
    it: given, refused, withdrawn or not_named (consent that names neither); None when no
    consent decision is recorded."""
    if consent is None:
        return None
    if consent.decision == "refused":
        return "refused"
    if withdrawn_in_force(consent, today):
        return "withdrawn"
    named = {a.id for a in agencies if a.type in POLICE_CPS_TYPES}
    return "given" if named & set(consent.agencies) else "not_named"


def _distinct(versions: Iterable[RecordVersion]) -> list[RecordVersion]:
    seen: dict[tuple[str, int], RecordVersion] = {}
    for version in versions:
        seen.setdefault((version.record_id, version.version), version)
    return list(seen.values())


def _decision(version: RecordVersion, ids: Mapping[str, str],
              police_cps: Mapping[str, frozenset[str]]) -> Consent | None:
    data = version.data if isinstance(version.data, Mapping) else {}
    where = dict(form=version.form_id, record_id=version.record_id, version=version.version,
                 recorded_at=version.created_at)
    if version.form_id == CONSENT_FORM:
        decision = data.get("decision")
        if decision not in DECISIONS:
            return None
        withdrawn = decision == "withdrawn"
        on = data.get("withdrawn_at") if withdrawn else data.get("obtained_at")
        return Consent(decision, **where, on=on if isinstance(on, str) else None,
                       purposes=_codes(data.get("purposes")),
                       agencies=_named(data.get("named_agencies"), ids),
                       withdrawn_scope=_codes(data.get("withdrawn_scope")) if withdrawn
                       else frozenset())
    if version.form_id in POLICE_CPS_FORMS:
        decision = data.get(POLICE_CPS_FIELD)
        if decision not in DECISIONS:
            return None
        given = decision in ("given", "partial")
        return Consent(decision, **where,
                       purposes=frozenset({POLICE_CPS_PURPOSE}) if given else frozenset(),
                       agencies=dict(police_cps) if given else {})
    return None


def _in_context(found: Consent, history: list[Consent]) -> Consent:
    """A decision as it stands after those before it. A withdrawal withdraws the scope in
    force; a police-and-CPS agreement on the MG14 or the assessment adds to consent in
    force from the consent form rather than replacing it."""
    before = history[-1] if history else None
    if found.decision == "withdrawn":
        scope = before if before is not None and before.decision != "refused" else None
        return Consent(found.decision, found.form, found.record_id, found.version,
                       found.recorded_at, found.on,
                       scope.purposes if scope else frozenset(),
                       dict(scope.agencies) if scope else {}, found.withdrawn_scope)
    if (found.form in POLICE_CPS_FORMS and found.decision in ("given", "partial")
            and before is not None and before.decision in ("given", "partial")):
        agencies = dict(before.agencies)
        for agency, items in found.agencies.items():
            agencies[agency] = agencies.get(agency, frozenset()) | items
        return Consent(found.decision if before.decision == "given" else before.decision,
                       found.form, found.record_id, found.version, found.recorded_at,
                       found.on, before.purposes | found.purposes, agencies)
    return found


def _named(entries: Any, ids: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Each named agency's items, by protocol id: the choice's value, or for a record kept
    from before the choice (agency_name, free text) its id or name, matched ignoring case."""
    named: dict[str, frozenset[str]] = {}
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping):
            continue
        written = entry.get("agency") or entry.get("agency_name")
        if not isinstance(written, str) or not written.strip():
            continue
        key = ids.get(_normal(written)) or _normal(written)
        named[key] = named.get(key, frozenset()) | _codes(entry.get("items"))
    return named


def _codes(value: Any) -> frozenset[str]:
    return frozenset(v for v in value if isinstance(v, str)) if isinstance(value, list) \
        else frozenset()


def _normal(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()
