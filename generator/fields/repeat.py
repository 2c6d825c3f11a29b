"""The repeating group: a list of items, each with the same fields (drugs used, offences)."""

from __future__ import annotations

from .base import FieldType, OptionSpec


def _schema(f, ctx):
    items = ctx.property_schema(f) if ctx.property_schema else {}
    schema = {"type": "array", "items": items}
    schema["minItems"] = max(1, f.options.get("min_items") or 1)
    if f.options.get("max_items") is not None:
        schema["maxItems"] = f.options["max_items"]
    return schema


REPEAT = FieldType(
    name="repeat",
    kind="items",
    schema=_schema,
    messages={
        "required": "Add at least one {item}",
        "min_items": "Add at least {min_items} {item}s",
        "max_items": "You can add up to {max_items} {item}s",
    },
    options={
        "fields": OptionSpec("fields"),
        "min_items": OptionSpec("int"),
        "max_items": OptionSpec("int"),
        "item_label": OptionSpec("text"),
    },
    macro="repeat",
)
