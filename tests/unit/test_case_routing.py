"""route_case_event: a case event (N01-N28) becomes one outbox event per matching route and
recipient of the real protocol, carrying only what the route's scopes allow that recipient
(consent decides `consented`), worded by the route's template."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from chalicelib.contract.protocol import Protocol
from chalicelib.domain.sharing import ConsentView, scope_fields
from chalicelib.notify import message
from chalicelib.notify.references import with_answers
from chalicelib.notify.routing import RoutingError, route_case_event, route_event
from chalicelib.store.base import RecordVersion

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.fields import FIELD_TYPES
from generator.manifest import protocol_json
from generator.project import parse_project

ROOT = Path(__file__).resolve().parents[2]
PROJECT = parse_project(read_forms_dir(ROOT))[0]
PROTOCOL = protocol_json(PROJECT)         # what the build writes to generated/protocol.json
TYPED = Protocol.from_json(PROTOCOL)      # what the API reads it as
CASE = "MG14-0A1B2C3D4E"
NOW = "2026-11-25T10:30:00.000000Z"
BASE = "https://dip.example.org/"


def secret(form_id: str, field_id: str) -> str:
    return f"SECRET:{form_id}.{field_id}"


def full_record(form_id: str, at: str = NOW, **answers) -> RecordVersion:
    """A record of `form_id` with every field answered by a value naming the field."""
    form = next(f for f in PROJECT.forms if f.id == form_id)
    data = {f.id: secret(form_id, f.id) for f in form.fields() if FIELD_TYPES[f.type].has_value}
    return RecordVersion(f"{form_id}-{at}", 1, form_id, form.version, {**data, **answers}, at,
                         "user-1", "northshire_cjit")


ALL_RECORDS = [full_record(f.id) for f in PROJECT.forms]


def route(event: str, protocol=PROTOCOL, *, records=ALL_RECORDS, consent=None, reason=None,
          **detail):
    """The events routed, with the answers their payloads refer to read back from
    `records`, as the dispatcher hands them to a channel."""
    ids = iter(f"EV-{n:04d}" for n in range(10_000))
    routed = route_case_event(event, CASE, Protocol.from_json(protocol), records=records,
                              consent=consent, reason=reason, detail=detail, base_url=BASE,
                              now=NOW, new_id=lambda: next(ids))
    versions = {(r.record_id, r.version): r for r in records}
    return [with_answers(e, lambda rid, v: versions.get((rid, v))) for e in routed]


def consent_for(*named: tuple[str, list[str]], **answers) -> dict:
    return {"decision": "given", "purposes": ["dip_cc_consideration"],
            "named_agencies": [{"agency_name": name, "contact_name": "A Person",
                                "items": items} for name, items in named], **answers}


def test_compliance_confirmed_tells_the_police_once_with_the_compliance_scope_only():
    [event] = route("N12", state="complied_reported")
    assert (event.record_id, event.event, event.form_id, event.channel) == (
        CASE, "N12", "compliance_report", "email")
    assert event.recipient == {"agency": "northshire_police", "name": "Custody inspector on duty",
                               "email": "custody@northshire-police.example.org"}
    fields = event.payload["fields"]
    allowed = PROTOCOL["scopes"]["compliance"]["fields"]["compliance_report"]
    assert list(fields) == ["compliance_report"]
    assert set(fields["compliance_report"]) == set(allowed)
    text = json.dumps(event.payload)
    for kept_back in ("reporting_worker", "other_provider_input", "referrals_declined",
                      "recipients"):
        assert secret("compliance_report", kept_back) not in text
    assert "SECRET:mg14" not in text and "SECRET:dip_session1_triage" not in text
    assert event.payload["link"] == f"https://dip.example.org/cases/case.html?ref={CASE}"
    assert event.payload["event_title"] == "N12 compliance confirmed"


def test_non_compliance_tells_the_police_and_the_cps():
    assert [e.recipient["agency"] for e in route("N11")] == ["northshire_police",
                                                             "northshire_cps"]


def test_assessment_feedback_without_consent_carries_the_test_result_and_nothing_else():
    sent = route("N02")
    assert [e.recipient["agency"] for e in sent] == ["northshire_police", "northshire_cps"]
    for event in sent:
        assert event.form_id == "case"
        assert event.payload["fields"] == {
            "dir_required_assessment": {
                "test_at": secret("dir_required_assessment", "test_at"),
                "test_result": secret("dir_required_assessment", "test_result")},
            "mg14": {"drug_test_result": secret("mg14", "drug_test_result"),
                     "drug_test_at": secret("mg14", "drug_test_at")}}


def test_consent_adds_the_agreed_items_for_the_named_agency_only():
    consent = consent_for(("Northshire Police custody suites", ["assessment"]))
    police, cps = route("N02", consent=consent)
    assessment = police.payload["fields"]["dir_required_assessment"]
    assert assessment["ia_findings"] == secret("dir_required_assessment", "ia_findings")
    assert "drug_use" in police.payload["fields"]["dip_session1_triage"]
    assert "ia_findings" not in cps.payload["fields"]["dir_required_assessment"]
    assert "dip_session1_triage" not in cps.payload["fields"]


@pytest.mark.parametrize("withdrawn_at,carries", [("2026-11-25", False), ("2026-11-24", False),
                                                  ("2026-11-26", True)])
def test_a_withdrawal_stops_consented_items_from_its_date(withdrawn_at, carries):
    consent = consent_for(("northshire_police", ["assessment"]), decision="withdrawn",
                          withdrawn_at=withdrawn_at, withdrawn_scope=["dip_cc_consideration"])
    police, _ = route("N02", consent=consent)
    assert ("ia_findings" in police.payload["fields"]["dir_required_assessment"]) is carries
    assert "test_result" in police.payload["fields"]["dir_required_assessment"]


def test_consent_withdrawn_goes_to_the_agencies_the_case_names_and_clashes_to_both_owners():
    sent = route("N26", agencies=["northshire_police", "northshire_probation",
                                  "northshire_police"])
    assert [e.recipient["email"] for e in sent] == ["custody@northshire-police.example.org",
                                                    "drr.spoc@northshire-probation.example.org"]
    assert all(e.payload["fields"] == {} and e.form_id == "case" for e in sent)
    assert route("N26") == []                               # nobody named, nobody told
    owners = route("N27", agencies=["northshire_cjit", "hmp_northshire_carats"],
                   due_on="2026-12-02")
    assert [e.recipient["agency"] for e in owners] == ["northshire_cjit", "hmp_northshire_carats"]
    with pytest.raises(RoutingError, match="unknown agency"):
        route("N26", agencies=["the police"])


def test_the_template_is_rendered_with_the_case_values_and_the_friday_flag():
    [flagged] = route("N21", due_on="2026-12-04", flag="friday", state="in_programme")
    assert flagged.payload["subject"] == f"Planned release (Friday): case {CASE}"
    assert flagged.payload["body"] == (f"A release is planned for case {CASE} on 2026-12-04 "
                                       "(Friday).")
    [plain] = route("N21", due_on="2026-12-03")
    assert plain.payload["subject"] == f"Planned release: case {CASE}"
    assert message.subject_for(plain) == plain.payload["subject"]
    body = message.body_for(flagged)
    assert body.startswith(flagged.payload["body"] + "\n\nEvent: N21 release planned\n")
    assert f"Open the case: https://dip.example.org/cases/case.html?ref={CASE}" in body
    built = message.build_message(flagged, "DIP <no-reply@dip.example.org>")
    assert built["To"] == "Jo Worker <spoc@northshire-cjit.example.org>"
    assert built["Subject"] == flagged.payload["subject"]


def test_the_body_lists_only_the_scoped_answers_under_the_scope_name():
    [event] = route("N12")
    body = message.body_for(event)
    assert "Shared under the local protocol (compliance):" in body
    assert f"compliance_report.outcome: {secret('compliance_report', 'outcome')}" in body
    assert "SECRET:compliance_report.reporting_worker" not in body
    [notice] = route("N25")
    assert "This message carries no personal data. Sign in to see the case." in \
        message.body_for(notice)


def test_a_reminder_route_with_a_reason_hears_only_that_reason():
    def told(reason):
        return [e.recipient["agency"] for e in route("N10", reason=reason, due_on="2026-12-01")]
    assert told("comply_by_approaching") == ["northshire_cjit", "northshire_police"]
    assert told("summary_limit_approaching") == ["northshire_cjit", "northshire_police"]
    assert told("contact_by_passed") == ["northshire_cjit"]
    [event] = route("N10", reason="contact_by_passed", due_on="2026-12-01", state="administered")
    assert event.payload["subject"] == f"Reminder (contact_by_passed): case {CASE}, due 2026-12-01"
    assert event.payload["reason"] == "contact_by_passed"


def test_changing_a_route_in_the_protocol_changes_who_is_told_with_no_code_change():
    changed = copy.deepcopy(PROTOCOL)
    n12 = next(r for r in changed["routes"] if r["event"] == "N12")
    n12["to"] = "northshire_cps"
    assert [e.recipient["agency"] for e in route("N12", changed)] == ["northshire_cps"]
    changed["routes"].append({**n12, "to": "northshire_police", "channel": "sns"})
    assert [(e.recipient["agency"], e.channel) for e in route("N12", changed)] == [
        ("northshire_cps", "email"), ("northshire_police", "sns")]
    n12["scopes"] = ["notice_only"]
    assert route("N12", changed)[0].payload["fields"] == {}


def test_the_newest_record_of_a_form_is_the_one_a_scope_draws_on():
    older = full_record("compliance_report", "2026-11-20T09:00:00.000000Z", outcome="in_progress")
    newer = full_record("compliance_report", "2026-11-24T09:00:00.000000Z", outcome="complied")
    for records in ([older, newer], [newer, older]):
        [event] = route("N12", records=records)
        assert event.payload["fields"]["compliance_report"]["outcome"] == "complied"
    [nothing] = route("N12", records=[])
    assert nothing.payload["fields"] == {}


def test_record_events_ignore_case_routes_and_unknown_names_are_routing_errors():
    record = full_record("mg14")
    sent = route_event("amended", record, "MG14", TYPED, base_url=BASE, now=NOW,
                       new_id=lambda: "EV-1")
    assert [(e.event, e.recipient["agency"]) for e in sent] == [("amended", "northshire_cjit")]
    with pytest.raises(RoutingError):
        route("N29")
    broken = copy.deepcopy(PROTOCOL)
    next(r for r in broken["routes"] if r["event"] == "N12")["template"] = "gone"
    with pytest.raises(RoutingError, match="unknown template"):
        route("N12", broken)


def test_nothing_beyond_the_scope_ever_goes_in_a_payload_or_a_message():
    """Every route of the real protocol, fired with every field of every form answered and
    consent naming the police and CPS: every answer in a payload or message is one a scope
    of that route allows that recipient."""
    consent = consent_for(("northshire_police", ["assessment", "test_result"]),
                          ("CPS Northshire", ["previous_convictions"]))
    view = ConsentView.from_data(consent, NOW[:10], agencies=TYPED.agencies)
    agencies = [a["id"] for a in PROTOCOL["agencies"]]
    checked = 0
    for spec in PROTOCOL["routes"]:
        if "form" in spec:
            continue
        scopes = spec["scopes"]
        for event in route(spec["event"], consent=consent, reason=spec.get("reason"),
                           agencies=agencies, state="in_programme", due_on="2026-12-01"):
            allowed = {secret(form_id, name) for scope in scopes
                       for form_id, names in scope_fields(TYPED, scope, view,
                                                          event.recipient["agency"]).items()
                       for name in names}
            text = json.dumps(event.payload) + message.body_for(event) + \
                message.subject_for(event)
            found = {part.split('"')[0].split("\n")[0] for part in text.split("SECRET:")[1:]}
            assert {f"SECRET:{name}" for name in found} <= allowed, spec
            checked += 1
    assert checked > 20


DOC = (ROOT / "docs/notifications.md").read_text()
DOC_BLOCKS = re.findall(r"```yaml (example|invalid) protocol(?: ([A-Z]\d{3}))?\n(.*?)```",
                        DOC, re.S)


def doc_build(text: str):
    """The docs' protocol in place of the real one, with the real forms and process (and
    the real protocol's settings, which those read)."""
    files = read_forms_dir(ROOT)
    settings = re.search(r"^settings:\n(?:[ #].*\n|\n)*", files["forms/protocol.yaml"], re.M)
    return build_project({**files, "forms/protocol.yaml": text + settings.group(0)}, {})


def test_the_notifications_page_has_a_protocol_that_builds_and_one_refused_with_r005():
    assert [(outcome, code) for outcome, code, _ in DOC_BLOCKS] == [("example", ""),
                                                                   ("invalid", "R005")]
    assert [d.headline() for d in doc_build(DOC_BLOCKS[0][2]).diagnostics] == []
    assert [d.code for d in doc_build(DOC_BLOCKS[1][2]).diagnostics] == ["R005"]


def test_the_notifications_page_example_routes_and_shares_as_the_page_says():
    protocol = json.loads(doc_build(DOC_BLOCKS[0][2]).generated["protocol.json"])
    records = [full_record("mg14"), full_record("dir_required_assessment")]
    test_result = {"mg14": {"drug_test_result": secret("mg14", "drug_test_result"),
                            "drug_test_at": secret("mg14", "drug_test_at")},
                   "dir_required_assessment": {
                       "test_result": secret("dir_required_assessment", "test_result"),
                       "test_at": secret("dir_required_assessment", "test_at")}}
    police, cps = route("N02", protocol, records=records)
    assert [(police.recipient["agency"], police.channel), (cps.recipient["agency"], cps.channel)
            ] == [("northshire_police", "email"), ("northshire_cps", "sns")]
    assert police.payload["fields"] == cps.payload["fields"] == test_result
    agreed = consent_for(("northshire_police", ["assessment"]))
    police, cps = route("N02", protocol, records=records, consent=agreed)
    assert set(police.payload["fields"]["dir_required_assessment"]) == {
        "test_result", "test_at", "ia_findings", "followup_needed"}
    assert cps.payload["fields"] == test_result
    withdrawn = {**agreed, "withdrawn_at": NOW[:10]}
    assert all(e.payload["fields"] == test_result
               for e in route("N02", protocol, records=records, consent=withdrawn))
    [reminder] = route("N10", protocol, reason="comply_by_approaching", due_on="2026-12-01")
    assert reminder.payload["subject"] == (f"Reminder (comply_by_approaching): case {CASE}, "
                                           "due 2026-12-01")
    assert route("N10", protocol, reason="contact_by_passed") == []


def test_only_routes_whose_scope_carries_answers_need_the_records():
    """The sweep skips reading a case's records for notice-only reminders (fast), but not
    for an event whose route may carry answers."""
    from chalicelib.notify.routing import carries_answers

    protocol = Protocol.from_json({
        "scopes": {"notice_only": {"title": "Notice"},
                   "compliance": {"fields": {"compliance_report": ["outcome"]}}},
        "routes": [{"event": "N10", "to": "a", "channel": "email", "template": "t",
                    "scopes": ["notice_only"]},
                   {"event": "N11", "to": "a", "channel": "email", "template": "t",
                    "scopes": ["notice_only", "compliance"]},
                   {"event": "N10", "reason": "special", "to": "b", "channel": "email",
                    "template": "t", "scopes": ["compliance"]}]})
    assert carries_answers("N10", "comply_by_approaching", protocol) is False
    assert carries_answers("N10", "special", protocol) is True
    assert carries_answers("N11", None, protocol) is True
    assert carries_answers("N27", None, protocol) is False
