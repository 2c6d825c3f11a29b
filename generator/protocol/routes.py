"""forms/protocol.yaml, the parts that decide what is told and shown to whom: routes (record
events and process events N01-N28), message templates, scopes, the information-item table,
`sharing:` per role and `disclosure_grounds:`. Model and parsing; checks are in check.py,
the compiled form the API reads in compiled.py. Pure: nodes and a Reader in, model objects out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.contract.events import CASE_EVENTS, RECORD_EVENTS

from ..model import Protocol, Route, Source
from ..parse.reader import ID_PATTERN, Reader
from ..spans import Mapping, Node, Scalar, Span

RECORD_ROUTE_KEYS = ("event", "form", "to", "channel", "fields", "source")
CASE_ROUTE_KEYS = ("event", "to", "channel", "template", "scope", "reason", "source")
TEMPLATE_KEYS = ("subject", "body")
SCOPE_KEYS = ("title", "source", "fields", "items", "from_consent")
SHARING_KEYS = ("without_consent", "with_consent", "in_full", "source")
GROUND_KEYS = ("title", "rule", "scope", "in_custody", "requires", "source")
WITHHELD_KEYS = ("rule", "by", "items", "message", "source")
AUDIT_KEYS = ("readers", "source")

Named = tuple[tuple[str, Span], ...]


@dataclass(frozen=True)
class FieldSet:
    """Some fields of one form: the answers a scope or an information item may carry."""

    form: str
    span: Span
    fields: Named


@dataclass(frozen=True)
class CitedRoute(Route):
    """A route with the citations it was written from (a record event's route)."""

    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class CaseRoute(CitedRoute):
    """A process event's route: `to` hears it through `channel`, worded by `template`,
    carrying what its scopes allow; with `reason`, only for that deadline."""

    template: str = ""
    scopes: Named = ()
    reason: str | None = None


@dataclass(frozen=True)
class Template:
    id: str
    subject: str
    body: str
    span: Span
    spans: dict[str, Span]


@dataclass(frozen=True)
class ScopeDef:
    """What a recipient may see: some fields per form, the fields of some information items,
    or (from_consent) the items the consent record allows that recipient."""

    id: str
    title: str
    span: Span
    fields: tuple[FieldSet, ...] = ()
    items: Named = ()
    from_consent: bool = False
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class SharingRule:
    """What one role reads of other agencies' records: forms in full, scopes without
    consent, and scopes only when the consent record names the reader's agency."""

    role: str
    span: Span
    without_consent: Named = ()
    with_consent: Named = ()
    in_full: Named = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Ground:
    """A ground for disclosing without (or with) consent: its rule, its scope, and what
    must be true of the request."""

    id: str
    span: Span
    title: str
    rule: str | None
    scope: tuple[str, Span] | None
    in_custody: bool = False
    requires: tuple[tuple[str, str, Span], ...] = ()    # (flag, message when not true, span)
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Withheld:
    """Items some roles never pass on, whatever the ground or consent (IS-04)."""

    rule: str
    span: Span
    by: Named
    items: Named
    message: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class AuditReaders:
    """The roles that may page through the audit log."""

    span: Span
    readers: Named = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class LocalProtocol(Protocol):
    """The protocol with its templates, scopes, item table, sharing rules and grounds."""

    templates: dict[str, Template] = field(default_factory=dict)
    scopes: dict[str, ScopeDef] = field(default_factory=dict)
    items: dict[str, tuple[FieldSet, ...]] = field(default_factory=dict)
    item_spans: dict[str, Span] = field(default_factory=dict)
    sharing: dict[str, SharingRule] = field(default_factory=dict)
    grounds: dict[str, Ground] = field(default_factory=dict)
    withheld: tuple[Withheld, ...] = ()
    audit: AuditReaders | None = None


def parse_route(r: Reader, node: Node) -> Route | None:
    """A record event's route (`form:` and `fields:`) or a process event's (`template:`,
    `scope:`), told apart by the event, else by whether `form:` is given."""
    m = r.mapping(node, "a route")
    if m is None:
        return None
    event = r.string(m.get("event"), "the route's event")
    if event in CASE_EVENTS or (event not in RECORD_EVENTS and "form" not in m.items):
        return _case_route(r, m, event)
    return _record_route(r, m, event)


def _record_route(r: Reader, m: Mapping, event: str | None) -> Route | None:
    _misplaced(r, m, ("template", "scope", "reason"),
               "a record event carries answers in fields:; template, scope and reason are "
               "for process events N01-N28")
    r.keys(m, (*RECORD_ROUTE_KEYS, "template", "scope", "reason"),
           ("event", "form", "to", "channel"), "a route")
    values = {k: r.ident(m.get(k), f"the route's {k}") for k in ("form", "to", "channel")}
    fields = _names(r, m.get("fields"), "a field")
    sources = _source(r, m, "a route")
    if event is None or None in values.values():
        return None
    spans = {k: m.get(k).span for k in ("event", "form", "to", "channel")}
    return CitedRoute(event, values["form"], values["to"], values["channel"], fields, m.span,
                      spans, sources=sources)


def _case_route(r: Reader, m: Mapping, event: str | None) -> CaseRoute | None:
    _misplaced(r, m, ("form", "fields"),
               "a process event is routed per case: name what it may carry with scope:")
    r.keys(m, (*CASE_ROUTE_KEYS, "form", "fields"),
           ("event", "to", "channel", "template", "scope"), "a route for a process event")
    values = {k: r.ident(m.get(k), f"the route's {k}") for k in ("to", "channel", "template")}
    reason = r.ident(m.get("reason"), "the route's reason")
    scope_node = m.get("scope")
    scopes = (((r.ident(scope_node, "a scope"), scope_node.span),)
              if isinstance(scope_node, Scalar) else _names(r, scope_node, "a scope"))
    sources = _source(r, m, "a route")
    if event is None or None in values.values() or not all(s for s, _ in scopes):
        return None
    spans = {k: m.get(k).span for k in ("event", "to", "channel", "template", "scope", "reason")
             if k in m.items}
    return CaseRoute(event, "", values["to"], values["channel"], (), m.span, spans,
                     sources=sources, template=values["template"], scopes=scopes,
                     reason=reason)


def parse_templates(r: Reader, node: Node | None) -> dict[str, Template]:
    """templates: {id: {subject, body}}; the words of each process event's message."""
    found = {}
    for key, _, entry in _entries(r, node, "templates", TEMPLATE_KEYS, TEMPLATE_KEYS):
        subject = r.string(entry.get("subject"), f"the subject of template {key}")
        body = r.string(entry.get("body"), f"the body of template {key}")
        if subject is not None and body is not None:
            found[key] = Template(key, subject, body, entry.span,
                                  {"subject": entry.get("subject").span,
                                   "body": entry.get("body").span})
    return found


def parse_scopes(r: Reader, node: Node | None) -> dict[str, ScopeDef]:
    """scopes: {id: {title, source, fields: {form: [fields]}, items: [codes], from_consent}}."""
    found = {}
    for key, span, entry in _entries(r, node, "scopes", SCOPE_KEYS, ("title",)):
        title = r.string(entry.get("title"), f"the title of scope {key}")
        sources = _source(r, entry, f"scope '{key}'")
        from_consent = r.boolean(entry.get("from_consent"), "from_consent") or False
        if title is not None:
            found[key] = ScopeDef(key, title, span,
                                  _field_sets(r, entry.get("fields"), f"scope {key}"),
                                  _names(r, entry.get("items"), "an information item"),
                                  from_consent, sources)
    return found


def parse_items(r: Reader, node: Node | None) -> tuple[dict[str, tuple[FieldSet, ...]],
                                                      dict[str, Span]]:
    """items: {information item code: {form: [fields]}}: where each item is answered."""
    m = r.mapping(node, "items")
    if m is None:
        return {}, {}
    table = {code: _field_sets(r, value, f"item {code}") for code, value in m.items.items()}
    return table, dict(m.keys)


def parse_sharing(r: Reader, node: Node | None) -> dict[str, SharingRule]:
    """sharing: {role: {in_full: [forms], without_consent: [scopes], with_consent: [scopes]}}."""
    found = {}
    for role, span, entry in _entries(r, node, "sharing", SHARING_KEYS, ()):
        sources = _source(r, entry, f"the sharing rule for {role}")
        found[role] = SharingRule(
            role, span,
            without_consent=_names(r, entry.get("without_consent"), "a scope"),
            with_consent=_names(r, entry.get("with_consent"), "a scope"),
            in_full=_names(r, entry.get("in_full"), "a form"), sources=sources)
    return found


def parse_grounds(r: Reader, node: Node | None) -> dict[str, Ground]:
    """disclosure_grounds: {sharing_basis code: {title, rule, scope, in_custody, requires}}."""
    found = {}
    for key, span, entry in _entries(r, node, "disclosure_grounds", GROUND_KEYS,
                                     ("title", "scope")):
        sources = _source(r, entry, f"the disclosure ground {key}")
        title = r.string(entry.get("title"), f"the title of ground {key}")
        rule = r.string(entry.get("rule"), f"the rule of ground {key}")
        scope_id = r.ident(entry.get("scope"), "a scope")
        in_custody = r.boolean(entry.get("in_custody"), "in_custody") or False
        requires_node = r.mapping(entry.get("requires"), f"what ground {key} requires")
        requires: tuple[tuple[str, str, Span], ...] = ()
        if requires_node is not None:
            requires = tuple((flag, message, requires_node.keys[flag]) for flag, message in
                             ((flag, r.string(value, f"the message when {flag} is not true"))
                              for flag, value in requires_node.items.items()) if message)
        if title is not None:
            scope = (scope_id, entry.get("scope").span) if scope_id else None
            found[key] = Ground(key, span, title, rule, scope, in_custody, requires, sources)
    return found


def parse_withheld(r: Reader, node: Node | None) -> tuple[Withheld, ...]:
    """never_disclosed: [{rule, by: [roles], items: [information items], message, source}]."""
    found = []
    for item in r.sequence(node, "never_disclosed"):
        m = r.mapping(item, "a rule of never_disclosed")
        if m is None:
            continue
        r.keys(m, WITHHELD_KEYS, ("rule", "by", "items", "message"), "a rule of never_disclosed")
        rule = r.string(m.get("rule"), "the rule id")
        message = r.string(m.get("message"), "the message")
        sources = _source(r, m, f"the rule {rule or '?'}")
        if rule and message:
            found.append(Withheld(rule, m.span, _names(r, m.get("by"), "a role"),
                                  _names(r, m.get("items"), "an information item"), message,
                                  sources))
    return tuple(found)


def parse_audit(r: Reader, node: Node | None) -> AuditReaders | None:
    """audit: {readers: [roles], source}: who may page through the audit log."""
    m = r.mapping(node, "audit")
    if m is None:
        return None
    r.keys(m, AUDIT_KEYS, ("readers",), "audit")
    sources = _source(r, m, "audit")
    return AuditReaders(m.span, _names(r, m.get("readers"), "a role"), sources)


def _entries(r: Reader, node: Node | None, what: str, allowed: tuple[str, ...],
             required: tuple[str, ...]):
    """(key, key's span, mapping) for each entry of a mapping of named mappings."""
    m = r.mapping(node, what)
    if m is None:
        return
    for key, value in m.items.items():
        if not ID_PATTERN.match(key):
            r.error(m.keys[key], "F008", f"the id '{key}' in {what} must be lower-case "
                    "letters, digits and _ (snake_case)")
            continue
        entry = r.mapping(value, f"{what}: {key}")
        if entry is not None:
            r.keys(entry, allowed, required, f"{what}: {key}")
            yield key, m.keys[key], entry


def _field_sets(r: Reader, node: Node | None, what: str) -> tuple[FieldSet, ...]:
    m = r.mapping(node, f"the fields of {what}")
    if m is None:
        return ()
    return tuple(FieldSet(form, m.keys[form], _names(r, value, "a field"))
                 for form, value in m.items.items())


def _names(r: Reader, node: Node | None, what: str) -> Named:
    return tuple((name, item.span) for name, item in
                 ((r.ident(item, what), item) for item in r.sequence(node, what)) if name)


def _source(r: Reader, m: Mapping, what: str) -> tuple[Source, ...]:
    if "source" not in m.items:
        r.error(m.span, "F011", f"{what} has no source",
                hint="cite the protocol or guidance it comes from, or write source: assumption")
    return r.sources(m.get("source"), what)


def _misplaced(r: Reader, m: Mapping, keys: tuple[str, ...], message: str) -> None:
    for key in keys:
        if key in m.keys:
            r.error(m.keys[key], "R003", f"'{key}' does not belong here: {message}")
