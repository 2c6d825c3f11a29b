"""The DIR Initial Contact form signed in, filled and sent with the keyboard alone: Tab and
Shift+Tab to move, typing into boxes, arrow keys and Space for radios, Space for checkboxes,
arrow keys for selects, Enter for buttons. No clicks and no page.fill/check: the DOM is only
read, to know which way to move. After every key that moves focus the focused element must
show the GOV.UK focus style (the yellow focus colour) and be on screen."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests.browser.axe import axe_violations, describe
from tests.browser.browsing import (
    ARTIFACTS,
    PASSWORD,
    TARGETS_JS,
    USER,
    add_user,
    dated_page,
    launch,
    open_case,
    settle,
    signed_in,
)
from tests.examples import example_data
from tests.local_run import LocalRun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FORM = "dir_initial_contact"

#: Why the focused element does not visibly show focus, or null when it does.
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return "nothing has focus";
  const probe = document.createElement("span");
  probe.style.color = "var(--govuk-focus-colour, #ffdd00)";
  document.body.appendChild(probe);
  const focus = getComputedStyle(probe).color;
  probe.remove();
  const drawn = el.matches("input[type=radio], input[type=checkbox]")
    ? [...el.labels].flatMap(l => [getComputedStyle(l, "::before"), getComputedStyle(l, "::after")])
    : [getComputedStyle(el)];
  const shows = s => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2
                      && s.outlineColor === focus)
    || s.backgroundColor === focus || s.borderColor === focus || s.boxShadow.includes(focus);
  const words = (el.innerText || el.value || "").trim().slice(0, 30);
  const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${words}"`;
  if (!drawn.some(shows)) return `${name} has no visible focus style`;
  const boxes = [el, ...(el.labels || [])].map(n => n.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0);
  const onScreen = boxes.some(r => r.bottom > 0 && r.right > 0 && r.top < innerHeight
                                   && r.left < innerWidth);
  return onScreen ? null : `${name} is focused off screen`;
}"""


class Keyboard:
    """Moves through a page with the keys only, checking the focus style after each move."""

    def __init__(self, page):
        self.page = page
        self.keys = 0
        self.problems: list[str] = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1
        problem = self.page.evaluate(FOCUS_SHOWN)
        if problem:
            self.problems.append(f"{self.page.url} after {key}: {problem}")

    def focused(self, selector: str) -> bool:
        return self.page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector)

    def to(self, selector: str, limit: int = 120) -> None:
        """Tab (or Shift+Tab, when the target comes before the focus) until `selector` has
        focus."""
        for _ in range(limit):
            if self.focused(selector):
                return
            before = self.page.evaluate("""s => {
              const target = document.querySelector(s), here = document.activeElement;
              if (!target || !here || here === document.body) return false;
              return !!(here.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING);
            }""", selector)
            self.press("Shift+Tab" if before else "Tab")
        raise AssertionError(f"{self.page.url}: the keyboard never reached {selector}")

    def type(self, selector: str, text: str) -> None:
        self.to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)
        actual = self.page.evaluate("document.activeElement.value")
        assert actual == text, f"{selector}: typed {text!r}, the box holds {actual!r}"

    def radio(self, name: str, value: str) -> None:
        group = f'input[type=radio][name="{name}"]'
        self.to(group)
        values = self.page.evaluate(
            "s => [...document.querySelectorAll(s)].filter(r => r.checkVisibility())"
            ".map(r => r.value)", group)
        here = values.index(self.page.evaluate("document.activeElement.value"))
        wanted = values.index(value)
        for _ in range(abs(wanted - here)):
            self.press("ArrowDown" if wanted > here else "ArrowUp")
        self.press("Space")  # checks the focused radio if the arrows did not
        assert self.page.evaluate("document.activeElement.checked"), (name, value)
        assert self.page.evaluate("document.activeElement.value") == value, (name, value)

    def tick(self, name: str, value: str = "true") -> None:
        self.to(f'input[type=checkbox][name="{name}"][value="{value}"]')
        if not self.page.evaluate("document.activeElement.checked"):
            self.press("Space")
        assert self.page.evaluate("document.activeElement.checked"), (name, value)

    def select(self, name: str, value: str) -> None:
        self.to(f'select[name="{name}"]')
        values = self.page.evaluate("[...document.activeElement.options].map(o => o.value)")
        here = self.page.evaluate("document.activeElement.selectedIndex")
        wanted = values.index(value)
        for _ in range(abs(wanted - here)):
            self.press("ArrowDown" if wanted > here else "ArrowUp")
        assert self.page.evaluate("document.activeElement.value") == value, (name, value)

    def date(self, name: str, value: str) -> None:
        year, month, day = value[:10].split("-")
        self.type(f'[name="{name}[day]"]', str(int(day)))
        self.type(f'[name="{name}[month]"]', str(int(month)))
        self.type(f'[name="{name}[year]"]', year)

    def activate(self, selector: str) -> None:
        self.to(selector)
        self.page.keyboard.press("Enter")
        self.keys += 1


def answer(keys: Keyboard, name: str, kind: str, value) -> None:
    """Answer one question by its input name and field type, keys only."""
    page = keys.page
    if kind in ("text", "longtext", "email", "phone", "postcode", "reference", "number",
                "time"):
        keys.type(f'[name="{name}"]', str(value))
    elif kind == "yesno":
        keys.radio(name, "true" if value else "false")
    elif kind == "choice":
        if page.locator(f'select[name="{name}"]').count():
            keys.select(name, value)
        else:
            keys.radio(name, value)
    elif kind == "multichoice":
        for code in value:
            keys.tick(name, code)
    elif kind == "attest":
        keys.tick(name)
    elif kind == "date":
        keys.date(name, value)
    elif kind == "datetime":
        keys.date(name, value)
        keys.type(f'[name="{name}[time]"]', value[11:])
    elif kind in ("name", "address"):
        for part, text in value.items():
            keys.type(f'[name="{name}[{part}]"]', text)
    elif kind == "signature":
        keys.type(f'[name="{name}[name]"]', value["name"])
        if page.locator(f'select[name="{name}[role]"]').count():
            keys.select(f"{name}[role]", value["role"])
        elif not page.locator(f'input[type=hidden][name="{name}[role]"]').count():
            keys.type(f'[name="{name}[role]"]', value["role"])   # else fixed by signer:
        keys.date(f"{name}[date]", value["date"])
        if value.get("confirmed"):
            keys.tick(f"{name}[confirmed]")
    elif kind == "repeat":
        items = f'[data-field="{name}"] .dipforms-repeat__item'
        for i, item in enumerate(value):
            if i >= page.locator(items).count():
                keys.activate(f'[data-field="{name}"] .dipforms-repeat__add')
                page.wait_for_function(f"() => document.querySelectorAll('{items}').length > {i}")
            for key, child_value in item.items():
                child = f"{name}[{i}][{key}]"
                kind = page.get_attribute(f'[data-field="{child}"]', "data-type")
                answer(keys, child, kind, child_value)
    else:
        raise AssertionError(f"no keyboard answer for {kind}")


def answer_page(keys: Keyboard, data: dict) -> None:
    wrappers = keys.page.locator("form.dipforms-page > .dipforms-field")
    fields = [(wrappers.nth(i).get_attribute("data-field"),
               wrappers.nth(i).get_attribute("data-type")) for i in range(wrappers.count())]
    for name, kind in fields:
        if name in data:
            answer(keys, name, kind, data[name])


def unordered(value):
    """The answers with ticked boxes as sets: ticks arrive in page order, not example order."""
    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [unordered(v) for v in value]
        return frozenset(items) if all(isinstance(v, str) for v in items) else items
    return value


def test_dir_initial_contact_by_keyboard_alone(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    data = example_data(FORM, "valid/full")
    add_user(tmp_path)
    with LocalRun(tmp_path) as run, sync_playwright() as playwright:
        browser = launch(playwright)
        page = dated_page(browser, base_url=run.url)
        page.set_default_timeout(15_000)
        script_errors: list[str] = []
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        keys = Keyboard(page)
        shown_problems: list[str] = []
        data["cc_case_ref"] = open_case(run)     # the form attaches to a real case

        # Signing in, by keyboard too.
        page.goto(f"/forms/{FORM}/index.html")
        page.wait_for_load_state("load")
        keys.activate("a.govuk-button--start")
        page.wait_for_url("**/sign-in.html?next=*")
        page.wait_for_load_state("load")
        keys.type("#user", USER)
        keys.type("#password", PASSWORD)
        keys.activate("form.dipforms-sign-in button[type=submit]")
        page.wait_for_url(lambda url: urlparse(url).path.startswith(f"/forms/{FORM}/"))

        pages = 0
        while "/done.html" not in page.url:
            settle(page)
            here = page.url
            if page.locator("form.dipforms-page").count():
                answer_page(keys, data)
                if pages == 0:
                    page.screenshot(path=str(ARTIFACTS / "keyboard-first-page.png"))
                keys.activate("form.dipforms-page button[type=submit]")
            else:   # the last step: "Check your answers", then Send
                assert page.locator(".dipforms-send").count() == 1, page.url
                page.wait_for_selector(".dipforms-summary .govuk-summary-list", state="visible")
                page.screenshot(path=str(ARTIFACTS / "keyboard-check.png"), full_page=True)
                # the answers with their Change links: accessible, and big enough to tap
                shown_problems += [f"check page: {describe(axe_violations(page))}"] \
                    if axe_violations(page) else []
                shown_problems += page.evaluate(TARGETS_JS)["problems"]
                keys.activate(".dipforms-send")
            page.wait_for_function("url => location.href !== url", arg=here)
            expect(page.locator(".govuk-error-summary")).to_have_count(0)
            pages += 1
            assert pages < 30, "the form never reached its confirmation page"

        reference = page.locator("#dipforms-reference")
        expect(reference).to_have_text(re.compile(r"^[A-Z0-9-]+-[0-9A-Z]{10}$"))
        record_id = reference.inner_text()
        violations = axe_violations(page)
        shown_problems += [f"confirmation page: {describe(violations)}"] if violations else []
        page.screenshot(path=str(ARTIFACTS / "keyboard-confirmation.png"), full_page=True)
        print(f"\nkeyboard only: {pages} pages, {keys.keys} keys")
        browser.close()

        assert not keys.problems, "\n".join(keys.problems)
        assert not shown_problems, "\n".join(shown_problems)
        assert script_errors == []
        status, body = run.request("GET", f"/v1/records/{record_id}",
                                   token=signed_in(run)["token"])
        assert status == 200, body
        assert unordered(body["record"]["data"]) == unordered(data)  # every answer, typed
