"""A page's posted inputs <-> the JSON values the API takes, for pages sent without JavaScript.

The walker over a page's fields: each field's own inputs are read and written by its type
(`FieldType.read_posted` / `write_posted`, the kinds in fields/inputs.py, which
static/answers.js reads the same way); this module leaves out what has no value or is
hidden, and walks a repeat's items. Input names are the ones the field macros write
(`dob[day]`, `offences[0][offence_date][year]`); an answer left blank is left out.
`write_fields` goes back, to fill a page's inputs from kept answers. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..model import Field
from . import FIELD_TYPES
from .inputs import Raw, Written

__all__ = ["Raw", "Shown", "item_count", "read_field", "read_fields", "write_field",
           "write_fields"]

#: (field, the repeat item it is in or None) -> whether it is shown
Shown = Callable[[Field, "dict | None"], bool]

_ITEM = re.compile(r"^\[(\d+)\]")
#: Items read from one post at most, whatever indexes it names.
MAX_ITEMS = 1000


def read_field(f: Field, name: str, raw: Raw, shown: Shown | None = None) -> Any:
    """The value the API takes for one field posted under `name`, or None if unanswered."""
    ftype = FIELD_TYPES[f.type]
    if ftype.holds_items:
        return _repeat(f, name, raw, shown)
    return ftype.read_posted(raw, name)


def read_fields(fields: Iterable[Field], raw: Raw, *, prefix: str | None = None,
                shown: Shown | None = None, item: dict | None = None) -> dict[str, Any]:
    """The answers of `fields` (a page's, or a repeat item's under `prefix`), leaving out
    the unanswered and those `shown` says are hidden."""
    out: dict[str, Any] = {}
    for f in fields:
        if not FIELD_TYPES[f.type].has_value or (shown is not None and not shown(f, item)):
            continue
        value = read_field(f, f.id if prefix is None else f"{prefix}[{f.id}]", raw, shown)
        if value is not None:
            out[f.id] = value
    return out


def item_count(raw: Raw, name: str) -> int:
    """How many items of the repeat `name` the post holds inputs for (0 if none)."""
    start = name + "["
    indexes = [int(m.group(1)) for key in raw if key.startswith(start)
               for m in [_ITEM.match(key[len(name):])] if m]
    return max(indexes) + 1 if indexes else 0


def _repeat(f: Field, name: str, raw: Raw, shown: Shown | None) -> list[dict] | None:
    items = []
    for index in range(min(item_count(raw, name), MAX_ITEMS)):
        prefix = f"{name}[{index}]"
        every = read_fields(f.children, raw, prefix=prefix)
        if shown is not None:  # a child's condition may read the item's own answers
            every = read_fields(f.children, raw, prefix=prefix, shown=shown, item=every)
        if every:
            items.append(every)
    return items or None


# --- kept answers -> the inputs that show them -------------------------------------------

def write_fields(fields: Iterable[Field], data: Mapping[str, Any], *,
                 prefix: str | None = None) -> Written:
    """The input values that show `data` (the inverse of read_fields)."""
    raw: Written = {}
    for f in fields:
        if f.id in data and FIELD_TYPES[f.type].has_value:
            name = f.id if prefix is None else f"{prefix}[{f.id}]"
            raw.update(write_field(f, name, data[f.id]))
    return raw


def write_field(f: Field, name: str, value: Any) -> Written:
    """The input values that show one field's `value` under `name`."""
    ftype = FIELD_TYPES[f.type]
    if value is None or not ftype.holds_items:
        return ftype.write_posted(name, value)
    raw: Written = {}
    for index, item in enumerate(value if isinstance(value, list) else ()):
        if isinstance(item, dict):
            raw.update(write_fields(f.children, item, prefix=f"{name}[{index}]"))
    return raw
