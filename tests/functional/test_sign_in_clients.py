"""Over real HTTP against `dipforms run`, from several loopback addresses (127.0.0.2, .3, ...
are all this machine): failed sign-ins are counted per real client (issue 15, finding 10),
and `dipforms users disable` run beside the server refuses the user's next request
(finding 3)."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest
from chalicelib.users import UserDirectory

from tests.local_run import LocalRun

pytestmark = pytest.mark.slow

USER, PASSWORD = "pc_jones", "a long local password for tests"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clients")
    UserDirectory.in_data_dir(folder).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(folder) as running:
        yield running


def call(run: LocalRun, source: str, method: str, path: str, body: bytes | None = None,
         headers: dict | None = None) -> tuple[int, dict]:
    """One request from the loopback address `source`."""
    connection = http.client.HTTPConnection("127.0.0.1", run.port, timeout=20,
                                            source_address=(source, 0))
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()) | {"body": response.read()}
    finally:
        connection.close()


def sign_in(run: LocalRun, source: str, user: str = USER, password: str = PASSWORD) -> int:
    return call(run, source, "POST", "/v1/session",
                json.dumps({"user": user, "password": password}).encode(),
                {"Content-Type": "application/json"})[0]


def test_a_flood_of_made_up_ids_locks_out_that_client_not_a_real_user_elsewhere(run):
    for i in range(20):
        assert sign_in(run, "127.0.0.2", user=f"made.up.{i}", password="guess guess") == 401
    assert sign_in(run, "127.0.0.2", user=f"made.up.{99}") == 429      # this client: locked
    assert sign_in(run, "127.0.0.2") == 429                            # even the real user
    assert sign_in(run, "127.0.0.3") == 200                            # from elsewhere: in
    # the page posted without JavaScript goes through the same count, per its own client
    body = urllib.parse.urlencode({"user": USER, "password": PASSWORD}).encode()
    status, headers = call(run, "127.0.0.4", "POST", "/sign-in.html", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{run.port}"})
    assert status == 303 and "dipforms_session" in headers.get("Set-Cookie", "")


def test_failures_for_a_real_user_id_are_counted_for_that_id_from_any_client(run):
    UserDirectory.in_data_dir(run.data_dir).add("cjit_worker", "cjit", "northshire_cjit",
                                                PASSWORD)
    for i in range(5):
        assert sign_in(run, f"127.0.1.{i + 1}", user="cjit_worker", password="wrong") == 401
    assert sign_in(run, "127.0.1.9", user="cjit_worker") == 429


def test_users_disable_beside_the_server_refuses_the_next_request(run):
    token = run.cli("token", "--user", USER)
    assert call(run, "127.0.0.5", "GET", "/v1/forms",
                headers={"Authorization": f"Bearer {token}"})[0] == 200
    run.cli("users", "disable", "--id", USER)
    assert call(run, "127.0.0.5", "GET", "/v1/forms",
                headers={"Authorization": f"Bearer {token}"})[0] == 401
    listed = run.cli("users", "list")
    assert f"{USER}\tpolice\tnorthshire_police\tdisabled" in listed.splitlines()
    run.cli("users", "enable", "--id", USER)
    assert call(run, "127.0.0.5", "GET", "/v1/forms",
                headers={"Authorization": f"Bearer {token}"})[0] == 200
