"""Case commands planned on a snapshot (api/chalicelib/domain/caseplan.py): plain values in, a plan
or a refusal out, with no store anywhere, as cases.py loads, plans, then commits."""

from __future__ import annotations

import datetime
import itertools
import json

import pytest
from chalicelib.contract.protocol import Protocol
from chalicelib.domain import caseplan
from chalicelib.domain.access import Principal
from chalicelib.domain.caseflow import Process, open_case
from chalicelib.domain.caseplan import Denied, Plan, Planning, Snapshot
from chalicelib.domain.results import Refused
from chalicelib.store.base import CaseEntry, RecordVersion

from tests.api_harness import ROOT

TODAY = datetime.date(2026, 11, 26)
AT = "2026-11-26T10:00:00.000000Z"
POLICE = Principal("pc_jones", "police", "northshire_police")
CJIT = Principal("cjit_worker", "cjit", "northshire_cjit")


@pytest.fixture(scope="module")
def planning() -> Planning:
    from generator.build import build_project
    from generator.edges.files import read_committed_schemas, read_forms_dir

    result = build_project(read_forms_dir(ROOT), read_committed_schemas(ROOT))
    assert result.ok
    protocol = Protocol.from_json(json.loads(result.generated["protocol.json"]))
    ids = itertools.count(1)
    return Planning(Process(json.loads(result.generated["process.json"])), protocol,
                    "http://127.0.0.1:8000",
                    lambda: f"EV-{next(ids)}")


def snapshot(planning: Planning, **kwargs) -> Snapshot:
    case = open_case(planning.process, "MG14-0000000001", {}, AT, TODAY)
    return Snapshot(case, [], **kwargs)


def test_a_step_is_planned_as_the_case_one_version_on_and_its_audit_entry(planning):
    plan = caseplan.transition(planning, POLICE, snapshot(planning),
                               {"transition": "not_a_drug_misuser",
                                "reason": "No sign of drug misuse"}, AT, TODAY, "req-1")
    assert isinstance(plan, Plan)
    assert (plan.change.case.state, plan.change.case.version) == ("exit", 2)
    assert [e.kind for e in plan.change.entries][0] == "transition"
    assert plan.change.entries[0].detail["reason"] == "No sign of drug misuse"
    assert (plan.audit.action, plan.audit.reason, plan.audit.request_id) == (
        "transition", "not_a_drug_misuser", "req-1")       # the words stay on the case


def test_a_step_the_role_may_not_take_is_denied_and_audited(planning):
    denied = caseplan.transition(planning, CJIT, snapshot(planning),
                                 {"transition": "not_a_drug_misuser", "reason": "r"}, AT,
                                 TODAY, None)
    assert isinstance(denied, Denied)
    assert (denied.refused.code, denied.refused.errors[0]["code"]) == ("forbidden",
                                                                        "wrong_role")
    assert denied.audit.action == "transition_denied"


def test_a_stale_base_version_or_no_step_is_refused_without_an_audit_entry(planning):
    case = snapshot(planning)
    assert caseplan.transition(planning, POLICE, case, {"transition": "not_a_drug_misuser",
                                                        "base_version": 7}, AT, TODAY,
                               None) == Refused("version_conflict")
    missing = caseplan.transition(planning, POLICE, case, {}, AT, TODAY, None)
    assert (missing.code, missing.errors[0]["code"]) == ("bad_request", "required")


def test_a_form_step_is_refused_naming_its_form_and_an_ending_one_needs_a_reason(planning):
    form_step = caseplan.transition(planning, POLICE, snapshot(planning),
                                    {"transition": "arrange_ra"}, AT, TODAY, None)
    assert isinstance(form_step, Denied)
    assert (form_step.refused.code, form_step.refused.errors[0]["form"]) == (
        "step_needs_form", "mg14")
    no_reason = caseplan.transition(planning, POLICE, snapshot(planning),
                                    {"transition": "not_a_drug_misuser", "reason": ""}, AT,
                                    TODAY, None)
    assert (no_reason.code, no_reason.errors[0]["field"]) == ("invalid", "/reason")


def mg14(record_id: str = "MG14-0000000001", version: int = 1, **data) -> RecordVersion:
    """An MG14's answers as far as the steps read them: no assessment, a caution given."""
    answers = {"assessment_type": "none", "cps_sufficient_evidence": True,
               "cps_cc_to_be_given": True, "offender_decision": "accepted",
               "administered_at": "2026-11-24T14:10", **data}
    return RecordVersion(record_id, version, "mg14", "1.0.0", answers, AT, "pc_jones",
                         "northshire_police")


def test_an_mg14_opens_the_case_where_it_says_and_tells_only_of_the_submitters_steps(
        planning):
    change, events = caseplan.opening(planning, POLICE, mg14(), AT, TODAY)
    assert (change.case.state, change.case.version) == ("administered", 1)
    moves = [(e.detail["from"], e.detail["to"]) for e in change.entries
             if e.kind == "transition"]
    assert moves == [("considered", "with_cps"), ("with_cps", "offered"),
                     ("offered", "administered")]
    # the CPS's decision (N04) is recounted, not told again; the referral (N05) goes out
    assert sorted(e.event for e in events) == ["N05"]
    assert change.entries[0].kind == "opened"


def test_an_appointment_clashes_only_with_another_agencys_in_the_snapshot(planning):
    booked = CaseEntry("MG14-0000000001", AT, "appointment", "x", "om_smith",
                       "northshire_probation", {"starts_at": "2026-12-04T10:00",
                                                "ends_at": "2026-12-04T11:00"})
    slot = {"starts_at": "2026-12-04T10:30", "ends_at": "2026-12-04T11:30"}
    clash = caseplan.appointment(planning, CJIT, snapshot(planning, entries=[booked]), slot,
                                 AT, None)
    assert clash.change.entries[0].detail["clashes_with"] == ["northshire_probation"]
    alone = caseplan.appointment(planning, CJIT, snapshot(planning), slot, AT, None)
    assert alone.change.entries[0].detail["clashes_with"] == [] and alone.events == []
    wrong = caseplan.appointment(planning, CJIT, snapshot(planning),
                                 {"starts_at": slot["ends_at"], "ends_at": slot["starts_at"]},
                                 AT, None)
    assert [e["code"] for e in wrong.errors] == ["order"]
