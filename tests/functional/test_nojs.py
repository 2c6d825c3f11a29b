"""Forms without JavaScript, over real HTTP against `dipforms run`: sign in through the
form post, post the MG14 page by page as a browser would (form-encoded, cookie jar), see
the GOV.UK error summary and inline errors, and get the confirmation page with the record's
reference; one record however often the last page is posted (docs/no-javascript.md)."""

from __future__ import annotations

import datetime
import html
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from chalicelib.users import UserDirectory

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.fields.posted import write_fields
from tests.browser.test_submit_flow import yaml_message
from tests.examples import example_data
from tests.local_run import ROOT, LocalRun, raw_request

pytestmark = pytest.mark.slow

USER, PASSWORD = "pc_jones", "a long local password for tests"
FORM = "application/x-www-form-urlencoded"


class Browser:
    """urllib with a cookie jar; it follows 303s as a browser does (as GET), and names the
    page's origin on every post, as browsers do (Origin)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def post(self, path: str, fields, headers: dict | None = None) -> tuple[int, str, str]:
        """(status, final URL path, page) of a form post."""
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        sent = {"Content-Type": FORM, "Origin": self.url, **(headers or {})}
        request = urllib.request.Request(self.url + path, data=body, method="POST", headers={
            name: value for name, value in sent.items() if value is not None})
        try:
            with self.opener.open(request, timeout=20) as response:
                return (response.status, urllib.parse.urlsplit(response.url).path,
                        response.read().decode())
        except urllib.error.HTTPError as error:
            return error.code, path, error.read().decode()

    def get(self, path: str) -> str:
        with self.opener.open(self.url + path, timeout=20) as response:
            return response.read().decode()

    def sign_in(self, password: str = PASSWORD, next_path: str = "/forms/mg14/index.html"):
        return self.post(f"/sign-in.html?next={urllib.parse.quote(next_path)}",
                         {"user": USER, "password": password})


def title(page: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).strip()


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def page_id(page: str) -> str:
    return re.search(r'data-page="([^"]+)"', page).group(1)


def summary(page: str) -> list[tuple[str, str]]:
    """(link target or '', text) of each line of the error summary."""
    box = re.search(r'class="govuk-error-summary".*?</ul>', page, re.S)
    if not box:
        return []
    return [(href or "", html.unescape(text).strip()) for href, text in re.findall(
        r'<li>\s*(?:<a href="([^"]*)">)?([^<]+)', box.group(0))]


def inline_error(page: str, element_id: str) -> str:
    found = re.search(rf'<p id="{element_id}-error" class="govuk-error-message">\s*'
                      r'<span class="govuk-visually-hidden">Error:</span>([^<]+)</p>', page)
    return html.unescape(found.group(1)).strip() if found else ""


@pytest.fixture(scope="module")
def mg14():
    project = build_project(read_forms_dir(ROOT), {}).project
    return next(f for f in project.forms if f.id == "mg14")


@pytest.fixture(scope="module")
def data():
    return example_data("mg14")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nojs")
    UserDirectory.in_data_dir(folder).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(folder) as running:
        yield running


def inputs_of(page: str) -> set[str]:
    return set(re.findall(r'\sname="([^"]+)"', page))


def post_page(browser: Browser, form, page: str, data: dict, leave_out=(),
              extra: dict | None = None) -> tuple:
    """Post the page shown in `page` with the example's answers for its questions, as the
    browser would send them (every name posted is one of the page's inputs), and `extra`."""
    shown = next(p for p in form.pages if p.id == page_id(page))
    answers = {k: v for k, v in data.items() if k not in leave_out}
    fields = {**write_fields(shown.fields, answers), **(extra or {})}
    assert set(fields) <= inputs_of(page), set(fields) - inputs_of(page)
    carried = {name: hidden(page, name) for name in ("_answers", "_key", "_resume", "_csrf",
                                                     "_case", "_case_field")
               if hidden(page, name)}
    action = re.search(r'<form method="post" novalidate class="dipforms-page"'
                       r'(?: action="([^"]*)")?', page).group(1)
    return browser.post(action or f"/forms/{form.id}/{shown.id}.html", {**fields, **carried})


def test_sign_in_errors_then_the_form_page_by_page_to_one_record(run, mg14, data):
    browser = Browser(run.url)

    # Sign-in: nothing typed, then a wrong password; the user id typed stays.
    status, _, page = browser.post("/sign-in.html", {"user": "", "password": ""})
    assert status == 200 and title(page).startswith("Error: Sign in")
    assert summary(page) == [("#user", "Enter your user ID"),
                             ("#password", "Enter your password")]
    status, _, page = browser.sign_in(password="not the password")
    assert summary(page) == [("#user", "The user ID or password you entered is not correct")]
    assert inline_error(page, "user") == "The user ID or password you entered is not correct"
    assert 'value="pc_jones"' in page and "not the password" not in page
    assert not list(browser.jar)

    # Signed in: a session cookie only the server reads, and back to where we were going.
    status, path, page = browser.sign_in(next_path="/forms/mg14/police_case.html")
    assert (status, path) == (200, "/forms/mg14/police_case.html")
    cookie = next(c for c in browser.jar if c.name == "dipforms_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == "/"
    assert cookie.value not in path

    # Page by page; the offender page first without the surname.
    surname = yaml_message("person_details", "surname", "required")
    seen = []
    while "data-dipforms-done" not in page:
        current = page_id(page)
        if current == "offender" and "offender" not in seen:
            status, _, page = post_page(browser, mg14, page, data, leave_out={"surname"})
            assert status == 200 and page_id(page) == "offender"
            assert title(page).startswith("Error: ")
            assert summary(page) == [("#surname", surname)]
            assert inline_error(page, "surname") == surname
            assert 'class="govuk-input govuk-input--width-20 govuk-input--error" id="surname"' \
                in page
            assert f'value="{data["forenames"]}"' in page          # what was typed stays
            assert 'id="date_of_birth-day" name="date_of_birth[day]" type="text" ' \
                f'value="{int(data["date_of_birth"][8:])}"' in page
            seen.append(current)
            continue
        seen.append(current)
        status, _, page = post_page(browser, mg14, page, data)
        assert status == 200, page
        assert summary(page) == [], (current, summary(page))
    reference = re.search(r'<strong id="dipforms-reference">([^<]+)</strong>', page).group(1)
    assert re.fullmatch(r"MG14-[0-9A-Z]{10}", reference)
    assert 'class="dipforms-done"' in page and 'class="dipforms-done" hidden' not in page
    # every page applies but section L, asked only when the record is changed (issue 16)
    assert list(dict.fromkeys(seen)) == [p.id for p in mg14.pages if p.asked != "later"]

    token = run.user_token("reader", "police", "northshire_police")
    status, listing = run.request("GET", "/v1/records?form=mg14", token=token)
    assert status == 200 and [r["id"] for r in listing["records"]] == [reference]
    status, body = run.request("GET", f"/v1/records/{reference}", token=token)
    assert body["record"]["data"] == data          # exactly the example, typed


def test_the_last_page_posted_twice_makes_one_record(run, mg14, data):
    token = run.user_token("reader2", "police", "northshire_police")

    def records() -> list[str]:
        status, listing = run.request("GET", "/v1/records?form=mg14&limit=100", token=token)
        assert status == 200
        return [r["id"] for r in listing["records"]]

    before = records()
    browser = Browser(run.url)
    browser.sign_in()
    page = browser.get("/forms/mg14/police_case.html")
    while True:
        status, _, answer = post_page(browser, mg14, page, data)
        assert status == 200 and summary(answer) == []
        if "data-dipforms-done" in answer:
            break
        page = answer
    first = re.search(r'id="dipforms-reference">([^<]+)<', answer).group(1)
    status, _, again = post_page(browser, mg14, page, data)      # the same key and answers
    assert re.search(r'id="dipforms-reference">([^<]+)<', again).group(1) == first
    assert sorted(records()) == sorted([*before, first])


def test_a_refused_submission_shows_the_page_of_the_error_then_sends(run, mg14, data):
    """An answer judged by a later page's: the date of birth (page 2) is checked against the
    offence date (page 3) only when the form is sent (CC-01). The API refuses; the offender
    page comes back with the error, and once it is right the form is sent at once."""
    browser = Browser(run.url)
    browser.sign_in()
    offence = datetime.date.fromisoformat(data["offences"][0]["offence_date"])
    young = {**data, "date_of_birth": offence.replace(year=offence.year - 17).isoformat()}
    page = browser.get("/forms/mg14/police_case.html")
    last = [p.id for p in mg14.pages if p.asked != "later"][-1]   # section L: asked later
    while page_id(page) != last:
        _, _, page = post_page(browser, mg14, page, young)
        assert summary(page) == []
    _, _, page = post_page(browser, mg14, page, young)
    assert page_id(page) == "offender" and title(page).startswith("Error: ")
    message = next(r["message"] for r in mg14_rules() if r["id"] == "CC-01")
    assert summary(page) == [("#date_of_birth-day", message)]
    # beside the field, the rule's source too
    assert inline_error(page, "date_of_birth") == \
        f"{message} (Source: dip-condition-operational-guidelines.txt §2.1; unverified)"
    assert hidden(page, "_resume") == "1"
    _, _, page = post_page(browser, mg14, page, data)
    assert "data-dipforms-done" in page, summary(page)


def mg14_rules(form: str = "mg14") -> list[dict]:
    import yaml

    return yaml.safe_load((ROOT / "forms" / f"{form}.yaml").read_text())["rules"]


def test_a_warning_is_sent_with_a_reason_without_javascript(run):
    """DIP-12 warns of a gap under three days: after the last page the API wants a reason;
    the page of the warning comes back with it, its source and a box; a blank reason is
    asked for again; with one, the form is sent and the reason kept with the record."""
    form_id, reason = "dip_protocol_checklist", "Agreed with the CJIT manager"
    form = next(f for f in build_project(read_forms_dir(ROOT), {}).project.forms
                if f.id == form_id)
    data = {**example_data(form_id), "min_gap_s2_s3_days": 2}
    message = next(r["message"] for r in mg14_rules(form_id) if r["id"] == "DIP-12")
    browser = Browser(run.url)
    browser.sign_in()
    page = browser.get(f"/forms/{form_id}/area.html")
    while 'class="dipforms-confirm"' not in page:
        status, _, page = post_page(browser, form, page, data)
        assert status == 200 and "data-dipforms-done" not in page, summary(page)
    assert page_id(page) == "settings" and hidden(page, "_resume") == "1"
    # a warning, not an error, until it is sent without a reason: an inset links to its box
    assert summary(page) == [] and "<title>Error:" not in page
    banner = re.search(r'<div class="govuk-inset-text[^>]*id="dipforms-confirm-banner".*?</ul>',
                       page, re.S).group(0)
    assert 'govuk-inset-text' in banner and 'href="#_confirmations-DIP-12"' in banner
    assert html.unescape(message) in html.unescape(banner)
    assert "govuk-textarea--error" not in page and "govuk-form-group--error" not in page
    assert "Source: dip-condition-operational-guidelines.txt Annex C session 3" in page
    box = "_confirmations[DIP-12]"
    _, _, page = post_page(browser, form, page, data, extra={box: "  "})
    assert summary(page) == [("#_confirmations-DIP-12",
                              f"Say why you are going ahead despite this warning: {message}")]
    assert inline_error(page, "_confirmations-DIP-12") == \
        "Say why you are going ahead despite this warning"
    _, _, page = post_page(browser, form, page, data, extra={box: reason})
    assert "data-dipforms-done" in page, summary(page)
    reference = re.search(r'id="dipforms-reference">([^<]+)<', page).group(1)
    token = run.user_token("reader3", "police", "northshire_police")
    status, body = run.request("GET", f"/v1/records/{reference}", token=token)
    assert status == 200 and body["record"]["data"] == data
    assert [(c["rule"], c["reason"]) for c in body["record"]["confirmations"]] == [
        ("DIP-12", reason)]


def test_cross_site_posts_are_refused_and_a_page_without_a_session_goes_to_sign_in(run):
    browser = Browser(run.url)
    status, _, _ = browser.post("/sign-in.html", {"user": USER, "password": PASSWORD},
                                {"Origin": "http://elsewhere.example"})
    assert status == 403 and not list(browser.jar)
    status, _, _ = browser.post("/sign-in.html", {"user": USER, "password": PASSWORD},
                                {"Origin": None, "Referer": "http://elsewhere.example/form.html"})
    assert status == 403
    browser.sign_in()
    status, _, _ = browser.post("/forms/mg14/police_case.html", {"urn": "X"},
                                {"Origin": "null"})
    assert status == 403

    stranger = Browser(run.url)
    request = urllib.request.Request(run.url + "/forms/mg14/offender.html", data=b"surname=X",
                                     method="POST", headers={"Content-Type": FORM,
                                                             "Origin": run.url})
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(request, timeout=20)
    assert redirect.value.code == 303
    assert redirect.value.headers["Location"] == \
        "/sign-in.html?next=%2Fforms%2Fmg14%2Foffender.html"
    status, path, page = stranger.post("/forms/mg14/offender.html", {"surname": "X"})
    assert path == "/sign-in.html" and "<h1 class=\"govuk-heading-l\">Sign in</h1>" in page


def test_a_welsh_page_answers_in_welsh(run):
    browser = Browser(run.url)
    status, path, _ = browser.post("/cy/sign-in.html", {"user": USER, "password": PASSWORD})
    assert (status, path) == (200, "/cy/index.html")
    status, _, page = browser.post("/cy/forms/consent_to_share_information/about.html",
                                   {"client_ref": [""]})
    assert 'lang="cy"' in page and title(page).startswith("Gwall: ")
    assert "Mae problem wedi codi" in page
    assert ("#client_ref", "Rhowch gyfeirnod cofnod y cleient") in summary(page)
    assert re.search(r'<p id="client_ref-error" class="govuk-error-message">\s*<span class='
                     r'"govuk-visually-hidden">Gwall:</span> Rhowch gyfeirnod', page)
    assert 'action="/cy/forms/consent_to_share_information/about.html"' in page


def test_sign_out_clears_the_session(run):
    """Signing out is a post with the session's CSRF token: the Sign out button of a page
    signed in (it was a link to GET /sign-out, which any site could make a browser follow)."""
    browser = Browser(run.url)
    status, path, page = browser.sign_in(next_path="/forms/mg14/police_case.html")
    assert any(c.name == "dipforms_session" for c in browser.jar)
    _, _, page = browser.post("/forms/mg14/police_case.html", {"urn": "47NS1"})
    button = re.search(r'<form method="post" action="/sign-out" class="dipforms-sign-out">'
                       r'<input type="hidden" name="_csrf" value="([^"]+)">.*?'
                       r'id="dipforms-account">\s*Sign out\s*<', page, re.S)
    assert button and button.group(1) == hidden(page, "_csrf")
    status, path, _ = browser.post("/sign-out", {"_csrf": button.group(1), "lang": "en"})
    assert (status, path) == (200, "/sign-in.html")
    assert not any(c.name == "dipforms_session" for c in browser.jar)


def test_a_get_of_sign_out_signs_nobody_out(run):
    """Finding 16: a cross-site GET /sign-out signed people out. Now it shows a page with
    the Sign out button (posting the token) and the session stays; a post without the
    token is refused with the same page."""
    browser = Browser(run.url)
    browser.sign_in()
    request = urllib.request.Request(run.url + "/sign-out",
                                     headers={"Referer": "http://elsewhere.example/"})
    with browser.opener.open(request, timeout=20) as response:
        assert response.status == 200
        page = response.read().decode()
    assert any(c.name == "dipforms_session" for c in browser.jar)
    assert title(page).startswith("Sign out")
    token = hidden(page, "_csrf")
    assert token and '<form method="post" action="/sign-out" novalidate>' in page
    for wrong in ({}, {"_csrf": "x" * 43}):
        status, _, again = browser.post("/sign-out", wrong)
        assert status == 403 and hidden(again, "_csrf") == token
        assert any(c.name == "dipforms_session" for c in browser.jar)
    status, path, _ = browser.post("/sign-out", {"_csrf": token})
    assert (status, path) == (200, "/sign-in.html")
    assert not any(c.name == "dipforms_session" for c in browser.jar)
    with browser.opener.open(run.url + "/sign-out", timeout=20) as response:   # signed out
        assert urllib.parse.urlsplit(response.url).path == "/sign-in.html"


def test_sending_a_form_needs_the_sessions_csrf_token(run, mg14, data):
    """The last page posted without the token, or with another session's, sends nothing:
    the same page comes back with the token and says so; posted again, it sends."""
    token = run.user_token("reader4", "police", "northshire_police")

    def records() -> list[str]:
        status, listing = run.request("GET", "/v1/records?form=mg14&limit=100", token=token)
        assert status == 200
        return [r["id"] for r in listing["records"]]

    UserDirectory.in_data_dir(run.data_dir).add("pc_other", "police", "northshire_police",
                                                PASSWORD)
    other = Browser(run.url)
    other.post("/sign-in.html", {"user": "pc_other", "password": PASSWORD})
    _, _, other_page = other.post("/forms/mg14/police_case.html", {"urn": "47NS1"})
    foreign = hidden(other_page, "_csrf")

    browser = Browser(run.url)
    browser.sign_in()
    page = browser.get("/forms/mg14/police_case.html")
    last = [p for p in mg14.pages if p.asked != "later"][-1]   # section L: asked later
    while page_id(page) != last.id:     # the static first page has no token
        _, _, page = post_page(browser, mg14, page, data)
        assert summary(page) == []
    before = records()
    mine = hidden(page, "_csrf")
    assert mine and mine != foreign
    for wrong in ("", foreign):
        fields = {**write_fields(last.fields, data),
                  **{n: hidden(page, n) for n in ("_answers", "_key")}, "_csrf": wrong}
        status, _, again = browser.post(f"/forms/mg14/{last.id}.html", fields)
        assert status == 200 and "data-dipforms-done" not in again
        assert summary(again) == [("", "This page was shown before you signed in again or "
                                   "the service restarted, so nothing was sent. Check your "
                                   "answers, then send them.")]
        assert hidden(again, "_csrf") == mine and hidden(again, "_resume") == "1"
        assert records() == before
    _, _, sent = post_page(browser, mg14, again, data)
    assert "data-dipforms-done" in sent, summary(sent)
    assert len(records()) == len(before) + 1


def test_posts_naming_no_origin_are_refused(run):
    """Finding 16: a post with neither Origin nor Referer passed the cross-site check."""
    for path, fields in (("/sign-in.html", {"user": USER, "password": PASSWORD}),
                         ("/forms/mg14/offender.html", {"surname": "X"}),
                         ("/sign-out", {})):
        request = urllib.request.Request(run.url + path, method="POST",
                                         data=urllib.parse.urlencode(fields).encode(),
                                         headers={"Content-Type": FORM})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=20)
        assert refused.value.code == 403, path
        assert refused.value.headers["Connection"] == "close"
    # the same origin named by the Referer alone is enough
    browser = Browser(run.url)
    status, path, _ = browser.post("/sign-in.html", {"user": USER, "password": PASSWORD},
                                   {"Origin": None, "Referer": run.url + "/sign-in.html"})
    assert (status, path) == (200, "/index.html")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_every_answer_carries_the_browser_headers(run):
    """Finding 16: a static page, a reply to a post without JavaScript, an API answer and a
    refusal all carry the CSP, Referrer-Policy, Permissions-Policy and nosniff."""
    from web.headers import security_headers

    expected = dict(security_headers())
    browser = Browser(run.url)
    answers = []
    with urllib.request.urlopen(run.url + "/forms/mg14/offender.html", timeout=20) as r:
        answers.append(("static page", r.headers))
    request = urllib.request.Request(run.url + "/sign-in.html", method="POST",
                                     data=b"user=&password=",
                                     headers={"Content-Type": FORM, "Origin": run.url})
    with browser.opener.open(request, timeout=20) as r:
        assert r.status == 200
        answers.append(("no-JS reply", r.headers))
    with urllib.request.urlopen(run.url + "/v1/health", timeout=20) as r:
        answers.append(("API answer", r.headers))
    status, refused = raw_request(run.url, "POST", "/sign-in.html",
                                   {"Host": urllib.parse.urlsplit(run.url).netloc,
                                    "Content-Type": FORM})
    assert status == 403
    answers.append(("refusal", refused))
    for what, got in answers:
        for name, value in expected.items():
            assert got.get_all(name) == [value], (what, name, got.get_all(name))
        assert "frame-ancestors 'none'" in got["Content-Security-Policy"], what
        assert "unsafe-inline" not in got["Content-Security-Policy"], what


def test_a_host_that_is_not_this_server_is_refused(run):
    """Finding 16: the Host header was not checked, so a name rebound to 127.0.0.1 (DNS
    rebinding) reached the pages and the API as if it were this site."""
    port = urllib.parse.urlsplit(run.url).port
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}"):
        for path in ("/index.html", "/v1/health"):
            status, _ = raw_request(run.url, "GET", path, {"Host": host})
            assert status == 421, (host, path)
    status, _ = raw_request(run.url, "GET", "/v1/health", {"Host": [f"127.0.0.1:{port}"] * 2})
    assert status == 400
    status, _ = raw_request(run.url, "GET", "/v1/health", {})
    assert status == 400
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, _ = raw_request(run.url, "GET", "/v1/health", {"Host": host})
        assert status == 200, host


def test_api_posts_from_other_sites_are_refused_and_clients_with_a_token_pass(run):
    """A post to the API naming another origin is refused; one naming none passes only
    with what no other site's page can send without a CORS preflight (a bearer token, a
    JSON body), so scripts and curl keep working and a cross-site form does not."""
    token = run.user_token("api_client", "police", "northshire_police")
    status, body = run.request("POST", "/v1/forms/mg14/submissions", {}, token,
                               {"Idempotency-Key": "3f6c1c56-1d7e-4c5b-9a55-1f1e1e0e0e0e"})
    assert status == 422 and body["error"] == "invalid"         # reached the API
    host = urllib.parse.urlsplit(run.url).netloc
    for headers in ({"Origin": "http://elsewhere.example"},
                    {"Referer": "http://elsewhere.example/page.html"},
                    {"Origin": "null"}):
        status, _ = raw_request(run.url, "POST", "/v1/session",
                                 {"Host": host, "Content-Type": "application/json", **headers},
                                 b'{"user": "pc_jones", "password": "x"}')
        assert status == 403, headers
    status, _ = raw_request(run.url, "POST", "/v1/session",
                             {"Host": host, "Content-Type": "text/plain"},
                             b'{"user": "pc_jones", "password": "x"}')
    assert status == 403
    status, _ = raw_request(run.url, "POST", "/v1/session",
                             {"Host": host, "Content-Type": "application/json"},
                             b'{"user": "nobody", "password": "x"}')
    assert status == 401                                         # reached the API
