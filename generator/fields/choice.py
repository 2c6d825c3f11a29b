"""Choice field types: yes/no, single choice (radios or select), multiple choice."""

from __future__ import annotations

from .base import Choice, FieldType, OptionSpec
from .inputs import Inputs


def _multi(f, ctx):
    schema = {"type": "array", "items": ctx.choice_schema(f), "uniqueItems": True}
    schema["minItems"] = max(1, f.options.get("min_items") or 1)
    if f.options.get("max_items") is not None:
        schema["maxItems"] = f.options["max_items"]
    return schema


def _yesno_view(opts, t):
    """The two radios: the YAML's own `labels`, or the site's Yes and No."""
    labels = opts.get("labels") or {}
    return {"choices": (Choice("true", labels.get("yes") or t.yes),
                        Choice("false", labels.get("no") or t.no))}


def _yesno_question(f, lang, t):
    labels = f.options.get("labels") or {}

    def word(key: str, default: str) -> str:
        return (labels[key].get(lang) if labels.get(key) is not None else None) or default
    return {"choices": {"true": word("yes", t.yes), "false": word("no", t.no)}}


def _choices_question(f, lang, t):
    """Code -> label, for a code list or inline options."""
    return {"choices": {c.code: c.label.get(lang) for c in f.options.get("choices", ())}}


_CHOICES = {"codelist": OptionSpec("codelist"), "options": OptionSpec("options")}

YESNO = FieldType(
    name="yesno",
    kind="boolean",
    schema=lambda f, ctx: {"type": "boolean"},
    messages={"required": "Select yes or no", "type": "Select yes or no"},
    options={"labels": OptionSpec("yesno_labels")},
    macro="yesno",
    view_options=_yesno_view,
    inputs=Inputs("yesno"),
    shown_as="choice",
    question_data=_yesno_question,
)

CHOICE = FieldType(
    name="choice",
    kind="code",
    schema=lambda f, ctx: ctx.choice_schema(f),
    messages={"required": "Select {label}", "enum": "Select {label} from the list"},
    options={**_CHOICES, "widget": OptionSpec("widget", "radios")},
    macro="choice",
    inputs=Inputs("one"),
    shown_as="choice",
    question_data=_choices_question,
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
    inputs=Inputs("many"),
    shown_as="choices",
    question_data=_choices_question,
)
