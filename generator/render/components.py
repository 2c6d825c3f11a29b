"""GOV.UK Frontend components through govuk-frontend-jinja, remembered by their shape.

A component's HTML depends on its parameters' shape (which keys, how many items, which
flags) and copies its text values in. So each distinct text is swapped for a token, the
macro renders the tokened shape once, and later calls of the same shape fill the tokens
with the escaped texts. The output is byte-identical to calling the macro directly
(tests/unit/test_components.py checks every page of the DIP set both ways); it only skips
re-running the macro's logic for every field. Texts that a macro might reshape (leading or
trailing spaces, line breaks) are kept in the shape instead of being tokened.
"""

from __future__ import annotations

import json
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
_TOKEN = re.compile(r"Qdf[TM]\d+Q")
_RESHAPED = re.compile(r"^\s|\s$|[\n\r\t]|Qdf[TM]")


class ComponentCache:
    """Renders `govukX(params)`; one instance per Environment (it caches macro output)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.shapes: dict[str, str] = {}
        self.calls = 0
        self.renders = 0

    def __call__(self, name: str, params: dict[str, Any]) -> Markup:
        self.calls += 1
        texts: dict[tuple[bool, str], str] = {}
        shape = _shape(params, texts)
        key = name + json.dumps(shape, sort_keys=True, default=_json_default)
        html = self.shapes.get(key)
        if html is None:
            self.renders += 1
            html = str(self.macro(name)(shape))
            self.shapes[key] = html
        fills = {token: (value if is_markup else str(escape(value)))
                 for (is_markup, value), token in texts.items()}
        return Markup(_TOKEN.sub(lambda m: fills[m.group(0)], html))

    def macro(self, name: str):
        module = self.env.get_template(
            f"govuk_frontend_jinja/components/{COMPONENTS[name]}/macro.html").module
        return getattr(module, name)


def _shape(value: Any, texts: dict[tuple[bool, str], str]) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v, texts) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shape(v, texts) for v in value]
    if isinstance(value, str) and value and not _RESHAPED.search(value):
        key = (isinstance(value, Markup), str(value))
        token = texts.setdefault(key, f"Qdf{'M' if key[0] else 'T'}{len(texts)}Q")
        return Markup(token) if key[0] else token
    return value


def _json_default(value: Any) -> Any:
    return repr(value)


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
