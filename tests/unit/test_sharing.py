"""Consent decides what is shared: ConsentView, visible_data (what a reader sees of one
record) and check_disclosure (sharing without consent only on a ground, within its scope),
all against the real protocol's `sharing:` and `disclosure_grounds:`."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from chalicelib.contract.protocol import Protocol
from chalicelib.domain.sharing import ConsentView, check_disclosure, visible_data

from generator.edges.files import read_forms_dir
from generator.manifest import protocol_json
from generator.project import parse_project

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = Protocol.from_json(protocol_json(parse_project(read_forms_dir(ROOT))[0]))
TODAY = datetime.date(2026, 11, 25)
NO_CONSENT = ConsentView.from_data(None, TODAY)
RA = {"test_result": "positive_opiates", "test_at": "2026-11-20T10:00", "ia_findings": "x",
      "ia_attendance": "attended_and_remained", "surname": "Jones"}
REPORT = {"case_ref": "MG14-0A1B2C3D4E", "outcome": "not_complied", "warnings": [],
          "sessions": [], "reporting_worker": {"name": "Jo Worker"}, "referrals_declined": True,
          "other_provider_input": "treatment detail"}
SESSION2 = {"session_at": "2026-11-21T10:00", "attendance": "attended", "topics": ["law"],
            "disruption_details": "y"}


def consent(*named, today=TODAY, **answers) -> ConsentView:
    data = {"decision": "given", "purposes": ["dip_cc_consideration", "continuity_of_care"],
            "named_agencies": [{"agency_name": name, "items": items} for name, items in named],
            **answers}
    return ConsentView.from_data(data, today, agencies=PROTOCOL.agencies)


# -- ConsentView -------------------------------------------------------------------------------

def test_no_record_or_a_refusal_allows_nothing():
    assert not NO_CONSENT.allows("northshire_police", "test_result")
    refused = consent(("northshire_police", ["test_result"]), decision="refused")
    assert not refused.allows("northshire_police", "test_result")
    assert not refused.names("northshire_police")


def test_a_named_agency_matches_by_id_or_by_its_protocol_name_and_gets_only_its_items():
    view = consent(("  northshire police CUSTODY suites ", ["assessment"]),
                   ("northshire_cps", ["test_result"]))
    assert view.allows("northshire_police", "assessment")
    assert not view.allows("northshire_police", "test_result")
    assert view.allows("northshire_cps", "test_result")
    assert not view.allows("northshire_cjit", "assessment") and not view.names("northshire_cjit")


def test_a_withdrawal_counts_from_its_date_and_a_partial_one_only_for_its_purposes():
    named = ("northshire_police", ["assessment"])
    for day, withdrawn in (("2026-11-25", True), ("2026-11-26", False)):
        view = consent(named, decision="withdrawn", withdrawn_at=day,
                       withdrawn_scope=["dip_cc_consideration", "continuity_of_care"])
        assert view.withdrawn is withdrawn
        assert view.allows("northshire_police", "assessment") is not withdrawn
    partial = consent(named, withdrawn_at="2026-11-01", withdrawn_scope=["continuity_of_care"])
    assert partial.allows("northshire_police", "assessment", purpose="dip_cc_consideration")
    assert not partial.allows("northshire_police", "assessment", purpose="continuity_of_care")
    assert not partial.allows("northshire_police", "assessment")    # no purpose: stop


# -- visible_data -------------------------------------------------------------------------------

def test_without_consent_the_police_see_the_test_result_and_compliance_only():
    assert visible_data("dir_required_assessment", RA, "police", "northshire_police",
                        NO_CONSENT, PROTOCOL) == {"test_result": "positive_opiates",
                                                  "test_at": "2026-11-20T10:00"}
    seen = visible_data("compliance_report", REPORT, "police", "northshire_police", NO_CONSENT,
                        PROTOCOL)
    assert seen == {"case_ref": "MG14-0A1B2C3D4E", "outcome": "not_complied", "warnings": [],
                    "sessions": []}
    assert visible_data("dip_session2", SESSION2, "cps", "northshire_cps", NO_CONSENT,
                        PROTOCOL) is None


def test_the_police_read_the_mg14_whole_and_other_roles_only_their_scopes():
    mg14 = {"surname": "Jones", "drug_test_result": "negative", "previous_convictions": "z"}
    assert visible_data("mg14", mg14, "police", "northshire_police", NO_CONSENT,
                        PROTOCOL) == mg14
    # finding 6: the CJIT read another agency's assessment whole; sharing: now governs it
    # (its own agency's records are whole: caseview.visible_answers)
    assert visible_data("dir_required_assessment", RA, "cjit", "northshire_cjit", NO_CONSENT,
                        PROTOCOL) is None
    assert visible_data("dir_required_assessment", RA, "dat_admin", "northshire_dat",
                        NO_CONSENT, PROTOCOL) is None       # no sharing: entry, nothing


def test_consent_widens_the_read_for_the_named_agency_and_a_withdrawal_narrows_it_at_once():
    given = consent(("northshire_police", ["assessment", "appointments_kept_failed"]))
    seen = visible_data("dir_required_assessment", RA, "police", "northshire_police", given,
                        PROTOCOL)
    assert seen == {key: RA[key] for key in ("test_result", "test_at", "ia_findings",
                                             "ia_attendance")}
    assert visible_data("dip_session2", SESSION2, "police", "northshire_police", given,
                        PROTOCOL) == {"session_at": "2026-11-21T10:00", "attendance": "attended"}
    assert visible_data("dip_session2", SESSION2, "cps", "northshire_cps", given,
                        PROTOCOL) is None
    withdrawn = consent(("northshire_police", ["assessment", "appointments_kept_failed"]),
                        decision="withdrawn", withdrawn_at="2026-11-25")
    assert visible_data("dir_required_assessment", RA, "police", "northshire_police", withdrawn,
                        PROTOCOL) == {"test_result": "positive_opiates",
                                      "test_at": "2026-11-20T10:00"}
    assert visible_data("dip_session2", SESSION2, "police", "northshire_police", withdrawn,
                        PROTOCOL) is None


# -- check_disclosure ---------------------------------------------------------------------------

def disclosure(**changes) -> dict:
    return {"recipient": "northshire_probation", "items": ["risk_assessment"],
            "ground": "risk_of_harm", "reason": "Threats made to a named adult", **changes}


def codes(errors: list[dict]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in errors]


def test_risk_of_harm_allows_its_scope_regardless_of_consent_and_nothing_beyond():
    assert check_disclosure(disclosure(), NO_CONSENT, PROTOCOL, custody=False) == []
    errors = check_disclosure(disclosure(items=["risk_assessment", "assessment"]), NO_CONSENT,
                              PROTOCOL, custody=False)
    assert codes(errors) == [("/items/1", "beyond_scope")]
    assert errors[0]["message"].startswith("IS-01 allows only psr, oasys_sections")
    assert "probation-cjit-carats-guidance-pc36-2007.txt §2.3.3" in errors[0]["message"]


def test_custody_needs_drug_use_linked_to_offending_not_drug_use_alone():
    request = disclosure(ground="custody_crime_prevention", items=["interventions"])
    assert codes(check_disclosure(request, NO_CONSENT, PROTOCOL, custody=True)) == [
        ("/drug_use_linked_to_offending", "ground_not_met")]
    unlinked = {**request, "drug_use_linked_to_offending": False}
    [error] = check_disclosure(unlinked, NO_CONSENT, PROTOCOL, custody=True)
    assert "Drug use alone is not enough" in error["message"] and "IS-02" in error["message"]
    assert "§2.4.1" in error["message"]
    linked = {**request, "drug_use_linked_to_offending": True}
    assert check_disclosure(linked, NO_CONSENT, PROTOCOL, custody=True) == []
    assert codes(check_disclosure(linked, NO_CONSENT, PROTOCOL, custody=False)) == [
        ("/ground", "not_in_custody")]
    assert codes(check_disclosure({**linked, "items": ["interventions", "test_result"]},
                                  NO_CONSENT, PROTOCOL, custody=True)) == [
        ("/items/1", "beyond_scope")]


@pytest.mark.parametrize("changes,expected", [
    ({"reason": ""}, [("/reason", "required")]),
    ({"reason": "   "}, [("/reason", "required")]),
    ({"recipient": "the press"}, [("/recipient", "unknown_agency")]),
    ({"recipient": None}, [("/recipient", "required")]),
    ({"items": []}, [("/items", "required")]),
    ({"ground": None}, [("/ground", "required")]),
    ({"ground": "drug_use"}, [("/ground", "unknown_ground")]),
])
def test_a_disclosure_needs_a_reason_a_protocol_agency_items_and_a_known_ground(changes,
                                                                              expected):
    errors = check_disclosure(disclosure(**changes), NO_CONSENT, PROTOCOL, custody=False)
    assert codes(errors) == expected
    assert all(set(e) == {"field", "code", "message"} and e["message"] for e in errors)


def test_on_the_ground_of_consent_only_the_items_agreed_for_that_agency():
    given = consent(("northshire_police", ["assessment"]))
    request = disclosure(recipient="northshire_police", ground="consent", items=["assessment"])
    assert check_disclosure(request, given, PROTOCOL, custody=False) == []
    more = {**request, "items": ["assessment", "previous_convictions"]}
    [error] = check_disclosure(more, given, PROTOCOL, custody=False)
    assert (error["field"], error["code"]) == ("/items/1", "not_consented")
    assert "did not agree" in error["message"]
    other = {**request, "recipient": "northshire_cps"}
    [error] = check_disclosure(other, given, PROTOCOL, custody=False)
    assert "does not name this agency" in error["message"]
    withdrawn = consent(("northshire_police", ["assessment"]), decision="withdrawn",
                        withdrawn_at="2026-11-20")
    [error] = check_disclosure(request, withdrawn, PROTOCOL, custody=False)
    assert "withdrawn on 2026-11-20" in error["message"]
    assert codes(check_disclosure(request, NO_CONSENT, PROTOCOL, custody=False)) == [
        ("/items/0", "not_consented")]
