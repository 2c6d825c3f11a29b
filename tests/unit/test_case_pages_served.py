"""The case pages filled on the server without JavaScript (web/casepages.py, caseviews.py):
the API's answers shown as the page scripts show them, the static pages left to a browser
that runs scripts, sign-in for one without a session, the API's refusals in the page's own
words, and no step taken without the session's CSRF token. The API here is a table of
answers in the shapes of docs/api.md (the functional test runs the real one)."""

from __future__ import annotations

import datetime
import json
import re

from generator.render.text import CASE_WORDS
from tests.unit.test_render_case_pages import project
from web.casepages import CasePages
from web.caseviews import CaseView, date_words, instant_words, shown
from web.csrf import CsrfTokens
from web.nojs import Checks, NoScript, server_site

W = dict(CASE_WORDS["script"], people=CASE_WORDS["people"])
REF = "MG14-0A1B2C3D4E"
CASE = {"ref": REF, "state": "with_cps", "state_label": "With the CPS for a decision",
        "closed": False, "version": 3, "opened_at": "2026-07-01T23:30:00Z",
        "updated_at": "2026-12-01T09:15:00Z", "facts": {"offence_date": "2026-06-20"},
        "person": {"name": "Sam Smith", "date_of_birth": "1990-04-12"},
        "deadlines": [{"id": "d1", "label": "Decide", "due": "2026-12-09", "overdue": True}],
        "next_steps": [
            {"transition": "cps_refuses", "label": "CPS: refuse", "to": "alternative_disposal",
             "kind": "button", "ends": True, "asks": [{"id": "reason", "required": True}]},
            {"transition": "cps_authorises", "label": "CPS: authorise", "to": "offered",
             "kind": "button", "ends": False, "asks": []},
            {"transition": "first_contact", "label": "First contact", "to": "in_programme",
             "kind": "form", "form": "dip_session1_triage", "form_title": "Session 1"}]}
TIMELINE = [
    {"at": "2026-07-01T23:30:00Z", "kind": "opened", "ref": REF, "agency": "northshire_police",
     "form": "mg14", "state": "considered"},
    {"at": "2026-07-02T08:00:00Z", "kind": "notification", "ref": "EV-1", "agency": "system",
     "event": "N05", "to": "northshire_cjit", "channel": "email", "title": "Caution given",
     "status": "sent"}]
AGENCIES = {"northshire_police": "Northshire Police", "northshire_cjit": "Northshire CJIT"}


class Api:
    """The API's answers by (method, path); every call kept."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def __call__(self, method, path, headers, body):
        self.calls.append((method, path, headers.get("Authorization"), body))
        status, answer = self.answers.get((method, path), (404, {"error": "not_found"}))
        return status, {}, json.dumps(answer).encode()


def pages(answers) -> tuple[CasePages, Api]:
    api = Api({("GET", "/v1/session"): (200, {"user": {"id": "cps_one", "role": "cps",
                                                       "agency": "northshire_cps"}}),
               **answers})
    checks = Checks(holds=lambda *a: True, validate=lambda *a: [],
                    now=lambda: datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))
    no_script = NoScript(server_site(), lambda: project().forms, api=api, checks=checks,
                         csrf=CsrfTokens(b"k" * 32))
    no_script.case_pages = CasePages(no_script, project)
    return no_script.case_pages, api


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_dates_and_moments_are_words_in_england():
    assert date_words("2026-03-01", W) == "1 March 2026"
    assert date_words("not a date", W) == "not a date"
    assert instant_words("2026-07-01T23:30:00Z", W) == "2 July 2026 at 00:30"   # BST
    assert instant_words("2026-12-01T23:30:00.5Z", W) == "1 December 2026 at 23:30"
    assert shown({"show": "choices", "choices": {"a": "Apple", "b": "Pear"}}, ["a", "b"],
                 W) == {"list": ["Apple", "Pear"]}


def test_the_case_view_says_who_where_and_what_next():
    process = project_process()
    view = CaseView({"case": CASE, "timeline": TIMELINE, "agencies": AGENCIES, "records": []},
                    process, W, "cps").view()
    assert view["person"] == [("Name", "Sam Smith"), ("Date of birth", "12 April 1990")]
    steps = view["next"]
    assert steps["forms"][0]["href"] == f"/forms/dip_session1_triage/session.html?case={REF}"
    ending, plain = steps["buttons"]
    assert ending["href"] == f"/cases/step.html?ref={REF}&transition=cps_refuses"
    assert plain["href"] is None and steps["confirm"]
    assert [e["kind"] for e in view["timeline"]] == ["notification", "opened"]   # newest first
    assert view["timeline"][0]["text"] == [
        ("E-mail to Northshire CJIT: Caution given — sent", None)]
    assert view["timeline"][1]["text"][1] == (REF, f"/forms/mg14/record.html?id={REF}")


def project_process():
    pages_, _ = pages({})
    return pages_.contexts()["/cases/case.html"][1]["process"]


def test_a_browser_that_runs_scripts_gets_the_static_page_and_one_signed_out_signs_in():
    case_pages, api = pages({})
    assert case_pages.get("/cases/case.html", {"ref": [REF]}, "tok", scripted=True) is None
    reply = case_pages.get("/cases/case.html", {"ref": [REF]}, None, scripted=False)
    assert reply.status == 303
    assert reply.location == "/sign-in.html?next=%2Fcases%2Fcase.html%3Fref%3D" + REF
    assert case_pages.get("/cases/other.html", {}, "tok", scripted=False) is None
    assert api.calls == []


def test_the_case_page_is_filled_with_its_steps_and_the_token():
    case_pages, api = pages({("GET", f"/v1/cases/{REF}"): (200, {
        "case": CASE, "timeline": TIMELINE, "agencies": AGENCIES, "records": []})})
    reply = case_pages.get("/cases/case.html", {"ref": [REF]}, "tok", scripted=False)
    assert reply.status == 200
    page = reply.html
    assert "Sam Smith" in page and "dipforms-needs-js" not in page
    assert '<script src="/assets/case.js"' not in page
    token = CsrfTokens(b"k" * 32).token("tok")
    button = re.search(r'<form method="post" action="/cases/case.html\?ref=[^"]+".*?</form>',
                       page, re.S).group(0)
    assert f'name="_csrf" value="{token}"' in button
    assert 'name="base_version" value="3"' in button and 'value="cps_authorises"' in button
    assert all(call[2] == "Bearer tok" for call in api.calls)


def test_refusals_are_the_pages_own_words():
    case_pages, _ = pages({("GET", f"/v1/cases/{REF}"): (403, {"error": "forbidden"}),
                           ("GET", "/v1/due"): (500, {"error": "internal"})})
    reply = case_pages.get("/cases/case.html", {"ref": [REF]}, "tok", scripted=False)
    assert reply.status == 403 and "You cannot see this case" in text_of(reply.html)
    reply = case_pages.get("/cases/due.html", {}, "tok", scripted=False)
    assert reply.status == 502 and "Sorry, there is a problem" in text_of(reply.html)
    reply = case_pages.get("/cases/case.html", {}, "tok", scripted=False)
    assert reply.status == 404 and "Which case?" in text_of(reply.html)


def test_no_step_is_taken_without_the_sessions_csrf_token():
    case_pages, api = pages({("GET", f"/v1/cases/{REF}"): (200, {
        "case": CASE, "timeline": [], "agencies": {}, "records": []})})
    reply = case_pages.post("/cases/case.html", {"ref": [REF]},
                            {"transition": ["cps_authorises"], "base_version": ["3"],
                             "_csrf": ["forged"]}, "tok")
    assert reply.status == 403
    assert not [c for c in api.calls if c[0] == "POST"]


def record_answers(change_allowed: bool):
    record = {"id": REF, "version": 2, "form": "mg14", "form_version": "1.0",
              "created_at": "2026-12-01T10:00:00Z", "created_by": "pc_two",
              "agency": "northshire_police", "reason": "Spelling of the surname",
              "data": {"surname": "Smyth", "forenames": "Sam", "date_of_birth": "1990-04-12",
                       "old_box": "kept"}}
    versions = [{"version": 1, "created_at": "2026-11-25T10:00:00Z", "created_by": "pc_one",
                 "agency": "northshire_police", "reason": None},
                {"version": 2, "created_at": "2026-12-01T10:00:00Z", "created_by": "pc_two",
                 "agency": "northshire_police", "reason": "Spelling of the surname"}]
    return {("GET", f"/v1/records/{REF}"): (200, {
                "record": record, "versions": versions, "case": REF,
                "agencies": {"northshire_police": "Northshire Police custody suites"}}),
            ("GET", "/v1/forms"): (200, {"forms": [{"id": "mg14",
                                                    "may_submit": change_allowed}]})}


def test_a_record_shows_its_answers_its_versions_and_a_change_for_who_may():
    case_pages, _ = pages(record_answers(True))
    reply = case_pages.get("/forms/mg14/record.html", {"id": [REF]}, "tok", scripted=False)
    assert reply.status == 200
    page, words = reply.html, text_of(reply.html)
    assert "Smyth" in words and "12 April 1990" in words
    assert re.search(r"Version</dt>\s*<dd[^>]*>2 of 2<", page)
    assert "Spelling of the surname" in words
    assert re.search(r"Version 2 .*Version 1 ", words)            # newest first
    assert "old_box" in words                                      # not asked any more
    assert f'href="/forms/mg14/check.html?change={REF}"' in page
    assert "dipforms-needs-js" not in page and "record.js" not in page
    assert f'id="dipforms-record-case" href="/cases/case.html?ref={REF}"' in page   # its case
    assert "pc_two, Northshire Police custody suites" in words     # who, by agency name

    case_pages, _ = pages(record_answers(False))
    page = case_pages.get("/forms/mg14/record.html", {"id": [REF]}, "tok",
                          scripted=False).html
    assert "?change=" not in page


def test_a_record_of_another_form_goes_to_that_forms_page():
    answers = record_answers(True)
    answers[("GET", f"/v1/records/{REF}")][1]["record"]["form"] = "compliance_report"
    case_pages, _ = pages(answers)
    reply = case_pages.get("/forms/mg14/record.html", {"id": [REF]}, "tok", scripted=False)
    assert reply.status == 303
    assert reply.location == f"/forms/compliance_report/record.html?id={REF}"


def test_what_the_api_says_is_text_never_markup():
    marked = {**CASE, "person": {"name": '<img src=x onerror="alert(1)">'}}
    case_pages, _ = pages({("GET", f"/v1/cases/{REF}"): (200, {
        "case": marked, "timeline": TIMELINE, "agencies": AGENCIES, "records": []})})
    page = case_pages.get("/cases/case.html", {"ref": [REF]}, "tok", scripted=False).html
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_a_long_case_shows_its_newest_entries_and_a_link_to_the_older_ones():
    """The API's first page and its cursors: the page links to the older entries and the
    further records; following the link asks the API for that page, for the same case."""
    older, more = "WyJ0aW1lbGluZSJd", "WyJyZWNvcmRzIl0"
    case_pages, api = pages({
        ("GET", f"/v1/cases/{REF}"): (200, {
            "case": CASE, "timeline": TIMELINE[1:], "agencies": AGENCIES, "records": [],
            "timeline_cursor": older, "records_cursor": more}),
        ("GET", f"/v1/cases/{REF}?timeline_cursor={older}"): (200, {
            "case": CASE, "timeline": TIMELINE[:1], "agencies": AGENCIES, "records": [],
            "timeline_cursor": None, "records_cursor": more})})
    page = case_pages.get("/cases/case.html", {"ref": [REF]}, "tok", scripted=False).html
    link = re.search(r'<a class="govuk-link dipforms-case__older" href="([^"]+)">([^<]+)</a>',
                     page)
    assert link.group(2) == W["older_entries"] == "Show older entries"
    href = link.group(1).replace("&amp;", "&")
    assert href == f"/cases/case.html?ref={REF}&timeline_cursor={older}#case-timeline"
    assert "dipforms-case__more-records" in page
    assert "Caution given" in text_of(page) and "Case opened" not in text_of(page)

    query = {"ref": [REF], "timeline_cursor": [older]}
    older_page = case_pages.get("/cases/case.html", query, "tok", scripted=False).html
    assert f"/v1/cases/{REF}?timeline_cursor={older}" in [call[1] for call in api.calls]
    assert "dipforms-case__older" not in older_page
    assert "Caution given" not in text_of(older_page)
