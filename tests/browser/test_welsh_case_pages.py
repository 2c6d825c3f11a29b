"""The case pages in Welsh (issue 16 item 8) in Debian's Chromium against `dipforms run`: a
police officer's MG14 (sent through the API in the setup) opens a case; the CJIT, reading in
Welsh, finds it in Achosion (the Cases list), opens it and reads it in Welsh in the parts the
scripts fill in (the state, what is due, the steps, the timeline), with links that stay in
Welsh and a language switch to the same case in English; an appointment recorded from the
Welsh page says so in Welsh. axe finds nothing at 1280 px and 320 px."""

from __future__ import annotations

import re

import pytest

from generator.render.text import case_words
from tests.browser.test_casework_pages import (
    WIDTHS,
    banner,
    browser,  # noqa: F401  (a fixture)
    checked,
    local,  # noqa: F401  (a fixture: the shipped forms under `dipforms run`)
    new_case,
    open_page,
    ready,
    session_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CY = case_words("cy")


def test_the_cjit_reads_cases_and_a_case_in_welsh(local, browser):  # noqa: F811
    from playwright.sync_api import expect

    run = local
    ref, mg14 = new_case(run)
    cjit = session_for(run, "cjit_work")
    status, body = run.request("GET", f"/v1/cases/{ref}", token=cjit["token"])
    assert status == 200, body
    state = body["case"]["state"]
    welsh_state = CY["process"]["states"][state]
    assert welsh_state != body["case"]["state_label"]      # the API's words are English

    for width in WIDTHS:
        page, seen = open_page(browser, run, cjit, "/cy/cases/index.html", width)
        ready(page, "[data-dipforms-cases]")
        assert page.get_attribute("html", "lang") == "cy"
        expect(page.locator("h1")).to_have_text("Achosion")
        row = page.locator(f'tr[data-case="{ref}"]')
        expect(row).to_have_count(1)
        expect(row).to_contain_text(welsh_state)
        expect(row).to_contain_text("ganwyd 12 Ebrill 1990")
        expect(page.locator(".dipforms-cases__list th").first).to_have_text("Achos")
        expect(page.locator(".dipforms-cases__status")).to_contain_text("ar y dudalen hon")
        nav = page.locator("#dipforms-navigation")
        expect(nav.get_by_role("link", name="Achosion")).to_have_attribute(
            "href", "/cy/cases/index.html")
        expect(nav.get_by_role("link", name="I'w gwneud")).to_have_attribute(
            "href", "/cy/cases/due.html")
        checked(page, width, "Achosion")
        row.get_by_role("link", name=ref).click()
        page.wait_for_url(f"**/cy/cases/case.html?ref={ref}")
        ready(page, "[data-dipforms-case]")
        checked(page, width, "the case, in Welsh")
        assert seen["errors"] == []

    page, seen = open_page(browser, run, cjit, f"/cy/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    expect(page.locator(".dipforms-case__title")).to_have_text(f"Achos {ref}")
    summary = page.locator(".dipforms-case__summary")
    expect(summary).to_contain_text("Statws")
    expect(summary).to_contain_text(welsh_state)
    who = page.locator(".dipforms-case__who")
    expect(who).to_contain_text("Dyddiad geni")
    expect(who).to_contain_text("12 Ebrill 1990")
    deadline = page.locator('.dipforms-case__deadlines [data-deadline="contact_by_passed"]')
    expect(deadline).to_contain_text(CY["process"]["deadlines"]["contact_by_passed"])
    expect(deadline).to_contain_text("5 Rhagfyr 2026")
    # the session form has no Welsh: its step links to its English pages, and says so
    step = page.locator(".dipforms-case__form-steps a")
    expect(step).to_have_count(1)
    expect(step).to_have_attribute("href", f"/forms/dip_session1_triage/index.html?case={ref}")
    expect(step).to_have_attribute("hreflang", "en")
    assert step.inner_text().startswith("Cofnodi ")
    timeline = page.locator(".dipforms-case__timeline")
    expect(timeline.locator('li[data-kind="opened"] h3')).to_have_text("Agorwyd yr achos")
    expect(timeline.locator('li[data-kind="notification"] p').first).to_have_text(re.compile(
        r"^E-bost at .+: .+ — (wedi'i hanfon|yn aros i gael ei hanfon)$"))
    actions = page.locator(".dipforms-case__action-list")
    expect(actions.get_by_role("link", name="Cofnodi apwyntiad")).to_have_attribute(
        "href", f"/cy/cases/appointment.html?ref={ref}")
    # the language switch leads to the same case in English
    english = page.locator(".dipforms-language-switch a")
    expect(english).to_have_attribute("href", f"/cases/case.html?ref={ref}")
    assert seen["errors"] == []

    # an appointment from the Welsh page: its errors and what it did, in Welsh
    actions.get_by_role("link", name="Cofnodi apwyntiad").click()
    ready(page, "[data-dipforms-action]")
    expect(page.locator(".dipforms-action__caption")).to_have_text(f"Achos {ref}")
    page.get_by_role("button", name="Cofnodi'r apwyntiad").click()
    summary = page.locator(".dipforms-action__summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Rhowch ddyddiad yr apwyntiad")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        checked(page, width, "an appointment with errors, in Welsh")
    page.fill("#date-day", "9")
    page.fill("#date-month", "12")
    page.fill("#date-year", "2026")
    page.fill("#start_time", "10:00")
    page.fill("#end_time", "11:00")
    page.get_by_role("button", name="Cofnodi'r apwyntiad").click()
    page.wait_for_url(f"**/cy/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    assert "Cofnodwyd apwyntiad ar gyfer 9 Rhagfyr 2026, 10:00 tan 11:00" in banner(page)
    assert seen["errors"] == []
