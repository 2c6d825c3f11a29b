"""The case engine's decisions (api/chalicelib/domain/caseflow.py) on the DIP process as built from
forms/process.yaml: facts taken from records, the steps a form makes (one after another),
how each step is taken, and why a step is refused, in the order the API reports it."""

from __future__ import annotations

import datetime
import json

import pytest
from chalicelib.domain.caseflow import (
    Process,
    asked,
    chain,
    fact_flag,
    facts_from,
    form_events,
    guard_refusal,
    made_by,
    moved,
    open_case,
    recorded_fact_refusal,
    refusal,
    steps_json,
)

from tests.api_harness import ROOT

TODAY = datetime.date(2026, 11, 26)


@pytest.fixture(scope="module")
def process() -> Process:
    from generator.build import build_project
    from generator.edges.files import read_committed_schemas, read_forms_dir

    result = build_project(read_forms_dir(ROOT), read_committed_schemas(ROOT))
    assert result.ok
    return Process(json.loads(result.generated["process.json"]))


def at(process: Process, state: str, **facts):
    case = open_case(process, "MG14-0000000001", {}, "2026-11-26T10:00:00.000000Z", TODAY)
    return moved(process, case, {"to": state}, facts, "2026-11-26T10:00:00.000000Z")


def test_an_mg14_opens_a_case_at_the_start_with_its_facts(process):
    case = open_case(process, "MG14-1", {"dip_condition_type": "two_session",
                                         "comply_by_date": "2027-01-29",
                                         "offences": [{"offence_date": "2026-11-02"},
                                                      {"offence_date": "2026-10-30"}]},
                     "2026-11-26T10:00:00.000000Z", TODAY)
    assert (case.state, case.version, case.closed) == ("considered", 1, False)
    assert case.facts == {"condition_type": "two_session", "comply_by_date": "2027-01-29",
                          "offence_date": "2026-10-30"}


def test_the_latest_record_that_answers_a_fact_wins_and_silence_keeps_it(process):
    facts = facts_from(process, {"consent_police_cps": "given"}, "dir_required_assessment",
                       {"consent_police_cps": "refused"}, TODAY)
    assert facts["consent_police_cps"] == "refused"
    assert facts_from(process, facts, "dir_required_assessment", {}, TODAY) == facts
    assert facts_from(process, facts, "dip_session2", {"consent_police_cps": "given"},
                      TODAY) == facts                       # not a source of that fact


def test_a_form_makes_the_first_transition_whose_condition_holds(process):
    failed = {"ia_attendance": "left_before_end"}
    assert made_by(process, "ra_arranged", "dir_required_assessment", failed,
                   TODAY)["id"] == "ra_not_attended"
    assert made_by(process, "ra_arranged", "dir_required_assessment",
                   {"ia_attendance": "attended_and_remained"}, TODAY)["id"] == "ra_attended"
    assert made_by(process, "assessed", "dir_required_assessment", failed,
                   TODAY) is None                           # not from this state


def test_refusals_name_the_problem_in_order(process):
    case = at(process, "with_cps")
    assert refusal(process, case, "nope", "cps", {}, TODAY).errors[0]["code"] == (
        "unknown_transition")
    form_step = refusal(process, case, "cps_authorises", "cps", {}, TODAY)
    assert (form_step.code, form_step.errors[0]["code"], form_step.errors[0]["form"]) == (
        "step_needs_form", "step_needs_form", "mg14")
    assert "MG14" in form_step.errors[0]["form_title"]
    wrong_state = refusal(process, case, "not_a_drug_misuser", "police", {}, TODAY)
    assert (wrong_state.code, wrong_state.errors[0]["code"]) == ("transition_refused",
                                                                 "wrong_state")
    wrong_role = refusal(process, case, "cps_refuses", "police", {}, TODAY)
    assert (wrong_role.code, wrong_role.errors[0]["allowed"]) == ("forbidden", [])
    assert refusal(process, case, "cps_refuses", "cps", {}, TODAY) is None


def test_dip_01_lets_no_consent_through_only_where_no_assessment_was_made(process):
    step = process.transitions["cps_authorises"]
    # finding 5: an unrecorded consent passed; now only where no assessment was made
    assert guard_refusal(process, step, {}, TODAY).errors[0]["rule"] == "DIP-01"
    assert guard_refusal(process, step, {"assessment": "attended_and_remained"},
                         TODAY).errors[0]["rule"] == "DIP-01"
    assert guard_refusal(process, step, {"assessment": "none"}, TODAY) is None  # note 2
    assert guard_refusal(process, step, {"consent_police_cps": "withdrawn"},
                         TODAY).errors[0]["rule"] == "DIP-01"
    said = guard_refusal(process, step, {"consent_police_cps": "refused"}, TODAY,
                         {"DIP-01": "Consent was refused on 2026-11-20"})
    assert said.errors[0]["message"].endswith(". Consent was refused on 2026-11-20")


# -- the steps a record makes, one after another ------------------------------------------

GIVEN = {"assessment_type": "required_initial", "consent_police_cps": "given",
         "cps_sufficient_evidence": True, "cps_cc_to_be_given": True,
         "offender_decision": "accepted", "administered_at": "2026-11-24T14:10"}


def test_an_mg14_of_a_caution_given_walks_the_case_to_administered(process):
    made = chain(process, "considered", "mg14", GIVEN,
                 {"consent_police_cps": "given", "assessment": "required_initial"}, TODAY)
    assert [t["id"] for t in made.steps] == [
        "arrange_ra", "ra_attended", "feedback_with_consent", "cps_authorises",
        "caution_administered"]
    assert made.stopped is None


def test_an_mg14_declined_or_without_an_assessment_ends_where_it_says(process):
    declined = {**GIVEN, "assessment_type": "none", "offender_decision": "declined"}
    del declined["administered_at"], declined["consent_police_cps"]
    made = chain(process, "considered", "mg14", declined, {"assessment": "none"}, TODAY)
    assert [t["to"] for t in made.steps] == ["with_cps", "offered", "declined"]
    voluntary = {**GIVEN, "assessment_type": "voluntary"}
    made = chain(process, "considered", "mg14", voluntary,
                 {"consent_police_cps": "given", "assessment": "voluntary"}, TODAY)
    assert [t["to"] for t in made.steps][:2] == ["voluntary_assessment", "assessed"]
    assert made.steps[-1]["to"] == "administered"


def test_a_failed_guard_stops_the_chain_where_it_is(process):
    made = chain(process, "considered", "mg14", GIVEN,
                 {"consent_police_cps": "withdrawn", "assessment": "required_initial"}, TODAY,
                 {"DIP-01": "Consent was withdrawn on 2026-11-20"})
    assert [t["to"] for t in made.steps] == ["ra_arranged", "assessed"]
    assert made.stopped["id"] == "feedback_with_consent"
    assert made.refused.errors[0]["rule"] == "DIP-01"
    assert made.refused.errors[0]["message"].endswith("withdrawn on 2026-11-20")


def test_a_later_mg14_moves_the_case_on_from_where_it_is(process):
    outcome = {**GIVEN, "police_outcome": "complied_case_closed",
               "offender_informed_at": "2026-11-25"}
    assert chain(process, "in_programme", "mg14", outcome, {}, TODAY).steps == []
    made = chain(process, "complied_reported", "mg14", outcome, {}, TODAY)
    assert [t["to"] for t in made.steps] == ["closed_complied"]
    told_only = {**outcome, "police_outcome": "failure_response"}
    assert [t["to"] for t in chain(process, "non_compliance_reported", "mg14", told_only,
                                   {}, TODAY).steps] == ["failure_response"]


def test_a_chain_is_bounded_by_the_states_even_in_a_loop():
    loop = Process({"process": "p", "opened_by": "f", "start": "a", "links": [],
                    "states": [{"id": "a", "label": "A", "terminal": False},
                               {"id": "b", "label": "B", "terminal": False}],
                    "transitions": [
                        {"id": "ab", "from": "a", "to": "b", "roles": [], "source": [],
                         "on": [{"form": "f", "when": None}]},
                        {"id": "ba", "from": "b", "to": "a", "roles": [], "source": [],
                         "on": [{"form": "f", "when": None}]}]})
    assert [t["id"] for t in chain(loop, "a", "f", {}, {}, TODAY).steps] == ["ab", "ba"]


def test_each_step_says_whether_a_form_or_a_button_makes_it(process):
    steps = {s["transition"]: s for s in steps_json(process, "with_cps")}
    assert steps["cps_authorises"]["kind"] == "form"
    assert steps["cps_authorises"]["form"] == "mg14"
    assert "ends" not in steps["cps_authorises"]
    refuses = steps["cps_refuses"]
    assert (refuses["kind"], refuses["ends"]) == ("button", True)
    assert [(a["id"], a["required"]) for a in refuses["asks"]] == [("reason", True)]
    assert [s["transition"] for s in steps_json(process, "ra_failed", "police")] == [
        "cc_after_failed_ra"]
    assert steps_json(process, "ra_failed", "police")[0]["ends"] is False
    first = steps_json(process, "ra_arranged")[0]       # two forms: the first is linked
    assert (first["kind"], first["form"]) == ("form", "dir_required_assessment")


def test_an_ending_button_needs_a_reason_that_is_not_blank(process):
    step = process.transitions["cps_refuses"]
    for request in ({}, {"reason": "   "}, {"reason": 7}):
        missing = asked(step, request)
        assert (missing.code, missing.errors[0]["field"], missing.errors[0]["code"]) == (
            "invalid", "/reason", "required")
    assert asked(step, {"reason": "x" * 2001}).errors[0]["code"] == "max_length"
    assert asked(step, {"reason": " Not in the public interest "}) == {
        "reason": "Not in the public interest"}
    assert asked(process.transitions["cc_after_failed_ra"], {}) == {}


def test_a_record_raises_its_events_once_when_they_start_to_hold(process):
    cancelled = {"followup_ra_cancelled_at": "2026-11-24T15:00"}
    assert form_events(process, "mg14", cancelled, None, TODAY) == ["N06"]
    assert form_events(process, "mg14", cancelled, cancelled, TODAY) == []
    assert form_events(process, "mg14", cancelled, {}, TODAY) == ["N06"]
    assert form_events(process, "mg14", {}, None, TODAY) == []
    assert form_events(process, "dir_required_assessment",
                       {"statutory_supervision": "order_drr"}, None, TODAY) == ["N16"]


def test_moving_counts_versions_and_closes_on_a_terminal_state(process):
    case = at(process, "complied_reported")
    closed = moved(process, case, process.transitions["offender_told"], case.facts, "t")
    assert (closed.state, closed.closed, closed.version) == ("closed_complied", True,
                                                             case.version + 1)


def test_recorded_facts_check_role_name_and_type_and_flag_fridays(process):
    assert recorded_fact_refusal(process, "release_date", "2026-12-04", "carat") is None
    assert recorded_fact_refusal(process, "release_date", "2026-12-04", "cjit").code == (
        "forbidden")
    assert recorded_fact_refusal(process, "comply_by_date", "2026-12-04", "carat").code == (
        "bad_request")                                       # taken from the MG14 only
    assert recorded_fact_refusal(process, "release_date", "2026-02-30", "carat").code == (
        "invalid")
    fact = process.facts["release_date"]
    assert fact_flag(fact, "2026-12-04") == "friday"
    assert fact_flag(fact, "2026-12-05") is None
