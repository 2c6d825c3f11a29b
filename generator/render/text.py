"""The site's own words (buttons, part labels, instructions) in English and Welsh.

Form text comes from the YAML; these are the words around it. The words themselves are
data a translator edits, in generator/texts/: `en.yaml`, `cy.yaml` (the same keys), the
case pages' `cases.yaml` and `cases_cy.yaml` (the same keys, and the Welsh of the process's
labels), and the English-only DAT view's `dashboard.yaml`.

They are read once, at import, as package data (importlib.resources), like a constant
written in Python: the files ship inside the `generator` package, never change while it
runs and do not depend on the machine, so `words(lang)` stays a pure function of its
argument. This is the one reading of files outside generator/edges/ and the layer test
(tests/unit/test_layers.py, PACKAGE_DATA) allows it here alone. Loading them in the edges
and handing them in instead would thread the words through every caller of `words` (the
page server's too) for no gain in honesty.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from types import SimpleNamespace
from typing import Any

from ..parse.load import load_yaml
from ..spans import plain

LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}
#: Welsh has six plural forms; GOV.UK Frontend's scripts look each one up.
CY_PLURALS = ("zero", "one", "two", "few", "many", "other")
#: The folder of the words, inside the generator package.
TEXTS = "texts"


def read_texts(name: str) -> dict[str, Any]:
    """generator/texts/<name>.yaml as plain data; a file that does not read is a bug."""
    path = f"generator/{TEXTS}/{name}.yaml"
    source = resources.files("generator").joinpath(TEXTS, f"{name}.yaml")
    node, problems = load_yaml(source.read_text(encoding="utf-8"), path)
    if node is None or problems:
        raise ValueError("; ".join(str(p) for p in problems) or f"{path}: not read")
    data = plain(node)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the words must be a mapping of key: text")
    return data


def _sharing(words_: dict[str, Any], site: dict[str, Any], keys: tuple[str, ...]) -> dict:
    """`words_` with its script's `keys` taken from the site's words (kept once, in en.yaml)."""
    return {**words_, "script": {**words_["script"], **{k: site[k] for k in keys}}}


WORDS = {lang: read_texts(lang) for lang in LANGUAGE_NAMES}
#: The words the page script (static/dipforms.js) shows, handed to it as JSON (`t.script`).
SCRIPT_WORDS = ("problem", "error", "sign_in", "sign_out", "enter_user", "enter_password",
                "sign_in_failed", "too_many_attempts", "check_answer", "check_answers",
                "continue_button", "not_sent", "key_reused", "try_again", "answers_kept",
                "draft_key_failed", "queued_title", "queued_text", "queue_waiting",
                "queue_sent", "queue_refused", "status_completed", "status_in_progress",
                "status_not_needed", "not_started", "confirm_title", "confirm_lead",
                "confirm_reason", "confirm_missing", "source", "warning")
#: The words session.js shows for orientation (issue 16, P3): "Signed in as".
ORIENTATION_SCRIPT_WORDS = ("signed_in_as",)


def words(lang: str) -> SimpleNamespace:
    """The site's words in `lang`, as attributes (`t.back` in a template)."""
    chosen = WORDS[lang]
    return SimpleNamespace(**chosen, script={k: chosen[k] for k in
                                             SCRIPT_WORDS + ORIENTATION_SCRIPT_WORDS})


#: The DAT view (admin/dashboard.html, static/dashboard.js), in English only; `script` holds
#: what dashboard.js shows.
DASHBOARD_WORDS = _sharing(read_texts("dashboard"), WORDS["en"], ("months", "date_at_time"))

#: The site's words the case pages' scripts repeat (kept once, in en.yaml and cy.yaml).
_CASE_SHARED = ("error", "yes", "no", "source", "months", "date_at_time")
#: The case pages' words (cases/*.html and their scripts) by language: `facts` names the
#: facts a case keeps, `script` holds what case.js shows; the Welsh also has `process`, the
#: Welsh of forms/process.yaml's labels by id (the English pages take process.yaml's own).
CASE_TEXTS = {"en": "cases", "cy": "cases_cy"}


@cache
def case_words(lang: str) -> dict[str, Any]:
    """The case pages' words in `lang` (the Cases list, Due, one case, the step and action
    pages), for the static pages and for pages the server renders (web/). Read on first
    use, the same every time after: a build without a process never reads them (more than
    half of the words' text; generator/README.md: Build speed)."""
    return _sharing(read_texts(CASE_TEXTS[lang]), WORDS[lang], _CASE_SHARED)


def __getattr__(name: str) -> Any:
    """CASE_WORDS, the case pages' words in English: case_words("en"), read on first use."""
    if name == "CASE_WORDS":
        return case_words("en")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def switch_label(to_lang: str) -> str:
    """What a link to `to_lang` says to a screen reader, in the language it leads to."""
    return WORDS[to_lang]["change_language"]
