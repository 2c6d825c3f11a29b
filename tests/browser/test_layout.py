"""Any device: at 320 px wide (a small phone, WCAG reflow) and at 1280 px, no page scrolls
sideways, and every touch target is big enough (tests/browser/targets.js says how that is
measured). Screenshots of each kind of page at both widths go to test-artifacts/."""

from __future__ import annotations

import time

import pytest

from tests.browser.browsing import (
    ARTIFACTS,
    TARGETS_JS,
    add_user,
    clear_errors,
    launch,
    post_empty,
    question_page,
    settle,
    show_errors,
    signed_in_context,
    site_pages,
    without_scripts,
)
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = {"mobile": 320, "desktop": 1280}
#: One page of each kind, screenshotted at both widths.
SHOTS = {
    "index": "/index.html",
    "index-cy": "/cy/index.html",
    "sign-in": "/sign-in.html",
    "start": "/forms/mg14/index.html",
    "question": "/forms/mg14/offender.html",
    "question-repeat": "/forms/mg14/offence.html",
    "start-cy": "/cy/forms/consent_to_share_information/index.html",
    "question-cy": "/cy/forms/consent_to_share_information/about.html",
    "print": "/forms/mg14/print.html",
    "done": "/forms/mg14/done.html",
}


def overflow(page) -> str | None:
    """Why the page scrolls sideways, or None when it fits the viewport."""
    found = page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width && innerWidth === width) return null;
      const wide = [...document.querySelectorAll("body *")].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > width + 0.5;
      }).slice(0, 3).map(el => el.tagName.toLowerCase() + "." + el.className);
      return `scrollWidth ${document.documentElement.scrollWidth} > ${width}: ${wide}`;
    }""")
    return found


@pytest.fixture(scope="module")
def run_and_browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    data = tmp_path_factory.mktemp("layout")
    add_user(data)
    with LocalRun(data) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        yield run, browser
        browser.close()


def viewport_tab(run, browser, width: int):
    options = {"viewport": {"width": width, "height": 800 if width > 400 else 640}}
    if width < 400:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    page = signed_in_context(browser, run, **options).new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.mark.parametrize("kind", list(WIDTHS))
def test_no_page_scrolls_sideways_and_targets_are_big_enough(run_and_browser, kind):
    run, browser = run_and_browser
    width = WIDTHS[kind]
    page = viewport_tab(run, browser, width)
    began = time.monotonic()
    problems: list[str] = []
    counted = 0
    for path in site_pages():
        page.goto(path)
        settle(page)
        wide = overflow(page)
        if wide:
            problems.append(f"{path} at {width} px: {wide}")
        measured = page.evaluate(TARGETS_JS)
        counted += measured["count"]
        problems += [f"{path} at {width} px: {p}" for p in measured["problems"]]
    for name, path in SHOTS.items():
        page.goto(path)
        settle(page)
        page.screenshot(path=str(ARTIFACTS / f"layout-{name}-{width}.png"), full_page=True)
    print(f"\n{kind}: {counted} targets on {len(site_pages())} pages in "
          f"{time.monotonic() - began:.1f} s")
    page.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", list(WIDTHS))
def test_pages_with_errors_shown_fit_and_keep_targets_apart(run_and_browser, kind):
    """The error summary's links and the inline messages must not push a page sideways."""
    run, browser = run_and_browser
    width = WIDTHS[kind]
    page = viewport_tab(run, browser, width)
    problems: list[str] = []
    for path in [p for p in site_pages() if question_page(p)]:
        page.goto(path)
        settle(page)
        show_errors(page, "Enter the answer to question {n} on this page, in the format shown")
        page.wait_for_selector(".govuk-error-summary")
        wide = overflow(page)
        if wide:
            problems.append(f"{path} with errors at {width} px: {wide}")
        problems += [f"{path} with errors at {width} px: {p}"
                     for p in page.evaluate(TARGETS_JS)["problems"]]
        clear_errors(page)
    page.goto("/forms/mg14/offence.html")
    settle(page)
    show_errors(page)
    page.screenshot(path=str(ARTIFACTS / f"layout-question-errors-{width}.png"), full_page=True)
    clear_errors(page)
    page.context.close()
    assert not problems, "\n".join(problems)


def test_pages_the_local_server_answers_without_javascript_fit_a_phone(run_and_browser):
    """Without JavaScript a question page comes back from the local server with its errors,
    the answers so far and Back as a second button: still no sideways scrolling at 320 px."""
    run, browser = run_and_browser
    page = without_scripts(browser, run, viewport={"width": 320, "height": 640},
                           is_mobile=True, has_touch=True)
    problems: list[str] = []
    for path in [p for p in site_pages() if question_page(p)]:
        if not post_empty(page, path):
            continue
        wide = overflow(page)
        if wide:
            problems.append(f"{path} from the server at 320 px: {wide}")
        problems += [f"{path} from the server at 320 px: {p}"
                     for p in page.evaluate(TARGETS_JS)["problems"]]
    page.screenshot(path=str(ARTIFACTS / "layout-no-script-errors-320.png"), full_page=True)
    page.context.close()
    assert not problems, "\n".join(problems)
