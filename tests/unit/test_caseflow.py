"""The case engine's decisions (api/chalicelib/domain/caseflow.py) on the DIP process as built from
forms/process.yaml: facts taken from records, the transition a form makes, and why a step
is refused, in the order the API reports it."""

from __future__ import annotations

import datetime
import json

import pytest
from chalicelib.domain.caseflow import (
    Process,
    fact_flag,
    facts_from,
    moved,
    open_case,
    recorded_fact_refusal,
    refusal,
    triggered,
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


def test_a_form_makes_the_first_transition_whose_condition_holds_for_its_role(process):
    case = at(process, "ra_arranged")
    failed = {"ia_attendance": "left_before_end"}
    assert triggered(process, case, "dir_required_assessment", failed, "cjit",
                     TODAY)["id"] == "ra_not_attended"
    assert triggered(process, case, "dir_required_assessment",
                     {"ia_attendance": "attended_and_remained"}, "cjit", TODAY)["id"] == (
        "ra_attended")
    assert triggered(process, case, "dir_required_assessment", failed, "police",
                     TODAY) is None                         # police may not make it
    assert triggered(process, at(process, "assessed"), "dir_required_assessment", failed,
                     "cjit", TODAY) is None                 # not from this state


def test_refusals_name_the_problem_in_order(process):
    case = at(process, "assessed")
    assert refusal(process, case, "nope", "cjit", {}, TODAY).errors[0]["code"] == (
        "unknown_transition")
    wrong_state = refusal(process, case, "arrange_ra", "police", {}, TODAY)
    assert (wrong_state.code, wrong_state.errors[0]["code"]) == ("transition_refused",
                                                                 "wrong_state")
    wrong_role = refusal(process, case, "feedback_with_consent", "police",
                         {"consent_police_cps": "given"}, TODAY)
    assert (wrong_role.code, wrong_role.errors[0]["allowed"]) == ("forbidden", [])
    guard = refusal(process, case, "feedback_with_consent", "cjit",
                    {"consent_police_cps": "refused"}, TODAY)
    assert (guard.code, guard.errors[0]["rule"]) == ("transition_refused", "DIP-01")
    assert refusal(process, case, "feedback_with_consent", "cjit",
                   {"consent_police_cps": "given"}, TODAY) is None


def test_dip_01_lets_no_consent_through_only_where_no_assessment_was_made(process):
    case = at(process, "with_cps")
    # finding 5: an unrecorded consent passed; now only where no assessment was made
    assert refusal(process, case, "cps_authorises", "cps", {}, TODAY).errors[0]["rule"] == (
        "DIP-01")
    assert refusal(process, case, "cps_authorises", "cps",
                   {"assessment": "attended_and_remained"}, TODAY).errors[0]["rule"] == "DIP-01"
    assert refusal(process, case, "cps_authorises", "cps", {"assessment": "none"},
                   TODAY) is None                          # Annex A note 2
    assert refusal(process, case, "cps_authorises", "cps",
                   {"consent_police_cps": "withdrawn"}, TODAY).errors[0]["rule"] == "DIP-01"
    said = refusal(process, case, "cps_authorises", "cps", {"consent_police_cps": "refused"},
                   TODAY, {"DIP-01": "Consent was refused on 2026-11-20"})
    assert said.errors[0]["message"].endswith(". Consent was refused on 2026-11-20")


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
