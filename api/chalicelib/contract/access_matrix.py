"""The access matrix a DAT reviews: for each agency type, each role its staff may hold and
each form, whether they may submit it and what they read of a record of it made by another
agency on a case their agency is a party to (`dipforms protocol` prints it; the access-
matrix test calls every route as every user and finds the same).

Their own agency's records they read whole (when the role reads the form at all); a record
on a case their agency is not party to, they do not see. Pure: the typed Protocol in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .protocol import Protocol
from .roles import ADMIN

WHOLE = "whole"              # every answer
SCOPES = "scopes"            # only what `without_consent` (and, with consent, `with_consent`) allow
REFERENCES = "references"    # the record's id, form, versions, dates and agency: no answers
NOTHING = "none"             # the role does not read the form
NO_ROLE = "-"                # an agency type whose staff hold no role: no users at all


@dataclass(frozen=True)
class Cell:
    """What staff of one agency type, in one role, may do with one form."""

    agency_type: str
    role: str
    form: str
    submit: bool
    read: str
    without_consent: tuple[str, ...] = ()
    with_consent: tuple[str, ...] = ()

    def row(self) -> tuple[str, ...]:
        return (self.agency_type, self.role, self.form, "yes" if self.submit else "-",
                self.read, ", ".join(self.without_consent) or "-",
                ", ".join(self.with_consent) or "-")


HEADER = ("agency type", "role", "form", "submit", "reads (party)", "without consent",
          "with consent")


def access_matrix(protocol: Protocol, form_ids: Iterable[str]) -> tuple[Cell, ...]:
    """Every agency type x role x form, in the protocol's order; a type whose staff hold no
    role has one cell, for every form (`*`): it has no users, so it reads nothing."""
    forms = tuple(form_ids)
    cells = []
    for type_id, agency_type in protocol.agency_types.items():
        if not agency_type.roles:
            cells.append(Cell(type_id, NO_ROLE, "*", False, NOTHING))
        for role in agency_type.roles:
            cells += [cell(protocol, type_id, role, form) for form in forms]
    return tuple(cells)


def cell(protocol: Protocol, agency_type: str, role: str, form: str) -> Cell:
    """As the API cuts a record (domain/caseview.py visible_answers): a role `sharing:`
    governs reads a form it reads in full whole, and of any other form only its scopes; any
    other role reads whole the forms `access:` lets it read."""
    rule = protocol.access.get(form)
    submit = rule is not None and role in rule.submit
    if role == ADMIN:
        return Cell(agency_type, role, form, submit, REFERENCES)
    sharing = protocol.sharing.get(role)
    if sharing is None:
        readable = rule is not None and role in rule.read
        return Cell(agency_type, role, form, submit, WHOLE if readable else NOTHING)
    if form in sharing.in_full:
        return Cell(agency_type, role, form, submit, WHOLE)
    without = tuple(s for s in sharing.without_consent if _touches(protocol, s, form))
    with_ = tuple(s for s in sharing.with_consent if _touches(protocol, s, form))
    return Cell(agency_type, role, form, submit, SCOPES if without or with_ else NOTHING,
                without, with_)


def _touches(protocol: Protocol, scope_id: str, form: str) -> bool:
    """The scope may carry answers of this form (a consent scope: any form's)."""
    scope = protocol.scopes.get(scope_id)
    if scope is None:
        return False
    if form in scope.fields:
        return True
    items = protocol.items if scope.from_consent else {i: protocol.items.get(i, {})
                                                       for i in scope.items}
    return any(form in fields for fields in items.values())
