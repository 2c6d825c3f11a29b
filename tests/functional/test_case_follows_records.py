"""The case follows its records (issue 16 item 1), through the API on SQLite and DynamoDB
(moto): the MG14 as submitted places the case where it is, a later MG14 version moves it
on, a step a form makes is refused as a button, and a button that ends the case asks why
and keeps the reason for the parties, not the DAT."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.functional.test_cases_api import COMPLIED, MG14, MG14_THREE, SESSION1, Case, example

DECLINED = example("mg14", "valid/declined")


def transitions(view: dict) -> list[tuple[str, str]]:
    return [(e["from"], e["to"]) for e in view["timeline"] if e["kind"] == "transition"]


def test_an_mg14_of_a_caution_given_opens_the_case_at_administered_and_refers_once(api):
    case = Case(api, MG14_THREE)           # a required assessment, consent, CPS yes, given
    view = case.view("police")
    assert (view["case"]["state"], view["case"]["closed"]) == ("administered", False)
    assert transitions(view) == [("considered", "ra_arranged"), ("ra_arranged", "assessed"),
                                 ("assessed", "with_cps"), ("with_cps", "offered"),
                                 ("offered", "administered")]
    assert case.events("N05") == Counter({"northshire_cjit": 1})
    assert case.events("N06") == Counter({"northshire_cjit": 1})   # follow-up RA cancelled
    # the CJIT's feedback and the CPS's decision are recounted by the MG14, not told again
    assert case.events("N02") == Counter() and case.events("N04") == Counter()
    # a later version (a corrected answer) makes no step twice and tells nobody again
    again = case.amend_mg14(MG14_THREE, officer_number="4711")
    assert again.status_code == 200, again.body
    assert case.state() == "administered"
    assert case.events("N05") == Counter({"northshire_cjit": 1})
    assert case.events("N06") == Counter({"northshire_cjit": 1})
    assert len(transitions(case.view("police"))) == 5


def test_an_mg14_the_offender_declined_opens_the_case_declined_and_closed(api):
    case = Case(api, DECLINED)
    view = case.view("police")
    assert (view["case"]["state"], view["case"]["closed"]) == ("declined", True)
    assert transitions(view)[-1] == ("offered", "declined")
    assert transitions(view)[:2] == [("considered", "voluntary_assessment"),
                                     ("voluntary_assessment", "assessed")]
    assert view["case"]["next_steps"] == []
    assert case.events("N05") == Counter()


def test_a_later_mg14_with_its_outcome_moves_the_case_on(api):
    case = Case(api)
    early = case.amend_mg14(MG14, police_outcome="complied_case_closed",
                            offender_informed_at="2026-11-25")
    assert early.status_code == 200, early.body
    assert case.state() == "administered"          # no step from here is the MG14's
    assert case.attach("dip_session1_triage", SESSION1).status_code == 201
    assert case.attach("compliance_report", COMPLIED).status_code == 201
    assert case.state() == "complied_reported"
    police = case.view("police")["case"]["next_steps"]
    assert [(s["transition"], s["kind"], s["form"]) for s in police] == [
        ("offender_told", "form", "mg14")]
    assert "MG14" in police[0]["form_title"]
    told = case.amend_mg14(MG14, police_outcome="complied_case_closed",
                           offender_informed_at="2026-11-25", officer_number="12")
    assert told.status_code == 200, told.body
    view = case.view("police")
    assert (view["case"]["state"], view["case"]["closed"]) == ("closed_complied", True)
    closing = [e for e in view["timeline"] if e["kind"] == "transition"][-1]
    assert (closing["ref"], closing["record"]) == ("offender_told", case.ref)


def test_a_step_a_form_makes_is_refused_as_a_button_naming_the_form(api):
    case = Case(api)
    cjit = case.view("cjit")["case"]["next_steps"]
    assert [(s["transition"], s["kind"], s["form"]) for s in cjit] == [
        ("first_contact", "form", "dip_session1_triage")]
    response = case.step("first_contact", "cjit")
    assert response.status_code == 422
    body = json.loads(response.body)
    assert body["error"] == "step_needs_form"
    item = body["errors"][0]
    assert (item["field"], item["code"], item["form"]) == (
        "/transition", "step_needs_form", "dip_session1_triage")
    assert case.state() == "administered"


# -- a button that ends the case: an area whose CPS records its decision on the case ------

@pytest.fixture
def cps_on_the_case(tmp_path):
    """The API built from a copy of forms/ in which the CPS's authorisation is a button
    (its `on:` taken away), so a case waits with the CPS and its refusal is a button."""
    import shutil

    import app as api_app
    from chalice.test import Client
    from chalicelib.runtime import set_runtime
    from chalicelib.store.sqlite import SQLiteStore

    from tests.api_harness import ROOT, Api, make_runtime, write_generated

    root = tmp_path / "area"
    shutil.copytree(ROOT / "forms", root / "forms")
    process = root / "forms" / "process.yaml"
    text = process.read_text()
    made = ('     on: {form: mg14, when: "cps_sufficient_evidence == true and '
            'cps_cc_to_be_given == true"},\n')
    assert made in text
    process.write_text(text.replace(made, ""))
    generated = write_generated(tmp_path / "generated", root)
    runtime, secret = make_runtime(tmp_path, generated, SQLiteStore(tmp_path / "db.sqlite"))
    set_runtime(runtime)
    try:
        yield Api(Client(api_app.app), runtime, secret)
    finally:
        set_runtime(None)


def test_ending_a_case_by_a_button_needs_a_reason_kept_for_the_parties(cps_on_the_case):
    api = cps_on_the_case
    case = Case(api)
    assert case.state() == "with_cps"
    steps = {s["transition"]: s for s in case.view("cps")["case"]["next_steps"]}
    assert (steps["cps_refuses"]["kind"], steps["cps_refuses"]["ends"]) == ("button", True)
    assert [a["id"] for a in steps["cps_refuses"]["asks"]] == ["reason"]
    assert (steps["cps_authorises"]["kind"], steps["cps_authorises"]["ends"]) == (
        "button", False)
    for body in ({"transition": "cps_refuses"}, {"transition": "cps_refuses", "reason": " "}):
        refused = case.post("transitions", body, "cps")
        assert refused.status_code == 422, refused.body
        item = json.loads(refused.body)["errors"][0]
        assert (item["field"], item["code"]) == ("/reason", "required")
    assert case.post("transitions", {"transition": "cps_refuses", "reason": "Not suitable"},
                     "police").status_code == 403
    assert case.state() == "with_cps"
    done = case.post("transitions", {"transition": "cps_refuses",
                                     "reason": "Not in the public interest"}, "cps")
    assert done.status_code == 200, done.body
    assert json.loads(done.body)["case"]["state"] == "alternative_disposal"
    for reader in ("police", "cps"):
        entry = [e for e in case.view(reader)["timeline"] if e["kind"] == "transition"][-1]
        assert (entry["ref"], entry["reason"]) == ("cps_refuses", "Not in the public interest")
    told = [e for e in case.view("dat_admin")["timeline"] if e["kind"] == "transition"][-1]
    assert told["ref"] == "cps_refuses" and "reason" not in told
    logged = [a for a in api.runtime.context.store.list_audit(case.ref)
              if a.action == "transition"]
    assert [a.reason for a in logged] == ["cps_refuses"]       # the step, not the words
    assert case.events("N04") == Counter({"northshire_police": 1})


# -- events a recorded fact raises (domain notes section 6) -------------------------------

@pytest.mark.parametrize(("fact", "role", "event", "to"), [
    ("into_custody_on", "probation", "N19", "hmp_northshire_carats"),
    ("warrant_known_on", "cjit", "N22", "northshire_probation"),
    ("returned_to_custody_on", "probation", "N23", "hmp_northshire_carats"),
])
def test_a_recorded_fact_tells_the_agency_the_guidance_names(api, fact, role, event, to):
    case = Case(api)
    case.hand_over("northshire_probation")
    response = case.post("facts", {"fact": fact, "value": "2026-12-01"}, role)
    assert response.status_code == 200, response.body
    assert case.events(event) == Counter({to: 1})
