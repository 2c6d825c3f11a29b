"""Local sign-in, `POST /v1/session`: a token for 8 hours, one 401 for every refusal, and
failed attempts limited per user id and per client address in the users file."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from chalicelib import responses, session
from chalicelib.clock import epoch_seconds
from chalicelib.users import UserDirectory

PASSWORD = "correct horse battery staple"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def any_store(tmp_path):
    """Sign-in never touches the record store, so one backend is enough."""
    from chalicelib.store.sqlite import SQLiteStore

    return SQLiteStore(tmp_path / "dipforms.sqlite")


@pytest.fixture
def users(api) -> UserDirectory:
    directory = UserDirectory.in_data_dir(api.runtime.settings.data_dir)
    directory.add("pc_jones", "police", "northshire_police", PASSWORD)
    return directory


def status(result) -> int:
    """The HTTP status a sign-in's result is answered with."""
    return responses.answer(result).status_code


def sign_in(api, user: str = "pc_jones", password: str = PASSWORD, **body):
    response = api.client.http.post("/v1/session", headers=JSON,
                                    body=json.dumps({"user": user, "password": password,
                                                     **body}))
    return response.status_code, json.loads(response.body), response.headers


def test_the_right_password_gives_an_eight_hour_token_the_api_accepts(api, users):
    before = epoch_seconds(api.runtime.clock)
    status, body, headers = sign_in(api, user=" PC_Jones ")
    assert status == 200, body
    assert body["user"] == {"id": "pc_jones", "role": "police", "agency": "northshire_police"}
    claims = api.runtime.verifier.verify(body["token"], epoch_seconds(api.runtime.clock))
    assert claims.subject == "pc_jones" and claims.expires_at - claims.issued_at == 8 * 3600
    assert claims.issued_at >= before
    assert body["expires_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                               time.gmtime(claims.expires_at))
    assert headers["Cache-Control"] == "no-store"
    forms = api.client.http.get("/v1/forms", headers={"Authorization": f"Bearer {body['token']}"})
    assert forms.status_code == 200


def test_every_refusal_is_the_same_401_and_echoes_nothing(api, users):
    users.add("no_password", "police", "northshire_police")
    users.add("gone", "police", "northshire_police", PASSWORD)
    users.disable("gone")
    answers = [sign_in(api, password="wrong password, quite long")[:2],
               sign_in(api, user="nobody")[:2],
               sign_in(api, user="no_password", password="anything at all")[:2],
               sign_in(api, user="gone")[:2]]
    assert all(answer == answers[0] for answer in answers), answers
    status, body = answers[0]
    assert status == 401 and body["error"] == "sign_in_failed" and body["errors"] == []
    assert "pc_jones" not in json.dumps(body) and "wrong" not in json.dumps(body)


@pytest.mark.parametrize("body, fields", [
    ({}, ["/user", "/password"]),
    ({"user": "pc_jones"}, ["/password"]),
    ({"user": "  ", "password": PASSWORD}, ["/user"]),
    ({"user": 7, "password": ["x"]}, ["/user", "/password"]),
    ([], ["/user", "/password"]),
])
def test_a_missing_user_or_password_is_a_400_naming_the_field(api, body, fields):
    response = api.client.http.post("/v1/session", headers=JSON, body=json.dumps(body))
    answer = json.loads(response.body)
    assert response.status_code == 400 and answer["error"] == "bad_request"
    assert [e["field"] for e in answer["errors"]] == fields


def test_the_body_must_be_json(api):
    response = api.client.http.post("/v1/session", body="user=a&password=b",
                                     headers={"Content-Type":
                                              "application/x-www-form-urlencoded"})
    assert response.status_code == 415


def test_five_failures_lock_the_user_id_even_against_the_right_password(api, users):
    for _ in range(5):
        assert sign_in(api, password="not the password at all")[0] == 401
    status, body, headers = sign_in(api)
    assert (status, body["error"]) == (429, "too_many_attempts")
    assert 0 < int(headers["Retry-After"]) <= 15 * 60 + 1
    users.add("pc_smith", "police", "northshire_police", PASSWORD)
    assert sign_in(api, user="pc_smith")[0] == 200        # other users are not locked


def test_a_success_clears_the_user_ids_failures(api, users):
    for _ in range(4):
        assert sign_in(api, password="not the password at all")[0] == 401
    assert sign_in(api)[0] == 200
    for _ in range(4):
        assert sign_in(api, password="not the password at all")[0] == 401
    assert sign_in(api)[0] == 200


def test_twenty_failures_from_one_address_lock_the_address(api, users):
    for i in range(20):
        assert sign_in(api, user=f"guess{i}")[0] == 401
    status, body, _ = sign_in(api)
    assert (status, body["error"]) == (429, "too_many_attempts")


def test_limits_are_per_window_and_per_address(api, users):
    settings = api.runtime.settings
    start = api.runtime.clock.now().timestamp()

    def attempt(address: str, at: float, password: str = "wrong wrong wrong") -> int:
        request = {"user": "pc_jones", "password": password}
        return status(session.sign_in(settings, request, address, at))

    for i in range(5):
        assert attempt("10.0.0.1", start + i) == 401
    assert attempt("10.0.0.2", start + 10, PASSWORD) == 429     # the user id is locked
    assert attempt("10.0.0.2", start + 15 * 60 + 5, PASSWORD) == 200   # the window passed
    directory = UserDirectory.in_data_dir(settings.data_dir)
    for i in range(20):
        directory.add(f"user{i}", "police", "northshire_police")
        assert status(session.sign_in(settings, {"user": f"user{i}", "password": "x"},
                                      "10.0.0.3", start + 2000 + i)) == 401
    assert status(session.sign_in(settings, {"user": "pc_jones", "password": PASSWORD},
                                  "10.0.0.3", start + 2030)) == 429
    assert status(session.sign_in(settings, {"user": "pc_jones", "password": PASSWORD},
                                  "10.0.0.4", start + 2030)) == 200


def test_attempts_keep_no_user_id_or_address(api, users):
    assert sign_in(api, user="someone.unknown")[0] == 401
    raw = (api.runtime.settings.data_dir / "users.sqlite").read_bytes()
    wal = api.runtime.settings.data_dir / "users.sqlite-wal"
    everything = raw + (wal.read_bytes() if wal.exists() else b"")
    assert b"127.0.0.1" not in everything and b"someone.unknown" not in everything


def test_with_cognito_the_route_is_not_there(api, users):
    api.runtime.settings = dataclasses.replace(api.runtime.settings, auth="cognito")
    status, body, _ = sign_in(api)
    assert (status, body["error"]) == (404, "not_found")


def test_the_openapi_document_needs_no_token_for_sign_in(api):
    document = json.loads(api.get("/v1/openapi.json", role=None).body)
    operation = document["paths"]["/v1/session"]["post"]
    assert operation["security"] == []
    assert {"200", "401", "429"} <= set(operation["responses"])


# --- GET /v1/session: who the pages say is signed in ---------------------------------------

def test_who_am_i_names_the_agency_and_the_forms_the_role_may_submit(api):
    police = json.loads(api.get("/v1/session", role="police").body)
    assert police["user"] == {"id": "pc_jones", "role": "police", "agency": "northshire_police",
                              "agency_name": api.runtime.context.catalogue.protocol.agency(
                                  "northshire_police").name}
    assert police["user"]["agency_name"] != "northshire_police"
    assert police["forms"]["submit"] == ["dip_protocol_checklist", "mg14"]
    assert "dir_required_assessment" not in police["forms"]["submit"]
    cps = json.loads(api.get("/v1/session", role="cps").body)
    assert "mg14" not in cps["forms"]["submit"] and "mg14" in cps["forms"]["read"]
    cjit = json.loads(api.get("/v1/session", role="cjit").body)
    assert "mg14" not in cjit["forms"]["submit"]
    assert "dir_initial_contact" in cjit["forms"]["submit"]


def test_who_am_i_needs_a_token(api):
    assert api.get("/v1/session", role=None).status_code == 401
