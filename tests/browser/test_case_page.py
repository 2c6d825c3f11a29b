"""The case page (cases/case.html?ref=) in Debian's Chromium against `dipforms run`: a police
officer opens a case an MG14 made through the API and sees where the MG14 placed it, its
facts in words and the MG14 itself; in an area whose CPS decides on the case (its
authorisation a button, tests/browser/test_casework_pages.py), the CPS moves it on by
keyboard with a button, and a step that fails its guard shows DIP-01, its source and what
can happen instead in the GOV.UK error summary, and a stale page is told someone else
changed the case. Cases finds a case by its reference; the confirmation page links to the
case; the page with no reference or no sign-in. axe finds nothing on any of them, at 1280 px
and 320 px, and the token is never in an address."""

from __future__ import annotations

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
from chalicelib.users import UserDirectory

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import ARTIFACTS, TARGETS_JS, dated_context, launch
from tests.browser.test_casework_pages import project_copy
from tests.examples import example_data
from tests.local_run import ROOT, LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for the case page test"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def form_title(form: str) -> str:
    manifest = json.loads((ROOT / "schemas" / "manifest.json").read_text(encoding="utf-8"))
    return next(f["title"]["en"] for f in manifest["forms"] if f["id"] == form)


def in_words(iso: str) -> str:
    day = datetime.date.fromisoformat(iso[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def london_in_words(instant: str) -> str:
    """A UTC moment from the API as the page shows it: its date and time in England."""
    moment = datetime.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    local = moment.astimezone(ZoneInfo("Europe/London"))
    return f"{in_words(local.date().isoformat())} at {local:%H:%M}"


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """One local run with a police officer and a CJIT worker, and one browser."""
    from playwright.sync_api import sync_playwright

    data = tmp_path_factory.mktemp("case-page")
    users = UserDirectory.in_data_dir(data)
    users.add("pc_case", "police", "northshire_police", PASSWORD)
    users.add("cjit_case", "cjit", "northshire_cjit", PASSWORD)
    users.add("cps_case", "cps", "northshire_cps", PASSWORD)
    run = LocalRun(data)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"   # no reminders firing mid-test
    with run, sync_playwright() as playwright:
        browser = launch(playwright)
        yield run, browser
        browser.close()


@pytest.fixture(scope="module")
def cps_area(tmp_path_factory, local):
    """An area whose CPS decides on the case: an MG14 leaves it with the CPS, whose
    authorisation and refusal are buttons (test_casework_pages.project_copy)."""
    _, browser = local
    root = project_copy(tmp_path_factory.mktemp("case-page-area"))
    data = tmp_path_factory.mktemp("case-page-area-data")
    users = UserDirectory.in_data_dir(data)
    users.add("pc_case", "police", "northshire_police", PASSWORD)
    users.add("cjit_case", "cjit", "northshire_cjit", PASSWORD)
    users.add("cps_case", "cps", "northshire_cps", PASSWORD)
    run = LocalRun(data, root=root, start_seconds=90)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"
    run.env["PYTHONPATH"] = f"{ROOT}:{root / 'api'}"    # the copy's own API code first
    with run:
        yield run, browser


def session_for(run: LocalRun, user: str) -> dict:
    status, body = run.request("POST", "/v1/session", {"user": user, "password": PASSWORD})
    assert status == 200, body
    return {"token": body["token"], "expires_at": body["expires_at"], "user": body["user"]}


def new_case(run: LocalRun, police: dict) -> str:
    status, body = run.submit("mg14", example_data("mg14"), police["token"])
    assert status == 201, body
    assert body["case"] == body["record"]["id"]
    return body["case"]


def step(run: LocalRun, ref: str, transition: str, who: dict, **asked) -> None:
    status, body = run.request("POST", f"/v1/cases/{ref}/transitions",
                               {"transition": transition, **asked}, who["token"])
    assert status == 200, body


def case_json(run: LocalRun, ref: str, who: dict) -> dict:
    status, body = run.request("GET", f"/v1/cases/{ref}", token=who["token"])
    assert status == 200, body
    return body["case"]


def state_of(run: LocalRun, ref: str, who: dict) -> str:
    return case_json(run, ref, who)["state"]


def open_page(browser, run: LocalRun, session: dict | None, path: str, width: int = 1280):
    """A tab (signed in when `session` is given) at `path`; records script errors and every
    address asked for, to show the token is never in one."""
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
    page.on("request",
            lambda r: seen["urls"].append(r.url + " " + (r.headers.get("referer") or "")))
    page.goto(path)
    return page, seen


def case_page(browser, run, session, ref, width: int = 1280):
    page, seen = open_page(browser, run, session, f"/cases/case.html?ref={ref}", width)
    page.wait_for_selector("[data-dipforms-case][data-state]", state="attached")
    return page, seen


def summary_rows(page) -> dict[str, str]:
    rows = page.locator(".dipforms-case__summary .govuk-summary-list__row")
    return {row.locator("dt").inner_text().strip(): row.locator("dd").inner_text().strip()
            for row in rows.all()}


def no_axe_problems(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def fits_a_phone(page, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth"
                         " <= document.documentElement.clientWidth"), where
    measured = page.evaluate(TARGETS_JS)
    assert not measured["problems"], f"{where}: {measured['problems']}"


def test_police_see_where_the_mg14_placed_the_case(local):
    from playwright.sync_api import expect

    run, browser = local
    police = session_for(run, "pc_case")
    ref = new_case(run, police)
    mg14 = example_data("mg14")

    page, seen = case_page(browser, run, police, ref)
    root = page.locator("[data-dipforms-case]")
    expect(root).to_have_attribute("data-state", "ready")
    expect(page.locator(".dipforms-needs-js")).to_be_hidden()
    expect(page.locator("h1:visible")).to_have_text(f"Case {ref}")
    assert page.title().startswith(f"Case {ref} - ")
    rows = summary_rows(page)
    # the MG14 of a caution given places the case (issue 16 item 1): no clicks restate it
    assert rows["State"] == "Conditional caution administered"
    assert rows["DIP condition"] == "One session condition"
    assert rows["Contact by"] == in_words(mg14["contact_by_date"])
    assert rows["Comply by"] == in_words(mg14["comply_by_date"])
    assert rows["Class of offence"] == "Summary only"
    opened = case_json(run, ref, police)["opened_at"]             # UTC, shown in London time
    assert rows["Opened"] == london_in_words(opened)
    expect(page.locator(".dipforms-case__steps button")).to_have_count(0)
    expect(page.locator(".dipforms-case__next")).to_contain_text(
        "There is nothing for you to do on this case now")   # the CJIT's move now
    # the MG14 as a card: its title, a link to print it, and its answers as words
    card = page.locator(".dipforms-case__records .govuk-summary-card")
    expect(card).to_have_count(1)
    expect(card.locator(".govuk-summary-card__title")).to_have_text(form_title("mg14"))
    expect(card.locator("a.govuk-link").first).to_have_attribute(
        "href", f"/forms/mg14/record.html?id={ref}")
    card.locator("summary").click()
    answers = card.locator(".govuk-details__text").inner_text()
    assert "One session condition" in answers and in_words(mg14["contact_by_date"]) in answers
    expect(page.locator('.dipforms-case__timeline li[data-kind="opened"] h3')).to_have_text(
        "Case opened")
    moved = page.locator('.dipforms-case__timeline li[data-kind="transition"]')
    expect(moved.first.locator("p").first).to_have_text(
        "From \u2018Conditional caution offered\u2019 to "
        "\u2018Conditional caution administered\u2019.")
    assert " at " in moved.first.locator("time").inner_text()   # e.g. 4 December 2026 at 10:30
    no_axe_problems(page, "the case, signed in as police")
    page.screenshot(path=str(ARTIFACTS / "case.png"), full_page=True)

    # The confirmation page after an MG14 sent by the page's own script links to its case.
    page.goto("/forms/mg14/index.html")
    page.wait_for_selector("html[data-dipforms-ready]", state="attached")
    other = page.evaluate("""async (data) => {
      const O = window.dipformsOutbox;
      const answer = await O.submitTo("mg14", data, O.newKey());
      O.accepted("mg14", answer.body);
      return answer.body.case;
    }""", example_data("mg14"))
    assert other and other != ref
    page.goto("/forms/mg14/done.html")
    link = page.locator(".dipforms-done__case a")
    expect(link).to_be_visible()
    expect(link).to_have_text("View the case")
    expect(link).to_have_attribute("href", f"/cases/case.html?ref={other}")
    no_axe_problems(page, "the confirmation page with its case")
    link.click()
    expect(page.locator("h1:visible")).to_have_text(f"Case {other}")
    assert seen["errors"] == []
    assert not [u for u in seen["urls"] if police["token"] in u]


def test_a_routine_button_moves_the_case_at_once_by_keyboard(cps_area):
    from playwright.sync_api import expect

    run, browser = cps_area
    police, cps = session_for(run, "pc_case"), session_for(run, "cps_case")
    ref = new_case(run, police)
    assert state_of(run, ref, cps) == "with_cps"
    page, seen = case_page(browser, run, cps, ref)
    expect(page.locator("#step-cps_authorises")).to_have_text(
        "CPS: authorise the conditional caution")
    page.locator("#step-cps_authorises").focus()
    page.keyboard.press("Enter")
    banner = page.locator(".dipforms-case__moved")
    expect(banner).to_be_visible()
    expect(banner).to_be_focused()
    expect(banner).to_contain_text("The case has moved to: Conditional caution offered")
    assert summary_rows(page)["State"] == "Conditional caution offered"
    assert state_of(run, ref, cps) == "offered"
    expect(page.locator(".dipforms-case__problem-summary")).to_be_hidden()
    no_axe_problems(page, "after a step")
    assert seen["errors"] == []


def test_a_guard_that_fails_shows_the_rule_its_source_and_what_can_happen(cps_area):
    from playwright.sync_api import expect

    run, browser = cps_area
    police, cjit, cps = (session_for(run, "pc_case"), session_for(run, "cjit_case"),
                         session_for(run, "cps_case"))
    ref = new_case(run, police)
    withdrawn = {**example_data("consent_to_share_information", "valid/withdrawn"),
                 "case_ref": ref}
    status, body = run.submit("consent_to_share_information", withdrawn, cjit["token"])
    assert status == 201, body
    assert state_of(run, ref, cps) == "with_cps"

    for width in (1280, 320):
        page, seen = case_page(browser, run, cps, ref, width)
        expect(page.locator("[data-dipforms-case]")).to_have_attribute("data-state", "ready")
        assert summary_rows(page)["State"] == "With the CPS for a decision"
        assert [b.get_attribute("data-transition") for b in
                page.locator(".dipforms-case__steps [data-transition]").all()] == [
            "cps_refuses", "cps_authorises"]
        no_axe_problems(page, f"the case, signed in as the CPS, {width} px")
        if width == 320:
            fits_a_phone(page, "the case at 320 px")

        page.locator("#step-cps_authorises").click()
        summary = page.locator(".dipforms-case__problem-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(summary.locator(".dipforms-case__refusal")).to_have_text(re.compile(
            r"^A DIP conditional caution cannot go ahead: the offender's written permission "
            r"to share the assessment with the police and CPS is not in force\. .+"))
        expect(summary.locator(".dipforms-case__rule")).to_have_text("Rule: DIP-01")
        source = summary.locator(".dipforms-case__source").inner_text()
        assert source.startswith("Source: Operational Guidelines for the DIP Condition")
        assert "§4.6" in source and "Annex A note 1" in source
        allowed = summary.locator(".govuk-error-summary__list a")
        expect(allowed).to_have_count(1)
        expect(allowed).to_have_text("CPS: refuse the conditional caution")
        assert page.title().startswith("Error: Case ")
        assert state_of(run, ref, cps) == "with_cps"               # nothing changed
        no_axe_problems(page, f"a refused step, {width} px")
        page.screenshot(path=str(ARTIFACTS / f"case-refused-{width}.png"), full_page=True)
        if width == 320:
            fits_a_phone(page, "a refused step at 320 px")
        allowed.click()                                          # to the step it names
        expect(page.locator("#step-cps_refuses")).to_be_focused()
        assert seen["errors"] == []
        assert not [u for u in seen["urls"] if cps["token"] in u]

    # Someone else moves the case while this page is open: the page says so and reloads.
    step(run, ref, "cps_refuses", cps, reason="Not in the public interest")
    page.locator("#step-cps_authorises").click()
    summary = page.locator(".dipforms-case__problem-summary")
    expect(summary.locator(".dipforms-case__refusal")).to_contain_text(
        "Someone else changed this case")
    expect(summary.locator(".dipforms-case__rule")).to_be_hidden()
    expect(page.locator(".dipforms-case__summary")).to_contain_text("Alternative disposal")
    expect(page.locator(".dipforms-case__next")).to_contain_text("This case is closed")
    assert state_of(run, ref, cps) == "alternative_disposal"


def test_find_a_case_and_the_case_page_without_a_reference_or_a_sign_in(local):
    from playwright.sync_api import expect

    run, browser = local
    police = session_for(run, "pc_case")
    ref = new_case(run, police)

    # "Find a case" became the Cases list (issue 16 item 3): a search by the case's
    # reference goes straight to it
    page, seen = open_page(browser, run, police, "/cases/index.html")
    expect(page.locator("h1:visible")).to_have_text("Cases")
    page.wait_for_selector("[data-dipforms-cases][data-state=ready]", state="attached")
    no_axe_problems(page, "cases")
    page.fill("#q", f"  {ref.lower()} ")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-dipforms-case][data-state=ready]", state="attached")
    assert page.url.endswith(f"/cases/case.html?ref={ref}")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/cases/index.html")
    page.wait_for_selector("[data-dipforms-cases][data-state=ready]", state="attached")
    fits_a_phone(page, "cases at 320 px")
    no_axe_problems(page, "cases at 320 px")
    assert seen["errors"] == []

    page, seen = case_page(browser, run, police, "")
    expect(page.locator('[data-problem="no-ref"]')).to_be_visible()
    no_axe_problems(page, "the case page with no reference")
    page, seen = case_page(browser, run, police, "MG14-NOSUCHCASE")
    expect(page.locator('[data-problem="not-found"]')).to_be_visible()
    no_axe_problems(page, "a case that does not exist")
    page, seen = case_page(browser, run, None, ref)
    block = page.locator('[data-problem="sign-in"]')
    expect(block).to_be_visible()
    expect(block.get_by_role("link", name="Sign in")).to_have_attribute(
        "href", f"/sign-in.html?next=%2Fcases%2Fcase.html%3Fref%3D{ref}")
    no_axe_problems(page, "the case page, not signed in")
    assert seen["errors"] == []


def test_a_long_case_shows_its_newest_entries_and_the_older_ones_on_asking(local):
    """Past 50 timeline entries the page shows the newest 50 and a "Show older entries"
    button; pressed by keyboard it adds the older ones below, moves focus to the first one
    added, and goes once there are no more. axe finds nothing, before and after."""
    from playwright.sync_api import expect

    run, browser = local
    police, cjit = session_for(run, "pc_case"), session_for(run, "cjit_case")
    ref = new_case(run, police)
    for day in range(1, 56):                  # 55 facts: more entries than one page holds
        fact = {"fact": "warrant_known_on", "value": f"2026-10-{day % 28 + 1:02d}"}
        status, body = run.request("POST", f"/v1/cases/{ref}/facts", fact, cjit["token"])
        assert status == 200, body
    page, seen = case_page(browser, run, police, ref)
    entries = page.locator(".dipforms-case__timeline > li")
    expect(entries).to_have_count(50)
    older = page.locator(".dipforms-case__more[data-kind='timeline']")
    expect(older).to_be_visible()
    expect(older).to_have_text("Show older entries")
    expect(page.locator(".dipforms-case__more[data-kind='records']")).to_be_hidden()
    no_axe_problems(page, "a long case, its first page")
    newest = entries.first.inner_text()
    older.focus()
    page.keyboard.press("Enter")
    expect(older).to_be_hidden()
    total = entries.count()
    assert total > 50
    expect(entries.nth(50)).to_be_focused()
    expect(entries.last.locator("h3")).to_have_text("Case opened")   # the oldest, at the end
    assert entries.first.inner_text() == newest
    no_axe_problems(page, "a long case, its older entries shown")
    assert seen["errors"] == []
