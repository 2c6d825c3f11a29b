"""Field views: a Field resolved for one language and one place in the page.

A view holds what the field templates need (input names, element ids, text already in
the language, the show_if rule as JSON), so templates stay simple. Pure: no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from .fields import FIELD_TYPES
from .model import Code, Expr, Field, Page, Text

#: Input widths (GOV.UK classes) by type when the YAML gives none.
DEFAULT_WIDTHS = {"number": 5, "postcode": 10, "phone": 20, "reference": 20, "time": 5}
#: Types whose answers are codes or addresses, not words: no spell checking.
NO_SPELLCHECK = {"email", "postcode", "phone", "reference", "time", "name"}
#: Repeat items drawn on the paper form, unless min_items/max_items say otherwise.
PAPER_ITEMS = 2


@dataclass(frozen=True)
class Choice:
    value: str
    text: str
    hint: str | None = None


@dataclass(frozen=True)
class FieldView:
    """One field as shown: `id` is its element id, `name` its input name (see part_name)."""

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


def rule_data(expr: Expr | None) -> Any:
    """The expression as the JSON rule the page scripts evaluate (a dict), or None.

    rules/compile.py is written separately; until it exists no rule is emitted.
    """
    if expr is None:
        return None
    try:
        from .rules.compile import to_json
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
    return ftype.has_value and ftype.name != "repeat"


class ViewBuilder:
    """Builds views for one language; `paper` draws repeats with room for several items."""

    def __init__(self, lang: str, t: SimpleNamespace, *, paper: bool = False):
        self.lang = lang
        self.t = t
        self.paper = paper
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
            input_type="text" if ftype.input_type == "number" else ftype.input_type,
            autocomplete=ftype.autocomplete,
        )
        if f.type != "repeat":
            return view
        items = tuple(
            tuple(self.field(child, f"{element_id}-{i}", f"{name}[{i}]") for child in f.children)
            for i in range(self.item_count(f))
        )
        return replace(view, items=items)

    def item_count(self, f: Field) -> int:
        low = f.options.get("min_items") or 1
        high = f.options.get("max_items")
        count = max(low, PAPER_ITEMS) if self.paper else low
        return min(count, high) if high else count

    def text(self, value: Text | None) -> str | None:
        return value.get(self.lang) if value is not None else None

    def options(self, f: Field) -> dict[str, Any]:
        """Type-specific options resolved for the language, plus display defaults."""
        opts = {k: self.resolve(v) for k, v in sorted(f.options.items())
                if k not in ("inline_options", "earliest", "latest")}
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
        t = self.t
        shown: dict[str, Any] = {
            "width_class": width_class(opts.get("width", DEFAULT_WIDTHS.get(f.type))),
            "spellcheck": False if f.type in NO_SPELLCHECK else None,
        }
        if f.type == "number":
            shown["inputmode"] = "numeric" if opts.get("integer") else "decimal"
        if f.type == "yesno":
            labels = opts.get("labels") or {}
            shown["choices"] = (Choice("true", labels.get("yes") or t.yes),
                                Choice("false", labels.get("no") or t.no))
        if f.type == "signature":
            shown["role_items"] = [{"value": r, "text": r} for r in opts.get("roles", ())]
        if f.type == "repeat":
            item = opts.get("item_label") or t.item
            shown["item_label"] = item[:1].upper() + item[1:]  # a heading: "Offence 1"
            lowered = item[:1].lower() + item[1:] if item[1:2].islower() else item
            shown["add_label"] = t.add_another.format(item=lowered)
        return shown


def width_class(width: int | str | None) -> str | None:
    if width is None:
        return None
    return "govuk-!-width-full" if width == "full" else f"govuk-input--width-{width}"

