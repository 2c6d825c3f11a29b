"""What the accessibility, layout, keyboard and print tests share: one Chromium, a tab that
is already signed in (the session in sessionStorage, as the sign-in page leaves it), and the
list of the site's pages after the build."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from chalicelib.users import UserDirectory

from tests.examples import example_data, example_moment
from tests.local_run import ROOT, LocalRun
from web.casepages import MARKER

CHROMIUM = Path("/usr/bin/chromium")

ARTIFACTS = ROOT / "test-artifacts"
SITE = ROOT / "site"
USER, PASSWORD = "cjit_worker", "a long local password for the browser tests"
#: The touch-target measurement (see the file), for page.evaluate.
TARGETS_JS = (ROOT / "tests" / "browser" / "targets.js").read_text(encoding="utf-8")
QUESTION_FORM = re.compile(r'<form [^>]*class="[^"]*\bdipforms-page\b')
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", "--no-first-run"]


def wait_for_path(page, path: str) -> None:
    """Wait until the page is at `path`. A glob like `**/forms/x.html` would also match the
    sign-in page's own address (`sign-in.html?next=/forms/x.html`) and return too early."""
    from urllib.parse import urlparse

    page.wait_for_url(lambda url: urlparse(url).path == path)


def chromium() -> Path:
    """Debian's Chromium: installed here if missing and we are root; else the test skips."""
    if not CHROMIUM.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run("apt-get update && apt-get install -y chromium", shell=True,
                       capture_output=True, timeout=900, check=False)
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing and could not be installed "
                    "(apt-get install -y chromium)")
    return CHROMIUM


def launch(playwright):
    """Debian's headless Chromium through Playwright (its own download is unreachable)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return playwright.chromium.launch(executable_path=str(chromium()), args=ARGS)


def dated_context(browser, **options):
    """A browser context whose pages' clock is set to 10:00 on the example submissions' day,
    as LocalRun sets the server's, so the pages and the API agree on what today is. With
    scripts on, it carries the cookie init.js sets on a browser's first page
    (web/casepages.MARKER) for LocalRun's host: the tests put a session in the tab alone,
    with no cookie, where a browser without the marker would be sent to sign in without
    JavaScript."""
    context = browser.new_context(**options)
    if options.get("java_script_enabled", True):  # without scripts, no page reads a clock
        context.clock.set_system_time(example_moment())
        context.add_cookies([{"name": MARKER, "value": "1", "domain": "127.0.0.1",
                              "path": "/"}])
    return context


def dated_page(browser, **options):
    return dated_context(browser, **options).new_page()


def add_user(data_dir: Path, role: str = "cjit", agency: str = "northshire_cjit") -> None:
    UserDirectory.in_data_dir(data_dir).add(USER, role, agency, PASSWORD)


def open_case(run: LocalRun) -> str:
    """A DIP case opened by a police officer's MG14 (the example, on its day): its reference,
    for forms that attach to a case (a linked form naming no real case is refused)."""
    token = run.user_token("pc_case_opener", "police", "northshire_police")
    status, body = run.submit("mg14", example_data("mg14"), token)
    assert status == 201, body
    return body["case"]


def signed_in(run: LocalRun) -> dict:
    """A real session from POST /v1/session: {token, expires_at, user}."""
    status, body = run.request("POST", "/v1/session", {"user": USER, "password": PASSWORD})
    assert status == 200, body
    return {"token": body["token"], "expires_at": body["expires_at"], "user": body["user"]}


def signed_in_context(browser, run: LocalRun, **options):
    """A browser context whose every page starts signed in, so form pages do not send us to
    the sign-in page. The token is only ever in sessionStorage, as the site keeps it."""
    context = dated_context(browser, base_url=run.url, **options)
    session = json.dumps(signed_in(run))
    context.add_init_script(
        f"try {{ sessionStorage.setItem('dipforms:session', {json.dumps(session)}); }}"
        " catch (e) {}")
    return context


def site_pages() -> list[str]:
    """Every HTML page the build wrote, as site paths (`/cy/forms/x/index.html`), sorted."""
    return sorted("/" + p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))


def question_page(path: str) -> bool:
    """A page of questions: it holds the form the page script fills (`form.dipforms-page`)."""
    return QUESTION_FORM.search((SITE / path.lstrip("/")).read_text(encoding="utf-8")) is not None


def settle(page) -> None:
    """Wait until the page script has finished with the page (it marks <html> ready)."""
    page.wait_for_load_state("load")
    page.wait_for_selector("html[data-dipforms-ready]", state="attached", timeout=10_000)


def show_errors(page, message: str = "Answer question {n}") -> int:
    """Reload this question page with an error for each of its questions, the way the page
    script keeps the API's errors (sessionStorage `dipforms:errors:<form>`, a JSON list of
    {field, message}); returns how many. The errors are left in place: `clear_errors`."""
    form, fields = page.evaluate("""() => {
      const form = document.querySelector("form.dipforms-page");
      const map = JSON.parse(document.getElementById("dipforms-pages").textContent);
      return [map.form, map.pages.find(p => p.id === form.dataset.page).fields.map(f => f.id)];
    }""")
    errors = [{"field": f"/{field}", "message": message.format(n=n)}
              for n, field in enumerate(fields, 1)]
    page.evaluate("([key, value]) => sessionStorage.setItem(key, value)",
                  [f"dipforms:errors:{form}", json.dumps(errors)])
    page.reload()
    settle(page)
    return len(errors)


def clear_errors(page) -> None:
    page.evaluate("""Object.keys(sessionStorage).filter(k => k.startsWith("dipforms:errors:"))
                       .forEach(k => sessionStorage.removeItem(k))""")


def without_scripts(browser, run: LocalRun, **options):
    """A page with no script running (every .js request refused), signed in through the
    sign-in page's own post to the local server, as a browser without JavaScript does."""
    page = dated_context(browser, base_url=run.url, **options).new_page()
    page.route("**/*.js", lambda route: route.abort())
    page.set_default_timeout(15_000)
    page.goto("/sign-in.html")
    page.fill("#user", USER)
    page.fill("#password", PASSWORD)
    page.locator("form.dipforms-sign-in button[type=submit]").click()
    page.wait_for_url(lambda url: "sign-in.html" not in url)
    return page


def post_empty(page, path: str) -> bool:
    """Open a question page and press its first button with nothing answered; True when the
    local server answers with the page again and its errors."""
    page.goto(path)
    page.locator("form.dipforms-page button[type=submit]").first.click()
    page.wait_for_load_state("load")
    return page.locator(".govuk-error-summary").count() > 0
