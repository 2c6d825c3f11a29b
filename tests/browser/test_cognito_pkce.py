"""Signing in through a Cognito hosted UI in Chromium, against `dipforms run` with the site
built in Cognito mode and the API verifying Cognito tokens (CognitoVerifier on the JWKS).

The hosted UI is tests/browser/fake_hosted_ui.py, which checks PKCE as Cognito does. Every
URL the browser asks for or navigates to (with its Referer) is recorded: no token and no
code verifier may be in any of them, and the code only on the callback page.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import launch
from tests.browser.fake_hosted_ui import AGENCY, CLIENT_ID, USER, FakeHostedUI, b64url
from tests.local_run import ROOT, LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts"


class CognitoRun(LocalRun):
    """`dipforms run --root <copy>`: the copy's site built in Cognito mode, its API checking
    the fake's tokens. The checkout's own site/ is never touched."""

    def __init__(self, root: Path, data_dir: Path) -> None:
        super().__init__(data_dir, root=root, start_seconds=90)

    def configure(self, fake: FakeHostedUI) -> None:
        self.env.update({
            "DIPFORMS_AUTH": "cognito", "DIPFORMS_COGNITO_DOMAIN": fake.url,
            "DIPFORMS_COGNITO_CLIENT_ID": CLIENT_ID, "DIPFORMS_COGNITO_ISSUER": fake.issuer,
            "DIPFORMS_COGNITO_JWKS_URL": f"{fake.issuer}/.well-known/jwks.json",
            "DIPFORMS_DRAFT_SECRET": secrets.token_urlsafe(48)})
        # Cognito is for real people: the API refuses a set clock, so the server, the fake
        # hosted UI and the page all keep the machine's (faketime moves all three alike).
        self.env.pop("DIPFORMS_CLOCK")


def project_copy(target: Path) -> Path:
    """The forms, kept schemas and API code, so the build writes only into `target`."""
    skip = shutil.ignore_patterns("__pycache__", "generated", "*.pyc")
    for folder in ("forms", "schemas", "api"):
        shutil.copytree(ROOT / folder, target / folder, ignore=skip)
    return target


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = project_copy(tmp_path_factory.mktemp("project"))
    run = CognitoRun(root, tmp_path_factory.mktemp("data"))
    fake = FakeHostedUI(
        callbacks=[f"{run.url}/signed-in.html", f"{run.url}/cy/signed-in.html"],
        sign_out_urls=[f"{run.url}/index.html", f"{run.url}/cy/index.html"])
    run.configure(fake)
    from playwright.sync_api import sync_playwright

    try:
        with run, sync_playwright() as playwright:
            browser = launch(playwright)
            yield run, fake, browser
            browser.close()
    finally:
        fake.close()


def watched_context(browser, run: LocalRun):
    """A context that records every URL asked for (any frame, any origin, with its Referer)
    and every frame navigation."""
    context = browser.new_context(base_url=run.url)
    seen: list[str] = []
    context.on("request", lambda r: seen.extend([r.url, r.headers.get("referer") or ""]))
    context.on("page", lambda p: p.on("framenavigated", lambda f: seen.append(f.url)))
    return context, seen


def ours(page) -> list[str]:
    return page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('dipforms:'))")


def test_staff_sign_in_through_the_hosted_ui_use_the_api_and_sign_out(setup):
    from playwright.sync_api import expect

    run, fake, browser = setup
    context, seen = watched_context(browser, run)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    asked, issued_before, logouts = len(fake.token_requests), len(fake.issued), len(fake.logouts)

    # A form page sends us to sign in; the sign-in page offers only the organisation account.
    page.goto("/forms/mg14/police_case.html")
    page.wait_for_url("**/sign-in.html?next=*")
    expect(page.locator("#password")).to_have_count(0)
    button = page.get_by_role("button", name="Sign in with your organisation account")
    expect(button).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.screenshot(path=str(ARTIFACTS / "cognito-sign-in.png"), full_page=True)

    # Through the hosted UI and back to the page that asked.
    button.click()
    page.wait_for_url(f"{run.url}/forms/mg14/police_case.html")
    expect(page.locator("html")).to_have_attribute("data-dipforms-ready", "true")
    expect(page.locator("#dipforms-account")).to_have_text("Sign out")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)   # the draft key came too

    [request] = fake.token_requests[asked:]
    assert request["outcome"] == "ok"
    verifier, code = request["code_verifier"], request["code"]
    assert 43 <= len(verifier) <= 128
    [issued] = fake.issued[issued_before:]
    session = json.loads(page.evaluate("sessionStorage.getItem('dipforms:session')"))
    assert session["token"] == issued["id_token"]
    assert session["user"] == {"id": USER, "role": "police", "agency": AGENCY}
    claims = jwt.decode(issued["id_token"], options={"verify_signature": False})
    assert session["expires_at"] == time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                                  time.gmtime(claims["exp"]))
    assert page.evaluate("sessionStorage.getItem('dipforms:cognito')") is None  # verifier gone
    kept = page.evaluate("JSON.stringify(Object.entries(localStorage))")
    assert issued["id_token"] not in kept and issued["access_token"] not in kept

    # No token and no verifier in any URL; the code only on the callback page.
    secrets_ = [issued["id_token"], issued["access_token"], verifier]
    assert [u for u in seen if any(s in u for s in secrets_)] == []
    with_code = [u for u in seen if code in u]
    assert with_code and all(urlsplit(u).path == "/signed-in.html" for u in with_code)
    authorize = next(u for u in seen if urlsplit(u).path == "/oauth2/authorize")
    sent = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert sent["code_challenge"] == b64url(hashlib.sha256(verifier.encode()).digest())
    assert sent["redirect_uri"] == f"{run.url}/signed-in.html"

    # The token works against the real API (CognitoVerifier on the fake's JWKS).
    answer = page.evaluate("""async () => {
      const s = JSON.parse(sessionStorage.getItem('dipforms:session'));
      const r = await fetch('/v1/forms', {headers: {Authorization: 'Bearer ' + s.token}});
      return {status: r.status, body: await r.json()};
    }""")
    assert answer["status"] == 200, answer
    mg14 = next(f for f in answer["body"]["forms"] if f["id"] == "mg14")
    assert mg14["may_submit"] is True

    # Sign out: everything of ours leaves the tab, and the hosted UI's session ends too.
    page.click("#dipforms-account")
    page.wait_for_url(f"{run.url}/index.html")
    assert fake.logouts[logouts:] == [{"client_id": CLIENT_ID,
                                       "logout_uri": f"{run.url}/index.html"}]
    assert ours(page) == []
    expect(page.locator("#dipforms-account")).to_have_text("Sign in")
    assert problems == [], problems
    context.close()


def test_a_tampered_code_verifier_is_refused_and_the_page_says_so(setup):
    from playwright.sync_api import expect

    run, fake, browser = setup
    context, seen = watched_context(browser, run)
    # On the callback page, before our script: change one character of the kept verifier.
    context.add_init_script("""
      if (location.pathname === '/signed-in.html') {
        const flow = JSON.parse(sessionStorage.getItem('dipforms:cognito') || 'null');
        if (flow) {
          flow.verifier = flow.verifier.slice(0, -1) + (flow.verifier.endsWith('A') ? 'B' : 'A');
          sessionStorage.setItem('dipforms:cognito', JSON.stringify(flow));
        }
      }""")
    page = context.new_page()
    page.set_default_timeout(15_000)
    before = len(fake.token_requests)
    page.goto("/sign-in.html?next=%2Fforms%2Fmg14%2Findex.html")
    page.get_by_role("button", name="Sign in with your organisation account").click()
    page.wait_for_url(f"{run.url}/signed-in.html")          # the code left the address bar
    summary = page.locator("#dipforms-sign-in-error")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator('[data-reason="unfinished"]')).to_be_visible()
    expect(summary.locator('[data-reason="expired"]')).to_be_hidden()
    assert page.title().startswith("Error: ")
    assert [r["outcome"] for r in fake.token_requests[before:]] == ["pkce"]
    assert ours(page) == []                                  # no session, no verifier
    again = summary.get_by_role("link", name="Try signing in again")
    expect(again).to_have_attribute("href", "/sign-in.html?next=%2Fforms%2Fmg14%2Findex.html")
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.screenshot(path=str(ARTIFACTS / "cognito-sign-in-error.png"), full_page=True)
    verifier = fake.token_requests[-1]["code_verifier"]
    assert [u for u in seen if verifier in u] == []
    again.click()
    page.wait_for_url("**/sign-in.html?next=*")
    context.close()


def test_a_wrong_state_is_refused_before_the_code_is_used(setup):
    from playwright.sync_api import expect

    run, fake, browser = setup
    context, _ = watched_context(browser, run)
    context.add_init_script("""
      if (location.pathname === '/signed-in.html') {
        const flow = JSON.parse(sessionStorage.getItem('dipforms:cognito') || 'null');
        if (flow) {
          flow.state = 'not-the-state-we-sent';
          sessionStorage.setItem('dipforms:cognito', JSON.stringify(flow));
        }
      }""")
    page = context.new_page()
    page.set_default_timeout(15_000)
    before = len(fake.token_requests)
    page.goto("/sign-in.html")
    page.get_by_role("button", name="Sign in with your organisation account").click()
    page.wait_for_url(f"{run.url}/signed-in.html")
    expect(page.locator('#dipforms-sign-in-error [data-reason="expired"]')).to_be_visible()
    assert len(fake.token_requests) == before                # the code was never sent
    assert ours(page) == []
    context.close()


def test_a_refusal_by_the_hosted_ui_is_shown_in_welsh_on_the_welsh_pages(setup):
    from playwright.sync_api import expect

    run, fake, browser = setup
    context, _ = watched_context(browser, run)
    page = context.new_page()
    page.set_default_timeout(15_000)
    fake.deny = True
    try:
        page.goto("/cy/sign-in.html")
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        page.get_by_role("button", name="Mewngofnodi gyda chyfrif eich sefydliad").click()
        page.wait_for_url(f"{run.url}/cy/signed-in.html")
    finally:
        fake.deny = False
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    summary = page.locator("#dipforms-sign-in-error")
    expect(summary).to_be_focused()
    expect(summary.locator('[data-reason="stopped"]')).to_be_visible()
    again = summary.get_by_role("link", name="Rhowch gynnig arall ar fewngofnodi")
    expect(again).to_have_attribute("href", re.compile(r"^/cy/sign-in\.html"))
    assert page.title().startswith("Gwall: ")
    assert axe_violations(page) == [], describe(axe_violations(page))
    assert ours(page) == []
    context.close()


def test_a_new_tab_goes_through_the_hosted_uis_session_and_back_to_its_page(setup):
    """One sign-in serves every tab (docs/auth.md): a tab without a token, in a browser
    that signed in, goes through the hosted UI (whose own session signs it in without
    typing) and back to its page, query and all; after sign-out a new tab asks again."""
    from playwright.sync_api import expect

    run, fake, browser = setup
    context, seen = watched_context(browser, run)
    first = context.new_page()
    first.set_default_timeout(15_000)
    first.goto("/sign-in.html")
    first.get_by_role("button", name="Sign in with your organisation account").click()
    first.wait_for_url(f"{run.url}/index.html")
    expect(first.locator("#dipforms-account")).to_have_text("Sign out")
    issued = len(fake.issued)

    second = context.new_page()   # a link opened in a new tab
    second.set_default_timeout(15_000)
    second.goto("/forms/mg14/record.html?id=MG14-0000000000")
    second.wait_for_url(f"{run.url}/forms/mg14/record.html?id=MG14-0000000000")
    second.wait_for_function("() => !!sessionStorage.getItem('dipforms:session')")
    assert len(fake.issued) == issued + 1   # through the hosted UI, no typing
    kept = second.evaluate("JSON.stringify(Object.entries(localStorage))")
    assert fake.issued[-1]["id_token"] not in kept   # the mark is no token

    second.click("#dipforms-account")
    second.wait_for_url(f"{run.url}/index.html")
    assert first.evaluate("localStorage.getItem('dipforms:cognito-signed-in')") is None
    third = context.new_page()
    third.set_default_timeout(15_000)
    third.goto("/forms/mg14/police_case.html")
    third.wait_for_url("**/sign-in.html?next=*")   # asks again: a button, no loop
    expect(third.get_by_role("button", name="Sign in with your organisation account")
           ).to_be_visible()
    assert len(fake.issued) == issued + 1
    context.close()
