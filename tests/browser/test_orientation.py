"""Orientation and the way in (issue 16, items 3 and 6) in Debian's Chromium against
`dipforms run`: the service navigation and "Signed in as" per role, the front page's order
and Start links per role, axe on the front page signed in and out at 320 px and 1280 px;
the CJIT's notification e-mail's link opened in a new tab of a signed-in browser lands on
the record without signing in again, in a fresh browser after one sign-in; signing out in
one tab signs out the others."""

from __future__ import annotations

import email
import re
import time
from urllib.parse import urlsplit

import pytest
from chalicelib.users import UserDirectory

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import dated_context, launch, wait_for_path
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for the orientation test"
USERS = {"police": ("pc_nav", "northshire_police"), "cps": ("cps_nav", "northshire_cps"),
         "cjit": ("cjit_nav", "northshire_cjit"), "dat_admin": ("dat_nav", "northshire_dat")}


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """One local run with a user of four roles, an MG14 the police made (whose e-mail to the
    CJIT is in the outbox), and one browser."""
    from playwright.sync_api import sync_playwright

    data = tmp_path_factory.mktemp("orientation")
    users = UserDirectory.in_data_dir(data)
    for role, (user, agency) in USERS.items():
        users.add(user, role, agency, PASSWORD)
    run = LocalRun(data)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"   # no reminders firing mid-test
    with run, sync_playwright() as playwright:
        status, body = run.request("POST", "/v1/session",
                                   {"user": "pc_nav", "password": PASSWORD})
        status, made = run.submit("mg14", example_data("mg14"), body["token"])
        assert status == 201, made
        browser = launch(playwright)
        yield run, browser, data, made["record"]["id"]
        browser.close()


def agency_name(run: LocalRun, role: str) -> str:
    user = USERS[role][0]
    token = run.request("POST", "/v1/session", {"user": user, "password": PASSWORD})[1]["token"]
    return run.request("GET", "/v1/session", token=token)[1]["user"]["agency_name"]


def context_of(browser, run: LocalRun, width: int = 1280):
    return dated_context(browser, base_url=run.url,
                         viewport={"width": width, "height": 900 if width > 400 else 640})


def sign_in(page, role: str) -> None:
    """Through the sign-in page, as a person would; wherever it was asked from."""
    page.fill("#user", USERS[role][0])
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def signed_in_at(page, role: str, path: str = "/index.html") -> None:
    page.goto("/sign-in.html?next=" + path)
    sign_in(page, role)
    wait_for_path(page, path)
    page.wait_for_selector("#dipforms-signed-in-as", state="visible")


def visible_nav(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-dipforms-nav]",
        "items => items.filter(i => !i.hidden).map(i => i.textContent.trim())")


def forms_in(page, section: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#{section} [data-dipforms-form]", "items => items.map(i => i.dataset.dipformsForm)")


def test_each_role_sees_its_navigation_its_name_and_its_forms_first(local):
    from playwright.sync_api import expect

    run, browser, _, _ = local
    seen = {}
    for role in ("police", "cps", "cjit", "dat_admin"):
        context = context_of(browser, run)
        page = context.new_page()
        signed_in_at(page, role)
        expect(page.locator("#dipforms-signed-in-as")).to_have_text(
            f"Signed in as {USERS[role][0]} ({agency_name(run, role)})")
        expect(page.get_by_text("Sign in to fill in and submit forms")).to_be_hidden()
        expect(page.locator("#dipforms-account")).to_have_text("Sign out")
        expect(page.locator('[data-dipforms-nav="forms"] a')).to_have_attribute(
            "aria-current", "page")
        seen[role] = (visible_nav(page), forms_in(page, "dipforms-your-forms"),
                      forms_in(page, "dipforms-other-forms"),
                      page.eval_on_selector_all(
                          "main a[href$='/index.html']", "links => links.map(a => a.pathname)"))
        context.close()
    assert seen["police"][0] == ["Forms", "Cases", "Due"]
    assert seen["cjit"][0] == ["Forms", "Cases", "Due"]
    assert seen["dat_admin"][0] == ["Forms", "Dashboard"]
    police_yours, police_others = seen["police"][1], seen["police"][2]
    assert police_yours == ["mg14", "dip_protocol_checklist"], police_yours
    assert "dir_required_assessment" in police_others
    cjit_yours = seen["cjit"][1]
    assert cjit_yours[0] == "dir_initial_contact" and "mg14" not in cjit_yours
    assert "mg14" in seen["cjit"][2]
    # a form the role may not submit has no Start link: the CPS and the MG14
    assert "mg14" in seen["cps"][2]
    assert "/forms/mg14/index.html" not in seen["cps"][3]
    assert "/forms/mg14/index.html" in seen["police"][3]
    assert seen["dat_admin"][1] == [] and "/forms/mg14/index.html" not in seen["dat_admin"][3]


@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_nothing_on_the_front_page_signed_out_and_signed_in(local, width):
    run, browser, _, _ = local
    context = context_of(browser, run, width)
    page = context.new_page()
    page.goto("/index.html")
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    signed_in_at(page, "police")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    # nothing wider than the screen: the navigation wraps
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def email_link(data, record_id: str) -> str:
    """The record's link in the MG14's e-mail to the CJIT (N05, the referral its caution
    given raises, links the case and the record that raised it), as the outbox wrote it."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for eml in (data / "outbox").glob("*.eml"):
            text = email.message_from_bytes(eml.read_bytes()).get_payload(decode=True).decode()
            if record_id in text:
                return re.search(r"Open the record: (\S+)", text).group(1)
        time.sleep(0.2)
    raise AssertionError("no e-mail for the record in the outbox")


def record_shown(page, record_id: str) -> None:
    page.wait_for_selector(".dipforms-record__body", state="visible")
    assert record_id in page.inner_text(".dipforms-record__body")


def test_the_email_link_opens_the_record_in_a_new_tab_without_signing_in_again(local):
    run, browser, data, record_id = local
    link = email_link(data, record_id)
    parts = urlsplit(link)
    assert parts.path == "/forms/mg14/record.html" and parts.query == f"id={record_id}"
    path = f"{parts.path}?{parts.query}"
    context = context_of(browser, run)
    first = context.new_page()
    signed_in_at(first, "cjit")
    second = context.new_page()   # a new tab, as a mail client opens a link
    second.goto(link)
    record_shown(second, record_id)
    assert urlsplit(second.url).path == parts.path
    # its sessionStorage holds the session now; the token is never in an address
    assert second.evaluate("!!sessionStorage.getItem('dipforms:session')")
    context.close()

    fresh = context_of(browser, run)   # another browser: one sign-in, then the record
    page = fresh.new_page()
    page.goto(link)
    page.wait_for_selector(".dipforms-record__sign-in", state="visible")
    page.click(".dipforms-record__sign-in")
    page.wait_for_selector("#user")
    sign_in(page, "cjit")
    page.wait_for_url(lambda url: urlsplit(url).path + "?" + urlsplit(url).query == path)
    record_shown(page, record_id)
    fresh.close()


def test_signing_out_in_one_tab_signs_out_the_others(local):
    run, browser, _, _ = local
    context = context_of(browser, run)
    first = context.new_page()
    signed_in_at(first, "police")
    second = context.new_page()
    second.goto("/index.html")
    second.wait_for_selector("#dipforms-signed-in-as", state="visible")
    token = second.evaluate("JSON.parse(sessionStorage.getItem('dipforms:session')).token")
    with second.expect_event("load"):    # the other tab reloads signed out: wait for it,
        first.click("#dipforms-account")  # not for the copy it drops just before
    wait_for_path(first, "/sign-in.html")
    second.wait_for_function("() => !sessionStorage.getItem('dipforms:session')")
    # the other tab's next API call goes without a session, and the browser's is gone
    status = second.evaluate("""async () => {
      const s = JSON.parse(sessionStorage.getItem('dipforms:session') || 'null');
      const headers = s ? {Authorization: 'Bearer ' + s.token} : {};
      const r = await fetch('/v1/session', {headers});
      return r.status; }""")
    assert status == 401
    assert second.evaluate("fetch('/session').then(r => r.status)") == 401
    assert second.locator("#dipforms-account").inner_text() == "Sign in"
    # a third tab opened now asks for sign-in
    third = context.new_page()
    third.goto("/forms/mg14/police_case.html")
    wait_for_path(third, "/sign-in.html")
    assert token   # the old copy was dropped, not used
    context.close()
