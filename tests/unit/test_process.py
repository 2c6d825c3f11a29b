"""forms/process.yaml (generator/process/states.py): parsed, checked with every error at its place,
and the real DIP process is whole (every state reachable, no dead ends)."""

from __future__ import annotations

import json
import textwrap

from generator.process.states import EVENT_IDS
from tests.yaml_cases import build_yaml, fields_form

FORM = fields_form("- {id: a, type: text, label: A}")

PROCESS = """\
process: small
title: A small case
opened_by: t
start: open
source: assumption
states:
  - {id: open, label: Open}
  - {id: working, label: Working}
  - {id: done, label: Done, terminal: true}
transitions:
  - {id: begin, from: open, to: working, roles: [cjit], source: assumption}
  - {id: finish, from: working, to: done, roles: [cjit, police], notify: N12,
     asks: [reason], source: assumption}
"""


def process_errors(text: str) -> list[str]:
    result = build_yaml(FORM, {"forms/process.yaml": text})
    return [f"{d.span.line}:{d.span.col} {d.code} {d.message}" for d in result.diagnostics
            if d.span.file == "forms/process.yaml"]


def test_a_whole_process_builds_into_the_apis_process_json():
    result = build_yaml(FORM, {"forms/process.yaml": PROCESS})
    assert result.ok, [d.headline() for d in result.diagnostics]
    process = json.loads(result.generated["process.json"])
    assert (process["opened_by"], process["start"]) == ("t", "open")
    assert [(t["id"], t["from"], t["to"], t["roles"], t["notify"])
            for t in process["transitions"]] == [
        ("begin", "open", "working", ["cjit"], None),
        ("finish", "working", "done", ["cjit", "police"], "N12")]
    assert [s["terminal"] for s in process["states"]] == [False, False, True]
    assert result.project.process.next_steps("working")[0].id == "finish"


def test_every_mistake_is_reported_at_its_place():
    broken = (PROCESS
              .replace("to: working, roles: [cjit]", "to: workin, roles: [cjti]")
              .replace("{id: done, label: Done, terminal: true}",
                       "{id: done, label: Done}\n  - {id: orphan, label: Alone, terminal: true}")
              .replace("notify: N12", "notify: N29")
              .replace("opened_by: t", "opened_by: mg41"))
    assert process_errors(broken) == [
        "3:12 F017 unknown form 'mg41'",
        "8:5 P002 no transition reaches the state 'working' from 'open'",
        "9:5 P002 no transition reaches the state 'done' from 'open'",
        "9:5 P003 the state 'done' is a dead end",
        "10:5 P002 no transition reaches the state 'orphan' from 'open'",
        "12:33 P001 the transition 'begin' goes to 'workin', which is not a state",
        "12:48 F018 unknown role 'cjti'",
        "13:74 F019 unknown notification event 'N29'",
    ]


def test_an_unknown_state_gets_a_did_you_mean():
    result = build_yaml(FORM, {"forms/process.yaml": PROCESS.replace("to: working,",
                                                                      "to: workin,")})
    [unknown] = [d for d in result.diagnostics if d.code == "P001"]
    assert unknown.hint == "did you mean 'working'?"


def test_an_unknown_start_and_a_way_out_of_a_terminal_state():
    broken = PROCESS.replace("start: open", "start: opne").replace(
        "  - {id: begin,", "  - {id: reopen, from: done, to: open, roles: [cjit], "
        "source: assumption}\n  - {id: begin,")
    found = process_errors(broken)
    assert any("P001 unknown state 'opne'" in e for e in found)
    assert any("P003 the terminal state 'done' has transitions out of it (reopen)" in e
               for e in found)


def test_a_transition_needs_a_source_and_the_file_only_known_keys():
    broken = PROCESS.replace("to: working, roles: [cjit], source: assumption}",
                             "to: working, roles: [cjit], gaurd: x}")
    found = process_errors(broken)
    assert any("F011" in e and "'begin' has no source" in e for e in found)
    assert any("F001" in e for e in found)


def test_the_dip_process_in_forms_is_whole():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2]
    text = (root / "forms" / "process.yaml").read_text()
    document = yaml.safe_load(text)
    ids = {s["id"] for s in document["states"]}
    # Annex A's states (domain notes section 5), all present, and the terminal ones marked
    assert ids == {"considered", "ra_arranged", "ra_failed", "voluntary_assessment",
                   "assessed", "with_cps", "offered", "administered", "in_programme",
                   "complied_reported", "non_compliance_reported", "closed_complied",
                   "failure_response", "declined", "alternative_disposal", "exit"}
    assert all(t.get("notify") in (None, *EVENT_IDS) for t in document["transitions"])
    result = build_yaml(FORM.replace("form: t", "form: mg14"),
                        {"forms/process.yaml": textwrap.dedent(text)})
    assert [d.headline() for d in result.diagnostics if d.span.file == "forms/process.yaml"] \
        == []


# -- links, facts, guards and the forms that move a case ----------------------------------

FOLLOW = fields_form("""
- {id: case, type: reference, form: t, label: Case}
- {id: seen_on, type: date, label: Seen on}
- {id: outcome, type: choice, label: Outcome, options: [{code: done, label: Done},
   {code: not_done, label: Not done}]}
- {id: note, type: text, label: Note}
""").replace("form: t\n", "form: u\n", 1)

CASEWORK = PROCESS.replace(
    "  - {id: finish, from: working, to: done, roles: [cjit, police], notify: N12,",
    "  - {id: finish, from: working, to: done, roles: [cjit, police], notify: N12,\n"
    "     on: {form: u, when: \"outcome == 'done'\"},\n"
    "     guard: {rule: XX-01, when: \"answered(seen_on)\", message: See them first,\n"
    "             source: assumption},").replace("asks: [reason], ", "") + """\
links:
  - {form: u, field: case}
facts:
  - {id: seen_on, type: date, from: [{form: u, value: seen_on}], source: assumption}
  - {id: release_date, type: date, recorded_by: [carat], notify: N21, flag: friday,
     source: assumption}
"""


def casework_errors(text: str) -> list[str]:
    result = build_yaml(FORM, {"forms/process.yaml": text, "forms/u.yaml": FOLLOW})
    return [f"{d.span.line}:{d.span.col} {d.code} {d.message}" for d in result.diagnostics
            if d.span.file == "forms/process.yaml"]


def test_links_facts_guards_and_triggers_compile_for_the_api():
    result = build_yaml(FORM, {"forms/process.yaml": CASEWORK, "forms/u.yaml": FOLLOW})
    assert result.ok, [d.headline() for d in result.diagnostics]
    process = json.loads(result.generated["process.json"])
    assert process["links"] == [{"form": "u", "field": "case"}]
    facts = {f["id"]: f for f in process["facts"]}
    assert facts["seen_on"]["from"] == [{"form": "u", "value": {"field": "seen_on"}}]
    assert (facts["release_date"]["recorded_by"], facts["release_date"]["flag"]) == (
        ["carat"], "friday")
    finish = process["transitions"][1]
    assert [{k: v for k, v in on.items() if k != "form_title"} for on in finish["on"]] == [
        {"form": "u", "when": {"op": "==", "args": [{"field": "outcome"}, {"lit": "done"}]}}]
    assert finish["asks"] == []
    assert finish["guard"]["rule"] == "XX-01"
    assert finish["guard"]["message"] == "See them first"
    assert finish["label"] is None


def test_a_step_may_say_what_its_button_says():
    text = PROCESS.replace("{id: begin, from: open,",
                           "{id: begin, label: Begin the work, from: open,")
    result = build_yaml(FORM, {"forms/process.yaml": text})
    assert result.ok, [d.headline() for d in result.diagnostics]
    begin = json.loads(result.generated["process.json"])["transitions"][0]
    assert begin["label"] == "Begin the work"


def test_casework_mistakes_are_named_at_their_place():
    broken = (CASEWORK.replace("field: case}", "field: cas}")
              .replace("value: seen_on}", "value: note}")
              .replace("recorded_by: [carat]", "recorded_by: [carrat]")
              .replace("flag: friday", "flag: fryday")
              .replace('when: "answered(seen_on)"', 'when: "answered(seen)"')
              .replace("on: {form: u,", "on: {form: v,"))
    assert casework_errors(broken) == [
        "13:17 F017 unknown form 'v'",
        "14:43 E002 unknown field 'seen'",
        "18:22 P010 the form 'u' has no field 'cas'",
        "20:55 P011 the fact 'seen_on' is a date, but this value is string",
        "21:49 F018 unknown role 'carrat'",
        "21:78 P014 unknown flag 'fryday'"]


def test_a_fact_from_an_unlinked_form_and_a_fact_from_nowhere():
    text = CASEWORK.replace("links:\n  - {form: u, field: case}\n", "links: []\n") + \
        "  - {id: lonely, type: date, source: assumption}\n"
    errors = casework_errors(text)
    assert any("P013 the form 'u' is not linked" in e for e in errors), errors
    assert any("P012 the fact 'lonely' comes from nowhere" in e for e in errors), errors


def test_a_link_must_be_a_reference_to_the_opening_form():
    errors = casework_errors(CASEWORK.replace("field: case}", "field: note}"))
    assert any("P010 'u.note' must be a reference to the t form" in e for e in errors), errors


# -- how a step is made: a form (`on:`), or a button that asks (`asks:`) -----------------

def test_a_button_that_ends_the_case_asks_why_and_compiles_what_it_asks():
    result = build_yaml(FORM, {"forms/process.yaml": PROCESS})
    finish = json.loads(result.generated["process.json"])["transitions"][1]
    assert [(a["id"], a["type"], a["required"]) for a in finish["asks"]] == [
        ("reason", "text", True)]
    assert finish["on"] is None
    errors = process_errors(PROCESS.replace("asks: [reason], ", ""))
    assert errors == ["12:5 P015 the step 'finish' ends the case as a button, but does not "
                      "ask why"]
    assert process_errors(PROCESS.replace("asks: [reason]", "asks: [resaon]")) == [
        "12:5 P015 the step 'finish' ends the case as a button, but does not ask why",
        "13:13 P015 unknown ask 'resaon'"]


def test_a_form_step_asks_nothing_and_may_name_several_forms():
    two = CASEWORK.replace('on: {form: u, when: "outcome == \'done\'"}',
                           'on: [{form: u, when: "outcome == \'done\'"}, {form: t}]')
    result = build_yaml(FORM, {"forms/process.yaml": two, "forms/u.yaml": FOLLOW})
    assert result.ok, [d.headline() for d in result.diagnostics]
    finish = json.loads(result.generated["process.json"])["transitions"][1]
    assert [on["form"] for on in finish["on"]] == ["u", "t"]
    asking = CASEWORK.replace("guard: {rule: XX-01", "asks: [reason],\n     guard: {rule: XX-01")
    assert any("P015 the step 'finish' is made by a form, which asks" in e
               for e in casework_errors(asking))
    unknown = two.replace("{form: t}", "{form: w, when: \"outcome == 'gone'\"}")
    errors = casework_errors(unknown)
    assert any("F017 unknown form 'w'" in e for e in errors), errors


def test_an_event_a_record_raises_is_checked_and_compiled():
    text = CASEWORK + """\
events:
  - {event: N06, on: {form: u, when: "answered(seen_on)"}, source: assumption}
"""
    result = build_yaml(FORM, {"forms/process.yaml": text, "forms/u.yaml": FOLLOW})
    assert result.ok, [d.headline() for d in result.diagnostics]
    [event] = json.loads(result.generated["process.json"])["events"]
    assert (event["event"], event["on"]["form"]) == ("N06", "u")
    broken = text.replace("event: N06", "event: N60").replace(
        '"answered(seen_on)"}, source', '"answered(sen_on)"}, source')
    assert casework_errors(broken) == ["24:13 F019 unknown notification event 'N60'",
                                       "24:48 E002 unknown field 'sen_on'"]
