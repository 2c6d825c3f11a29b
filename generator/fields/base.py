"""What a field type is: everything it does, in one registry entry.

Its own YAML keys, its value kind, its JSON Schema and messages; its page (the macro, and
what the macro needs beyond the common view); the inputs it posts and how they are read
and written back (fields/inputs.py, the same kinds as static/answers.js); and how its
answer is shown as words (the kind static/summary.js shows it as, and what that needs).
Pure: each type turns a parsed Field into data; nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from ..model import Field
from .inputs import TEXT, Inputs, Raw, Written

#: (the field's options resolved for the page's language, the site's words) -> what the
#: type's macro needs beyond them (`v.opts`), e.g. a yes/no question's two choices.
ViewOptions = Callable[[dict[str, Any], SimpleNamespace], dict[str, Any]]
#: (the field, the language, the site's words) -> what summary.js needs to show its answer.
QuestionData = Callable[[Field, str, SimpleNamespace], dict[str, Any]]


@dataclass(frozen=True)
class Choice:
    """One choice as the page shows it (radios, checkboxes, a select, tick boxes on paper)."""

    value: str
    text: str
    hint: str | None = None


@dataclass(frozen=True)
class OptionSpec:
    """One type-specific key. `kind` tells parse.py how to read it:

    int, number, bool, str, text (en/cy), regex, width, widget, bound (today or a field id),
    options (inline {code, label}), codelist (a code list name), fields (nested fields),
    roles (a list of text).
    """

    kind: str
    default: Any = None


@dataclass
class SchemaContext:
    """What a type needs to write its schema: the code lists used go into $defs."""

    codelists: dict[str, tuple[str, ...]]
    defs: dict[str, Any] = field(default_factory=dict)
    property_schema: Callable[[Field], dict[str, Any]] | None = None

    def codelist_ref(self, name: str) -> dict[str, Any]:
        self.defs[name] = {"enum": list(self.codelists[name])}
        return {"$ref": f"#/$defs/{name}"}

    def choice_schema(self, f: Field) -> dict[str, Any]:
        if "codelist" in f.options:
            return self.codelist_ref(f.options["codelist"])
        return {"enum": [c.code for c in f.options.get("inline_options", ())]}


@dataclass(frozen=True)
class FieldType:
    """A field type.

    `kind` is the value's kind in expressions (see generator/rules/types.py).
    `messages` are the default GOV.UK-style errors, by error kind, with `{label}`.
    `parts` are the sub-fields of object types: (key, kind, required); `part_words` the
    site's word labelling a part in a summary, when it is not the part's own name.

    The page: `macro` (templates/fields/<macro>.html), `input_type` and `autocomplete` of its
    input, its default `width`, `spellcheck` off for codes and names, and `view_options`.
    The post: `inputs`, the kind of inputs it writes (the wrapper's `data-dipforms-read`).
    The summary: `shown_as`, the kind of words summary.js shows the answer as (`show` in
    the questions map; left out for plain text), and `question_data`.
    """

    name: str
    kind: str
    schema: Callable[[Field, SchemaContext], dict[str, Any]]
    messages: dict[str, str]
    options: dict[str, OptionSpec] = field(default_factory=dict)
    macro: str = ""
    autocomplete: str | None = None
    input_type: str = "text"
    parts: tuple[tuple[str, str, bool], ...] = ()
    has_value: bool = True
    needs_label: bool = True
    part_words: dict[str, str] = field(default_factory=dict)
    width: int | None = None
    spellcheck: bool = True
    view_options: ViewOptions | None = None
    inputs: Inputs = TEXT
    shown_as: str = "text"
    question_data: QuestionData | None = None

    @property
    def holds_items(self) -> bool:
        """A repeating group: its value is a list of items, each of its own fields."""
        return self.inputs.holds_items

    def read_posted(self, raw: Raw, name: str) -> Any:
        """The value of this type's inputs posted under `name`, or None if unanswered."""
        return self.inputs.read(raw, name)

    def write_posted(self, name: str, value: Any) -> Written:
        """The input values that show `value` (read_posted reads them back)."""
        return self.inputs.write(name, value)

    def default_message(self, kind: str, f: Field, values: dict[str, Any]) -> str | None:
        """The default message for `kind`, or None when it does not apply to this field.

        `values` fills the placeholders ({max_length}, {other}...); a placeholder with no
        value means the check is not made, so there is no message for it.
        """
        template = self.messages.get(kind)
        if template is None:
            return None
        label = f.label.en if f.label else f.id
        keep_case = label[1:2].isupper()  # an abbreviation such as "PNC ID" keeps its case
        lowered = label if keep_case else label[:1].lower() + label[1:]
        item_label = f.options.get("item_label")
        item = item_label.en.lower() if item_label is not None else "item"
        try:
            return template.format(label=lowered.rstrip("?"), Label=label.rstrip("?"),
                                   item=item, **values)
        except KeyError:
            return None


def with_limits(schema: dict[str, Any], f: Field, names: dict[str, str]) -> dict[str, Any]:
    """Copy the options named in `names` (option -> JSON Schema keyword) into the schema."""
    for option, keyword in names.items():
        value = f.options.get(option)
        if value is not None:
            schema[keyword] = value
    return schema
