"""Protocol settings in rules (generator/rules/settings.py): `setting('name')` in a rule's
when and check and `{name}` in its message are checked at build with file:line:col, and
compiled to the setting's value, which a changed protocol changes without a new version."""

from __future__ import annotations

import json

from generator.rules.settings import fill, settings_read
from generator.rules.syntax import parse_expression
from generator.spans import Span
from tests.yaml_cases import build_yaml, fields_form

FIELDS = """
    - {id: session2_at, type: date, label: Session 2}
    - {id: session_at, type: date, label: Session 3}
    - {id: area, type: text, label: Area}
"""


def protocol(gap: object = 3) -> str:
    return f"""\
area: northshire
name: Northshire DAT
agencies: [{{id: northshire_police, type: police_custody, name: Northshire Police}}]
settings:
  min_gap_s2_s3_days: {{value: {json.dumps(gap)}, source: assumption}}
  area_name: {{value: Northshire, source: assumption}}
  gaps: {{value: [1, 2], source: assumption}}
"""


def rule(check: str, message: str = "Leave {min_gap_s2_s3_days} days", field: str = "session_at",
         extra: str = "") -> str:
    return fields_form(FIELDS, rules=f"""
        - id: DIP-12
          field: {field}
          check: "{check}"
          severity: warn
          message: {message}
          source: assumption
    """ + extra)


def build(form: str, gap: object = 3, committed=None):
    return build_yaml(form, {"forms/protocol.yaml": protocol(gap)}, committed)


def problems(result) -> list[tuple[str, str, str | None]]:
    return [(f"{d.span.line}:{d.span.col}", d.code, d.hint) for d in result.diagnostics
            if d.is_error]


GOOD = "days_between(session2_at, session_at) >= setting('min_gap_s2_s3_days')"


def schema_of(result) -> dict:
    return json.loads(result.schemas["t/1.0.schema.json"])


def test_a_setting_compiles_to_its_value_and_fills_the_message():
    result = build(rule(GOOD), gap=5)
    assert result.ok, [d.headline() for d in result.diagnostics]
    [compiled] = [r for r in schema_of(result)["x-dipforms-rules"] if r["id"] == "DIP-12"]
    assert compiled["check"]["args"][1] == {"lit": 5, "setting": "min_gap_s2_s3_days"}
    assert compiled["message"] == {"en": "Leave 5 days"}


def test_an_unknown_setting_is_named_at_its_column_with_the_nearest():
    form = rule(GOOD.replace("min_gap_s2_s3_days", "min_gap_s2_s3_day"))
    [(where, code, hint)] = problems(build(form))
    assert code == "E008" and hint == "did you mean 'min_gap_s2_s3_days'?"
    row, col = (int(n) for n in where.split(":"))   # points at the name in the YAML
    assert form.splitlines()[row - 1][col - 1:].startswith("'min_gap_s2_s3_day'")


def test_a_setting_of_the_wrong_kind_is_a_type_error():
    text = rule("days_between(session2_at, session_at) >= setting('area_name')")
    [(_, code, _)] = problems(build(text))
    assert code == "E004"
    assert "setting('area_name') (text)" in build(text).diagnostics[0].message
    [(_, code, _)] = problems(build(rule("add_days(session2_at, setting('area_name')) "
                                         "<= session_at")))
    assert code == "E004"


def test_a_list_setting_a_setting_outside_a_rule_and_a_bare_name_are_refused():
    [(_, code, _)] = problems(build(rule("count(setting('gaps')) > 0")))
    assert code == "E008"
    shown = fields_form(FIELDS + "    - {id: note, type: text, label: Note, show_if: \""
                        "days_between(session2_at, session_at) < setting('min_gap_s2_s3_days')"
                        "\"}\n")
    [(_, code, _)] = problems(build(shown))
    assert code == "E008"
    [(_, code, hint)] = problems(build(rule("days_between(session2_at, session_at) >= "
                                            "min_gap_s2_s3_days")))
    assert code == "E002" and hint == "'min_gap_s2_s3_days' is a setting: write " \
                                      "setting('min_gap_s2_s3_days')"
    unquoted = problems(build(rule("setting(min_gap) > 1")))   # a field, not a name
    assert sorted(code for _, code, _ in unquoted) == ["E002", "E004"]


def test_a_message_naming_an_unknown_setting_is_refused_with_the_nearest():
    [(_, code, hint)] = problems(build(rule(GOOD, message="Leave {min_gap_s2s3_days} days")))
    assert code == "E008" and hint == "did you mean 'min_gap_s2_s3_days'?"


def test_changing_a_setting_needs_no_new_version_but_a_changed_rule_does():
    first = build(rule(GOOD), gap=3)
    committed = {"t": {"1.0": first.schemas["t/1.0.schema.json"]}}
    changed = build(rule(GOOD), gap=5, committed=committed)
    assert changed.ok, [d.headline() for d in changed.diagnostics]
    assert schema_of(changed) != schema_of(first)              # the new value is published
    other = build(rule(GOOD.replace(">=", ">")), gap=5, committed=committed)
    assert [d.code for d in other.diagnostics if d.is_error] == ["V001"]


def test_a_number_replaced_by_a_setting_of_that_value_is_no_change():
    literal = build(rule("days_between(session2_at, session_at) >= 3", message="Leave 3 days"))
    committed = {"t": {"1.0": literal.schemas["t/1.0.schema.json"]}}
    assert build(rule(GOOD), gap=3, committed=committed).ok
    assert [d.code for d in build(rule(GOOD), gap=4, committed=committed).diagnostics
            if d.is_error] == ["V001"]


def test_helpers_read_settings_and_fill_messages():
    ast, _ = parse_expression("setting('a') < x and setting('b') > setting('a')",
                              Span("f", 1, 1))
    assert settings_read(ast) == ["a", "b"]
    assert fill("{a} to {b} days, {c}", {"a": 4, "b": 8.0}) == "4 to 8 days, {c}"
