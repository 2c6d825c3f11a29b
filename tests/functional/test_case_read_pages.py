"""GET /v1/cases/{ref} in pages, on SQLite and on DynamoDB (moto): the answer holds one
page of the records (attach order) and one of the timeline (newest first), with cursors
for the rest; every page is cut for its reader exactly as the whole case would be, a
cursor reads only the case it was issued for, and the notifications' delivery is read in
one batch, not one read each."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from chalicelib.domain.caseview import page_cursor

from tests.functional.test_cases_api import (
    RA_ATTENDED,
    Case,
    example,
    northshire_police_consent,
    with_assessment,
)


def read(case: Case, role: str = "police", **params: str | int):
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
    return case.api.get(f"/v1/cases/{case.ref}" + (f"?{query}" if query else ""), role=role)


def page(case: Case, role: str = "police", **params) -> dict:
    response = read(case, role, **params)
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def every_page(case: Case, kind: str, role: str = "police", limit: int = 2) -> list[list]:
    """The pages of `kind` (timeline, records), following the cursors from the first."""
    pages, cursor = [], None
    while True:
        body = page(case, role, limit=limit, **({f"{kind}_cursor": cursor} if cursor else {}))
        pages.append(body[kind])
        cursor = body[f"{kind}_cursor"]
        if cursor is None:
            return pages


def a_long_case(api) -> Case:
    """A case of three records (MG14, assessment, consent to share with the police)."""
    case = Case(api)
    with_assessment(case)
    response = case.attach("consent_to_share_information", northshire_police_consent())
    assert response.status_code == 201, response.body
    case.consent_id = json.loads(response.body)["record"]["id"]
    return case


def test_the_pages_hold_the_whole_case_newest_timeline_first(api):
    case = a_long_case(api)
    whole = page(case, "cjit", limit=200)
    assert whole["timeline_cursor"] is None and whole["records_cursor"] is None
    assert len(whole["timeline"]) > 4 and len(whole["records"]) == 3

    timeline = every_page(case, "timeline", "cjit")
    assert all(len(p) == 2 for p in timeline[:-1]) and 1 <= len(timeline[-1]) <= 2
    assert timeline[0] == whole["timeline"][-2:]        # the first page: the newest two
    assert [e for p in reversed(timeline) for e in p] == whole["timeline"]

    records = every_page(case, "records", "cjit")
    assert records[0] == whole["records"][:2]           # attach order: the MG14 first
    assert [r for p in records for r in p] == whole["records"]


def test_the_first_page_is_fifty_of_each_unless_asked(api):
    case = Case(api)
    body = page(case)
    assert body["timeline"] and body["timeline_cursor"] is None
    assert [r["form"] for r in body["records"]] == ["mg14"]
    assert body["records_cursor"] is None


def test_every_page_is_cut_as_the_whole_case_is(api):
    """The police see the assessment only as far as consent allows, on every page; a
    withdrawal between two pages narrows the next page at once."""
    case = a_long_case(api)
    whole = {r["id"]: r for r in page(case, limit=200)["records"]}
    paged = {r["id"]: r for p in every_page(case, "records", limit=1) for r in p}
    assert paged == whole
    first = page(case, limit=1)
    consent_id = case.consent_id
    withdrawn = {**example("consent_to_share_information", "valid/withdrawn"),
                 "case_ref": case.ref}
    amended = case.api.put(f"/v1/records/{consent_id}", {"data": withdrawn, "reason":
                           "Client withdrew consent", "base_version": 1}, role="cjit")
    assert amended.status_code == 200, amended.body
    rest = {r["id"]: r for r in page(case, limit=200,
                                     records_cursor=first["records_cursor"])["records"]}
    assessment = next(i for i, r in whole.items() if r["form"] == "dir_required_assessment")
    assert set(rest[assessment]["data"]) < set(whole[assessment]["data"])
    assert set(rest[assessment]["data"]) <= set(RA_ATTENDED) | {"case_ref"}


def test_a_cursor_reads_only_the_case_it_was_made_for(api):
    mine, other = a_long_case(api), a_long_case(api)
    cursor = page(other, limit=1)["timeline_cursor"]
    refused = read(mine, timeline_cursor=cursor)
    assert refused.status_code == 400, refused.body
    assert json.loads(refused.body)["errors"][0]["field"] == "timeline_cursor"
    records_cursor = page(mine, limit=1)["records_cursor"]
    assert read(mine, timeline_cursor=records_cursor).status_code == 400   # another list
    forged = base64.urlsafe_b64encode(json.dumps(["timeline", mine.ref, -1]).encode())
    for bad in ("nonsense", forged.decode(), "e30"):
        response = read(mine, timeline_cursor=bad)
        assert response.status_code == 400, (bad, response.body)
    for limit in ("0", "201", "ten"):
        response = read(mine, limit=limit)
        assert response.status_code == 400, response.body
        assert json.loads(response.body)["errors"][0]["field"] == "limit"


def test_a_page_is_refused_to_whoever_may_not_read_the_case(api):
    """A cursor is no key: someone not party to the case gets 404 on every page, audited
    as a refused read, as for the case itself."""
    case = a_long_case(api)
    issued = page(case, limit=1)["timeline_cursor"]
    unknown = case.api.get("/v1/cases/MG14-9999999999", role="carat")
    for cursor in (issued, page_cursor("timeline", case.ref, 3)):
        refused = read(case, "carat", timeline_cursor=cursor)
        assert (refused.status_code, refused.body) == (404, unknown.body)
    actions = [e.action for e in api.runtime.context.store.list_audit(target=case.ref)]
    assert actions.count("case_read_denied") == 2


def test_the_timeline_reads_the_deliveries_in_one_batch(api, monkeypatch):
    case = a_long_case(api)
    store = api.runtime.context.store
    asked: list[list[str]] = []
    batch = store.get_events

    def one_at_a_time(event_id):
        raise AssertionError(f"the timeline read notification {event_id} on its own")

    def counted(event_ids):
        asked.append(list(event_ids))
        return batch(event_ids)

    monkeypatch.setattr(store, "get_event", one_at_a_time)
    monkeypatch.setattr(store, "get_events", counted)
    body = page(case, "dat_admin", limit=200)      # the DAT sees every notification
    told = [e for e in body["timeline"] if e["kind"] == "notification"]
    assert told and len(asked) == 1
    assert sorted(asked[0]) == sorted(e["ref"] for e in told)
    assert all(e["status"] == "waiting" for e in told)
