"""The case page (cases/case.html?ref=) in Debian's Chromium against `dipforms run`: a police
officer opens a case an MG14 made through the API, sees its state and facts in words, and
moves it on by keyboard with a button; a CJIT worker whose step fails its guard sees DIP-01,
its source and what can happen instead in the GOV.UK error summary, and a stale page is told
someone else changed the case. Find a case, the confirmation page's link to the case, and
the page with no reference or no sign-in. axe finds nothing on any of them, at 1280 px and
320 px, and the token is never in an address."""

from __future__ import annotations

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
from chalicelib.users import UserDirectory

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import ARTIFACTS, TARGETS_JS, dated_context, launch
from tests.examples import example_data
from tests.local_run import ROOT, LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for the case page test"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
POLICE_STEPS = ["arrange_ra", "offer_voluntary_assessment", "not_a_drug_misuser",
                "refer_without_assessment"]


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
    run = LocalRun(data)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"   # no reminders firing mid-test
    with run, sync_playwright() as playwright:
        browser = launch(playwright)
        yield run, browser
        browser.close()


def session_for(run: LocalRun, user: str) -> dict:
    status, body = run.request("POST", "/v1/session", {"user": user, "password": PASSWORD})
    assert status == 200, body
    return {"token": body["token"], "expires_at": body["expires_at"], "user": body["user"]}


def new_case(run: LocalRun, police: dict) -> str:
    status, body = run.submit("mg14", example_data("mg14"), police["token"])
    assert status == 201, body
    assert body["case"] == body["record"]["id"]
    return body["case"]


def step(run: LocalRun, ref: str, transition: str, who: dict) -> None:
    status, body = run.request("POST", f"/v1/cases/{ref}/transitions",
                               {"transition": transition}, who["token"])
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


def test_police_see_the_case_and_move_it_on_with_a_button(local):
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
    assert rows["State"] == "DIP conditional caution considered"
    assert rows["DIP condition"] == "One session condition"
    assert rows["Contact by"] == in_words(mg14["contact_by_date"])
    assert rows["Comply by"] == in_words(mg14["comply_by_date"])
    assert rows["Class of offence"] == "Summary only"
    opened = case_json(run, ref, police)["opened_at"]             # UTC, shown in London time
    assert rows["Opened"] == london_in_words(opened)
    buttons = page.locator(".dipforms-case__steps button")
    assert [b.get_attribute("data-transition") for b in buttons.all()] == POLICE_STEPS
    expect(page.locator("#step-arrange_ra")).to_have_text("Arrange the required assessment")
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
    no_axe_problems(page, "the case, signed in as police")
    page.screenshot(path=str(ARTIFACTS / "case.png"), full_page=True)

    # By keyboard: the button takes the step, the case is read again and says so.
    page.locator("#step-arrange_ra").focus()
    page.keyboard.press("Enter")
    banner = page.locator(".dipforms-case__moved")
    expect(banner).to_be_visible()
    expect(banner).to_be_focused()
    expect(banner).to_contain_text("The case has moved to: Required assessment arranged")
    assert summary_rows(page)["State"] == "Required assessment arranged"
    assert state_of(run, ref, police) == "ra_arranged"
    moved = page.locator('.dipforms-case__timeline li[data-kind="transition"]')
    expect(moved).to_have_count(1)
    expect(moved.locator("p").first).to_have_text(
        "From \u2018DIP conditional caution considered\u2019 to "
        "\u2018Required assessment arranged\u2019.")
    assert " at " in moved.locator("time").inner_text()      # e.g. 4 December 2026 at 10:30
    expect(page.locator(".dipforms-case__next")).to_contain_text(
        "There is nothing for you to do on this case now")   # the CJIT's move now
    expect(page.locator(".dipforms-case__problem-summary")).to_be_hidden()
    no_axe_problems(page, "after a step")

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


def test_a_guard_that_fails_shows_the_rule_its_source_and_what_can_happen(local):
    from playwright.sync_api import expect

    run, browser = local
    police, cjit = session_for(run, "pc_case"), session_for(run, "cjit_case")
    ref = new_case(run, police)
    step(run, ref, "arrange_ra", police)
    refused = {**example_data("dir_required_assessment", "valid/full"),
               "prompt": "conditional_caution", "cc_case_ref": ref,
               "consent_police_cps": "refused"}
    refused.pop("consent_ref")
    status, body = run.submit("dir_required_assessment", refused, cjit["token"])
    assert status == 201, body
    assert state_of(run, ref, cjit) == "assessed"

    for width in (1280, 320):
        page, seen = case_page(browser, run, cjit, ref, width)
        expect(page.locator("[data-dipforms-case]")).to_have_attribute("data-state", "ready")
        rows = summary_rows(page)
        assert rows["State"] == "Assessed by the CJIT"
        assert rows["Consent to share the assessment with the police and CPS"] == "Consent refused"
        assert [b.get_attribute("data-transition") for b in
                page.locator(".dipforms-case__steps button").all()] == [
            "feedback_with_consent", "consent_refused"]
        no_axe_problems(page, f"the case, signed in as cjit, {width} px")
        if width == 320:
            fits_a_phone(page, "the case at 320 px")

        page.locator("#step-feedback_with_consent").click()
        summary = page.locator(".dipforms-case__problem-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(summary.locator(".dipforms-case__refusal")).to_have_text(re.compile(
            r"^Feed back to the police and CPS only with the offender's written permission; "
            r"without it, record that consent was refused\. Consent was refused on "
            r"\d{4}-\d\d-\d\d \(dir_required_assessment DIR-REQUIRED-\w+ version 1\)$"))
        expect(summary.locator(".dipforms-case__rule")).to_have_text("Rule: DIP-01")
        source = summary.locator(".dipforms-case__source").inner_text()
        assert source.startswith("Source: Operational Guidelines for the DIP Condition")
        assert "§4.6" in source and "Annex A note 1" in source
        allowed = summary.locator(".govuk-error-summary__list a")
        expect(allowed).to_have_count(1)
        expect(allowed).to_have_text("Record that consent was refused")
        assert page.title().startswith("Error: Case ")
        assert state_of(run, ref, cjit) == "assessed"             # nothing changed
        no_axe_problems(page, f"a refused step, {width} px")
        page.screenshot(path=str(ARTIFACTS / f"case-refused-{width}.png"), full_page=True)
        if width == 320:
            fits_a_phone(page, "a refused step at 320 px")
        allowed.click()                                          # to the step it names
        expect(page.locator("#step-consent_refused")).to_be_focused()
        assert seen["errors"] == []
        assert not [u for u in seen["urls"] if cjit["token"] in u]

    # Someone else moves the case while this page is open: the page says so and reloads.
    step(run, ref, "consent_refused", cjit)
    page.locator("#step-consent_refused").click()
    summary = page.locator(".dipforms-case__problem-summary")
    expect(summary.locator(".dipforms-case__refusal")).to_contain_text(
        "Someone else changed this case")
    expect(summary.locator(".dipforms-case__rule")).to_be_hidden()
    expect(page.locator(".dipforms-case__summary")).to_contain_text("Alternative disposal")
    expect(page.locator(".dipforms-case__next")).to_contain_text("This case is closed")
    assert state_of(run, ref, cjit) == "alternative_disposal"


def test_find_a_case_and_the_case_page_without_a_reference_or_a_sign_in(local):
    from playwright.sync_api import expect

    run, browser = local
    police = session_for(run, "pc_case")
    ref = new_case(run, police)

    page, seen = open_page(browser, run, police, "/index.html")
    page.get_by_role("link", name="Find a case").click()
    expect(page.locator("h1:visible")).to_have_text("Find a case")
    no_axe_problems(page, "find a case")
    page.get_by_role("button", name="Find the case").click()       # nothing typed
    summary = page.locator(".dipforms-find-case__summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_text("Enter the case reference")
    expect(page.locator("#ref-error")).to_contain_text("Enter the case reference")
    assert page.title().startswith("Error: ")
    no_axe_problems(page, "find a case, nothing typed")
    page.fill("#ref", f"  {ref.lower()} ")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-dipforms-case][data-state=ready]", state="attached")
    assert page.url.endswith(f"/cases/case.html?ref={ref}")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/cases/index.html")
    fits_a_phone(page, "find a case at 320 px")
    no_axe_problems(page, "find a case at 320 px")
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
