"""The casework pages (issue 16 items 3-5) in Debian's Chromium against `dipforms run`: a
police officer's MG14 (sent through the API in the setup) opens a case; the CJIT finds it in
Cases by the person's surname and in Due, opens it, reads who it is about, what is due and
the timeline in words, sees its form step as a link that carries the case, records an
appointment (with GOV.UK errors first), a disclosure and a hand-over; probation, handed the
case, records when supervision started. In an area whose CPS decides on the case (its
authorisation a button), the CPS's refusal ends the case only behind a confirmation page
that needs a reason. Cases come a page at a time; a server restarted on a later day tags
what is overdue. axe finds nothing on any of these pages, with and without errors, at
1280 px and 320 px; the case page and the appointment page work by keyboard alone."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from chalicelib.users import UserDirectory

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import ARTIFACTS, TARGETS_JS, dated_context, launch
from tests.browser.test_keyboard import Keyboard
from tests.examples import example_data
from tests.local_run import ROOT, LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for the casework pages test"
USERS = {"pc_work": ("police", "northshire_police"), "cjit_work": ("cjit", "northshire_cjit"),
         "om_work": ("probation", "northshire_probation"), "cps_work": ("cps", "northshire_cps")}
WIDTHS = (1280, 320)


def add_users(data) -> None:
    users = UserDirectory.in_data_dir(data)
    for user, (role, agency) in USERS.items():
        users.add(user, role, agency, PASSWORD)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def local(tmp_path_factory, browser):
    """The shipped forms under `dipforms run`, with a user of each role."""
    data = tmp_path_factory.mktemp("casework")
    add_users(data)
    run = LocalRun(data)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"   # no reminders firing mid-test
    with run:
        yield run


def session_for(run: LocalRun, user: str) -> dict:
    status, body = run.request("POST", "/v1/session", {"user": user, "password": PASSWORD})
    assert status == 200, body
    return {"token": body["token"], "expires_at": body["expires_at"], "user": body["user"]}


def open_page(browser, run: LocalRun, session: dict | None, path: str, width: int = 1280):
    """A signed-in tab at `path`, recording script errors and every address asked for."""
    options = {"viewport": {"width": width, "height": 900 if width > 400 else 640}}
    if width < 400:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    context = dated_context(browser, base_url=run.url, **options)
    if session is not None:
        context.add_init_script(
            f"sessionStorage.setItem('dipforms:session', {json.dumps(json.dumps(session))})")
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = {"errors": [], "urls": []}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("request", lambda r: seen["urls"].append(r.url))
    page.goto(path)
    return page, seen


def ready(page, root: str) -> None:
    page.wait_for_function(
        "s => { const r = document.querySelector(s);"
        " return r && r.dataset.state && r.dataset.state !== 'loading'; }", arg=root)


def no_axe_problems(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def fits(page, width: int, where: str) -> None:
    if width > 400:
        return
    assert page.evaluate("document.documentElement.scrollWidth"
                         " <= document.documentElement.clientWidth"), where
    measured = page.evaluate(TARGETS_JS)
    assert not measured["problems"], f"{where}: {measured['problems']}"


def checked(page, width: int, where: str) -> None:
    no_axe_problems(page, f"{where}, {width} px")
    fits(page, width, f"{where}, {width} px")


def new_case(run: LocalRun) -> tuple[str, dict]:
    mg14 = example_data("mg14")
    status, body = run.submit("mg14", mg14, session_for(run, "pc_work")["token"])
    assert status == 201, body
    return body["case"], mg14


def banner(page) -> str:
    from playwright.sync_api import expect

    box = page.locator(".dipforms-case__moved")
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    return box.inner_text()


def test_the_cjit_finds_the_case_by_surname_and_in_due_and_reads_who_and_what(local, browser):
    from playwright.sync_api import expect

    run = local
    ref, mg14 = new_case(run)
    cjit = session_for(run, "cjit_work")

    for width in WIDTHS:
        page, seen = open_page(browser, run, cjit, "/cases/index.html", width)
        ready(page, "[data-dipforms-cases]")
        expect(page.locator("h1")).to_have_text("Cases")
        expect(page.locator(f'tr[data-case="{ref}"]')).to_have_count(1)
        checked(page, width, "Cases")
        page.fill("#q", mg14["surname"].upper())
        page.get_by_role("button", name="Search").click()
        ready(page, "[data-dipforms-cases]")
        row = page.locator(f'tr[data-case="{ref}"]')
        expect(row).to_have_count(1)
        expect(row).to_contain_text(f"{mg14['forenames']} {mg14['surname']}")
        expect(page.locator(".dipforms-cases__status")).to_contain_text(
            f"Cases matching ‘{mg14['surname'].upper()}’")
        assert mg14["surname"].upper() not in page.url     # a name never in the address
        checked(page, width, "Cases, searched")
        page.fill("#q", "Nobody-Such")
        page.get_by_role("button", name="Search").click()
        ready(page, "[data-dipforms-cases]")
        expect(page.locator(".dipforms-cases__status")).to_contain_text("No cases match")
        # the filters go in the address: codes only
        page.select_option("#state", "administered")
        page.get_by_role("button", name="Apply filters").click()
        ready(page, "[data-dipforms-cases]")
        assert "state=administered" in page.url
        expect(page.locator(f'tr[data-case="{ref}"]')).to_have_count(1)
        expect(page.locator("#state")).to_have_value("administered")
        page.goto("/cases/index.html?state=closed_complied")
        ready(page, "[data-dipforms-cases]")
        expect(page.locator(f'tr[data-case="{ref}"]')).to_have_count(0)
        # a case's reference goes straight to the case
        page.goto("/cases/index.html")
        ready(page, "[data-dipforms-cases]")
        page.fill("#q", ref.lower())
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(f"**/cases/case.html?ref={ref}")
        assert seen["errors"] == []
        assert not [u for u in seen["urls"] if cjit["token"] in u]

        page, seen = open_page(browser, run, cjit, "/cases/due.html", width)
        ready(page, "[data-dipforms-due]")
        due = page.locator(f'.dipforms-due__list tr[data-case="{ref}"]')
        expect(due.first).to_be_visible()
        expect(due.first).to_contain_text("Contact-by date passed")
        dates = page.evaluate("""() => [...document.querySelectorAll(
            '.dipforms-due__list tbody tr')].map(r => r.cells[0].innerText)""")
        assert dates, "something is due"
        checked(page, width, "Due")
        due.first.get_by_role("link", name=ref).click()
        ready(page, "[data-dipforms-case]")
        assert seen["errors"] == []

    # The case page: who, what is due, the form step as a link carrying the case, the
    # timeline in words with agencies by name.
    page, seen = open_page(browser, run, cjit, f"/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    who = page.locator(".dipforms-case__who")
    expect(who).to_contain_text(f"{mg14['forenames']} {mg14['surname']}")
    expect(who).to_contain_text("12 April 1990")
    expect(page.locator('.dipforms-case__deadlines [data-deadline="contact_by_passed"]')
           ).to_contain_text("5 December 2026")
    step = page.locator(".dipforms-case__form-steps a")
    expect(step).to_have_count(1)
    expect(step).to_have_attribute(
        "href", f"/forms/dip_session1_triage/index.html?case={ref}")
    assert step.inner_text().startswith("Record the ")
    notices = page.locator('.dipforms-case__timeline li[data-kind="notification"] p').first
    expect(notices).to_have_text(re.compile(
        r"^E-mail to Northshire CJIT: .+ — (sent|waiting to be sent)$"))
    records = page.locator(".dipforms-case__records")
    expect(records).to_contain_text("Northshire Police custody suites")
    expect(records.get_by_role("link", name=re.compile("View and print")).first
           ).to_have_attribute("href", f"/forms/mg14/record.html?id={ref}")
    actions = [a.get_attribute("data-action")
               for a in page.locator(".dipforms-case__action-list a").all()]
    kept = page.evaluate("""() => Object.entries(JSON.parse(document.getElementById(
        'dipforms-case-process').textContent).actions.facts)
        .filter(([id, f]) => f.roles.includes('cjit')).map(([id]) => 'fact-' + id)""")
    assert actions == ["appointment", *kept, "handover", "disclosure"]   # the CJIT's facts only
    assert "fact-supervision_start" not in actions                       # probation's
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        checked(page, width, "the case, as the CJIT")
    page.screenshot(path=str(ARTIFACTS / "casework-case.png"), full_page=True)
    assert seen["errors"] == []


def test_an_appointment_a_disclosure_and_a_hand_over_each_a_short_question_flow(local, browser):
    from playwright.sync_api import expect

    run = local
    ref, _ = new_case(run)
    cjit = session_for(run, "cjit_work")

    page, seen = open_page(browser, run, cjit, f"/cases/appointment.html?ref={ref}")
    ready(page, "[data-dipforms-action]")
    expect(page.locator(".dipforms-action__caption")).to_have_text(f"Case {ref}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        checked(page, width, "an appointment")
    page.get_by_role("button", name="Record the appointment").click()
    summary = page.locator(".dipforms-action__summary")
    expect(summary).to_be_focused()
    assert summary.locator("li").all_inner_texts() == [
        "Enter the date of the appointment", "Enter the start time", "Enter the end time"]
    expect(page.locator("#start_time-error")).to_contain_text("Enter the start time")
    assert page.title().startswith("Error: ")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        checked(page, width, "an appointment with errors")
    summary.get_by_role("link", name="Enter the start time").click()
    expect(page.locator("#start_time")).to_be_focused()
    page.fill("#date-day", "30")
    page.fill("#date-month", "11")
    page.fill("#date-year", "2026")
    page.fill("#start_time", "11:00")
    page.fill("#end_time", "10:00")
    page.get_by_role("button", name="Record the appointment").click()
    expect(summary.locator("li")).to_have_text(["The end time must be after the start time"])
    page.fill("#end_time", "11:45")
    page.get_by_role("button", name="Record the appointment").click()
    page.wait_for_url(f"**/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    assert banner(page) .endswith("Appointment recorded for 30 November 2026, 11:00 to 11:45")
    expect(page.locator('.dipforms-case__timeline li[data-kind="appointment"] p').first
           ).to_contain_text("30 November 2026")
    no_axe_problems(page, "the case after an appointment")
    status, view = run.request("GET", f"/v1/cases/{ref}", token=cjit["token"])
    assert [(e["starts_at"], e["ends_at"]) for e in view["timeline"]
            if e["kind"] == "appointment"] == [("2026-11-30T11:00", "2026-11-30T11:45")]

    # A disclosure: blank, then on a ground the protocol gives.
    page.goto(f"/cases/disclosure.html?ref={ref}")
    ready(page, "[data-dipforms-action]")
    assert page.locator('#recipient option[value="northshire_cjit"]').count() == 0   # own
    page.get_by_role("button", name="Record the disclosure").click()
    expect(summary.locator("li")).to_have_text([
        "Select who the information is for", "Select the ground for sharing",
        "Select the information to share", "Enter why the information is shared"])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        checked(page, width, "a disclosure with errors")
    page.select_option("#recipient", "northshire_probation")
    page.get_by_label(re.compile("IS-01: Risk of harm")).check()
    page.get_by_label("Drug Interventions Record (DIR) summary").check()   # beyond IS-01
    page.fill("#reason", "A risk to a known adult was disclosed in session")
    page.get_by_role("button", name="Record the disclosure").click()
    # the API's own field error, placed at its question
    expect(summary.locator("li a")).to_have_text([re.compile(
        r"^IS-01 allows only .+ to be shared without consent, not dir_summary")])
    expect(page.locator("#items-error")).to_contain_text("IS-01 allows only")
    checked(page, 1280, "a disclosure the API refused")
    page.get_by_label("Drug Interventions Record (DIR) summary").uncheck()
    page.get_by_label("Risk assessment and plans to manage risk").check()
    page.get_by_role("button", name="Record the disclosure").click()
    page.wait_for_url(f"**/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    assert banner(page).endswith(
        "Disclosure recorded: information shared with Northshire Probation Area")
    expect(page.locator('.dipforms-case__timeline li[data-kind="disclosure"]')).to_have_count(1)

    # A hand-over to probation, who then records when supervision started.
    page.goto(f"/cases/handover.html?ref={ref}")
    ready(page, "[data-dipforms-action]")
    assert page.locator('input[name="agency"][value="northshire_cjit"]').count() == 0
    page.get_by_role("button", name="Hand the case over").click()
    expect(summary.locator("li")).to_have_text(["Select the agency to hand the case to"])
    checked(page, 1280, "a hand-over with errors")
    page.get_by_label("Northshire Probation Area").check()
    page.fill("#reason", "Sentenced to a community order with a DRR")
    page.get_by_role("button", name="Hand the case over").click()
    page.wait_for_url(f"**/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    assert banner(page).endswith("Case handed over to Northshire Probation Area")
    assert seen["errors"] == []

    probation = session_for(run, "om_work")
    page, seen = open_page(browser, run, probation, f"/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    link = page.locator('.dipforms-case__action-list a[data-action="fact-supervision_start"]')
    expect(link).to_have_text("Record: Supervision started")
    link.click()
    ready(page, "[data-dipforms-action]")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        checked(page, width, "a fact")
    page.fill("#value-day", "31")
    page.fill("#value-month", "11")
    page.fill("#value-year", "2026")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#value-error")).to_contain_text("The date must be a real date")
    checked(page, 1280, "a fact with an error")
    page.fill("#value-day", "1")
    page.fill("#value-month", "12")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    assert banner(page).endswith("Recorded: Supervision started")
    status, view = run.request("GET", f"/v1/cases/{ref}", token=probation["token"])
    assert view["case"]["facts"]["supervision_start"] == "2026-12-01"
    assert seen["errors"] == []
    assert not [u for u in seen["urls"] if probation["token"] in u]


def test_the_case_page_and_an_appointment_by_keyboard_alone(local, browser):
    run = local
    ref, _ = new_case(run)
    cjit = session_for(run, "cjit_work")
    page, seen = open_page(browser, run, cjit, f"/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    keys = Keyboard(page)
    keys.to('.dipforms-case__action-list a[data-action="appointment"]')
    page.keyboard.press("Enter")                     # a new page: no focus check mid-way
    ready(page, "[data-dipforms-action]")
    keys.to(".dipforms-action__send")
    keys.press("Enter")                              # nothing typed: the summary has focus
    assert keys.focused(".dipforms-action__summary")
    keys.to(".dipforms-action__summary a")
    keys.press("Enter")
    assert keys.focused("#date-day")
    keys.type("#date-day", "2")
    keys.type("#date-month", "12")
    keys.type("#date-year", "2026")
    keys.type("#start_time", "09:30")
    keys.type("#end_time", "10:15")
    keys.to(".dipforms-action__send")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    assert banner(page).endswith("2 December 2026, 09:30 to 10:15")
    keys.to(".dipforms-case__form-steps a")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/forms/dip_session1_triage/" in url)
    assert f"case={ref}" in page.url
    assert keys.problems == []
    assert seen["errors"] == []


# -- an ending step behind a confirmation: an area whose CPS decides on the case -----------

def project_copy(target):
    """The forms, kept schemas and API code, with the CPS's authorisation a button (its
    `on:` taken away), so an MG14 leaves the case with the CPS and its refusal is a button
    that ends the case."""
    skip = shutil.ignore_patterns("__pycache__", "generated", "*.pyc")
    for folder in ("forms", "schemas", "api"):
        shutil.copytree(ROOT / folder, target / folder, ignore=skip)
    process = target / "forms" / "process.yaml"
    text = process.read_text(encoding="utf-8")
    made = ('     on: {form: mg14, when: "cps_sufficient_evidence == true and '
            'cps_cc_to_be_given == true"},\n')
    assert made in text
    process.write_text(text.replace(made, ""), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def cps_area(tmp_path_factory, browser):
    root = project_copy(tmp_path_factory.mktemp("cps-area"))
    data = tmp_path_factory.mktemp("cps-area-data")
    add_users(data)
    run = LocalRun(data, root=root, start_seconds=90)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"
    # the copy's API code first, so its chalicelib reads the copy's generated process
    run.env["PYTHONPATH"] = f"{ROOT}:{root / 'api'}"
    with run:
        yield run


def test_an_ending_step_asks_for_a_reason_on_a_confirmation_page_then_closes_the_case(
        cps_area, browser):
    from playwright.sync_api import expect

    run = cps_area
    ref, _ = new_case(run)
    cps = session_for(run, "cps_work")
    page, seen = open_page(browser, run, cps, f"/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    refuse = page.locator("#step-cps_refuses")
    expect(refuse).to_have_text("CPS: refuse the conditional caution")
    assert refuse.evaluate("e => e.tagName") == "A"              # a page, not one click
    expect(page.locator("#step-cps_authorises")).to_have_attribute("type", "button")
    refuse.click()
    page.wait_for_url(lambda url: "/cases/step.html" in url)
    ready(page, "[data-dipforms-action]")
    expect(page.locator("h1:visible")).to_have_text("CPS: refuse the conditional caution")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "This closes the case: it moves to ‘Alternative disposal’")
    send = page.locator(".dipforms-action__send")
    expect(send).to_have_text("Close the case")
    expect(send).to_have_class(re.compile("govuk-button--warning"))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        checked(page, width, "an ending step")
    send.click()
    summary = page.locator(".dipforms-action__summary")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(1)
    expect(page.locator("#reason-error")).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        checked(page, width, "an ending step with no reason")
    status, view = run.request("GET", f"/v1/cases/{ref}", token=cps["token"])
    assert view["case"]["state"] == "with_cps"                   # nothing happened yet
    page.fill("#reason", "Not in the public interest: the evidence is insufficient")
    send.click()
    page.wait_for_url(f"**/cases/case.html?ref={ref}")
    ready(page, "[data-dipforms-case]")
    assert banner(page).endswith("The case has moved to: Alternative disposal")
    expect(page.locator(".dipforms-case__next")).to_contain_text("This case is closed")
    moved = page.locator('.dipforms-case__timeline li[data-kind="transition"] p').first
    expect(moved).to_contain_text("Reason: Not in the public interest")
    status, view = run.request("GET", f"/v1/cases/{ref}", token=cps["token"])
    assert (view["case"]["state"], view["case"]["closed"]) == ("alternative_disposal", True)
    # the step page for a step the case can no longer take says so
    page.goto(f"/cases/step.html?ref={ref}&transition=cps_refuses")
    ready(page, "[data-dipforms-action]")
    expect(page.locator('[data-problem="not-now"]')).to_be_visible()
    no_axe_problems(page, "a step that cannot be taken now")
    assert seen["errors"] == []
    assert not [u for u in seen["urls"] if cps["token"] in u]


def test_every_case_page_as_first_opened_passes_axe_and_fits_a_phone(local, browser):
    """Each page under cases/ as a link without its case would leave it (the page says
    which case is missing) or, for the lists, as it opens: axe and the layout checks at
    both widths, as test_accessibility and test_layout walk every page."""
    from tests.browser.browsing import site_pages

    run = local
    cjit = session_for(run, "cjit_work")
    paths = [p for p in site_pages() if p.startswith("/cases/")]
    assert {"/cases/index.html", "/cases/due.html", "/cases/step.html",
            "/cases/appointment.html", "/cases/disclosure.html",
            "/cases/handover.html"} <= set(paths)
    for width in WIDTHS:
        page, seen = open_page(browser, run, cjit, "/cases/index.html", width)
        for path in paths:
            page.goto(path)
            page.wait_for_function("() => !!document.querySelector('[data-state]')")
            checked(page, width, path)
        assert seen["errors"] == []


def test_cases_come_a_page_at_a_time_by_the_apis_cursor(local, browser):
    from playwright.sync_api import expect

    run = local
    police = session_for(run, "pc_work")
    for _ in range(26):                       # more than one page (the API's 25)
        status, body = run.submit("mg14", example_data("mg14"), police["token"])
        assert status == 201, body
    cjit = session_for(run, "cjit_work")
    page, seen = open_page(browser, run, cjit, "/cases/index.html")
    ready(page, "[data-dipforms-cases]")
    rows = page.locator(".dipforms-cases__list tbody tr")
    expect(rows).to_have_count(25)
    first = rows.first.get_attribute("data-case")
    expect(page.locator(".govuk-pagination__prev")).to_be_hidden()
    page.get_by_role("link", name="Next").click()
    ready(page, "[data-dipforms-cases]")
    expect(page.locator("#cases-results")).to_be_focused()
    expect(rows.first).not_to_have_attribute("data-case", first)
    assert rows.count() >= 1
    expect(page.locator(".govuk-pagination__prev")).to_be_visible()
    checked(page, 1280, "Cases, page 2")
    page.get_by_role("link", name="Previous").click()
    ready(page, "[data-dipforms-cases]")
    expect(rows.first).to_have_attribute("data-case", first)
    assert "cursor" not in page.url
    assert seen["errors"] == []


def test_due_marks_what_is_overdue_once_its_day_has_passed(tmp_path, browser):
    """The server restarted on a later day (its clock, DIPFORMS_CLOCK): the contact-by date
    has passed, so Due and the case page tag it overdue, in red."""
    from playwright.sync_api import expect

    add_users(tmp_path)
    with LocalRun(tmp_path) as run:
        ref, _ = new_case(run)                            # contact by 4 December 2026
    later = LocalRun(tmp_path, clock="2026-12-10T10:00:00+00:00")
    later.env["DIPFORMS_SWEEP_SECONDS"] = "86400"
    with later as run:
        cjit = session_for(run, "cjit_work")
        page, seen = open_page(browser, run, cjit, "/cases/due.html")
        ready(page, "[data-dipforms-due]")
        expect(page.locator(".dipforms-due__today")).to_have_text("Today is 10 December 2026.")
        row = page.locator(f'.dipforms-due__list tr[data-case="{ref}"][data-overdue]')
        expect(row.first).to_contain_text("Contact-by date passed")
        expect(row.first.locator(".govuk-tag--red")).to_have_text("Overdue")
        checked(page, 1280, "Due, with something overdue")
        row.first.get_by_role("link", name=ref).click()
        ready(page, "[data-dipforms-case]")
        expect(page.locator('[data-deadline="contact_by_passed"] .govuk-tag--red')
               ).to_have_text("Overdue")
        assert seen["errors"] == []
