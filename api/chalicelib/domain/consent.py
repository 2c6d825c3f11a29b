"""Consent as one fact with a history: every consent decision the case's records make (the
consent to share information form, the consent section of the DIR forms, and the MG14's and
the required assessment's `consent_police_cps`), in the order they were recorded, and the
latest, which decides both what is shared (sharing.ConsentView) and DIP-01.

Pure: record versions and the protocol's agencies in, plain values out; no store, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..contract.protocol import Agency
from ..store.base import RecordVersion
from .once import PerObject

CONSENT_FORM = "consent_to_share_information"
#: The DIR forms whose consent section (forms/blocks/consent_to_share.yaml, used without a
#: prefix) records the client's decision, its purposes and named agencies, as the consent
#: form does under other names.
DIR_CONSENT_FORMS = ("dir_initial_contact", "dir_required_assessment", "dir_continuity_of_care")
#: The field of the MG14 and the required assessment that records the offender's written
#: agreement to share the assessment with the police and CPS (dip-condition-operational-
#: guidelines.txt §4.6; Annex A note 1). forms/process.yaml's fact of the same name reads
#: the same forms; tests/unit/test_consent.py keeps the two equal.
POLICE_CPS_FIELD = "consent_police_cps"
POLICE_CPS_FORMS = ("mg14", "dir_required_assessment")
#: Every form that can record a consent decision: the consent history reads every version
#: of their records (cases.py loads them, through caseplan). The one list of them.
CONSENT_FORMS = tuple(dict.fromkeys((CONSENT_FORM, *DIR_CONSENT_FORMS, *POLICE_CPS_FORMS)))
#: The agency types that field's agreement names, and what it lets them have.
POLICE_CPS_TYPES = ("police_custody", "cps")
POLICE_CPS_ITEMS = frozenset({"assessment", "test_result"})
POLICE_CPS_PURPOSE = "dip_cc_consideration"
DECISIONS = ("given", "partial", "refused", "withdrawn")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Consent:
    """One consent decision: what, when, from which record (and which of its questions:
    `question`), and the scope in force with it.

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
    question: str = "decision"          # the field that recorded the decision
    #: the same version's own answer to the police-and-CPS question, when it gave one
    #: beside a wider decision (an assessment refusing the police and CPS, consenting to
    #: others): that answer, not the wider one, says what DIP-01 reads
    police_cps: str | None = None

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
    amended for an address does not give consent again over a later withdrawal). A version
    that records two decisions (a required assessment's consent section and its
    `consent_police_cps`) gives both, in the order _decisions says."""
    ids, police_cps = _AGENCY_INDEX(tuple(agencies))
    ordered = sorted(_distinct(versions), key=lambda v: (v.created_at, v.record_id, v.version))
    history: list[Consent] = []
    said: dict[str, tuple] = {}                    # record id -> what its last version said
    for version in ordered:
        found = _decisions(version, ids, police_cps)
        if not found:
            continue
        key = tuple((c.question, c.decision, c.on, c.purposes,
                     tuple(sorted(c.agencies.items())), c.withdrawn_scope) for c in found)
        if said.get(version.record_id) == key:
            continue
        said[version.record_id] = key
        for decision in found:
            history.append(_in_context(decision, history))
    return history


def _agency_index(agencies: tuple[Agency, ...]) -> tuple[dict[str, str],
                                                          dict[str, frozenset[str]]]:
    """(agency id -> it, from its id or name as written in an answer, normalised; the
    police and CPS agencies -> POLICE_CPS_ITEMS), of the protocol's agencies."""
    ids = {_normal(written): agency.id
           for agency in agencies for written in (agency.id, agency.name) if written}
    police_cps = {a.id: POLICE_CPS_ITEMS for a in agencies if a.type in POLICE_CPS_TYPES}
    return ids, police_cps


#: Worked out once per protocol (its agencies tuple), not on every consent read.
_AGENCY_INDEX = PerObject(_agency_index)


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
    if consent.police_cps == "refused":
        return "refused"
    named = {a.id for a in agencies if a.type in POLICE_CPS_TYPES}
    return "given" if named & set(consent.agencies) else "not_named"


def _distinct(versions: Iterable[RecordVersion]) -> list[RecordVersion]:
    seen: dict[tuple[str, int], RecordVersion] = {}
    for version in versions:
        seen.setdefault((version.record_id, version.version), version)
    return list(seen.values())


def _decisions(version: RecordVersion, ids: Mapping[str, str],
               police_cps: Mapping[str, frozenset[str]]) -> list[Consent]:
    """The decisions one version records, in the order they count: a police-and-CPS
    refusal before the consent section (whose decision is the wider one), an agreement
    after it (adding the police and CPS to it), and a withdrawal last (on any question,
    the latest word)."""
    data = version.data if isinstance(version.data, Mapping) else {}
    where = dict(form=version.form_id, record_id=version.record_id, version=version.version,
                 recorded_at=version.created_at)
    found: list[Consent] = []
    if version.form_id in POLICE_CPS_FORMS:
        decision = data.get(POLICE_CPS_FIELD)
        if decision in DECISIONS:
            given = decision in ("given", "partial")
            found.append(Consent(
                decision, **where,
                purposes=frozenset({POLICE_CPS_PURPOSE}) if given else frozenset(),
                agencies=dict(police_cps) if given else {}, question=POLICE_CPS_FIELD))
    if version.form_id == CONSENT_FORM:
        found += _consent_given(data, where, ids, decision="decision", on="obtained_at",
                                withdrawn_at="withdrawn_at", purposes="purposes",
                                withdrawn_scope="withdrawn_scope")
    elif version.form_id in DIR_CONSENT_FORMS:
        found += _consent_given(data, where, ids, decision="consent_decision", on=None,
                                withdrawn_at="consent_withdrawn_at",
                                purposes="consent_purposes", withdrawn_scope=None)
    answered = data.get(POLICE_CPS_FIELD) if version.form_id in POLICE_CPS_FORMS else None
    if answered in DECISIONS:
        found = [c if c.question == POLICE_CPS_FIELD else replace(c, police_cps=answered)
                 for c in found]
    return sorted(found, key=lambda c: (c.decision == "withdrawn",
                                        c.question == POLICE_CPS_FIELD
                                        and c.decision in ("given", "partial")))


def _consent_given(data: Mapping[str, Any], where: Mapping[str, Any], ids: Mapping[str, str],
                   *, decision: str, on: str | None, withdrawn_at: str, purposes: str,
                   withdrawn_scope: str | None) -> list[Consent]:
    """The decision of a consent form or of a DIR form's consent section (the same
    questions under other names), as a list of none or one. The section has no date of
    consent of its own: the client's signature dates it. Its withdrawal covers every
    purpose (it has no scope)."""
    said = data.get(decision)
    if said not in DECISIONS:
        return []
    withdrawn = said == "withdrawn"
    if withdrawn:
        when = data.get(withdrawn_at)
    elif on is not None:
        when = data.get(on)
    else:
        signature = data.get("consent_client_signature")
        when = signature.get("date") if isinstance(signature, Mapping) else None
    scope = data.get(withdrawn_scope) if withdrawn and withdrawn_scope else None
    return [Consent(said, **where, on=when if isinstance(when, str) else None,
                    purposes=_codes(data.get(purposes)),
                    agencies=_named(data.get("named_agencies"), ids),
                    withdrawn_scope=_codes(scope), question=decision)]


def _in_context(found: Consent, history: list[Consent]) -> Consent:
    """A decision as it stands after those before it. A withdrawal withdraws the scope in
    force; a police-and-CPS agreement on the MG14 or the assessment adds to consent in
    force (from the consent form or a DIR form's consent section) rather than replacing
    it."""
    before = history[-1] if history else None
    if found.decision == "withdrawn":
        scope = before if before is not None and before.decision != "refused" else None
        return Consent(found.decision, found.form, found.record_id, found.version,
                       found.recorded_at, found.on,
                       scope.purposes if scope else frozenset(),
                       dict(scope.agencies) if scope else {}, found.withdrawn_scope,
                       found.question)
    if (found.question == POLICE_CPS_FIELD and found.decision in ("given", "partial")
            and before is not None and before.decision in ("given", "partial")):
        agencies = dict(before.agencies)
        for agency, items in found.agencies.items():
            agencies[agency] = agencies.get(agency, frozenset()) | items
        return Consent(found.decision if before.decision == "given" else before.decision,
                       found.form, found.record_id, found.version, found.recorded_at,
                       found.on, before.purposes | found.purposes, agencies,
                       question=found.question)
    return found


def _named(entries: Any, ids: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Each named agency's items, by protocol id: the choice's value, or for a record kept
    from before the choice (agency_name, free text: the consent form's 1.x, the DIR forms'
    consent section before dir_initial_contact 3.0, dir_required_assessment 3.0 and
    dir_continuity_of_care 2.0) its id or name, matched ignoring case."""
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
