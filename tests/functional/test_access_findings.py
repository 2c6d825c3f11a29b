"""Issue 15's access findings, reproduced against the real protocol (each failed before):
1 an agency limits nothing; 2 the DAT reads answers by id; 4 an amendment's reason reaches
readers whose scope cut the answers; 7 the case view shows facts to roles reading none of
its forms; 8 forbidden and unknown ids answer differently."""

from __future__ import annotations

import copy
import json

from tests.examples import load_examples

MG14 = copy.deepcopy(next(e.data for e in load_examples("mg14") if e.name == "valid/minimal"))
RA = copy.deepcopy(next(e.data for e in load_examples("dir_required_assessment")
                        if e.name == "valid/full"))


def opened(api) -> str:
    response = api.submit("mg14", MG14, role="police")
    assert response.status_code == 201
    return json.loads(response.body)["case"]


def as_user(api, role: str, agency: str) -> dict[str, str]:
    """Headers for a user of `role` at `agency` (any pair, as a forged claim could say)."""
    return {"Authorization": f"Bearer {api.token(role, agency=agency)}",
            "Content-Type": "application/json"}


def test_finding_1_a_police_role_at_the_prison_healthcare_team_reads_and_moves_nothing(api):
    case = opened(api)
    intruder = as_user(api, "police", "hmp_northshire_healthcare")
    assert api.client.http.get(f"/v1/records/{case}", headers=intruder).status_code == 404
    moved = api.client.http.post(f"/v1/cases/{case}/transitions", headers=intruder,
                                 body=json.dumps({"transition": "arrange_ra"}))
    assert moved.status_code == 403
    cjit_at_treatment = as_user(api, "cjit", "northshire_treatment")
    listed = api.client.http.get("/v1/records?form=consent_to_share_information",
                                 headers=cjit_at_treatment)
    assert listed.status_code == 403
    denied = [a for a in api.runtime.context.store.list_audit(case) if a.action == "read_denied"]
    assert [a.agency for a in denied] == ["hmp_northshire_healthcare"]


def test_finding_2_the_dat_administrator_gets_the_reference_never_the_answers(api):
    case = opened(api)
    body = json.loads(api.get(f"/v1/records/{case}", role="dat_admin").body)
    assert set(body["record"]) == {"id", "version", "form", "form_version", "created_at",
                                   "created_by", "agency"}
    assert "Example" not in json.dumps(body)        # the MG14's surname


def test_finding_4_an_amendment_reason_is_shown_only_with_the_answers_it_explains(api):
    case = opened(api)
    api.client.http.post(f"/v1/cases/{case}/transitions", headers=api.headers("police"),
                         body=json.dumps({"transition": "arrange_ra"}))
    made = api.submit("dir_required_assessment",
                      {**RA, "prompt": "conditional_caution", "cc_case_ref": case}, role="cjit")
    record_id = json.loads(made.body)["record"]["id"]
    amended = api.put(f"/v1/records/{record_id}", {"reason": "client disclosed hepatitis C",
                                                   "base_version": 1,
                                                   "data": {**RA, "prompt":
                                                            "conditional_caution",
                                                            "cc_case_ref": case}}, role="cjit")
    assert amended.status_code == 200, amended.body
    own = api.get(f"/v1/records/{record_id}", role="cjit").body.decode()
    assert "hepatitis" in own                       # the CJIT sees its record whole
    for role in ("police", "cps"):                  # parties, cut to the test result
        seen = api.get(f"/v1/records/{record_id}", role=role)
        assert "hepatitis" not in seen.body.decode(), role
        case_view = api.get(f"/v1/cases/{case}", role=role).body.decode()
        assert "hepatitis" not in case_view, role
        versions = json.loads(seen.body)["versions"]
        assert [("reason" in v) for v in versions] == [False, False], role
    listed = api.get("/v1/records?form=dir_required_assessment", role="cjit")
    assert "hepatitis" in listed.body.decode()      # its own agency's list keeps its reason
    assert api.get("/v1/records?form=dir_required_assessment", role="police").status_code == 403


def test_finding_7_a_role_reading_none_of_the_case_forms_and_no_party_gets_nothing(api):
    case = opened(api)
    api.client.http.post(f"/v1/cases/{case}/facts", headers=api.headers("carat"),
                         body=json.dumps({"fact": "release_date", "value": "2026-12-04"}))
    response = api.get(f"/v1/cases/{case}", role="carat")
    assert response.status_code == 404
    assert "release_date" not in response.body.decode()


def test_finding_8_a_forbidden_id_answers_as_an_unknown_one(api):
    case = opened(api)
    forbidden = api.get(f"/v1/records/{case}", role="carat")
    unknown = api.get("/v1/records/MG14-9999999999", role="carat")
    assert (forbidden.status_code, forbidden.body) == (unknown.status_code, unknown.body)
    assert forbidden.status_code == 404
    assert (api.get(f"/v1/cases/{case}", role="carat").body
            == api.get("/v1/cases/MG14-9999999999", role="carat").body)
