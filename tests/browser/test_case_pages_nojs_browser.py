"""The case pages in Chromium with JavaScript turned off, against `dipforms run`: a CJIT
worker signs in through the form, opens Cases, searches by surname (a post: the surname
never reaches the address bar), opens the case and sees who it is about and the next step,
a link to its form with the case's reference. axe finds nothing on the list and the case,
at 320 px and desktop (docs/no-javascript.md)."""

from __future__ import annotations

import re

import pytest
from chalicelib.users import UserDirectory

from tests.browser.browsing import ARTIFACTS, dated_context, launch, wait_for_path
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for the case pages in Chromium"


def no_axe_problems(page, width: int) -> None:
    """axe on the page as shown without JavaScript, at `width` px: its HTML again in a tab
    with scripts on but every <script> taken out (axe waits on timers, which never fire
    while scripts are off), with the site's own styles (as test_nojs_browser)."""
    from tests.browser.axe import axe_violations, describe

    bare = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
    viewer = dated_context(page.context.browser,
                           viewport={"width": width, "height": 900 if width > 400 else 640})
    try:
        tab = viewer.new_page()
        tab.route(page.url, lambda route: route.fulfill(
            body=bare, content_type="text/html; charset=utf-8"))
        tab.goto(page.url)
        violations = axe_violations(tab)
    finally:
        viewer.close()
    assert violations == [], describe(violations)


def test_cases_search_and_a_case_without_javascript(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    users = UserDirectory.in_data_dir(tmp_path)
    users.add("pc_walk", "police", "northshire_police", PASSWORD)
    users.add("cjit_walk", "cjit", "northshire_cjit", PASSWORD)
    run = LocalRun(tmp_path)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"
    with run, sync_playwright() as playwright:
        status, body = run.request("POST", "/v1/session",
                                   {"user": "pc_walk", "password": PASSWORD})
        assert status == 200, body
        police = body["token"]
        refs = {}
        for surname in ("Walkerton", "Otherby"):
            status, made = run.submit("mg14", {**example_data("mg14"), "surname": surname},
                                      police)
            assert status == 201, made
            refs[surname] = made["case"]
        ref = refs["Walkerton"]

        browser = launch(playwright)
        context = dated_context(browser, java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(15_000)
        seen: list[str] = []
        page.on("request", lambda request: seen.append(request.url))

        page.goto(run.url + "/cases/index.html")
        page.wait_for_url("**/sign-in.html?next=*")
        page.fill("#user", "cjit_walk")
        page.fill("#password", PASSWORD)
        page.click("form.dipforms-sign-in button[type=submit]")
        wait_for_path(page, "/cases/index.html")
        expect(page.locator("h1")).to_have_text("Cases")
        expect(page.locator(".dipforms-needs-js")).to_have_count(0)
        expect(page.locator("[data-dipforms-nav=due]")).to_be_visible()
        expect(page.locator("[data-dipforms-nav=dashboard]")).to_be_hidden()   # not the CJIT's
        assert page.locator("tr[data-case]").count() >= 2
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900 if width > 400 else 640})
            no_axe_problems(page, width)

        page.fill("#q", "walkerton")
        page.click("form.dipforms-cases__search button")
        page.wait_for_load_state()
        expect(page.locator(".dipforms-cases__status")).to_contain_text(
            "Cases matching ‘walkerton’")
        expect(page.locator("tr[data-case]")).to_have_count(1)
        assert not [u for u in seen if "walkerton" in u.lower()]
        no_axe_problems(page, 320)

        page.click(f"tr[data-case='{ref}'] a")
        wait_for_path(page, "/cases/case.html")
        expect(page.locator("h1")).to_have_text(f"Case {ref}")
        who = page.locator(".dipforms-case__who")
        expect(who).to_contain_text("Sam Walkerton")
        expect(who).to_contain_text("12 April 1990")
        step = page.locator("#step-first_contact")
        expect(step).to_have_text(re.compile(r"^Record the DIP condition session 1"))
        assert step.get_attribute("href").endswith(f"?case={ref}")
        expect(page.locator(".dipforms-case__timeline li").first).to_be_visible()
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900 if width > 400 else 640})
            no_axe_problems(page, width)
        page.screenshot(path=str(ARTIFACTS / "case-nojs.png"), full_page=True)
        browser.close()
