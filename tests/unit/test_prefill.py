"""Forms started from a case: the `fills:` of a link in forms/process.yaml (parsed, checked,
compiled) and domain/prefill.py (what a form starts with, from the case and the protocol);
a page `asked: later`."""

from __future__ import annotations

import datetime
import json

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
