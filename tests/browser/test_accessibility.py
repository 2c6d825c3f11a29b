"""axe-core on every page the build writes, in both languages, signed in, then again with
errors shown on every question page and on the sign-in page: zero violations (less the one
GOV.UK exception in tests/browser/axe.py). Also: Welsh pages say `lang="cy"`, every control
has a label, every `aria-describedby` names elements that exist, and the error summary takes
focus. One browser, one tab, reused; the time taken is printed (`pytest -s`)."""

from __future__ import annotations

import time

import pytest

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import (
    add_user,
    clear_errors,
    dated_page,
    launch,
    open_case,
    post_empty,
    question_page,
    settle,
    show_errors,
    signed_in,
    signed_in_context,
    site_pages,
    without_scripts,
)
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RECORD_FORM = "dir_initial_contact"

#: Controls without a label, and aria-describedby tokens naming nothing, on the page now.
LABEL_PROBLEMS = """() => {
  const found = [];
  const named = el => (el.labels && el.labels.length) || el.getAttribute("aria-label")
    || el.getAttribute("aria-labelledby");
  for (const el of document.querySelectorAll("input, textarea, select")) {
    if (el.type === "hidden") continue;
    if (!named(el)) found.push(`no label: ${el.outerHTML.slice(0, 160)}`);
  }
  for (const el of document.querySelectorAll("[aria-describedby]")) {
    for (const id of el.getAttribute("aria-describedby").split(/\\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) found.push(`aria-describedby ${id} missing on #${el.id}`);
    }
  }
  for (const el of document.querySelectorAll("[aria-labelledby]")) {
    for (const id of el.getAttribute("aria-labelledby").split(/\\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) found.push(`aria-labelledby ${id} missing on #${el.id}`);
    }
  }
  return found;
}"""

def check_page(page, path: str) -> list[str]:
    """Everything this file asserts on the page as it is now, as a list of problems."""
    problems = [f"{path}: {line}" for line in page.evaluate(LABEL_PROBLEMS)]
    lang = page.evaluate("document.documentElement.lang")
    wanted = "cy" if path.startswith("/cy/") else "en"
    if lang != wanted:
        problems.append(f'{path}: <html lang="{lang}">, not "{wanted}"')
    violations = axe_violations(page)
    if violations:
        problems.append(f"{path}:\n{describe(violations)}")
    return problems


def summary_focused(page) -> bool:
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.matches("
        "'.govuk-error-summary')",
        timeout=5_000)
    return True


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    """A signed-in tab on a local run, shared by this file's tests."""
    from playwright.sync_api import sync_playwright

    data = tmp_path_factory.mktemp("a11y")
    add_user(data)
    with LocalRun(data) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        context = signed_in_context(browser, run)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors, run
        browser.close()


def test_every_page_passes_axe_in_both_languages(tab):
    page, script_errors, _ = tab
    paths = site_pages()
    assert any(p.startswith("/cy/") for p in paths), "no Welsh pages were built"
    began = time.monotonic()
    problems: list[str] = []
    for path in paths:
        page.goto(path)
        settle(page)
        problems += check_page(page, path)
    # The confirmation page as it is after sending, with the reference and a warning.
    page.evaluate("""sessionStorage.setItem('dipforms:done:mg14', JSON.stringify(
        {id: 'MG14-0000000000', warnings: ['Check the date of birth']}))""")
    page.goto("/forms/mg14/done.html")
    settle(page)
    assert page.locator("#dipforms-reference").inner_text() == "MG14-0000000000"
    problems += check_page(page, "/forms/mg14/done.html (sent)")
    print(f"\naxe on {len(paths) + 1} pages without errors: {time.monotonic() - began:.1f} s")
    assert not problems, "\n".join(problems)
    assert script_errors == []


def test_every_question_page_passes_axe_with_its_errors_shown(tab):
    page, script_errors, _ = tab
    paths = [p for p in site_pages() if question_page(p)]
    began = time.monotonic()
    problems: list[str] = []
    for path in paths:
        page.goto(path)
        settle(page)
        count = show_errors(page)
        shown = page.locator(".govuk-error-summary__list li")
        if shown.count() != count:
            problems.append(f"{path}: {shown.count()} errors in the summary, not {count}")
        summary_focused(page)
        if not page.title().startswith(("Error: ", "Gwall: ")):
            problems.append(f"{path}: the title does not start with Error:")
        problems += check_page(page, f"{path} (errors shown)")
        clear_errors(page)
    print(f"\naxe on {len(paths)} pages with errors: {time.monotonic() - began:.1f} s")
    assert paths and not problems, "\n".join(problems)
    assert script_errors == []


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_sign_in_page_passes_axe_after_an_empty_submit(tab, lang):
    page, _, _ = tab
    path = "/sign-in.html" if lang == "en" else "/cy/sign-in.html"
    page.goto(path)
    settle(page)
    page.locator("form.dipforms-sign-in button[type=submit]").click()
    assert summary_focused(page)
    assert page.locator(".govuk-error-summary__list li").count() == 2
    assert page.locator("#user").get_attribute("aria-describedby").split()[-1] == "user-error"
    problems = check_page(page, f"{path} (errors shown)")
    assert not problems, "\n".join(problems)


def test_a_stored_record_passes_axe(tab):
    """record.html showing a record read from the API, as for the case file."""
    page, script_errors, run = tab
    data = example_data(RECORD_FORM, "valid/full")
    data["cc_case_ref"] = open_case(run)          # the form attaches to a real case
    status, body = run.submit(RECORD_FORM, data, signed_in(run)["token"])
    assert status == 201, body
    path = f"/forms/{RECORD_FORM}/record.html?id={body['record']['id']}"
    page.goto(path)
    settle(page)
    page.wait_for_selector(".dipforms-record__body", state="visible")
    problems = check_page(page, path)
    assert not problems, "\n".join(problems)
    assert script_errors == []


def test_pages_the_local_server_answers_without_javascript_pass_axe(tab):
    """Without JavaScript the sign-in page and each question page post to the local server,
    which answers with the page again, its errors in the GOV.UK summary and beside the
    fields."""
    _, _, run = tab
    page = dated_page(tab[0].context.browser, base_url=run.url)
    page.route("**/*.js", lambda route: route.abort())
    page.goto("/sign-in.html")
    page.locator("form.dipforms-sign-in button[type=submit]").click()
    page.wait_for_selector(".govuk-error-summary")
    problems = check_page(page, "/sign-in.html (no JavaScript, errors shown)")
    page.context.close()
    page = without_scripts(tab[0].context.browser, run)
    began, shown = time.monotonic(), 0
    for path in [p for p in site_pages() if question_page(p)]:
        if post_empty(page, path):
            shown += 1
            problems += check_page(page, f"{path} (no JavaScript, errors shown)")
    print(f"\naxe on {shown} pages with errors from the server: {time.monotonic() - began:.1f} s")
    page.context.close()
    assert shown > 20 and not problems, "\n".join(problems)


def test_the_axe_exception_is_only_aria_expanded_on_govuk_conditional_reveals(tab):
    """GOV.UK radios that reveal content carry aria-expanded (govuk-frontend issue 979):
    let through there, and only there."""
    page = tab[0].context.new_page()
    radio = ('<div class="govuk-radios__item"><input class="govuk-radios__input" id="{id}" '
             'name="{id}" type="radio" value="yes" {attrs}><label class="govuk-radios__label" '
             'for="{id}">Yes</label></div>')
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        + radio.format(id="reveal", attrs='data-aria-controls="more" aria-expanded="false"')
        + '<div id="more">More</div>'
        + radio.format(id="plain", attrs='aria-expanded="false"')
        + radio.format(id="both", attrs='data-aria-controls="more" aria-expanded="true" '
                                        'aria-selected="true"')
        + "</main></body></html>")
    found = {tuple(n["target"]) for v in axe_violations(page) if v["id"] == "aria-allowed-attr"
             for n in v["nodes"]}
    page.close()
    assert found == {("#plain",), ("#both",)}
