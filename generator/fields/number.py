"""The number field type: whole or decimal numbers with an optional range and unit."""

from __future__ import annotations

from .base import FieldType, OptionSpec, with_limits
from .inputs import Inputs


def _schema(f, ctx):
    schema = {"type": "integer" if f.options.get("integer") else "number"}
    return with_limits(schema, f, {"min": "minimum", "max": "maximum"})


def _view(opts, t):
    """A numeric keypad, with a decimal point unless the number is whole."""
    return {"inputmode": "numeric" if opts.get("integer") else "decimal"}


NUMBER = FieldType(
    name="number",
    kind="number",
    schema=_schema,
    messages={
        "required": "Enter {label}",
        "type": "{Label} must be a number",
        "min": "{Label} must be {min} or more",
        "max": "{Label} must be {max} or less",
    },
    options={
        "min": OptionSpec("number"),
        "max": OptionSpec("number"),
        "integer": OptionSpec("bool", False),
        "unit": OptionSpec("text"),
        "width": OptionSpec("width"),
    },
    macro="number",
    input_type="text",  # GOV.UK avoids type="number"; `inputmode` brings the keypad
    width=5,
    view_options=_view,
    inputs=Inputs("number"),
    shown_as="number",
)
