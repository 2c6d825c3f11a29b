"""Whole DIP cases walked through the API, on SQLite and on DynamoDB (moto): an MG14 opens
the case where it says, linked forms and later MG14 versions move it, steps a form makes
are refused as buttons, consent narrows what the police read, and notifications go where
the local protocol says, once."""

from __future__ import annotations

import copy
import datetime
import json
from collections import Counter

import pytest

from tests.examples import load_examples


def example(form: str, name: str) -> dict:
    return copy.deepcopy(next(e.data for e in load_examples(form) if e.name == name))


MG14 = example("mg14", "valid/minimal")               # one session, contact by 2026-12-04
MG14_THREE = example("mg14", "valid/full")            # three sessions with follow-up
RA_ATTENDED = example("dir_required_assessment", "valid/full")   # consent given
RA_FAILED = example("dir_required_assessment", "valid/minimal")
SESSION1 = example("dip_session1_triage", "valid/one_session")
SESSION1_THREE = example("dip_session1_triage", "valid/full")
SESSION2_MISSED = example("dip_session2", "valid/minimal")
COMPLIED = example("compliance_report", "valid/minimal")
NOT_COMPLIED = example("compliance_report", "valid/full")
CONSENT = example("consent_to_share_information", "valid/full")


class Case:
    """One case, driven through the API as each agency would."""

    def __init__(self, api, mg14: dict = MG14) -> None:
        self.api = api
        response = api.submit("mg14", mg14, role="police")
        assert response.status_code == 201, response.body
        self.ref = json.loads(response.body)["case"]

    def attach(self, form: str, data: dict, role: str = "cjit", field: str = "case_ref"):
        return self.api.submit(form, {**data, field: self.ref}, role=role)

    def step(self, transition: str, role: str):
        return self.api.client.http.post(
            f"/v1/cases/{self.ref}/transitions", headers=self.api.headers(role),
            body=json.dumps({"transition": transition}))

    def post(self, what: str, body: dict, role: str):
        return self.api.client.http.post(f"/v1/cases/{self.ref}/{what}",
                                         headers=self.api.headers(role), body=json.dumps(body))

    def hand_over(self, agency: str, role: str = "cjit"):
        """Make `agency` a party (a CARAT or a probation area the CJIT hands the case to)."""
        response = self.post("handovers", {"agency": agency, "reason": "In custody"}, role)
        assert response.status_code == 200, response.body

    def view(self, role: str = "police") -> dict:
        response = self.api.get(f"/v1/cases/{self.ref}", role=role)
        assert response.status_code == 200, response.body
        return json.loads(response.body)

    def state(self) -> str:
        return self.view("police")["case"]["state"]

    def events(self, event: str) -> Counter:
        """How many outbox events of `event` each agency got for this case."""
        return Counter(e.recipient.get("agency") for e in
                       self.api.runtime.context.store.list_events(limit=1000)
                       if e.record_id == self.ref and e.event == event)

    def amend_mg14(self, mg14: dict, **answers):
        """A later version of the MG14 (section L, the outcome), as the police make it."""
        base = json.loads(self.api.get(f"/v1/records/{self.ref}", role="police").body)
        return self.api.put(f"/v1/records/{self.ref}", {
            "data": {**mg14, **answers}, "reason": "The outcome is known",
            "base_version": base["record"]["version"]}, role="police")


def with_assessment(case: Case, assessment: dict = RA_ATTENDED) -> None:
    """The CJIT's required assessment on the case (the MG14 opened it past that step)."""
    response = case.attach("dir_required_assessment", {**assessment, "prompt":
                           "conditional_caution"}, field="cc_case_ref")
    assert response.status_code == 201, response.body


def to_programme(case: Case, session1: dict = SESSION1) -> None:
    assert case.state() == "administered"          # the MG14 of a caution given says so
    response = case.attach("dip_session1_triage", session1)
    assert response.status_code == 201, response.body


def test_a_one_session_caution_complied_with_tells_the_police_exactly_once(api):
    case = Case(api)
    assert case.state() == "administered"
    to_programme(case)
    assert case.state() == "in_programme"
    assert case.attach("compliance_report", COMPLIED).status_code == 201
    assert case.state() == "complied_reported"
    assert case.events("N12") == Counter({"northshire_police": 1})
    told = case.amend_mg14(MG14, police_outcome="complied_case_closed",
                           offender_informed_at="2026-11-25")
    assert told.status_code == 200, told.body
    view = case.view("police")
    assert (view["case"]["state"], view["case"]["closed"]) == ("closed_complied", True)
    moves = [(e["from"], e["to"]) for e in view["timeline"] if e["kind"] == "transition"]
    assert moves == [("considered", "with_cps"), ("with_cps", "offered"),
                     ("offered", "administered"), ("administered", "in_programme"),
                     ("in_programme", "complied_reported"),
                     ("complied_reported", "closed_complied")]
    assert view["case"]["next_steps"] == []


def test_a_three_session_caution_failed_at_session_two_tells_police_and_cps(api):
    case = Case(api, MG14_THREE)
    to_programme(case, SESSION1_THREE)
    assert case.attach("dip_session2", SESSION2_MISSED).status_code == 201
    assert case.state() == "in_programme"        # a missed session is reported, not a step
    assert case.attach("compliance_report", NOT_COMPLIED).status_code == 201
    assert case.events("N11") == Counter({"northshire_police": 1, "northshire_cps": 1})
    assert case.events("N12") == Counter()
    assert case.state() == "non_compliance_reported"
    assert case.amend_mg14(MG14_THREE, police_outcome="failure_response").status_code == 200
    assert case.view("cps")["case"]["state_label"] == "Police responding to failure"


def test_consent_refused_stops_the_caution_naming_dip_01(api):
    """The MG14's own DIP-01 refuses a caution without consent: no case opens. The step
    the CJIT once clicked (feedback with consent) is the MG14's to make now."""
    refused = {**MG14_THREE, "consent_police_cps": "refused"}
    refused.pop("consent_ref", None)
    response = api.submit("mg14", refused, role="police")
    assert response.status_code == 422
    assert "DIP-01" in {e["code"] for e in json.loads(response.body)["errors"]}
    assert api.runtime.context.store.list_records("mg14", 10).items == []
    case = Case(api, MG14_THREE)
    step = case.step("feedback_with_consent", "cjit")
    assert step.status_code == 422
    body = json.loads(step.body)
    assert (body["error"], body["errors"][0]["code"], body["errors"][0]["form"]) == (
        "step_needs_form", "step_needs_form", "mg14")


def test_the_wrong_state_or_a_form_step_is_refused_and_changes_nothing(api):
    case = Case(api)
    before = case.view("police")
    form_step = case.step("arrange_ra", "police")
    assert form_step.status_code == 422
    assert json.loads(form_step.body)["errors"][0]["code"] == "step_needs_form"
    wrong_state = case.step("cps_refuses", "cps")
    assert wrong_state.status_code == 409
    item = json.loads(wrong_state.body)["errors"][0]
    assert item["code"] == "wrong_state"
    assert {s["transition"] for s in item["allowed"]} == {"first_contact"}
    assert "first_contact" in item["message"]
    unknown = case.step("teleport", "police")
    assert unknown.status_code == 400
    assert case.view("police") == before
    assert any(a.action == "transition_denied" for a in
               api.runtime.context.store.list_audit(case.ref))


def test_a_record_or_consent_for_an_unknown_case_is_refused_and_not_kept(api):
    for form, data, field in (("compliance_report", COMPLIED, "case_ref"),
                              ("consent_to_share_information", CONSENT, "case_ref")):
        response = api.submit(form, {**data, field: "MG14-NOSUCHCASE"}, role="cjit")
        assert response.status_code == 422, response.body
        error = json.loads(response.body)["errors"][0]
        assert (error["field"], error["code"]) == (f"/{field}", "unknown_case")
        assert api.runtime.context.store.list_records(form, 10).items == []


def test_consent_withdrawn_mid_case_narrows_the_police_read_at_once(api):
    case = Case(api)
    with_assessment(case)
    police = northshire_police_consent()
    response = case.attach("consent_to_share_information", police)
    assert response.status_code == 201, response.body
    consent_id = json.loads(response.body)["record"]["id"]
    wide = records_seen(case.view("police"), "dir_required_assessment")
    withdrawn = {**example("consent_to_share_information", "valid/withdrawn"),
                 "case_ref": case.ref}
    amended = api.put(f"/v1/records/{consent_id}", {"data": withdrawn, "reason":
                      "Client withdrew consent", "base_version": 1}, role="cjit")
    assert amended.status_code == 200, amended.body
    narrow = records_seen(case.view("police"), "dir_required_assessment")
    assert set(narrow) < set(wide)
    assert "test_result" in narrow or "test_at" in narrow   # the positive test stays
    assert case.events("N26")


def northshire_police_consent() -> dict:
    """The example consent, naming the police and agreeing assessments may be shared."""
    data = copy.deepcopy(CONSENT)
    data["decision"] = "given"
    data["named_agencies"][0]["agency"] = "northshire_police"
    data.pop("withdrawn_at", None)
    data.pop("withdrawn_scope", None)
    return data


def records_seen(view: dict, form: str) -> set[str]:
    return {key for record in view["records"] if record["form"] == form
            for key in record["data"]}


def test_overlapping_appointments_of_two_agencies_tell_both_owners(api):
    case = Case(api)
    first = case.post("appointments", {"starts_at": "2026-12-07T10:00",
                                       "ends_at": "2026-12-07T11:00"}, "cjit")
    assert first.status_code == 200, first.body
    apart = case.post("appointments", {"starts_at": "2026-12-07T11:00",
                                       "ends_at": "2026-12-07T12:00"}, "probation")
    assert apart.status_code == 200
    assert case.events("N27") == Counter()
    clash = case.post("appointments", {"starts_at": "2026-12-07T10:30",
                                       "ends_at": "2026-12-07T11:30"}, "probation")
    assert clash.status_code == 200
    assert case.events("N27") == Counter({"northshire_cjit": 1, "northshire_probation": 1})
    backwards = case.post("appointments", {"starts_at": "2026-12-07T10:30",
                                           "ends_at": "2026-12-07T10:00"}, "cjit")
    assert backwards.status_code == 422


@pytest.mark.parametrize(("day", "flagged"), [("2026-12-04", True), ("2026-12-03", False)])
def test_a_planned_release_tells_the_cjit_flagging_a_friday(api, day, flagged):
    case = Case(api)
    case.hand_over("hmp_northshire_carats")         # the CARAT is a party once handed it
    response = case.post("facts", {"fact": "release_date", "value": day}, "carat")
    assert response.status_code == 200, response.body
    sent = [e for e in api.runtime.context.store.list_events(limit=100)
            if e.record_id == case.ref and e.event == "N21"]
    assert [e.recipient["agency"] for e in sent] == ["northshire_cjit"]
    assert (sent[0].payload.get("flag") == "friday") is flagged
    assert case.post("facts", {"fact": "release_date", "value": day}, "police"
                     ).status_code == 403
    assert case.post("facts", {"fact": "release_date", "value": "soon"}, "carat"
                     ).status_code == 422


def test_a_disclosure_without_consent_needs_a_ground_and_is_logged(api):
    case = Case(api)
    case.hand_over("hmp_northshire_carats")
    alone = case.post("disclosures", {"recipient": "northshire_police",
                                      "ground": "custody_crime_prevention",
                                      "items": ["interventions"], "custody": True,
                                      "drug_use_linked_to_offending": False,
                                      "reason": "Drug use"}, "carat")
    assert alone.status_code == 422, alone.body
    linked = case.post("disclosures", {"recipient": "northshire_police",
                                       "ground": "custody_crime_prevention",
                                       "items": ["interventions"], "custody": True,
                                       "drug_use_linked_to_offending": True,
                                       "reason": "Offending linked to heroin use"}, "carat")
    assert linked.status_code == 200, linked.body
    logged = [a for a in api.runtime.context.store.list_audit(case.ref)
              if a.action == "disclosure"]
    assert len(logged) == 1 and "IS-02" in logged[0].reason
    assert "northshire_police" in logged[0].reason
    assert case.events("N25")
    assert "heroin" not in logged[0].reason      # the why is a note on the case, not audit
    assert logged[0].reason_ref.startswith(f"{case.ref}:disclosure@")
    timeline = case.view("police")["timeline"]
    assert [e["rule"] for e in timeline if e["kind"] == "disclosure"] == ["IS-02"]
    for reader in ("police", "carat"):            # the recipient and the agency that shared
        shared = [e for e in case.view(reader)["timeline"] if e["kind"] == "disclosure"]
        assert shared[0]["reason"] == "Offending linked to heroin use", reader
    told = [e for e in case.view("dat_admin")["timeline"] if e["kind"] == "disclosure"]
    assert told and "reason" not in told[0]
    beyond = case.post("disclosures", {"recipient": "northshire_police",
                                       "ground": "custody_crime_prevention",
                                       "items": ["previous_convictions"], "custody": True,
                                       "drug_use_linked_to_offending": True,
                                       "reason": "Asked for the record"}, "carat")
    assert json.loads(beyond.body)["errors"][0]["code"] == "beyond_scope"


def test_the_dat_sees_the_case_shape_but_no_answers(api):
    case = Case(api)
    view = case.view("dat_admin")
    assert view["case"]["state"] == "administered"
    assert view["records"] == []


def test_a_sweep_run_twice_fires_each_deadline_once(api):
    from chalicelib.sweep import run_sweep

    case = Case(api)
    ctx = api.runtime.context
    day_before = datetime.datetime(2026, 12, 4, 12, tzinfo=datetime.UTC)   # contact by 4 Dec
    assert run_sweep(ctx, day_before).fired == 0
    after = datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC)
    first = run_sweep(ctx, after)
    assert first.fired >= 1
    assert run_sweep(ctx, after).fired == 0
    reminders = [e for e in case.view("dat_admin")["timeline"] if e["kind"] == "reminder"]
    assert [e["ref"] for e in reminders].count("contact_by_passed") == 1
    assert sum(case.events("N10").values()) >= 1


# -- the area's YAML decides: a route, a period -------------------------------------------

def edited_api(tmp_path, edit):
    """The API on SQLite, built from a copy of forms/ changed by `edit(protocol_text)`."""
    import shutil

    import app as api_app
    from chalice.test import Client
    from chalicelib.runtime import set_runtime
    from chalicelib.store.sqlite import SQLiteStore

    from tests.api_harness import ROOT, Api, make_runtime, write_generated

    root = tmp_path / "area"
    shutil.copytree(ROOT / "forms", root / "forms")
    protocol = root / "forms" / "protocol.yaml"
    protocol.write_text(edit(protocol.read_text()))
    generated = write_generated(tmp_path / "generated", root)
    runtime, secret = make_runtime(tmp_path, generated, SQLiteStore(tmp_path / "db.sqlite"))
    set_runtime(runtime)
    return Api(Client(api_app.app), runtime, secret)


def complied_case(api) -> Case:
    case = Case(api)
    to_programme(case)
    assert case.attach("compliance_report", COMPLIED).status_code == 201
    return case


def test_routing_compliance_to_the_cps_as_well_is_a_yaml_change(tmp_path):
    from chalicelib.runtime import set_runtime

    def also_cps(text: str) -> str:
        n12 = text.index("  - event: N12")
        route = text[n12:text.index("  - event:", n12 + 5)]
        assert "to: northshire_police" in route
        return text[:n12] + route + route.replace("northshire_police", "northshire_cps") + \
            text[n12 + len(route):]

    try:
        case = complied_case(edited_api(tmp_path, also_cps))
        assert case.events("N12") == Counter({"northshire_police": 1, "northshire_cps": 1})
    finally:
        set_runtime(None)


@pytest.mark.parametrize(("working_days", "due"), [(1, "2026-12-29"), (3, "2026-12-31")])
def test_the_compliance_report_reminder_counts_working_days_over_christmas(
        tmp_path, working_days, due):
    """Comply by Thursday 24 December 2026: 25 Dec, the weekend and the substitute Boxing
    Day (Monday 28th) are not working days. The period is a setting in protocol.yaml."""
    from chalicelib.runtime import set_runtime
    from chalicelib.sweep import run_sweep

    def period(text: str) -> str:
        at = text.index("  compliance_report_working_days:")
        value = text.index("value: 1", at)
        return text[:value] + f"value: {working_days}" + text[value + len("value: 1"):]

    try:
        api = edited_api(tmp_path, period)
        case = Case(api, {**MG14, "comply_by_date": "2026-12-24"})
        to_programme(case)
        ctx = api.runtime.context
        deadline = next(d for d in ctx.store.case_deadlines(case.ref)
                        if d.reason == "compliance_report_due")
        assert deadline.due_on == due
        day_before = datetime.date.fromisoformat(due) - datetime.timedelta(days=1)
        run_sweep(ctx, datetime.datetime.combine(day_before, datetime.time(12),
                                                 datetime.UTC))
        assert not fired(ctx, case.ref, "compliance_report_due")
        run_sweep(ctx, datetime.datetime.combine(datetime.date.fromisoformat(due),
                                                 datetime.time(12), datetime.UTC))
        assert fired(ctx, case.ref, "compliance_report_due")
    finally:
        set_runtime(None)


def fired(ctx, case_ref: str, reason: str) -> bool:
    return any(d.reason == reason and d.status == "fired"
               for d in ctx.store.case_deadlines(case_ref))


def test_the_sentence_plan_deadline_skips_easter(api):
    """A sentence plan due 15 working days after Thursday 18 March 2027 skips Good Friday
    (26 March) and Easter Monday (29 March): 12 April, not 8 April."""
    case = Case(api)
    response = case.post("facts", {"fact": "supervision_start", "value": "2027-03-18"},
                         "probation")
    assert response.status_code == 200, response.body
    deadline = next(d for d in api.runtime.context.store.case_deadlines(case.ref)
                    if d.reason == "sentence_plan_due")
    assert deadline.due_on == "2027-04-12"
    case.post("facts", {"fact": "ppo_or_high_rosh", "value": True}, "probation")
    deadline = next(d for d in api.runtime.context.store.case_deadlines(case.ref)
                    if d.reason == "sentence_plan_due")
    assert deadline.due_on == "2027-03-25"


def test_a_record_read_on_its_own_is_cut_to_the_police_scope_too(api):
    case = Case(api)
    to_programme(case)
    response = case.attach("compliance_report", COMPLIED)
    report_id = json.loads(response.body)["record"]["id"]
    as_cjit = json.loads(api.get(f"/v1/records/{report_id}", role="cjit").body)
    as_police = json.loads(api.get(f"/v1/records/{report_id}", role="police").body)
    assert "reporting_worker" in as_cjit["record"]["data"]
    assert "reporting_worker" not in as_police["record"]["data"]
    assert as_police["record"]["data"]["outcome"] == "complied"
    own = json.loads(api.get(f"/v1/records/{case.ref}", role="police").body)
    assert own["record"]["data"] == MG14


def test_a_cjit_worker_never_passes_on_a_psr_even_with_consent(api):
    """IS-04 (PC36/2007 fn 5-6), from never_disclosed: in the protocol."""
    case = Case(api)
    response = case.post("disclosures", {"recipient": "northshire_police",
                                         "ground": "risk_of_harm", "items": ["psr"],
                                         "reason": "Asked for it"}, "cjit")
    assert response.status_code == 422
    codes = {(e["code"], e["field"]) for e in json.loads(response.body)["errors"]}
    assert ("never_disclosed", "/items/0") in codes
    assert "IS-04" in response.body.decode()
    probation = case.post("disclosures", {"recipient": "northshire_police",
                                          "ground": "risk_of_harm", "items": ["psr"],
                                          "reason": "Risk to a child"}, "probation")
    assert probation.status_code == 200, probation.body


def test_supervision_reminders_reach_the_offender_manager_on_their_day(api):
    """SUP-01 (sentence plan due) and SUP-05 (two months before supervision ends, N28)."""
    from chalicelib.sweep import run_sweep

    case = Case(api)
    for fact, value in (("supervision_start", "2027-03-18"), ("supervision_end", "2027-06-30")):
        assert case.post("facts", {"fact": fact, "value": value}, "probation").status_code == 200
    due = {d.reason: d.due_on for d in api.runtime.context.store.case_deadlines(case.ref)}
    assert (due["sentence_plan_due"], due["supervision_ending"]) == ("2027-04-12", "2027-04-30")
    ctx = api.runtime.context
    run_sweep(ctx, datetime.datetime(2027, 4, 12, 12, tzinfo=datetime.UTC))
    assert case.events("N10")["northshire_probation"] == 1
    assert case.events("N28") == Counter()
    run_sweep(ctx, datetime.datetime(2027, 4, 30, 12, tzinfo=datetime.UTC))
    assert case.events("N28") == Counter({"northshire_probation": 1})
