"""Finding 16 (issue 15): every page the site has, built from forms/ (and with Cognito), and
every page the local server renders for a post without JavaScript, holds nothing the
Content-Security-Policy of web/headers.py would block: no inline script but the hashed
one, no inline style, no event-handler attribute, no javascript: URL, nothing loaded from
another origin, no form posting elsewhere."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

import pytest

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.edges.templating import make_environment
from generator.edges.write import STATIC
from generator.fields.posted import write_fields
from generator.render.site import Site, SiteAuth, render_diagnostics_page
from generator.render.views import Confirm, Filled, Posted
from tests.examples import ROOT, example_data
from web import headers

#: <script type> values that are data, not script: the CSP does not apply to them.
DATA_BLOCKS = {"application/json"}
COGNITO = SiteAuth("cognito", domain="https://dipforms.auth.eu-west-2.amazoncognito.com",
                   client_id="abc123")


class Blocked(HTMLParser):
    """What in one page a CSP without 'unsafe-inline' (and only 'self' sources) blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.script: dict | None = None
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (an event-handler attribute)")
            if name == "style":
                self.problems.append(f"<{tag} style=...> (an inline style)")
            if name in ("href", "src", "action", "formaction") and value:
                lowered = value.strip().lower()
                if lowered.startswith("javascript:"):
                    self.problems.append(f"<{tag} {name}=javascript:...>")
                elif _loads(tag, name, named) and not _own(lowered):
                    self.problems.append(f"<{tag} {name}={value}> (another origin)")
        if tag == "style":
            self.problems.append("<style> (an inline style sheet)")
        if tag == "script" and "src" not in named:
            self.script = {"type": (named.get("type") or "").strip().lower(), "text": ""}

    def handle_data(self, data):
        if self.script is not None:
            self.script["text"] += data

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            script, self.script = self.script, None
            if script["type"] in DATA_BLOCKS:
                return
            self.inline_scripts += 1
            digest = hashlib.sha256(script["text"].encode("utf-8")).digest()
            source = "sha256-" + base64.b64encode(digest).decode("ascii")
            if source not in headers.INLINE_SCRIPT_HASHES:
                self.problems.append(f"inline script not hashed: {script['text'][:60]!r}")


def _loads(tag: str, name: str, attrs: dict) -> bool:
    """Whether the attribute makes the page load or post somewhere (not a link followed)."""
    if tag == "link":
        return name == "href" and attrs.get("rel") in (
            "stylesheet", "icon", "manifest", "modulepreload", "preload")
    return (tag, name) in {("script", "src"), ("img", "src"), ("iframe", "src"),
                           ("form", "action"), ("button", "formaction"),
                           ("input", "formaction")}


def _own(value: str) -> bool:
    return (value.startswith("/") and not value.startswith("//")) or value.startswith("data:")


def blocked(html: str) -> list[str]:
    parser = Blocked()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.fixture(scope="module")
def sources():
    return read_forms_dir(ROOT)


@pytest.mark.parametrize("auth", [None, COGNITO], ids=["local", "cognito"])
def test_no_page_of_the_built_site_has_what_the_policy_blocks(sources, auth):
    site = Site(make_environment(), auth=auth) if auth else Site(make_environment())
    result = build_project(sources, {}, site=site)
    assert result.ok
    pages = {path: html for path, html in result.site.items() if path.endswith(".html")}
    assert len(pages) > 100 and "forms/mg14/offender.html" in pages
    found = {path: blocked(html) for path, html in pages.items()}
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_the_pages_the_server_renders_have_nothing_blocked_either(sources):
    result = build_project(sources, {})
    form = next(f for f in result.project.forms if f.id == "mg14")
    site = Site(make_environment())
    page = form.pages[1]
    raw = write_fields(page.fields, example_data("mg14"))
    posted = Posted(filled=Filled(raw=raw, errors={"surname": "Enter the surname"}),
                    problems=(("surname", "Enter the surname"), (None, "Not sent")),
                    answers='{"a": "<script>alert(1)</script>"}', key="k", resume=True,
                    back=True, csrf="t", confirm=(Confirm("c-1", "Check", "s", "", "Say"),))
    rendered = {
        "page": site.page(form, 1, "en", posted),
        "welsh page": site.page(form, 1, "cy", posted) if "cy" in site.languages(form)
        else "",
        "done": site.done(form, "en", "MG14-0123456789", ["Check the date"], csrf="t"),
        "sign-in": site.sign_in("en", ("en", "cy"), Posted(problems=(("user", "Wrong"),))),
        "sign-out": site.sign_out("en", ("en", "cy"), "t"),
        "diagnostics": render_diagnostics_page("forms/x.yaml:1:1: error <b>",
                                               env=make_environment()),
    }
    assert {name: blocked(html) for name, html in rendered.items() if blocked(html)} == {}
    assert 'name="_csrf" value="t"' in rendered["page"]
    assert 'action="/sign-out"' in rendered["done"]


def test_govuk_frontend_is_started_from_a_file():
    """The module that was inline in base.html: now /assets/init.js."""
    text = (STATIC / "init.js").read_text()
    assert 'import { initAll } from "/assets/govuk-frontend.min.js";' in text
    assert "initAll();" in text


def test_the_checker_finds_what_the_policy_would_block():
    page = ('<p style="color:red" onclick="x()">a</p><style>p{}</style>'
            '<script>alert(1)</script><script type="application/json">{}</script>'
            '<script src="https://elsewhere.example/x.js"></script>'
            '<a href="javascript:alert(1)">x</a><form action="https://elsewhere.example/">'
            '</form><script type="module" src="/assets/init.js"></script>')
    assert len(blocked(page)) == 7, blocked(page)
    govuk = ("<script>document.body.className += ' js-enabled' + ('noModule' in "
             "HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');</script>")
    assert blocked(govuk) == []


def test_the_policy_allows_no_inline_and_no_framing():
    policy = headers.content_security_policy()
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == f"'self' '{headers.GOVUK_JS_ENABLED}'"
    assert directives["style-src"] == "'self'" and directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["form-action"] == "'self'"
    with_cognito = headers.content_security_policy(connect=(COGNITO.domain + "/oauth2",))
    assert "connect-src 'self' https://dipforms.auth.eu-west-2.amazoncognito.com;" in \
        with_cognito
    sent = headers.security_headers()
    assert sent["Referrer-Policy"] == "same-origin"
    assert sent["X-Content-Type-Options"] == "nosniff"
    assert {"camera=()", "microphone=()", "geolocation=()"} <= set(
        sent["Permissions-Policy"].split(", "))
