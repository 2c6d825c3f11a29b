"""One whole case walked through the pages alone, in Debian's Chromium against `dipforms run`
(issue 16, the first "Done means"): a police officer signs in and sends the MG14 of a
caution given (the CJIT's contact filled from the protocol); the CJIT signs in, finds the
case in Due, opens it and records from it the required assessment, the first session and
the compliance report, each started with ?case= so the reference and the person come
filled in; the police read the outcome on the case page and close the case by the step it
offers (MG14 section L, a Change of the MG14). The test makes no API call that moves the
case and types no reference: every step is a click, a choice or an answer on a page.

Each page action goes through `Counted`, which tallies per role the screens (page loads),
clicks and inputs (fill, check, select) and the fields typed; the table is printed (pytest
-s) and written to test-artifacts/whole-case-counts.txt beside the baseline the issue
measured before (MG14: 16 screens, 18 clicks, about 99 inputs; then 5 state clicks by 3
roles). The case ends "Closed as complied with", each state reached once in its timeline,
and no linked form had its case reference or the person's name or date of birth typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from chalicelib.users import UserDirectory

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import ARTIFACTS, dated_context, launch, wait_for_path
from tests.browser.test_submit_flow import fill_page
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for the whole case walk"
POLICE, CJIT = "pc_walk", "cjit_walk"
#: What the issue measured before this work, for the printed comparison.
BASELINE = "before (issue 16): MG14 16 screens, 18 clicks, about 99 inputs; " \
           "then 5 state clicks by 3 roles"
#: What the case knows once the MG14 is in: never typed again on a form started from it.
KNOWN = {"cc_case_ref", "case_ref", "surname", "forenames", "date_of_birth"}
TODAY = "2026-11-25"        # the examples' day, the pages' and the server's clock


@dataclass
class Tally:
    screens: int = 0
    clicks: int = 0
    inputs: int = 0
    typed: list[tuple[str, str]] = field(default_factory=list)   # (field id, value)


def field_id(selector: str) -> str:
    """The question a selector answers: `[name="offences[0][x]"]` -> offences, `#reason`."""
    found = re.search(r'name="([^"\[]+)', selector) or re.search(r"#([\w-]+)", selector)
    return found.group(1) if found else selector


class Counted:
    """A page whose actions are tallied under the current `stage` (a role's part of the
    walk); anything else is the page's own (locators, waits, reads)."""

    def __init__(self, page, tallies: dict[str, Tally], stage: str):
        self.page, self.tallies, self.stage = page, tallies, stage
        page.on("load", lambda _: self._tally().__setattr__(
            "screens", self._tally().screens + 1))

    def _tally(self) -> Tally:
        return self.tallies.setdefault(self.stage, Tally())

    def __getattr__(self, name):
        return getattr(self.page, name)

    def goto(self, path: str):
        return self.page.goto(path)

    def click(self, target, **options) -> None:
        self._tally().clicks += 1
        (self.page.locator(target) if isinstance(target, str) else target).click(**options)

    def _input(self, selector: str, value) -> None:
        tally = self._tally()
        tally.inputs += 1
        tally.typed.append((field_id(selector), str(value)))

    def fill(self, selector: str, value: str) -> None:
        self._input(selector, value)
        self.page.fill(selector, value)

    def check(self, selector: str) -> None:
        self._input(selector, "checked")
        self.page.check(selector)

    def select_option(self, selector: str, value) -> None:
        self._input(selector, value)
        self.page.select_option(selector, value)


def ready(page) -> None:
    page.wait_for_selector("html[data-dipforms-ready]", state="attached")


def case_ready(page, root: str = "[data-dipforms-case]") -> None:
    page.wait_for_function(
        "s => { const r = document.querySelector(s);"
        " return r && r.dataset.state && r.dataset.state !== 'loading'; }", arg=root)


def sign_in(counted: Counted, user: str) -> None:
    """From the home page, by the header's sign-in link, and back."""
    counted.goto("/")
    counted.click(counted.page.locator("a[href^='/sign-in.html']").first)
    counted.page.wait_for_selector("#user")
    counted.fill("#user", user)
    counted.fill("#password", PASSWORD)
    counted.click("form.dipforms-sign-in button[type=submit]")
    counted.page.wait_for_url(lambda url: "sign-in.html" not in url)


def go(counted: Counted, name: str, path: str) -> None:
    """Follow the navigation link `name` where the page has one; else open `path` (a screen
    either way, and a click only when there was a link)."""
    link = counted.page.locator(f"a[href='{path}']").filter(has_text=name)
    if link.count():
        counted.click(link.first)
        wait_for_path(counted.page, path.split("?")[0])
    else:
        counted.goto(path)


def answer_pages(counted: Counted, data: dict) -> None:
    """From the first question page to check answers: answer what `data` holds on each
    page (the test_submit_flow fillers, through the counter), then Continue."""
    page = counted.page
    while True:
        ready(page)
        if urlpath(page.url).endswith("/check.html"):
            return
        form = page.locator("form.dipforms-page")
        page_id = form.get_attribute("data-page")
        fill_page(counted, data, leave_out=already_answered(page, data))
        counted.click(form.locator("button[type=submit]"))
        page.wait_for_url(lambda url, left=f"/{page_id}.html": not urlpath(url).endswith(left))


def already_answered(page, data: dict) -> set[str]:
    """The questions of this page that already hold the answer `data` gives (filled from
    the case or the protocol): left as they are, not typed again."""
    simple = {k: v for k, v in data.items() if isinstance(v, str)}
    return set(page.evaluate("""answers => Object.keys(answers).filter(name => {
      const boxes = [...document.querySelectorAll(`form.dipforms-page [name="${name}"]`)];
      if (!boxes.length) return false;
      const chosen = boxes.filter(b => b.type === "radio" ? b.checked : true);
      return chosen.length === 1 && chosen[0].value === answers[name];
    })""", simple))


def urlpath(url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(url).path


def send(counted: Counted, reason: str = "Checked with the person") -> None:
    """Send from check answers; a warning the page or the API raises asks why we go on."""
    page = counted.page
    for _ in range(3):
        counted.click(".dipforms-send")
        page.wait_for_function(
            "() => !location.pathname.endsWith('/check.html') ||"
            " document.querySelector('.govuk-error-summary:not([hidden])')")
        if not urlpath(page.url).endswith("/check.html"):
            return
        boxes = page.locator("#dipforms-confirm textarea")
        empty = [i for i in range(boxes.count()) if not boxes.nth(i).input_value()]
        if not empty:
            summary = page.locator(".govuk-error-summary").inner_text()
            raise AssertionError(f"refused: {summary}")
        for i in empty:
            counted.fill(f"#{boxes.nth(i).get_attribute('id')}", reason)
        page.wait_for_timeout(1100)     # GOV.UK's button ignores a second click within 1 s
    raise AssertionError("still on check answers after three sends")


def start_from_case(counted: Counted, link, form: str) -> None:
    """A form link on the case page: its start page names the case; Start."""
    counted.click(link)
    wait_for_path(counted.page, f"/forms/{form}/index.html")
    ready(counted.page)
    counted.click(counted.page.locator(".govuk-button--start"))
    counted.page.wait_for_url(lambda url: not urlpath(url).endswith("/index.html"))


def back_to_case(counted: Counted, ref: str) -> None:
    """From a form's confirmation, by its "View the case" link."""
    counted.page.wait_for_selector(".dipforms-done__case a", state="visible")
    counted.click(counted.page.locator(".dipforms-done__case a"))
    wait_for_path(counted.page, "/cases/case.html")
    case_ready(counted.page)
    assert f"ref={ref}" in counted.page.url


# --- what each person answers (everything the case or the protocol knows left out) -------

def mg14_answers() -> dict:
    data = example_data("mg14")
    # the CJIT's contact comes from the protocol (forms/protocol.yaml): not typed
    return {k: v for k, v in data.items() if not k.startswith(("cjit_agency", "cjit_contact"))}


def required_assessment_answers() -> dict:
    """A required assessment the person attended and stayed for (Annex A), asked after the
    MG14 named none: its case reference, the person and the area come from the case."""
    return {"agency_code": "NSC01", "worker": {"given_names": "Jo", "family_name": "Worker"},
            "test_at": "2026-11-20T09:15", "test_point": "arrest",
            "test_basis": "trigger_offence", "test_result": "positive_opiates",
            "ia_at": "2026-11-20T13:00", "ia_location": "custody_suite",
            "ia_attendance": "attended_and_remained",
            "ia_findings": "Occasional opiate use; would benefit from the DIP condition.",
            "harm_min_advice": True, "followup_needed": False, "consent_asked": False}


def session1_answers(dir_ref: str) -> dict:
    data = example_data("dip_session1_triage", "valid/one_session")
    data = {k: v for k, v in data.items() if k not in ("case_ref", "dip_condition_type")}
    return {**data, "session_at": f"{TODAY}T09:00", "dir_ref": dir_ref}


def compliance_answers() -> dict:
    data = example_data("compliance_report")
    data = {k: v for k, v in data.items() if k not in ("case_ref", "comply_by_date")}
    # the sessions are left out: the case's session 1 record fills them (issue 16, item 8)
    data = {k: v for k, v in data.items() if k != "sessions"}
    return {**data, "sent_at": f"{TODAY}T09:30",
            "reporting_worker": {**data["reporting_worker"], "date": TODAY}}


def table(tallies: dict[str, Tally], notes: list[str]) -> str:
    rows = [("Who", "Screens", "Clicks", "Inputs")]
    for stage, t in tallies.items():
        rows.append((stage, str(t.screens), str(t.clicks), str(t.inputs)))
    total = Tally(sum(t.screens for t in tallies.values()),
                  sum(t.clicks for t in tallies.values()),
                  sum(t.inputs for t in tallies.values()))
    rows.append(("All", str(total.screens), str(total.clicks), str(total.inputs)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(["The whole case through the pages: per role", *lines, "", BASELINE,
                      *notes])


def test_one_case_from_the_mg14_to_closed_as_complied_with_through_the_pages(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    users = UserDirectory.in_data_dir(tmp_path)
    users.add(POLICE, "police", "northshire_police", PASSWORD)
    users.add(CJIT, "cjit", "northshire_cjit", PASSWORD)
    tallies: dict[str, Tally] = {}
    run = LocalRun(tmp_path)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"     # no reminder fires mid-walk
    with run, sync_playwright() as playwright:
        browser = launch(playwright)
        problems: list[str] = []

        def tab(stage: str) -> Counted:
            page = dated_context(browser, base_url=run.url,
                                 service_workers="block").new_page()
            page.set_default_timeout(20_000)
            page.on("pageerror", lambda error: problems.append(str(error)))
            return Counted(page, tallies, stage)

        # --- the police officer: the MG14, through its pages --------------------------
        police = tab("Police: MG14")
        sign_in(police, POLICE)
        go(police, "MG14", "/forms/mg14/index.html")
        ready(police.page)
        police.click(police.page.locator(".govuk-button--start"))
        police.page.wait_for_url(lambda url: not urlpath(url).endswith("/index.html"))
        answer_pages(police, mg14_answers())
        expect(police.page.locator("#dipforms-summary")).to_contain_text(
            "01632 960020")                         # the CJIT's phone, from the protocol
        send(police)
        wait_for_path(police.page, "/forms/mg14/done.html")
        ref = police.page.locator("#dipforms-reference").inner_text()   # read, never typed
        assert re.fullmatch(r"MG14-[0-9A-Z]{10}", ref), ref

        # --- the CJIT: finds the case in Due and records from it ------------------------
        cjit = tab("CJIT: Due, required assessment")
        sign_in(cjit, CJIT)
        go(cjit, "Due", "/cases/due.html")
        case_ready(cjit.page, "[data-dipforms-due]")
        due = cjit.page.locator(f'.dipforms-due__list tr[data-case="{ref}"]').first
        expect(due).to_be_visible()
        cjit.click(due.get_by_role("link", name=ref))
        wait_for_path(cjit.page, "/cases/case.html")
        case_ready(cjit.page)
        expect(cjit.page.locator(".dipforms-case__who")).to_contain_text("Sam Example")
        assert not (found := axe_violations(cjit.page)), describe(found)
        cjit.page.screenshot(path=str(ARTIFACTS / "whole-case-cjit.png"), full_page=True)

        # the required assessment: no step is made by it now, so among the other records
        other = cjit.page.locator(
            '.dipforms-case__other-records a[data-form="dir_required_assessment"]')
        expect(other).to_have_attribute(
            "href", f"/forms/dir_required_assessment/index.html?case={ref}")
        start_from_case(cjit, other, "dir_required_assessment")
        answer_pages(cjit, required_assessment_answers())
        summary = cjit.page.locator("#dipforms-summary")
        expect(summary).to_contain_text(ref)
        expect(summary).to_contain_text("Example")
        send(cjit)
        wait_for_path(cjit.page, "/forms/dir_required_assessment/done.html")
        dir_ref = cjit.page.locator("#dipforms-reference").inner_text()
        back_to_case(cjit, ref)

        # session 1 (the triage): the step that starts the programme
        cjit.stage = "CJIT: session 1"
        step = cjit.page.locator(".dipforms-case__form-steps a", has_text="session 1")
        if not step.count():
            step = cjit.page.locator('.dipforms-case__form-steps a'
                                     '[data-transition="first_contact"]')
        start_from_case(cjit, step, "dip_session1_triage")
        answer_pages(cjit, session1_answers(dir_ref))
        send(cjit)
        wait_for_path(cjit.page, "/forms/dip_session1_triage/done.html")
        back_to_case(cjit, ref)

        # one session is the condition (the MG14's): next, the compliance report
        cjit.stage = "CJIT: compliance report"
        step = cjit.page.locator('.dipforms-case__form-steps a[data-transition="complied"]')
        start_from_case(cjit, step, "compliance_report")
        answer_pages(cjit, compliance_answers())
        send(cjit)
        wait_for_path(cjit.page, "/forms/compliance_report/done.html")
        back_to_case(cjit, ref)
        expect(cjit.page.locator(".dipforms-case__summary")).to_contain_text(
            "Compliance reported")

        # --- the police: read the outcome on the case page, close the case -------------
        police.stage = "Police: close"
        go(police, "Cases", "/cases/index.html")
        case_ready(police.page, "[data-dipforms-cases]")
        police.click(police.page.locator(f'tr[data-case="{ref}"] a').first)
        wait_for_path(police.page, "/cases/case.html")
        case_ready(police.page)
        expect(police.page.locator(".dipforms-case__summary")).to_contain_text(
            "Compliance reported")
        expect(police.page.locator(".dipforms-case__records")).to_contain_text(
            "ompliance")
        close = police.page.locator(
            '.dipforms-case__form-steps a[data-transition="offender_told"]')
        expect(close).to_be_visible()
        police.click(close)
        wait_for_path(police.page, "/forms/mg14/check.html")
        ready(police.page)
        later = police.page.locator(".dipforms-change__later a", has_text="Outcome")
        police.click(later)
        wait_for_path(police.page, "/forms/mg14/outcome.html")
        ready(police.page)
        fill_page(police, {"police_outcome": "complied_case_closed",
                           "offender_informed_at": TODAY}, leave_out=set())
        police.click(police.page.locator("form.dipforms-page button[type=submit]"))
        wait_for_path(police.page, "/forms/mg14/check.html")
        ready(police.page)
        police.fill("#reason", "The CJIT reported compliance; the offender was told")
        send(police)
        wait_for_path(police.page, "/forms/mg14/record.html")
        police.click(police.page.locator("#dipforms-record-case"))   # the record's case
        wait_for_path(police.page, "/cases/case.html")
        case_ready(police.page)
        expect(police.page.locator(".dipforms-case__summary")).to_contain_text(
            "Closed as complied with")
        police.page.screenshot(path=str(ARTIFACTS / "whole-case-closed.png"), full_page=True)

        # --- what the walk shows ----------------------------------------------------------
        # what is still typed though the service holds it (see the report's notes)
        retyped = [f"{stage}: {name} (a record reference, typed from its confirmation page)"
                   for stage, t in tallies.items() for name, value in t.typed
                   if value == dir_ref]
        inputs = {stage: sorted({name for name, _ in t.typed}) for stage, t in tallies.items()}
        report = table(tallies, ["", "Still typed though the service holds it:",
                                 *[f"  {line}" for line in retyped or ["(nothing)"]],
                                 "", "Questions answered, per part of the walk:",
                                 *[f"  {stage}: {', '.join(names)}"
                                   for stage, names in inputs.items()]])
        print("\n" + report)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "whole-case-counts.txt").write_text(report + "\n", encoding="utf-8")

        token = run.user_token("dat_reader", "police", "northshire_police")
        status, body = run.request("GET", f"/v1/cases/{ref}", None, token)     # a read
        assert status == 200, body
        assert body["case"]["state"] == "closed_complied"
        reached = [e["to"] for e in body["timeline"] if e["kind"] == "transition"]
        assert len(reached) == len(set(reached)), reached          # no step made twice
        assert reached[-1] == "closed_complied"
        for stage in [s for s in tallies if s != "Police: MG14"]:
            typed = {name for name, _ in tallies[stage].typed}
            assert not typed & KNOWN, (stage, typed & KNOWN)
            assert not [v for _, v in tallies[stage].typed if ref in v], stage
        assert not retyped, retyped              # session 1's DIR reference came filled
        report = next(r for r in body["records"] if r["form"] == "compliance_report")
        assert report["data"]["sessions"] == [        # from session 1's record, not typed
            {"session_number": 1, "session_date": TODAY, "session_attendance": "attended"}]
        assert problems == [], problems
        browser.close()
