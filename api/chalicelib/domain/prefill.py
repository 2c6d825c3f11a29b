"""What a form is filled with before anyone types: from its case and from the local protocol.

A form started from a case (?case=<reference>) gets the case reference in the field its
link names (forms/process.yaml `links:`), fixed, and each field of the link's `fills:`,
an expression over the case's opening record (the MG14) as the reader may see it: a
reader who may not see the person's name gets no name. A fill may instead take from the
case's latest record of another form (`from_records`: an answer, or that record's own
reference, such as session 1's DIR reference), or fill a repeating group with an item per
record (`rows`: the compliance report's sessions), again as far as the reader may see.
The protocol fills what it knows: an agency's contact block (the fields
`<type>_agency_name`, `<type>_contact_name`... of forms/blocks/agency_contact.yaml,
prefixed with an agency type such as `cjit_`) from the agency of that type the form's
submission is routed to (or the area's only one), and `residence_area` with the area.
Only what a person must decide is left to ask.

Pure: plain values in, the answer's JSON out; the caller loads the case and decides who
may see what (caseview.visible_answers).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..contract.protocol import Agency, Protocol, RecordRoute
from .caseflow import Process
from .rules import evaluate

#: The agency_contact block's fields (without their prefix) -> what of the agency fills them.
CONTACT_PARTS = ("agency_name", "contact_name", "contact_role", "contact_phone",
                 "contact_email")
#: The field that names the area a person lives in; the protocol's own area fills it.
AREA_FIELD = "residence_area"


@dataclass(frozen=True)
class CaseRecord:
    """The case's latest record of one form, as the reader may see it (`answers` None:
    they may see none of it, so nothing is filled from it)."""

    record_id: str
    answers: Mapping[str, Any] | None


def case_fills(process: Process, form_id: str) -> dict[str, Any] | None:
    """The link's `fills:` (field -> compiled expression), or None: the form is not linked
    to the case, so it cannot start from one."""
    link = process.link(form_id)
    return None if link is None else dict(link.get("fills") or {})


def record_sources(process: Process, form_id: str) -> set[str]:
    """The forms whose records the link's other fills read (from_records and rows)."""
    link = process.link(form_id) or {}
    return {source for spec in (*(link.get("from_records") or {}).values(),
                                *(link.get("rows") or {}).values())
            for source in spec["from"]}


def from_case(process: Process, form_id: str, case_ref: str,
              opener: Mapping[str, Any] | None, today: datetime.date,
              records: Mapping[str, CaseRecord] | None = None) -> dict[str, Any]:
    """The case reference and the link's fills: `fills` evaluated on `opener` (the opening
    record's answers as the reader may see them; None: they may see none of it), the
    others on `records` (form id -> the case's latest record of it). A value the reader
    may not see (its field left out) is not filled; a code written in the YAML is filled
    whatever they see."""
    out: dict[str, Any] = {process.links[form_id]: case_ref}
    link, records = process.link(form_id) or {}, records or {}
    for target, expression in (link.get("fills") or {}).items():
        _put(out, target, _value(expression, opener or {}, today))
    for target, spec in (link.get("from_records") or {}).items():
        found = next((records[f] for f in spec["from"]
                      if f in records and records[f].answers is not None), None)
        if found is not None:
            _put(out, target, found.record_id if spec.get("reference")
                 else _value(spec.get("value"), found.answers, today))
    for target, spec in (link.get("rows") or {}).items():
        _put(out, target, _rows(spec, records, today))
    return out


def _rows(spec: Mapping[str, Any], records: Mapping[str, CaseRecord],
          today: datetime.date) -> list[dict[str, Any]]:
    """One item per form of `spec["from"]` the case has a record of, in that order, each
    numbered by its place (`number`) and filled from its record."""
    items = []
    for source in spec["from"]:
        found = records.get(source)
        if found is None or found.answers is None:
            continue
        item: dict[str, Any] = {}
        if spec.get("number"):
            item[spec["number"]] = len(items) + 1
        for field, expression in (spec.get("fills") or {}).items():
            _put(item, field, _value(expression, found.answers, today))
        items.append(item)
    return items


def _value(expression: Any, answers: Mapping[str, Any], today: datetime.date) -> Any:
    return evaluate(expression, dict(answers), today=today) if expression else None


def _put(out: dict[str, Any], field: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        out[field] = value


def from_protocol(protocol: Protocol, form_id: str, schema: Mapping[str, Any]
                  ) -> dict[str, Any]:
    """What the local protocol knows of a form's answers: its agencies' contacts and the
    area, for the fields the form's schema has."""
    properties = schema.get("properties") or {}
    out: dict[str, Any] = {}
    for agency_type in protocol.agency_types:
        prefix = f"{agency_type}_"
        if f"{prefix}agency_name" not in properties:
            continue
        agency = referred_agency(protocol, form_id, agency_type)
        if agency is None:
            continue
        for part, value in _contact(agency).items():
            if f"{prefix}{part}" in properties and value:
                out[f"{prefix}{part}"] = value
    if AREA_FIELD in properties and protocol.area in _choices(schema, properties[AREA_FIELD]):
        out[AREA_FIELD] = protocol.area
    return out


def referred_agency(protocol: Protocol, form_id: str, agency_type: str) -> Agency | None:
    """The agency of `agency_type` a record of the form is sent to (its `submitted` route:
    the MG14 is the referral to the CJIT), or the area's only agency of that type."""
    of_type = {a.id: a for a in protocol.agencies if a.type == agency_type}
    routed = [of_type[r.to] for r in protocol.routes
              if isinstance(r, RecordRoute) and r.event == "submitted" and r.form == form_id
              and r.to in of_type]
    if routed:
        return routed[0]
    return next(iter(of_type.values())) if len(of_type) == 1 else None


def prefill_json(form_id: str, case_ref: str | None, case_field: str | None,
                 protocol_answers: Mapping[str, Any], case_answers: Mapping[str, Any]
                 ) -> dict[str, Any]:
    """The answer of GET /v1/forms/{form}/prefill: the answers to fill (the case's win over
    the protocol's), which came from where, and the case reference's field (fixed: it is
    not asked again)."""
    answers = {**protocol_answers, **case_answers}
    return {"form": form_id, "case": case_ref, "case_field": case_field,
            "answers": dict(sorted(answers.items())),
            "from_case": sorted(k for k in case_answers if k != case_field),
            "from_protocol": sorted(k for k in protocol_answers if k not in case_answers)}


def _contact(agency: Agency) -> dict[str, str]:
    spoc = agency.spoc
    return {"agency_name": agency.name, "contact_name": spoc.name if spoc else "",
            "contact_role": spoc.role if spoc else "", "contact_phone": spoc.phone if spoc else "",
            "contact_email": spoc.email if spoc else ""}


def _choices(schema: Mapping[str, Any], prop: Mapping[str, Any]) -> tuple[Any, ...]:
    """The codes a choice field allows (its enum, or the code list its $ref names)."""
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        prop = (schema.get("$defs") or {}).get(ref.removeprefix("#/$defs/")) or {}
    return tuple(prop.get("enum") or ())
