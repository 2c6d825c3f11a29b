"""The case pages without JavaScript, over real HTTP against `dipforms run` (docs/no-javascript.md):
a browser that sends the session cookie but not the scripts' marker gets the Cases list, Due,
one case, the step page and a record filled on the server. The list is the signed-in agency's
only; a search is a post (with the CSRF token), never a query in the address; a button step
and a confirmed ending step move the case and come back to it; a post without the token, or
an ending step without a reason, changes nothing. In an area whose CPS decides on the case
(test_casework_pages.project_copy), so that its steps are buttons."""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from chalicelib.users import UserDirectory

from tests.browser.test_casework_pages import project_copy
from tests.examples import example_data
from tests.functional.test_nojs import Browser, title
from tests.local_run import ROOT, LocalRun

pytestmark = pytest.mark.slow

PASSWORD = "a long local password for the case pages"


class NoScripts(Browser):
    """A browser with JavaScript off: the cookie jar, never the `dipforms_js` marker."""

    def sign_in_as(self, user: str):
        status, where, page = self.post("/sign-in.html?next=%2Fcases%2Findex.html",
                                        {"user": user, "password": PASSWORD})
        assert status == 200 and where == "/cases/index.html", page
        return page

    def open(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.url + path, timeout=20) as response:
                return (response.status, urllib.parse.urlsplit(response.url).path,
                        response.read().decode())
        except urllib.error.HTTPError as error:
            return error.code, path, error.read().decode()

    def csrf(self, page: str) -> str:
        return html.unescape(re.search(r'name="_csrf" value="([^"]+)"', page).group(1))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = project_copy(tmp_path_factory.mktemp("nojs-cases-area"))
    data = tmp_path_factory.mktemp("nojs-cases")
    users = UserDirectory.in_data_dir(data)
    users.add("pc_nojs", "police", "northshire_police", PASSWORD)
    users.add("cps_nojs", "cps", "northshire_cps", PASSWORD)
    users.add("carat_nojs", "carat", "hmp_northshire_carats", PASSWORD)
    running = LocalRun(data, root=root, start_seconds=90)
    running.env["DIPFORMS_SWEEP_SECONDS"] = "86400"
    running.env["PYTHONPATH"] = f"{ROOT}:{root / 'api'}"
    with running:
        yield running


def token(run: LocalRun, user: str) -> str:
    status, body = run.request("POST", "/v1/session", {"user": user, "password": PASSWORD})
    assert status == 200, body
    return body["token"]


def new_case(run: LocalRun, surname: str) -> str:
    status, body = run.submit("mg14", {**example_data("mg14"), "surname": surname},
                              token(run, "pc_nojs"))
    assert status == 201, body
    return body["case"]


def case_of(run: LocalRun, ref: str) -> dict:
    status, body = run.request("GET", f"/v1/cases/{ref}", token=token(run, "cps_nojs"))
    assert status == 200, body
    return body["case"]


def listed(page: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" data-case="([^"]+)"', page)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_signed_out_a_case_page_goes_to_sign_in_and_back(run):
    ref = new_case(run, "Signedout")
    opener = urllib.request.build_opener(NoRedirect)
    for path in (f"/cases/case.html?ref={ref}", "/cases/index.html", "/cases/due.html",
                 f"/forms/mg14/record.html?id={ref}"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(run.url + path, timeout=20)
        assert refused.value.code == 303
        assert refused.value.headers["Location"] == (
            "/sign-in.html?next=" + urllib.parse.quote(path, safe=""))
    # signing in there lands on the case itself, filled in
    browser = NoScripts(run.url)
    status, where, page = browser.post(
        "/sign-in.html?next=" + urllib.parse.quote(f"/cases/case.html?ref={ref}", safe=""),
        {"user": "cps_nojs", "password": PASSWORD})
    assert status == 200 and where == "/cases/case.html"
    assert f"Case {ref}" in text_of(page) and "data-served" in page


def test_the_list_search_and_due_show_the_agencys_cases_only(run):
    smith, jones = new_case(run, "Smithers"), new_case(run, "Jonesworth")
    browser = NoScripts(run.url)
    page = browser.sign_in_as("cps_nojs")
    assert "dipforms-needs-js" not in page and "data-served" in page
    assert {smith, jones} <= set(listed(page))
    assert "Sam Smithers" in text_of(page)

    # the search is a post with the token; its words are in no address
    status, where, found = browser.post("/cases/index.html",
                                        {"q": "smithers", "_csrf": browser.csrf(page)})
    assert status == 200 and where == "/cases/index.html"
    assert listed(found) == [smith]
    assert "Cases matching ‘smithers’" in text_of(found)
    assert "smithers" not in " ".join(re.findall(r'href="([^"]*)"', found)).lower()
    # a q= in the address searches nothing: the page lists every case as before
    assert {smith, jones} <= set(listed(browser.open("/cases/index.html?q=smithers")[2]))
    # without the token nothing is searched: the list as it is, and the problem
    status, _, refused = browser.post("/cases/index.html", {"q": "smithers"})
    assert status == 403 and "govuk-error-summary" in refused
    assert jones in listed(refused) and "Cases matching" not in text_of(refused)

    # the filters are a GET form of codes, kept in the page
    _, _, filtered = browser.open("/cases/index.html?state=with_cps")
    assert {smith, jones} <= set(listed(filtered))
    assert re.search(r'<option value="with_cps" selected', filtered)
    _, _, none = browser.open("/cases/index.html?state=closed_complied")
    assert listed(none) == [] and "No cases match" in text_of(none)

    # Due: what is due on the agency's cases, each linking to its case
    status, _, due = browser.open("/cases/due.html")
    assert status == 200 and "Today is" in text_of(due) and "data-served" in due
    status, api_due = run.request("GET", "/v1/due", token=token(run, "cps_nojs"))
    assert status == 200
    assert listed(due) == [item["case"] for item in api_due["due"]]
    if not api_due["due"]:
        assert "Nothing is due or overdue" in text_of(due)

    # the prison CARAT team, party to neither case (no route names it), sees neither
    other = NoScripts(run.url)
    listing = other.sign_in_as("carat_nojs")
    assert smith not in listed(listing) and jones not in listed(listing)
    assert other.post("/cases/index.html", {"q": "smithers",
                                            "_csrf": other.csrf(listing)})[2].count(smith) == 0
    status, _, page = other.open(f"/cases/case.html?ref={smith}")
    assert status in (403, 404)
    assert ("You cannot see this case" in page or "Case not found" in page)
    assert "Sam Smithers" not in page and "Traceback" not in page


def test_a_button_step_moves_the_case_with_the_token_only(run):
    ref = new_case(run, "Buttons")
    browser = NoScripts(run.url)
    browser.sign_in_as("cps_nojs")
    status, _, page = browser.open(f"/cases/case.html?ref={ref}")
    assert status == 200
    words = text_of(page)
    assert "Sam Buttons" in words and "With the CPS for a decision" in words
    assert 'id="step-cps_authorises"' in page
    assert f'href="/cases/step.html?ref={ref}&amp;transition=cps_refuses"' in page
    version = case_of(run, ref)["version"]

    # no token: refused, nothing moves
    status, _, refused = browser.post(f"/cases/case.html?ref={ref}",
                                      {"transition": "cps_authorises",
                                       "base_version": str(version)})
    assert status == 403 and case_of(run, ref)["state"] == "with_cps"
    # a stale version: the API's words, nothing moves
    status, _, stale = browser.post(f"/cases/case.html?ref={ref}", {
        "transition": "cps_authorises", "base_version": str(version + 5),
        "_csrf": browser.csrf(page)})
    assert status == 200 and "govuk-error-summary" in stale
    assert "Someone else changed this case" in text_of(stale)
    assert case_of(run, ref)["state"] == "with_cps"

    status, where, moved = browser.post(f"/cases/case.html?ref={ref}", {
        "transition": "cps_authorises", "base_version": str(version),
        "_csrf": browser.csrf(page)})
    assert status == 200 and where == "/cases/case.html"
    assert "The case has moved to: Conditional caution offered" in text_of(moved)
    assert case_of(run, ref)["state"] == "offered"


def test_an_ending_step_asks_for_its_reason_on_the_step_page(run):
    ref = new_case(run, "Ending")
    browser = NoScripts(run.url)
    browser.sign_in_as("cps_nojs")
    path = f"/cases/step.html?ref={ref}&transition=cps_refuses"
    status, _, page = browser.open(path)
    assert status == 200
    assert "CPS: refuse the conditional caution" in text_of(page)
    assert '<textarea class="govuk-textarea" id="reason" name="reason"' in page

    status, where, again = browser.post(path, {"base_version": str(case_of(run, ref)["version"]),
                                               "_csrf": browser.csrf(page), "reason": " "})
    assert status == 200 and where == "/cases/step.html"
    assert title(again).startswith("Error: ")
    assert re.search(r'<div class="govuk-error-summary.*?<a href="#reason">', again, re.S)
    assert 'id="reason-error"' in again
    assert case_of(run, ref)["state"] == "with_cps"

    status, where, done = browser.post(path, {"base_version": str(case_of(run, ref)["version"]),
                                              "_csrf": browser.csrf(again),
                                              "reason": "Not in the public interest"})
    assert status == 200 and where == "/cases/case.html"
    case = case_of(run, ref)
    assert case["state"] == "alternative_disposal"
    assert "Reason: Not in the public interest" in text_of(done)


def test_the_record_page_shows_the_answers_and_the_history(run):
    ref = new_case(run, "Recorded")
    browser = NoScripts(run.url)
    browser.sign_in_as("pc_nojs")
    status, _, page = browser.open(f"/forms/mg14/record.html?id={ref}")
    assert status == 200 and "data-served" in page
    words = text_of(page)
    assert "Recorded" in words and ref in words
    assert "Version history" in words and "Version 1" in words
    assert 'dipforms-record__change' in page and f"?change={ref}" in page
    status, _, missing = browser.open("/forms/mg14/record.html?id=MG14-NOSUCHTHING")
    assert status == 404 and "Traceback" not in missing


def test_a_browser_that_runs_scripts_gets_the_static_pages(run):
    ref = new_case(run, "Scripted")
    browser = NoScripts(run.url)
    browser.sign_in_as("cps_nojs")
    request = urllib.request.Request(run.url + f"/cases/case.html?ref={ref}",
                                     headers={"Cookie": "dipforms_js=1"})
    browser.jar.add_cookie_header(request)
    request.add_header("Cookie", request.get_header("Cookie") + "; dipforms_js=1")
    with urllib.request.urlopen(request, timeout=20) as response:
        page = response.read().decode()
    assert "dipforms-needs-js" in page and "Sam Scripted" not in page
