"""GET /v1/dashboard and /v1/dashboard.csv on each real store: dat_admin only (403 in the one
error shape otherwise, audited), counts built from stored cases, overdue deadlines and dead
letters, CSV as an attachment, and nothing from the records but their references.

`seed` makes cases the way the case engine commits them (an MG14 RecordVersion with a
CaseChange); tests/browser/test_dashboard.py uses it too."""

from __future__ import annotations

import csv
import datetime
import io
import json

from chalicelib.catalogue import Catalogue
from chalicelib.domain.deadlines import wanted_deadlines
from chalicelib.store.base import (
    AuditEntry,
    CaseChange,
    CaseState,
    OutboxEvent,
    RecordVersion,
)

from tests.examples import DEFAULT_TODAY, load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/full")
SURNAME, FORENAMES = MG14["surname"], MG14["forenames"]
FAR_FUTURE = "9999-12-31T00:00:00.000000Z"   # so no dispatcher delivers it before it dies

#: (case_ref, state, condition type, terminal): what `seed` stores.
CASES = [
    ("MG14-DASH000001", "considered", "one_session", False),
    ("MG14-DASH000002", "administered", "one_session", False),
    ("MG14-DASH000003", "closed_complied", "one_session", True),
    ("MG14-DASH000004", "failure_response", "three_session", True),
    ("MG14-DASH000005", "administered", "two_session", False),
    ("MG14-DASH000006", "declined", None, True),
]


def _iso(day: datetime.date) -> str:
    return f"{day.isoformat()}T09:00:00.000000Z"


def seed(store, today: datetime.date, catalogue: Catalogue | None = None) -> dict:
    """Six cases, two overdue deadlines, one due today, one future, and one dead letter;
    returns what the view should show."""
    at = _iso(today - datetime.timedelta(days=30))
    catalogue = catalogue or Catalogue()   # the browser test's: `dipforms run` built it
    for ref, state, condition, terminal in CASES:
        data = dict(MG14, dip_condition_type=condition or "one_session")
        version = RecordVersion(record_id=ref, version=1, form_id="mg14", form_version="1.0",
                                data=data, created_at=at, created_by="pc_jones",
                                agency="northshire_police")
        facts = {"condition_type": condition, "offence_date": "2026-10-01",
                 "offender_surname": SURNAME} if condition else {"offender_surname": SURNAME}
        # Overdue = still wanted by the case (no first contact yet) and past its date.
        if ref == "MG14-DASH000002":
            facts["contact_by_date"] = _day(today, -4)
        if ref == "MG14-DASH000005":
            facts["contact_by_date"] = _day(today, -11)
        case = CaseState(case_ref=ref, process="dip_conditional_caution", state=state,
                         version=1, opened_at=at, updated_at=at, facts=facts, closed=terminal)
        # as the case engine commits: the whole set of deadlines the case wants
        deadlines = wanted_deadlines(catalogue.case_process.deadlines, case,
                                     catalogue.settings)
        events = []
        if ref == "MG14-DASH000004":
            events = [OutboxEvent(
                event_id="ev-dash-dead", record_id=ref, event="N13", form_id="mg14",
                channel="email", recipient={"agency": "northshire_police",
                                            "name": "Custody Sergeant Example",
                                            "email": "sergeant@police.example"},
                payload={"reference": ref, "surname": SURNAME}, created_at=at,
                next_attempt_at=FAR_FUTURE)]
        store.commit(version, AuditEntry(at=at, actor="pc_jones", role="police",
                                         agency="northshire_police", action="submit",
                                         target=ref), events,
                     case_change=CaseChange(case=case, deadlines=deadlines, record_ids=[ref]))
    store.mark_failed("ev-dash-dead", "DeliveryFailed: ses: MessageRejected", None)
    return {"open": 3, "closed": 3, "overdue": [("MG14-DASH000005", "contact_by_passed"),
                                                ("MG14-DASH000002", "contact_by_passed")],
            "dead": ["ev-dash-dead"]}


def _day(today: datetime.date, offset: int) -> str:
    return (today + datetime.timedelta(days=offset)).isoformat()


def _no_personal_data(text: str) -> None:
    for value in (SURNAME, FORENAMES, "Custody Sergeant", "sergeant@", "MessageRejected",
                  "2026-10-01"):
        assert value not in text, value


def test_only_dat_admin_may_see_the_view_and_every_refusal_is_audited(api):
    for role in ("police", "cps", "cjit", "probation", "carat"):
        for path in ("/v1/dashboard", "/v1/dashboard.csv", "/v1/dashboard.csv?table=dead"):
            response = api.get(path, role=role)
            assert response.status_code == 403, (role, path)
            assert json.loads(response.body) == {
                "ok": False, "status": 403, "error": "forbidden",
                "message": "Your role may not do this", "errors": []}
    assert api.get("/v1/dashboard", role=None).status_code == 401
    assert api.get("/v1/dashboard.csv", role=None).status_code == 401
    audit = api.runtime.context.store.list_audit("dashboard", limit=100)
    assert len(audit) == 15
    assert {a.action for a in audit} == {"dashboard_read_denied", "dashboard_export_denied"}
    assert {a.role for a in audit} == {"police", "cps", "cjit", "probation", "carat"}
    # a dat_admin of an agency the protocol does not know is refused too
    other = api.client.http.get("/v1/dashboard", headers={
        "Authorization": f"Bearer {api.token('dat_admin', agency='elsewhere_dat')}"})
    assert other.status_code == 403


def test_dat_admin_sees_counts_overdue_actions_and_dead_letters(api):
    store = api.runtime.context.store
    expected = seed(store, DEFAULT_TODAY, api.runtime.context.catalogue)
    response = api.get("/v1/dashboard", role="dat_admin")
    assert response.status_code == 200, response.body
    assert response.headers["Cache-Control"] == "no-store"
    view = json.loads(response.body)["dashboard"]
    assert view["today"] == DEFAULT_TODAY.isoformat()
    assert view["totals"] == {"cases": 6, "open": expected["open"], "closed": expected["closed"]}
    rows = {r["condition_type"]: r for r in view["counts"]["rows"]}
    assert rows["one_session"]["counts"]["open"] == 2
    assert rows["one_session"]["counts"]["closed_complied"] == 1
    assert rows["two_session"]["counts"]["open"] == 1
    assert rows["three_session"]["counts"]["failure_response"] == 1
    assert rows["unknown"]["counts"]["declined"] == 1
    assert [o["id"] for o in view["counts"]["outcomes"]][:2] == ["open", "closed_complied"]
    assert "exit" in {o["id"] for o in view["counts"]["outcomes"]}
    overdue = view["overdue"]
    assert [(i["case_ref"], i["reason"]) for i in overdue["items"]] == expected["overdue"]
    assert overdue["items"][0]["days_overdue"] == 10 and not overdue["truncated"]
    dead = view["dead_letters"]
    assert [i["event_id"] for i in dead["items"]] == expected["dead"]
    assert dead["items"][0]["case_ref"] == "MG14-DASH000004"
    assert dead["items"][0]["error"] == "DeliveryFailed"
    assert dead["items"][0]["agency"] == "northshire_police"
    _no_personal_data(response.body.decode() if isinstance(response.body, bytes)
                      else response.body)
    actions = [a.action for a in store.list_audit("dashboard", limit=10)]
    assert actions == ["dashboard_read"]


def test_csv_export_is_an_attachment_with_each_table(api):
    store = api.runtime.context.store
    seed(store, DEFAULT_TODAY, api.runtime.context.catalogue)
    response = api.get("/v1/dashboard.csv", role="dat_admin")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="dipforms-counts-{DEFAULT_TODAY.isoformat()}.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    text = response.body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:3] == ["condition_type", "condition", "open"]
    assert rows[1][:3] == ["one_session", "One session condition", "2"]
    assert rows[-1][0] == "all" and rows[-1][-1] == "6"
    overdue = api.get("/v1/dashboard.csv?table=overdue", role="dat_admin").body.decode()
    assert [r[:2] for r in csv.reader(io.StringIO(overdue, newline=""))][1:] == [
        ["MG14-DASH000005", "contact_by_passed"], ["MG14-DASH000002", "contact_by_passed"]]
    dead = api.get("/v1/dashboard.csv?table=dead", role="dat_admin").body.decode()
    assert [r[0] for r in csv.reader(io.StringIO(dead, newline=""))] == ["event_id",
                                                                         "ev-dash-dead"]
    for body in (text, overdue, dead):
        _no_personal_data(body)
    bad = api.get("/v1/dashboard.csv?table=everything", role="dat_admin")
    assert bad.status_code == 400
    assert json.loads(bad.body)["errors"][0]["field"] == "table"
    actions = [a.action for a in store.list_audit("dashboard", limit=10)]
    assert actions == ["dashboard_export"] * 4


def test_an_empty_store_gives_zero_counts(api):
    response = api.get("/v1/dashboard", role="dat_admin")
    view = json.loads(response.body)["dashboard"]
    assert view["totals"] == {"cases": 0, "open": 0, "closed": 0}
    assert view["overdue"]["items"] == [] and view["dead_letters"]["items"] == []
    rows = list(csv.reader(io.StringIO(
        api.get("/v1/dashboard.csv", role="dat_admin").body.decode(), newline="")))
    assert len(rows) == 6 and rows[-1][-1] == "0"


def test_cases_made_through_the_api_are_counted_by_their_condition_and_outcome(api):
    """The case engine end to end: MG14s open cases (their condition becomes a fact) where
    they say, and one the offender declined is closed."""
    declined = next(e.data for e in load_examples("mg14") if e.name == "valid/declined")
    for data, condition in ((MG14, "three_session"), (declined, "two_session")):
        response = api.submit("mg14", dict(data, dip_condition_type=condition))
        assert response.status_code == 201, response.body
    response = api.get("/v1/dashboard", role="dat_admin")
    view = json.loads(response.body)["dashboard"]
    rows = {r["condition_type"]: r for r in view["counts"]["rows"]}
    assert view["totals"] == {"cases": 2, "open": 1, "closed": 1}
    assert rows["three_session"]["counts"]["open"] == 1
    assert rows["two_session"]["counts"]["declined"] == 1    # the MG14 says so
    _no_personal_data(response.body.decode())
