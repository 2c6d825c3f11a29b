"""GET /v1/forms/{form}/prefill: a form started from a case starts with its reference and
the person from the MG14, as far as the reader may see them; the protocol fills the MG14's
CJIT contact and the area. On SQLite and DynamoDB (moto)."""

from __future__ import annotations

import copy
import json

from tests.examples import load_examples

MG14 = copy.deepcopy(next(e.data for e in load_examples("mg14") if e.name == "valid/minimal"))


def open_case(api) -> str:
    response = api.submit("mg14", MG14, role="police")
    assert response.status_code == 201, response.body
    return json.loads(response.body)["case"]


def prefill(api, form: str, role: str, case: str | None = None):
    path = f"/v1/forms/{form}/prefill" + (f"?case={case}" if case else "")
    response = api.get(path, role=role)
    return response.status_code, json.loads(response.body)


def test_a_cjit_worker_gets_the_case_reference_and_the_person_for_the_assessment(api):
    case = open_case(api)
    status, body = prefill(api, "dir_required_assessment", "cjit", case)
    assert status == 200, body
    answers = body["answers"]
    assert body["case"] == case and body["case_field"] == "cc_case_ref"
    assert answers["cc_case_ref"] == case
    assert answers["prompt"] == "conditional_caution"     # a code the link names
    for field in ("surname", "forenames", "date_of_birth", "sex", "ethnicity",
                  "residence_area"):
        assert answers[field] == MG14[field], field
        assert field in body["from_case"]
    assert "address" not in answers        # the RA has no address: only what the link fills


def test_a_reader_who_may_not_see_the_mg14_gets_no_name(api):
    """A CARAT team may start the initial contact from the case, but may not read the MG14:
    the reference is filled, the person is not."""
    case = open_case(api)
    assert prefill(api, "dir_initial_contact", "carat", case)[0] == 404   # not yet a party
    handed = api.client.http.post(f"/v1/cases/{case}/handovers", headers=api.headers("police"),
                                  body=json.dumps({"agency": "hmp_northshire_carats"}))
    assert handed.status_code == 200, handed.body
    status, body = prefill(api, "dir_initial_contact", "carat", case)
    assert status == 200, body
    assert body["answers"]["cc_case_ref"] == case
    assert not {"surname", "forenames", "date_of_birth"} & set(body["answers"])
    assert body["answers"]["prompt"] == "conditional_caution"
    status, cjit = prefill(api, "dir_initial_contact", "cjit", case)
    assert status == 200 and cjit["answers"]["surname"] == MG14["surname"]


def test_an_unknown_or_foreign_case_answers_as_the_case_read_does(api):
    case = open_case(api)
    unknown = "MG14-9999999999"
    assert prefill(api, "dir_required_assessment", "cjit", unknown)[0] == 404
    assert api.get(f"/v1/cases/{unknown}", role="cjit").status_code == 404
    other = api.token("cjit", user="cjit_b", agency="northshire_cjit_b")
    for path in (f"/v1/forms/dir_required_assessment/prefill?case={case}", f"/v1/cases/{case}"):
        response = api.client.http.get(path, headers={"Authorization": f"Bearer {other}"})
        assert response.status_code in (403, 404), path    # no agency _b: refused either way
    assert prefill(api, "dir_required_assessment", "police", case)[0] == 403   # not its form
    assert prefill(api, "mg14", "police", case)[0] == 400      # the MG14 opens, never joins
    assert prefill(api, "no_such_form", "cjit", case)[0] == 404


def test_the_protocol_fills_the_mg14s_cjit_contact_and_the_area(api):
    status, body = prefill(api, "mg14", "police")
    assert status == 200, body
    answers = body["answers"]
    assert answers["cjit_agency_name"] == "Northshire CJIT"
    assert answers["cjit_contact_name"] == "Jo Worker"
    assert answers["cjit_contact_phone"] == "01632 960020"
    assert answers["cjit_contact_email"] == "spoc@northshire-cjit.example.org"
    assert answers["residence_area"] == "northshire"
    assert body["case"] is None and body["from_case"] == []
    assert "cjit_agency_name" in body["from_protocol"]


def test_a_prefill_from_a_case_is_in_the_audit_log(api):
    case = open_case(api)
    assert prefill(api, "dir_required_assessment", "cjit", case)[0] == 200
    entries = api.runtime.context.store.list_audit(case)
    assert [(e.action, e.actor) for e in entries if e.action == "prefill"] == [
        ("prefill", "cjit_worker")]


def test_session_forms_take_what_the_cases_own_records_hold(api):
    """Session 1's DIR reference is the required assessment's record; the compliance
    report's sessions are the session records, numbered, with their dates and attendance;
    the review form of a three-session case takes session 2's time."""
    from tests.functional.test_cases_api import (
        MG14_THREE,
        SESSION1_THREE,
        SESSION2_MISSED,
        Case,
        with_assessment,
    )

    case = Case(api, MG14_THREE)
    with_assessment(case)
    assessment = next(r["id"] for r in case.view("cjit")["records"]
                      if r["form"] == "dir_required_assessment")
    status, body = prefill(api, "dip_session1_triage", "cjit", case.ref)
    assert status == 200, body
    assert body["answers"]["dir_ref"] == assessment and "dir_ref" in body["from_case"]
    assert prefill(api, "compliance_report", "cjit", case.ref)[1]["answers"].get(
        "sessions") is None                                  # no session held yet
    for form, data in (("dip_session1_triage", SESSION1_THREE),
                       ("dip_session2", SESSION2_MISSED)):
        response = case.attach(form, data)
        assert response.status_code == 201, response.body
    status, body = prefill(api, "compliance_report", "cjit", case.ref)
    assert status == 200, body
    assert body["answers"]["sessions"] == [
        {"session_number": 1, "session_date": SESSION1_THREE["session_at"][:10],
         "session_attendance": SESSION1_THREE["attendance"]},
        {"session_number": 2, "session_date": SESSION2_MISSED["session_at"][:10],
         "session_attendance": SESSION2_MISSED["attendance"]}]
    review = prefill(api, "dip_session3", "cjit", case.ref)[1]["answers"]
    assert review["session2_at"] == SESSION2_MISSED["session_at"]


def test_the_case_offers_only_the_session_forms_its_condition_has(api):
    from tests.functional.test_cases_api import MG14, MG14_THREE, Case

    one = Case(api, MG14).view("cjit")["case"]["forms"]
    three = Case(api, MG14_THREE).view("cjit")["case"]["forms"]
    assert "dip_session1_triage" in one and "compliance_report" in one
    assert "dip_session2" not in one and "dip_session3" not in one
    assert {"dip_session1_triage", "dip_session2", "dip_session3"} <= set(three)
