"""Drafts and offline sending in Debian's Chromium against `dipforms run`: answers kept
sealed on the device while typing and restored on reload and after signing in again;
another user on the same browser cannot open them; sign-out forgets the key; drafts expire
and can be discarded; a form sent with no connection is queued and sent once when the
connection returns, even when an earlier attempt reached the API but its answer was lost.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from chalicelib.users import UserDirectory

from tests.browser.browsing import ARTIFACTS, dated_context, launch, wait_for_path
from tests.browser.test_submit_flow import fill_page
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for tests"
FIRST_PAGE = "/forms/mg14/police_case.html"
OFFENDER_PAGE = "/forms/mg14/offender.html"
SECRET_NAME = "Zebedee-Quiller"      # typed by the first user; must never be readable
DRAFTS = "Object.keys(localStorage).filter(k => k.startsWith('dipforms-draft:'))"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One local run and one browser for the module; users pc_jones and pc_smith."""
    from playwright.sync_api import sync_playwright

    data_dir = tmp_path_factory.mktemp("data")
    users = UserDirectory.in_data_dir(data_dir)
    for user in ("pc_jones", "pc_smith"):
        users.add(user, "police", "northshire_police", PASSWORD)
    with LocalRun(data_dir) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        run.token = run.user_token("dat_reader", "dat_admin", "northshire_dat")
        yield run, browser
        browser.close()


def sign_in(page, run, user: str, to: str) -> None:
    page.goto(run.url + "/sign-in.html?next=" + to)
    page.fill("#user", user)
    page.fill("#password", PASSWORD)
    page.click("form.dipforms-sign-in button[type=submit]")
    wait_for_path(page, to)
    page.wait_for_selector("html[data-dipforms-ready]")


def wait_for_draft(page) -> None:
    page.wait_for_function(f"() => {DRAFTS}.length > 0")
    page.wait_for_timeout(400)   # the write after the last keystroke (300 ms debounce)


def records(run, form: str = "mg14") -> list[str]:
    status, body = run.request("GET", f"/v1/records?form={form}", token=run.token)
    assert status == 200, body
    return [r["id"] for r in body["records"]]


def test_a_draft_is_sealed_restored_and_unreadable_by_another_user(site):
    from playwright.sync_api import expect

    run, browser = site
    context = dated_context(browser)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, run, "pc_jones", OFFENDER_PAGE)
    expect(page.locator(".dipforms-kept")).to_be_visible()
    expect(page.locator(".dipforms-kept__text")).to_contain_text("72 hours")  # protocol.yaml
    page.fill("#surname", SECRET_NAME)
    wait_for_draft(page)

    stored = page.evaluate("JSON.stringify(localStorage)")
    assert SECRET_NAME not in stored and "pc_jones" not in stored     # ciphertext only
    entry = json.loads(page.evaluate(f"localStorage.getItem({DRAFTS}[0])"))
    kept = (datetime.datetime.fromisoformat(entry["expires_at"].replace("Z", "+00:00"))
            - datetime.datetime.fromisoformat(entry["saved_at"].replace("Z", "+00:00")))
    assert kept == datetime.timedelta(hours=72)
    key = page.evaluate("sessionStorage.getItem('dipforms:draftkey')")
    assert key and key not in stored                                  # not kept beside them

    page.reload()
    page.wait_for_selector("html[data-dipforms-ready]")
    expect(page.locator("#surname")).to_have_value(SECRET_NAME)

    # The tab closes; a new tab of the same browser is signed in still (one sign-in serves
    # every tab, issue 16) and finds the draft.
    page.close()
    page = context.new_page()
    page.goto(run.url + OFFENDER_PAGE)
    wait_for_path(page, OFFENDER_PAGE)
    page.wait_for_selector("html[data-dipforms-ready]")
    expect(page.locator("#surname")).to_have_value(SECRET_NAME)
    page.click("#dipforms-account")
    page.wait_for_url("**/sign-in.html")
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('dipforms:'))"
                         ".length") == 0                              # token and key gone
    assert page.evaluate(f"{DRAFTS}.length") == 1                     # the draft stays sealed

    # Another officer on the same browser: an empty form, and the draft cannot be opened.
    sign_in(page, run, "pc_smith", OFFENDER_PAGE)
    expect(page.locator("#surname")).to_have_value("")
    opened = page.evaluate(f"""async () => {{
        const vault = await window.dipformsDrafts.current();
        const name = {DRAFTS}[0];
        const slot = 'draft:' + name.split(':').pop();
        return {{mine: name.includes(vault.keyId),
                 value: await vault.open(slot, JSON.parse(localStorage.getItem(name)))}};
    }}""")
    assert opened == {"mine": False, "value": None}
    page.screenshot(path=str(ARTIFACTS / "draft-other-user.png"), full_page=True)
    context.close()


def test_a_draft_can_be_discarded_and_expires(site):
    from playwright.sync_api import expect

    run, browser = site
    context = dated_context(browser)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, run, "pc_jones", OFFENDER_PAGE)
    page.fill("#surname", "Discarded")
    wait_for_draft(page)
    page.click(".dipforms-discard")
    page.wait_for_url("**/forms/mg14/index.html")
    assert page.evaluate(f"{DRAFTS}.length") == 0

    page.goto(run.url + OFFENDER_PAGE)
    page.wait_for_selector("html[data-dipforms-ready]")
    page.fill("#surname", "Expiring")
    wait_for_draft(page)
    page.evaluate(f"""() => {{
        const name = {DRAFTS}[0], entry = JSON.parse(localStorage.getItem(name));
        entry.expires_at = new Date(Date.now() - 1000).toISOString();
        localStorage.setItem(name, JSON.stringify(entry));
    }}""")
    page.reload()
    page.wait_for_selector("html[data-dipforms-ready]")
    expect(page.locator("#surname")).to_have_value("")
    assert page.evaluate(f"{DRAFTS}.length") <= 1   # the expired one is gone...
    assert "Expiring" not in page.evaluate("JSON.stringify(localStorage)")
    context.close()


def fill_mg14(page, run, data: dict) -> None:
    """Every page of the MG14 from the first, then on to "Check your answers"."""
    page.goto(run.url + FIRST_PAGE)
    page.wait_for_selector("html[data-dipforms-ready]")
    while not page.url.endswith("/check.html"):
        form = page.locator("form.dipforms-page")
        page_id = form.get_attribute("data-page")
        fill_page(page, data, leave_out=set())
        form.locator("button[type=submit]").click()
        page.wait_for_url(lambda url, left=f"/{page_id}.html": not url.endswith(left))
        page.wait_for_selector("html[data-dipforms-ready]")


def queue_entries(page) -> int:
    return page.evaluate("Object.keys(localStorage).filter(k => "
                         "k.startsWith('dipforms-queue:')).length")


def signed_in_at_check_page(run, browser):
    context = dated_context(browser)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, run, "pc_jones", FIRST_PAGE)
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    data = example_data("mg14")
    fill_mg14(page, run, data)
    return context, page, data


def sent_keys(page) -> list:
    keys: list = []
    page.on("request", lambda r: keys.append(r.headers.get("idempotency-key"))
            if r.url.endswith("/submissions") else None)
    return keys


def test_a_form_sent_offline_is_queued_and_sent_once_when_back_online(site):
    from playwright.sync_api import expect

    run, browser = site
    before = records(run)
    context, page, data = signed_in_at_check_page(run, browser)
    context.set_offline(True)
    page.click(".dipforms-send")
    page.wait_for_url("**/forms/mg14/done.html")      # from the service worker's cache
    expect(page.locator(".dipforms-queued")).to_be_visible()
    assert queue_entries(page) == 1 and records(run) == before
    assert data["surname"] not in page.evaluate("JSON.stringify(localStorage)")
    page.screenshot(path=str(ARTIFACTS / "queued-offline.png"), full_page=True)

    keys = sent_keys(page)
    context.set_offline(False)                       # the page hears "online" and sends
    reference = page.locator("#dipforms-reference")
    expect(reference).to_have_text(re.compile(r"^MG14-[0-9A-Z]{10}$"))
    after = records(run)
    assert len(after) == len(before) + 1 and reference.inner_text() in after
    assert len(keys) == 1 and queue_entries(page) == 0
    page.reload()
    page.wait_for_selector("html[data-dipforms-ready]")
    assert records(run) == after and len(keys) == 1   # nothing sent again
    context.close()


def test_a_send_whose_answer_was_lost_is_not_stored_twice(site):
    from playwright.sync_api import expect

    run, browser = site
    before = records(run)
    context, page, _ = signed_in_at_check_page(run, browser)
    lost: list = []

    def lose_the_answer(route):
        from playwright.sync_api import Error

        lost.append(route.request.headers.get("idempotency-key"))
        try:
            route.fetch()        # the API stores the record...
            route.abort()        # ...and the page never hears
        except Error:            # the page moved on (to the done page) meanwhile
            pass

    page.route("**/v1/forms/mg14/submissions", lose_the_answer)
    page.click(".dipforms-send")
    page.wait_for_url("**/forms/mg14/done.html")
    expect(page.locator(".dipforms-queued")).to_be_visible()
    # The done page tries again at once (also lost): always with the same key.
    assert len(set(lost)) == 1 and len(records(run)) == len(before) + 1

    # A retry that gets through has the same key: the API answers with the record it
    # already has.
    page.unroute("**/v1/forms/mg14/submissions")
    keys = sent_keys(page)
    page.reload()
    reference = page.locator("#dipforms-reference")
    expect(reference).to_have_text(re.compile(r"^MG14-[0-9A-Z]{10}$"))
    after = records(run)
    assert set(keys) <= set(lost) and len(after) == len(before) + 1   # one key, one record
    assert reference.inner_text() in after and queue_entries(page) == 0
    context.close()
