"""Finding 11 of issue 15: inputs that gave a 500 or stored nothing storable, each now a
4xx answered before anything is kept, on both stores: a deeply nested body (RecursionError),
a lone surrogate (SQLite's UnicodeEncodeError), a number JSON cannot keep, and two
Authorization headers. (Content-Length over real HTTP: test_hostile_http.py.)"""

from __future__ import annotations

import copy
import json
import uuid
from types import SimpleNamespace

import pytest

from tests.examples import load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")


def _error(response) -> dict:
    return json.loads(response.body)


def _nothing_stored(api) -> None:
    store = api.runtime.context.store
    assert store.list_records("mg14", 10).items == []
    assert store.list_events() == []
    assert [e.action for e in store.list_audit()] == []


def _post_raw(api, path: str, raw: bytes, role: str = "police", **extra: str):
    return api.client.http.post(path, headers=api.headers(role, **extra), body=raw)


def _submit_raw(api, raw: bytes, key: str | None = None):
    return _post_raw(api, "/v1/forms/mg14/submissions", raw,
                     **{"Idempotency-Key": key or str(uuid.uuid4())})


@pytest.mark.parametrize("depth", [33, 2_000, 100_000])
def test_a_deeply_nested_body_is_400_not_a_recursion_error(api, depth):
    raw = ("[" * depth + "]" * depth).encode()
    response = _submit_raw(api, raw)
    assert response.status_code == 400, response.body
    body = _error(response)
    assert body["error"] == "bad_json" and body["errors"][0]["code"] == "too_deep"
    _nothing_stored(api)


def test_nesting_inside_an_answer_is_refused_at_its_pointer_and_the_key_is_free(api):
    data, deep = copy.deepcopy(MG14), {}
    inner = deep
    for _ in range(40):
        inner["x"] = {}
        inner = inner["x"]
    data["address"]["line2"] = deep
    key = str(uuid.uuid4())
    response = _submit_raw(api, json.dumps(data).encode(), key)
    assert response.status_code == 400
    error = _error(response)["errors"][0]
    assert error["code"] == "too_deep"
    assert error["field"].startswith("/address/line2/x/x/")
    _nothing_stored(api)
    assert _submit_raw(api, json.dumps(MG14).encode(), key).status_code == 201


@pytest.mark.parametrize("where", ["surname", "address/town", "offences/0/offence_details"])
def test_a_lone_surrogate_in_an_answer_is_400_naming_the_field(api, where):
    data, parts = copy.deepcopy(MG14), where.split("/")
    holder = data
    for part in parts[:-1]:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    holder[parts[-1]] = "Ex\ud800ample"
    raw = json.dumps(data).encode()  # ensure_ascii: the surrogate travels as \ud800
    assert b"\\ud800" in raw
    response = _submit_raw(api, raw)
    assert response.status_code == 400, response.body
    body = _error(response)
    assert body["error"] == "bad_json"
    assert body["errors"] == [{"field": f"/{where}", "code": "not_unicode",
                               "message": body["errors"][0]["message"]}]
    assert "\ud800" not in response.body.decode("utf-8")  # the answer is valid UTF-8
    _nothing_stored(api)


def test_a_lone_surrogate_as_raw_bytes_or_in_a_name_is_400_too(api):
    raw = json.dumps(MG14).encode().replace(b'"Example"', b'"Ex\xed\xa0\x80ample"')
    assert _error(_submit_raw(api, raw))["errors"][0]["field"] == "/surname"
    named = {**MG14, "Ex\udfffx": "y"}
    response = _submit_raw(api, json.dumps(named).encode())
    assert response.status_code == 400
    assert _error(response)["errors"][0] == {**_error(response)["errors"][0], "field": "",
                                             "code": "not_unicode"}
    _nothing_stored(api)


@pytest.mark.parametrize("number", [b"1e999", b"-1e999", b"NaN", b"Infinity"])
def test_a_number_json_cannot_keep_is_400(api, number):
    raw = json.dumps({**MG14, "surname": "@N@"}).encode().replace(b'"@N@"', number)
    response = _submit_raw(api, raw)
    assert response.status_code == 400 and _error(response)["error"] == "bad_json"
    _nothing_stored(api)


def test_hostile_bodies_on_the_case_and_amend_routes_are_400(api):
    made = _submit_raw(api, json.dumps(MG14).encode())
    record = _error(made)["record"]["id"]
    case = _error(made)["case"]
    deep = ("[" * 5_000 + "]" * 5_000).encode()
    surrogate = json.dumps({"fact": "x\ud800", "value": 1}).encode()
    for path in ("transitions", "facts", "appointments", "disclosures"):
        for raw in (deep, surrogate):
            response = _post_raw(api, f"/v1/cases/{case}/{path}", raw)
            assert response.status_code == 400, (path, response.body)
    amend = json.dumps({"reason": "typo\ud800", "base_version": 1, "data": MG14}).encode()
    response = api.client.http.put(f"/v1/records/{record}", headers=api.headers("police"),
                                   body=amend)
    assert response.status_code == 400 and _error(response)["errors"][0]["field"] == "/reason"
    assert [v.version for v in api.runtime.context.store.list_versions(record)] == [1]


def test_two_authorization_values_joined_into_one_are_401(api):
    good = f"Bearer {api.token('police')}"
    for joined in (f"{good}, {good}", f"{good},Bearer x.y.z", f"{good},{api.token('police')}"):
        response = api.client.http.get("/v1/forms", headers={"Authorization": joined})
        assert response.status_code == 401, joined
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.client.http.get("/v1/forms", headers={"Authorization": good}).status_code == 200


def test_two_authorization_headers_through_api_gateway_are_401(api):
    """API Gateway keeps the last in `headers` and both in `multiValueHeaders`."""
    import app as api_app
    from chalice.local import LambdaEventConverter, RouteMatcher

    good = f"Bearer {api.token('police')}"
    converter = LambdaEventConverter(RouteMatcher(list(api_app.app.routes)))

    def call(values: list[str]) -> int:
        event = converter.create_lambda_event("GET", "/v1/forms", {"authorization": values[-1]})
        event["multiValueHeaders"] = {"Authorization": values}
        event["requestContext"]["requestId"] = "req-1"
        context = SimpleNamespace(aws_request_id="req-1", function_name="dipforms",
                                  memory_limit_in_mb=512, function_version="$LATEST")
        return api_app.app(event, context)["statusCode"]

    assert call([good]) == 200
    assert call([f"Bearer {api.token('dat_admin')}", good]) == 401
    assert call([good, good]) == 401


def test_a_disclosure_to_a_recipient_that_is_not_text_is_422_not_500(api):
    """Found by tests/functional/test_fuzz_routes.py: an object as the recipient reached a
    set lookup (TypeError: unhashable type)."""
    case = _error(_submit_raw(api, json.dumps(MG14).encode()))["case"]
    for recipient in ({}, [], ["northshire_probation"]):
        body = {"recipient": recipient, "ground": "consent", "items": ["test_result"],
                "reason": "r"}
        response = _post_raw(api, f"/v1/cases/{case}/disclosures", json.dumps(body).encode())
        assert response.status_code == 422, response.body
        assert _error(response)["errors"][0]["field"] == "/recipient"
