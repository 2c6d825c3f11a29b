"""The legal and process rules of domain notes section 4 added or changed in issue 8, each
with an answer it accepts and one it refuses (or warns of), judged the same way by the API
(`validate`) and by the pages (checks.js in Node). Settings are the protocol's defaults."""

from __future__ import annotations

import copy

import pytest

from tests.examples import DEFAULT_TODAY, load_examples
from tests.functional.test_checks_js import SCHEMAS, Batch, api_answer, mismatches, needs_node


def example(form: str, name: str) -> dict:
    return copy.deepcopy(next(e.data for e in load_examples(form) if e.name == name))


def changed(form: str, name: str, **answers) -> dict:
    return {**example(form, name), **answers}


def items(form: str, name: str, index: int, values: list[str]) -> dict:
    data = example(form, name)
    data["named_agencies"][index]["items"] = values
    return data


#: (label, form, answers, (field, rule, severity) it raises, or None for none)
CASES = [
    ("DIP-02 assessment used without consent", "mg14",
     changed("mg14", "valid/minimal", identification_basis=["police_knowledge",
                                                            "voluntary_assessment"]),
     ("/identification_basis", "DIP-02", "refuse")),
    ("DIP-02 assessment used with consent", "mg14", example("mg14", "valid/full"), None),
    ("DIP-04 follow-up longer than the local maximum", "mg14",
     changed("mg14", "valid/full", follow_up_max_months=3),
     ("/follow_up_max_months", "DIP-04", "warn")),
    ("DIP-04 follow-up at the local maximum", "mg14",
     changed("mg14", "valid/full", follow_up_max_months=2), None),
    ("CC-07 summary: comply-by six months after the offence", "mg14",
     changed("mg14", "valid/minimal", comply_by_date="2027-05-20"), None),
    ("CC-07 summary: one day more", "mg14",
     changed("mg14", "valid/minimal", comply_by_date="2027-05-21"),
     ("/comply_by_date", "CC-07", "refuse")),
    ("CC-07 either way: not limited", "mg14",
     changed("mg14", "valid/minimal", offence_class="either_way", comply_by_date="2027-08-01"),
     None),
    ("DIP-17b compliance reported by phone", "compliance_report",
     changed("compliance_report", "valid/minimal", channel="phone"),
     ("/channel", "DIP-17b", "refuse")),
    ("DIP-17b compliance reported by letter", "compliance_report",
     changed("compliance_report", "valid/minimal", channel="letter"), None),
    ("IS-04 a DIR lets the PSR be passed on", "dir_initial_contact",
     items("dir_initial_contact", "valid/full", 0, ["test_result", "psr"]),
     ("/named_agencies", "IS-04", "refuse")),
    ("IS-04 a DIR shares the test result", "dir_initial_contact",
     items("dir_initial_contact", "valid/full", 0, ["test_result"]), None),
    ("IS-09 consent review a day beyond three months", "dir_initial_contact",
     changed("dir_initial_contact", "valid/full", consent_review_due="2027-02-25"),
     ("/consent_review_due", "IS-09", "warn")),
    ("IS-09 consent review at three months", "dir_initial_contact",
     changed("dir_initial_contact", "valid/full", consent_review_due="2027-02-24"), None),
    ("IS-04 an assessment passes OASys on", "dir_required_assessment",
     items("dir_required_assessment", "valid/full", 0, ["oasys_sections"]),
     ("/named_agencies", "IS-04", "refuse")),
    ("ROB-01 restriction on bail, lives in Wales", "dir_required_assessment",
     changed("dir_required_assessment", "valid/minimal", statutory_supervision="rob_bail",
             residence_area="wales"),
     ("/statutory_supervision", "ROB-01", "refuse")),
    ("ROB-01 restriction on bail, lives in England", "dir_required_assessment",
     changed("dir_required_assessment", "valid/minimal", statutory_supervision="rob_bail"),
     None),
    ("RA-03 follow-up 8 days after the assessment", "dir_required_assessment",
     changed("dir_required_assessment", "valid/full", followup_at="2026-11-18T10:00"), None),
    ("RA-03 follow-up 9 days after the assessment", "dir_required_assessment",
     changed("dir_required_assessment", "valid/full", followup_at="2026-11-19T10:00"),
     ("/followup_at", "RA-03", "warn")),
]


def raised(answer: dict) -> list[tuple[str, str, str]]:
    return ([(e["field"], e["code"], "refuse") for e in answer["errors"]]
            + [(w["field"], w["code"], "warn") for w in answer["warnings"]])


@pytest.mark.parametrize("label,form,data,expected", CASES, ids=[c[0] for c in CASES])
def test_the_api_judges_each_rule(label, form, data, expected):
    answer = api_answer(SCHEMAS[form], data, DEFAULT_TODAY)
    assert raised(answer) == ([expected] if expected else [])
    for problem in answer["errors"] + answer["warnings"]:
        assert problem["source"] and problem["message"]     # shown with where it comes from


@needs_node
def test_the_pages_judge_each_rule_as_the_api_does():
    batch = Batch(SCHEMAS)
    for label, form, data, _ in CASES:
        batch.add(label, form, data, DEFAULT_TODAY)
    assert mismatches(batch.run()) == []
