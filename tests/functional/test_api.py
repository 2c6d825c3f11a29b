"""The API on both stores through chalice's test Client: every route, the one error
shape, idempotency, amendments and versions, roles, audit, and the outbox events."""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import pytest

from tests.api_harness import USERS
from tests.examples import ROOT, load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")
MG14_FULL = next(e.data for e in load_examples("mg14") if e.name == "valid/full")
ERROR_KEYS = {"ok", "status", "error", "message", "errors"}
MANIFEST = json.loads((ROOT / "schemas" / "manifest.json").read_text())


def error_of(response) -> str:
    body = json.loads(response.body)
    assert set(body) == ERROR_KEYS and body["ok"] is False
    assert body["status"] == response.status_code
    return body["error"]


def created(api, form="mg14", data=None, role="police") -> dict:
    response = api.submit(form, MG14 if data is None else data, role=role)
    assert response.status_code == 201, response.body
    return json.loads(response.body)["record"]


def test_health_and_openapi_need_no_token(api):
    assert api.get("/v1/health", role=None).status_code == 200
    response = api.get("/v1/openapi.json", role=None)
    assert response.status_code == 200
    document = json.loads(response.body)
    assert document["openapi"] == "3.1.0"
    assert "/v1/forms/mg14/submissions" in document["paths"]


@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/forms"), ("GET", "/v1/draft-key"), ("POST", "/v1/forms/mg14/submissions"),
    ("GET", "/v1/records?form=mg14"),
    ("GET", "/v1/records/MG14-1"), ("PUT", "/v1/records/MG14-1"), ("GET", "/v1/outbox/dead"),
    ("POST", "/v1/outbox/EV-1/retry"),
])
def test_every_other_route_needs_a_valid_token(api, method, path):
    bad = {"none": {}, "garbage": {"Authorization": "Bearer not-a-jwt"},
           "expired": {"Authorization": f"Bearer {api.token('dat_admin', ttl=60, age=600)}"},
           "basic": {"Authorization": "Basic dXNlcjpwYXNz"}}
    for headers in bad.values():
        response = api.client.http.request(method, path, headers={
            "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4()), **headers},
            body=b"{}")
        assert response.status_code == 401
        assert error_of(response) == "unauthenticated"


def test_forged_token_is_refused(api):
    from chalicelib.tokens import mint_local_token

    forged = mint_local_token(b"x" * 64, subject="pc_jones", role="police",
                              agency="northshire_police", now=int(__import__("time").time()))
    response = api.client.http.get("/v1/forms", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_forms_lists_the_manifest_with_what_the_caller_may_do(api):
    body = json.loads(api.get("/v1/forms", role="cjit").body)
    mg14 = next(f for f in body["forms"] if f["id"] == "mg14")
    assert mg14["may_read"] is True and mg14["may_submit"] is False
    assert len(body["forms"]) == 12


def test_submit_read_and_list(api):
    record = created(api)
    current = next(f["current_version"] for f in MANIFEST["forms"] if f["id"] == "mg14")
    assert record["form"] == "mg14" and record["version"] == 1
    assert record["form_version"] == current
    response = api.get(f"/v1/records/{record['id']}")
    assert response.status_code == 200
    read = json.loads(response.body)
    assert read["record"]["data"] == MG14
    # the page names the case the MG14 opened and who made each version, by name
    assert read["case"] == record["id"]
    assert read["agencies"] == {"northshire_police": "Northshire Police custody suites"}
    admin = json.loads(api.get(f"/v1/records/{record['id']}", role="dat_admin").body)
    assert admin["case"] == record["id"] and "data" not in admin["record"]
    listed = json.loads(api.get("/v1/records?form=mg14").body)
    assert [r["id"] for r in listed["records"]] == [record["id"]]
    assert "data" not in listed["records"][0]


def test_replay_returns_the_first_response_and_stores_nothing_new(api):
    key = str(uuid.uuid4())
    first = api.submit("mg14", MG14, key=key)
    again = api.submit("mg14", MG14, key=key)
    assert again.status_code == 201 and json.loads(again.body) == json.loads(first.body)
    assert again.headers.get("Idempotent-Replayed") == "true"
    listed = json.loads(api.get("/v1/records?form=mg14").body)["records"]
    assert len(listed) == 1


def test_same_key_different_body_is_422(api):
    key = str(uuid.uuid4())
    api.submit("mg14", MG14, key=key)
    changed = {**MG14, "station": "Another station"}
    response = api.submit("mg14", changed, key=key)
    assert response.status_code == 422 and error_of(response) == "idempotency_key_reused"


def test_invalid_submission_gives_field_errors_from_the_yaml_and_no_values(api):
    data = {k: v for k, v in MG14.items() if k != "surname"}
    data["date_of_birth"] = "1990-02-30"
    data["station"] = "SECRET-VALUE-123"
    data["not_a_field"] = "OTHER-SECRET"
    response = api.submit("mg14", data)
    assert response.status_code == 422 and error_of(response) == "invalid"
    errors = json.loads(response.body)["errors"]
    fields = {e["field"]: e for e in errors}
    assert fields["/surname"]["code"] == "required"
    schema = api.runtime.context.catalogue.current("mg14").schema
    written = schema["properties"]["surname"]["x-dipforms-errors"]["required"]["en"]
    assert fields["/surname"]["message"] == written  # the message written in the YAML
    assert "/date_of_birth" in fields and "/not_a_field" in fields
    assert "SECRET" not in response.body.decode() and "1990-02-30" not in response.body.decode()
    assert json.loads(api.get("/v1/records?form=mg14").body)["records"] == []


def test_a_failed_validation_releases_the_key_for_the_corrected_body(api):
    key = str(uuid.uuid4())
    bad = {k: v for k, v in MG14.items() if k != "surname"}
    assert api.submit("mg14", bad, key=key).status_code == 422
    assert api.submit("mg14", bad, key=key).status_code == 422
    response = api.submit("mg14", MG14, key=str(uuid.uuid4()))
    assert response.status_code == 201


@pytest.mark.parametrize("headers,body,status,code", [
    ({"Content-Type": "text/plain"}, b"{}", 415, "unsupported_media_type"),
    ({}, b"{not json", 400, "bad_json"),
    ({}, b'{"x": "' + b"a" * (256 * 1024) + b'"}', 413, "too_large"),
    ({"Idempotency-Key": "not-a-uuid"}, b"{}", 400, "missing_idempotency_key"),
])
def test_bad_requests_get_a_clear_4xx_and_store_nothing(api, headers, body, status, code):
    all_headers = {**api.headers("police", **{"Idempotency-Key": str(uuid.uuid4())}), **headers}
    response = api.client.http.post("/v1/forms/mg14/submissions", headers=all_headers, body=body)
    assert response.status_code == status and error_of(response) == code
    assert json.loads(api.get("/v1/records?form=mg14").body)["records"] == []


def test_unknown_form_and_record_are_404(api):
    assert error_of(api.submit("mg41", MG14)) == "not_found"
    assert api.get("/v1/records/NOPE-1").status_code == 404
    assert api.get("/v1/records?form=mg41").status_code == 404


def test_amendment_is_a_new_version_and_old_versions_stay_readable(api):
    record = created(api)
    amended = {**MG14, "station": "Northtown"}
    response = api.put(f"/v1/records/{record['id']}",
                       {"reason": "Station corrected", "base_version": 1, "data": amended})
    assert response.status_code == 200, response.body
    assert json.loads(response.body)["record"]["version"] == 2
    latest = json.loads(api.get(f"/v1/records/{record['id']}").body)
    assert latest["record"]["data"]["station"] == "Northtown"
    assert [(v["version"], v["reason"]) for v in latest["versions"]] == [
        (1, None), (2, "Station corrected")]
    first = json.loads(api.get(f"/v1/records/{record['id']}?version=1").body)
    assert first["record"]["data"] == MG14


def test_amendment_needs_a_reason_and_the_current_version(api):
    record = created(api)
    path = f"/v1/records/{record['id']}"
    no_reason = api.put(path, {"base_version": 1, "data": MG14})
    assert no_reason.status_code == 400
    assert json.loads(no_reason.body)["errors"][0]["field"] == "/reason"
    assert api.put(path, {"reason": "x", "base_version": 1, "data": MG14}).status_code == 200
    stale = api.put(path, {"reason": "y", "base_version": 1, "data": MG14})
    assert stale.status_code == 409 and error_of(stale) == "version_conflict"
    invalid = api.put(path, {"reason": "z", "base_version": 2, "data": {"surname": 5}})
    assert invalid.status_code == 422


def test_submission_queues_the_protocols_notification_in_the_same_step(api):
    record = created(api)
    events = api.runtime.context.store.list_events()
    # the referral its caution given makes (N05, issue 16): the one message of the MG14
    assert [(e.record_id, e.event, e.recipient["agency"], e.channel) for e in events] == [
        (record["id"], "N05", "northshire_cjit", "email")]
    assert all("surname" not in json.dumps(e.payload) for e in events)


def test_reads_and_writes_are_audited_without_values(api):
    record = created(api)
    api.get(f"/v1/records/{record['id']}", role="cps")
    api.get(f"/v1/records/{record['id']}", role="carat")
    entries = api.runtime.context.store.list_audit(target=record["id"])
    assert sorted((e.actor, e.action) for e in entries) == [
        ("carat_worker", "read_denied"), ("cps_lawyer", "read"), ("pc_jones", "submit")]
    assert "Offender" not in json.dumps([e.__dict__ for e in entries])


PROTOCOL_ACCESS = json.loads((__import__("pathlib").Path(__file__).parents[2] /
                              "schemas/manifest.json").read_text())


def _access():
    from generator.build import build_project
    from generator.edges.files import read_forms_dir
    from tests.api_harness import ROOT

    project = build_project(read_forms_dir(ROOT), {}).project
    return {form: ({r for r, _ in rule.submit}, {r for r, _ in rule.read})
            for form, rule in project.protocol.access.items()}


ACCESS = _access()


@pytest.mark.parametrize("role", sorted(USERS))
def test_role_checks_for_every_role_on_submit_read_and_list(api, role):
    record = created(api)
    may_submit, may_read = ACCESS["mg14"]
    submit = api.submit("mg14", MG14, role=role)
    assert submit.status_code == (201 if role in may_submit else 403)
    readable = role in may_read or role == "dat_admin"
    # a record the reader may not see answers as an unknown one (finding 8)
    assert api.get(f"/v1/records/{record['id']}", role=role).status_code == (
        200 if readable else 404)
    assert api.get("/v1/records?form=mg14", role=role).status_code == (200 if readable else 403)
    amend = api.put(f"/v1/records/{record['id']}", {"reason": "r", "base_version": 1,
                                                     "data": MG14}, role=role)
    assert amend.status_code == (200 if role in may_submit else 403 if readable else 404)
    assert api.get("/v1/outbox/dead", role=role).status_code == (
        200 if role == "dat_admin" else 403)


def test_inputs_the_fuzzer_found_get_4xx_not_5xx(api):
    """Regressions from schemathesis: a forged cursor, a huge version, an odd record id."""
    created(api)
    assert api.get("/v1/records?form=mg14&cursor=not-a-cursor").status_code == 400
    assert api.get("/v1/records/MG14-1?version=99999999999999999999").status_code == 400
    assert api.get("/v1/records/%C3%A9%00x").status_code == 404


def test_concurrent_duplicates_of_one_key_make_one_record(api):
    """Twelve threads send the same submission with the same key at once."""
    import threading

    from chalicelib import records, responses
    from chalicelib.domain.access import Principal

    if type(api.runtime.context.store).__name__ != "SQLiteStore":
        pytest.skip("moto is not thread-safe; the store contract suite interleaves it")
    who = Principal("pc_jones", "police", "northshire_police")
    key, outcomes, barrier = str(uuid.uuid4()), [], threading.Barrier(12)

    def send() -> None:
        barrier.wait()
        answer = responses.answer(records.submit(api.runtime.context, who, "mg14", MG14, key))
        outcomes.append(SimpleNamespace(status=answer.status_code, body=json.loads(answer.body)))

    threads = [threading.Thread(target=send) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = json.loads(api.get("/v1/records?form=mg14").body)["records"]
    assert len(stored) == 1
    assert {o.status for o in outcomes} <= {201, 409}
    assert {o.body["record"]["id"] for o in outcomes if o.status == 201} == {stored[0]["id"]}


def test_concurrent_duplicates_all_get_the_one_answer_as_the_key_is_claimed_at_commit(api):
    """The key is claimed in the commit (issue 18), so no copy finds it in flight: each of
    eight copies sent at once gets 201 and the same record, one of them made, the rest
    replays of it."""
    import threading

    from chalicelib import records
    from chalicelib.domain.access import Principal

    if type(api.runtime.context.store).__name__ != "SQLiteStore":
        pytest.skip("moto is not thread-safe; the store contract suite interleaves it")
    who = Principal("pc_jones", "police", "northshire_police")
    key, outcomes, barrier = str(uuid.uuid4()), [], threading.Barrier(8)

    def send() -> None:
        barrier.wait()
        outcomes.append(records.submit(api.runtime.context, who, "mg14", MG14, key))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(o.created for o in outcomes) and sum(not o.replayed for o in outcomes) == 1
    assert len({o.value["record"]["id"] for o in outcomes}) == 1
    assert len(json.loads(api.get("/v1/records?form=mg14").body)["records"]) == 1


def _break_commits(store):
    """Make the next commits fail inside the store, at the sqlite3 or boto3 boundary."""
    if type(store).__name__ == "SQLiteStore":
        import sqlite3

        connection = sqlite3.connect(store.path)
        connection.execute("CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox "
                           "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        connection.commit()

        def mend() -> None:
            connection.execute("DROP TRIGGER fail_outbox")
            connection.commit()
            connection.close()
        return mend
    from botocore.exceptions import ClientError

    client = store.client
    original = client.transact_write_items

    def failing(**kwargs):
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}},
                          "TransactWriteItems")
    client.transact_write_items = failing
    return lambda: setattr(client, "transact_write_items", original)


def test_a_storage_failure_mid_request_leaves_nothing_and_the_key_reusable(api):
    key = str(uuid.uuid4())
    mend = _break_commits(api.runtime.context.store)
    response = api.submit("mg14", MG14, key=key)
    assert response.status_code == 503 and error_of(response) == "unavailable"
    mend()
    assert json.loads(api.get("/v1/records?form=mg14").body)["records"] == []
    assert api.runtime.context.store.list_events() == []
    assert api.submit("mg14", MG14, key=key).status_code == 201


def test_forms_and_retry_routes_for_every_role(api):
    for role in USERS:
        assert api.get("/v1/forms", role=role).status_code == 200
        response = api.client.http.post("/v1/outbox/EV-NOPE/retry", headers=api.headers(role),
                                        body=b"{}")
        assert response.status_code == (404 if role == "dat_admin" else 403)


def test_draft_key_is_the_callers_own_and_stable(api):
    def key(role, user):
        response = api.client.http.get("/v1/draft-key", headers={
            "Authorization": f"Bearer {api.token(role, user=user)}"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        return json.loads(response.body)

    first = key("police", "pc_jones")
    assert key("police", "pc_jones") == first
    other = key("police", "pc_smith")
    assert other["key"] != first["key"] and other["key_id"] != first["key_id"]
    assert len(first["key"]) == 43   # 32 bytes, base64url without padding
