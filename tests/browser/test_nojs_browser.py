"""The MG14 in Chromium with JavaScript turned off, against `dipforms run`: sign in through
the form, fill every page, leave the surname out and see the GOV.UK error summary and the
inline error (checked with axe), fix it, and see the confirmation with the reference.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re

import pytest
from chalicelib.users import UserDirectory

from tests.browser.browsing import ARTIFACTS, dated_context, launch, wait_for_path
from tests.browser.test_submit_flow import (
    PASSWORD,
    USER,
    fill_page,
    yaml_message,
)
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CONTINUE = "form.dipforms-page button[type=submit]:not([name])"


def test_the_mg14_is_filled_and_sent_with_javascript_off(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    data = example_data("mg14")
    surname_message = yaml_message("person_details", "surname", "required")
    UserDirectory.in_data_dir(tmp_path).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        context = dated_context(browser, java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(15_000)

        # A question page posted before signing in goes to the sign-in page, then back.
        page.goto(run.url + "/forms/mg14/police_case.html")
        page.click(CONTINUE)
        page.wait_for_url("**/sign-in.html?next=*")
        page.fill("#user", USER)
        page.fill("#password", PASSWORD)
        page.click("form.dipforms-sign-in button[type=submit]")
        wait_for_path(page, "/forms/mg14/police_case.html")
        assert page.evaluate("sessionStorage.length") == 0     # the session is a cookie

        left_out = {"surname"}
        while page.locator("[data-dipforms-done]").count() == 0:
            page_id = page.locator("form.dipforms-page").get_attribute("data-page")
            fill_page(page, data, leave_out=left_out if page_id == "offender" else set())
            page.click(CONTINUE)
            page.wait_for_load_state()
            if page_id == "offender" and left_out:
                # The same page again: the summary links to the field, the error beside it.
                summary = page.locator(".govuk-error-summary")
                expect(summary).to_be_visible()
                link = summary.get_by_role("link", name=surname_message)
                expect(link).to_have_attribute("href", "#surname")
                assert page.title().startswith("Error: ")
                group = page.locator(".govuk-form-group", has=page.locator("#surname"))
                expect(group).to_have_class(re.compile(r"\bgovuk-form-group--error\b"))
                expect(group.locator(".govuk-error-message")).to_have_text(
                    f"Error: {surname_message}")
                expect(page.locator("#surname")).to_have_attribute(
                    "aria-describedby", re.compile(r"\bsurname-error\b"))
                expect(page.locator("#forenames")).to_have_value(data["forenames"])
                expect(page.locator("#address-postcode")).to_have_value(
                    data["address"]["postcode"])
                page.screenshot(path=str(ARTIFACTS / "mg14-nojs-error.png"), full_page=True)
                check_accessibility(page)
                link.click()
                expect(page.locator("#surname")).to_be_focused()
                left_out = set()

        reference = page.locator("#dipforms-reference")
        expect(reference).to_have_text(re.compile(r"^MG14-[0-9A-Z]{10}$"))
        expect(page.locator(".govuk-panel")).to_be_visible()
        expect(page.locator(".dipforms-nothing")).to_be_hidden()
        record_id = reference.inner_text()
        page.screenshot(path=str(ARTIFACTS / "mg14-nojs-confirmation.png"), full_page=True)
        check_accessibility(page)

        # Signing out ends the session: a page posted now goes to sign in again.
        page.click("#dipforms-account")
        page.wait_for_url("**/sign-in.html")
        assert not [c for c in context.cookies() if c["name"] == "dipforms_session"]
        browser.close()

        token = run.user_token("reader", "police", "northshire_police")
        status, listing = run.request("GET", "/v1/records?form=mg14", token=token)
        assert status == 200 and [r["id"] for r in listing["records"]] == [record_id]
        status, body = run.request("GET", f"/v1/records/{record_id}", token=token)
        assert body["record"]["data"] == data


def check_accessibility(page) -> None:
    """axe on the page as shown without JavaScript (tests/browser/axe.py). axe waits on
    timers, which never fire while scripts are off, so the page's HTML is shown again in a
    second tab with scripts on but every <script> taken out: the same document, as
    without JavaScript, with the site's own styles."""
    from tests.browser.axe import axe_violations, describe

    bare = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
    viewer = dated_context(page.context.browser)
    try:
        tab = viewer.new_page()
        tab.route(page.url, lambda route: route.fulfill(
            body=bare, content_type="text/html; charset=utf-8"))
        tab.goto(page.url)
        violations = axe_violations(tab)
    finally:
        viewer.close()
    assert violations == [], describe(violations)
