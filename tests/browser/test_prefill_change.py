"""Forms that start from what the service knows, in Debian's Chromium against `dipforms run`:
the CJIT opens the required assessment from its case (?case=) and reaches check answers
with the case reference and the person's name shown, typing neither; the police change
an MG14 from its record page, answer section L (asked only now), are asked for the
reason, and the record page then shows the new version in its history.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from chalicelib.users import UserDirectory

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import ARTIFACTS, dated_context, launch, wait_for_path
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for tests"


def session_for(run: LocalRun, user: str) -> dict:
    status, body = run.request("POST", "/v1/session", {"user": user, "password": PASSWORD})
    assert status == 200, body
    return {"token": body["token"], "expires_at": body["expires_at"], "user": body["user"]}


def signed_in_page(browser, session: dict):
    context = dated_context(browser, service_workers="block")
    context.add_init_script(
        f"sessionStorage.setItem('dipforms:session', {json.dumps(json.dumps(session))})")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page, problems


def summary_text(page) -> str:
    return "\n".join(page.locator("#dipforms-summary .govuk-summary-list__row").all_inner_texts())


def test_a_form_from_its_case_and_a_change_to_a_record(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    users = UserDirectory.in_data_dir(tmp_path)
    users.add("pc_change", "police", "northshire_police", PASSWORD)
    users.add("cjit_prefill", "cjit", "northshire_cjit", PASSWORD)
    mg14 = example_data("mg14")
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        police, cjit = session_for(run, "pc_change"), session_for(run, "cjit_prefill")
        status, body = run.request("POST", "/v1/forms/mg14/submissions", mg14,
                                   police["token"], {"Idempotency-Key": str(uuid.uuid4())})
        assert status == 201, body
        case = body["case"]
        browser = launch(playwright)

        # The CJIT starts the required assessment from the case: nothing typed.
        page, problems = signed_in_page(browser, cjit)
        page.goto(f"{run.url}/forms/dir_required_assessment/index.html?case={case}")
        page.wait_for_selector("html[data-dipforms-ready]")
        expect(page.locator(".dipforms-from-case")).to_contain_text(case)
        page.locator(".govuk-button--start").click()
        wait_for_path(page, "/forms/dir_required_assessment/assessor.html")
        page.goto(f"{run.url}/forms/dir_required_assessment/assessment_prompt.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        reference = page.locator('[name="cc_case_ref"]')
        expect(reference).to_have_value(case)
        assert reference.evaluate("el => el.readOnly") is True      # cannot be mistyped
        page.goto(f"{run.url}/forms/dir_required_assessment/client.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        expect(page.locator('[name="surname"]')).to_have_value(mg14["surname"])
        page.goto(f"{run.url}/forms/dir_required_assessment/check.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        shown = summary_text(page)
        assert case in shown and mg14["surname"] in shown and mg14["forenames"] in shown
        assert not (found := axe_violations(page)), describe(found)
        assert page.locator("#dipforms-summary a", has_text="Change").count() > 0
        page.screenshot(path=str(ARTIFACTS / "prefill-check.png"), full_page=True)
        assert problems == [], problems

        # The CJIT reads the MG14 but may not submit one: no Change for them.
        page.goto(f"{run.url}/forms/mg14/record.html?id={case}")
        expect(page.locator(".dipforms-record__body")).to_be_visible()
        page.wait_for_load_state("networkidle")
        expect(page.locator(".dipforms-record__change")).to_be_hidden()
        expect(page.locator(".dipforms-record__history")).to_be_visible()

        # A draft of another case is not mixed with this one.
        status, other = run.request("POST", "/v1/forms/mg14/submissions",
                                    {**mg14, "surname": "Other"}, police["token"],
                                    {"Idempotency-Key": str(uuid.uuid4())})
        assert status == 201, other
        # (through a question page's address with ?case=, which starts from the start page)
        page.goto(f"{run.url}/forms/dir_required_assessment/client.html?case={other['case']}")
        wait_for_path(page, "/forms/dir_required_assessment/index.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        expect(page.locator(".dipforms-from-case")).to_contain_text(other["case"])
        page.goto(f"{run.url}/forms/dir_required_assessment/check.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        shown = summary_text(page)
        assert other["case"] in shown and "Other" in shown and case not in shown

        # A new MG14 starts with the CJIT's contact from the protocol, and no section L.
        page, problems = signed_in_page(browser, police)
        page.goto(f"{run.url}/forms/mg14/index.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        assert page.locator(".govuk-task-list a", has_text="Outcome").count() == 0
        page.goto(f"{run.url}/forms/mg14/cjit.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        expect(page.locator('[name="cjit_agency_name"]')).to_have_value("Northshire CJIT")
        expect(page.locator('[name="cjit_contact_phone"]')).to_have_value("01632 960020")

        # The police change the MG14 from its record page and answer section L.
        page.goto(f"{run.url}/forms/mg14/record.html?id={case}")
        change = page.locator(".dipforms-record__change")
        expect(change).to_be_visible()
        change.click()
        wait_for_path(page, "/forms/mg14/check.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        expect(page.locator(".dipforms-change")).to_be_visible()
        expect(page.locator(".dipforms-change__none")).to_be_visible()
        later = page.locator(".dipforms-change__later a", has_text="Outcome")
        expect(later).to_be_visible()
        later.click()
        wait_for_path(page, "/forms/mg14/outcome.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        page.check('[name="police_outcome"][value="complied_case_closed"]')
        page.click("form.dipforms-page button[type=submit]")
        wait_for_path(page, "/forms/mg14/check.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        expect(page.locator(".dipforms-change__list")).to_contain_text("police outcome")
        send = page.locator(".dipforms-send")
        expect(send).to_have_text("Send the change")
        send.click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter the reason for the change")
        expect(page.locator("#reason-error")).to_be_visible()    # beside the box too
        assert not (found := axe_violations(page)), describe(found)
        page.fill("#reason", "The CJIT reported compliance")
        confirm_boxes = page.locator("#dipforms-confirm textarea")
        for i in range(confirm_boxes.count()):
            confirm_boxes.nth(i).fill("Checked with the custody sergeant")
        page.wait_for_timeout(1100)     # GOV.UK's button ignores a second click within 1 s
        send.click()
        if page.locator("#dipforms-confirm textarea").count() > confirm_boxes.count():
            boxes = page.locator("#dipforms-confirm textarea")   # warnings the API raised
            for i in range(boxes.count()):
                boxes.nth(i).fill("Checked with the custody sergeant")
            page.wait_for_timeout(1100)
            send.click()
        wait_for_path(page, "/forms/mg14/record.html")
        expect(page.locator("#dipforms-record-version")).to_have_text("2 of 2")
        history = page.locator(".dipforms-record__history .dipforms-record__version")
        expect(history).to_have_count(2)
        expect(history.first).to_contain_text("The CJIT reported compliance")
        expect(history.first).to_contain_text("pc_change")
        expect(history.first).to_contain_text("Northshire Police custody suites")   # by name
        case_link = page.locator("#dipforms-record-case")     # the record names its case
        expect(case_link).to_have_text(case)
        expect(case_link).to_have_attribute("href", f"/cases/case.html?ref={case}")
        assert not (found := axe_violations(page)), describe(found)
        for width in (320, 1280):       # the history table fits a small screen
            page.set_viewport_size({"width": width, "height": 800})
            wide = page.evaluate("""w => Array.from(document.querySelectorAll('main *'))
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .map(e => e.tagName + '.' + e.className).slice(0, 8)""", width)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
        assert re.search(r"Complied: offender told and case closed",
                         page.locator("#dipforms-summary").inner_text())
        page.screenshot(path=str(ARTIFACTS / "record-changed.png"), full_page=True)
        assert problems == [], problems
        status, stored = run.request("GET", f"/v1/records/{case}", None, police["token"])
        assert stored["record"]["version"] == 2
        assert stored["record"]["data"]["police_outcome"] == "complied_case_closed"
        assert stored["record"]["reason"] == "The CJIT reported compliance"

        # Changed by someone else meanwhile: the stale message, and nothing overwritten.
        # By keyboard alone: Tab to "Change this record", Enter.
        page.goto(f"{run.url}/forms/mg14/record.html?id={case}")
        expect(page.locator(".dipforms-record__change")).to_be_visible()
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains("
                             "'dipforms-record__change')"):
                break
        page.keyboard.press("Enter")
        wait_for_path(page, "/forms/mg14/check.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        status, meanwhile = run.request(
            "PUT", f"/v1/records/{case}", {"reason": "Corrected the station", "base_version": 2,
                                           "data": {**stored["record"]["data"],
                                                    "station": "Southtown"}},
            police["token"])
        assert status == 200, meanwhile
        page.fill("#reason", "A late change")
        page.locator(".dipforms-send").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Someone else changed this record")
        status, stored = run.request("GET", f"/v1/records/{case}", None, police["token"])
        assert stored["record"]["version"] == 3 and stored["record"]["data"]["station"] == \
            "Southtown"
        assert problems == [], problems
