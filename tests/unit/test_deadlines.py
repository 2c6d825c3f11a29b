"""The deadlines a case wants (api/chalicelib/domain/deadlines.py), worked out from the real
definitions: forms/process.yaml parsed and compiled by generator/process/deadlines.py, with
the settings of forms/protocol.yaml. Across Christmas 2026 and Easter 2027, the 15 and 5
working days of a sentence plan, a setting changed, and states that want nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from chalicelib.domain.deadlines import due_on, wanted_deadlines
from chalicelib.domain.workdays import is_working_day, working_days_before
from chalicelib.store.base import CaseState, Deadline

from generator.edges.files import read_forms_dir
from generator.process.deadlines import deadlines_json
from generator.project import parse_project

ROOT = Path(__file__).resolve().parents[2]
REF = "MG14-0A1B2C3D4E"


@pytest.fixture(scope="module")
def real():
    """(definitions by id, settings) compiled from the files in forms/."""
    project, diagnostics = parse_project(read_forms_dir(ROOT))
    assert [d.headline() for d in diagnostics if d.is_error] == []
    process = project.process
    definitions = deadlines_json(process.deadlines,
                                 [s.id for s in process.states if not s.terminal])
    return {d["id"]: d for d in definitions}, dict(project.protocol.settings)


def case(state: str, **facts) -> CaseState:
    return CaseState(REF, "dip_conditional_caution", state, 3, "2026-11-02T09:00:00Z",
                     "2026-11-20T09:00:00Z", facts=facts,
                     closed=state in ("closed_complied", "failure_response", "declined",
                                      "alternative_disposal", "exit"))


def wanted(real, state: str, settings: dict | None = None, **facts) -> dict[str, str]:
    """reason -> due date of every deadline the case wants."""
    definitions, shipped = real
    found = wanted_deadlines(list(definitions.values()), case(state, **facts),
                             shipped if settings is None else settings)
    return {d.reason: d.due_on for d in found}


def test_the_shipped_settings_are_the_ones_the_docs_give(real):
    _, settings = real
    assert (settings["reminder_lead_days"], settings["compliance_report_working_days"],
            settings["sentence_plan_working_days"], settings["sentence_plan_ppo_working_days"],
            settings["summary_limit_months"]) == (7, 1, 15, 5, 6)


def test_a_comply_by_date_before_christmas_2026(real):
    # Thursday 24 December: the report is due after Christmas Day (Fri 25), the weekend
    # and the Boxing Day substitute (Mon 28)
    assert wanted(real, "in_programme", comply_by_date="2026-12-24") == {
        "comply_by_approaching": "2026-12-17",
        "comply_by_passed": "2026-12-25",
        "compliance_report_due": "2026-12-29",
    }


@pytest.mark.parametrize("comply_by", ["2026-12-24", "2026-12-25", "2026-12-26",
                                       "2026-12-27", "2026-12-28"])
def test_one_working_day_after_any_day_of_christmas_is_tuesday_29_december(real, comply_by):
    due = wanted(real, "administered", comply_by_date=comply_by)["compliance_report_due"]
    assert due == "2026-12-29"


def test_more_working_days_across_christmas_and_new_year(real):
    definitions, settings = real
    report = definitions["compliance_report_due"]
    at = case("in_programme", comply_by_date="2026-12-24")
    by_days = {n: due_on(report, at, {**settings, "compliance_report_working_days": n})
               for n in (0, 1, 2, 3, 4)}
    assert by_days == {0: date(2026, 12, 24), 1: date(2026, 12, 29), 2: date(2026, 12, 30),
                       3: date(2026, 12, 31), 4: date(2027, 1, 4)}  # 1 Jan, weekend skipped


def test_a_comply_by_date_before_easter_2027(real):
    # Thursday 25 March: Good Friday (26) and Easter Monday (29) are skipped
    assert wanted(real, "in_programme", comply_by_date="2027-03-25") == {
        "comply_by_approaching": "2027-03-18",
        "comply_by_passed": "2027-03-26",
        "compliance_report_due": "2027-03-30",
    }
    assert not is_working_day(date(2027, 3, 26)) and not is_working_day(date(2027, 3, 29))


def test_the_contact_by_date_is_watched_only_until_first_contact(real):
    assert wanted(real, "administered", contact_by_date="2026-12-31") == {
        "contact_by_passed": "2027-01-01"}
    assert wanted(real, "in_programme", contact_by_date="2026-12-31") == {}


def test_a_sentence_plan_is_due_in_15_working_days_or_5_for_a_ppo_or_high_rosh(real):
    start = {"supervision_start": "2026-12-18"}  # Friday, a week before Christmas
    assert wanted(real, "in_programme", **start) == {"sentence_plan_due": "2027-01-13"}
    assert wanted(real, "in_programme", ppo_or_high_rosh=False, **start) == {
        "sentence_plan_due": "2027-01-13"}
    assert wanted(real, "in_programme", ppo_or_high_rosh=True, **start) == {
        "sentence_plan_due": "2026-12-29"}


def test_changing_a_setting_changes_the_due_date_with_no_code_change(real):
    _, settings = real
    start = {"supervision_start": "2026-12-18"}
    shorter = {**settings, "sentence_plan_working_days": 10}
    # Dec 21-24 (4), 29-31 (7), Jan 4-6 (10)
    assert wanted(real, "in_programme", shorter, **start) == {
        "sentence_plan_due": "2027-01-06"}
    nearer = {**settings, "reminder_lead_days": 3}
    assert wanted(real, "in_programme", nearer, comply_by_date="2027-03-25")[
        "comply_by_approaching"] == "2027-03-22"
    later = {**settings, "compliance_report_working_days": 2}
    assert wanted(real, "in_programme", later, comply_by_date="2027-03-25")[
        "compliance_report_due"] == "2027-03-31"


def test_the_six_month_limit_is_watched_only_for_a_summary_offence(real):
    offence = {"offence_date": "2026-08-31"}
    # six months is 28 February 2027 (no 31st), a week before is Sunday 21 February
    assert wanted(real, "with_cps", offence_class="summary", **offence) == {
        "summary_limit_approaching": "2027-02-21"}
    assert wanted(real, "with_cps", offence_class="either_way", **offence) == {}
    assert wanted(real, "with_cps", **offence) == {}  # the class is not known
    assert wanted(real, "non_compliance_reported", offence_class="summary", **offence) != {}
    assert wanted(real, "complied_reported", offence_class="summary", **offence) == {}


def test_a_follow_up_assessment_falls_due_on_its_day_until_the_caution_is_given(real):
    at = {"followup_ra_at": "2026-12-24T14:30"}  # a datetime counts by its date
    for state in ("considered", "ra_arranged", "assessed", "with_cps", "offered"):
        assert wanted(real, state, **at) == {"followup_ra_due": "2026-12-24"}, state
    for state in ("administered", "in_programme", "voluntary_assessment"):
        assert wanted(real, state, **at) == {}, state


def test_a_state_outside_while_or_a_closed_case_wants_nothing(real):
    facts = {"comply_by_date": "2026-12-24", "contact_by_date": "2026-12-10",
             "supervision_start": "2026-12-18", "offence_date": "2026-08-31",
             "offence_class": "summary", "followup_ra_at": "2026-12-01T10:00"}
    assert set(wanted(real, "in_programme", **facts)) == {
        "comply_by_approaching", "comply_by_passed", "compliance_report_due",
        "sentence_plan_due", "summary_limit_approaching"}
    assert set(wanted(real, "complied_reported", **facts)) == {"sentence_plan_due"}
    for closed in ("closed_complied", "failure_response", "declined"):
        assert wanted(real, closed, **facts) == {}


def test_a_missing_or_unreadable_date_wants_nothing(real):
    assert wanted(real, "in_programme") == {}
    assert wanted(real, "in_programme", comply_by_date=None) == {}
    assert wanted(real, "in_programme", comply_by_date="2026-02-30") == {}
    assert wanted(real, "in_programme", comply_by_date="soon") == {}


def test_the_deadlines_are_the_stores_pending_deadlines(real):
    definitions, settings = real
    found = wanted_deadlines(list(definitions.values()),
                             case("administered", contact_by_date="2026-12-10"), settings)
    assert found == [Deadline(REF, "contact_by_passed", "2026-12-11", "N10")]
    assert found[0].status == "pending" and found[0].fired_at is None


# -- hand-written definitions, for what the DIP file does not use ----------------------------

def definition(**changes) -> dict:
    base = {"id": "d", "notify": "N10", "from": "at", "while": ["open"], "when": None,
            "unless": None, "after": None, "lead": None, "instead": [], "source": []}
    return {**base, **changes}


def test_unless_takes_a_deadline_away():
    unless = {"op": "==", "args": [{"field": "kind"}, {"lit": "withdrawn"}]}
    d = definition(unless=unless, after={"unit": "days", "count": 2})
    assert due_on(d, CaseState(REF, "p", "open", 1, "", "", {"at": "2027-03-25"}), {}) \
        == date(2027, 3, 27)
    gone = CaseState(REF, "p", "open", 1, "", "", {"at": "2027-03-25", "kind": "withdrawn"})
    assert due_on(d, gone, {}) is None


def test_a_lead_in_working_days_counts_back_over_easter():
    d = definition(lead={"unit": "working_days", "count": 2})
    at = CaseState(REF, "p", "open", 1, "", "", {"at": "2027-03-30"})
    assert due_on(d, at, {}) == date(2027, 3, 24)  # 29 and 26 March are bank holidays
    assert working_days_before(date(2026, 12, 29), 1) == date(2026, 12, 24)
    assert working_days_before(date(2027, 1, 4), 0) == date(2027, 1, 4)
    with pytest.raises(ValueError):
        working_days_before(date(2027, 1, 4), -1)


def test_the_first_alternative_that_holds_wins():
    first = {"op": "==", "args": [{"field": "n"}, {"lit": 1}]}
    d = definition(after={"unit": "days", "count": 10}, instead=[
        {"when": first, "after": {"unit": "days", "count": 1}, "lead": None},
        {"when": {"lit": True}, "after": {"unit": "months", "count": 1}, "lead": None}])
    facts = {"at": "2027-01-31"}
    assert due_on(d, CaseState(REF, "p", "open", 1, "", "", {**facts, "n": 1}), {}) \
        == date(2027, 2, 1)
    assert due_on(d, CaseState(REF, "p", "open", 1, "", "", {**facts, "n": 2}), {}) \
        == date(2027, 2, 28)


def test_a_setting_missing_at_run_time_is_an_error_not_a_silent_date():
    d = definition(after={"unit": "working_days", "setting": "nowhere"})
    at = CaseState(REF, "p", "open", 1, "", "", {"at": "2027-03-25"})
    with pytest.raises(ValueError, match="nowhere"):
        due_on(d, at, {})
    with pytest.raises(ValueError, match="nowhere"):
        due_on(d, at, {"nowhere": "3"})
