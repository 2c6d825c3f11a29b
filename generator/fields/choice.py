"""Choice field types: yes/no, single choice (radios or select), multiple choice."""

from __future__ import annotations

from .base import FieldType, OptionSpec


def _multi(f, ctx):
    schema = {"type": "array", "items": ctx.choice_schema(f), "uniqueItems": True}
    schema["minItems"] = max(1, f.options.get("min_items") or 1)
    if f.options.get("max_items") is not None:
        schema["maxItems"] = f.options["max_items"]
    return schema


_CHOICES = {"codelist": OptionSpec("codelist"), "options": OptionSpec("options")}

YESNO = FieldType(
    name="yesno",
    kind="boolean",
    schema=lambda f, ctx: {"type": "boolean"},
    messages={"required": "Select yes or no", "type": "Select yes or no"},
    options={"labels": OptionSpec("yesno_labels")},
    macro="yesno",
)

CHOICE = FieldType(
    name="choice",
    kind="code",
    schema=lambda f, ctx: ctx.choice_schema(f),
    messages={"required": "Select {label}", "enum": "Select {label} from the list"},
    options={**_CHOICES, "widget": OptionSpec("widget", "radios")},
    macro="choice",
)

MULTICHOICE = FieldType(
    name="multichoice",
    kind="codes",
    schema=_multi,
    messages={
        "required": "Select {label}",
        "enum": "Select {label} from the list",
        "min_items": "Select at least {min_items} for {label}",
        "max_items": "Select no more than {max_items} for {label}",
    },
    options={**_CHOICES, "min_items": OptionSpec("int"), "max_items": OptionSpec("int")},
    macro="multichoice",
)
