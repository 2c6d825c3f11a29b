"""The DAT view in Debian's Chromium against `dipforms run`: cases stored the way the case
engine commits them, seen by a dat_admin as totals, a bar chart (SVG, role="img") and
tables; each CSV downloads with the right rows through the bearer token, never a token in an
address; no name from the records on the page; axe finds nothing at 1280 px and 320 px, with
no sideways scrolling. A police officer is told they need the DAT administrator role; someone
not signed in is sent to sign in."""

from __future__ import annotations

import csv
import io
import json

import pytest
from chalicelib.store import SQLITE_FILENAME
from chalicelib.store.sqlite import SQLiteStore
from chalicelib.users import UserDirectory

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import ARTIFACTS, dated_context, launch
from tests.examples import DEFAULT_TODAY
from tests.functional.test_dashboard_api import FORENAMES, SURNAME, seed
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long local password for the dashboard test"
PAGE = "/admin/dashboard.html"
OUTCOMES = ["Open", "Closed as complied with", "Police responding to failure",
            "Declined by the offender", "Alternative disposal", "Not known to misuse drugs"]


def session_for(run: LocalRun, user: str) -> dict:
    status, body = run.request("POST", "/v1/session", {"user": user, "password": PASSWORD})
    assert status == 200, body
    return {"token": body["token"], "expires_at": body["expires_at"], "user": body["user"]}


def open_page(browser, run: LocalRun, session: dict | None, width: int = 1280):
    context = dated_context(browser, base_url=run.url, viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    if session is not None:
        context.add_init_script(
            f"sessionStorage.setItem('dipforms:session', {json.dumps(json.dumps(session))})")
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = {"errors": [], "urls": [], "auth": []}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))

    def request(r) -> None:
        seen["urls"].append(r.url + " " + (r.headers.get("referer") or ""))
        if r.url.split("?")[0].endswith("/v1/dashboard.csv"):
            seen["auth"].append(r.headers.get("authorization", ""))
    page.on("request", request)
    page.goto(PAGE)
    page.wait_for_selector("[data-dipforms-dashboard][data-state]", state="attached")
    return page, seen


def table_rows(page, caption: str) -> list[list[str]]:
    table = page.locator("table.govuk-table", has=page.locator("caption", has_text=caption))
    return [[c.strip() for c in row.locator("th, td").all_inner_texts()]
            for row in table.locator("tbody tr").all()]


def downloaded(page, table: str) -> tuple[str, list[list[str]]]:
    with page.expect_download() as info:
        page.locator(f'.dipforms-download[data-table="{table}"]').click()
    download = info.value
    text = open(download.path(), encoding="utf-8", newline="").read()
    return download.suggested_filename, list(csv.reader(io.StringIO(text, newline="")))


def no_axe_problems(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def test_dat_admin_sees_the_figures_downloads_csv_and_others_are_refused(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    users = UserDirectory.in_data_dir(tmp_path)
    users.add("dat_view", "dat_admin", "northshire_dat", PASSWORD)
    users.add("pc_view", "police", "northshire_police", PASSWORD)

    run = LocalRun(tmp_path)
    # the seeded deadlines stay pending: no sweep after the one at start (before seeding)
    run.env["DIPFORMS_SWEEP_SECONDS"] = "86400"
    with run, sync_playwright() as playwright:
        today = DEFAULT_TODAY   # the day LocalRun sets the server's clock to
        seed(SQLiteStore(tmp_path / SQLITE_FILENAME), today)
        admin = session_for(run, "dat_view")
        browser = launch(playwright)

        page, seen = open_page(browser, run, admin)
        root = page.locator("[data-dipforms-dashboard]")
        expect(root).to_have_attribute("data-state", "ready")
        expect(page.locator(".dipforms-needs-js")).to_be_hidden()
        totals = {key: page.locator(f'[data-total="{key}"]').inner_text()
                  for key in ("open_cases", "closed_cases", "all_cases", "overdue", "dead")}
        assert totals == {"open_cases": "3", "closed_cases": "3", "all_cases": "6",
                          "overdue": "2", "dead": "1"}
        lead = page.locator(".dipforms-dashboard__lead").inner_text()
        assert f"{today.day} " in lead and str(today.year) in lead

        # The chart: an image with a name giving every figure, one segment per non-zero count.
        chart = page.locator(".dipforms-chart svg[role=img]")
        expect(chart).to_have_count(1)
        label = chart.get_attribute("aria-label")
        assert "Bar chart of 6 cases" in label
        assert "One session condition: 3 (Open 2, Closed as complied with 1)" in label
        assert "Three session condition: 1 (Police responding to failure 1)" in label
        assert "Not recorded: 1 (Declined by the offender 1)" in label
        assert chart.locator("rect").count() == 5
        assert chart.locator('rect[data-outcome="open"]').count() == 2
        assert page.locator(".dipforms-chart__key li").all_inner_texts() == OUTCOMES

        # The same figures as a table, the accessible equivalent.
        counts = table_rows(page, "Number of cases by DIP condition and outcome")
        assert counts[0] == ["One session condition", "2", "1", "0", "0", "0", "0", "3"]
        assert counts[1] == ["Two session condition", "1", "0", "0", "0", "0", "0", "1"]
        assert counts[3] == ["Not recorded", "0", "0", "0", "1", "0", "0", "1"]
        assert counts[4] == ["All conditions", "3", "1", "1", "1", "0", "0", "6"]
        overdue = table_rows(page, "Overdue actions, oldest first")
        assert [r[0] for r in overdue] == ["MG14-DASH000005", "MG14-DASH000002"]
        assert overdue[0][-1] == "10" and overdue[1][-1] == "3"
        # each case's reference leads to its page (issue 16 item 3)
        link = page.get_by_role("region", name="Overdue actions, oldest first").get_by_role(
            "link", name="MG14-DASH000005")
        assert link.get_attribute("href") == "/cases/case.html?ref=MG14-DASH000005"
        dead = table_rows(page, "Notifications not delivered, oldest first")
        assert dead[0][:5] == ["MG14-DASH000004", "N13", "MG14-DASH000004",
                               "northshire_police", "1"]
        assert dead[0][5] == "DeliveryFailed"
        assert dead[0][6] == "26 October 2026 at 09:00"   # 30 days before, in England (GMT)

        # Nothing from the records but their references.
        text = page.locator("main").inner_text()
        for value in (SURNAME, FORENAMES, "Custody Sergeant", "sergeant@", "MessageRejected"):
            assert value not in text and value not in page.content(), value
        no_axe_problems(page, "signed in as dat_admin, 1280 px")
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        # CSV downloads: the rows the API gives, a dated name, the token only in a header.
        name, rows = downloaded(page, "counts")
        assert name == f"dipforms-counts-{today.isoformat()}.csv"
        assert rows[0] == ["condition_type", "condition", "open", "closed_complied",
                           "failure_response", "declined", "alternative_disposal", "exit",
                           "total"]
        assert rows[1] == ["one_session", "One session condition", "2", "1", "0", "0", "0",
                           "0", "3"]
        assert rows[-1] == ["all", "All conditions", "3", "1", "1", "1", "0", "0", "6"]
        _, rows = downloaded(page, "overdue")
        assert [r[:2] for r in rows] == [["case_ref", "reason"],
                                         ["MG14-DASH000005", "contact_by_passed"],
                                         ["MG14-DASH000002", "contact_by_passed"]]
        _, rows = downloaded(page, "dead")
        assert [r[0] for r in rows] == ["event_id", "ev-dash-dead"]
        assert seen["auth"] == [f"Bearer {admin['token']}"] * 3
        assert not [u for u in seen["urls"] if admin["token"] in u]
        expect(page.locator(".dipforms-dashboard__download-problem")).to_be_hidden()
        # A download that fails says so, in an error summary that takes focus.
        page.route("**/v1/dashboard.csv*", lambda route: route.fulfill(status=503, body="{}"))
        page.locator('.dipforms-download[data-table="dead"]').click()
        problem = page.locator(".dipforms-dashboard__download-problem")
        expect(problem).to_be_visible()
        expect(problem).to_be_focused()
        no_axe_problems(page, "a download that failed")
        page.unroute("**/v1/dashboard.csv*")
        assert seen["errors"] == []

        # On a phone: the page does not scroll sideways (wide tables scroll in their region).
        phone, seen = open_page(browser, run, admin, width=320)
        expect(phone.locator("[data-dipforms-dashboard]")).to_have_attribute("data-state",
                                                                             "ready")
        assert phone.evaluate("document.documentElement.scrollWidth"
                              " <= document.documentElement.clientWidth")
        no_axe_problems(phone, "signed in as dat_admin, 320 px")
        phone.screenshot(path=str(ARTIFACTS / "dashboard-320.png"), full_page=True)
        assert seen["errors"] == []

        # A police officer: told plainly, and shown nothing.
        page, seen = open_page(browser, run, session_for(run, "pc_view"))
        forbidden = page.locator('[data-problem="forbidden"]')
        expect(forbidden).to_be_visible()
        expect(forbidden.locator("h2")).to_have_text("You need the DAT administrator role")
        expect(page.locator(".dipforms-dashboard__body")).to_be_hidden()
        assert page.locator("table, svg").count() == 0
        assert page.title().startswith("You need the DAT administrator role")
        no_axe_problems(page, "signed in as police")
        assert seen["errors"] == []

        # Not signed in: a link to sign in that comes back here.
        page, seen = open_page(browser, run, None)
        sign_in = page.locator('[data-problem="sign-in"]')
        expect(sign_in).to_be_visible()
        expect(sign_in.get_by_role("link", name="Sign in")).to_have_attribute(
            "href", "/sign-in.html?next=%2Fadmin%2Fdashboard.html")
        no_axe_problems(page, "not signed in")
        assert seen["errors"] == []
        browser.close()
