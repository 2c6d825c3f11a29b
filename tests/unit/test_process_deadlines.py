"""`deadlines:` in forms/process.yaml (generator/process/deadlines.py): parsed, checked with
every error at its line and column and the closest right name, compiled for the API; the
real DIP file checks clean against the real protocol settings, and the examples in
docs/deadlines.md build (or fail with their code) as the form-language examples do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.parse.reader import Reader
from generator.process.deadlines import check_deadlines
from generator.process.states import EVENT_IDS
from generator.project import parse_project
from tests.test_docs import _files_for
from tests.yaml_cases import build_yaml, fields_form

ROOT = Path(__file__).resolve().parents[2]
FORM = fields_form("- {id: a, type: text, label: A}")

HEAD = """\
process: small
title: A small case
opened_by: t
start: open
source: assumption
states:
  - {id: open, label: Open}
  - {id: waiting, label: Waiting}
  - {id: done, label: Done, terminal: true}
transitions:
  - {id: begin, from: open, to: waiting, roles: [cjit], source: assumption}
  - {id: finish, from: waiting, to: done, roles: [cjit], asks: [reason], source: assumption}
facts:
  - {id: due_date, type: date, recorded_by: [police], source: assumption}
  - {id: seen_at, type: datetime, recorded_by: [cjit], source: assumption}
  - {id: kind, type: code, recorded_by: [police], source: assumption}
  - {id: urgent, type: boolean, recorded_by: [police], source: assumption}
deadlines:
"""

GOOD = HEAD + """\
  - id: due_passed
    notify: N11
    from: due_date
    after: {days: 1}
    while: [open, waiting]
    source: assumption
  - id: due_soon
    notify: N10
    from: seen_at
    after: {months: 1}
    lead: {working_days: lead_days}
    when: "kind == 'summary'"
    unless: "kind == 'withdrawn'"
    instead:
      - {when: urgent, lead: {days: 1}}
    source: assumption
"""


def problems(text: str) -> list[str]:
    """'LINE:COL CODE message | hint' for each diagnostic in forms/process.yaml."""
    result = build_yaml(FORM, {"forms/process.yaml": text})
    return [f"{d.span.line}:{d.span.col} {d.code} {d.message} | {d.hint}"
            for d in result.diagnostics if d.span.file == "forms/process.yaml"]


def setting_problems(text: str, settings: dict | None) -> list[str]:
    """The checker run with these protocol settings."""
    result = build_yaml(FORM, {"forms/process.yaml": text})
    process = result.project.process
    reader = Reader()
    check_deadlines(reader, process.deadlines, {s.id: s.terminal for s in process.states},
                    {f.id: f.type for f in process.facts}, settings, EVENT_IDS)
    return [f"{d.span.line}:{d.span.col} {d.code} {d.message} | {d.hint}"
            for d in reader.diagnostics]


def test_deadlines_compile_into_the_apis_process_json():
    result = build_yaml(FORM, {"forms/process.yaml": GOOD})
    assert result.ok, [d.headline() for d in result.diagnostics]
    due_passed, due_soon = json.loads(result.generated["process.json"])["deadlines"]
    assert due_passed == {
        "id": "due_passed", "notify": "N11", "from": "due_date",
        "while": ["open", "waiting"], "when": None, "unless": None,
        "after": {"unit": "days", "count": 1}, "lead": None, "instead": [],
        "source": ["assumption"]}
    # no `while`: every state that is not terminal
    assert due_soon["while"] == ["open", "waiting"]
    assert due_soon["lead"] == {"unit": "working_days", "setting": "lead_days"}
    assert due_soon["when"] == {"op": "==", "args": [{"field": "kind"}, {"lit": "summary"}]}
    assert due_soon["unless"]["args"][1] == {"lit": "withdrawn"}
    # an alternative carries both periods: its own lead, and the deadline's `after`
    assert due_soon["instead"] == [{"when": {"field": "urgent"},
                                    "after": {"unit": "months", "count": 1},
                                    "lead": {"unit": "days", "count": 1}}]


def test_every_checking_mistake_is_reported_at_its_place():
    broken = HEAD + """\
  - id: due_passed
    notify: N29
    from: due_dat
    after: {days: 1}
    while: [open, waitng, done]
    source: assumption
  - id: due_passed
    notify: N10
    from: kind
    lead: {working_days: 2}
    when: "kidn == 'summary' and today() > due_date"
    instead:
      - {when: "urgent == 'yes'", after: {months: 2}}
    source: assumption
"""
    assert problems(broken) == [
        "20:13 F019 unknown notification event 'N29' | did you mean 'N28'?",
        "21:11 D001 the deadline 'due_passed' counts from 'due_dat', which is not a fact "
        "| did you mean 'due_date'?",
        "23:19 P001 the deadline 'due_passed' waits while the case is 'waitng', which is "
        "not a state | did you mean 'waiting'?",
        "23:27 D005 the deadline 'due_passed' waits in the terminal state 'done' | a case in "
        "a terminal state is closed and is reminded of nothing",
        "25:5 F005 the deadline 'due_passed' is declared twice | a case has each deadline "
        "once; give the other one its own id",
        "27:11 D001 the deadline 'due_passed' counts from 'kind', a code fact, not a date "
        "| count from a fact of type date or datetime",
        "29:12 E002 unknown field 'kidn' | did you mean 'kind'?",
        "29:34 D004 a deadline's condition cannot use today() | a due date must not depend "
        "on the day it is worked out; compare facts with each other",
        "31:24 E004 cannot compare 'urgent' (true/false) with text | None",
    ]


def test_every_reading_mistake_is_reported_at_its_place():
    broken = HEAD + """\
  - id: due_passed
    notify: N10
    from: due_date
    after: {days: -1}
  - id: due_soon
    notify: N10
    from: due_date
    after: {days: 1, months: 2}
    lead: {workdays: 3}
    instead:
      - {when: urgent}
    source: assumption
"""
    assert problems(broken) == [
        "19:5 F011 the deadline 'due_passed' has no source | cite the guidance (document "
        "and section), or write `source: assumption`",
        "22:19 F009 the period (after) must be 0 or more | a period counts forward; to be "
        "reminded before a date, use `lead:`",
        "26:12 D003 the period (after) needs exactly one unit, not 2 | write one of "
        "{days: N}, {working_days: N}, {months: N}",
        "27:12 F001 unknown key 'workdays' in the period (lead) | did you mean "
        "'working_days'?",
        "29:9 F003 an alternative (instead) needs 'after' or 'lead' | None",
    ]


def test_settings_named_by_periods_must_exist_and_be_whole_numbers():
    text = GOOD.replace("lead: {working_days: lead_days}", "lead: {working_days: lead_dys}")
    text += """\
  - id: third
    notify: N10
    from: due_date
    after: {days: fractional}
    instead:
      - {when: urgent, after: {days: flag}}
    source: assumption
"""
    settings = {"lead_days": 3, "fractional": 1.5, "flag": True}
    assert setting_problems(text, settings) == [
        "29:26 D002 unknown setting 'lead_dys' | did you mean 'lead_days'?",
        "38:19 D002 the setting 'fractional' is 1.5, not a whole number of 0 or more | a "
        "period counts whole days",
        "40:38 D002 the setting 'flag' is True, not a whole number of 0 or more | a period "
        "counts whole days",
    ]
    # the names are not checked when there is no protocol to check them against
    assert setting_problems(text, None) == []
    assert setting_problems(GOOD, {"lead_days": 3}) == []


def test_an_unknown_setting_far_from_any_name_says_where_to_add_it():
    text = GOOD.replace("lead: {working_days: lead_days}", "lead: {working_days: zzz}")
    [problem] = setting_problems(text, {"lead_days": 3})
    assert problem.endswith("| add it under settings: in forms/protocol.yaml, with its source")


def _real_project():
    project, diagnostics = parse_project(read_forms_dir(ROOT))
    assert [d.headline() for d in diagnostics if d.is_error] == []
    return project


def test_the_dip_deadlines_check_clean_against_the_real_protocol_settings():
    project = _real_project()
    process = project.process
    assert [d.id for d in process.deadlines] == [
        "contact_by_passed", "comply_by_approaching", "comply_by_passed",
        "compliance_report_due", "sentence_plan_due", "followup_ra_due",
        "summary_limit_approaching", "supervision_ending"]
    reader = Reader()
    check_deadlines(reader, process.deadlines, {s.id: s.terminal for s in process.states},
                    {f.id: f.type for f in process.facts}, project.protocol.settings,
                    EVENT_IDS)
    assert [d.headline() for d in reader.diagnostics] == []
    result = build_project(read_forms_dir(ROOT), {})
    assert [d.headline() for d in result.diagnostics
            if d.span.file == "forms/process.yaml"] == []
    # every period of the real file that is a setting, and every one is cited in the protocol
    named = {p.setting for d in process.deadlines
             for p in (d.after, d.lead, *(x for a in d.instead for x in (a.after, a.lead)))
             if p is not None and p.setting}
    assert named == {"reminder_lead_days", "compliance_report_working_days",
                     "sentence_plan_working_days", "sentence_plan_ppo_working_days",
                     "summary_limit_months"}


DOC = (ROOT / "docs/deadlines.md").read_text()
DOC_BLOCKS = re.findall(r"```yaml (example|invalid) (process)(?: ([A-Z]\d{3}))?\n(.*?)```",
                        DOC, re.S)


def test_the_deadlines_page_has_an_example_and_a_mistake():
    assert [(outcome, code) for outcome, _, code, _ in DOC_BLOCKS] == [
        ("example", ""), ("invalid", "D001")]


@pytest.mark.parametrize("outcome,kind,code,text", DOC_BLOCKS,
                         ids=[f"{i}-{b[0]}" for i, b in enumerate(DOC_BLOCKS)])
def test_docs_deadlines_example(outcome, kind, code, text):
    """The convention of tests/test_docs.py: `example` builds, `invalid CODE` fails so."""
    result = build_project(_files_for(kind, text), {})
    found = [d.code for d in result.diagnostics if d.is_error]
    if outcome == "example":
        assert found == [], [d.headline() for d in result.diagnostics]
        assert len(json.loads(result.generated["process.json"])["deadlines"]) == 3
    else:
        assert code in found, [d.headline() for d in result.diagnostics]


def test_a_deadlines_label_compiles_for_the_due_lists_and_must_be_text():
    labelled = GOOD.replace("  - id: due_passed\n",
                            "  - id: due_passed\n    label: \"Due date passed: act\"\n")
    result = build_yaml(FORM, {"forms/process.yaml": labelled})
    assert result.ok, [d.headline() for d in result.diagnostics]
    passed, soon = json.loads(result.generated["process.json"])["deadlines"]
    assert passed["label"] == "Due date passed: act" and "label" not in soon
    wrong = GOOD.replace("  - id: due_passed\n", "  - id: due_passed\n    label: 12\n")
    assert any(" F002 " in p for p in problems(wrong))


def test_every_deadline_of_the_dip_process_has_a_label():
    text = (ROOT / "forms" / "process.yaml").read_text()
    section = text.split("\ndeadlines:\n", 1)[1]
    ids = re.findall(r"^  - id: (\w+)", section, re.M)
    labels = re.findall(r"^    label: ", section, re.M)
    assert ids and len(labels) == len(ids)
