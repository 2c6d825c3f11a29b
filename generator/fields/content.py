"""The content type: text shown on the page (a warning, a notice); it stores no answer."""

from __future__ import annotations

from .base import FieldType, OptionSpec

CONTENT = FieldType(
    name="content",
    kind="none",
    schema=lambda f, ctx: {},
    messages={},
    options={"text": OptionSpec("text"), "style": OptionSpec("str", "warning")},
    macro="content",
    has_value=False,
    needs_label=False,
)
