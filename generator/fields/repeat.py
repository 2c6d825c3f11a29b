"""The repeating group: a list of items, each with the same fields (drugs used, offences)."""

from __future__ import annotations

from .base import FieldType, OptionSpec
from .inputs import ITEMS


def _schema(f, ctx):
    items = ctx.property_schema(f) if ctx.property_schema else {}
    schema = {"type": "array", "items": items}
    schema["minItems"] = max(1, f.options.get("min_items") or 1)
    if f.options.get("max_items") is not None:
        schema["maxItems"] = f.options["max_items"]
    return schema


def _view(opts, t):
    """An item's heading ("Offence 1") and the "Add another offence" button's words."""
    item = opts.get("item_label") or t.item
    lowered = item[:1].lower() + item[1:] if item[1:2].islower() else item
    return {"item_label": item[:1].upper() + item[1:],
            "add_label": t.add_another.format(item=lowered)}


def _question(f, lang, t):
    """An item's heading in a summary: the item label, else the group's question."""
    item = f.options["item_label"].get(lang) if f.options.get("item_label") is not None else None
    question = (f.label.get(lang) if f.label is not None else None) or f.id
    return {"item_label": item[:1].upper() + item[1:] if item else question}


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
    view_options=_view,
    inputs=ITEMS,
    shown_as="items",
    question_data=_question,
)
