"""`agency_types:` in forms/protocol.yaml: each kind of agency and the roles its staff may
hold, checked like the rest (file:line:col, did-you-mean) and compiled for the API."""

from __future__ import annotations

import json

from chalicelib.contract.protocol import Protocol

from tests.yaml_cases import build_yaml, fields_form

FORM = fields_form("- {id: surname, type: text, label: Surname}\n")
CODES = {"forms/codelists/agency_type.yaml": """
    codelist: agency_type
    title: Type of agency
    source: assumption
    values:
      - {code: police_custody, label: Police custody}
      - {code: cjit, label: CJIT}
      - {code: prison_healthcare, label: Prison healthcare}
"""}
GOOD = """\
area: northshire
name: Northshire
agency_types:
  police_custody: {title: Police custody, roles: [police], source: assumption}
  cjit: {title: CJIT, roles: [cjit], source: assumption}
  prison_healthcare: {title: Prison healthcare, roles: [], source: assumption}
agencies:
  - {id: northshire_police, type: police_custody, name: Police}
  - {id: northshire_cjit, type: cjit, name: CJIT}
  - {id: hmp_healthcare, type: prison_healthcare, name: Healthcare}
"""


def diagnostics(protocol: str) -> list[tuple[int, int, str, str | None]]:
    result = build_yaml(FORM, {**CODES, "forms/protocol.yaml": protocol})
    return [(d.span.line, d.span.col, d.code, d.hint) for d in result.diagnostics]


def test_declared_types_with_known_roles_check_clean_and_compile_for_the_api():
    assert diagnostics(GOOD) == []
    result = build_yaml(FORM, {**CODES, "forms/protocol.yaml": GOOD})
    protocol = Protocol.from_json(json.loads(result.generated["protocol.json"]))
    assert protocol.roles_of("northshire_police") == ("police",)
    assert protocol.roles_of("hmp_healthcare") == ()
    assert protocol.agency_types["cjit"].title == "CJIT"


def test_an_unknown_role_an_unknown_type_and_an_undeclared_agency_type_are_named():
    bad = GOOD.replace("roles: [cjit]", "roles: [cjt]").replace(
        "  prison_healthcare: {title: Prison", "  prison_helthcare: {title: Prison")
    assert diagnostics(bad) == [
        (5, 31, "F018", "did you mean 'cjit'?"),
        (6, 3, "F016", "did you mean 'prison_healthcare'?"),    # not a code of agency_type
        (10, 5, "F016", "did you mean 'prison_helthcare'?"),    # the agency's type undeclared
    ]


def test_a_type_without_roles_or_source_is_refused():
    bad = GOOD.replace("  cjit: {title: CJIT, roles: [cjit], source: assumption}",
                       "  cjit: {title: CJIT}")
    assert [(line, code) for line, _, code, _ in diagnostics(bad)] == [(5, "F003"), (5, "F011")]


def test_the_matrix_says_what_each_agency_type_may_submit_and_read_of_each_form():
    """`dipforms protocol` prints it: agency type x role x form (contract/access_matrix.py)."""
    from pathlib import Path

    from chalicelib.contract.access_matrix import access_matrix

    from generator.edges.files import read_forms_dir
    from generator.project import parse_project
    from generator.protocol.compiled import compile_protocol

    project = parse_project(read_forms_dir(Path(__file__).resolve().parents[2]))[0]
    protocol = compile_protocol(project.protocol)
    cells = {(c.agency_type, c.role, c.form): c
             for c in access_matrix(protocol, [f.id for f in project.forms])}
    police_mg14 = cells[("police_custody", "police", "mg14")]
    assert (police_mg14.submit, police_mg14.read) == (True, "whole")
    report = cells[("police_custody", "police", "compliance_report")]
    assert (report.read, report.without_consent, report.with_consent) == (
        "scopes", ("compliance",), ("consented",))
    # another CJIT's assessment reaches a CJIT by consent only (PC36/2007 §2.2.1)
    assessment = cells[("cjit", "cjit", "dir_required_assessment")]
    assert (assessment.read, assessment.with_consent) == ("scopes", ("consented",))
    probation_mg14 = cells[("probation_om", "probation", "mg14")]   # PC36 §2: by consent only
    assert (probation_mg14.read, probation_mg14.without_consent,
            probation_mg14.with_consent) == ("scopes", (), ("consented",))
    assert {c.read for k, c in cells.items() if k[0] == "dat"} == {"references"}
    assert cells[("prison_healthcare", "-", "*")].read == "none"      # no users at all
