"""The DAT view from kept counts is exactly the view from reading every case: on each real
store (SQLite, DynamoDB on moto), over random case histories written through the Store as
the case engine writes them and through the API's case commands and the sweep, and on
days that pass with no write. `dashboard_views.recounted` is the old full read, kept for
this; `recount` rebuilds the kept counts for a store made before them."""

from __future__ import annotations

import copy
import datetime
import json
import random

from chalicelib import dashboard_views
from chalicelib.domain import dashboard
from chalicelib.domain.deadlines import wanted_deadlines
from chalicelib.store.base import (
    AuditEntry,
    CaseChange,
    CaseState,
    OutboxEvent,
    RecordVersion,
)

from tests.examples import load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")
CONDITIONS = ("one_session", "two_session", "three_session", None, "not_a_code", 3)
DATE_FACTS = ("contact_by_date", "comply_by_date", "offence_date", "supervision_start",
              "supervision_end", "followup_ra_at")
FAR_FUTURE = "9999-12-31T00:00:00.000000Z"


def _same_view(ctx) -> dict:
    """The kept view equals the full recount, its JSON and each CSV table alike."""
    kept, counted = dashboard_views.summary(ctx), dashboard_views.recounted(ctx)
    assert kept == counted
    for table in dashboard.TABLES:
        assert dashboard.to_csv(kept, table) == dashboard.to_csv(counted, table)
    return kept


def _over_days(ctx, days: range) -> list[dict]:
    """The views on each of `days` from now, the clock moved and put back, nothing written."""
    views = []
    for offset in days:
        ctx.clock.advance(days=offset)
        try:
            views.append(_same_view(ctx))
        finally:
            ctx.clock.advance(days=-offset)
    return views


def _audit(at: str, ref: str, action: str = "case_change") -> AuditEntry:
    return AuditEntry(at=at, actor="pc_jones", role="police", agency="northshire_police",
                      action=action, target=ref)


def _random_case(rng: random.Random, ctx, ref: str, version: int, opened_at: str,
                 at: str) -> CaseState:
    states = [s["id"] for s in ctx.catalogue.process["states"]]
    terminal = {s["id"] for s in ctx.catalogue.process["states"] if s.get("terminal")}
    state = rng.choice([*states, "retired_state"])
    closed = state in terminal or (state == "retired_state" and rng.random() < 0.7)
    if rng.random() < 0.05:
        closed = not closed      # a stored flag the process no longer agrees with
    today = ctx.today()
    facts: dict = {}
    condition = rng.choice(CONDITIONS)
    if condition is not None:
        facts["condition_type"] = condition
    for name in DATE_FACTS:
        if rng.random() < 0.6:
            facts[name] = (today + datetime.timedelta(days=rng.randint(-40, 40))).isoformat()
    return CaseState(case_ref=ref, process="dip_conditional_caution", state=state,
                     version=version, opened_at=opened_at, updated_at=at, facts=facts,
                     closed=closed)


def _wanted(ctx, case: CaseState):
    process = ctx.catalogue.case_process
    return wanted_deadlines(process.deadlines, case, ctx.catalogue.settings)


def _random_histories(ctx, rng: random.Random, cases: int, changes: int) -> list[dict]:
    """`cases` cases opened and moved at random, as the engine commits (the wanted
    deadline set with each change), with sweeps, dead letters and days passing between."""
    from chalicelib.sweep import run_sweep

    store, versions, views = ctx.store, {}, []
    for step in range(cases * changes):
        at = ctx.timestamp()
        ref = f"MG14-RAND{rng.randrange(cases):06d}"
        if ref not in versions:
            record = RecordVersion(record_id=ref, version=1, form_id="mg14",
                                   form_version="1.0", data=copy.deepcopy(MG14), created_at=at,
                                   created_by="pc_jones", agency="northshire_police")
            case = _random_case(rng, ctx, ref, 1, at, at)
            store.commit(record, _audit(at, ref, "submit"), [], case_change=CaseChange(
                case=case, deadlines=_wanted(ctx, case), record_ids=[ref]))
            versions[ref] = (1, at)
        else:
            version, opened_at = versions[ref]
            case = _random_case(rng, ctx, ref, version + 1, opened_at, at)
            store.change_case(CaseChange(case=case, deadlines=_wanted(ctx, case)),
                              _audit(at, ref), [])
            versions[ref] = (version + 1, opened_at)
        if rng.random() < 0.1:
            event_id = f"ev-rand-{step}"
            moved = _moved(store.get_case(ref), at)
            store.change_case(CaseChange(case=moved, deadlines=_wanted(ctx, moved)),
                              _audit(at, ref), [OutboxEvent(
                                  event_id=event_id, record_id=ref, event="N10",
                                  form_id="mg14", channel="file",
                                  recipient={"agency": "northshire_police"},
                                  payload={"reference": ref}, created_at=at,
                                  next_attempt_at=FAR_FUTURE)])
            versions[ref] = (versions[ref][0] + 1, versions[ref][1])
            store.mark_failed(event_id, "DeliveryFailed: test", None)
        if rng.random() < 0.15:
            run_sweep(ctx, ctx.clock.now())
        if rng.random() < 0.2:
            ctx.clock.advance(days=rng.randint(1, 5))
        if step % 15 == 0:
            views.append(_same_view(ctx))
    return views


def _moved(case: CaseState, at: str) -> CaseState:
    """The case one version on, unchanged but for when (a change that adds only events)."""
    return CaseState(case.case_ref, case.process, case.state, case.version + 1,
                     case.opened_at, at, case.facts, case.closed)


def test_kept_counts_equal_a_full_recount_over_random_histories(api):
    ctx = api.runtime.context
    during = _random_histories(ctx, random.Random(18), cases=25, changes=6)
    views = _over_days(ctx, range(0, 60, 7))
    assert views[0]["totals"]["cases"] == 25
    # the histories reach what the view shows: every kind of row, overdue items that grow
    # with the days passing, and dead letters
    assert views[0]["counts"]["totals"]["open"] and views[0]["totals"]["closed"]
    assert {"unknown", "one_session"} <= {r["condition_type"] for r in
                                          views[0]["counts"]["rows"] if r["total"]}
    assert "other_closed" in {o["id"] for v in during for o in v["counts"]["outcomes"]}
    assert views[-1]["overdue"]["count"] > views[0]["overdue"]["count"] > 0
    assert views[0]["dead_letters"]["count"] > 0


def test_a_changed_case_moves_from_one_count_to_another(api):
    """A case's change takes it off its old count and onto its new one at once, and a
    closed case's deadlines leave the overdue list with it."""
    ctx = api.runtime.context
    store, at = ctx.store, ctx.timestamp()
    ref = "MG14-MOVE000001"
    day = ctx.today()
    facts = {"condition_type": "two_session",
             "contact_by_date": (day - datetime.timedelta(days=6)).isoformat()}
    opened = CaseState(ref, "dip_conditional_caution", "administered", 1, at, at, facts)
    store.commit(RecordVersion(ref, 1, "mg14", "1.0", copy.deepcopy(MG14), at, "pc_jones",
                               "northshire_police"), _audit(at, ref, "submit"), [],
                 case_change=CaseChange(opened, deadlines=_wanted(ctx, opened),
                                        record_ids=[ref]))
    view = _same_view(ctx)
    rows = {r["condition_type"]: r["counts"] for r in view["counts"]["rows"]}
    assert rows["two_session"]["open"] == 1
    assert [(i["case_ref"], i["reason"]) for i in view["overdue"]["items"]] == [
        (ref, "contact_by_passed")]
    closed = CaseState(ref, "dip_conditional_caution", "exit", 2, at, at, facts, closed=True)
    store.change_case(CaseChange(closed, deadlines=_wanted(ctx, closed)), _audit(at, ref), [])
    view = _same_view(ctx)
    rows = {r["condition_type"]: r["counts"] for r in view["counts"]["rows"]}
    assert (rows["two_session"]["open"], rows["two_session"]["exit"]) == (0, 1)
    assert view["overdue"]["items"] == []


# -- through the API: the case commands, records that move cases, the sweep -------------

def _example(form: str, name: str) -> dict:
    return copy.deepcopy(next(e.data for e in load_examples(form) if e.name == name))


def _mg14_variants() -> list[dict]:
    return [_example("mg14", "valid/minimal"), _example("mg14", "valid/full")]


ATTACHABLE = [
    ("dip_session1_triage", "valid/one_session", "case_ref"),
    ("dip_session1_triage", "valid/full", "case_ref"),
    ("compliance_report", "valid/minimal", "case_ref"),
    ("compliance_report", "valid/full", "case_ref"),
    ("dir_required_assessment", "valid/full", "cc_case_ref"),
]
STEPS = [("not_a_drug_misuser", "police", {"reason": "Not a drug misuser"}),
         ("cps_refuses", "cps", {"reason": "Not in the public interest"}),
         ("cc_after_failed_ra", "police", {})]


def _close_one(api, ref: str) -> None:
    """A one-session case (the minimal MG14) walked to closed_complied, as the agencies do."""
    for form, name in (("dip_session1_triage", "valid/one_session"),
                       ("compliance_report", "valid/minimal")):
        response = api.submit(form, {**_example(form, name), "case_ref": ref}, role="cjit")
        assert response.status_code == 201, response.body
    base = json.loads(api.get(f"/v1/records/{ref}", role="police").body)["record"]
    told = api.put(f"/v1/records/{ref}", {
        "data": {**_mg14_variants()[0], "police_outcome": "complied_case_closed",
                 "offender_informed_at": "2026-11-25"},
        "reason": "The outcome is known", "base_version": base["version"]}, role="police")
    assert told.status_code == 200, told.body


def test_the_api_case_commands_and_the_sweep_keep_the_counts(api):
    from chalicelib.sweep import run_sweep

    ctx = api.runtime.context
    rng = random.Random(1818)
    refs: list[str] = []
    for index in range(12):     # opened on the examples' day (their dates are valid then)
        mg14 = _mg14_variants()[0] if index == 0 else rng.choice(_mg14_variants())
        response = api.submit("mg14", mg14, role="police")
        assert response.status_code == 201, response.body
        refs.append(json.loads(response.body)["case"])
    _close_one(api, refs[0])
    _same_view(ctx)
    for index in range(40):
        ref = rng.choice(refs)
        if rng.random() < 0.5:
            form, name, field = rng.choice(ATTACHABLE)
            data = {**_example(form, name), field: ref}
            if form == "dir_required_assessment":
                data["prompt"] = "conditional_caution"
            api.submit(form, data, role="cjit")           # refused or not, kept counts hold
        else:
            transition, role, answers = rng.choice(STEPS)
            api.client.http.post(f"/v1/cases/{ref}/transitions", headers=api.headers(role),
                                 body=json.dumps({"transition": transition, **answers}))
        if rng.random() < 0.2:
            ctx.clock.advance(days=rng.randint(1, 4))
            run_sweep(ctx, ctx.clock.now())
        if index % 10 == 9:
            _same_view(ctx)
    views = _over_days(ctx, range(0, 90, 15))
    served = json.loads(api.get("/v1/dashboard", role="dat_admin").body)["dashboard"]
    assert served == views[0]
    assert views[0]["totals"]["cases"] == len(refs)
    assert views[0]["totals"]["closed"] > 0 and views[-1]["overdue"]["count"] > 0


def test_recount_rebuilds_the_counts_of_a_store_made_before_them(api):
    """A store whose cases were written before the counts were kept (here: the kept rows
    emptied) shows nothing until `recount`, then exactly the full recount; run again, the
    same."""
    ctx = api.runtime.context
    _random_histories(ctx, random.Random(7), cases=12, changes=3)
    counted = dashboard_views.recounted(ctx)
    ctx.store.recount([])
    for case in ctx.store.iter_cases():
        ctx.store.reindex_outstanding(case.case_ref, [])
    emptied = dashboard_views.summary(ctx)
    assert emptied["totals"]["cases"] == 0 and emptied["overdue"]["count"] == 0
    cases = counted["totals"]["cases"]
    assert cases > 5 and counted["overdue"]["count"] > 0
    assert dashboard_views.recount(ctx) == cases
    assert dashboard_views.summary(ctx) == counted
    assert dashboard_views.recount(ctx) == cases
    _same_view(ctx)
    _over_days(ctx, range(0, 40, 13))


def test_dipforms_recount_rebuilds_the_counts_and_says_how_many(api, capsys, monkeypatch):
    """The admin's command: `dipforms recount` on the running store (the API's runtime)."""
    from chalicelib import manage

    monkeypatch.delenv("DIPFORMS_CLOCK", raising=False)
    ctx = api.runtime.context
    _random_histories(ctx, random.Random(11), cases=8, changes=2)
    counted = dashboard_views.recounted(ctx)
    ctx.store.recount([])
    assert dashboard_views.summary(ctx)["totals"]["cases"] == 0
    capsys.readouterr()
    assert manage.main(["recount"]) == 0
    cases = counted["totals"]["cases"]
    assert capsys.readouterr().out == f"{cases} case(s) counted for the DAT view\n"
    assert cases > 3 and dashboard_views.summary(ctx) == counted
