"""The protocol's routes, templates, scopes, item table, sharing rules and disclosure grounds
are checked like the forms (every error at file:line:col, with did-you-mean), the real
protocol checks clean, and `dipforms protocol` prints a row per route."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from chalicelib.contract.events import CASE_EVENTS, RECORD_EVENTS

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.review import ROUTE_HEADER, route_rows, table
from tests.yaml_cases import build_yaml, fields_form

ROOT = Path(__file__).resolve().parents[2]
FORM = fields_form("""
- {id: surname, type: text, label: Surname}
- {id: outcome, type: text, label: Outcome}
- {id: test_result, type: text, label: Test result}
""")
CODELISTS = {
    "forms/codelists/information_item.yaml": """
        codelist: information_item
        title: Items
        source: assumption
        values:
          - {code: test_result, label: Test result}
          - {code: risk_assessment, label: Risk}
    """,
    "forms/codelists/sharing_basis.yaml": """
        codelist: sharing_basis
        title: Basis
        source: assumption
        values:
          - {code: consent, label: Consent}
          - {code: risk_of_harm, label: Risk of harm}
    """,
}
GOOD = """
    area: northshire
    name: Northshire
    agencies:
      - {id: police, type: police_custody, name: Police, spoc: {name: Inspector,
                                                              email: i@p.example.org}}
      - {id: cjit, type: cjit, name: CJIT, spoc: {name: Jo Worker, email: jo@c.example.org}}
    routes:
      - {event: submitted, form: t, to: cjit, channel: email, source: assumption}
      - {event: N12, to: police, channel: email, template: done, scope: outcome_only,
         source: assumption}
      - {event: N10, reason: comply_by_approaching, to: police, channel: sns, template: done,
         scope: [outcome_only, consented], source: assumption}
      - {event: N26, to: named_agencies, channel: email, template: done, scope: nothing,
         source: assumption}
    templates:
      done: {subject: "Case {case_ref}: {event_title}", body: "Now {state}, due {due_on}"}
    scopes:
      nothing: {title: The event only, source: assumption}
      outcome_only: {title: Outcome, source: assumption, fields: {t: [outcome]}}
      risk: {title: Risk, source: assumption, items: [risk_assessment]}
      consented: {title: Agreed items, source: assumption, from_consent: true}
    items:
      test_result: {t: [test_result]}
    sharing:
      police: {without_consent: [outcome_only], with_consent: [consented], source: assumption}
    disclosure_grounds:
      risk_of_harm: {rule: IS-01, title: Risk, scope: risk, source: assumption}
"""


def protocol_diagnostics(protocol: str) -> list[tuple[int, int, str, str | None]]:
    result = build_yaml(FORM, {**CODELISTS, "forms/protocol.yaml": protocol})
    return [(d.span.line, d.span.col, d.code, d.hint) for d in result.diagnostics]


def test_a_protocol_with_routes_of_both_kinds_templates_scopes_and_sharing_checks_clean():
    assert protocol_diagnostics(GOOD) == []


def test_every_mistake_in_routes_and_their_definitions_is_named_where_it_is():
    bad = """
        area: northshire
        name: Northshire
        agencies:
          - {id: police, type: police_custody, name: Police}
          - {id: cjit, type: cjit, name: CJIT}
        routes:
          - {event: compliance_confirmed, to: police, channel: email, template: done,
             scope: outcome_only, source: assumption}
          - {event: N99, to: polise, channel: email, template: dnoe, scope: outcom_only,
             source: assumption}
          - {event: N05, reason: comply_by_approaching, to: named_agencies, channel: email,
             template: done, scope: [outcome_only, whole_record], source: assumption}
        templates:
          done: {subject: "Case {case_rf}", body: "Closed {"}
        scopes:
          outcome_only: {title: Outcome, source: assumption, fields: {t: [outcme], tt: [x]}}
          whole_record: {title: All, source: assumption, fields: {t: [surname]}}
          consented: {title: Agreed, source: assumption, from_consent: true, items: [test_result]}
        items:
          test_reslt: {t: [test_result]}
        sharing:
          police: {without_consent: [outcome_only], with_consent: [consnted], source: assumption}
          polise: {without_consent: [outcome_only], source: assumption}
        disclosure_grounds:
          risk_harm: {rule: IS-01, title: Risk, scope: risky, source: assumption}
        agency_types:
          police_custody: {title: Police custody, roles: [police], source: assumption}
          cjit: {title: CJIT, roles: [cjit], source: assumption}
    """
    assert protocol_diagnostics(bad) == [
        (8, 13, "F019", "write N12 (the id of compliance_confirmed)"),
        (10, 13, "F019", "did you mean 'N19'?"),
        (10, 22, "F016", "did you mean 'police'?"),
        (10, 56, "R001", "did you mean 'done'?"),
        (10, 69, "R001", "did you mean 'outcome_only'?"),
        (12, 26, "R003", "leave reason: out"),                     # N05 has no reason
        (12, 53, "R003", "name an agency id for other events"),    # named_agencies is N26's
        (13, 44, "R005", "add it to sharing: police, or choose one of: outcome_only, consnted"),
        (15, 19, "R002", "did you mean 'case_ref'?"),
        (15, 43, "R002", "write placeholders as {case_ref}"),
        (17, 67, "E002", "did you mean 'outcome'?"),
        (17, 76, "F017", "did you mean 't'?"),
        (19, 3, "R003", None),                                     # from_consent with items
        (21, 3, "R004", "did you mean 'test_result'?"),
        (23, 60, "R001", "did you mean 'consented'?"),
        (24, 3, "F018", "did you mean 'police'?"),
        (26, 3, "R004", "did you mean 'risk_of_harm'?"),
        (26, 48, "R001", "declare it under scopes: in forms/protocol.yaml"),
    ]


def test_keys_that_belong_to_the_other_kind_of_route_are_refused_with_the_reason():
    bad = GOOD.replace("- {event: submitted, form: t, to: cjit,",
                       "- {event: submitted, form: t, scope: outcome_only, to: cjit,")
    bad = bad.replace("- {event: N12, to: police,", "- {event: N12, form: t, to: police,")
    found = protocol_diagnostics(bad)
    assert [(line, code) for line, _, code, _ in found] == [(9, "R003"), (10, "R003")]
    assert "template, scope and reason are for process events" in str(
        build_yaml(FORM, {**CODELISTS, "forms/protocol.yaml": bad}).diagnostics[0].message)


def test_every_route_definition_needs_a_source():
    bad = GOOD.replace("outcome_only: {title: Outcome, source: assumption,",
                       "outcome_only: {title: Outcome,")
    bad = bad.replace("police: {without_consent: [outcome_only], with_consent: [consented], "
                      "source: assumption}",
                      "police: {without_consent: [outcome_only], with_consent: [consented]}")
    assert [(line, code) for line, _, code, _ in protocol_diagnostics(bad)] == [
        (20, "F011"), (26, "F011")]


def real_files() -> dict[str, str]:
    return read_forms_dir(ROOT)


def test_the_real_protocol_checks_clean_and_a_wrong_reason_is_checked_against_process_yaml():
    files = real_files()
    assert [d.headline() for d in build_project(files, {}).diagnostics if d.is_error] == []
    text = files["forms/protocol.yaml"]
    files["forms/protocol.yaml"] = text.replace("reason: comply_by_approaching",
                                                "reason: comply_by_aproaching")
    [problem] = build_project(files, {}).diagnostics
    line = text[:text.index("reason: comply_by_approaching")].count("\n") + 1
    assert (problem.span.file, problem.span.line, problem.code, problem.hint) == (
        "forms/protocol.yaml", line, "R001", "did you mean 'comply_by_approaching'?")
    files["forms/protocol.yaml"] = text.replace("reason: comply_by_approaching",
                                                "reason: comply_by_passed")
    [problem] = build_project(files, {}).diagnostics
    assert problem.code == "R003" and "raises N11, not N10" in problem.message


def test_the_protocol_table_has_a_row_per_route_with_event_name_spoc_scope_and_source():
    project = build_project(real_files(), {}).project
    rows = route_rows(project)
    assert len(rows) == len(project.protocol.routes)
    n12 = [row for row in rows if row[0].startswith("N12")]
    assert n12 == [("N12 compliance_confirmed", "(case)", "northshire_police",
                    "Northshire Police custody suites", "Custody inspector on duty", "email",
                    "compliance_confirmed", "compliance", "-",
                    "dip-condition-operational-guidelines.txt §4.6.6 step 5")]
    reminders = {(row[2], row[8]) for row in rows if row[0] == f"N10 {CASE_EVENTS['N10']}"}
    assert ("northshire_cjit", "(any)") in reminders
    assert ("northshire_police", "comply_by_approaching") in reminders
    n02 = next(row for row in rows if row[0].startswith("N02"))
    assert n02[7] == "test_result_only + consented"
    n26 = next(row for row in rows if row[0].startswith("N26"))
    assert n26[2:5] == ("named_agencies", "(the agencies the consent record names)", "-")
    record = next(row for row in rows if row[0] == "amended")
    assert record[:3] == ("amended", "mg14", "northshire_cjit") and record[6] == "-"
    order = [*RECORD_EVENTS, *CASE_EVENTS]
    positions = [order.index(row[0].split()[0]) for row in rows]
    assert positions == sorted(positions)
    parsed = list(csv.reader(io.StringIO(table(ROUTE_HEADER, rows, as_csv=True))))
    assert parsed[0] == list(ROUTE_HEADER) and parsed[1:] == [list(row) for row in rows]


def test_no_compliance_report_record_route_is_left_n11_and_n12_replace_them():
    project = build_project(real_files(), {}).project
    assert not [r for r in project.protocol.routes if r.form == "compliance_report"]
    by_event = {}
    for route in project.protocol.routes:
        by_event.setdefault(route.event, []).append(route.to)
    assert by_event["N12"] == ["northshire_police"]
    assert sorted(by_event["N11"]) == ["northshire_cps", "northshire_police"]
