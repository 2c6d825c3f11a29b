"""A question page posted without JavaScript (see nojs.py): its answers read and merged
with the other pages', checked, and what to answer: the next page, the same page with its
errors, or the form sent to the API and the confirmation page. Nothing is kept on the
server between posts: the answers travel in the page. No sockets or files here.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from generator.fields.posted import Raw, read_fields, write_fields
from generator.model import Field, Form, Page
from generator.render.site import Site, site_path
from generator.render.text import words
from generator.render.views import Confirm, Filled, Posted, rule_data

from .csrf import FIELD as CSRF_FIELD
from .csrf import CsrfTokens
from .replies import CLEARED, Reply, to_sign_in


class Pages(Protocol):
    """What a question page's post needs from the no-JavaScript flow (nojs.NoScript):
    named here so this module does not import the flow that uses it."""

    site: Site
    csrf: CsrfTokens

    def new_key(self) -> str: ...
    def validate(self, form_id: str, data: dict, lang: str) -> list[dict]: ...
    def holds(self, expr: Any, data: dict, item: dict | None = None) -> bool: ...
    def call(self, method: str, path: str, headers: Mapping[str, str],
             body: Any) -> tuple[int, dict]: ...

#: A case reference in ?case= (our ids: letters, digits and hyphens).
_CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
#: Reasons for going ahead with warnings are posted as `_confirmations[<rule id>]`.
REASON = re.compile(r"^_confirmations\[([A-Za-z0-9_-]{1,40})\]$")




class FormPost:
    """One post of a question page: its answers read, checked, and the page to show next."""

    def __init__(self, flow: Pages, form: Form, lang: str, token: str, raw: Raw,
                 case: str | None = None):
        self.flow, self.form, self.lang, self.token, self.raw = flow, form, lang, token, raw
        self.t = words(lang)
        kept = _json_object(_first(raw, "_answers"))
        known = {f.id for p in form.pages for f in p.fields}
        # the case the form started from and the field holding its reference, which is
        # shown read-only and kept whatever is posted in it (prefill.js fixes it so too)
        self.case, self.case_field = _first(raw, "_case"), _first(raw, "_case_field")
        if case and "_answers" not in raw:   # the first page shown or posted, ?case=<ref>
            kept, self.case_field = self.from_case(case)
            self.case = case if self.case_field else ""
        if not (_CASE_REF.match(self.case) and self.case_field in known):
            self.case, self.case_field = "", ""
        self.kept = {k: v for k, v in kept.items() if k in known}
        key = _first(raw, "_key")
        self.key = key if _is_uuid(key) else flow.new_key()
        self.reasons = {m.group(1): values[0].strip() for name, values in raw.items()
                        if (m := REASON.match(name)) and values}
        # Sending needs the session's CSRF token; moving between pages does not, as it
        # shows only what was posted and keeps nothing. Every page answered carries it.
        self.csrf = flow.csrf.token(token)
        self.csrf_ok = flow.csrf.valid(token, _first(raw, CSRF_FIELD))

    def from_case(self, case: str) -> tuple[dict, str]:
        """The answers a form started from a case begins with (GET .../prefill?case=, as
        static/prefill.js asks), carried from the first page on like any other answer, and
        the field holding the case reference ("" when the case cannot be read)."""
        if not _CASE_REF.match(case):
            return {}, ""
        status, body = self.flow.call(
            "GET", f"/v1/forms/{self.form.id}/prefill?case={case}",
            {"Authorization": f"Bearer {self.token}"}, None)
        answers = body.get("answers") if status == 200 else None
        field = body.get("case_field") if status == 200 else None
        return (dict(answers) if isinstance(answers, dict) else {},
                field if isinstance(field, str) else "")

    def first_view(self, index: int) -> Reply:
        """Page `index` as first shown, filled from the case (a GET with ?case=)."""
        return self.show(index, dict(self.kept))

    def answer(self, index: int) -> Reply:
        page = self.form.pages[index]
        own = {f.id for f in page.fields}
        others = {k: v for k, v in self.kept.items() if k not in own}
        answers = {**others, **self.read(page, self.raw, others)}
        if self.case:
            answers[self.case_field] = self.case
        resume = bool(_first(self.raw, "_resume"))
        if _first(self.raw, "_back"):
            before = self.applying(answers, range(index - 1, -1, -1))
            if before is None:
                return Reply(303, location=self.href("index.html"))
            return self.show(before, answers)
        added = _first(self.raw, "_add")
        if added:
            return self.show(index, answers, raw=self.raw, add=added, resume=resume)
        errors = self.on_page(page, self.flow.validate(self.form.id, self.applicable(answers),
                                                       self.lang))
        if errors:
            return self.show(index, answers, raw=self.raw, errors=errors, resume=resume)
        following = self.applying(answers, range(index + 1, len(self.form.pages)))
        if (following is None or resume) and not self.csrf_ok:
            # a page without the token (the static page, or one shown before a restart):
            # nothing sent; the same page, with the token, sends the form when posted
            return self.show(index, answers, raw=self.raw, resume=True,
                             problems=[(None, self.t.send_again)])
        if following is None or resume:
            return self.submit(index, answers)
        return self.show(following, answers)

    # --- reading and checking -------------------------------------------------------------

    def read(self, page: Page, raw: Raw, others: dict) -> dict:
        """The page's answers, less those of questions whose condition does not hold (as
        answers.js reveals them: again until nothing changes)."""
        hidden: set[str] = set()
        data: dict = {}
        for _ in range(6):
            seen = {**others, **data}

            def shown(f: Field, item: dict | None, seen=seen, hidden=hidden) -> bool:
                if item is None:
                    return f.id not in hidden
                return self.flow.holds(f.show_if, seen, item)
            now = read_fields(page.fields, raw, shown=shown)
            now_hidden = {f.id for f in page.fields
                          if not self.flow.holds(f.show_if, {**others, **now})}
            if now == data and now_hidden == hidden:
                break
            data, hidden = now, now_hidden
        return data

    def applicable(self, answers: dict) -> dict:
        """The submission: every answer, less those on pages or of fields that do not apply
        (answers.js `submission`)."""
        data = dict(answers)
        for _ in range(10):
            removed = False
            for page in self.form.pages:
                applies = self.flow.holds(page.show_if, data)
                for f in page.fields:
                    if f.id in data and (not applies or not self.flow.holds(f.show_if, data)):
                        del data[f.id]
                        removed = True
            if not removed:
                break
        return data

    def applying(self, answers: dict, indexes: Iterable[int]) -> int | None:
        """The first of `indexes` whose page applies; a page `asked: later` is asked only
        when a stored record is changed, which needs the page script."""
        data = self.applicable(answers)
        return next((i for i in indexes if self.form.pages[i].asked != "later"
                     and self.flow.holds(self.form.pages[i].show_if, data)), None)

    def on_page(self, page: Page, errors: list[dict]) -> list[dict]:
        """The errors of `page`'s fields, in the page's order."""
        order = {f.id: n for n, f in enumerate(page.fields)}
        mine = [e for e in errors if _segments(e.get("field"))[:1]
                and _segments(e["field"])[0] in order]
        return sorted(mine, key=lambda e: (order[_segments(e["field"])[0]], e["field"]))

    def page_of(self, error: dict) -> int | None:
        top = (_segments(error.get("field")) or [None])[0]
        return next((i for i, p in enumerate(self.form.pages)
                     if any(f.id == top for f in p.fields)), None)

    # --- sending --------------------------------------------------------------------------

    def submit(self, index: int, answers: dict) -> Reply:
        data = self.applicable(answers)
        sent = {**data, "_confirmations": self.reasons} if self.reasons else data
        status, body = self.flow.call(
            "POST", f"/v1/forms/{self.form.id}/submissions",
            {"Authorization": f"Bearer {self.token}", "Idempotency-Key": self.key}, sent)
        if status == 201:
            record = body.get("record") or {}
            warnings = [w.get("message") for w in body.get("warnings") or () if w.get("message")]
            return Reply(200, self.flow.site.done(self.form, self.lang, str(record.get("id")),
                                                  warnings, csrf=self.csrf))
        if status == 401:
            reply = to_sign_in(self.lang, self.href(f"{self.form.pages[index].id}.html"))
            return Reply(reply.status, location=reply.location, cookie=CLEARED)
        if status == 422 and body.get("error") == "invalid":
            return self.refused(index, answers, data, body.get("errors") or [])
        if status == 422 and body.get("error") == "confirmation_required":
            return self.confirm(index, answers, body.get("errors") or [])
        if body.get("error") == "idempotency_key_reused":
            self.key = self.flow.new_key()
            message = self.t.key_reused
        else:
            message = body.get("message") if status == 403 else None
        return self.show(index, answers, raw=self.raw,
                         problems=[(None, message or self.t.not_sent)])

    def refused(self, index: int, answers: dict, data: dict, errors: list[dict]) -> Reply:
        """The API refused the answers: show the page of the first error, its errors beside
        the fields and every error in the summary; once it is right, send again."""
        if self.lang != "en":  # the API answers in English; the same checks name them here
            local = {(e["field"], e["code"]): e.get("message")
                     for e in self.flow.validate(self.form.id, data, self.lang)}
            errors = [{**e, "message": local.get((e.get("field"), e.get("code")))
                       or e.get("message")} for e in errors]
        ranked = sorted(errors, key=lambda e: (
            self.page_of(e) if self.page_of(e) is not None else len(self.form.pages),
            _rank_on_page(self.form, e)))
        target = next((self.page_of(e) for e in ranked if self.page_of(e) is not None), index)
        return self.show(target, answers, errors=ranked, resume=True)

    def confirm(self, index: int, answers: dict, warnings: list[dict]) -> Reply:
        """The API wants a reason for each warning: the page of the first, with a box for
        each reason (and an error for one posted blank); posting it sends the form again."""
        boxes: dict[str, Confirm] = {}
        for w in warnings:
            rule = str(w.get("code") or "")
            if not REASON.match(f"_confirmations[{rule}]") or rule in boxes:
                continue
            blank = rule in self.reasons   # asked before, and sent without a reason
            boxes[rule] = Confirm(rule, w.get("message") or self.t.check_answer,
                                  "; ".join(str(s) for s in w.get("source") or ()),
                                  self.reasons.get(rule, ""),
                                  self.t.confirm_missing if blank else None)
        target = next((self.page_of(w) for w in warnings if self.page_of(w) is not None), index)
        # a warning is a warning (page.html's banner) until it is sent without a reason:
        # only then is it an error, in the summary and beside its box
        problems = [(c.id, f"{self.t.confirm_missing}: {c.message}") for c in boxes.values()
                    if c.error]
        return self.show(target, answers, problems=problems, resume=True,
                         confirm=tuple(boxes.values()))

    # --- showing a page -------------------------------------------------------------------

    def show(self, index: int, answers: dict, *, raw: Raw | None = None,
             errors: Sequence[dict] = (), problems: Sequence[tuple[str | None, str]] = (),
             add: str | None = None, resume: bool = False,
             confirm: tuple[Confirm, ...] = ()) -> Reply:
        """Page `index` with `answers` (or the inputs as posted, `raw`) filled in, `errors`
        beside its fields and in the summary, and the other answers in hidden inputs."""
        page = self.form.pages[index]
        own = {f.id for f in page.fields}
        if raw is None:
            raw = write_fields(page.fields, answers)
        others = {k: v for k, v in answers.items() if k not in own}
        listed = list(problems) + [(_element_id(e.get("field")),
                                    e.get("message") or self.t.check_answer) for e in errors]
        # beside the field, a rule's error also says where the rule comes from
        beside = list(problems) + [(_element_id(e.get("field")), _with_source(
            e.get("message") or self.t.check_answer, e.get("source"), self.t.source))
            for e in errors]
        inline = {eid: message for eid, message in reversed(beside)
                  if eid and _segments_of_id(eid, own)}
        filled = Filled(raw=raw, errors=inline, hidden=self.decided_hidden(page, others),
                        add=add, error_word=self.t.error,
                        fixed=frozenset({self.case_field} & own))
        posted = Posted(filled=filled, problems=tuple(_unique(listed)),
                        answers=json.dumps(others, ensure_ascii=False, sort_keys=True),
                        key=self.key, resume=resume,
                        last=resume or self.applying(
                            answers, range(index + 1, len(self.form.pages))) is None,
                        back=self.applying(answers, range(index - 1, -1, -1)) is not None,
                        confirm=confirm, csrf=self.csrf, case=self.case,
                        case_field=self.case_field)
        return Reply(200, self.flow.site.page(self.form, index, self.lang, posted))

    def decided_hidden(self, page: Page, others: dict) -> frozenset[str]:
        """Questions whose condition reads only other pages' answers and does not hold: the
        server can leave them hidden (the others stay shown, as without JavaScript)."""
        own = {f.id for f in page.fields}
        data = self.applicable(others)
        return frozenset(f.id for f in page.fields if f.show_if is not None
                         and not (_reads(rule_data(f.show_if)) & own)
                         and not self.flow.holds(f.show_if, data))

    def href(self, rel: str) -> str:
        return "/" + site_path(self.lang, f"forms/{self.form.id}/{rel}")


def _first(raw: Mapping[str, Sequence[str]], name: str) -> str:
    values = raw.get(name) or ()
    return values[0] if values else ""


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def _segments(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        return []
    return [s.replace("~1", "/").replace("~0", "~") for s in pointer.split("/")[1:]]


def _element_id(pointer: Any) -> str | None:
    """`/offences/0/offence_date` -> `offences-0-offence_date`, as the page script names it."""
    return "-".join(_segments(pointer)) or None


def _with_source(message: str, source: Any, word: str) -> str:
    """A rule's message with its citations ("document section"), as the API gives them."""
    if not isinstance(source, list) or not source:
        return message
    return f"{message} ({word}: {'; '.join(str(s) for s in source)})"


def _segments_of_id(element_id: str, own: set[str]) -> bool:
    return any(element_id == f or element_id.startswith(f + "-") for f in own)


def _unique(items: Iterable[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """One summary line per field (the first message), and no line twice."""
    seen: set = set()
    out = []
    for element_id, message in items:
        key = element_id or message
        if key not in seen:
            seen.add(key)
            out.append((element_id, message))
    return out


def _rank_on_page(form: Form, error: dict) -> int:
    top = (_segments(error.get("field")) or [""])[0]
    for page in form.pages:
        for n, f in enumerate(page.fields):
            if f.id == top:
                return n
    return 0


def _reads(rule: Any) -> set[str]:
    """The first segment of every field name a rule reads."""
    names: set[str] = set()
    stack = [rule]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("field"), str):
                names.add(node["field"].split(".")[0])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names
