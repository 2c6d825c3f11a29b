"""show_if, required_if, date bounds and rules: compiled into the schema where JSON Schema
can say it, into x-dipforms-rules otherwise, and enforced the same way either way."""

from __future__ import annotations

import datetime
import json

from chalicelib.domain.validation import compile_validator, validate

from tests.yaml_cases import build_yaml, fields_form

TODAY = datetime.date(2026, 11, 25)

FORM = fields_form("""
    - {id: offence_class, type: choice, label: Class, codelist: offence_class, required: true}
    - id: offence_date
      type: date
      label: Date of the offence
      required: true
      latest: today
    - id: comply_by_date
      type: date
      label: Comply-by date
      required: true
      earliest: offence_date
    - id: follow_up
      type: yesno
      label: Follow-up condition?
      show_if: offence_class != 'summary'
      required: true
      errors:
        required: Select yes if there is a follow-up condition
    - id: follow_up_months
      type: number
      label: Maximum months
      required_if: follow_up == true
      show_if: offence_class != 'summary'
      errors:
        required: Enter the maximum period of the follow-up condition
    - id: sessions
      type: repeat
      label: Sessions
      fields:
        - {id: attended, type: yesno, label: 'Attended?', required: true}
        - id: reason
          type: text
          label: Reason
          show_if: attended == false
          required: true
          errors:
            required: Enter why the session was missed
        - id: rearranged_to
          type: date
          label: Rearranged to
          show_if: offence_class == 'summary' and attended == false
""", """
    - id: CC-07
      field: comply_by_date
      when: offence_class == 'summary'
      check: comply_by_date <= add_months(offence_date, 6)
      message: For a summary offence, the comply-by date must be within 6 months of the offence
      source: {document: conditional-caution-annex-c-drug-condition.txt, section: Why Voluntary}
    - id: WARN-01
      field: follow_up_months
      check: follow_up_months <= 2
      severity: warn
      message: Check the period; it is usually no more than 2 months
      source: assumption
""")


def schema() -> dict:
    result = build_yaml(FORM)
    assert result.ok, [d.headline() for d in result.diagnostics]
    return json.loads(result.schemas["t/1.0.schema.json"])


SCHEMA = schema()
VALIDATOR = compile_validator(SCHEMA)
BASE = {"offence_class": "summary", "offence_date": "2026-10-01", "comply_by_date": "2026-12-01",
        "sessions": [{"attended": True}]}


def problems(changes: dict, remove: tuple = ()) -> tuple[list, list]:
    data = {**BASE, **changes}
    for key in remove:
        data.pop(key)
    errors, warnings = validate(SCHEMA, VALIDATOR, data, today=TODAY)
    return [(e.field, e.code, e.message) for e in errors], [(w.field, w.code) for w in warnings]


def test_base_is_valid():
    assert problems({}) == ([], [])


def test_simple_conditions_become_if_then_in_the_schema():
    conditions = [json.dumps(c) for c in SCHEMA["allOf"]]
    assert any('"follow_up"' in c and '"offence_class"' in c for c in conditions)
    item = SCHEMA["properties"]["sessions"]["items"]
    assert any('"reason"' in json.dumps(c) for c in item["allOf"])


def test_hidden_field_must_not_be_submitted():
    assert problems({"follow_up": True})[0] == [
        ("/follow_up", "not_applicable", "Remove this answer: the question does not apply")]


def test_shown_required_field_is_required_with_the_yaml_message():
    assert problems({"offence_class": "either_way"})[0] == [
        ("/follow_up", "required", "Select yes if there is a follow-up condition")]


def test_required_if():
    errors, _ = problems({"offence_class": "either_way", "follow_up": True})
    assert errors == [("/follow_up_months", "required",
                       "Enter the maximum period of the follow-up condition")]
    assert problems({"offence_class": "either_way", "follow_up": False})[0] == []


def test_condition_inside_a_repeat_uses_the_item():
    errors, _ = problems({"sessions": [{"attended": True}, {"attended": False}]})
    assert errors == [("/sessions/1/reason", "required", "Enter why the session was missed")]


def test_condition_in_a_repeat_naming_a_form_field_is_a_rule_per_item():
    ok = {"sessions": [{"attended": False, "reason": "ill", "rearranged_to": "2026-11-01"}]}
    assert problems(ok)[0] == []
    hidden = {**ok, "offence_class": "either_way", "follow_up": False}
    assert problems(hidden)[0] == [("/sessions/0/rearranged_to", "not_applicable",
                                    "Remove this answer: the question does not apply")]
    assert any(r.get("each") == "sessions" and r["kind"] == "show"
               for r in SCHEMA["x-dipforms-rules"])


def test_date_bounds_against_today_and_another_field():
    assert problems({"offence_date": "2026-11-26"})[0] == [
        ("/offence_date", "latest:offence_date",
         "Date of the offence must be today or in the past")]
    assert problems({"comply_by_date": "2026-09-30"})[0] == [
        ("/comply_by_date", "earliest:comply_by_date",
         "Comply-by date must be the same as or after date of the offence")]


def test_rule_with_when_and_its_own_message():
    errors, _ = problems({"comply_by_date": "2027-04-02"})
    assert errors == [("/comply_by_date", "CC-07", "For a summary offence, the comply-by date "
                       "must be within 6 months of the offence")]
    assert problems({"comply_by_date": "2027-04-01"})[0] == []
    assert problems({"offence_class": "either_way", "follow_up": False,
                     "comply_by_date": "2027-06-01"})[0] == []


def test_warn_rule_is_a_warning_not_an_error():
    errors, warnings = problems({"offence_class": "either_way", "follow_up": True,
                                 "follow_up_months": 3})
    assert errors == []
    assert warnings == [("/follow_up_months", "WARN-01")]


def test_rules_carry_their_source():
    [rule] = [r for r in SCHEMA["x-dipforms-rules"] if r["id"] == "CC-07"]
    assert rule["source"] == ["conditional-caution-annex-c-drug-condition.txt Why Voluntary"]


def test_a_malformed_answer_gets_its_format_error_and_no_rule_errors():
    errors, _ = problems({"offence_date": "2026-02-30"})
    assert errors == [("/offence_date", "format", "Date of the offence must be a real date")]


REPEAT_RULE_FORM = fields_form("""
    - id: appointments
      type: repeat
      label: Appointments
      fields:
        - {id: offered_at, type: date, label: Offered on}
        - {id: held_at, type: date, label: Held on}
""", """
    - id: AP-01
      field: appointments.held_at
      check: held_at >= offered_at
      message: An appointment cannot be held before it is offered
      source: assumption
""")


def test_a_rule_on_a_repeat_field_sees_the_items_fields_and_runs_per_item():
    result = build_yaml(REPEAT_RULE_FORM)
    assert result.ok, [d.headline() for d in result.diagnostics]
    schema = json.loads(result.schemas["t/1.0.schema.json"])
    data = {"appointments": [{"offered_at": "2026-01-02", "held_at": "2026-01-03"},
                             {"offered_at": "2026-01-05", "held_at": "2026-01-04"}]}
    errors, _ = validate(schema, compile_validator(schema), data, today=TODAY)
    assert [(e.field, e.code) for e in errors] == [("/appointments/1/held_at", "AP-01")]
