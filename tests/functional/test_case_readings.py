"""What reads remember of a case (chalicelib/readings.py) is never stale: a read with the
memo warm sees a consent withdrawn by an amendment, a hand-over and a new record at the
very next request, in the same process and in another one (a second Context on the same
store, with a memo of its own); on SQLite and DynamoDB (moto)."""

from __future__ import annotations

import dataclasses
import json

from chalicelib import cases, records
from chalicelib.domain.access import Principal
from chalicelib.readings import Memo
from chalicelib.store.base import CaseEntry, FiredDeadline

from tests.functional.test_cases_api import (
    Case,
    example,
    northshire_police_consent,
    with_assessment,
)
from tests.functional.test_consent_api import naming

WITHDRAWN = example("consent_to_share_information", "valid/withdrawn")
CONTACT = example("dir_initial_contact", "valid/minimal")
POLICE = Principal("pc_jones", "police", "northshire_police")
CARAT = Principal("carat_worker", "carat", "hmp_northshire_carats")
ASSESSMENT = "dir_required_assessment"


def record_of(api, ref: str, form: str) -> str:
    """The id of the case's record of `form` (the police see every record's id listed)."""
    store = api.runtime.context.store
    found = [r for r in store.get_latest_versions(store.case_records(ref)).values()
             if r.form_id == form]
    assert len(found) == 1, found
    return found[0].record_id


def seen(api, record_id: str, role: str) -> dict | None:
    """What `role` is shown of the record read by id (None: 404, told it does not exist)."""
    response = api.get(f"/v1/records/{record_id}", role=role)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.body
    return json.loads(response.body)["record"]["data"]


def listed(api, form: str, role: str) -> set[str]:
    response = api.get(f"/v1/records?form={form}&limit=100", role=role)
    assert response.status_code == 200, response.body
    return {r["id"] for r in json.loads(response.body)["records"]}


def warm(ctx, ref: str) -> bool:
    """Whether the memo holds the reading of the case at its stored version."""
    version = ctx.store.get_case(ref).version
    return ctx.memo.get(("reading", ref, version)) is not None


def with_police_consent(api) -> tuple[Case, str, str]:
    """A case with the CJIT's assessment and a consent naming the police for it."""
    case = Case(api)
    with_assessment(case)
    response = case.attach("consent_to_share_information", northshire_police_consent())
    assert response.status_code == 201, response.body
    return case, record_of(api, case.ref, ASSESSMENT), json.loads(response.body)["record"]["id"]


def withdraw(api, case: Case, consent_id: str) -> None:
    response = api.put(f"/v1/records/{consent_id}", {
        "data": {**WITHDRAWN, "case_ref": case.ref}, "reason": "Client withdrew consent",
        "base_version": 1}, role="cjit")
    assert response.status_code == 200, response.body


def test_a_consent_withdrawn_by_an_amendment_narrows_the_very_next_read(api):
    case, assessment, consent_id = with_police_consent(api)
    wide = seen(api, assessment, "police")
    assert seen(api, assessment, "police") == wide      # read twice: the memo served it
    assert warm(api.runtime.context, case.ref)
    withdraw(api, case, consent_id)
    narrow = seen(api, assessment, "police")
    assert narrow is not None and set(narrow) < set(wide)
    assert set(narrow) <= {"test_result", "test_at"}    # the positive test alone
    assert warm(api.runtime.context, case.ref)          # the new version's reading


def test_a_hand_over_shows_the_case_s_records_at_the_very_next_read_and_list(api):
    case = Case(api)
    with_assessment(case)
    response = case.attach("consent_to_share_information", naming(
        ("hmp_northshire_carats", ["assessment"])), role="probation")
    assert response.status_code == 201, response.body
    consent = json.loads(response.body)["record"]["id"]
    assert seen(api, consent, "carat") is None         # not a party: as if none existed
    assert consent not in listed(api, "consent_to_share_information", "carat")
    assert warm(api.runtime.context, case.ref)
    case.hand_over("hmp_northshire_carats")
    assert consent in listed(api, "consent_to_share_information", "carat")   # a party now
    assert seen(api, consent, "carat")


def test_a_new_record_on_the_case_counts_at_the_very_next_read(api):
    """A withdrawal joining the case (a new consent record, not an amendment) narrows the
    police read of the assessment, whose own consent named them."""
    case = Case(api)
    with_assessment(case)
    assessment = record_of(api, case.ref, ASSESSMENT)
    before = seen(api, assessment, "police")
    assert warm(api.runtime.context, case.ref)
    response = case.attach("consent_to_share_information", WITHDRAWN, role="probation")
    assert response.status_code == 201, response.body
    after = seen(api, assessment, "police")
    assert set(after) < set(before)


def test_another_process_s_warm_memo_never_serves_a_change_made_elsewhere(api):
    """Two Contexts on one store, each with its own memo, as two worker processes: what
    one changes, the other sees at its next read, though its memo was warm."""
    ctx = api.runtime.context
    other = dataclasses.replace(ctx, memo=Memo())
    case, assessment, consent_id = with_police_consent(api)
    version = ctx.store.get_version(assessment)
    wide = records.read(other, POLICE, assessment).value["record"]["data"]
    assert warm(other, case.ref)
    assert records.read(other, CARAT, assessment).code == "not_found"
    withdraw(api, case, consent_id)                       # through the first Context
    case.hand_over("hmp_northshire_carats")
    narrow = records.read(other, POLICE, assessment).value["record"]["data"]
    assert set(narrow) < set(wide)
    reading = cases.case_reading(other, case.ref, ctx.today())
    assert "hmp_northshire_carats" in reading.parties
    assert reading.consent.withdrawn
    assert version.version == 1


def test_a_reading_derived_while_the_case_moved_is_not_kept(api):
    """readings.remember keeps a value only for the version it was derived at: a change
    landing between the version's read and the derivation leaves the memo empty."""
    from chalicelib import readings

    ctx = api.runtime.context
    case, _, consent_id = with_police_consent(api)
    stale = ctx.store.get_case(case.ref).version
    memo = Memo()

    def derive():
        withdraw(api, case, consent_id)      # the case moves on while it is derived
        return "derived"

    assert readings.remember(memo, ("reading", case.ref), stale, derive,
                             lambda: ctx.store.get_case(case.ref).version) == "derived"
    assert len(memo) == 0


def every_read(ctx, who: Principal, ref: str, limit: int, kind: str) -> list:
    """Each page of `kind` by both reads: the one that reads only what it shows, and the
    whole case loaded at once (the reference), following the first's cursors."""
    from chalicelib.domain import caseview

    found, params = [], {"limit": str(limit)}
    while True:
        lean = cases.case_view(ctx, who, ref, params)
        whole = cases._case_page(ctx, who, ref, caseview.case_pages(ref, params))
        found.append((lean.value if hasattr(lean, "value") else lean.code,
                      whole.value if hasattr(whole, "value") else whole.code))
        cursor = getattr(lean, "value", {}).get(f"{kind}_cursor") if hasattr(
            lean, "value") else None
        if cursor is None:
            return found
        params = {"limit": str(limit), f"{kind}_cursor": cursor}


def test_a_page_read_alone_is_exactly_the_page_cut_from_the_whole_case(api):
    """Every reader's every page, as the lean read gives it, equals the one cut from the
    whole case loaded at once (records, timeline, person, cursors, agencies), before and
    after a hand-over and a withdrawal; and a refusal is the same refusal."""
    from tests.api_harness import USERS

    ctx = api.runtime.context
    case, _, consent_id = with_police_consent(api)
    case.post("appointments", {"starts_at": "2026-12-07T10:00",
                               "ends_at": "2026-12-07T11:00"}, "cjit")
    for _ in range(3):      # records the police are not shown, between ones they are
        response = case.attach("dir_initial_contact", {**CONTACT, "prompt":
                               "conditional_caution"}, role="cjit", field="cc_case_ref")
        assert response.status_code == 201, response.body
    response = case.attach("consent_to_share_information", northshire_police_consent())
    assert response.status_code == 201, response.body
    readers = [Principal(*USERS[role]) for role in USERS]
    def remind():
        """The sweep's reminder line: the one write that keeps the case's version."""
        version = ctx.store.get_case(case.ref).version
        due = next(d for d in ctx.store.case_deadlines(case.ref) if d.status == "pending")
        line = CaseEntry(case.ref, ctx.timestamp(), "reminder", due.reason, "system",
                         "system", {"event": due.event})
        assert ctx.store.fire_deadlines([FiredDeadline(due, [], line)], ctx.timestamp())
        assert ctx.store.get_case(case.ref).version == version
        assert cases.case_view(ctx, police, case.ref).value["timeline"][-1]["kind"] == (
            "reminder")                      # at the very next read, the memo warm

    police = Principal(*USERS["police"])
    for change in (lambda: None, remind, lambda: case.hand_over("hmp_northshire_carats"),
                   lambda: withdraw(api, case, consent_id)):
        change()
        for who in readers:
            for limit in (1, 2, 50):
                for kind in ("records", "timeline"):
                    for lean, whole in every_read(ctx, who, case.ref, limit, kind):
                        assert lean == whole, (who.role, limit, kind)
    shown = cases.case_view(ctx, Principal(*USERS["cjit"]), case.ref).value
    assert shown["case"]["person"] and shown["records"] and shown["timeline"]
    seen = cases.case_view(ctx, police, case.ref).value["records"]
    assert 0 < len(seen) < len(ctx.store.case_records(case.ref))   # some not shown
    version = ctx.store.get_case(case.ref).version
    runs = ctx.memo.get(("shown", case.ref, police.role, police.agency, str(ctx.today()),
                         version))
    assert runs and sum(high - low for low, high in runs) == len(seen)   # read through them
    total = len(ctx.store.case_entries(case.ref))
    lines = ctx.memo.get(("timeline", case.ref, police.role, police.agency,
                          str(ctx.today()), version, total))
    assert lines and sum(high - low for low, high in lines) < total      # some not shown
