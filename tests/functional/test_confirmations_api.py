"""Warnings through the API on both stores: a submission or amendment whose answers raise
warnings is refused (422 confirmation_required, in the one error shape, each warning with
its rule, message and source) until each has a reason; nothing is kept when refused; the
reasons are kept with the version and read back; they are never in the audit or events."""

from __future__ import annotations

import json
import uuid

from tests.examples import load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")
#: CC-09 (recent similar offending) and CC-04b (consequences not explained) warn.
WARNED = {**MG14, "recent_similar_offending": True, "attendance_consequences_explained": False}
REASONS = {"CC-09": "First offence of this kind in five years; CPS agreed",
           "CC-04b": "Explained by the custody sergeant before interview"}


def answer(response) -> dict:
    return json.loads(response.body)


def records(api) -> list[dict]:
    return answer(api.get("/v1/records?form=mg14"))["records"]


def test_warnings_without_reasons_are_refused_and_nothing_is_kept(api):
    key = str(uuid.uuid4())
    response = api.submit("mg14", WARNED, key=key)
    body = answer(response)
    assert response.status_code == 422 and body["error"] == "confirmation_required"
    assert set(body) == {"ok", "status", "error", "message", "errors"}
    by_rule = {e["code"]: e for e in body["errors"]}
    assert set(by_rule) == {"CC-09", "CC-04b"}
    assert by_rule["CC-09"]["field"] == "/recent_similar_offending"
    assert by_rule["CC-09"]["message"].startswith("Recent offending of a similar nature")
    assert by_rule["CC-09"]["source"] == ["dip-condition-operational-guidelines.txt §4.1"]
    assert records(api) == [] and api.runtime.context.store.list_events() == []
    # the key was let go: the same request with its reasons is taken
    taken = api.submit("mg14", {**WARNED, "_confirmations": REASONS}, key=key)
    assert taken.status_code == 201, taken.body


def test_a_blank_reason_confirms_nothing_and_a_bad_one_is_a_400(api):
    blank = api.submit("mg14", {**WARNED, "_confirmations": {**REASONS, "CC-09": "  "}})
    body = answer(blank)
    assert blank.status_code == 422 and body["error"] == "confirmation_required"
    assert [e["code"] for e in body["errors"]] == ["CC-09"]
    wrong = api.submit("mg14", {**WARNED, "_confirmations": {"CC-09": ["a list"]}})
    assert wrong.status_code == 400 and answer(wrong)["error"] == "bad_request"
    assert answer(wrong)["errors"][0]["field"] == "/_confirmations/CC-09"
    long = api.submit("mg14", {**WARNED, "_confirmations": {**REASONS, "CC-09": "x" * 1001}})
    assert long.status_code == 400 and answer(long)["errors"][0]["code"] == "max_length"
    assert records(api) == []


def test_reasons_are_kept_with_the_version_and_read_back(api):
    sent = {**WARNED, "_confirmations": {**REASONS, "DIP-07": "not asked for"}}
    response = api.submit("mg14", sent)
    assert response.status_code == 201, response.body
    assert sorted(w["code"] for w in answer(response)["warnings"]) == ["CC-04b", "CC-09"]
    record_id = answer(response)["record"]["id"]
    record = answer(api.get(f"/v1/records/{record_id}", role="cps"))["record"]
    assert record["data"] == WARNED                      # the answers, without the key
    kept = {c["rule"]: c for c in record["confirmations"]}
    assert {rule: c["reason"] for rule, c in kept.items()} == REASONS   # not DIP-07
    assert kept["CC-09"]["field"] == "/recent_similar_offending"
    assert kept["CC-09"]["source"] == ["dip-condition-operational-guidelines.txt §4.1"]
    assert "confirmations" not in records(api)[0]
    store = api.runtime.context.store
    logged = json.dumps([e.__dict__ for e in store.list_audit(target=record_id)])
    logged += json.dumps([e.payload for e in store.list_events()])
    assert all(reason not in logged for reason in REASONS.values())


def test_an_amendment_that_raises_a_warning_needs_a_reason_too(api):
    created = answer(api.submit("mg14", MG14))["record"]
    path = f"/v1/records/{created['id']}"
    change = {"reason": "Previous record found", "base_version": 1,
              "data": {**MG14, "recent_similar_offending": True}}
    refused = api.put(path, change)
    assert refused.status_code == 422 and answer(refused)["error"] == "confirmation_required"
    assert [e["code"] for e in answer(refused)["errors"]] == ["CC-09"]
    assert [v["version"] for v in answer(api.get(path))["versions"]] == [1]
    change["data"] = {**change["data"], "_confirmations": {"CC-09": "Old, unrelated offence"}}
    amended = api.put(path, change)
    assert amended.status_code == 200, amended.body
    latest = answer(api.get(path))["record"]
    assert latest["version"] == 2 and "_confirmations" not in latest["data"]
    assert [(c["rule"], c["reason"]) for c in latest["confirmations"]] == [
        ("CC-09", "Old, unrelated offence")]
    assert answer(api.get(f"{path}?version=1"))["record"]["confirmations"] == []
