"""forms/protocol.yaml `agency_types:`: each kind of agency, its title, the roles its staff
may hold (possibly none) and its source; parsed here and checked against the roles, the
agency_type code list and the agencies. Pure: nodes and a Reader in, model or Diagnostics out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..diagnostics import Diagnostic, did_you_mean
from ..model import Agency, Source
from ..parse.reader import ID_PATTERN, Reader
from ..spans import Node, Span

AGENCY_TYPE_KEYS = ("title", "roles", "source")


@dataclass(frozen=True)
class AgencyType:
    """One kind of agency: the roles a user of an agency of this type may hold."""

    id: str
    span: Span
    title: str
    roles: tuple[tuple[str, Span], ...] = ()
    sources: tuple[Source, ...] = ()

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(role for role, _ in self.roles)


def parse_agency_types(r: Reader, node: Node | None) -> dict[str, AgencyType]:
    """agency_types: {type: {title, roles: [roles], source}}."""
    m = r.mapping(node, "agency_types")
    if m is None:
        return {}
    found = {}
    for key, value in m.items.items():
        span = m.keys[key]
        if not ID_PATTERN.match(key):
            r.error(span, "F008", f"the agency type '{key}' must be lower-case letters, "
                    "digits and _ (snake_case)")
            continue
        entry = r.mapping(value, f"agency_types: {key}")
        if entry is None:
            continue
        r.keys(entry, AGENCY_TYPE_KEYS, ("title", "roles"), f"agency_types: {key}")
        if "source" not in entry.items:
            r.error(entry.span, "F011", f"agency type '{key}' has no source",
                    hint="cite the protocol or guidance it comes from, or write "
                         "source: assumption")
        title = r.string(entry.get("title"), f"the title of agency type {key}")
        roles = r.idents(entry.get("roles"), "roles", "a role")
        sources = r.sources(entry.get("source"), f"agency type '{key}'")
        if title is not None:
            found[key] = AgencyType(key, span, title, roles, sources)
    return found


def check_agency_types(types: dict[str, AgencyType], agencies: Iterable[Agency],
                       roles: Iterable[str], codes: Iterable[str] | None) -> list[Diagnostic]:
    """Each type a code of the agency_type list (when there is one), each role known,
    each agency's type declared here."""
    known_roles = tuple(roles)
    out = []
    if codes is not None:
        codes = tuple(codes)
        out += [Diagnostic(t.span, "F016", f"unknown agency type '{t.id}'",
                           did_you_mean(t.id, codes)
                           or "add it to forms/codelists/agency_type.yaml")
                for t in types.values() if t.id not in codes]
    for agency_type in types.values():
        out += [Diagnostic(span, "F018", f"unknown role '{role}'",
                           did_you_mean(role, known_roles))
                for role, span in agency_type.roles if role not in known_roles]
    for agency in agencies:
        if agency.type not in types:
            out.append(Diagnostic(agency.span, "F016", f"the agency '{agency.id}' has the type "
                                  f"'{agency.type}', which agency_types: does not declare",
                                  did_you_mean(agency.type, types)
                                  or "declare it under agency_types: with the roles its "
                                     "staff may hold"))
    return out
