"""The code list `agency` that the build makes from forms/protocol.yaml (so a consent names
agencies of the protocol, in both languages), and the real protocol's `sharing:` for every
agency type, checked as the rest is (file:line:col)."""

from __future__ import annotations

import json

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.render.site import Site
from tests.api_harness import ROOT
from tests.unit.test_render import ENV
from tests.yaml_cases import build_yaml, fields_form

PROTOCOL = """\
area: testshire
name: Testshire DAT
source: assumption
agencies:
  - {id: testshire_police, type: police_custody, name: Testshire Police,
     name_cy: Heddlu Testshire}
  - {id: testshire_cjit, type: cjit, name: Testshire CJIT}
"""

FORM = fields_form("""
- id: agency
  type: choice
  label: {en: Agency, cy: Asiantaeth}
  codelist: agency
  widget: select
  errors:
    enum: {en: Select an agency of the local protocol, cy: Dewiswch asiantaeth}
""").replace("title: Test form", "title: {en: Test form, cy: Ffurflen brawf}")


def agency_enum(result) -> list[str]:
    schema = json.loads(result.schemas["t/1.0.schema.json"])
    return schema["$defs"]["agency"]["enum"]


def test_a_choice_of_agency_offers_the_protocols_agencies_by_id_with_their_names():
    result = build_yaml(FORM, {"forms/protocol.yaml": PROTOCOL}, site=Site(ENV))
    assert [d.headline() for d in result.diagnostics if d.is_error] == []
    assert agency_enum(result) == ["testshire_police", "testshire_cjit"]
    english = result.site["forms/t/main.html"]
    welsh = result.site["cy/forms/t/main.html"]
    assert '<option value="testshire_police">Testshire Police' in english
    assert '<option value="testshire_police">Heddlu Testshire' in welsh
    assert '<option value="testshire_cjit">Testshire CJIT' in welsh   # a name as written


def test_a_dat_adding_an_agency_to_the_protocol_adds_the_choice():
    more = PROTOCOL + "  - {id: testshire_carats, type: cjit, name: HMP Testshire CARATs}\n"
    result = build_yaml(FORM, {"forms/protocol.yaml": more})
    assert "testshire_carats" in agency_enum(result)


def test_a_code_list_file_may_not_take_the_protocols_name():
    clash = ("codelist: agency\ntitle: Agencies\nsource: assumption\n"
             "values:\n  - {code: a, label: A}\n")
    result = build_yaml(FORM, {"forms/protocol.yaml": PROTOCOL,
                               "forms/codelists/agency.yaml": clash})
    [problem] = [d for d in result.diagnostics if d.is_error]
    assert (problem.span.file, problem.code) == ("forms/codelists/agency.yaml", "F009")


def test_sharing_for_the_cjit_carat_and_probation_is_checked_against_the_routes():
    files = read_forms_dir(ROOT)
    text = files["forms/protocol.yaml"]
    cjit = text.index("  cjit:\n    # the MG14")
    entry = text.index("without_consent: [custody_minimum, consent_terms]", cjit)
    files["forms/protocol.yaml"] = (text[:entry] + "without_consent: [consent_terms]"
                                    + text[entry + len("without_consent: [custody_minimum, "
                                                       "consent_terms]"):])
    problems = [d for d in build_project(files, {}).diagnostics if d.is_error]
    # the N21 route carries custody_minimum to the CJIT: now beyond what sharing: allows
    assert [(p.span.file, p.code) for p in problems] == [("forms/protocol.yaml", "R005")]
    n21 = text.index("scope: custody_minimum", text.index("event: N21"))
    assert (problems[0].span.line, problems[0].span.col) == (
        text[:n21].count("\n") + 1, n21 - text.rindex("\n", 0, n21) + len("scope: "))
    unknown = text.replace("without_consent: [consent_terms]\n    with_consent: [consented]",
                           "without_consent: [consent_term]\n    with_consent: [consented]")
    files["forms/protocol.yaml"] = unknown
    [problem] = [d for d in build_project(files, {}).diagnostics if d.is_error]
    assert "consent_terms" in (problem.hint or "")
