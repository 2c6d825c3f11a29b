"""The issue's journey in Debian's Chromium through Playwright, against `dipforms run`: sign
in, fill every page of the MG14 from tests/cases/mg14/valid/minimal.json, submit, see the
API's field error in the GOV.UK error summary and beside the field, fix it, submit, and
find the record through the API and its notification in outbox/.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import email
import re
import time

import pytest
import yaml
from chalicelib.users import UserDirectory

from tests.browser.browsing import ARTIFACTS, dated_page, launch, wait_for_path
from tests.examples import example_data
from tests.local_run import ROOT, LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USER, PASSWORD = "pc_jones", "a long local password for tests"


def yaml_message(block: str, field: str, kind: str) -> str:
    document = yaml.safe_load((ROOT / "forms" / "blocks" / f"{block}.yaml").read_text())
    return next(f for f in document["fields"] if f["id"] == field)["errors"][kind]


# --- filling a page by input name, per field type -----------------------------------------

def fill_date(page, name: str, value: str) -> None:
    year, month, day = value[:10].split("-")
    page.fill(f'[name="{name}[day]"]', str(int(day)))
    page.fill(f'[name="{name}[month]"]', str(int(month)))
    page.fill(f'[name="{name}[year]"]', year)


def fill_field(page, name: str, kind: str, value) -> None:
    box = f'[name="{name}"]'
    if kind in ("text", "longtext", "email", "phone", "postcode", "reference", "number",
                "time"):
        page.fill(box, str(value))
    elif kind == "yesno":
        page.check(f'{box}[value="{"true" if value else "false"}"]')
    elif kind == "choice":
        if page.locator(f"select{box}").count():
            page.select_option(f"select{box}", value)
        else:
            page.check(f'{box}[value="{value}"]')
    elif kind == "multichoice":
        for code in value:
            page.check(f'{box}[value="{code}"]')
    elif kind == "attest":
        page.check(box)
    elif kind == "date":
        fill_date(page, name, value)
    elif kind == "datetime":
        fill_date(page, name, value)
        page.fill(f'[name="{name}[time]"]', value[11:])
    elif kind in ("name", "address"):
        for part, text in value.items():
            page.fill(f'[name="{name}[{part}]"]', text)
    elif kind == "signature":
        fill_field(page, f"{name}[name]", "text", value["name"])
        role = f'[name="{name}[role]"]'
        if page.locator(f"select{role}").count():
            page.select_option(f"select{role}", value["role"])
        elif not page.locator(f"input[type=hidden]{role}").count():   # else fixed: signer:
            page.fill(role, value["role"])
        fill_date(page, f"{name}[date]", value["date"])
        if value.get("confirmed"):
            page.check(f'[name="{name}[confirmed]"]')
    elif kind == "repeat":
        items = page.locator(f'[data-field="{name}"] .dipforms-repeat__item')
        for i, item in enumerate(value):
            if i >= items.count():
                page.click(f'[data-field="{name}"] .dipforms-repeat__add')
            for key, answer in item.items():
                child = f"{name}[{i}][{key}]"
                fill_field(page, child, field_type(page, child), answer)
    else:
        raise AssertionError(f"no filler for {kind}")


def field_type(page, name: str) -> str:
    return page.get_attribute(f'[data-field="{name}"]', "data-type")


def fill_page(page, data: dict, leave_out: set[str]) -> None:
    """Answer every question of this page that the example answers, in page order."""
    wrappers = page.locator("form.dipforms-page > .dipforms-field")
    fields = [(wrappers.nth(i).get_attribute("data-field"),
               wrappers.nth(i).get_attribute("data-type")) for i in range(wrappers.count())]
    for name, kind in fields:
        if name in data and name not in leave_out:
            fill_field(page, name, kind, data[name])


def test_a_police_officer_signs_in_fills_the_mg14_and_submits_it(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    data = example_data("mg14")
    surname_message = yaml_message("person_details", "surname", "required")
    UserDirectory.in_data_dir(tmp_path).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        page = dated_page(browser, service_workers="block")
        page.set_default_timeout(15_000)
        # Without the schema the page cannot check before sending, so the API's own field
        # errors are what the officer sees (the page's checks are test_client_checks below).
        # No service worker here: it would serve the schema from its cache.
        page.route("**/schemas/**", lambda route: route.abort())
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))

        # Not signed in: the form sends us to sign in, and back afterwards.
        page.goto(run.url + "/")
        expect(page.locator("main a[href='/sign-in.html']")).to_be_visible()
        page.goto(run.url + "/forms/mg14/police_case.html")
        page.wait_for_url("**/sign-in.html?next=*")
        page.fill("#user", USER)
        page.fill("#password", PASSWORD)
        page.click("form.dipforms-sign-in button[type=submit]")
        wait_for_path(page, "/forms/mg14/police_case.html")
        expect(page.locator("#dipforms-account")).to_have_text("Sign out")
        expect(page.locator(".dipforms-kept")).to_be_visible()
        token = page.evaluate("JSON.parse(sessionStorage.getItem('dipforms:session')).token")
        assert token not in page.url

        # Every page, leaving the surname out; Continue goes on without posting anything.
        while True:
            page.wait_for_selector("html[data-dipforms-ready]")   # the draft is restored
            form = page.locator("form.dipforms-page")
            page_id = form.get_attribute("data-page")
            if page_id == "cjit":   # a condition on this page: shown only when it applies
                expect(page.locator('[data-field="contact_by_date"]')).to_be_hidden()
            if page_id == "offence":    # "Add another": a renumbered, empty item
                page.click(".dipforms-repeat__add")
                expect(page.locator('[name="offences[1][offence_date][day]"]')).to_be_empty()
                expect(page.locator("#offences-1-offence_details")).to_be_visible()
            fill_page(page, data, leave_out={"surname"})
            if page_id == "cjit":
                expect(page.locator('[data-field="contact_by_date"]')).to_be_visible()
                expect(page.locator('[data-field="first_appointment"]')).to_be_hidden()
            form.locator("button[type=submit]").click()
            page.wait_for_url(lambda url, left=f"/{page_id}.html": not url.endswith(left))
            page.wait_for_selector("html[data-dipforms-ready]")
            if page.url.endswith("/check.html"):
                break

        # Check your answers: every answer as words, with Change links.
        page.wait_for_url("**/forms/mg14/check.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        expect(page.locator("#dipforms-summary")).to_contain_text(data["forenames"])
        page.screenshot(path=str(ARTIFACTS / "mg14-check-answers.png"), full_page=True)

        # Send: the API refuses the missing surname, in the summary and linked to its page.
        page.click(".dipforms-send")
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary.locator("[role=alert]")).to_have_count(1)
        link = summary.get_by_role("link", name=surname_message)
        expect(link).to_have_attribute("href", "/forms/mg14/offender.html#surname")
        assert page.title().startswith("Error: ")
        page.screenshot(path=str(ARTIFACTS / "mg14-error-summary.png"), full_page=True)

        # On the offender page the error is beside the field too.
        link.click()
        page.wait_for_url("**/forms/mg14/offender.html#surname")
        group = page.locator(".govuk-form-group", has=page.locator("#surname"))
        expect(group).to_have_class(re.compile(r"\bgovuk-form-group--error\b"))
        expect(group.locator(".govuk-error-message")).to_have_text(f"Error: {surname_message}")
        expect(page.locator("#surname")).to_have_attribute(
            "aria-describedby", re.compile(r"\bsurname-error\b"))
        expect(page.locator("#surname")).to_have_class(re.compile(r"\bgovuk-input--error\b"))
        expect(page.locator("#surname")).to_be_focused()
        expect(page.locator("#forenames")).to_have_value(data["forenames"])  # answers kept
        page.screenshot(path=str(ARTIFACTS / "mg14-inline-error.png"), full_page=True)

        # Fixed: Continue goes straight back to the check page; a double click sends once.
        page.fill("#surname", data["surname"])
        page.locator("form.dipforms-page button[type=submit]").click()
        page.wait_for_url("**/forms/mg14/check.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
        page.locator(".dipforms-send").dblclick()
        page.wait_for_url("**/forms/mg14/done.html")
        reference = page.locator("#dipforms-reference")
        expect(reference).to_have_text(re.compile(r"^MG14-[0-9A-Z]{10}$"))
        expect(page.locator(".govuk-panel")).to_be_visible()
        record_id = reference.inner_text()
        page.screenshot(path=str(ARTIFACTS / "mg14-confirmation.png"), full_page=True)
        assert page.evaluate("Object.keys(localStorage).filter(k => "
                             "k.startsWith('dipforms-draft:')).length") == 0   # sent: gone

        # Sign out forgets the token and everything else in the tab.
        page.click("#dipforms-account")
        page.wait_for_url("**/sign-in.html")
        assert page.evaluate("Object.keys(sessionStorage).filter(k => "
                             "k.startsWith('dipforms:')).length") == 0
        browser.close()

        status, body = run.request("GET", f"/v1/records/{record_id}", token=token)
        assert status == 200, body
        assert body["record"]["data"] == data        # exactly the example, typed
        status, listing = run.request("GET", "/v1/records?form=mg14", token=token)
        assert [r["id"] for r in listing["records"]] == [record_id]   # one record only
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not list((tmp_path / "outbox").glob("*.eml")):
            time.sleep(0.2)
        bodies = [email.message_from_bytes(eml.read_bytes()).get_payload(decode=True).decode()
                  for eml in (tmp_path / "outbox").glob("*.eml")]
        assert any(record_id in text for text in bodies), bodies
        assert problems == [], problems


def test_client_checks_stop_a_page_with_a_missing_answer_before_anything_is_sent(tmp_path):
    """Continue checks this page against the form's own schema, with the YAML's message."""
    from playwright.sync_api import expect, sync_playwright

    surname_message = yaml_message("person_details", "surname", "required")
    UserDirectory.in_data_dir(tmp_path).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        page = dated_page(browser)
        page.set_default_timeout(15_000)
        sent = []
        page.on("request", lambda r: sent.append(r.url) if "/submissions" in r.url else None)
        page.goto(run.url + "/sign-in.html?next=/forms/mg14/offender.html")
        page.fill("#user", USER)
        page.fill("#password", PASSWORD)
        page.click("form.dipforms-sign-in button[type=submit]")
        wait_for_path(page, "/forms/mg14/offender.html")
        page.wait_for_selector("html[data-dipforms-ready]")
        page.fill("#forenames", "Alex")
        page.locator("form.dipforms-page button[type=submit]").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("link", name=surname_message)).to_have_attribute(
            "href", "#surname")
        group = page.locator(".govuk-form-group", has=page.locator("#surname"))
        expect(group.locator(".govuk-error-message")).to_have_text(f"Error: {surname_message}")
        assert page.url.endswith("/forms/mg14/offender.html") and sent == []
        page.fill("#surname", "Smith")
        page.wait_for_timeout(1100)   # GOV.UK buttons ignore a second click within a second
        page.locator("form.dipforms-page button[type=submit]").click()
        expect(summary).to_be_focused()            # the page's other questions still wait
        expect(summary.get_by_role("link", name=surname_message)).to_have_count(0)
        expect(group.locator(".govuk-error-message")).to_have_count(0)
        assert sent == []
        browser.close()
