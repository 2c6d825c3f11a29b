"""Consent as one fact with a history, through the API (issue 15, findings 5 and 6): the
latest consent decision, on whichever form, decides what the police, CPS, CJIT, CARAT and
probation see of other agencies' records, and DIP-01. On SQLite and DynamoDB (moto).

DIP-01 guards the CPS's authorisation and the caution given. The shipped process has the
MG14 record both (the case follows its records, so a case rests in neither state); here the
area records the CPS's decision on the case itself (its step a button), so a case waits
with the CPS while consent changes, and the caution given is a later MG14 version."""

from __future__ import annotations

import copy
import json

import pytest

from tests.functional.test_cases_api import (
    CONSENT,
    MG14,
    RA_ATTENDED,
    Case,
    example,
    records_seen,
)
from tests.functional.test_cases_api import with_assessment as to_assessed

CONTACT = example("dir_initial_contact", "valid/minimal")
WITHDRAWN = example("consent_to_share_information", "valid/withdrawn")
ASSESSMENT = {"ia_at", "ia_attendance", "ia_findings", "followup_needed"}
SUMMARY = {"contact_date", "prompt", "outcome"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The build of a copy of forms/ whose CPS authorises on the case (a button)."""
    import shutil

    from tests.api_harness import ROOT, write_generated

    root = tmp_path_factory.mktemp("area")
    shutil.copytree(ROOT / "forms", root / "forms")
    process = root / "forms" / "process.yaml"
    made = ('     on: {form: mg14, when: "cps_sufficient_evidence == true and '
            'cps_cc_to_be_given == true"},\n')
    assert made in process.read_text()
    process.write_text(process.read_text().replace(made, ""))
    return write_generated(tmp_path_factory.mktemp("generated"), root)


def caution_given(case: Case) -> dict:
    """A later MG14 version recording the caution given: its step, or the DIP-01 stop its
    timeline entry says (the case stays)."""
    response = case.amend_mg14(MG14, officer_number=str(len(case.view("police")["timeline"])))
    assert response.status_code == 200, response.body
    return [e for e in case.view("police")["timeline"] if e["kind"] == "form"
            and e["ref"] == case.ref][-1]


def dip_01_stop(case: Case) -> dict:
    entry = caution_given(case)
    assert (entry["stopped_at"], entry["rule"]) == ("caution_administered", "DIP-01"), entry
    return entry


def naming(*named: tuple[str, list[str]], by: str = "probation_om") -> dict:
    """The full example consent, obtained by `by`, naming each (agency id, items)."""
    data = copy.deepcopy(CONSENT)
    data["obtained_by_agency"] = by
    data["decision"] = "given"
    data["named_agencies"] = [{"agency": agency, "contact_name": "Named Contact",
                               "contact_phone": "01632 960099", "items": items}
                              for agency, items in named]
    return data


EVERYONE = naming(("northshire_police", ["assessment"]), ("northshire_cps", ["assessment"]),
                  ("northshire_cjit", ["dir_summary"]), ("hmp_northshire_carats", ["assessment"]),
                  ("northshire_probation", ["assessment", "dir_summary"]))


def seen(case: Case, role: str) -> dict[str, set[str]]:
    """form -> the answers `role` sees of that form's records on the case."""
    view = case.view(role)
    return {form: records_seen(view, form) for form in {r["form"] for r in view["records"]}}


def amend(api, record_id: str, data: dict, role: str, version: int = 1):
    response = api.put(f"/v1/records/{record_id}", {"data": data, "reason": "Consent changed",
                                                    "base_version": version}, role=role)
    assert response.status_code == 200, response.body
    return response


def test_a_withdrawal_on_the_consent_form_narrows_every_agency_at_once(api):
    case = Case(api)
    to_assessed(case)                                    # the CJIT's assessment, consent given
    case.hand_over("hmp_northshire_carats")               # the CARAT joins by a hand-over
    contact = case.attach("dir_initial_contact", {**CONTACT, "prompt": "conditional_caution"},
                          role="carat", field="cc_case_ref")
    assert contact.status_code == 201, contact.body
    response = case.attach("consent_to_share_information", EVERYONE, role="probation")
    assert response.status_code == 201, response.body
    consent_id = json.loads(response.body)["record"]["id"]

    wide = {role: seen(case, role) for role in ("police", "cps", "cjit", "carat", "probation")}
    assert ASSESSMENT <= wide["police"]["dir_required_assessment"]
    assert ASSESSMENT <= wide["cps"]["dir_required_assessment"]
    assert wide["cjit"]["dir_initial_contact"] == SUMMARY       # the CARAT's record
    assert ASSESSMENT <= wide["carat"]["dir_required_assessment"]   # the CJIT's record
    assert ASSESSMENT <= wide["probation"]["dir_required_assessment"]
    assert SUMMARY <= wide["probation"]["dir_initial_contact"]
    assert wide["cjit"]["dir_initial_contact"] < set(CONTACT)   # never the name or birth date

    amend(api, consent_id, {**WITHDRAWN, "case_ref": case.ref}, role="probation")

    narrow = {role: seen(case, role) for role in wide}
    for role in ("police", "cps"):          # only the positive test, without consent
        assert narrow[role]["dir_required_assessment"] == {"test_result", "test_at"}
    assert "dir_initial_contact" not in narrow["cjit"]
    assert "dir_required_assessment" not in narrow["carat"]
    assert "dir_required_assessment" not in narrow["probation"]
    assert "dir_initial_contact" not in narrow["probation"]
    for role in ("cjit", "carat"):          # the consent's terms: what they may share now
        assert "decision" in narrow[role]["consent_to_share_information"]
        assert "client_signature" not in narrow[role]["consent_to_share_information"]
    assert case.view("cjit")["case"]["facts"]["consent_police_cps"] == "withdrawn"
    told = case.events("N26")
    assert set(told) == {"northshire_police", "northshire_cps", "northshire_cjit",
                         "hmp_northshire_carats", "northshire_probation"}


def dip_01(response) -> dict:
    assert response.status_code == 409, response.body
    item = json.loads(response.body)["errors"][0]
    assert item["rule"] == "DIP-01"
    assert any("§4.6" in source for source in item["source"])
    return item


def test_a_withdrawal_on_the_consent_form_stops_the_cps_authorising(api):
    """Finding 5: the assessment's consent_police_cps said given; the consent form, later,
    withdrew consent; the CPS authorised. Now the latest decision refuses it."""
    case = Case(api)
    to_assessed(case)
    response = case.attach("consent_to_share_information",
                           naming(("northshire_police", ["assessment"]),
                                  ("northshire_cps", ["assessment"]), by="cjit"))
    consent_id = json.loads(response.body)["record"]["id"]
    amend(api, consent_id, {**WITHDRAWN, "case_ref": case.ref}, role="cjit")
    item = dip_01(case.step("cps_authorises", "cps"))
    assert "Consent was withdrawn on 2026-11-18" in item["message"]
    assert f"consent_to_share_information {consent_id} version 2" in item["message"]
    assert case.state() == "with_cps"


def test_a_withdrawal_stops_the_police_administering_until_consent_is_given_again(api):
    case = Case(api)
    to_assessed(case)
    case.walk(("cps_authorises", "cps"))
    withdrawn = case.attach("consent_to_share_information", {**WITHDRAWN}, role="probation")
    assert withdrawn.status_code == 201, withdrawn.body
    dip_01_stop(case)
    assert case.state() == "offered"
    told = [e for e in case.view("dat_admin")["timeline"] if e.get("stopped_at")]
    assert told and told[-1]["rule"] == "DIP-01" and "reason" not in told[-1]
    consent_id = json.loads(withdrawn.body)["record"]["id"]
    amend(api, consent_id, {**EVERYONE, "case_ref": case.ref}, role="probation")
    assert "stopped_at" not in caution_given(case)    # the latest decision gives it again
    assert case.state() == "administered"


def test_an_assessment_amended_later_does_not_undo_a_withdrawal(api):
    case = Case(api)
    to_assessed(case)
    case.attach("consent_to_share_information", {**WITHDRAWN}, role="cjit")
    ra = next(r for r in case.view("cjit")["records"] if r["form"] == "dir_required_assessment")
    amend(api, ra["id"], {**RA_ATTENDED, "prompt": "conditional_caution",
                          "cc_case_ref": case.ref, "ia_findings": "Corrected findings"},
          role="cjit")                                  # consent_police_cps still 'given'
    dip_01(case.step("cps_authorises", "cps"))


# -- docs/consent.md's worked example, as the doc writes it ----------------------------------

def doc_example() -> tuple[list[dict], dict[tuple[str, str], tuple[set, set]], dict]:
    from tests.api_harness import ROOT

    text = (ROOT / "docs/consent.md").read_text()
    named = json.loads(text.split("```json named_agencies\n")[1].split("```")[0])
    table: dict[tuple[str, str], tuple[set, set]] = {}
    for line in text.split("| Reader | Record |")[1].split("\n\n")[0].splitlines()[2:]:
        reader, form, before, after = (cell.strip() for cell in line.strip("|").split("|"))
        table[(reader, form)] = tuple({f.strip() for f in cell.split(",")} - {"nothing"}
                                      for cell in (before, after))
    refusal = json.loads(text.split("```json dip-01\n")[1].split("```")[0])
    return named, table, refusal


def test_the_worked_example_in_docs_consent_md(api):
    named, table, refusal = doc_example()
    assert len(named) == 5 and len(table) == 6
    case = Case(api)
    to_assessed(case)
    case.hand_over("hmp_northshire_carats")               # as the example says
    contact = case.attach("dir_initial_contact", {**CONTACT, "prompt": "conditional_caution"},
                          role="carat", field="cc_case_ref")
    assert contact.status_code == 201, contact.body
    consent = naming(*((entry["agency"], entry["items"]) for entry in named))
    response = case.attach("consent_to_share_information", consent, role="probation")
    assert response.status_code == 201, response.body
    consent_id = json.loads(response.body)["record"]["id"]
    readers = {reader for reader, _ in table}
    before = {reader: seen(case, reader) for reader in readers}
    amend(api, consent_id, {**WITHDRAWN, "case_ref": case.ref}, role="probation")
    after = {reader: seen(case, reader) for reader in readers}
    for (reader, form), (wide, narrow) in table.items():
        assert before[reader].get(form, set()) == wide, (reader, form)
        assert after[reader].get(form, set()) == narrow, (reader, form)
    assert case.view("cps")["case"]["facts"]["consent_police_cps"] == "withdrawn"
    item = dip_01(case.step("cps_authorises", "cps"))
    assert item["message"] == refusal["message"].format(record=consent_id)


# -- a withdrawal recorded on a DIR form ------------------------------------------------------

def contact_consent(decision: str) -> dict:
    """A CJIT's DIR initial contact for the case whose consent section records `decision`:
    given, naming the police, the CPS and the CARAT for the assessment; or withdrawn on
    the day the consent form's example withdraws."""
    data = {**CONTACT, "prompt": "conditional_caution", "consent_asked": True,
            "consent_decision": decision}
    if decision == "given":
        full = example("dir_initial_contact", "valid/full")
        data.update({key: full[key] for key in ("consent_client_signature",
                                                "consent_worker_signature",
                                                "consent_review_due")})
        data["consent_purposes"] = ["dip_cc_consideration", "continuity_of_care"]
        data["named_agencies"] = [{"agency": agency, "contact_name": "Named Contact",
                                   "contact_phone": "01632 960099", "items": ["assessment"]}
                                  for agency in ("northshire_police", "northshire_cps",
                                                 "hmp_northshire_carats")]
    else:
        data["consent_withdrawn_at"] = WITHDRAWN["withdrawn_at"]
    return data


def test_a_withdrawal_on_a_dir_form_stops_the_cps_authorising_and_narrows_the_views(api):
    """Issue 15: a withdrawal recorded on any form stops the CPS authorising. The CJIT
    records consent in its DIR initial contact's consent section, then withdraws it there;
    no consent form is recorded at all."""
    case = Case(api)
    to_assessed(case)
    case.hand_over("hmp_northshire_carats")
    response = case.attach("dir_initial_contact", contact_consent("given"), role="cjit",
                           field="cc_case_ref")
    assert response.status_code == 201, response.body
    contact_id = json.loads(response.body)["record"]["id"]
    wide = {role: seen(case, role) for role in ("police", "cps", "carat")}
    for role in wide:
        assert ASSESSMENT <= wide[role]["dir_required_assessment"], role

    amend(api, contact_id, {**contact_consent("withdrawn"), "cc_case_ref": case.ref},
          role="cjit")

    narrow = {role: seen(case, role) for role in wide}
    for role in ("police", "cps"):          # only the positive test, without consent
        assert narrow[role]["dir_required_assessment"] == {"test_result", "test_at"}
    assert "dir_required_assessment" not in narrow["carat"]
    assert case.view("cps")["case"]["facts"]["consent_police_cps"] == "withdrawn"
    assert set(case.events("N26")) == {"northshire_police", "northshire_cps",
                                       "hmp_northshire_carats"}   # told to stop sharing
    item = dip_01(case.step("cps_authorises", "cps"))
    assert (f"Consent was withdrawn on {WITHDRAWN['withdrawn_at']} "
            f"(dir_initial_contact {contact_id} version 2)") in item["message"]
    assert case.state() == "with_cps"
    # a consent form given later is the latest decision: the step goes through
    given = case.attach("consent_to_share_information", EVERYONE, role="probation")
    assert given.status_code == 201, given.body
    case.walk(("cps_authorises", "cps"))
    assert case.state() == "offered"


def test_a_withdrawal_on_a_continuity_of_care_update_stops_the_police_administering(api):
    case = Case(api)
    to_assessed(case)
    case.walk(("cps_authorises", "cps"))
    update = example("dir_continuity_of_care", "valid/consent_withdrawn")
    response = case.attach("dir_continuity_of_care", update, role="cjit", field="cc_case_ref")
    assert response.status_code == 201, response.body
    update_id = json.loads(response.body)["record"]["id"]
    item = dip_01_stop(case)
    assert (f"Consent was withdrawn on {update['consent_withdrawn_at']} "
            f"(dir_continuity_of_care {update_id} version 1)") in item["reason"]
    assert case.state() == "offered"
