"""Forms started from a case: the `fills:` of a link in forms/process.yaml (parsed, checked,
compiled) and domain/prefill.py (what a form starts with, from the case and the protocol);
a page `asked: later`."""

from __future__ import annotations

import datetime
import json

import pytest
from chalicelib.contract.protocol import Agency, AgencyType, Protocol, RecordRoute, Spoc
from chalicelib.domain import prefill
from chalicelib.domain.caseflow import Process

from tests.unit.test_process import CASEWORK, FOLLOW, FORM, casework_errors
from tests.yaml_cases import build_yaml, fields_form

TODAY = datetime.date(2026, 12, 1)
FILLED = CASEWORK.replace("  - {form: u, field: case}\n",
                          "  - {form: u, field: case, fills: {note: a, outcome: \"'done'\"}}\n")


def test_a_links_fills_compile_for_the_api():
    result = build_yaml(FORM, {"forms/process.yaml": FILLED, "forms/u.yaml": FOLLOW})
    assert result.ok, [d.headline() for d in result.diagnostics]
    link = json.loads(result.generated["process.json"])["links"][0]
    assert link == {"form": "u", "field": "case",
                    "fills": {"note": {"field": "a"}, "outcome": {"lit": "done"}}}


def test_a_fill_of_no_field_of_the_case_reference_or_of_no_answer_is_named():
    errors = casework_errors(FILLED.replace("note: a,", "nope: a, case: a, seen_on: b,"))
    assert any("P010 the form 'u' has no field 'nope'" in e for e in errors), errors
    assert any("P010 'case' holds the case reference" in e for e in errors), errors
    assert any("E002 unknown field 'b'" in e for e in errors), errors


def test_the_shipped_links_fill_the_person_from_the_mg14():
    from pathlib import Path

    from generator.build import build_project
    from generator.edges.files import read_committed_schemas, read_forms_dir

    root = Path(__file__).resolve().parents[2]
    result = build_project(read_forms_dir(root), read_committed_schemas(root))
    links = {link["form"]: link for link in json.loads(result.generated["process.json"])["links"]}
    fills = links["dir_required_assessment"]["fills"]
    assert {"surname", "forenames", "date_of_birth", "sex", "ethnicity"} <= set(fills)
    assert fills["surname"] == {"field": "surname"}


# -- domain/prefill.py ------------------------------------------------------------------

PROCESS = Process({"process": "p", "opened_by": "t", "start": "open", "states": [],
                   "transitions": [], "links": [
                       {"form": "u", "field": "case",
                        "fills": {"surname": {"field": "surname"}, "prompt": {"lit": "cc"}}},
                       {"form": "v", "field": "case_ref"}]})


def test_from_case_fills_the_reference_and_what_the_reader_sees():
    opener = {"surname": "Smith", "address": {"line1": "1 Road"}}
    assert prefill.from_case(PROCESS, "u", "MG14-1", opener, TODAY) == {
        "case": "MG14-1", "surname": "Smith", "prompt": "cc"}
    # a reader who may not see the name (left out of what they see, or nothing at all)
    assert prefill.from_case(PROCESS, "u", "MG14-1", {"address": {}}, TODAY) == {
        "case": "MG14-1", "prompt": "cc"}
    assert prefill.from_case(PROCESS, "u", "MG14-1", None, TODAY) == {
        "case": "MG14-1", "prompt": "cc"}
    assert prefill.from_case(PROCESS, "v", "MG14-1", opener, TODAY) == {"case_ref": "MG14-1"}
    assert prefill.case_fills(PROCESS, "t") is None       # not linked: cannot start from one


def protocol(*agencies: Agency, routes=()) -> Protocol:
    return Protocol(area="northshire", agency_types={"cjit": AgencyType(title="CJIT"),
                                                     "police_custody": AgencyType()},
                    agencies=agencies, routes=tuple(routes))


CJIT = Agency("a_cjit", "cjit", "A CJIT", Spoc(name="Jo", role="SPOC", email="jo@x.org",
                                                 phone="01632 960020"))
OTHER = Agency("b_cjit", "cjit", "B CJIT", Spoc(name="Al"))
SCHEMA = {"properties": {"cjit_agency_name": {}, "cjit_contact_name": {},
                         "cjit_contact_phone": {}, "cjit_contact_email": {},
                         "residence_area": {"$ref": "#/$defs/dat_area"}},
          "$defs": {"dat_area": {"enum": ["northshire", "elsewhere"]}}}


def test_the_protocol_fills_the_contact_of_the_agency_a_form_is_sent_to():
    sent = RecordRoute("submitted", "t", "b_cjit", "email")
    assert prefill.from_protocol(protocol(CJIT, OTHER, routes=[sent]), "t", SCHEMA) == {
        "cjit_agency_name": "B CJIT", "cjit_contact_name": "Al",
        "residence_area": "northshire"}
    # no route: the area's only CJIT; two and no route: none (a person decides)
    assert prefill.from_protocol(protocol(CJIT), "t", SCHEMA)["cjit_contact_email"] == "jo@x.org"
    assert "cjit_agency_name" not in prefill.from_protocol(protocol(CJIT, OTHER), "t", SCHEMA)
    # the area only when the form's code list has it; no contact block, no contact
    assert prefill.from_protocol(protocol(CJIT), "t", {"properties": {
        "residence_area": {"enum": ["elsewhere"]}}}) == {}


def test_the_answer_says_where_each_value_came_from_and_the_case_wins():
    body = prefill.prefill_json("u", "MG14-1", "case", {"residence_area": "northshire",
                                                        "x": 1},
                                {"case": "MG14-1", "residence_area": "elsewhere"})
    assert body["answers"] == {"case": "MG14-1", "residence_area": "elsewhere", "x": 1}
    assert (body["from_case"], body["from_protocol"]) == (["residence_area"], ["x"])


# -- a page asked only when a record is changed -------------------------------------------

LATER = fields_form("- {id: a, type: text, label: A}\n") + """\
  - id: outcome
    title: Outcome
    asked: later
    fields:
      - {id: b, type: text, label: B}
"""


def test_a_page_asked_later_is_in_the_page_map_as_later():
    result = build_yaml(LATER)
    assert result.ok, [d.headline() for d in result.diagnostics]
    from generator.render.site import page_map

    form = result.project.forms[0]
    assert [p.asked for p in form.pages] == ["first", "later"]
    assert [p.get("later") for p in page_map(form, "en")["pages"]] == [None, True]
    assert page_map(form, "en")["pages"][0]["fields"] == [{"id": "a", "show_if": None,
                                                           "read": "text"}]


def test_asked_takes_first_or_later():
    result = build_yaml(LATER.replace("asked: later", "asked: latre"))
    assert [d.code for d in result.diagnostics] == ["F009"]


def test_pages_asked_later_are_left_out_of_the_first_filling_in():
    from tests.unit.test_render import parse, site_of

    site = site_of(LATER)
    start = parse(site["forms/t/index.html"])
    assert [a.attrs["href"] for a in start.all("a") if "/forms/t/" in a.attrs.get("href", "")
            and a.attrs["href"].endswith(("main.html", "outcome.html"))] == ["/forms/t/main.html",
                                                                            "/forms/t/main.html"]
    check = parse(site["forms/t/check.html"])
    assert check.one("a", class_="govuk-back-link").attrs["href"] == "/forms/t/main.html"
    main = parse(site["forms/t/main.html"])
    assert "data-next" not in main.one("form", class_="dipforms-page").attrs
    # the check page has the change block, hidden, with its reason box (prefill.js)
    assert "hidden" in check.one("div", class_="dipforms-change").attrs
    assert check.by_id("reason").attrs["name"] == "reason"


# -- fills from the case's other records, and a link's `when` ----------------------------

REPORT = fields_form("""
- {id: case, type: reference, form: t, label: Case}
- {id: ref, type: reference, label: The record}
- {id: seen, type: date, label: Seen on}
- id: rows
  type: repeat
  label: Rows
  fields:
    - {id: n, type: number, label: Number, integer: true}
    - {id: d, type: date, label: Date}
""").replace("form: t\n", "form: w\n", 1)
FROM_RECORDS = CASEWORK.replace("  - {form: u, field: case}\n", """\
  - {form: u, field: case}
  - form: w
    field: case
    when: "answered(seen_on)"
    source: assumption
    fills:
      ref: {from: u, reference: true}
      seen: {from: [u], value: seen_on}
      rows: {rows_from: [u], number: n, fills: {d: seen_on}}
""")


def record_errors(text: str) -> list[str]:
    result = build_yaml(FORM, {"forms/process.yaml": text, "forms/u.yaml": FOLLOW,
                               "forms/w.yaml": REPORT})
    return [f"{d.code} {d.message}" for d in result.diagnostics
            if d.span.file == "forms/process.yaml"]


def test_fills_from_other_records_and_when_compile_for_the_api():
    result = build_yaml(FORM, {"forms/process.yaml": FROM_RECORDS, "forms/u.yaml": FOLLOW,
                               "forms/w.yaml": REPORT})
    assert result.ok, [d.headline() for d in result.diagnostics]
    link = json.loads(result.generated["process.json"])["links"][1]
    assert link == {
        "form": "w", "field": "case",
        "from_records": {"ref": {"from": ["u"], "reference": True},
                         "seen": {"from": ["u"], "value": {"field": "seen_on"}}},
        "rows": {"rows": {"from": ["u"], "number": "n", "fills": {"d": {"field": "seen_on"}}}},
        "when": {"call": "answered", "args": [{"field": "seen_on"}]}}


@pytest.mark.parametrize(("old", "new", "said"), [
    ("ref: {from: u, reference: true}", "nope: {from: u, reference: true}",
     "P010 the form 'w' has no field 'nope'"),
    ("ref: {from: u, reference: true}", "ref: {from: u}",
     "P016 the record filling 'ref' needs either"),
    ("seen: {from: [u], value: seen_on}", "seen: {from: u, reference: true}",
     "P016 'seen' is filled with a record's reference"),
    ("seen: {from: [u], value: seen_on}\n      rows: {rows_from", "seen: {rows_from",
     "P016 'seen' is filled with one item per record"),
    ("number: n,", "number: d,", "P016 'd' numbers the items"),
    ("{from: [u], value: seen_on}", "{from: [u, t], value: nothing}",
     "E002 unknown field 'nothing'"),
    ("{from: [u], value: seen_on}", "{from: [u, x], value: seen_on}", "F017 unknown form 'x'"),
    ("fills: {d: seen_on}", "fills: {e: seen_on}", "P010 the items of 'rows' have no field 'e'"),
])
def test_a_fill_from_records_that_cannot_be_made_is_named(old, new, said):
    assert old in FROM_RECORDS
    found = record_errors(FROM_RECORDS.replace(old, new))
    assert any(said in e for e in found), found


def test_a_when_needs_a_source_and_names_only_facts():
    errors = record_errors(FROM_RECORDS.replace("    source: assumption\n    fills:",
                                                "    fills:"))
    assert any("F011 the link of 'w' says when it applies with no source" in e
               for e in errors), errors
    errors = record_errors(FROM_RECORDS.replace('when: "answered(seen_on)"',
                                                'when: "answered(seen_onn)"'))
    assert any("seen_onn" in e for e in errors), errors


PROCESS_RECORDS = Process({"process": "p", "opened_by": "t", "start": "open", "states": [],
                           "transitions": [], "links": [
                               {"form": "u", "field": "case"},
                               {"form": "w", "field": "case", "when": {
                                   "op": "==", "args": [{"field": "kind"}, {"lit": "long"}]},
                                "from_records": {
                                    "ref": {"from": ["v", "u"], "reference": True},
                                    "seen": {"from": ["u"], "value": {"field": "seen_on"}}},
                                "rows": {"rows": {"from": ["u", "v", "x"], "number": "n",
                                                  "fills": {"d": {"call": "date_of", "args": [
                                                      {"field": "at"}]}}}}}]})


def test_from_case_takes_the_other_records_as_the_reader_sees_them():
    records = {"u": prefill.CaseRecord("U-1", {"seen_on": "2026-11-02",
                                                "at": "2026-11-02T10:00"}),
               "v": prefill.CaseRecord("V-1", None),          # the reader may see none of it
               "x": prefill.CaseRecord("X-1", {"at": "2026-11-20T09:30"})}
    assert prefill.from_case(PROCESS_RECORDS, "w", "MG14-1", {}, TODAY, records) == {
        "case": "MG14-1", "ref": "U-1", "seen": "2026-11-02",
        "rows": [{"n": 1, "d": "2026-11-02"}, {"n": 2, "d": "2026-11-20"}]}
    assert prefill.from_case(PROCESS_RECORDS, "w", "MG14-1", {}, TODAY, {}) == {
        "case": "MG14-1"}
    assert prefill.record_sources(PROCESS_RECORDS, "w") == {"u", "v", "x"}


def test_a_link_applies_when_the_cases_facts_say_so():
    assert PROCESS_RECORDS.forms_for({"kind": "long"}, TODAY) == ["u", "w"]
    assert PROCESS_RECORDS.forms_for({"kind": "short"}, TODAY) == ["u"]
