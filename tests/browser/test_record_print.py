"""A stored record in Debian's Chromium against `dipforms run`: an MG14 and a DIR initial
contact, submitted through the API, open on forms/<id>/record.html with the answers as
words; printed to PDF (test-artifacts/) with no header, navigation, buttons or links on
paper; an amended record by version; and the page's answers when the reader is not signed
in, reads a record of a form their role may not read, or asks for one that is not there.

summary.js on its own (every field type, Welsh dates, no HTML from answers) is the last test.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from pathlib import Path

import pytest
import yaml
from chalicelib.users import UserDirectory

from tests.browser.browsing import ARTIFACTS, dated_context, dated_page, launch
from tests.examples import example_data
from tests.local_run import ROOT, LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for tests"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
#: Written into an answer: it must appear as text and never run.
SCRIPTED = '<img src=x onerror="window.__injected=1"> & <b>bold</b>'
CHROME = (".govuk-template__header", ".govuk-service-navigation", ".govuk-template__footer",
          ".govuk-back-link", ".govuk-skip-link", ".dipforms-print")


def example(form: str, name: str = "valid/full") -> dict:
    return example_data(form, name)


def in_words(iso: str) -> str:
    day = datetime.date.fromisoformat(iso[:10])
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{text} at {iso[11:16]}" if "T" in iso else text


def code_label(codelist: str, code: str) -> str:
    document = yaml.safe_load((ROOT / "forms" / "codelists" / f"{codelist}.yaml").read_text())
    return next(v["label"] for v in document["values"] if v["code"] == code)


def block_label(block: str, field: str) -> str:
    document = yaml.safe_load((ROOT / "forms" / "blocks" / f"{block}.yaml").read_text())
    return next(f for f in document["fields"] if f["id"] == field)["label"]


def session_for(run: LocalRun, user: str) -> dict:
    status, body = run.request("POST", "/v1/session", {"user": user, "password": PASSWORD})
    assert status == 200, body
    return {"token": body["token"], "expires_at": body["expires_at"], "user": body["user"]}


def submitted(run: LocalRun, form: str, data: dict, token: str) -> str:
    status, body = run.request("POST", f"/v1/forms/{form}/submissions", data, token,
                               {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, body
    return body["record"]["id"]


def answers(page, scope: str = "#dipforms-summary") -> dict[str, list[str]]:
    """The rows shown: question -> its answers (a question repeats in each item)."""
    rows: dict[str, list[str]] = {}
    for row in page.locator(f"{scope} .govuk-summary-list__row").all():
        key = row.locator(".govuk-summary-list__key").inner_text().strip()
        rows.setdefault(key, []).append(row.locator(".govuk-summary-list__value")
                                        .inner_text().strip())
    return rows


def signed_in_page(browser, session: dict | None):
    context = dated_context(browser)
    if session is not None:
        context.add_init_script(
            f"sessionStorage.setItem('dipforms:session', {json.dumps(json.dumps(session))})")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page, problems


def pdf_pages(path: Path) -> int:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), data[:8]
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def test_stored_records_show_as_words_print_clean_and_refuse_who_may_not_read(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    users = UserDirectory.in_data_dir(tmp_path)
    users.add("pc_print", "police", "northshire_police", PASSWORD)
    users.add("cjit_print", "cjit", "northshire_cjit", PASSWORD)
    users.add("carat_print", "carat", "hmp_northshire_carats", PASSWORD)
    mg14 = example("mg14")
    mg14["previous_convictions"] = SCRIPTED
    contact = example("dir_initial_contact")

    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        police, cjit = session_for(run, "pc_print"), session_for(run, "cjit_print")
        carat = session_for(run, "carat_print")
        mg14_id = submitted(run, "mg14", mg14, police["token"])
        contact["cc_case_ref"] = mg14_id                 # the contact joins the MG14's case
        contact_id = submitted(run, "dir_initial_contact", contact, cjit["token"])
        browser = launch(playwright)

        # The MG14 as words: labels for codes, dates in words, parts joined, items headed.
        page, problems = signed_in_page(browser, police)
        page.goto(f"{run.url}/forms/mg14/record.html?id={mg14_id}")
        expect(page.locator(".dipforms-record__body")).to_be_visible()
        expect(page.locator("#dipforms-record-reference")).to_have_text(mg14_id)
        expect(page.locator("#dipforms-record-version")).to_have_text("1 of 1")
        expect(page.locator("#dipforms-record-submitted")).to_have_text(
            re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}$"))
        expect(page.locator(".dipforms-needs-js")).to_be_hidden()
        shown = answers(page)
        assert shown[block_label("person_details", "ethnicity")] == [
            code_label("ethnicity_sde", mg14["ethnicity"])]
        assert shown[block_label("person_details", "date_of_birth")] == [
            in_words(mg14["date_of_birth"])]
        assert code_label("offence_class", mg14["offence_class"]) in sum(shown.values(), [])
        assert in_words(mg14["drug_test_at"]) in sum(shown.values(), [])
        everything = "\n".join(sum(shown.values(), []))
        assert mg14["address"]["line1"] in everything and mg14["address"]["postcode"] in everything
        assert mg14["offender_signature"]["name"] in everything
        assert f"Signed on {in_words(mg14['offender_signature']['date'])}" in everything
        items = page.locator("#dipforms-summary .dipforms-summary__item").all_inner_texts()
        assert items[:2] == ["Offence 1", "Offence 2"]
        assert page.locator("#dipforms-summary a").count() == 0      # no Change links
        # The answer with markup is shown as text and never ran.
        assert SCRIPTED in everything
        assert page.locator("#dipforms-summary img, #dipforms-summary b").count() == 0
        assert page.evaluate("window.__injected") is None
        assert mg14_id in page.title()
        page.screenshot(path=str(ARTIFACTS / "record-mg14.png"), full_page=True)

        # On paper: no header, navigation, footer, buttons or back link; rows kept whole.
        page.emulate_media(media="print")
        for selector in CHROME:
            assert page.locator(selector).first.is_hidden(), selector
        assert page.evaluate("getComputedStyle(document.querySelector("
                             "'.govuk-template__header')).display") == "none"
        assert page.evaluate("getComputedStyle(document.querySelector('.dipforms-print'))"
                             ".display") == "none"
        assert page.evaluate("getComputedStyle(document.querySelector("
                             "'#dipforms-summary .govuk-summary-list__row')).breakInside") \
            == "avoid"
        expect(page.locator("#dipforms-summary")).to_be_visible()
        pdf = ARTIFACTS / "record-mg14.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=False)
        assert pdf_pages(pdf) >= 1
        page.emulate_media(media="screen")
        expect(page.locator(".dipforms-print")).to_be_visible()
        assert problems == [], problems

        # The DIR initial contact, read by the CJIT that made it.
        page, problems = signed_in_page(browser, cjit)
        page.goto(f"{run.url}/forms/dir_initial_contact/record.html?id={contact_id}")
        expect(page.locator(".dipforms-record__body")).to_be_visible()
        shown = answers(page)
        everything = "\n".join(sum(shown.values(), []))
        assert code_label("location", contact["contact_location"]) in everything
        assert in_words(contact["contact_date"]) in everything
        worker = contact["worker"]
        assert f"{worker['given_names']} {worker['family_name']}" in everything
        page.emulate_media(media="print")
        assert page.locator(".govuk-template__header").is_hidden()
        pdf = ARTIFACTS / "record-dir-initial-contact.pdf"
        page.pdf(path=str(pdf), format="A4")
        assert pdf_pages(pdf) >= 1
        assert problems == [], problems

        # In Welsh: Welsh words and month names; the language switch keeps the record.
        page.emulate_media(media="screen")
        consent = example("consent_to_share_information")
        consent_id = submitted(run, "consent_to_share_information", consent, cjit["token"])
        page.goto(f"{run.url}/cy/forms/consent_to_share_information/record.html?id={consent_id}")
        expect(page.locator(".dipforms-record__body")).to_be_visible()
        assert page.get_attribute("html", "lang") == "cy"
        day = datetime.date.fromisoformat(consent["obtained_at"])
        welsh_months = ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
                        "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"]
        everything = "\n".join(sum(answers(page).values(), []))
        assert f"{day.day} {welsh_months[day.month - 1]} {day.year}" in everything
        expect(page.locator("#dipforms-record-version")).to_have_text("1 o 1")
        english = page.locator(".dipforms-language-switch a[hreflang=en]")
        expect(english).to_have_attribute(
            "href", f"/forms/consent_to_share_information/record.html?id={consent_id}")
        english.click()
        expect(page.locator("#dipforms-record-reference")).to_have_text(consent_id)
        assert page.get_attribute("html", "lang") == "en"

        # A record opened on another form's page moves to its own.
        page.goto(f"{run.url}/forms/mg14/record.html?id={contact_id}")
        page.wait_for_url(f"**/forms/dir_initial_contact/record.html?id={contact_id}")
        expect(page.locator("#dipforms-record-reference")).to_have_text(contact_id)

        # The police, a party to the case, read of the CJIT's DIR only what the MG14's
        # consent gives them: the drug test result, and nothing of the person.
        page, problems = signed_in_page(browser, police)
        page.goto(f"{run.url}/forms/dir_initial_contact/record.html?id={contact_id}")
        expect(page.locator(".dipforms-record__body")).to_be_visible()
        assert page.locator("#dipforms-summary .govuk-summary-list__row").count() == 1
        assert contact["surname"] not in page.inner_text("main")

        # The CARAT team, never handed the case, may not read it: to them it is not there,
        # as for an unknown reference (the API answers both 404: no oracle).
        page, problems = signed_in_page(browser, carat)
        page.goto(f"{run.url}/forms/dir_initial_contact/record.html?id={contact_id}")
        expect(page.locator('[data-problem="not-found"]')).to_be_visible()
        expect(page.locator('[data-problem="forbidden"]')).to_be_hidden()
        expect(page.locator(".dipforms-record__body")).to_be_hidden()
        assert page.locator("#dipforms-summary .govuk-summary-list__row").count() == 0
        page.screenshot(path=str(ARTIFACTS / "record-forbidden.png"), full_page=True)

        # Not there, and no reference at all.
        page.goto(f"{run.url}/forms/mg14/record.html?id=MG14-0000000000")
        expect(page.locator('[data-problem="not-found"]')).to_be_visible()
        page.goto(f"{run.url}/forms/mg14/record.html")
        expect(page.locator('[data-problem="not-found"]')).to_be_visible()
        assert problems == [], problems

        # Not signed in: a link to sign in that comes back to this record.
        page, problems = signed_in_page(browser, None)
        page.goto(f"{run.url}/forms/mg14/record.html?id={mg14_id}")
        sign_in = page.locator('[data-problem="sign-in"]')
        expect(sign_in).to_be_visible()
        link = sign_in.get_by_role("link", name="Sign in")
        expect(link).to_have_attribute(
            "href", "/sign-in.html?next=" + f"/forms/mg14/record.html?id={mg14_id}"
            .replace("/", "%2F").replace("?", "%3F").replace("=", "%3D"))
        assert problems == [], problems

        # Amended: each version by its number, the reason on the new one.
        changed = dict(mg14, previous_convictions="None known.")
        status, body = run.request("PUT", f"/v1/records/{mg14_id}",
                                   {"data": changed, "reason": "Corrected the history",
                                    "base_version": 1}, police["token"])
        assert status == 200, body
        page, problems = signed_in_page(browser, police)
        page.goto(f"{run.url}/forms/mg14/record.html?id={mg14_id}&version=1")
        expect(page.locator("#dipforms-record-version")).to_have_text("1 of 2")
        assert SCRIPTED in "\n".join(sum(answers(page).values(), []))
        page.goto(f"{run.url}/forms/mg14/record.html?id={mg14_id}")
        expect(page.locator("#dipforms-record-version")).to_have_text("2 of 2")
        expect(page.locator("#dipforms-record-reason")).to_have_text("Corrected the history")
        assert "None known." in "\n".join(sum(answers(page).values(), []))
        browser.close()
        assert problems == [], problems


def test_summary_shows_every_kind_of_answer_as_text_in_english_and_welsh():
    """summary.js alone on a blank page: the map is hand-written, the answers awkward; each
    question's `show` is the one its type's registry entry gives (FieldType.shown_as)."""
    from playwright.sync_api import sync_playwright

    script = (ROOT / "generator" / "static" / "summary.js").read_text()
    words = {"change": "Change", "not_answered": "Not answered", "yes": "Yes", "no": "No",
             "months": MONTHS, "date_at_time": "{date} at {time}",
             "signed_on": "Signed on {date}", "confirmed": "Confirmed",
             "other_answers": "Other answers"}
    questions = {"form": "t", "version": "1.0", "words": words, "sections": [
        {"id": "one", "title": "One", "href": "/forms/t/one.html", "show_if": None, "fields": [
            {"id": "dob", "type": "date", "show": "date", "question": "Date of birth"},
            {"id": "at", "type": "datetime", "show": "datetime", "question": "Tested at"},
            {"id": "ok", "type": "yesno", "show": "choice", "question": "Agreed?",
             "choices": {"true": "Yes", "false": "No"}},
            {"id": "ways", "type": "multichoice", "show": "choices", "question": "Ways",
             "choices": {"a": "Phone", "b": "Letter"}},
            {"id": "who", "type": "name", "show": "joined", "question": "Name",
             "parts": [{"id": "given_names"}, {"id": "family_name"}]},
            {"id": "months", "type": "number", "show": "number", "question": "Months",
             "unit": "months"},
            {"id": "note", "type": "longtext", "show": "paragraphs", "question": "Note"},
            {"id": "left", "type": "text", "question": "Left blank"},
            {"id": "offences", "type": "repeat", "show": "items", "question": "Offences",
             "item_label": "Offence", "children": [
                 {"id": "when", "type": "date", "show": "date", "question": "When"}]},
        ]},
        {"id": "two", "title": "Two", "href": "/forms/t/two.html", "show_if": None,
         "fields": [{"id": "never", "type": "text", "question": "Never answered"}]},
    ]}
    data = {"dob": "2026-03-01", "at": "2026-11-19T18:45", "ok": False, "ways": ["b", "a"],
            "who": {"given_names": "Robin Lee", "family_name": "O'Sample"}, "months": 2,
            "note": SCRIPTED + "\nsecond line", "offences": [{"when": "2026-01-31"}, {}],
            "unknown": "kept"}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = dated_page(browser)
        page.set_content('<main><div id="box"></div></main>')
        page.add_script_tag(content=script)
        count = page.evaluate(
            """([q, d]) => window.dipformsSummary.render(document.getElementById('box'), q, d,
                 {changeHref: (question, where) => window.dipformsSummary.pageHref(question, where),
                  showUnknown: true})""", [questions, data])
        shown = answers(page, "#box")
        assert shown["Date of birth"] == ["1 March 2026"]
        assert shown["Tested at"] == ["19 November 2026 at 18:45"]
        assert shown["Agreed?"] == ["No"]
        assert shown["Ways"] == ["Letter\nPhone"]
        assert page.locator("#box .govuk-summary-list__value ul li").count() == 2
        assert shown["Name"] == ["Robin Lee O'Sample"]
        assert shown["Months"] == ["2 months"]
        assert shown["Note"] == [SCRIPTED + "\nsecond line"]
        assert shown["When"] == ["31 January 2026"]          # the empty item is left out
        assert shown["unknown"] == ["kept"]
        assert "Left blank" not in shown and "Never answered" not in shown
        assert count == 9
        assert page.locator("#box img, #box b").count() == 0
        assert page.evaluate("window.__injected") is None
        assert page.locator('[data-dipforms-section="two"]').is_hidden()
        headings = page.locator("#box h2:visible").all_inner_texts()
        assert headings == ["One", "Other answers"]
        assert page.locator("#box .dipforms-summary__item").all_inner_texts() == ["Offence 1"]
        change = page.locator("#box .govuk-summary-list__actions a").first
        assert change.get_attribute("href") == "/forms/t/one.html#dob"
        assert change.inner_text() == "Change Date of birth"
        assert change.locator(".govuk-visually-hidden").inner_text() == " Date of birth"
        offence_change = page.locator(
            "#box .govuk-summary-list__actions a[href='/forms/t/one.html#offences-0-when']")
        assert offence_change.locator(".govuk-visually-hidden").inner_text() == \
            " When (Offence 1)"

        # Unanswered questions on request; Welsh month names.
        welsh = dict(questions, words=dict(words, months=[
            "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst",
            "Medi", "Hydref", "Tachwedd", "Rhagfyr"], not_answered="Heb ei ateb",
            date_at_time="{date} am {time}"))
        page.evaluate("""([q, d]) => window.dipformsSummary.render(document.getElementById('box'),
                         q, d, {showUnanswered: true})""", [welsh, data])
        shown = answers(page, "#box")
        assert shown["Date of birth"] == ["1 Mawrth 2026"]
        assert shown["Tested at"] == ["19 Tachwedd 2026 am 18:45"]
        assert shown["Never answered"] == ["Heb ei ateb"] and shown["Left blank"] == ["Heb ei ateb"]
        assert "unknown" not in shown
        assert page.locator("#box a").count() == 0
        browser.close()

