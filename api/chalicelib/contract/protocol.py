"""The compiled local protocol (generated/protocol.json) as typed, frozen objects.

The build makes a `Protocol` from forms/protocol.yaml once it has checked it and writes
`Protocol.to_json()`; the API reads it back with `Protocol.from_json` once at start. A file
that does not fit (a list where names are due, an unknown role...) is refused there with a
ValueError, never met half-way through a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .events import CASE_EVENTS, CHANNELS, RECORD_EVENTS
from .roles import ROLES

Names = tuple[str, ...]
FieldsByForm = Mapping[str, Names]      # form id -> field ids


@dataclass(frozen=True)
class Source:
    """A citation: a document and its section, or `assumption` / `unverified` (no section)."""

    document: str
    section: str = ""


@dataclass(frozen=True)
class Spoc:
    """An agency's single point of contact."""

    name: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""
    out_of_hours_phone: str = ""


@dataclass(frozen=True)
class Agency:
    id: str
    type: str = ""
    name: str = ""
    spoc: Spoc | None = None


@dataclass(frozen=True)
class AgencyType:
    """A kind of agency: its title and the roles its staff may hold (maybe none)."""

    title: str = ""
    roles: Names = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class FormAccess:
    """The roles that may submit and read one form."""

    submit: Names = ()
    read: Names = ()


@dataclass(frozen=True)
class RecordRoute:
    """Who hears of a record event on one form, by which channel, with which answers."""

    event: str
    form: str
    to: str
    channel: str
    fields: Names = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class CaseRoute:
    """Who hears of a process event (N01-N28), worded by `template`, carrying what its
    scopes allow; with `reason`, only when a deadline of that id raised it."""

    event: str
    to: str
    channel: str
    template: str
    scopes: Names
    reason: str | None = None
    sources: tuple[Source, ...] = ()


Route = RecordRoute | CaseRoute


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


@dataclass(frozen=True)
class Scope:
    """What a recipient may see: some fields per form, the fields of some information items,
    or (from_consent) the items the consent record allows that recipient."""

    title: str
    fields: FieldsByForm = field(default_factory=dict)
    items: Names = ()
    from_consent: bool = False
    sources: tuple[Source, ...] = ()

    @property
    def carries_answers(self) -> bool:
        return bool(self.fields or self.items or self.from_consent)


@dataclass(frozen=True)
class SharingRule:
    """What one role reads of other agencies' records: forms in full, scopes without
    consent, and scopes only while the consent record names the reader's agency."""

    in_full: Names = ()
    without_consent: Names = ()
    with_consent: Names = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Ground:
    """A ground for a disclosure: its rule, its scope, whether the person must be in
    custody, and the conditions (flag -> message when not met) the request must confirm."""

    title: str
    scope: str
    rule: str | None = None
    in_custody: bool = False
    requires: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Withheld:
    """Items the roles `by` never pass on, whatever the ground or consent (IS-04)."""

    rule: str
    by: Names
    items: Names
    message: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class AuditRule:
    """The roles that may page through the audit log (none when the protocol names none)."""

    readers: Names = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Protocol:
    """Everything the API decides by: agencies, who submits and reads each form, routes and
    their templates, scopes, the information-item table, sharing, disclosure grounds, what
    is never disclosed, who reads the audit log, and the local settings (name -> value)."""

    area: str = ""
    name: str = ""
    country: str | None = None
    area_type: str | None = None
    condition_types: Names = ()
    sources: tuple[Source, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    agency_types: Mapping[str, AgencyType] = field(default_factory=dict)
    agencies: tuple[Agency, ...] = ()
    access: Mapping[str, FormAccess] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    templates: Mapping[str, Template] = field(default_factory=dict)
    scopes: Mapping[str, Scope] = field(default_factory=dict)
    items: Mapping[str, FieldsByForm] = field(default_factory=dict)
    sharing: Mapping[str, SharingRule] = field(default_factory=dict)
    disclosure_grounds: Mapping[str, Ground] = field(default_factory=dict)
    never_disclosed: tuple[Withheld, ...] = ()
    audit: AuditRule = AuditRule()

    def agency(self, agency_id: str) -> Agency | None:
        return self._by_id.get(agency_id) if isinstance(agency_id, str) else None

    @cached_property
    def _by_id(self) -> Mapping[str, Agency]:
        """Each agency by its id (the first, were one written twice), made on first use: a
        protocol never changes (frozen), and every request asks for its agencies by id."""
        found: dict[str, Agency] = {}
        for agency in self.agencies:
            found.setdefault(agency.id, agency)
        return found

    @cached_property
    def agency_ids(self) -> frozenset[str]:
        return frozenset(self._by_id)

    def roles_of(self, agency_id: str) -> Names:
        """The roles a user of this agency may hold: its type's (none for an agency not
        in the protocol, or whose type `agency_types` does not declare)."""
        agency = self.agency(agency_id)
        declared = self.agency_types.get(agency.type) if agency is not None else None
        return declared.roles if declared is not None else ()

    def agencies_of_type(self, agency_type: str) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if a.type == agency_type)

    # --- reading and writing the JSON -----------------------------------------------------

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Protocol:
        """generated/protocol.json as parsed by json.loads; a section left out is empty."""
        data = _mapping(data, "the protocol")
        return cls(
            area=_text(data.get("area", ""), "area"),
            name=_text(data.get("name", ""), "name"),
            country=_optional_text(data.get("country"), "country"),
            area_type=_optional_text(data.get("area_type"), "area_type"),
            condition_types=_names(data.get("condition_types"), "condition_types"),
            sources=_sources(data.get("sources")),
            settings=dict(_mapping(data.get("settings"), "settings")),
            agency_types={key: _agency_type(key, entry) for key, entry
                          in _mapping(data.get("agency_types"), "agency_types").items()},
            agencies=tuple(_agency(a) for a in _list(data.get("agencies"), "agencies")),
            access={form: _access(form, entry) for form, entry
                    in _mapping(data.get("access"), "access").items()},
            routes=tuple(_route(i, r) for i, r in enumerate(_list(data.get("routes"), "routes"))),
            templates={key: _template(key, entry) for key, entry
                       in _mapping(data.get("templates"), "templates").items()},
            scopes={key: _scope(key, entry) for key, entry
                    in _mapping(data.get("scopes"), "scopes").items()},
            items={code: _fields_by_form(entry, f"item {code}") for code, entry
                   in _mapping(data.get("items"), "items").items()},
            sharing={role: _sharing(role, entry) for role, entry
                     in _mapping(data.get("sharing"), "sharing").items()},
            disclosure_grounds={key: _ground(key, entry) for key, entry in _mapping(
                data.get("disclosure_grounds"), "disclosure_grounds").items()},
            never_disclosed=tuple(_withheld(entry) for entry
                                  in _list(data.get("never_disclosed"), "never_disclosed")),
            audit=_audit(data.get("audit")),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON the build writes; `from_json(p.to_json()) == p`."""
        return {
            "area": self.area, "name": self.name, "country": self.country,
            "area_type": self.area_type, "condition_types": list(self.condition_types),
            "sources": _sources_json(self.sources), "settings": dict(self.settings),
            "agency_types": {key: {"title": t.title, "roles": list(t.roles),
                                   "sources": _sources_json(t.sources)}
                             for key, t in self.agency_types.items()},
            "agencies": [_agency_json(a) for a in self.agencies],
            "access": {form: {"submit": list(rule.submit), "read": list(rule.read)}
                       for form, rule in self.access.items()},
            "routes": [_route_json(route) for route in self.routes],
            "templates": {key: {"subject": t.subject, "body": t.body}
                          for key, t in self.templates.items()},
            "scopes": {key: {"title": s.title, "fields": _fields_json(s.fields),
                             "items": list(s.items), "from_consent": s.from_consent,
                             "sources": _sources_json(s.sources)}
                       for key, s in self.scopes.items()},
            "items": {code: _fields_json(fields) for code, fields in self.items.items()},
            "sharing": {role: {"in_full": list(r.in_full),
                               "without_consent": list(r.without_consent),
                               "with_consent": list(r.with_consent),
                               "sources": _sources_json(r.sources)}
                        for role, r in self.sharing.items()},
            "disclosure_grounds": {key: {"title": g.title, "scope": g.scope, "rule": g.rule,
                                         "in_custody": g.in_custody,
                                         "requires": dict(g.requires),
                                         "sources": _sources_json(g.sources)}
                                   for key, g in self.disclosure_grounds.items()},
            "never_disclosed": [{"rule": w.rule, "by": list(w.by), "items": list(w.items),
                                 "message": w.message, "sources": _sources_json(w.sources)}
                                for w in self.never_disclosed],
            "audit": {"readers": list(self.audit.readers),
                      "sources": _sources_json(self.audit.sources)},
        }


def citation(sources: tuple[Source, ...]) -> str:
    """Sources as one line of text, the sections of one document together:
    'guidance.txt §2.4.1, §2.4.2; assumption'."""
    by_document: dict[str, list[str]] = {}
    for source in sources:
        sections = by_document.setdefault(source.document, [])
        if source.section:
            sections.append(source.section)
    return "; ".join(" ".join([document, ", ".join(sections)]).strip()
                     for document, sections in by_document.items())


# --- readers: one per shape, each refusing what does not fit ------------------------------

def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"protocol: {what} must be a mapping")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"protocol: {what} must be a list")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"protocol: {what} must be text")
    return value


def _optional_text(value: Any, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _names(value: Any, what: str) -> Names:
    return tuple(_text(name, f"each of {what}") for name in _list(value, what))


def _roles(value: Any, what: str) -> Names:
    roles = _names(value, what)
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"protocol: {what}: unknown role(s) {unknown}; known: {list(ROLES)}")
    return roles


def _sources(value: Any) -> tuple[Source, ...]:
    return tuple(Source(_text(s.get("document"), "a source's document"),
                        _text(s.get("section", ""), "a source's section"))
                 for s in (_mapping(one, "a source") for one in _list(value, "sources")))


def _fields_by_form(value: Any, what: str) -> dict[str, Names]:
    return {form: _names(names, f"the fields of {what} in {form}")
            for form, names in _mapping(value, what).items()}


def _agency(value: Any) -> Agency:
    entry = _mapping(value, "an agency")
    spoc = entry.get("spoc")
    return Agency(_text(entry.get("id"), "an agency's id"),
                  _text(entry.get("type", ""), "an agency's type"),
                  _text(entry.get("name", ""), "an agency's name"),
                  Spoc(**{key: _text(text, f"spoc {key}") for key, text
                          in _mapping(spoc, "a spoc").items()}) if spoc is not None else None)


def _agency_type(key: str, value: Any) -> AgencyType:
    entry = _mapping(value, f"agency type {key}")
    return AgencyType(_text(entry.get("title", ""), f"agency type {key}: title"),
                      _roles(entry.get("roles"), f"agency type {key}: roles"),
                      _sources(entry.get("sources")))


def _access(form: str, value: Any) -> FormAccess:
    entry = _mapping(value, f"access: {form}")
    return FormAccess(_roles(entry.get("submit"), f"access: {form}: submit"),
                      _roles(entry.get("read"), f"access: {form}: read"))


def _route(index: int, value: Any) -> Route:
    entry = _mapping(value, f"routes[{index}]")
    what = f"routes[{index}]"
    event, to = _text(entry.get("event"), f"{what}: event"), _text(entry.get("to"), f"{what}: to")
    channel = _text(entry.get("channel"), f"{what}: channel")
    if channel not in CHANNELS:
        raise ValueError(f"protocol: {what}: unknown channel {channel!r}")
    sources = _sources(entry.get("sources"))
    if "form" in entry:
        if event not in RECORD_EVENTS:
            raise ValueError(f"protocol: {what}: unknown record event {event!r}")
        return RecordRoute(event, _text(entry["form"], f"{what}: form"), to, channel,
                           _names(entry.get("fields"), f"{what}: fields"), sources)
    if event not in CASE_EVENTS:
        raise ValueError(f"protocol: {what}: unknown case event {event!r}")
    return CaseRoute(event, to, channel, _text(entry.get("template"), f"{what}: template"),
                     _names(entry.get("scopes"), f"{what}: scopes"),
                     _optional_text(entry.get("reason"), f"{what}: reason"), sources)


def _template(key: str, value: Any) -> Template:
    entry = _mapping(value, f"template {key}")
    return Template(_text(entry.get("subject"), f"template {key}: subject"),
                    _text(entry.get("body"), f"template {key}: body"))


def _scope(key: str, value: Any) -> Scope:
    entry = _mapping(value, f"scope {key}")
    return Scope(_text(entry.get("title", ""), f"scope {key}: title"),
                 _fields_by_form(entry.get("fields"), f"scope {key}"),
                 _names(entry.get("items"), f"scope {key}: items"),
                 entry.get("from_consent") is True, _sources(entry.get("sources")))


def _sharing(role: str, value: Any) -> SharingRule:
    if role not in ROLES:
        raise ValueError(f"protocol: sharing: unknown role {role!r}")
    entry = _mapping(value, f"sharing: {role}")
    return SharingRule(*(_names(entry.get(key), f"sharing: {role}: {key}")
                         for key in ("in_full", "without_consent", "with_consent")),
                       sources=_sources(entry.get("sources")))


def _ground(key: str, value: Any) -> Ground:
    entry = _mapping(value, f"disclosure ground {key}")
    return Ground(_text(entry.get("title", ""), f"ground {key}: title"),
                  _text(entry.get("scope"), f"ground {key}: scope"),
                  _optional_text(entry.get("rule"), f"ground {key}: rule"),
                  entry.get("in_custody") is True,
                  {flag: _text(message, f"ground {key}: requires {flag}") for flag, message
                   in _mapping(entry.get("requires"), f"ground {key}: requires").items()},
                  _sources(entry.get("sources")))


def _withheld(value: Any) -> Withheld:
    entry = _mapping(value, "a rule of never_disclosed")
    rule = _text(entry.get("rule"), "a never_disclosed rule")
    return Withheld(rule, _roles(entry.get("by"), f"never_disclosed {rule}: by"),
                    _names(entry.get("items"), f"never_disclosed {rule}: items"),
                    _text(entry.get("message"), f"never_disclosed {rule}: message"),
                    _sources(entry.get("sources")))


def _audit(value: Any) -> AuditRule:
    entry = _mapping(value, "audit")
    return AuditRule(_roles(entry.get("readers"), "audit: readers"),
                     _sources(entry.get("sources")))


# --- writers ------------------------------------------------------------------------------

def _sources_json(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [{"document": s.document, "section": s.section} for s in sources]


def _fields_json(fields: FieldsByForm) -> dict[str, list[str]]:
    return {form: list(names) for form, names in fields.items()}


def _agency_json(agency: Agency) -> dict[str, Any]:
    found: dict[str, Any] = {"id": agency.id, "type": agency.type, "name": agency.name}
    if agency.spoc is not None:
        found["spoc"] = {key: value for key, value in vars(agency.spoc).items() if value}
    return found


def _route_json(route: Route) -> dict[str, Any]:
    common = {"event": route.event, "to": route.to, "channel": route.channel,
              "sources": _sources_json(route.sources)}
    if isinstance(route, RecordRoute):
        return {**common, "form": route.form, "fields": list(route.fields)}
    return {**common, "template": route.template, "scopes": list(route.scopes),
            "reason": route.reason}
