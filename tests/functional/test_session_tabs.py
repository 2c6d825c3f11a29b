"""One sign-in for every tab of a browser (docs/auth.md, "Every tab of the browser"), over
real HTTP against `dipforms run`: the page script's sign-in sets the HttpOnly SameSite=Strict
session cookie; GET /session hands a tab of this site the token it holds, never a request
the browser says comes from another site; POST /session/end clears it. Old case links of
messages (/cases/<ref>) go to the case page."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.request

import pytest
from chalicelib.users import UserDirectory

from tests.local_run import LocalRun

pytestmark = pytest.mark.slow

USER, PASSWORD = "pc_jones", "a long local password for tests"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tabs")
    UserDirectory.in_data_dir(folder).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(folder) as running:
        yield running


class Browser:
    def __init__(self, url: str) -> None:
        self.url, self.jar = url, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect)

    def call(self, method: str, path: str, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Content-Type": "application/json", "Origin": self.url, **(headers or {})})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


def test_a_sign_in_in_one_tab_serves_another_until_sign_out(run):
    browser = Browser(run.url)
    assert browser.call("GET", "/session")[0] == 401
    status, headers, body = browser.call("POST", "/v1/session",
                                         {"user": USER, "password": PASSWORD})
    assert status == 200
    token = json.loads(body)["token"]
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    seconds = int(cookie.split("Max-Age=")[1].split(";")[0])
    assert 0 < seconds <= 8 * 3600
    status, headers, body = browser.call("GET", "/session")
    assert status == 200 and json.loads(body) == {"token": token}
    assert headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in headers
    # a request the browser says is another site's gets nothing, cookie or not
    assert browser.call("GET", "/session", headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    # the token a tab takes up is a working one
    status, _, body = browser.call("GET", "/v1/session",
                                   headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and json.loads(body)["user"]["id"] == USER
    # another site's post to sign out is refused; this site's clears the cookie
    assert browser.call("POST", "/session/end", {},
                        headers={"Origin": "https://elsewhere.example"})[0] == 403
    assert browser.call("GET", "/session")[0] == 200
    status, headers, _ = browser.call("POST", "/session/end", {})
    assert status == 200 and "Max-Age=0" in headers["Set-Cookie"]
    assert browser.call("GET", "/session")[0] == 401


def test_a_failed_sign_in_sets_no_cookie(run):
    browser = Browser(run.url)
    status, headers, _ = browser.call("POST", "/v1/session", {"user": USER, "password": "no"})
    assert status == 401 and "Set-Cookie" not in headers
    assert browser.call("GET", "/session")[0] == 401


def test_an_old_case_link_goes_to_the_case_page(run):
    status, headers, _ = Browser(run.url).call("GET", "/cases/MG14-0A1B2C3D4E")
    assert status == 303 and headers["Location"] == "/cases/case.html?ref=MG14-0A1B2C3D4E"


def test_an_old_record_link_goes_to_its_forms_record_page(run):
    browser = Browser(run.url)
    status, headers, _ = browser.call("GET", "/records/MG14-0A1B2C3D4E")
    assert status == 303 and headers["Location"] == "/forms/mg14/record.html?id=MG14-0A1B2C3D4E"
    status, headers, _ = browser.call("GET", "/records/DIR-INITIAL--0A1B2C3D4E")
    assert status == 303
    assert headers["Location"] == ("/forms/dir_initial_contact/record.html"
                                   "?id=DIR-INITIAL--0A1B2C3D4E")
    status, headers, _ = browser.call("GET", "/records/NOFORM-0A1B2C3D4E")
    assert status == 303 and headers["Location"] == "/cases/index.html"


def test_a_page_the_server_renders_signed_in_says_who_and_shows_the_roles_navigation(run):
    browser = Browser(run.url)
    assert browser.call("POST", "/v1/session", {"user": USER, "password": PASSWORD})[0] == 200
    status, _, body = browser.call("GET", "/sign-out")
    page = body.decode()
    assert status == 200
    assert re.search(r'id="dipforms-signed-in-as">Signed in as pc_jones \(([^)<]+)\)<', page)
    assert "northshire_police)" not in page
    shown = dict(re.findall(r'data-dipforms-nav="(\w+)"( hidden)?>', page))
    assert shown == {"forms": "", "cases": "", "due": "", "dashboard": " hidden"}


def test_signing_out_on_a_kept_alive_connection_leaves_it_clean_for_the_next_request(run):
    """The page script's POST /session/end carries a body ("{}"): read, not left to be taken
    as the start of the browser's next request on the same connection (which stalled)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(run.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("POST", "/session/end", body="{}", headers={
        "Content-Type": "application/json", "Origin": run.url})
    ended = connection.getresponse()
    assert ended.status == 200 and "Max-Age=0" in ended.getheader("Set-Cookie")
    ended.read()
    connection.request("GET", "/index.html")           # the same connection, kept alive
    page = connection.getresponse()
    assert page.status == 200 and b"<html" in page.read()
    connection.close()
