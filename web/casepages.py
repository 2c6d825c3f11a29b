"""The Cases list, Due, one case, a step to confirm and a stored record without JavaScript,
on one machine (`dipforms run`): the page filled on the server with what its script would
have read from the API (caseviews.py), through the same templates (served_*.html, each
extending the page it fills).

A browser that runs the pages' scripts says so with the `dipforms_js` cookie (set by
static/init.js, no secret), and gets the static page as before; one that sends the
session cookie without it gets the page filled here. In AWS the site is static, so there
these pages need JavaScript. Searching and making a step are posts carrying the session's
CSRF token; a search's words never go into an address. No sockets here: serve.py turns a
Reply into HTTP (nojs.NoScript hands these posts on).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from generator.render.cases import (
    CASE_PAGE,
    CASES_INDEX,
    DUE_PAGE,
    STEP_PAGE,
    case_pages,
)
from generator.render.site import site_path
from generator.render.text import CASE_WORDS, words

from .caseviews import (
    CaseView,
    case_href,
    case_list,
    due_list,
    fill,
    instant_words,
    record_sections,
)
from .csrf import FIELD as CSRF_FIELD
from .replies import Reply, to_sign_in

MARKER = "dipforms_js"   # set by static/init.js: this browser runs the pages' scripts
_RECORD = re.compile(r"^/(?:(?P<lang>[a-z]{2})/)?forms/(?P<form>[\w-]+)/record\.html$")
#: The case page's query parameters that page its timeline and records (GET /v1/cases/{ref}'s)
PAGE_CURSORS = ("timeline_cursor", "records_cursor")
_PAGES = {"/" + CASES_INDEX: "list", "/" + DUE_PAGE: "due",
          "/" + CASE_PAGE: "case", "/" + STEP_PAGE: "step"}
_FILTERS = ("state", "condition", "due")


class CasePages:
    """`no_script` (nojs.NoScript) lends the API, the CSRF tokens and the renderer of the
    signed-in user; `project()` is the last good build's project (None while broken)."""

    def __init__(self, no_script: Any, project: Callable[[], Any]):
        self.no_script, self.project = no_script, project
        self._cache: tuple[Any, dict] | None = None

    # --- which pages ------------------------------------------------------------------------

    def handles(self, path: str) -> bool:
        return path in _PAGES or bool(_RECORD.match(path))

    def contexts(self) -> dict[str, tuple[str, dict]] | None:
        """{path: (template, context)} of the case pages for the current build."""
        project = self.project()
        if project is None or project.process is None:
            return None
        if self._cache is None or self._cache[0] is not project:
            pages = case_pages(project.process, project.forms, project.documents,
                               project.protocol, project.codelists)
            self._cache = (project, {"/" + path: page for path, page in pages.items()})
        return self._cache[1]

    def get(self, path: str, query: Mapping[str, Sequence[str]], token: str | None,
            scripted: bool) -> Reply | None:
        """GET of a case or record page: None (serve the static page) when the browser runs
        scripts or no page is here; to sign in without a session."""
        if path == "/cases/":
            path = "/" + CASES_INDEX
        if not scripted and "case" in query:      # a form started from its case
            started = self.no_script.from_case(path, query, token)
            if started is not None:
                return started
        if scripted or not self.handles(path):
            return None
        if not token:
            back = path + (("?" + urlencode(query, doseq=True)) if query else "")
            found = _RECORD.match(path)
            return to_sign_in((found.group("lang") or "en") if found else "en", back)
        found = _RECORD.match(path)
        if found:
            return self.record(found, query, token)
        if self.contexts() is None:
            return None
        kind = _PAGES[path]
        if kind == "list":
            return self.cases(query, token, searched="", cursor=_first(query, "cursor"))
        if kind == "due":
            return self.due(token)
        if kind == "case":
            return self.case(_first(query, "ref"), token, moved=_first(query, "moved"),
                             pages={k: _first(query, k) for k in PAGE_CURSORS})
        return self.step(_first(query, "ref"), _first(query, "transition"), token)

    def post(self, path: str, query: Mapping[str, Sequence[str]], raw: Mapping[str, Any],
             token: str | None) -> Reply | None:
        """A search (Cases), a button step (one case) or a confirmed step (cases/step.html);
        each needs the session's CSRF token."""
        kind = _PAGES.get(path)
        if kind is None or kind == "due" or self.contexts() is None:
            return None
        if not token:
            return to_sign_in("en", path)
        ours = self.no_script.csrf.valid(token, _first(raw, CSRF_FIELD))
        ref = _first(query, "ref") or _first(raw, "ref")
        if kind == "list":
            if not ours:
                return self.cases(query, token, searched="", cursor="", status=403,
                                  problem=_try_again())
            return self.cases(query, token, searched=_first(raw, "q").strip(),
                              cursor=_first(raw, "cursor"))
        if kind == "case":
            if not ours:
                return self.case(ref, token, status=403,
                                 problem={"message": _try_again()})
            return self.take(ref, raw, token, page="case")
        transition = _first(query, "transition") or _first(raw, "transition")
        if not ours:
            return self.step(ref, transition, token, status=403,
                             problem={"message": _try_again()})
        return self.take(ref, {**raw, "transition": [transition]}, token, page="step")

    # --- the API, as the pages' scripts call it ---------------------------------------------

    def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"}
        if body is None:
            status, _, payload = self.no_script.api(method, path, headers, None)
            try:
                answer = json.loads(payload or b"{}")
            except ValueError:
                answer = {}
            return status, answer if isinstance(answer, dict) else {}
        return self.no_script.call(method, path, headers, body)

    def render(self, path: str, token: str, served: dict, status: int = 200, *,
               template: str | None = None, **more: Any) -> Reply:
        mine = self.no_script.for_user(token)
        name, context = self.contexts()[path]
        page = mine.site.served(template or f"served_{name}", path.lstrip("/"),
                                self.no_script.csrf.token(token), served=served,
                                **{**context, **more})
        return Reply(status, page)

    def refused(self, path: str, token: str, status: int, back: str | None = None) -> Reply:
        """A read the API refused: the page's own words (sign in again, not found, not
        allowed, try again), never the API's body; 401 back to `back` after signing in."""
        if status == 401:
            return to_sign_in("en", back or path)
        problem = {403: "forbidden", 404: "not-found"}.get(status, "failed")
        return self.render(path, token, {"problem": problem},
                           status if status in (403, 404) else 502)

    # --- the pages ----------------------------------------------------------------------------

    def cases(self, query: Mapping[str, Sequence[str]], token: str, *, searched: str,
              cursor: str, status: int = 200, problem: str | None = None) -> Reply:
        path = "/" + CASES_INDEX
        chosen = {name: _first(query, name) for name in _FILTERS if _first(query, name)}
        asked = dict(chosen, **({"q": searched} if searched else {}),
                     **({"cursor": cursor} if cursor else {}))
        words = self.contexts()[path][1]["words"]
        code, body = self.call("GET", "/v1/cases?" + urlencode(asked), token)
        if code == 400:
            message = ((body.get("errors") or [{}])[0] or {}).get("message") or ""
            problem = fill(words["bad_query"], message=message)
            served = {"filters": chosen, "q": searched, "rows": [], "status": ""}
            return self.render(path, token, {**served, "problem": problem}, 200)
        if code != 200 or not isinstance(body.get("cases"), list):
            return self.refused(path, token, code)
        shown = case_list(body, words, searched=searched, filtered=bool(chosen))
        more = shown.pop("next_cursor")
        next_href = (f"{path}?{urlencode({**chosen, 'cursor': more})}"
                     if more and not searched else None)
        return self.render(path, token, {**shown, "filters": chosen, "q": searched,
                                         "next_href": next_href,
                                         "next_cursor": more if searched else None,
                                         "problem": problem}, status)

    def due(self, token: str) -> Reply:
        path = "/" + DUE_PAGE
        code, body = self.call("GET", "/v1/due", token)
        if code != 200 or not isinstance(body.get("due"), list):
            return self.refused(path, token, code)
        return self.render(path, token, due_list(body, self.contexts()[path][1]["words"]))

    def _case(self, ref: str, token: str, pages: Mapping[str, str] | None = None
              ) -> tuple[int, dict]:
        """GET /v1/cases/{ref}, the pages of its timeline and records `pages` names."""
        asked = {k: v for k, v in (pages or {}).items() if v}
        return self.call("GET", "/v1/cases/" + quote(ref, safe="")
                         + (("?" + urlencode(asked)) if asked else ""), token)

    def _role(self, token: str) -> str | None:
        code, who = self.call("GET", "/v1/session", token)
        user = who.get("user") if code == 200 else None
        return user.get("role") if isinstance(user, dict) else None

    def case(self, ref: str, token: str, *, moved: str = "", status: int = 200,
             problem: dict | None = None, pages: Mapping[str, str] | None = None) -> Reply:
        """The case page: its first page of records and timeline, or those `pages` (the
        cursors of a "Show older entries" or "Show more records" link) ask for."""
        path = "/" + CASE_PAGE
        if not ref:
            return self.render(path, token, {"problem": "no-ref"}, 404)
        code, body = self._case(ref, token, pages)
        if code != 200 or not isinstance(body.get("case"), dict):
            return self.refused(path, token, code, back=case_href(ref))
        context = self.contexts()[path][1]
        w = dict(context["c"]["script"], people=context["c"]["people"])
        view = CaseView(body, context["process"], w, self._role(token)).view()
        banner = fill(w["moved"], label=view["summary"][1]["value"]) if moved else None
        return self.render(path, token, {**view, "moved": banner, "refusal": problem},
                           status)

    def step(self, ref: str, transition: str, token: str, *, status: int = 200,
             problem: dict | None = None, typed: Mapping[str, str] | None = None) -> Reply:
        """cases/step.html: the step to confirm, with its reason box; 'not now' when the case
        has moved on or the reader's role may not take it."""
        path = "/" + STEP_PAGE
        if not ref:
            return self.render(path, token, {"problem": "no-ref"}, 404)
        code, body = self._case(ref, token)
        if code != 200 or not isinstance(body.get("case"), dict):
            return self.refused(path, token, code)
        case = body["case"]
        context = self.contexts()[path][1]
        w = context["words"]
        found = next((s for s in case.get("next_steps") or ()
                      if s.get("transition") == transition), None)
        href = case_href(case["ref"])
        if case.get("closed") or found is None or found.get("kind") == "form":
            return self.render(path, token, {"problem": "not-now", "case_href": href}, 200,
                               case_href=href)
        asks = [dict(a) for a in found.get("asks") or ()]
        if found.get("ends") and not any(a.get("id") == "reason" for a in asks):
            asks.append({"id": "reason", "label": w["reason_label"], "hint": w["reason_hint"]})
        for ask in asks:
            ask.setdefault("label", w["reason_label"])
            if ask.get("id") == "reason":
                ask.setdefault("hint", w["reason_hint"])
        errors = (problem or {}).get("fields") or {}
        to = found.get("to_label") or found.get("to")
        served = {"ref": case["ref"], "version": case.get("version"),
                  "transition": transition, "caption": fill(w["caption"], ref=case["ref"]),
                  "title": found.get("label") or fill(w["step"], label=to),
                  "ends": bool(found.get("ends")),
                  "warning": fill(w["ends_warning"], label=to) if found.get("ends") else None,
                  "asks": asks, "values": dict(typed or {}), "errors": errors,
                  "refusal": (problem or {}).get("message"), "case_href": href}
        title = (f"{words('en').error}: " if problem else "") + served["title"]
        return self.render(path, token, served, status, case_href=href,
                           action={**context["action"], "title": title})

    def take(self, ref: str, raw: Mapping[str, Any], token: str, *, page: str) -> Reply:
        """POST /v1/cases/{ref}/transitions with what was posted; a 303 to the case page,
        or the page again with the API's message (a field's beside its box)."""
        transition = _first(raw, "transition")
        body: dict[str, Any] = {"transition": transition}
        version = _first(raw, "base_version")
        if version.isdigit():
            body["base_version"] = int(version)
        for name, values in raw.items():
            if name not in ("transition", "base_version", "ref", CSRF_FIELD) and values:
                text = values[0].strip()
                if text:
                    body[name] = text
        code, answer = self.call("POST", "/v1/cases/" + quote(ref, safe="") + "/transitions",
                                 token, body)
        if code == 200 and isinstance(answer.get("case"), dict):
            return Reply(303, location=case_href(ref) + "&moved=" + quote(transition, safe=""))
        if code == 401:
            return to_sign_in("en", case_href(ref))
        words = CASE_WORDS["script"]
        errors = answer.get("errors") or []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        if answer.get("error") == "version_conflict":
            message = words["conflict"]
        else:
            message = first.get("message") or words["step_failed"]
        if page == "step":
            fields = {}
            for e in errors:
                if isinstance(e, dict) and e.get("field"):
                    fields.setdefault(str(e["field"]).lstrip("/"), e.get("message") or "")
            refusal = None if fields else message
            return self.step(ref, transition, token, status=200,
                             problem={"message": refusal, "fields": fields},
                             typed={name: _first(raw, name) for name in raw
                                    if name not in (CSRF_FIELD, "base_version")})
        return self.case(ref, token, problem={
            "message": message, "rule": first.get("rule"), "source": first.get("source"),
            "allowed": first.get("allowed")})

    def record(self, found: re.Match, query: Mapping[str, Sequence[str]],
               token: str) -> Reply | None:
        project = self.project()
        form = next((f for f in (project.forms if project else ()) if f.id ==
                     found.group("form")), None)
        lang = found.group("lang") or "en"
        if form is None or lang not in self.no_script.site.languages(form):
            return None
        mine = self.no_script.for_user(token)
        context = mine.site.record_context(form, lang)
        rel = f"forms/{form.id}/record.html"
        ident, version = _first(query, "id"), _first(query, "version")
        served: dict[str, Any]
        if not ident or (version and not re.fullmatch(r"[1-9]\d{0,8}", version)):
            served, status = {"problem": "not-found"}, 404
        else:
            url = "/v1/records/" + quote(ident, safe="") + (f"?version={version}"
                                                            if version else "")
            code, body = self.call("GET", url, token)
            if code == 401:
                return to_sign_in(lang, "/" + site_path(lang, rel) + "?id=" + quote(ident))
            if code == 200 and isinstance(body.get("record"), dict):
                record = body["record"]
                if record.get("form") != form.id:
                    return Reply(303, location="/" + site_path(
                        lang, f"forms/{quote(str(record.get('form')), safe='')}/record.html")
                        + "?" + urlencode({k: v for k, v in (("id", ident),
                                                             ("version", version)) if v}))
                served, status = self.record_view(record, body, context, token), 200
            else:
                served = {"problem": {403: "forbidden", 404: "not-found"}.get(code, "failed")}
                status = code if code in (403, 404) else 502
        page = mine.site.served("served_record.html", rel, self.no_script.csrf.token(token),
                                lang=lang, langs=self.no_script.site.languages(form),
                                served=served, **context)
        return Reply(status, page)

    def record_view(self, record: dict, answer: dict, context: dict,
                    token: str) -> dict[str, Any]:
        """record.js's page: the facts (with the record's case), the answers, the history
        (who by agency name) and the Change link."""
        versions = answer.get("versions") or []
        names = answer.get("agencies") if isinstance(answer.get("agencies"), dict) else {}
        q = context["questions"]
        w, said = q["words"], context["record_words"]
        latest = max([v.get("version") or 0 for v in versions] + [record.get("version") or 0])
        first = next((v for v in versions if v.get("version") == 1), record)
        facts = {"reference": record.get("id"),
                 "version": said["version_of"].replace("{version}", str(record.get("version")))
                 .replace("{count}", str(latest)),
                 "submitted": instant_words(first.get("created_at"), w),
                 "amended": instant_words(record.get("created_at"), w)
                 if (record.get("version") or 1) > 1 else None,
                 "reason": record.get("reason") if (record.get("version") or 1) > 1 else None,
                 "form_version": record.get("form_version"),
                 "case": answer.get("case") if isinstance(answer.get("case"), str) else None}
        older = (said["older_form_version"].replace("{recorded}", str(record.get("form_version")))
                 .replace("{current}", str(q.get("version")))
                 if record.get("form_version") != q.get("version") else None)
        history = [{"version": v.get("version"),
                    "rows": [(key, value) for key, value in (
                        ("when", instant_words(v.get("created_at"), w)),
                        ("by", ", ".join(str(x) for x in (
                            v.get("created_by"), names.get(v.get("agency")) or v.get("agency"))
                            if x)),
                        ("reason", (v.get("reason") or "") if (v.get("version") or 1) > 1
                         else "")) if value]}
                   for v in sorted(versions, key=lambda v: -(v.get("version") or 0))]
        change = None
        if record.get("version") == latest:
            code, forms = self.call("GET", "/v1/forms", token)
            mine = next((f for f in forms.get("forms") or () if isinstance(f, dict)
                         and f.get("id") == record.get("form")), None) if code == 200 else None
            if mine and mine.get("may_submit"):
                change = context["change_href"] + "?change=" + quote(str(record.get("id")),
                                                                     safe="")
        return {"facts": facts, "older": older, "history": history, "change": change,
                **record_sections(q, record.get("data") or {})}


def _try_again() -> str:
    """What a post without the session's CSRF token is told (a page from before a restart
    of the server, which draws a new key): nothing was done, try again."""
    return words("en").try_again


def _first(raw: Mapping[str, Sequence[str]], name: str) -> str:
    values = raw.get(name) or ()
    return values[0] if values else ""


__all__ = ["MARKER", "CasePages"]
