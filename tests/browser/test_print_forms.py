"""Every form's paper version (print.html, in each of its languages) printed to PDF by
Chromium into test-artifacts/: a PDF of a sensible number of A4 pages, with none of the
screen's furniture (header, navigation, language switch, footer, back link, buttons), no
link addresses, and for the MG14 the offender's signature boxes whole on one sheet."""

from __future__ import annotations

import re

import pytest

from tests.browser.browsing import ARTIFACTS, add_user, launch, signed_in_context, site_pages
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: What a paper form must not show.
SCREEN_ONLY = (".govuk-template__header", ".govuk-service-navigation", ".govuk-skip-link",
               ".dipforms-language-switch", ".govuk-template__footer", ".dipforms-footer",
               ".govuk-back-link", ".govuk-button", "button")
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")

#: Elements of SCREEN_ONLY that are drawn, and links that print their address.
DRAWN = """(selectors) => {
  const drawn = selectors.flatMap(s => [...document.querySelectorAll(s)])
    .filter(el => el.checkVisibility({ visibilityProperty: true }))
    .map(el => el.tagName.toLowerCase() + "." + el.className);
  const addresses = [...document.querySelectorAll("a[href]")]
    .filter(a => !["none", "normal", '""'].includes(getComputedStyle(a, "::after").content))
    .map(a => a.getAttribute("href"));
  return { drawn, addresses };
}"""


def print_pages() -> list[str]:
    return [p for p in site_pages() if p.endswith("/print.html")]


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    data = tmp_path_factory.mktemp("print")
    add_user(data)
    with LocalRun(data) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        page = signed_in_context(browser, run).new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_every_form_prints_as_a_clean_paper_document(tab):
    page = tab
    paths = print_pages()
    assert any(p.startswith("/cy/") for p in paths) and len(paths) > 10, paths
    problems: list[str] = []
    sheets: dict[str, int] = {}
    for path in paths:
        page.emulate_media(media="screen")
        page.goto(path)
        page.wait_for_load_state("load")
        page.emulate_media(media="print")
        shown = page.evaluate(DRAWN, list(SCREEN_ONLY))
        if shown["drawn"]:
            problems.append(f"{path} prints {shown['drawn']}")
        if shown["addresses"]:
            problems.append(f"{path} prints link addresses {shown['addresses']}")
        if not page.locator(".dipforms-paper__question").first.is_visible():
            problems.append(f"{path} prints no questions")
        name = path.strip("/").replace("/", "-").removesuffix("-print.html")
        pdf = page.pdf(path=str(ARTIFACTS / f"print-{name}.pdf"), format="A4",
                       print_background=False)
        assert pdf.startswith(b"%PDF-"), path
        sheets[path] = len(PAGE_OBJECT.findall(pdf))
        questions = page.locator(".dipforms-paper__question").count()
        # at least one sheet; and no more than one per question (a broken layout that puts
        # each question or box on its own sheet, or blows boxes up, would exceed it)
        if not 1 <= sheets[path] <= max(2, questions):
            problems.append(f"{path}: {sheets[path]} sheets for {questions} questions")
    print("\nA4 sheets: " + ", ".join(f"{p.split('/')[-2]}"
                                      f"{' (cy)' if p.startswith('/cy/') else ''} {n}"
                                      for p, n in sheets.items()))
    assert not problems, "\n".join(problems)


def test_the_mg14_has_the_offenders_signature_boxes_whole_on_paper(tab):
    page = tab
    page.goto("/forms/mg14/print.html")
    page.wait_for_load_state("load")
    page.emulate_media(media="print")
    question = page.locator(".dipforms-paper__question",
                            has=page.locator(".dipforms-paper__label",
                                             has_text="Offender's signature"))
    assert question.count() == 1
    assert "I admit the offence" in question.locator(".dipforms-paper__statement").inner_text()
    boxes = question.locator(".dipforms-paper__signature")
    assert boxes.is_visible()
    labels = [t.strip() for t in boxes.locator(".dipforms-paper__signed-label").all_inner_texts()]
    assert labels[:2] == ["Signature", "Full name"] and labels[-1].startswith("Date signed"), labels
    line = boxes.locator(".dipforms-paper__line--signature")
    height = line.evaluate("el => el.getBoundingClientRect().height")
    assert height >= 50, f"a {height:.0f} px signature box is too small to sign in"
    assert line.evaluate("el => getComputedStyle(el).borderBottomStyle") == "solid"
    assert boxes.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
    # and so is the officer's, which follows it
    officer = page.locator(".dipforms-paper__question",
                           has=page.locator(".dipforms-paper__label",
                                            has_text="Signature of the officer"))
    assert officer.locator(".dipforms-paper__line--signature").count() == 1
    page.emulate_media(media="screen")
