"""forms/process.yaml (generator/process.py): parsed, checked with every error at its place,
and the real DIP process is whole (every state reachable, no dead ends)."""

from __future__ import annotations

import json
import textwrap

from generator.process import EVENT_IDS
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
     source: assumption}
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
                             "to: working, roles: [cjit], guard: x}")
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
