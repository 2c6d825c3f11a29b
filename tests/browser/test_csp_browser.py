"""Finding 16 in Chromium: the main pages under the Content-Security-Policy of web/headers.py,
with JavaScript (signed in, reading a record and a case through the API) and without it
(signing in, posting a page, signing out with the button), report no CSP violation, and
what the policy would have stopped still runs: GOV.UK Frontend's hashed inline script and
its components, started from /assets/init.js."""

from __future__ import annotations

import pytest

from tests.browser.browsing import (
    PASSWORD,
    USER,
    add_user,
    dated_context,
    launch,
    open_case,
    signed_in_context,
    wait_for_path,
)
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Gathers every violation the page reports (the event fires for blocked inline code too).
LISTEN = ("window.__violations = [];"
          "document.addEventListener('securitypolicyviolation', function (e) {"
          " window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));"
          "});")


def watched(context):
    """A page of `context` whose CSP complaints on the console are kept in `.complaints`."""
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text)
            if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
            else None)
    page.complaints = complaints
    return page


def violations(page) -> list[str]:
    return [*page.complaints, *(page.evaluate("window.__violations || []") or [])]


def test_the_main_pages_with_javascript_report_no_violation(tmp_path):
    from playwright.sync_api import sync_playwright

    add_user(tmp_path, role="police", agency="northshire_police")
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        case = open_case(run)
        token = run.user_token("pc_record_writer", "police", "northshire_police")
        status, body = run.submit("mg14", example_data("mg14"), token)
        assert status == 201, body
        record = body["record"]["id"]
        browser = launch(playwright)
        page = watched(signed_in_context(browser, run))
        paths = ["/index.html", "/forms/mg14/index.html", "/forms/mg14/police_case.html",
                 "/forms/mg14/offender.html", "/forms/mg14/check.html",
                 "/forms/mg14/print.html", f"/forms/mg14/record.html?id={record}",
                 "/cases/index.html", f"/cases/case.html?ref={case}", "/admin/dashboard.html",
                 "/cy/index.html", "/offline.html"]
        for path in paths:
            page.goto(run.url + path)
            page.wait_for_load_state("networkidle")
            assert violations(page) == [], path
            # the hashed inline script ran, and so did init.js (GOV.UK Frontend's modules)
            classes = page.evaluate("document.body.className")
            assert "js-enabled" in classes and "govuk-frontend-supported" in classes, path

        fresh = watched(dated_context(browser, base_url=run.url))
        fresh.goto(run.url + "/sign-in.html")
        fresh.wait_for_selector("[data-module=govuk-password-input]"
                                "[data-govuk-password-input-init]")
        fresh.fill("#user", USER)
        fresh.fill("#password", PASSWORD)
        fresh.click("form.dipforms-sign-in button[type=submit]")
        wait_for_path(fresh, "/index.html")
        assert violations(fresh) == []
        # and the watch would see one: an inline style set by a script is refused
        fresh.evaluate("document.body.setAttribute('style', 'color: red')")
        fresh.wait_for_function("() => window.__violations.length > 0")
        assert any(v.startswith("style-src") for v in violations(fresh)), violations(fresh)
        browser.close()


def test_without_javascript_signing_in_posting_and_signing_out_report_no_violation(tmp_path):
    from playwright.sync_api import sync_playwright

    add_user(tmp_path, role="police", agency="northshire_police")
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        context = dated_context(browser, java_script_enabled=False)
        page = watched(context)
        page.goto(run.url + "/sign-in.html?next=/forms/mg14/police_case.html")
        page.fill("#user", USER)
        page.fill("#password", PASSWORD)
        page.click("form.dipforms-sign-in button[type=submit]")   # Chromium names its Origin
        wait_for_path(page, "/forms/mg14/police_case.html")
        page.fill("#urn", "47NS0123456")
        page.click("form.dipforms-page button[type=submit]:not([name])")
        page.wait_for_load_state()
        # a page the server made: Sign out is a button posting the token
        assert page.locator("form.dipforms-sign-out #dipforms-account").count() == 1
        assert any(c["name"] == "dipforms_session" for c in context.cookies())
        assert violations(page) == []

        # a GET of /sign-out (as another site could make) keeps the session
        page.goto(run.url + "/sign-out")
        assert any(c["name"] == "dipforms_session" for c in context.cookies())
        assert violations(page) == []
        page.click("main form[action='/sign-out'] button")      # its Sign out button posts
        wait_for_path(page, "/sign-in.html")
        assert not any(c["name"] == "dipforms_session" for c in context.cookies())
        assert violations(page) == []
        browser.close()
