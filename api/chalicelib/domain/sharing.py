"""Consent decides what is shared: the consent in force (consent.py) as a ConsentView, what
of a record a reader may see (`sharing:` in the protocol), the answers a scope lets a
recipient have, and whether a disclosure may be made (`disclosure_grounds:`).

Pure: the contract's typed protocol and plain values in, plain values out; no clock (today
is passed in), no store, no access decisions (access.py decides who may read a form at
all; this decides how much).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..contract.protocol import Agency, Ground, Protocol, Scope, Withheld, citation
from .consent import Consent, withdrawn_in_force

#: Consent decisions under which the named agencies may receive their agreed items.
CONSENTING = ("given", "partial", "withdrawn")   # withdrawn: until its date has come
_SPACES = re.compile(r"\s+")


class SharingError(ValueError):
    """The protocol names a scope it does not declare (the build's checks catch this)."""


@dataclass(frozen=True)
class ConsentView:
    """What the latest consent record allows, as of one day.

    `agencies` maps each named agency (its protocol id when the record's name or id matches
    one, else the name as written, lower-cased) to the items agreed for it. A withdrawal
    counts from its date; `withdrawn_scope` lists the purposes it covers (none: all).
    """

    decision: str | None = None
    agencies: Mapping[str, frozenset[str]] = field(default_factory=dict)
    purposes: frozenset[str] = frozenset()
    withdrawn: bool = False
    withdrawn_at: str | None = None
    withdrawn_scope: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None, today: datetime.date | str, *,
                  agencies: Iterable[Agency] = ()) -> ConsentView:
        """The view of a consent record's answers (None: no consent record). `agencies`
        (the protocol's) lets a named agency written by name match its id."""
        if not data:
            return cls()
        ids = {_normal(written): agency.id
               for agency in agencies for written in (agency.id, agency.name) if written}
        named: dict[str, frozenset[str]] = {}
        for entry in data.get("named_agencies") or ():
            written = entry.get("agency") or entry.get("agency_name") if isinstance(
                entry, Mapping) else None
            if not isinstance(written, str) or not written.strip():
                continue
            key = ids.get(_normal(written)) or _normal(written)
            named[key] = named.get(key, frozenset()) | frozenset(entry.get("items") or ())
        decision = data.get("decision")
        withdrawn_at = data.get("withdrawn_at")
        withdrawn = (withdrawn_at <= str(today)[:10] if isinstance(withdrawn_at, str)
                     else decision == "withdrawn")
        return cls(decision, named, frozenset(data.get("purposes") or ()), withdrawn,
                   withdrawn_at if isinstance(withdrawn_at, str) else None,
                   frozenset(data.get("withdrawn_scope") or ()))

    @classmethod
    def of(cls, consent: Consent | None, today: datetime.date | str) -> ConsentView:
        """The view of the consent decision in force (consent.latest_consent), from
        whichever form recorded it; None: no consent recorded, nothing shared by consent."""
        if consent is None:
            return cls()
        withdrawn = consent.decision == "withdrawn"
        return cls(consent.decision, dict(consent.agencies), consent.purposes,
                   withdrawn_in_force(consent, str(today)),
                   consent.on if withdrawn else None,
                   consent.withdrawn_scope if withdrawn else frozenset())

    def names(self, agency_id: str) -> bool:
        """Consent is in force, not withdrawn, and names this agency."""
        return (self.decision in CONSENTING and not self.withdrawn
                and self._items(agency_id) is not None)

    def items_for(self, agency_id: str, purpose: str | None = None) -> frozenset[str]:
        """The items this agency may receive now (for `purpose`, when given)."""
        if self.decision not in CONSENTING:
            return frozenset()
        if self.withdrawn and (purpose is None or not self.withdrawn_scope
                               or purpose in self.withdrawn_scope):
            return frozenset()    # without a purpose, any withdrawal stops consent sharing
        if purpose is not None and self.purposes and purpose not in self.purposes:
            return frozenset()
        return self._items(agency_id) or frozenset()

    def allows(self, agency_id: str, item: str, purpose: str | None = None) -> bool:
        return item in self.items_for(agency_id, purpose)

    def _items(self, agency_id: str) -> frozenset[str] | None:
        found = self.agencies.get(agency_id)
        return found if found is not None else self.agencies.get(_normal(agency_id))


def scope_fields(protocol: Protocol, scope_id: str, consent: ConsentView,
                 agency_id: str) -> dict[str, frozenset[str]]:
    """form id -> the fields scope `scope_id` lets `agency_id` see: its own fields, the
    fields of its items, or (from_consent) of the items the consent allows that agency."""
    scope = protocol.scopes.get(scope_id)
    if scope is None:
        raise SharingError(f"unknown scope {scope_id!r}")
    found: dict[str, set[str]] = {}
    for form_id, names in scope.fields.items():
        found.setdefault(form_id, set()).update(names)
    items = consent.items_for(agency_id) if scope.from_consent else scope.items
    for item in items:
        for form_id, names in protocol.items.get(item, {}).items():
            found.setdefault(form_id, set()).update(names)
    return {form_id: frozenset(names) for form_id, names in found.items()}


def visible_data(form_id: str, data: Mapping[str, Any], reader_role: str, reader_agency: str,
                 consent: ConsentView, protocol: Protocol) -> dict[str, Any] | None:
    """What a reader sees of a record another agency made (caseview.py gives the reader's
    own agency's records whole): a form its role reads in full; else only the fields its
    scopes allow (its with_consent scopes only while consent names its agency); None when
    nothing, and for a role `sharing:` does not name (it reads nothing of others')."""
    rule = protocol.sharing.get(reader_role)
    if rule is None:
        return None
    if form_id in rule.in_full:
        return dict(data)
    scopes = list(rule.without_consent)
    if consent.names(reader_agency):
        scopes += rule.with_consent
    allowed: set[str] = set()
    for scope_id in scopes:
        allowed |= scope_fields(protocol, scope_id, consent, reader_agency).get(form_id, set())
    if not allowed:
        return None
    return {name: value for name, value in data.items() if name in allowed}


def check_disclosure(request: Mapping[str, Any], consent: ConsentView,
                     protocol: Protocol, custody: bool,
                     from_role: str | None = None) -> list[dict[str, str]]:
    """Field errors ({field, code, message}) for a disclosure of `items` to `recipient` on
    `ground` (a key of disclosure_grounds:) with its `reason`, made by `from_role`; [] when
    it may be made. Items the protocol's `never_disclosed:` withholds from that role are
    refused whatever the ground (IS-04)."""
    errors = _withheld(request.get("items"), protocol.never_disclosed, from_role)
    agencies = protocol.agency_ids
    recipient = request.get("recipient")
    if not isinstance(recipient, str) or not recipient:
        errors.append(_error("/recipient", "required", "Select who the information is for"))
    elif recipient not in agencies:
        errors.append(_error("/recipient", "unknown_agency",
                             "Select an agency of the local protocol"))
    reason = request.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        errors.append(_error("/reason", "required", "Enter why the information is shared"))
    items = request.get("items")
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        errors.append(_error("/items", "required", "Select the information to share"))
        items = []
    grounds = protocol.disclosure_grounds
    ground_id = request.get("ground")
    ground = grounds.get(ground_id) if isinstance(ground_id, str) else None
    if ground is None:
        errors.append(_error("/ground", "unknown_ground" if ground_id else "required",
                             "Select the ground for sharing: " + ", ".join(grounds)))
        return errors
    scope = protocol.scopes.get(ground.scope)
    if scope is None:
        raise SharingError(f"ground {ground_id!r} names an unknown scope")
    if scope.from_consent:
        if isinstance(recipient, str) and recipient in agencies:  # a list or {} is unhashable
            errors += _beyond_consent(items, recipient, consent)
        return errors
    return errors + _ground_errors(ground_id, ground, scope, request, items, custody)


def _withheld(items: Any, rules: tuple[Withheld, ...],
              from_role: str | None) -> list[dict[str, str]]:
    if not isinstance(items, list) or from_role is None:
        return []
    errors = []
    for rule in rules:
        if from_role not in rule.by:
            continue
        for index, item in enumerate(items):
            if item in rule.items:
                errors.append(_error(f"/items/{index}", "never_disclosed",
                                     f"{rule.rule}: {rule.message} "
                                     f"({citation(rule.sources)})"))
    return errors


def _ground_errors(ground_id: str, ground: Ground, scope: Scope,
                   request: Mapping[str, Any], items: list[str],
                   custody: bool) -> list[dict[str, str]]:
    """A ground without consent: custody if it needs it, each condition it requires, and
    nothing beyond its scope's items."""
    rule = ground.rule or ground_id
    cite = f" ({citation(ground.sources)})"
    errors = []
    if ground.in_custody and not custody:
        errors.append(_error("/ground", "not_in_custody",
                             f"{rule}: {ground.title} applies only to a person in "
                             f"custody{cite}"))
    for flag, message in ground.requires.items():
        if request.get(flag) is not True:
            errors.append(_error(f"/{flag}", "ground_not_met", f"{rule}: {message}{cite}"))
    allowed = list(scope.items)
    for index, item in enumerate(items):
        if item not in allowed:
            errors.append(_error(f"/items/{index}", "beyond_scope",
                                 f"{rule} allows only {', '.join(allowed)} to be shared "
                                 f"without consent, not {item}{cite}"))
    return errors


def _beyond_consent(items: list[str], recipient: str,
                    consent: ConsentView) -> list[dict[str, str]]:
    if consent.decision in CONSENTING and consent.withdrawn:
        why = f"consent was withdrawn on {consent.withdrawn_at or 'a date not recorded'}"
    elif not consent.names(recipient):
        why = "the consent record does not name this agency"
    else:
        why = "the client did not agree to share it with this agency"
    return [_error(f"/items/{index}", "not_consented",
                   f"{item} may not be shared on the ground of consent: {why}")
            for index, item in enumerate(items) if not consent.allows(recipient, item)]


def _error(pointer: str, code: str, message: str) -> dict[str, str]:
    return {"field": pointer, "code": code, "message": message}


def _normal(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()
