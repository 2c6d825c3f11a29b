"""The questions map: what static/summary.js needs to show stored answers as words.

One form in one language -> plain JSON-ready data: each page's address and title, each
field's question, type, choices (code -> label), parts and repeat children, and the words
the script uses around them (month names, "Change"). How an answer is shown comes from its
type's registry entry: `show`, the kind of words summary.js shows it as (left out for plain
text), and the type's own `question_data`. Pure: no I/O.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ..fields import FIELD_TYPES
from ..model import Field, Form, Text
from .views import rule_data

#: The site's words summary.js shows (see render/text.py).
SUMMARY_WORDS = ("change", "not_answered", "months", "date_at_time", "signed_on", "confirmed",
                 "other_answers", "yes", "no")


def questions_map(form: Form, lang: str, t: SimpleNamespace,
                  base: str | None = None) -> dict[str, Any]:
    """The map for `form` in `lang`; `base` is the folder of its pages in that language
    (`/cy/forms/<id>`), `/forms/<id>` unless given."""
    base = base or f"/forms/{form.id}"
    return {
        "form": form.id,
        "version": form.version,
        "lang": lang,
        "title": form.title.get(lang),
        "words": {key: getattr(t, key) for key in SUMMARY_WORDS},
        "sections": [
            {"id": page.id, "title": page.title.get(lang), "href": f"{base}/{page.id}.html",
             "show_if": rule_data(page.show_if),
             "fields": [question(f, lang, t) for f in page.fields
                        if FIELD_TYPES[f.type].has_value]}
            for page in form.pages
        ],
    }


def question(f: Field, lang: str, t: SimpleNamespace) -> dict[str, Any]:
    """One field: its id, type and question; how it is shown, and its choices, parts, unit,
    statement or children when it has them."""
    ftype = FIELD_TYPES[f.type]
    out: dict[str, Any] = {"id": f.id, "type": f.type, "question": _text(f.label, lang) or f.id,
                           "show_if": rule_data(f.show_if)}
    if ftype.shown_as != "text":
        out["show"] = ftype.shown_as
    if ftype.question_data is not None:
        out.update(ftype.question_data(f, lang, t))
    if ftype.parts:
        out["parts"] = [{"id": part, "label": getattr(t, ftype.part_words.get(part, part))}
                        for part, _, _ in ftype.parts]
    for option in ("unit", "statement"):
        if option in ftype.options and f.options.get(option) is not None:
            out[option] = f.options[option].get(lang)
    if ftype.holds_items:
        out["children"] = [question(child, lang, t) for child in f.children
                           if FIELD_TYPES[child.type].has_value]
    return out


def _text(value: Text | None, lang: str) -> str | None:
    return value.get(lang) if value is not None else None
