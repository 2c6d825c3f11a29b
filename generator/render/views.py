"""Field views: a Field resolved for one language and one place in the page.

A view holds what the field templates need (input names, element ids, text already in
the language, the show_if rule as JSON), so templates stay simple. What differs by type
comes from the type's registry entry (generator/fields): its macro, width, spell checking,
`view_options`, and the inputs it posts, which the wrapper names for the page script
(`data-dipforms-read`). Nothing here asks which type a field is. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

from ..fields import FIELD_TYPES
from ..fields.base import Choice
from ..fields.inputs import TEXT, Inputs
from ..fields.posted import item_count
from ..model import Code, Expr, Field, Page, Text

__all__ = ["Choice", "Confirm", "FieldView", "Filled", "Posted", "ViewBuilder", "anchor",
           "is_one_question", "rule_data", "rule_json", "width_class"]

#: Repeat items drawn on the paper form, unless min_items/max_items say otherwise.
PAPER_ITEMS = 2


@dataclass(frozen=True)
class Filled:
    """What a page shows when the local server renders it after a post (docs/no-javascript.md):
    the inputs' values by input name, error messages by element id, the names of fields
    left hidden, and a repeat that gets one more item. The static pages have none."""

    raw: Mapping[str, Sequence[str]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()
    add: str | None = None
    error_word: str = "Error"
    fixed: frozenset[str] = frozenset()     # inputs shown read-only: the case's reference

    def value(self, name: str) -> str | None:
        values = self.raw.get(name) or ()
        return values[0] if values else None

    def error(self, element_id: str) -> dict[str, str] | None:
        """govuk-frontend's `errorMessage` for the element, or None."""
        message = self.errors.get(element_id)
        return {"text": message, "visuallyHiddenText": self.error_word} if message else None


@dataclass(frozen=True)
class Confirm:
    """A warning the API wants a reason for, on a page posted without JavaScript: the rule
    id, its message and source, the reason posted so far, and `error` when it was blank."""

    rule: str
    message: str
    source: str
    reason: str = ""
    error: str | None = None

    @property
    def id(self) -> str:
        """The textarea's id: the element id of the pointer /_confirmations/<rule>."""
        return f"_confirmations-{self.rule}"


@dataclass(frozen=True)
class Posted:
    """A page as the local server answers a post sent without JavaScript: `filled` for the
    inputs; `problems` (element id or None, message) for the error summary, in order; the
    answers of the other pages (JSON) and the idempotency key, carried in hidden inputs;
    `resume`: send the form once this page is right (after the API refused it); `last`: the
    form is sent when this page is posted (its button says Send); `back`: an earlier page
    applies (a Back button posts the page); `user`: the sign-in page's user id; `confirm`:
    warnings the form is sent with once each has a reason; `csrf`: the session's token
    (web/csrf.py), posted back in a hidden input and by the Sign out button."""

    filled: Filled = field(default_factory=Filled)
    problems: tuple[tuple[str | None, str], ...] = ()
    answers: str = "{}"
    key: str = ""
    resume: bool = False
    last: bool = False
    back: bool = False
    user: str = ""
    confirm: tuple[Confirm, ...] = ()
    csrf: str = ""
    case: str = ""      # the case the form started from, and the field fixed to it
    case_field: str = ""

    def summary(self, fields: Sequence[FieldView] | None) -> list[dict[str, str]]:
        """govukErrorSummary's errorList: problems on this page link to their input; with
        `fields` None (the sign-in page) element ids are the inputs' own."""
        items = []
        for element_id, message in self.problems:
            target = element_id if fields is None else (
                anchor(fields, element_id) if element_id else None)
            if target is None and any(c.id == element_id for c in self.confirm):
                target = element_id
            items.append({"text": message, "href": f"#{target}"} if target else
                         {"text": message})
        return items


#: The inputs of a date, in order.
DATE_PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class FieldView:
    """One field as shown: `id` is its element id, `name` its input name (see part_name);
    `inputs` the kind of inputs its type posts (fields/inputs.py)."""

    type: str
    macro: str
    id: str
    name: str
    label: str
    hint: str | None
    help: str | None
    optional: bool
    heading: bool
    show_if: str | None
    opts: dict[str, Any]
    question: str = ""
    input_type: str = "text"
    autocomplete: str | None = None
    number: int | None = None
    items: tuple[tuple[FieldView, ...], ...] = ()
    filled: Filled | None = None
    inputs: Inputs = TEXT
    paper_ref: str | None = None   # the paper form's number, on the printed form only

    @property
    def label_params(self) -> dict[str, Any]:
        """govukLabel's parameters: the page heading on a one-question page."""
        size = "govuk-label--l" if self.heading else "govuk-label--s"
        return {"text": self.question, "classes": size, "isPageHeading": self.heading}

    @property
    def legend_params(self) -> dict[str, Any]:
        size = "govuk-fieldset__legend--l" if self.heading else "govuk-fieldset__legend--s"
        return {"text": self.question, "classes": size, "isPageHeading": self.heading}

    @property
    def hint_params(self) -> dict[str, str] | None:
        return {"text": self.hint} if self.hint else None

    @property
    def choice_items(self) -> list[dict[str, Any]]:
        """The choices as items for govukRadios, govukCheckboxes and govukSelect."""
        return [{"value": c.value, "text": c.text, "hint": {"text": c.hint} if c.hint else None}
                for c in self.opts.get("choices", ())]

    def part_id(self, part: str) -> str:
        """`dob-day`, `offences-0-address-postcode`: the id of one part's input."""
        return f"{self.id}-{part}"

    def part_name(self, part: str) -> str:
        """`dob[day]`, `offences[0][address][postcode]`: the name of one part's input."""
        return f"{self.name}[{part}]"

    # --- values and errors (only on pages the local server renders) ---------------------

    @property
    def hidden(self) -> bool:
        return self.filled is not None and self.name in self.filled.hidden

    @property
    def error(self) -> dict[str, str] | None:
        """The field's own error (not a part's), as govuk-frontend's `errorMessage`."""
        return self.filled.error(self.id) if self.filled is not None else None

    def fill(self, params: dict[str, Any], part: str | None = None,
             kind: str = "value") -> dict[str, Any]:
        """A component's parameters with the posted value and the error added: `kind` is
        `value` (inputs, radios, selects, textareas), `values` (checkboxes) or `date`
        (a date input, its day/month/year items). Unchanged on the static pages."""
        if self.filled is None:
            return params
        name = self.part_name(part) if part else self.name
        element_id = self.part_id(part) if part else self.id
        out = dict(params)
        error = self.filled.error(element_id)
        if error:
            out["errorMessage"] = error
        if kind == "values":
            out["values"] = list(self.filled.raw.get(name) or ())
        elif kind == "date":
            out["items"] = [{**item, "value": self.filled.value(f"{name}[{piece}]"),
                             "classes": item["classes"] + (" govuk-input--error" if error
                                                           else "")}
                            for item, piece in zip(params["items"], DATE_PARTS, strict=True)]
        else:
            value = self.filled.value(name)
            if value is not None:
                out["value"] = value
        if name in self.filled.fixed:
            out["attributes"] = {**(params.get("attributes") or {}), "readonly": "readonly"}
        return out

    def input_error_class(self, part: str | None = None) -> str:
        """` govuk-input--error` for an input inside a field whose own error is shown
        elsewhere (the time of a date and time)."""
        return " govuk-input--error" if self.error and part else ""

    @property
    def focus_id(self) -> str:
        """The input an error summary link for this field moves to (GOV.UK: the first)."""
        first = self.inputs.focus
        if first:
            return self.part_id(first)
        if self.items and self.items[0]:
            return self.items[0][0].focus_id
        return self.id


def anchor(views: Sequence[FieldView], element_id: str) -> str | None:
    """The id of the input to link to for an error at `element_id` (a field's or a part's
    id, as the page script names them), or None when no field on the page has it."""
    for v in views:
        if element_id == v.id:
            return v.focus_id
        if element_id.startswith(v.id + "-"):
            focus = v.inputs.part_focus(element_id[len(v.id) + 1:])
            if focus:
                return v.part_id(focus)
            for item in v.items:
                found = anchor(item, element_id)
                if found:
                    return found
    return None


def rule_data(expr: Expr | None) -> Any:
    """The expression as the JSON rule the page scripts evaluate (a dict), or None.

    rules/compile.py is written separately; until it exists no rule is emitted.
    """
    if expr is None:
        return None
    try:
        from ..rules.compile import to_json
    except ImportError:
        return None
    return to_json(expr.ast)


def rule_json(expr: Expr | None) -> str | None:
    """`rule_data` as compact JSON text, for a `data-show-if` attribute."""
    data = rule_data(expr)
    if data is None:
        return None
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def is_one_question(page: Page) -> bool:
    """A page whose single question's label becomes the page heading (GOV.UK pattern)."""
    if len(page.fields) != 1 or page.description is not None:
        return False
    ftype = FIELD_TYPES[page.fields[0].type]
    return ftype.has_value and not ftype.holds_items


class ViewBuilder:
    """Builds views for one language; `paper` draws repeats with room for several items."""

    def __init__(self, lang: str, t: SimpleNamespace, *, paper: bool = False,
                 filled: Filled | None = None):
        self.lang = lang
        self.t = t
        self.paper = paper
        self.filled = filled
        self.count = 0

    def page(self, page: Page) -> tuple[FieldView, ...]:
        heading = not self.paper and is_one_question(page)
        return tuple(self.field(f, None, None, heading=heading) for f in page.fields)

    def field(self, f: Field, parent_id: str | None, parent_name: str | None, *,
              heading: bool = False) -> FieldView:
        ftype = FIELD_TYPES[f.type]
        if parent_name is None:
            element_id, name = f.id, f.id
        else:
            element_id, name = f"{parent_id}-{f.id}", f"{parent_name}[{f.id}]"
        number = None
        if ftype.has_value and parent_name is None:
            self.count += 1
            number = self.count
        optional = ftype.has_value and not f.required and f.required_if is None
        label = self.text(f.label) or ""
        view = FieldView(
            type=f.type, macro=ftype.macro, id=element_id, name=name,
            label=label, hint=self.text(f.hint), help=self.text(f.help),
            optional=optional, heading=heading, show_if=rule_json(f.show_if),
            opts=self.options(f), number=number,
            question=f"{label} {self.t.optional}" if optional and label else label,
            input_type=ftype.input_type, autocomplete=ftype.autocomplete, filled=self.filled,
            inputs=ftype.inputs, paper_ref=f.paper_ref if self.paper else None,
        )
        if not ftype.holds_items:
            return view
        items = tuple(
            tuple(self.field(child, f"{element_id}-{i}", f"{name}[{i}]") for child in f.children)
            for i in range(self.item_count(f, name))
        )
        return replace(view, items=items)

    def item_count(self, f: Field, name: str | None = None) -> int:
        low = f.options.get("min_items") or 1
        high = f.options.get("max_items")
        count = max(low, PAPER_ITEMS) if self.paper else low
        if self.filled is not None and name is not None:
            count = max(count, item_count(self.filled.raw, name)
                        + (1 if self.filled.add == name else 0))
        return min(count, high) if high else count

    def text(self, value: Text | None) -> str | None:
        return value.get(self.lang) if value is not None else None

    def options(self, f: Field) -> dict[str, Any]:
        """Type-specific options resolved for the language, plus display defaults."""
        opts = {k: self.resolve(v) for k, v in sorted(f.options.items())
                if k not in ("inline_options", "earliest", "latest")}
        # a text the page writes into the answer as stored (a signature's fixed role) is
        # written in English whatever the page's language
        opts.update({f"{k}_en": v.en for k, v in f.options.items() if isinstance(v, Text)})
        opts.update(self.display(f, opts))
        return opts

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Text):
            return value.get(self.lang)
        if isinstance(value, Code):
            return Choice(value.code, value.label.get(self.lang), self.text(value.hint))
        if isinstance(value, tuple | list):
            return tuple(self.resolve(v) for v in value)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in sorted(value.items())}
        return value

    def display(self, f: Field, opts: dict[str, Any]) -> dict[str, Any]:
        """The display options every type has (width, spell checking), then its own."""
        ftype = FIELD_TYPES[f.type]
        shown: dict[str, Any] = {
            "width_class": width_class(opts.get("width", ftype.width)),
            "spellcheck": None if ftype.spellcheck else False,
        }
        if ftype.view_options is not None:
            shown.update(ftype.view_options(opts, self.t))
        return shown


def width_class(width: int | str | None) -> str | None:
    if width is None:
        return None
    return "govuk-!-width-full" if width == "full" else f"govuk-input--width-{width}"

