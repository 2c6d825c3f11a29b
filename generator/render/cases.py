"""What the case page (cases/case.html, static/case.js) knows of the process before it reads a
case: state labels, form titles, the questions of the forms a case holds, the facts' words
and code labels, and the titles of the documents its rules cite. Never a case: the page
reads that from the API with the signed-in token.

Pure: the process and forms in, plain JSON-ready data out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..fields import FIELD_TYPES
from ..model import Field, Form
from ..process.case import facts_json
from .questions import SUMMARY_WORDS, question
from .text import CASE_WORDS, words

CASES_INDEX = "cases/index.html"
CASE_PAGE = "cases/case.html"


def case_page_data(process: Any, forms: Iterable[Form],
                   documents: Mapping[str, str]) -> dict[str, Any]:
    """The case page's map of `process` (generator/process.Process) in English."""
    by_id = {f.id: f for f in sorted(forms, key=lambda f: f.id)}
    held = {process.opened_by, *(link.form for link in process.links)}
    t = words("en")
    cited = {s.document for t_ in process.transitions for s in t_.sources}
    cited |= {s.document for t_ in process.transitions if t_.guard for s in t_.guard.sources}
    return {
        "title": process.title.get("en"),
        "words": {key: getattr(t, key) for key in SUMMARY_WORDS},   # for summary.js
        "states": {s.id: s.label.get("en") for s in process.states},
        "forms": {f.id: {"title": f.title.get("en"),
                         "record": f"/forms/{f.id}/record.html",
                         **({"fields": _fields(f, t)} if f.id in held else {})}
                  for f in by_id.values()},
        "facts": [_fact(fact, by_id) for fact in facts_json(process.facts)],
        "documents": {d: documents[d] for d in sorted(cited) if d in documents},
    }


def _fields(form: Form, t) -> list[dict[str, Any]]:
    """The form's questions in page order, as summary.js reads a list of them (conditions
    left out: the page shows only the answers the API returned)."""
    return [_without_conditions(question(f, "en", t)) for f in form.fields()
            if FIELD_TYPES[f.type].has_value]


def _without_conditions(q: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in q.items() if k != "show_if"}
    if "children" in out:
        out["children"] = [_without_conditions(c) for c in out["children"]]
    return out


def _fact(fact: Mapping[str, Any], forms: Mapping[str, Form]) -> dict[str, Any]:
    """A fact's id, type and words; a code fact taken straight from a choice field also
    gets that field's labels."""
    label = CASE_WORDS["facts"].get(fact["id"]) or fact["id"].replace("_", " ").capitalize()
    out: dict[str, Any] = {"id": fact["id"], "type": fact["type"], "label": label}
    if fact["type"] == "code":
        for source in fact["from"]:
            field = _field(forms.get(source["form"]), source["value"])
            if field is not None and field.options.get("choices"):
                out["choices"] = {c.code: c.label.get("en") for c in field.options["choices"]}
                break
    return out


def _field(form: Form | None, value: Any) -> Field | None:
    """The field a fact's value names when it is just a field (`{"field": id}`)."""
    if form is None or not isinstance(value, dict) or set(value) != {"field"}:
        return None
    return next((f for f in form.walk() if f.id == value["field"]), None)
