"""Checking definitions: each mistake gives its stable code at the right line:col, with a
hint where one helps; every problem is reported in one run."""

from __future__ import annotations

from generator.build import build_project
from generator.diagnostics import format_all
from tests.yaml_cases import (
    THREE_MISTAKES,
    build_yaml,
    codes,
    diagnostics,
    fields_form,
    project_files,
    with_header,
)


def hints(form: str, extra=None) -> list[str]:
    return [d.hint for d in build_yaml(form, extra).diagnostics if d.hint]


def test_a_valid_form_has_no_diagnostics():
    form = fields_form("""
        - id: surname
          type: text
          label: Surname
          required: true
    """)
    assert diagnostics(form) == []


def test_yaml_syntax_error_points_at_the_problem():
    form = fields_form("""
        - id: surname
          type: text
          label: Surname: of the offender
    """)
    assert diagnostics(form) == ["13:23 Y001"]
    assert "put text containing ': ' in quotes" in hints(form)


def test_duplicate_key_is_an_error_not_silently_last_wins():
    form = fields_form("""
        - id: surname
          type: text
          label: Surname
          label: Family name
    """)
    assert diagnostics(form) == ["14:9 Y002"]


def test_unknown_field_type_suggests_the_nearest():
    form = fields_form("""
        - id: arrested_on
          type: dat
          label: Date of arrest
    """)
    assert diagnostics(form) == ["12:15 F004"]
    assert "did you mean 'date'?" in hints(form)


def test_unknown_key_suggests_the_nearest():
    form = fields_form("""
        - id: surname
          type: text
          label: Surname
          requird: true
    """)
    assert diagnostics(form) == ["14:9 F001"]
    assert "did you mean 'required'?" in hints(form)


def test_wrong_type_of_value():
    form = fields_form("""
        - id: surname
          type: text
          label: Surname
          max_length: long
    """)
    assert diagnostics(form) == ["14:21 F002"]


def test_missing_required_keys():
    assert diagnostics(fields_form("""
        - id: surname
          type: text
    """)) == ["11:9 F003"]
    assert "F003" in codes(with_header("pages: []\n").replace("title: Test form\n", ""))


def test_duplicate_field_ids_across_pages():
    form = with_header("""
        pages:
          - id: one
            title: One
            fields:
              - {id: surname, type: text, label: Surname}
          - id: two
            title: Two
            fields:
              - {id: surname, type: text, label: Surname again}
    """)
    assert diagnostics(form) == ["16:9 F005"]


def test_unknown_code_list_suggests_the_nearest():
    form = fields_form("""
        - id: offence_class
          type: choice
          label: Class of offence
          codelist: offence_clas
    """)
    assert diagnostics(form) == ["14:19 F006"]
    assert "did you mean 'offence_class'?" in hints(form)


def test_unknown_block():
    assert diagnostics(fields_form("- use: person_detail\n")) == ["11:14 F007"]


def test_ids_must_be_snake_case():
    assert diagnostics(fields_form("- {id: Surname, type: text, label: Surname}\n")) == [
        "11:14 F008"]


def test_inconsistent_limits():
    form = fields_form("- {id: n, type: number, label: N, min: 5, max: 1}\n")
    assert diagnostics(form) == ["11:46 F009"]


def test_unknown_source_document():
    form = with_header("pages: []\n").replace(
        "source: assumption",
        "source: {document: dip-condition-guidelines.txt, section: '§6'}")
    assert "F010" in codes(form)
    assert "did you mean 'dip-condition-operational-guidelines.txt'?" in hints(form)


def test_rule_without_source():
    form = fields_form("- {id: n, type: number, label: N}\n", """
        - id: CC-01
          field: n
          check: n > 1
          message: Too small
    """)
    assert diagnostics(form) == ["13:5 F011"]


def test_code_list_without_source():
    extra = {"forms/codelists/sex.yaml": """
        codelist: sex
        title: Sex
        values:
          - {code: male, label: Male}
    """}
    assert diagnostics(fields_form("- {id: n, type: number, label: N}\n"), extra,
                       file="forms/codelists/sex.yaml") == ["2:1 F011"]


def test_block_used_inside_itself():
    extra = {"forms/blocks/loop.yaml": """
        block: loop
        fields:
          - use: loop
    """}
    assert "F013" in codes(fields_form("- use: loop\n"), extra)


def test_version_must_be_quoted():
    assert diagnostics(with_header("pages: []\n").replace('"1.0"', "1.0")) == ["2:10 F014"]


def test_unknown_field_in_expression_suggests_the_nearest():
    form = fields_form("""
        - {id: offence_class, type: choice, label: Class, codelist: offence_class}
        - id: comply_by
          type: date
          label: Comply by
          show_if: ofence_class == 'summary'
    """)
    assert diagnostics(form) == ["15:18 E002"]
    assert "did you mean 'offence_class'?" in hints(form)


def test_code_not_in_the_fields_list():
    form = fields_form("""
        - {id: offence_class, type: choice, label: Class, codelist: offence_class}
        - id: comply_by
          type: date
          label: Comply by
          show_if: offence_class == 'sumary'
    """)
    assert codes(form) == ["E007"]
    assert "did you mean 'summary'?" in hints(form)


def test_cycle_in_conditions():
    form = fields_form("""
        - {id: a, type: yesno, label: A, show_if: b == true}
        - {id: b, type: yesno, label: B, show_if: a == true}
    """)
    assert codes(form) == ["E006"]


def test_bound_must_name_a_date_field():
    form = fields_form("""
        - {id: n, type: number, label: N}
        - {id: d, type: date, label: D, latest: n}
    """)
    assert codes(form) == ["E002"]


def test_partial_welsh_is_a_warning_listing_what_is_missing():
    form = fields_form("""
        - id: surname
          type: text
          label: {en: Surname, cy: Cyfenw}
        - id: forenames
          type: text
          label: Forenames
    """)
    result = build_yaml(form)
    assert result.ok
    [warning] = result.diagnostics
    assert warning.code == "W001"
    assert "forenames label" in warning.message
    assert "surname label" not in warning.message


def test_three_mistakes_reported_in_one_run_with_source_line_and_caret():
    files = project_files(THREE_MISTAKES)
    result = build_project(files, {})
    assert [d.code for d in result.diagnostics] == ["F004", "F001", "F006"]
    report = format_all(result.diagnostics, files)
    assert "forms/t.yaml:12:15: error F004: unknown field type 'dat'" in report
    assert "   12 |         type: dat\n" in report
    assert "\n" + " " * 22 + "^\n" in report
    assert "3 error(s), 0 warning(s)" in report
    assert result.schemas == {} and result.site == {}


def test_protocol_country_must_be_a_known_code():
    extra = {
        "forms/codelists/country.yaml": """
            codelist: country
            title: Country
            source: assumption
            values:
              - {code: england, label: England}
              - {code: wales, label: Wales}
        """,
        "forms/protocol.yaml": """
            area: northshire
            name: Northshire
            country: englnd
            agencies: []
        """,
    }
    result = build_yaml(fields_form("- {id: n, type: number, label: N}\n"), extra)
    [problem] = result.diagnostics
    assert problem.code == "F009" and problem.hint == "did you mean 'england'?"


WELSH_CODES = {"forms/codelists/sex.yaml": """
    codelist: sex
    title: Sex
    source: assumption
    values:
      - {code: male, label: {en: Male, cy: Gwryw}}
      - {code: female, label: Female}
"""}


def test_welsh_code_list_labels_do_not_make_an_english_form_welsh():
    form = fields_form("- {id: sex, type: choice, label: Sex, codelist: sex}\n")
    assert build_yaml(form, WELSH_CODES).diagnostics == []


def test_a_welsh_form_warns_about_code_list_labels_without_welsh():
    form = fields_form("- {id: sex, type: choice, label: {en: Sex, cy: Rhyw}, codelist: sex}\n")
    [warning] = build_yaml(form, WELSH_CODES).diagnostics
    assert "sex option female" in warning.message
    assert "sex option male" not in warning.message


PROTOCOL = """
    area: northshire
    name: Northshire
    agencies:
      - {id: northshire_cjit, type: cjit, name: Northshire CJIT}
    access:
      t:
        submit: [polise]
        read: [cjit]
      mg41:
        read: [cjit]
    routes:
      - {event: submited, form: t, to: northshire_cjt, channel: email, source: assumption}
      - {event: submitted, form: t, to: northshire_cjit, channel: fax, source: assumption}
      - {event: submitted, form: t, to: northshire_cjit, channel: email, fields: [surnam],
         source: assumption}
"""


def test_protocol_access_and_routes_are_checked():
    form = fields_form("- {id: surname, type: text, label: Surname}\n")
    result = build_yaml(form, {"forms/protocol.yaml": PROTOCOL})
    found = [(d.span.line, d.code, d.hint) for d in result.diagnostics]
    assert found == [
        (8, "F018", "did you mean 'police'?"),
        (10, "F017", None),
        (13, "F019", "did you mean 'submitted'?"),
        (13, "F016", "did you mean 'northshire_cjit'?"),
        (14, "F019", None),
        (15, "E002", "did you mean 'surname'?"),
    ]


def test_a_route_needs_a_source():
    form = fields_form("- {id: surname, type: text, label: Surname}\n")
    protocol = PROTOCOL.replace(",\n         source: assumption}", "}")
    assert codes(form, {"forms/protocol.yaml": protocol}) == ["F011"]
