"""Forms without JavaScript on one machine (`dipforms run`): the sign-in page and each
question page post to the local server, which answers with the next page, the same page
with the GOV.UK error summary and inline errors, or the confirmation page.

Here: which page a post is for, signing in and out, and the API as the pages see it; a
question page's post is pageflow.py's. Nothing is kept on the server: the answers so far
travel in the page (a hidden input), the session in an HttpOnly cookie, and each page
signed in carries the session's CSRF token (csrf.py), which sending a form and signing out
need. The API is called
through `api` as the page script calls it; rules (`holds`) and validation (`validate`) come
in as callables from dipforms_cli.py, since generator/ never imports api/. No sockets
here: serve.py turns a Reply into HTTP.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from generator.fields.posted import Raw
from generator.model import Form
from generator.render.site import Site, site_path
from generator.render.text import words
from generator.render.views import Filled, Posted, rule_data

from .csrf import FIELD as CSRF_FIELD
from .csrf import CsrfTokens
from .pageflow import FormPost
from .replies import CLEARED, COOKIE, Reply, session_cookie, to_sign_in

__all__ = ["COOKIE", "MAX_POST_BYTES", "Checks", "NoScript", "Reply", "safe_next",
           "server_site"]

MAX_POST_BYTES = 1_000_000
#: api(method, path, headers, body) -> (status, headers, body), as serve.py's SiteHandler.api
Api = Callable[[str, str, Mapping[str, str], bytes | None], tuple[int, Mapping[str, str], bytes]]
#: holds(rule JSON, answers, repeat item or None) -> whether the condition holds today
Holds = Callable[[dict, dict, "dict | None"], bool]
#: validate(form id, answers, language) -> the errors that refuse them: [{field, code, message}]
Validate = Callable[[str, dict, str], list[dict]]

_PAGE = re.compile(r"^/(?:(?P<lang>[a-z]{2})/)?forms/(?P<form>[\w-]+)/(?P<page>[\w-]+)\.html$")
_SIGN_IN = re.compile(r"^/(?:(?P<lang>[a-z]{2})/)?sign-in\.html$")
_EXPIRES = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Checks:
    """What the API half lends the pages (made in dipforms_cli.py): rules, validation and
    its clock, so a page, its session and the API agree on what time it is."""

    holds: Holds
    validate: Validate
    now: Callable[[], datetime.datetime]


def safe_next(value: str | None, home: str) -> str:
    """Where to go after signing in: a path on this site only, never another origin, with
    its query (a record page names its record in ?id=, a case page its case in ?ref=)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(c in value for c in "\r\n\\"):
        return home
    if _SIGN_IN.match(parts.path):
        return home
    return parts.path + (f"?{parts.query}" if parts.query else "")


class NoScript:
    """The posts of pages sent without JavaScript. `forms()` gives the forms of the last good
    build (None while it is broken); `site` renders with values (see render.Site)."""

    def __init__(self, site: Site, forms: Callable[[], Sequence[Form] | None], *, api: Api,
                 checks: Checks, csrf: CsrfTokens,
                 new_key: Callable[[], str] = lambda: str(uuid.uuid4())):
        self.site, self.forms, self.api, self.csrf = site, forms, api, csrf
        self.holds_rule, self.validate = checks.holds, checks.validate
        self.new_key, self.now = new_key, checks.now

    case_pages = None   # casepages.CasePages: the case and record pages (make_server)

    def handles(self, path: str) -> bool:
        return bool(_SIGN_IN.match(path) or _PAGE.match(path)
                    or (self.case_pages is not None and self.case_pages.handles(path)))

    def post(self, path: str, query: Mapping[str, Sequence[str]], raw: Raw,
             token: str | None) -> Reply | None:
        """The answer to a form post to `path`, or None if no page is there."""
        if self.case_pages is not None and self.case_pages.handles(path):
            return self.case_pages.post(path, query, raw, token)
        forms = {f.id: f for f in self.forms() or ()}
        found = _SIGN_IN.match(path)
        if found:
            lang = found.group("lang") or "en"
            site_langs = self.site.site_languages(forms.values())
            if lang not in site_langs:
                return None
            nxt = _first(raw, "next") or _first(query, "next")
            return self.sign_in(lang, site_langs, raw, nxt)
        page = self.question_page(path)
        if page is None:
            return None
        form, lang, index = page
        if not token:
            return to_sign_in(lang, path)
        return FormPost(self.for_user(token), form, lang, token, raw,
                        case=_first(query, "case") or None).answer(index)

    def question_page(self, path: str) -> tuple[Form, str, int] | None:
        """The form, language and page index of a question page's path, or None: no such
        page in the last good build."""
        found = _PAGE.match(path)
        form = {f.id: f for f in self.forms() or ()}.get(found.group("form")) if found else None
        lang = (found.group("lang") or "en") if found else "en"
        if form is None or lang not in self.site.languages(form):
            return None
        index = next((i for i, p in enumerate(form.pages) if p.id == found.group("page")), None)
        return None if index is None else (form, lang, index)

    def from_case(self, path: str, query: Mapping[str, Sequence[str]],
                  token: str | None) -> Reply | None:
        """GET of a form's question page with ?case=<ref> by a browser that runs no
        scripts (a step's link on the case page filled on the server): the page filled from
        the case, its case reference read-only (pageflow.FormPost), as prefill.js would
        fill it. None: not such a page (the static file is served; the start page too, as
        the page script starts a form from its case there)."""
        case = _first(query, "case")
        page = self.question_page(path) if case else None
        if page is None:
            return None
        form, lang, index = page
        if not token:
            return to_sign_in(lang, f"{path}?case={quote(case, safe='')}")
        return FormPost(self.for_user(token), form, lang, token, {}, case=case).first_view(index)

    def for_user(self, token: str) -> NoScript:
        """These posts as the token's user sees them: the pages rendered carry the
        navigation of the role and "Signed in as" (GET /v1/session); as before when the
        API does not say who it is (the post itself then meets the API's refusal)."""
        status, _, payload = self.api("GET", "/v1/session",
                                      {"Authorization": f"Bearer {token}"}, None)
        try:
            who = json.loads(payload or b"{}") if status == 200 else None
        except ValueError:
            who = None
        if not isinstance(who, dict):
            return self
        mine = copy.copy(self)
        mine.site = self.site.signed_in_as(who)
        return mine

    # --- signing out ----------------------------------------------------------------------

    def sign_out_page(self, query: str, session: str | None) -> Reply:
        """GET /sign-out: the page with a Sign out button, never signing out itself (any
        site can make a browser GET a page); nobody signed in goes to the sign-in page."""
        lang = self._language(_first(parse_qs(query), "lang"))
        if not session:
            return Reply(303, location="/" + site_path(lang, "sign-in.html"))
        return Reply(200, self.for_user(session).site.sign_out(lang, self._site_languages(),
                                                               self.csrf.token(session)))

    def sign_out(self, raw: Raw, session: str | None) -> Reply:
        """POST /sign-out: with the session's token, the cookie cleared and on to sign in;
        with a missing or old one (a page from before a restart, or a forgery that got past
        the origin check), the page with a fresh button and the session kept (403)."""
        lang = self._language(_first(raw, "lang"))
        sign_in = "/" + site_path(lang, "sign-in.html")
        if not session:
            return Reply(303, location=sign_in)
        if self.csrf.valid(session, _first(raw, CSRF_FIELD)):
            return Reply(303, location=sign_in, cookie=CLEARED)
        return Reply(403, self.site.sign_out(lang, self._site_languages(),
                                             self.csrf.token(session)))

    def _site_languages(self) -> tuple[str, ...]:
        return self.site.site_languages(self.forms() or ())

    def _language(self, lang: str) -> str:
        return lang if lang in self._site_languages() else "en"

    # --- signing in -----------------------------------------------------------------------

    def sign_in(self, lang: str, site_langs: tuple[str, ...], raw: Raw,
                nxt: str | None) -> Reply:
        t = words(lang)
        user, password = _first(raw, "user").strip(), _first(raw, "password")
        problems = []
        if not user:
            problems.append(("user", t.enter_user))
        if not password:
            problems.append(("password", t.enter_password))
        if not problems:
            status, body = self.call("POST", "/v1/session", {},
                                     {"user": user, "password": password})
            if status == 200 and isinstance(body.get("token"), str):
                home = "/" + site_path(lang, "index.html")
                return Reply(303, location=safe_next(nxt, home),
                             cookie=session_cookie(body["token"], self.seconds_left(body)))
            message = {"sign_in_failed": t.sign_in_failed,
                       "too_many_attempts": t.too_many_attempts}.get(body.get("error"))
            problems.append(("user", message or t.try_again))
        filled = Filled(errors=dict(reversed(problems)), error_word=t.error)
        page = self.site.sign_in(lang, site_langs,
                                 Posted(filled=filled, problems=tuple(problems), user=user))
        return Reply(200, page)

    def seconds_left(self, session: Mapping[str, Any]) -> int:
        try:
            ends = datetime.datetime.strptime(str(session.get("expires_at")), _EXPIRES)
        except ValueError:
            return 0
        return int((ends.replace(tzinfo=datetime.UTC) - self.now()).total_seconds())

    def call(self, method: str, path: str, headers: Mapping[str, str],
             body: Any) -> tuple[int, dict]:
        """Call the API with a JSON body; (status, the JSON answer or {})."""
        status, _, payload = self.api(method, path, {"Content-Type": "application/json",
                                                     **headers}, json.dumps(body).encode())
        try:
            answer = json.loads(payload or b"{}")
        except ValueError:
            answer = {}
        return status, answer if isinstance(answer, dict) else {}

    def holds(self, expr, data: dict, item: dict | None = None) -> bool:
        rule = rule_data(expr)
        return rule is None or self.holds_rule(rule, data, item)


def server_site(auth=None) -> Site:
    """The renderer for pages holding answers. Each component is rendered afresh: the
    shape cache (components.py) would keep multi-line answers in memory as shapes."""
    from generator.edges.templating import make_environment
    from generator.render.site import LOCAL_AUTH

    env = make_environment()
    cache = env.globals["govuk"]
    env.globals["govuk"] = lambda name, params: cache.macro(name)(params)
    return Site(env, auth=auth or LOCAL_AUTH)


def _first(raw: Mapping[str, Sequence[str]], name: str) -> str:
    values = raw.get(name) or ()
    return values[0] if values else ""
