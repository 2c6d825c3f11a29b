"""The service worker in Debian's Chromium against `dipforms run`: after one form page has
been opened, the browser goes offline and other forms' start and question pages, in English
and Welsh, still open from the worker's cache; a page that is not kept (a print page) shows
the offline page in its language; the API is never answered from a cache.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import re

import pytest
from chalicelib.users import UserDirectory

from generator.render.text import WORDS
from tests.browser.browsing import dated_context, launch
from tests.local_run import ROOT, LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts"
SITE = ROOT / "site"
USER, PASSWORD = "pc_offline", "a long local password for the offline test"


def start_page(form: str, lang: str = "en") -> tuple[str, str, str]:
    """(start page path, its <h1> text, its first question page path), from the build."""
    path = ("" if lang == "en" else f"/{lang}") + f"/forms/{form}/index.html"
    html = (SITE / path.lstrip("/")).read_text()
    title = re.search(r'<h1 class="govuk-heading-xl">(.*?)</h1>', html, re.S).group(1).strip()
    pages = json.loads(re.search(r'<script type="application/json" id="dipforms-pages">(.*?)'
                                 r"</script>", html, re.S).group(1))
    return path, title, pages["pages"][0]["href"]


def worker_version() -> str:
    return re.search(r'^const VERSION = "([0-9a-f]+)";$', (SITE / "sw.js").read_text(),
                     re.M).group(1)


def test_forms_open_from_the_cache_with_no_connection(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    UserDirectory.in_data_dir(tmp_path).add(USER, "police", "northshire_police", PASSWORD)
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        status, body = run.request("POST", "/v1/session", {"user": USER, "password": PASSWORD})
        assert status == 200, body
        session = json.dumps({k: body[k] for k in ("token", "expires_at", "user")})
        browser = launch(playwright)
        context = dated_context(browser, base_url=run.url)
        context.add_init_script(f"sessionStorage.setItem('dipforms:session', "
                                f"{json.dumps(session)});")
        page = context.new_page()
        page.set_default_timeout(20_000)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))

        # Online, one form page: the worker installs, keeps the site, and takes control.
        page.goto("/forms/mg14/index.html")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null",
                               timeout=60_000)
        assert page.evaluate("caches.keys()") == [f"dipforms-{worker_version()}"]
        again = page.goto("/forms/mg14/index.html")
        assert again.from_service_worker                     # a repeat visit: from the cache

        context.set_offline(True)
        assert page.evaluate("fetch('/v1/health').then(() => 'answered', () => 'failed')") \
            == "failed"                                      # the API: never from a cache

        # Another form's start page and its first question page, never opened before.
        path, title, first = start_page("dir_initial_contact")
        response = page.goto(path)
        assert response.ok and response.from_service_worker
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator(".govuk-button--start")).to_be_visible()
        response = page.goto(first)
        assert response.ok and response.from_service_worker
        form = page.locator("form.dipforms-page")
        expect(form).to_be_visible()
        expect(form.locator("input:not([type=hidden]), select, textarea").first).to_be_visible()
        assert page.evaluate("[...document.styleSheets].filter(s => (s.href || '')"
                             ".endsWith('/assets/dipforms.css') && s.cssRules.length).length") == 1
        page.screenshot(path=str(ARTIFACTS / "offline-question-page.png"), full_page=True)

        # A directory is its index.html, as the server answers it.
        path, title, _ = start_page("dip_session1_triage")
        response = page.goto(path.removesuffix("index.html"))
        assert response.from_service_worker
        expect(page.locator("h1")).to_have_text(title)

        # Welsh pages, in Welsh.
        path, title, first = start_page("consent_to_share_information", "cy")
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        expect(page.locator("h1")).to_have_text(title)
        page.goto(first)
        expect(page.locator("form.dipforms-page")).to_be_visible()

        # Print pages are not kept: the offline page instead, in the page's language.
        for lang, prefix in (("en", ""), ("cy", "/cy")):
            response = page.goto(f"{prefix}/forms/consent_to_share_information/print.html")
            assert response.from_service_worker
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.locator("h1")).to_have_text(WORDS[lang]["offline_title"])
            expect(page.locator("main a", has_text=WORDS[lang]["all_forms"])).to_have_attribute(
                "href", f"{prefix}/index.html")
            page.screenshot(path=str(ARTIFACTS / f"offline-page-{lang}.png"), full_page=True)

        context.set_offline(False)
        response = page.goto("/forms/consent_to_share_information/print.html")
        assert response.ok and "print" in page.url
        expect(page.locator("h1")).not_to_have_text(WORDS["en"]["offline_title"])
        browser.close()
        assert problems == [], problems
