"""Checks of the protocol's routes, templates, scopes, item table, sharing rules and
disclosure grounds against the forms, code lists and process: every problem, each at its
file:line:col with a did-you-mean. Pure: a parsed Project in, Diagnostics out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chalicelib.contract.events import (
    CASE_EVENTS,
    CHANNELS,
    PLACEHOLDERS,
    REASON_EVENTS,
    RECORD_EVENTS,
    SPECIAL_RECIPIENTS,
)
from chalicelib.contract.roles import AGENCY_ROLES

from ..diagnostics import Diagnostic, did_you_mean
from ..fields import FIELD_TYPES
from ..model import Form, Project, Route
from ..spans import Span
from .routes import CaseRoute, FieldSet, LocalProtocol, ScopeDef, SharingRule

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check_protocol_routes(project: Project, roles: Iterable[str]) -> list[Diagnostic]:
    """Routes of both kinds, then the definitions they use."""
    protocol = project.protocol
    forms = {f.id: f for f in project.forms}
    out = []
    for route in protocol.routes:
        if isinstance(route, CaseRoute):
            out += _case_route(project, route)
        else:
            out += _record_route(protocol, forms, route)
    if not isinstance(protocol, LocalProtocol):
        return out
    items = project.codelists.get("information_item")
    bases = project.codelists.get("sharing_basis")
    for template in protocol.templates.values():
        for part in ("subject", "body"):
            out += _placeholders(getattr(template, part), template.spans[part],
                                 f"template {template.id}'s {part}")
    for scope in protocol.scopes.values():
        out += _field_sets(forms, scope.fields)
        out += _codes(scope.items, items)
        if scope.from_consent and (scope.fields or scope.items):
            out.append(Diagnostic(scope.span, "R003", f"scope '{scope.id}' takes its fields "
                                  "from the consent record: give no fields or items"))
    for code, field_sets in protocol.items.items():
        out += _codes(((code, protocol.item_spans[code]),), items)
        out += _field_sets(forms, field_sets)
    known_roles = tuple(roles)
    for rule in protocol.sharing.values():
        if rule.role not in known_roles:
            out.append(Diagnostic(rule.span, "F018", f"unknown role '{rule.role}'",
                                  did_you_mean(rule.role, known_roles)))
        out += _known(rule.without_consent + rule.with_consent, protocol.scopes, "scope")
        out += _forms(forms, rule.in_full)
    for rule in protocol.withheld:
        out += [Diagnostic(span, "F018", f"unknown role '{role}'", did_you_mean(role, known_roles))
                for role, span in rule.by if role not in known_roles]
        out += _codes(rule.items, items)
    if protocol.audit is not None:
        out += [Diagnostic(span, "F018", f"unknown role '{role}'", did_you_mean(role, known_roles))
                for role, span in protocol.audit.readers if role not in known_roles]
    for ground in protocol.grounds.values():
        out += _codes(((ground.id, ground.span),), bases)
        if ground.scope is not None:
            out += _known((ground.scope,), protocol.scopes, "scope")
    return out


def _record_route(protocol, forms: dict[str, Form], route: Route) -> list[Diagnostic]:
    out = []
    if route.event not in RECORD_EVENTS:
        out.append(Diagnostic(route.spans["event"], "F019", f"unknown event '{route.event}'",
                              _event_hint(route.event)))
    out += _channel_and_agency(protocol, route)
    form = forms.get(route.form)
    if form is None:
        out.append(Diagnostic(route.spans["form"], "F017", f"unknown form '{route.form}'",
                              did_you_mean(route.form, forms)))
        return out
    out += _fields(form, route.fields)
    return out


def _case_route(project: Project, route: CaseRoute) -> list[Diagnostic]:
    protocol = project.protocol
    out = []
    if route.event not in CASE_EVENTS:
        out.append(Diagnostic(route.spans["event"], "F019", f"unknown event '{route.event}'",
                              _event_hint(route.event)))
    out += _channel_and_agency(protocol, route)
    if isinstance(protocol, LocalProtocol):
        out += _known(((route.template, route.spans["template"]),), protocol.templates,
                      "template")
        out += _known(route.scopes, protocol.scopes, "scope")
        out += _beyond_sharing(protocol, route)
    if route.reason is not None:
        out += _reason(project, route)
    return out


def _channel_and_agency(protocol, route: Route) -> list[Diagnostic]:
    out = []
    if route.channel not in CHANNELS:
        out.append(Diagnostic(route.spans["channel"], "F019", f"unknown channel '{route.channel}'",
                              did_you_mean(route.channel, CHANNELS)))
    agencies = {a.id for a in protocol.agencies}
    special = SPECIAL_RECIPIENTS.get(route.to)
    if special is not None:
        if not isinstance(route, CaseRoute) or route.event not in special:
            out.append(Diagnostic(route.spans["to"], "R003",
                                  f"'{route.to}' can hear only {', '.join(special)}",
                                  "name an agency id for other events"))
    elif route.to not in agencies:
        choices = agencies | (set(SPECIAL_RECIPIENTS) if isinstance(route, CaseRoute) else set())
        out.append(Diagnostic(route.spans["to"], "F016", f"unknown agency '{route.to}'",
                              did_you_mean(route.to, choices)
                              or "add it under agencies: in forms/protocol.yaml"))
    return out


def _reason(project: Project, route: CaseRoute) -> list[Diagnostic]:
    """A reason is a deadline id of forms/process.yaml, raising this route's event."""
    deadlines = {d.id: d.notify for d in getattr(project.process, "deadlines", ())}
    span = route.spans["reason"]
    if route.event not in {*REASON_EVENTS, *deadlines.values()}:
        return [Diagnostic(span, "R003", f"{route.event} has no reason: only events a "
                           "deadline raises do", "leave reason: out")]
    if deadlines and route.reason not in deadlines:
        return [Diagnostic(span, "R001", f"unknown reason '{route.reason}'",
                           did_you_mean(route.reason, deadlines)
                           or "a reason is a deadline id of forms/process.yaml")]
    if deadlines and deadlines[route.reason] != route.event:
        return [Diagnostic(span, "R003", f"the deadline '{route.reason}' raises "
                           f"{deadlines[route.reason]}, not {route.event}")]
    return []


def _beyond_sharing(protocol: LocalProtocol, route: CaseRoute) -> list[Diagnostic]:
    """No route carries a scope that sharing: does not allow its recipient's role."""
    if route.to in SPECIAL_RECIPIENTS:
        governed = [rule for role, rule in protocol.sharing.items()
                    if role in AGENCY_ROLES.values()]
    else:
        agency = next((a for a in protocol.agencies if a.id == route.to), None)
        rule = protocol.sharing.get(AGENCY_ROLES.get(agency.type, "")) if agency else None
        governed = [rule] if rule is not None else []
    out = []
    for scope_id, span in route.scopes:
        scope = protocol.scopes.get(scope_id)
        if scope is None:
            continue
        for rule in governed:
            if not _allowed(protocol, scope, rule):
                choices = ", ".join(s for s, _ in rule.without_consent + rule.with_consent)
                out.append(Diagnostic(span, "R005", f"scope '{scope_id}' goes beyond what "
                                      f"sharing: allows {rule.role} (to: {route.to})",
                                      f"add it to sharing: {rule.role}"
                                      + (f", or choose one of: {choices}" if choices else "")))
    return out


def _allowed(protocol: LocalProtocol, scope: ScopeDef, rule: SharingRule) -> bool:
    if scope.id in {s for s, _ in rule.without_consent + rule.with_consent}:
        return True
    if scope.from_consent:
        return False
    drawn = {fs.form for fs in scope.fields}
    drawn |= {fs.form for code, _ in scope.items for fs in protocol.items.get(code, ())}
    return drawn <= {f for f, _ in rule.in_full}


def _placeholders(text: str, span: Span, where: str) -> list[Diagnostic]:
    out = []
    for match in _PLACEHOLDER.finditer(text):
        if match.group(1) not in PLACEHOLDERS:
            out.append(Diagnostic(span, "R002", f"unknown placeholder '{{{match.group(1)}}}' "
                                  f"in {where}", did_you_mean(match.group(1), PLACEHOLDERS)
                                  or "placeholders are " + ", ".join(PLACEHOLDERS)))
    if set("{}") & set(_PLACEHOLDER.sub("", text)):
        out.append(Diagnostic(span, "R002", f"a brace that opens or closes no placeholder in "
                              f"{where}", "write placeholders as {case_ref}"))
    return out


def _known(names: Iterable[tuple[str, Span]], defined, what: str) -> list[Diagnostic]:
    return [Diagnostic(span, "R001", f"unknown {what} '{name}'", did_you_mean(name, defined)
                       or f"declare it under {what}s: in forms/protocol.yaml")
            for name, span in names if name not in defined]


def _codes(codes: Iterable[tuple[str, Span]], codelist) -> list[Diagnostic]:
    if codelist is None:
        return []
    return [Diagnostic(span, "R004", f"'{code}' is not a code of {codelist.id}",
                       did_you_mean(code, codelist.codes))
            for code, span in codes if code not in codelist.codes]


def _field_sets(forms: dict[str, Form], field_sets: Iterable[FieldSet]) -> list[Diagnostic]:
    out = []
    for field_set in field_sets:
        form = forms.get(field_set.form)
        if form is None:
            out.append(Diagnostic(field_set.span, "F017", f"unknown form '{field_set.form}'",
                                  did_you_mean(field_set.form, forms)))
        else:
            out += _fields(form, field_set.fields)
    return out


def _forms(forms: dict[str, Form], names: Iterable[tuple[str, Span]]) -> list[Diagnostic]:
    return [Diagnostic(span, "F017", f"unknown form '{name}'", did_you_mean(name, forms))
            for name, span in names if name not in forms]


def _fields(form: Form, fields: Iterable[tuple[str, Span]]) -> list[Diagnostic]:
    names = {f.id for f in form.fields() if FIELD_TYPES[f.type].has_value}
    return [Diagnostic(span, "E002", f"form '{form.id}' has no field '{name}'",
                       did_you_mean(name, names))
            for name, span in fields if name not in names]


def _event_hint(event: str) -> str | None:
    """'compliance_confirmed' -> write N12; else the closest event id or name."""
    by_name = {name: event_id for event_id, name in CASE_EVENTS.items()}
    if event in by_name:
        return f"write {by_name[event]} (the id of {event})"
    close = did_you_mean(event, [*RECORD_EVENTS, *CASE_EVENTS, *by_name])
    if close and close.split("'")[1] in by_name:
        name = close.split("'")[1]
        return f"did you mean {by_name[name]} ({name})?"
    return close or "events are submitted, amended and N01 to N28"
