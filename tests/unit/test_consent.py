"""Consent as one fact with a history (api/chalicelib/domain/consent.py): every decision the
case's record versions make, the latest in force, what it lets each agency see, what DIP-01
reads of it, and the DIP-01 refusal a plan makes from it (caseplan.py)."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import json

import pytest
import yaml
from chalicelib.contract.protocol import Protocol
from chalicelib.domain import caseplan
from chalicelib.domain.access import Principal
from chalicelib.domain.caseflow import Process, moved, open_case
from chalicelib.domain.caseplan import Planning, Snapshot
from chalicelib.domain.consent import (
    CONSENT_FORMS,
    POLICE_CPS_FIELD,
    consent_history,
    latest_consent,
    police_cps_consent,
)
from chalicelib.domain.sharing import ConsentView
from chalicelib.store.base import RecordVersion

from tests.api_harness import ROOT

TODAY = datetime.date(2026, 11, 26)
CPS = Principal("cps_lawyer", "cps", "northshire_cps")
POLICE = Principal("pc_jones", "police", "northshire_police")
ITEMS = ["assessment", "test_result"]


@pytest.fixture(scope="module")
def planning() -> Planning:
    from generator.build import build_project
    from generator.edges.files import read_committed_schemas, read_forms_dir

    result = build_project(read_forms_dir(ROOT), read_committed_schemas(ROOT))
    assert result.ok
    ids = itertools.count(1)
    return Planning(Process(json.loads(result.generated["process.json"])),
                    Protocol.from_json(json.loads(result.generated["protocol.json"])),
                    "http://127.0.0.1:8000", lambda: f"EV-{next(ids)}")


def version(form: str, data: dict, day: int, *, record: str | None = None,
            number: int = 1) -> RecordVersion:
    return RecordVersion(record or f"{form.upper()[:4]}-{day}", number, form, "2.0", data,
                         f"2026-11-{day:02d}T10:00:00.000000Z", "someone", "northshire_cjit")


def consent_form(day: int, decision: str = "given", *, record: str = "CON-1", number: int = 1,
                 **answers) -> RecordVersion:
    data = {"decision": decision, "obtained_at": f"2026-11-{day:02d}",
            "purposes": ["dip_cc_consideration", "continuity_of_care"], **answers}
    if decision in ("given", "partial"):
        data.setdefault("named_agencies", [{"agency": "northshire_police", "items": ITEMS},
                                           {"agency": "northshire_cps", "items": ITEMS}])
    return version("consent_to_share_information", data, day, record=record, number=number)


def ra(day: int, decision: str, *, number: int = 1, **answers) -> RecordVersion:
    return version("dir_required_assessment", {POLICE_CPS_FIELD: decision,
                                                "ia_attendance": "attended_and_remained",
                                                **answers}, day, record="RA-1", number=number)


def dir_form(form: str, day: int, decision: str = "given", *, record: str = "DIR-1",
             number: int = 1, **answers) -> RecordVersion:
    """A DIR form whose consent section (block consent_to_share) records a decision."""
    data = {"consent_asked": True, "consent_decision": decision, **answers}
    if decision in ("given", "partial"):
        data.setdefault("consent_purposes", ["continuity_of_care", "dip_cc_consideration"])
        data.setdefault("named_agencies", [
            {"agency": "northshire_police", "contact_name": "Custody inspector on duty",
             "contact_phone": "01632 960000", "items": ITEMS},
            {"agency": "northshire_treatment", "contact_name": "Referrals coordinator",
             "contact_phone": "01632 960060", "items": ["dir_summary"]}])
        data.setdefault("consent_client_signature", {"name": "A Client", "role": "Client",
                                                     "date": f"2026-11-{day:02d}",
                                                     "confirmed": True})
    return version(form, data, day, record=record, number=number)


def agencies(planning: Planning):
    return planning.protocol.agencies


# -- the history -------------------------------------------------------------------------------

def test_every_form_counts_and_the_latest_decides(planning):
    history = consent_history([consent_form(12, "withdrawn", withdrawn_at="2026-11-12"),
                               ra(10, "given")], agencies(planning))
    assert [(c.form, c.decision) for c in history] == [
        ("dir_required_assessment", "given"), ("consent_to_share_information", "withdrawn")]
    latest = history[-1]
    assert (latest.on, latest.record_id, latest.version) == ("2026-11-12", "CON-1", 1)
    assert police_cps_consent(latest, agencies(planning), str(TODAY)) == "withdrawn"
    # the withdrawal carries the scope it withdraws: the assessment's police and CPS
    assert set(latest.agencies) == {"northshire_police", "northshire_cps"}


def test_an_amendment_that_does_not_change_the_decision_is_not_a_new_decision(planning):
    versions = [ra(10, "given"), consent_form(12, "withdrawn", withdrawn_at="2026-11-12"),
                ra(14, "given", number=2, ia_findings="corrected")]
    assert latest_consent(versions, agencies(planning)).decision == "withdrawn"
    regiven = [*versions[:2], ra(14, "refused", number=2), ra(15, "given", number=3)]
    assert latest_consent(regiven, agencies(planning)).form == "dir_required_assessment"
    assert latest_consent(regiven, agencies(planning)).decision == "given"


def test_an_assessment_agreement_adds_to_the_consent_form_in_force(planning):
    wide = consent_form(10, named_agencies=[{"agency": "northshire_probation",
                                             "items": ["dir_summary"]}])
    latest = latest_consent([wide, ra(12, "given")], agencies(planning))
    assert latest.agencies == {"northshire_probation": frozenset({"dir_summary"}),
                               "northshire_police": frozenset(ITEMS),
                               "northshire_cps": frozenset(ITEMS)}
    assert "continuity_of_care" in latest.purposes


def test_a_record_kept_from_before_the_choice_is_matched_by_name_or_id_ignoring_case(planning):
    legacy = consent_form(10, named_agencies=[
        {"agency_name": " NORTHSHIRE police custody suites", "items": ["assessment"]},
        {"agency_name": "northshire_cps", "items": ["test_result"]},
        {"agency_name": "Someone Else Entirely", "items": ["assessment"]}])
    latest = latest_consent([legacy], agencies(planning))
    assert latest.agencies["northshire_police"] == {"assessment"}
    assert latest.agencies["northshire_cps"] == {"test_result"}
    assert "someone else entirely" in latest.agencies      # kept, matching no agency


def test_what_dip_01_reads_of_the_consent_in_force(planning):
    known = agencies(planning)
    assert police_cps_consent(None, known, str(TODAY)) is None
    assert police_cps_consent(latest_consent([consent_form(10, "refused")], known), known,
                              str(TODAY)) == "refused"
    probation_only = consent_form(10, named_agencies=[{"agency": "northshire_probation",
                                                       "items": ITEMS}])
    assert police_cps_consent(latest_consent([probation_only], known), known,
                              str(TODAY)) == "not_named"
    ahead = [consent_form(10), consent_form(11, "withdrawn", record="CON-2",
                                            withdrawn_at="2026-12-01")]
    assert police_cps_consent(latest_consent(ahead, known), known, str(TODAY)) == "given"
    assert police_cps_consent(latest_consent(ahead, known), known, "2026-12-01") == "withdrawn"


def test_the_view_of_a_withdrawal_shares_nothing_by_consent_from_its_date(planning):
    given = latest_consent([consent_form(10)], agencies(planning))
    assert ConsentView.of(given, TODAY).allows("northshire_police", "assessment")
    withdrawn = latest_consent([consent_form(10), consent_form(
        12, "withdrawn", number=2, withdrawn_at="2026-11-12",
        withdrawn_scope=["continuity_of_care"])], agencies(planning))
    view = ConsentView.of(withdrawn, TODAY)
    assert view.withdrawn and not view.names("northshire_police")
    assert not view.allows("northshire_police", "assessment")
    assert view.allows("northshire_police", "assessment", purpose="dip_cc_consideration")
    assert ConsentView.of(None, TODAY) == ConsentView()


def test_the_forms_read_are_those_of_the_process_fact(planning):
    fact = planning.process.facts[POLICE_CPS_FIELD]
    assert {s["form"] for s in fact["from"]} == set(CONSENT_FORMS)
    assert {"dir_initial_contact", "dir_required_assessment", "dir_continuity_of_care",
            "mg14", "consent_to_share_information"} == set(CONSENT_FORMS)


def test_the_forms_read_are_the_forms_with_a_consent_decision(planning):
    """Every form using the consent block, or asking consent_police_cps, is read."""
    forms = {}
    for path in (ROOT / "forms").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
        if isinstance(doc, dict) and "form" in doc:
            forms[doc["form"]] = text
    bearing = {form for form, text in forms.items()
               if "use: consent_to_share" in text or f"id: {POLICE_CPS_FIELD}" in text
               or form == "consent_to_share_information"}
    assert bearing == set(CONSENT_FORMS)


# -- the DIR forms' consent section ------------------------------------------------------------

def test_a_dir_forms_consent_section_is_a_decision_like_the_consent_forms(planning):
    [given] = consent_history([dir_form("dir_initial_contact", 10)], agencies(planning))
    assert (given.form, given.decision, given.on) == ("dir_initial_contact", "given",
                                                      "2026-11-10")
    assert given.agencies == {"northshire_police": frozenset(ITEMS),
                              "northshire_treatment": frozenset({"dir_summary"})}
    assert given.purposes == {"continuity_of_care", "dip_cc_consideration"}
    assert police_cps_consent(given, agencies(planning), str(TODAY)) == "given"
    assert ConsentView.of(given, TODAY).allows("northshire_treatment", "dir_summary")


def test_a_withdrawal_on_a_dir_form_withdraws_the_consent_given_before_it(planning):
    versions = [consent_form(8), dir_form("dir_initial_contact", 10),
                dir_form("dir_initial_contact", 12, "withdrawn", number=2,
                         consent_withdrawn_at="2026-11-12")]
    history = consent_history(versions, agencies(planning))
    assert [(c.form, c.version, c.decision) for c in history] == [
        ("consent_to_share_information", 1, "given"), ("dir_initial_contact", 1, "given"),
        ("dir_initial_contact", 2, "withdrawn")]
    latest = history[-1]
    assert (latest.on, latest.source) == ("2026-11-12", "dir_initial_contact DIR-1 version 2")
    assert set(latest.agencies) == {"northshire_police", "northshire_treatment"}
    assert latest.withdrawn_scope == frozenset()          # the section's covers every purpose
    assert police_cps_consent(latest, agencies(planning), str(TODAY)) == "withdrawn"
    view = ConsentView.of(latest, TODAY)
    assert view.withdrawn and not view.names("northshire_police")
    assert not view.allows("northshire_police", "assessment", purpose="dip_cc_consideration")
    # dated ahead, not yet in force
    ahead = [*versions[:2], dir_form("dir_continuity_of_care", 12, "withdrawn", record="CC-1",
                                     consent_withdrawn_at="2026-12-01")]
    assert police_cps_consent(latest_consent(ahead, agencies(planning)), agencies(planning),
                              str(TODAY)) == "given"


def test_a_later_consent_form_overrides_a_dir_forms_withdrawal(planning):
    versions = [dir_form("dir_continuity_of_care", 10, record="CC-1"),
                dir_form("dir_continuity_of_care", 11, "withdrawn", record="CC-1", number=2,
                         consent_withdrawn_at="2026-11-11"),
                consent_form(13, named_agencies=[{"agency": "northshire_probation",
                                                  "items": ["dir_summary"]}])]
    latest = latest_consent(versions, agencies(planning))
    assert (latest.form, latest.decision) == ("consent_to_share_information", "given")
    assert latest.agencies == {"northshire_probation": frozenset({"dir_summary"})}
    assert police_cps_consent(latest, agencies(planning), str(TODAY)) == "not_named"
    # and a DIR form's later consent overrides the consent form in turn
    again = latest_consent([*versions, dir_form("dir_initial_contact", 14)], agencies(planning))
    assert (again.form, police_cps_consent(again, agencies(planning), str(TODAY))) == (
        "dir_initial_contact", "given")


def test_a_dir_form_kept_from_before_the_choice_is_matched_by_name_or_id(planning):
    legacy = dir_form("dir_initial_contact", 10, named_agencies=[
        {"agency_name": "northshire police CUSTODY suites", "items": ["assessment"]},
        {"agency_name": "Northshire Police", "items": ["test_result"]}])
    latest = latest_consent([legacy], agencies(planning))
    assert latest.agencies == {"northshire_police": frozenset({"assessment"}),
                               "northshire police": frozenset({"test_result"})}


def test_an_assessment_records_its_section_and_its_police_cps_agreement(planning):
    both = ra(10, "given", consent_asked=True, consent_decision="partial",
              consent_purposes=["continuity_of_care"],
              named_agencies=[{"agency": "northshire_treatment", "items": ["dir_summary"]}])
    history = consent_history([both], agencies(planning))
    assert [c.question for c in history] == ["consent_decision", POLICE_CPS_FIELD]
    latest = history[-1]                          # the agreement adds the police and CPS
    assert latest.decision == "partial"
    assert latest.agencies == {"northshire_treatment": frozenset({"dir_summary"}),
                               "northshire_police": frozenset(ITEMS),
                               "northshire_cps": frozenset(ITEMS)}
    assert police_cps_consent(latest, agencies(planning), str(TODAY)) == "given"
    # a withdrawal in the section, the agreement left as it was: the withdrawal is last
    withdrawn = ra(12, "given", number=2, consent_asked=True, consent_decision="withdrawn",
                   consent_withdrawn_at="2026-11-12")
    latest = latest_consent([both, withdrawn], agencies(planning))
    assert (latest.decision, latest.version) == ("withdrawn", 2)
    assert police_cps_consent(latest, agencies(planning), str(TODAY)) == "withdrawn"
    # an amendment changing neither decision is no new decision
    same = ra(14, "given", number=3, consent_asked=True, consent_decision="withdrawn",
              consent_withdrawn_at="2026-11-12", ia_findings="corrected")
    assert [c.version for c in consent_history([both, withdrawn, same],
                                               agencies(planning))] == [1, 1, 2, 2]


# -- DIP-01, planned from the history ---------------------------------------------------------

def at_state(planning: Planning, state: str, versions: list[RecordVersion],
             facts: dict | None = None) -> Snapshot:
    case = open_case(planning.process, "MG14-0000000001", {}, "2026-11-26T10:00:00.000000Z",
                     TODAY)
    case = moved(planning.process, case, {"to": state}, facts or {}, case.opened_at)
    latest = {v.record_id: v for v in sorted(versions, key=lambda v: v.version)}
    return Snapshot(case, list(latest.values()), versions=versions)


def step(planning, who, snap, transition, assessment: str = "required_initial"):
    """A later MG14 version recording the step `transition` (the CPS's authorisation, the
    caution given): the steps are its to make now, and DIP-01 stops the chain there. The
    MG14 here answers no consent question of its own, so the history decides."""
    data = {"assessment_type": assessment, "cps_sufficient_evidence": True,
            "cps_cc_to_be_given": True, "offender_decision": "accepted",
            "administered_at": "2026-11-24T14:10"}
    mg14 = RecordVersion("MG14-0000000001", 2, "mg14", "1.0", data,
                         "2026-11-26T11:00:00.000000Z", "pc_jones", "northshire_police")
    planned = caseplan.attaching(planning, who, snap, mg14, "2026-11-26T11:00:00.000000Z",
                                 TODAY)
    change, _ = planned
    made = [e.ref for e in change.entries if e.kind == "transition"]
    return change, made


@pytest.mark.parametrize(("withdrawal", "source"), [
    (lambda: consent_form(12, "withdrawn", withdrawn_at="2026-11-12"),
     "consent_to_share_information CON-1 version 1"),
    (lambda: dir_form("dir_initial_contact", 12, "withdrawn",
                      consent_withdrawn_at="2026-11-12"),
     "dir_initial_contact DIR-1 version 1"),
], ids=["consent form", "DIR form"])
def test_a_withdrawal_on_any_consent_form_stops_both_steps_with_dip_01(planning, withdrawal,
                                                                       source):
    # the stored fact still says 'given' (a case from before): the history decides
    history = [ra(10, "given"), withdrawal()]
    for state, who, transition in (("with_cps", POLICE, "cps_authorises"),
                                   ("offered", POLICE, "caution_administered")):
        snap = at_state(planning, state, history, {POLICE_CPS_FIELD: "given",
                                                   "assessment": "attended_and_remained"})
        change, made = step(planning, who, snap, transition)
        assert (change.case.state, made) == (state, [])      # the case stays; kept
        item = change.entries[0].detail                      # the MG14's entry says why
        assert (item["stopped_at"], item["rule"]) == (transition, "DIP-01")
        assert f"Consent was withdrawn on 2026-11-12 ({source})" in item["reason"]


def test_no_consent_is_refused_where_an_assessment_was_made_and_said_so(planning):
    snap = at_state(planning, "with_cps", [], {"assessment": "attended_and_remained"})
    change, made = step(planning, POLICE, snap, "cps_authorises")
    item = change.entries[0].detail
    assert item["rule"] == "DIP-01" and "No consent decision is recorded" in item["reason"]
    without = at_state(planning, "with_cps", [], {"assessment": "none"})
    change, made = step(planning, POLICE, without, "cps_authorises", assessment="none")
    assert made == ["cps_authorises", "caution_administered"]          # note 2


def test_consent_given_on_the_latest_form_lets_the_step_through_and_keeps_the_fact(planning):
    history = [consent_form(10, "withdrawn", withdrawn_at="2026-11-10"), ra(12, "given")]
    change, made = step(planning, POLICE, at_state(planning, "with_cps", history),
                        "cps_authorises")
    assert made[0] == "cps_authorises"
    assert change.case.facts[POLICE_CPS_FIELD] == "given"


def test_an_assessment_refusing_the_police_and_cps_beside_a_wider_consent_reads_refused():
    """The assessment's own answer to the police-and-CPS question decides what DIP-01
    reads, though its consent section, consenting to others, is the wider decision."""
    from chalicelib.contract.protocol import Agency
    from chalicelib.domain.consent import latest_consent, police_cps_consent
    from chalicelib.store.base import RecordVersion

    agencies = (Agency("northshire_police", "police_custody", "Northshire Police"),
                Agency("northshire_treatment", "treatment_provider", "Drug Service"))
    data = {"consent_police_cps": "refused", "consent_decision": "given",
            "consent_purposes": ["treatment"],
            "named_agencies": [{"agency": "northshire_treatment", "items": ["assessment"]}]}
    version = RecordVersion("DIR-REQUIRED-1", 1, "dir_required_assessment", "3.0", data,
                            "2026-11-20T10:00:00Z", "jo", "northshire_cjit")
    consent = latest_consent([version], agencies)
    assert consent.decision == "given" and "northshire_treatment" in consent.agencies
    assert police_cps_consent(consent, agencies, "2026-11-21") == "refused"
    data["consent_police_cps"] = "given"
    assert police_cps_consent(latest_consent([version], agencies), agencies,
                              "2026-11-21") == "given"


def test_the_agencies_are_indexed_once_per_protocol_and_afresh_for_another(planning):
    from chalicelib.domain import consent

    police = next(a for a in agencies(planning) if a.id == "northshire_police")
    named = consent_form(12, named_agencies=[{"agency": police.name, "items": ITEMS}])
    first = consent._AGENCY_INDEX(agencies(planning))
    assert consent._AGENCY_INDEX(agencies(planning)) is first     # the same protocol: kept
    assert "northshire_police" in latest_consent([named], agencies(planning)).agencies
    renamed = tuple(dataclasses.replace(a, name="Elsewhere Constabulary") if a is police
                    else a for a in agencies(planning))          # a changed catalogue's
    assert consent._AGENCY_INDEX(renamed) is not first
    assert "northshire_police" not in latest_consent([named], renamed).agencies


def test_the_protocol_finds_its_agencies_by_id_and_a_changed_one_afresh(planning):
    protocol = planning.protocol
    police = protocol.agency("northshire_police")
    assert police is not None and police.id == "northshire_police"
    assert protocol.agency("nobody") is None and protocol.agency(["a", "list"]) is None
    assert protocol.agency_ids == {a.id for a in protocol.agencies}
    fewer = dataclasses.replace(protocol, agencies=tuple(
        a for a in protocol.agencies if a.id != "northshire_police"))
    assert fewer.agency("northshire_police") is None
    assert "northshire_police" not in fewer.agency_ids
    assert protocol.agency("northshire_police") is police      # the first is unchanged
