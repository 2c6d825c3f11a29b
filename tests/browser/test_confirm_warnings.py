"""A warning gone ahead with, in Debian's Chromium against `dipforms run`: a DIP protocol
checklist whose gap between sessions 2 and 3 is under the guidance's three days (DIP-12).
The check page shows the rule's message and its source with a box for the reason, styled
as a warning; Send with the box empty is stopped on the page (nothing is sent) and only
then is the box an error; with a reason the form is sent and the reason is kept with the
record. A warning only the API raises (the page without the schema) arrives as a warning
too, not as an error."""

from __future__ import annotations

import re

import pytest
import yaml
from chalicelib.users import UserDirectory

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import ARTIFACTS, dated_page, launch, wait_for_path
from tests.browser.test_submit_flow import fill_page
from tests.examples import example_data
from tests.local_run import ROOT, LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USER, PASSWORD = "pc_checklist", "a long local password for tests"
FORM = "dip_protocol_checklist"
REASON = "Agreed locally with the CJIT manager: sessions run on Monday and Wednesday"


def dip12() -> dict:
    rules = yaml.safe_load((ROOT / "forms" / f"{FORM}.yaml").read_text())["rules"]
    return next(r for r in rules if r["id"] == "DIP-12")


def test_a_warning_needs_a_reason_which_is_kept_with_the_record(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    data = {**example_data(FORM), "min_gap_s2_s3_days": 2}
    rule = dip12()
    UserDirectory.in_data_dir(tmp_path).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        page = dated_page(browser, service_workers="block")
        page.set_default_timeout(15_000)
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.url) if "/submissions" in r.url else None)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(run.url + f"/sign-in.html?next=/forms/{FORM}/area.html")
        page.fill("#user", USER)
        page.fill("#password", PASSWORD)
        page.click("form.dipforms-sign-in button[type=submit]")
        wait_for_path(page, f"/forms/{FORM}/area.html")
        token = page.evaluate("JSON.parse(sessionStorage.getItem('dipforms:session')).token")
        while not page.url.endswith("/check.html"):
            page.wait_for_selector("html[data-dipforms-ready]")
            page_id = page.locator("form.dipforms-page").get_attribute("data-page")
            fill_page(page, data, leave_out=set())
            page.locator("form.dipforms-page button[type=submit]").click()
            page.wait_for_url(lambda url, left=f"/{page_id}.html": not url.endswith(left))
        page.wait_for_selector("html[data-dipforms-ready]")

        # The warning: the rule's message, where it comes from, and a box for the reason.
        box = page.locator("#dipforms-confirm")
        expect(box).to_be_visible()
        expect(box.locator(".govuk-warning-text")).to_contain_text(rule["message"])
        hint = box.locator("#_confirmations-DIP-12-hint")
        expect(hint).to_have_text(re.compile(
            r"^Source: Operational Guidelines for the DIP Condition \(Conditional Cautioning\),"
            r" Annex C session 3; Conditional Cautioning, Annex C: .*, Content$"))
        reason = page.get_by_label("Why are you going ahead?")
        expect(reason).to_have_attribute("aria-describedby",
                                         "_confirmations-DIP-12-warning _confirmations-DIP-12-hint")
        assert axe_violations(page) == [], describe(axe_violations(page))
        # Nobody has sent it without a reason yet: a warning, with no error styling.
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
        expect(reason).not_to_have_class(re.compile(r"\bgovuk-textarea--error\b"))
        expect(box.locator(".govuk-form-group--error")).to_have_count(0)

        # Send without a reason: stopped here, the box marked, nothing sent.
        page.click(".dipforms-send")
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        link = summary.get_by_role("link",
                                   name="Say why you are going ahead despite this warning")
        expect(link).to_have_attribute("href", "#_confirmations-DIP-12")
        expect(reason).to_have_class(re.compile(r"\bgovuk-textarea--error\b"))
        page.screenshot(path=str(ARTIFACTS / "confirm-warning-reason-missing.png"),
                        full_page=True)
        assert sent == []

        # With a reason: sent, and the warning listed on the confirmation page.
        link.click()
        expect(reason).to_be_focused()
        reason.fill(REASON)
        page.wait_for_timeout(1100)   # GOV.UK's preventDoubleClick ignores a second within 1 s
        page.click(".dipforms-send")
        page.wait_for_url(f"**/forms/{FORM}/done.html")
        reference = page.locator("#dipforms-reference")
        expect(reference).to_have_text(re.compile(r"^DIP-PROTOCOL-[0-9A-Z]{10}$"))
        expect(page.locator(".dipforms-warnings")).to_contain_text(rule["message"])
        record_id = reference.inner_text()
        browser.close()

        assert problems == [], problems
        status, body = run.request("GET", f"/v1/records/{record_id}", token=token)
        assert status == 200, body
        assert body["record"]["data"] == data
        assert [(c["rule"], c["field"], c["reason"])
                for c in body["record"]["confirmations"]] == [
            ("DIP-12", "/min_gap_s2_s3_days", REASON)]


def test_a_warning_only_the_api_saw_arrives_as_a_warning_not_an_error(tmp_path):
    """Without the schema the page cannot judge the rules, so the API answers the first Send
    with confirmation_required: the box appears in warning styling with the focus on its
    heading; only a second Send without a reason makes it an error."""
    from playwright.sync_api import expect, sync_playwright

    data = {**example_data(FORM), "min_gap_s2_s3_days": 2}
    rule = dip12()
    UserDirectory.in_data_dir(tmp_path).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        page = dated_page(browser, service_workers="block")
        page.set_default_timeout(15_000)
        page.route("**/schemas/**", lambda route: route.abort())
        answers: list[int] = []
        page.on("response", lambda r: answers.append(r.status)
                if "/submissions" in r.url and r.request.method == "POST" else None)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(run.url + f"/sign-in.html?next=/forms/{FORM}/area.html")
        page.fill("#user", USER)
        page.fill("#password", PASSWORD)
        page.click("form.dipforms-sign-in button[type=submit]")
        wait_for_path(page, f"/forms/{FORM}/area.html")
        while not page.url.endswith("/check.html"):
            page.wait_for_selector("html[data-dipforms-ready]")
            page_id = page.locator("form.dipforms-page").get_attribute("data-page")
            fill_page(page, data, leave_out=set())
            page.locator("form.dipforms-page button[type=submit]").click()
            page.wait_for_url(lambda url, left=f"/{page_id}.html": not url.endswith(left))
        page.wait_for_selector("html[data-dipforms-ready]")
        box = page.locator("#dipforms-confirm")
        expect(box).to_be_hidden()   # the page knows of no warning

        page.click(".dipforms-send")
        expect(box.locator(".govuk-warning-text")).to_contain_text(rule["message"])
        assert answers == [422]
        expect(box.locator("h2")).to_be_focused()
        reason = page.get_by_label("Why are you going ahead?")
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
        expect(reason).not_to_have_class(re.compile(r"\bgovuk-textarea--error\b"))
        expect(box.locator(".govuk-form-group--error")).to_have_count(0)
        assert not page.title().startswith("Error:")
        page.screenshot(path=str(ARTIFACTS / "confirm-warning-from-the-api.png"), full_page=True)
        assert axe_violations(page) == [], describe(axe_violations(page))

        # Sent again without a reason: now it is an error, and nothing more is sent.
        page.wait_for_timeout(1100)   # GOV.UK's preventDoubleClick ignores a second within 1 s
        page.click(".dipforms-send")
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(reason).to_have_class(re.compile(r"\bgovuk-textarea--error\b"))
        assert answers == [422]

        reason.fill(REASON)
        page.wait_for_timeout(1100)
        page.click(".dipforms-send")
        page.wait_for_url(f"**/forms/{FORM}/done.html")
        browser.close()
        assert problems == [], problems
        assert answers == [422, 201]
