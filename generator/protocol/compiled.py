"""The checked protocol as the contract's typed `Protocol` (chalicelib/contract/protocol.py),
which the build writes to generated/protocol.json for the API. Pure: model in, contract out.

Spans and the DAT's wording of the YAML stay here; what reaches the API is only what it
decides by, in the contract's shape.
"""

from __future__ import annotations

from chalicelib.contract import protocol as contract

from ..model import Source
from .routes import CaseRoute, FieldSet, LocalProtocol, Named


def compile_protocol(protocol: LocalProtocol) -> contract.Protocol:
    """The contract's Protocol of a protocol that passed `dipforms check`."""
    return contract.Protocol(
        area=protocol.area, name=protocol.name,
        country=protocol.raw.get("country"), area_type=protocol.raw.get("area_type"),
        condition_types=protocol.condition_types, sources=_sources(protocol.sources),
        settings=dict(protocol.settings),
        agencies=tuple(contract.Agency(a.id, a.type, a.name,
                                       contract.Spoc(**a.spoc) if a.spoc else None)
                       for a in protocol.agencies),
        access={form: contract.FormAccess(_ids(rule.submit), _ids(rule.read))
                for form, rule in protocol.access.items()},
        routes=tuple(_route(route) for route in protocol.routes),
        templates={key: contract.Template(t.subject, t.body)
                   for key, t in protocol.templates.items()},
        scopes={key: contract.Scope(s.title, _fields(s.fields), _ids(s.items), s.from_consent,
                                    _sources(s.sources))
                for key, s in protocol.scopes.items()},
        items={code: _fields(sets) for code, sets in protocol.items.items()},
        sharing={role: contract.SharingRule(_ids(r.in_full), _ids(r.without_consent),
                                            _ids(r.with_consent), _sources(r.sources))
                 for role, r in protocol.sharing.items()},
        disclosure_grounds={
            key: contract.Ground(g.title, g.scope[0] if g.scope else "", g.rule, g.in_custody,
                                 {flag: message for flag, message, _ in g.requires},
                                 _sources(g.sources))
            for key, g in protocol.grounds.items()},
        never_disclosed=tuple(contract.Withheld(w.rule, _ids(w.by), _ids(w.items), w.message,
                                                _sources(w.sources))
                              for w in protocol.withheld),
        audit=(contract.AuditRule(_ids(protocol.audit.readers), _sources(protocol.audit.sources))
               if protocol.audit else contract.AuditRule()),
    )


def _route(route) -> contract.Route:
    sources = _sources(getattr(route, "sources", ()))
    if isinstance(route, CaseRoute):
        return contract.CaseRoute(route.event, route.to, route.channel, route.template,
                                  _ids(route.scopes), route.reason, sources)
    return contract.RecordRoute(route.event, route.form, route.to, route.channel,
                                _ids(route.fields), sources)


def _ids(named: Named) -> tuple[str, ...]:
    return tuple(name for name, _ in named)


def _fields(sets: tuple[FieldSet, ...]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for one in sets:
        found[one.form] = found.get(one.form, ()) + _ids(one.fields)
    return found


def _sources(sources: tuple[Source, ...]) -> tuple[contract.Source, ...]:
    return tuple(contract.Source(s.document, s.section) for s in sources)
