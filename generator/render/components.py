"""GOV.UK Frontend components through govuk-frontend-jinja, remembered by their shape.

A component's HTML depends on its parameters' shape (which keys, how many items, which
flags) and copies its text values in. So each distinct text is swapped for a token, the
macro renders the tokened shape once, and later calls of the same shape fill the tokens
with the escaped texts. The output is byte-identical to calling the macro directly
(tests/unit/test_components.py checks every page of the DIP set both ways); it only skips
re-running the macro's logic for every field. Texts that a macro might reshape (leading or
trailing spaces, line breaks) are kept in the shape instead of being tokened. The cache's
key is built in the same pass as the shape (no JSON of it), keeps the parameters' order and
each value's type, and the kept HTML is split at its tokens once, so a call is a join.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

#: macro name -> its template under govuk_frontend_jinja/components/
COMPONENTS = {
    "govukInput": "input", "govukRadios": "radios", "govukCheckboxes": "checkboxes",
    "govukSelect": "select", "govukDateInput": "date-input", "govukTextarea": "textarea",
    "govukCharacterCount": "character-count", "govukHint": "hint", "govukDetails": "details",
    "govukInsetText": "inset-text", "govukWarningText": "warning-text",
    "govukFieldset": "fieldset", "govukLabel": "label", "govukButton": "button",
    "govukBackLink": "back-link", "govukErrorMessage": "error-message",
    "govukTaskList": "task-list", "govukSkipLink": "skip-link",
    "govukGenericHeader": "generic-header", "govukErrorSummary": "error-summary",
    "govukServiceNavigation": "service-navigation", "govukPanel": "panel",
    "govukPasswordInput": "password-input", "govukPhaseBanner": "phase-banner",
}
_TOKEN = re.compile(r"(Qdf[TM]\d+Q)")   # split() keeps the tokens at the odd places
_RESHAPED = re.compile(r"^\s|\s$|[\n\r\t]|Qdf[TM]")


class ComponentCache:
    """Renders `govukX(params)`; one instance per Environment (it caches macro output)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.shapes: dict[tuple, list[str]] = {}
        self.calls = 0
        self.renders = 0

    def __call__(self, name: str, params: dict[str, Any]) -> Markup:
        self.calls += 1
        texts: dict[tuple[bool, str], str] = {}
        shape, key = _shape(params, texts)
        parts = self.shapes.get((name, key))
        if parts is None:
            self.renders += 1
            parts = _TOKEN.split(str(self.macro(name)(shape)))
            self.shapes[(name, key)] = parts
        if len(parts) == 1:
            return Markup(parts[0])
        fills = {token: (value if is_markup else str(escape(value)))
                 for (is_markup, value), token in texts.items()}
        out = parts.copy()
        for i in range(1, len(out), 2):
            out[i] = fills[out[i]]
        return Markup("".join(out))

    def macro(self, name: str):
        module = self.env.get_template(
            f"govuk_frontend_jinja/components/{COMPONENTS[name]}/macro.html").module
        return getattr(module, name)


def _shape(value: Any, texts: dict[tuple[bool, str], str]) -> tuple[Any, Any]:
    """(the tokened shape the macro is given, a key equal only for equal shapes): keys in
    their order (attributes are written in it), every value with its type (True is not 1,
    a Markup not a str). Plain str and dict are tested first: they are most of it."""
    kind = type(value)
    if kind is str or kind is Markup:
        is_markup = kind is Markup
        if value and not _RESHAPED.search(value):
            token = texts.setdefault((is_markup, str(value)),
                                     f"Qdf{'M' if is_markup else 'T'}{len(texts)}Q")
            return (Markup(token) if is_markup else token), ("t", token)
        return value, ("m" if is_markup else "s", str(value))
    if kind is dict or isinstance(value, dict):
        shape, key = {}, []
        for k, v in value.items():
            shape[k], part = _shape(v, texts)
            key.append((k, part))
        return shape, ("d", tuple(key))
    if isinstance(value, list | tuple):
        pairs = [_shape(v, texts) for v in value]
        return [s for s, _ in pairs], ("l", tuple(k for _, k in pairs))
    if isinstance(value, str):   # another str subclass: as text, kept apart by its type
        if value and not _RESHAPED.search(value):
            is_markup = isinstance(value, Markup)
            token = texts.setdefault((is_markup, str(value)),
                                     f"Qdf{'M' if is_markup else 'T'}{len(texts)}Q")
            return (Markup(token) if is_markup else token), ("t", token)
        return value, (kind, str(value))
    if value is None or kind is bool or kind is int:
        return value, (kind, value)
    return value, (kind, repr(value))   # floats too: nan is not equal to itself


class Fragments:
    """`{% call once(name, *key) %}...{% endcall %}`: the body is rendered the first time
    a name and key are seen and its HTML reused after, for the parts of a page that are
    the same on many pages (the header and footer, the page scripts). The key must hold
    everything the body reads: tests/unit/test_components.py renders every page with and
    without this and compares the bytes. `when=False` renders the body without keeping
    it (pages for one signed-in user, whose CSRF token would only fill the cache)."""

    def __init__(self) -> None:
        self.kept: dict[tuple, Markup] = {}
        self.calls = 0

    def __call__(self, name: str, *key: Any, caller, when: bool = True) -> Markup:
        self.calls += 1
        if not when:
            return Markup(caller())
        html = self.kept.get((name, *key))
        if html is None:
            html = self.kept[(name, *key)] = Markup(caller())
        return html
