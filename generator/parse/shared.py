"""Nodes -> the shared definitions: reference documents, code lists, blocks, the protocol.

Pure: each function takes nodes and a Reader and returns model objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import AccessRule, Agency, Block, Code, CodeList, Text
from ..spans import Mapping, Node, Scalar, plain
from .form import parse_codes
from .reader import Reader

if TYPE_CHECKING:
    from ..protocol.routes import LocalProtocol

PROTOCOL_KEYS = ("area", "name", "country", "area_type", "source", "condition_types",
                 "settings", "agency_types", "agencies", "access", "routes", "templates",
                 "scopes", "items", "sharing", "disclosure_grounds", "never_disclosed", "audit")
ACCESS_KEYS = ("submit", "read")
AGENCY_KEYS = ("id", "type", "name", "name_cy", "spoc")
#: The code list the build makes from the protocol's agencies (ids as codes, names as
#: labels), so a form's choice of agency follows forms/protocol.yaml.
AGENCY_CODELIST = "agency"
SPOC_KEYS = ("name", "role", "email", "phone", "out_of_hours_phone")


def parse_documents(r: Reader, node: Node) -> dict[str, str]:
    m = r.mapping(node, "forms/sources.yaml")
    if m is None:
        return {}
    r.keys(m, ("documents",), ("documents",), "forms/sources.yaml")
    docs = r.mapping(m.get("documents"), "documents")
    if docs is None:
        return {}
    titles = {name: r.string(value, f"the title of {name}") for name, value in docs.items.items()}
    return {name: title for name, title in titles.items() if title is not None}


def parse_codelist(r: Reader, node: Node, file_id: str) -> CodeList | None:
    m = r.mapping(node, "a code list file")
    if m is None:
        return None
    r.keys(m, ("codelist", "title", "source", "values"), ("codelist", "title", "values"),
           "a code list")
    name = r.ident(m.get("codelist"), "the code list name")
    if name is not None and name != file_id:
        r.error(m.get("codelist").span, "F009",
                f"the code list '{name}' must match its file name '{file_id}.yaml'")
    if "source" not in m.items:
        r.error(m.keys.get("codelist", m.span), "F011", f"code list '{name}' has no source",
                hint="cite the document and section, or write source: assumption")
    title = r.text(m.get("title"), "the code list title")
    values = parse_codes(r, m.get("values"), "values")
    sources = r.sources(m.get("source"), "the code list")
    if name is None or title is None:
        return None
    if not values and "values" in m.items:
        r.error(m.get("values").span, "F009", "a code list needs at least one value")
    return CodeList(name, title, values, sources, m.span)


def parse_block(r: Reader, node: Node, file_id: str) -> Block | None:
    m = r.mapping(node, "a block file")
    if m is None:
        return None
    r.keys(m, ("block", "description", "fields"), ("block", "fields"), "a block")
    name = r.ident(m.get("block"), "the block name")
    if name is not None and name != file_id:
        r.error(m.get("block").span, "F009",
                f"the block '{name}' must match its file name '{file_id}.yaml'")
    r.sequence(m.get("fields"), "fields")
    if name is None:
        return None
    return Block(name, r.text(m.get("description"), "the description"), m.get("fields"), m.span)


def parse_protocol(r: Reader, node: Node) -> LocalProtocol | None:
    # imported on use: a project without forms/protocol.yaml never loads it (README.md: Build speed)
    from ..protocol.agency_types import parse_agency_types
    from ..protocol.routes import (
        LocalProtocol,
        parse_audit,
        parse_grounds,
        parse_items,
        parse_route,
        parse_scopes,
        parse_sharing,
        parse_templates,
        parse_withheld,
    )
    m = r.mapping(node, "forms/protocol.yaml")
    if m is None:
        return None
    r.keys(m, PROTOCOL_KEYS, ("area", "name", "agencies"), "the protocol")
    area = r.ident(m.get("area"), "the area id")
    name = r.string(m.get("name"), "the area name")
    agencies = tuple(a for a in (_agency(r, n) for n in r.sequence(m.get("agencies"), "agencies"))
                     if a is not None)
    condition_types = tuple(
        c for c in (r.ident(n, "a condition type")
                    for n in r.sequence(m.get("condition_types"), "condition_types")) if c
    )
    settings = _settings(r, m.get("settings"))
    agency_types = parse_agency_types(r, m.get("agency_types"))
    sources = r.sources(m.get("source"), "the protocol")
    access = _access(r, m.get("access"))
    routes = tuple(x for x in (parse_route(r, n) for n in r.sequence(m.get("routes"), "routes"))
                   if x)
    templates = parse_templates(r, m.get("templates"))
    scopes = parse_scopes(r, m.get("scopes"))
    items, item_spans = parse_items(r, m.get("items"))
    sharing = parse_sharing(r, m.get("sharing"))
    grounds = parse_grounds(r, m.get("disclosure_grounds"))
    withheld = parse_withheld(r, m.get("never_disclosed"))
    audit = parse_audit(r, m.get("audit"))
    if area is None or name is None:
        return None
    raw = {k: plain(v) for k, v in m.items.items()}
    return LocalProtocol(area, name, agencies, condition_types, settings, sources, m.span, raw,
                         access=access, routes=routes, agency_types=agency_types,
                         templates=templates, scopes=scopes,
                         items=items, item_spans=item_spans, sharing=sharing, grounds=grounds,
                         withheld=withheld, audit=audit)


def _access(r: Reader, node: Node | None) -> dict[str, AccessRule]:
    """access: {form id: {submit: [roles], read: [roles]}}."""
    m = r.mapping(node, "access")
    if m is None:
        return {}
    rules = {}
    for form_id, value in m.items.items():
        entry = r.mapping(value, f"the access of {form_id}")
        if entry is None:
            continue
        r.keys(entry, ACCESS_KEYS, (), f"the access of {form_id}")
        rules[form_id] = AccessRule(form_id, m.keys[form_id],
                                    r.idents(entry.get("submit"), "submit", "a role"),
                                    r.idents(entry.get("read"), "read", "a role"))
    return rules


def _agency(r: Reader, node: Node) -> Agency | None:
    m = r.mapping(node, "an agency")
    if m is None:
        return None
    r.keys(m, AGENCY_KEYS, ("id", "type", "name"), "an agency")
    spoc: dict[str, str] = {}
    spoc_node = r.mapping(m.get("spoc"), "the single point of contact")
    if spoc_node is not None:
        r.keys(spoc_node, SPOC_KEYS, ("name",), "a single point of contact")
        for key, value in spoc_node.items.items():
            text = r.string(value, f"spoc {key}")
            if text is not None:
                spoc[key] = text
    agency_id = r.ident(m.get("id"), "the agency id")
    agency_type = r.ident(m.get("type"), "the agency type")
    name = r.string(m.get("name"), "the agency name")
    name_cy = r.string(m.get("name_cy"), "the agency's Welsh name") if "name_cy" in m.items \
        else None
    if None in (agency_id, agency_type, name):
        return None
    return Agency(agency_id, agency_type, name, m.span, spoc, name_cy)


def agency_codelist(protocol: LocalProtocol) -> CodeList:
    """The protocol's agencies as the code list `agency`: each id a code, its name the
    label (in Welsh its `name_cy`, else the name as written: a proper name)."""
    values = tuple(Code(a.id, Text(a.name, a.name_cy or a.name, a.span), None, a.span)
                   for a in protocol.agencies)
    title = Text("Agency of the local protocol", "Asiantaeth y protocol lleol", protocol.span)
    return CodeList(AGENCY_CODELIST, title, values, protocol.sources, protocol.span)


def _settings(r: Reader, node: Node | None) -> dict:
    """Each setting is `name: {value, source}` so every local number is cited."""
    m = r.mapping(node, "settings")
    if m is None:
        return {}
    settings = {}
    for key, value in m.items.items():
        entry = r.mapping(value, f"the setting {key}")
        if entry is None:
            continue
        r.keys(entry, ("value", "source"), ("value", "source"), f"the setting {key}")
        r.sources(entry.get("source"), f"the setting {key}")
        value_node = entry.get("value")
        if isinstance(value_node, Scalar | Mapping):
            settings[key] = plain(value_node)
    return settings
