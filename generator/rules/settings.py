"""Protocol settings in rules: `setting('min_gap_s2_s3_days')` in a rule's `when` and
`check`, and `{min_gap_s2_s3_days}` in its message.

The build puts each setting's value from forms/protocol.yaml into the compiled rule (as
`{"lit": 3, "setting": "min_gap_s2_s3_days"}`) and into the message, so the schema, the
pages and the API all see one value, and changing the YAML and rebuilding changes what
they do. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ..diagnostics import Diagnostic, did_you_mean
from ..model import Text
from .syntax import Ast, Call, Literal, children

#: The function that reads a setting; it is not in FUNCTIONS because the evaluators never
#: see it: the build replaces it with the setting's value.
SETTING = "setting"
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
#: A setting's value -> its kind in expressions (other values cannot be used there).
_KINDS = (
    (bool, "boolean"),
    (int, "number"),
    (float, "number"),
    (str, "string"),
)

Settings = Mapping[str, object]


def value_kind(value: object) -> str | None:
    """'number', 'string' or 'boolean'; None for a list or mapping."""
    return next((kind for cls, kind in _KINDS if isinstance(value, cls)), None)


def setting_name(node: Ast) -> str | None:
    """The name in `setting('name')`, or None if `node` is not such a call."""
    if isinstance(node, Call) and node.name == SETTING and len(node.args) == 1:
        arg = node.args[0]
        if isinstance(arg, Literal) and isinstance(arg.value, str):
            return arg.value
    return None


def settings_read(ast: Ast | None) -> list[str]:
    """The settings an expression reads, in order, each once."""
    found: list[str] = []
    for node in _walk(ast):
        name = setting_name(node)
        if name is not None and name not in found:
            found.append(name)
    return found


def _walk(ast: Ast | None) -> Iterator[Ast]:
    stack = [ast] if ast is not None else []
    while stack:
        node = stack.pop(0)
        yield node
        stack[:0] = children(node)


def shown(value: object) -> str:
    """A setting's value as a message shows it: 3, not 3.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fill(text: str, settings: Settings) -> str:
    """The message with each `{name}` replaced by the setting's value (unknown ones kept)."""
    return PLACEHOLDER.sub(
        lambda m: shown(settings[m.group(1)]) if m.group(1) in settings else m.group(0), text)


def fill_text(text: Text, settings: Settings) -> Text:
    return Text(fill(text.en, settings), fill(text.cy, settings) if text.cy else None,
                text.span)


def placeholders(text: Text) -> list[str]:
    """Every `{name}` in the English and Welsh text, each once."""
    names: list[str] = []
    for part in (text.en, text.cy or ""):
        for name in PLACEHOLDER.findall(part):
            if name not in names:
                names.append(name)
    return names


def check_message(text: Text, settings: Settings, what: str) -> list[Diagnostic]:
    """E008 for a `{name}` that is not a setting, or a setting a message cannot show."""
    out = []
    for name in placeholders(text):
        if name not in settings:
            hint = did_you_mean(name, settings) or "add it under settings: in forms/protocol.yaml"
            out.append(Diagnostic(text.span, "E008", f"{what} names an unknown setting "
                                  f"'{{{name}}}'", hint))
        elif value_kind(settings[name]) is None:
            out.append(Diagnostic(text.span, "E008", f"{what} shows the setting '{name}', "
                                  "which is not a number, text or true/false"))
    return out
