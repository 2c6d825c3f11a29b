"""Finding 13 of issue 15: every admin action answers what it did. Retrying a dead letter
answered 500 "nothing was kept" though the event was queued again (and then delivered)."""

from __future__ import annotations

import json

from tests.examples import load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")


def _dead_letter(api) -> str:
    assert api.submit("mg14", MG14).status_code == 201
    store = api.runtime.context.store
    event = store.list_events()[0]
    store.mark_failed(event.event_id, "DeliveryFailed: ses: MessageRejected", None)
    assert store.get_event(event.event_id).status == "dead"
    return event.event_id


def _retry(api, event_id: str, role: str = "dat_admin"):
    return api.client.http.post(f"/v1/outbox/{event_id}/retry", headers=api.headers(role),
                                body=b"{}")


def test_a_retried_dead_letter_is_answered_as_queued_again(api):
    event_id = _dead_letter(api)
    response = _retry(api, event_id)
    assert response.status_code == 200, response.body
    body = json.loads(response.body)
    assert body["ok"] is True and body["status"] == 200
    assert body["event"]["id"] == event_id
    assert (body["event"]["status"], body["event"]["attempts"]) == ("pending", 0)
    stored = api.runtime.context.store.get_event(event_id)
    assert (stored.status, stored.attempts) == ("pending", 0)
    assert body["event"]["next_attempt_at"] == stored.next_attempt_at  # due at once
    assert "payload" not in body["event"]  # what happened, never the answers it carries


def test_a_retry_of_what_is_not_dead_lettered_says_so_and_changes_nothing(api):
    event_id = _dead_letter(api)
    assert _retry(api, event_id).status_code == 200
    again = _retry(api, event_id)
    assert again.status_code == 409 and json.loads(again.body)["error"] == "not_dead_lettered"
    store = api.runtime.context.store
    store.mark_sent(event_id, api.runtime.context.timestamp())
    sent = _retry(api, event_id)
    assert sent.status_code == 409 and json.loads(sent.body)["error"] == "not_dead_lettered"
    assert store.get_event(event_id).status == "sent"
    missing = _retry(api, "EV-NO-SUCH")
    assert missing.status_code == 404 and json.loads(missing.body)["error"] == "not_found"
    assert _retry(api, event_id, role="police").status_code == 403


def test_every_admin_route_answers_200_in_its_shape(api):
    _dead_letter(api)
    listed = api.get("/v1/outbox/dead", role="dat_admin")
    assert listed.status_code == 200 and len(json.loads(listed.body)["events"]) == 1
    view = api.get("/v1/dashboard", role="dat_admin")
    assert view.status_code == 200 and json.loads(view.body)["ok"] is True
    for table in ("counts", "overdue", "dead"):
        csv = api.get(f"/v1/dashboard.csv?table={table}", role="dat_admin")
        assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")


def test_get_event_reads_one_event_or_none(api):
    event_id = _dead_letter(api)
    store = api.runtime.context.store
    assert store.get_event(event_id).event_id == event_id
    assert store.get_event("EV-NO-SUCH") is None
