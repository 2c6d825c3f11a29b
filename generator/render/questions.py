"""The questions map: what static/summary.js needs to show stored answers as words.

One form in one language -> plain JSON-ready data: each page's address and title, each
field's question, type, choices (code -> label), parts and repeat children, and the words
the script uses around them (month names, "Change"). Pure: no I/O.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ..fields import FIELD_TYPES
from ..model import Field, Form, Text
from .views import rule_data

#: The parts of composite answers, in the order they are read, with their label's word.
PARTS = {
    "name": (("given_names", "given_names"), ("family_name", "family_name")),
    "address": (("line1", "line1"), ("line2", "line2"), ("town", "town"),
                ("county", "county"), ("postcode", "postcode")),
    "signature": (("name", "signer_name"), ("role", "signer_role"), ("date", "signed_date"),
                  ("confirmed", "i_confirm")),
}
#: The site's words summary.js shows (see render_text.py).
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
    """One field: its id, type and question; choices, parts or children when it has them."""
    out: dict[str, Any] = {"id": f.id, "type": f.type, "question": _text(f.label, lang) or f.id,
                           "show_if": rule_data(f.show_if)}
    if f.type in ("choice", "multichoice"):
        out["choices"] = {c.code: c.label.get(lang) for c in f.options.get("choices", ())}
    elif f.type == "yesno":
        labels = f.options.get("labels") or {}
        out["choices"] = {"true": _text(labels.get("yes"), lang) or t.yes,
                          "false": _text(labels.get("no"), lang) or t.no}
    elif f.type in PARTS:
        out["parts"] = [{"id": part, "label": getattr(t, word)} for part, word in PARTS[f.type]]
    elif f.type == "number" and f.options.get("unit") is not None:
        out["unit"] = f.options["unit"].get(lang)
    elif f.type == "repeat":
        item = _text(f.options.get("item_label"), lang)
        out["item_label"] = item[:1].upper() + item[1:] if item else out["question"]
        out["children"] = [question(child, lang, t) for child in f.children
                           if FIELD_TYPES[child.type].has_value]
    if f.type in ("attest", "signature") and f.options.get("statement") is not None:
        out["statement"] = f.options["statement"].get(lang)
    return out


def _text(value: Text | None, lang: str) -> str | None:
    return value.get(lang) if value is not None else None
