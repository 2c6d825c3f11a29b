"""How a field type's inputs are read into the value the API takes, and written back.

Each field type names one kind of inputs (`FieldType.inputs`); the kinds are the small table
below, and static/answers.js has the same table keyed by the same names, which the field's
wrapper names in `data-dipforms-read` (and, for parts, `data-dipforms-parts`). Keep the two
in step. Input names are the ones the field macros write: `dob[day]`,
`offences[0][offence_date][year]`; an answer left blank reads as None. Pure: no I/O.

Kinds: text, number, yesno, one (a radio or a select), many (checkboxes), tick (one
checkbox), time, date (day, month, year), datetime (a date and a time), parts (named parts,
each read as its own kind) and items (a repeat: fields/posted.py walks its items).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: input name -> the values posted under it, in order (as urllib.parse.parse_qs gives them)
Raw = Mapping[str, Sequence[str]]
#: input name -> the values that show an answer
Written = dict[str, list[str]]

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_ONE_OR_TWO = re.compile(r"^\d{1,2}$")
_FOUR = re.compile(r"^\d{4}$")

#: The input kind that reads each kind of part value (a part's kind in FieldType.parts).
PART_INPUTS = {"string": "text", "date": "date", "boolean": "tick"}


# --- reading ---------------------------------------------------------------------------------

def posted_text(raw: Raw, name: str) -> str:
    values = raw.get(name) or ()
    return values[0].strip() if values else ""


def ticked(raw: Raw, name: str) -> list[str]:
    return [v for v in raw.get(name) or () if v != ""]


def _two(digits: str) -> str:
    return ("0" + digits)[-2:]


def _time(value: str) -> str:
    found = _TIME.match(value)
    return f"{_two(found.group(1))}:{found.group(2)}" if found else value


def _read_date(raw: Raw, name: str) -> str | None:
    day, month = posted_text(raw, f"{name}[day]"), posted_text(raw, f"{name}[month]")
    year = posted_text(raw, f"{name}[year]")
    if not (day or month or year):
        return None
    if _ONE_OR_TWO.match(day) and _ONE_OR_TWO.match(month) and _FOUR.match(year):
        return f"{year}-{_two(month)}-{_two(day)}"
    return f"{year}-{month}-{day}"  # not a date: the form's own message says so


def _read_number(raw: Raw, name: str) -> Any:
    value = posted_text(raw, name).replace(",", "")
    if not _NUMBER.match(value):
        return value or None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _read_datetime(raw: Raw, name: str) -> str | None:
    date, time = _read_date(raw, name), _time(posted_text(raw, f"{name}[time]"))
    return f"{date or ''}T{time}" if date or time else None


def _read_yesno(raw: Raw, name: str) -> bool | None:
    values = ticked(raw, name)
    return values[0] == "true" if values else None


READERS: dict[str, Callable[[Raw, str], Any]] = {
    "text": lambda raw, name: posted_text(raw, name) or None,
    "number": _read_number,
    "yesno": _read_yesno,
    "one": lambda raw, name: (ticked(raw, name) or [None])[0],
    "many": lambda raw, name: ticked(raw, name) or None,
    "tick": lambda raw, name: True if ticked(raw, name) else None,
    "time": lambda raw, name: _time(posted_text(raw, name)) or None,
    "date": _read_date,
    "datetime": _read_datetime,
}


# --- writing ---------------------------------------------------------------------------------

def _unpadded(digits: str) -> str:
    """`05` is shown as `5`, as staff type it (GOV.UK date input)."""
    return str(int(digits)) if digits.isdigit() else digits


def _write_date(name: str, value: Any) -> Written:
    text = str(value)
    pieces = text.split("-", 2)
    if len(pieces) != 3:
        return {f"{name}[year]": [text]} if text else {}
    year, month, day = pieces
    return {f"{name}[day]": [_unpadded(day)], f"{name}[month]": [_unpadded(month)],
            f"{name}[year]": [year]}


def _write_datetime(name: str, value: Any) -> Written:
    date, _, time = str(value).partition("T")
    return {**_write_date(name, date), f"{name}[time]": [time]}


def _write_boolean(name: str, value: Any) -> Written:
    return {name: ["true" if value is True else "false"]} if isinstance(value, bool) else {}


def _write_number(name: str, value: Any) -> Written:
    if isinstance(value, float) and value.is_integer():
        return {name: [str(int(value))]}
    return {name: [str(value)]}


WRITERS: dict[str, Callable[[str, Any], Written]] = {
    "text": lambda name, value: {name: [str(value)]},
    "number": _write_number,
    "yesno": _write_boolean,
    "one": lambda name, value: {name: [str(value)]},
    "many": lambda name, value: {name: [str(v) for v in value]} if isinstance(value, list)
    else {},
    "tick": _write_boolean,
    "time": lambda name, value: {name: [str(value)]},
    "date": _write_date,
    "datetime": _write_datetime,
}

#: A part's value is written only when it is of the part's kind (a name's part is text).
_PART_WRITERS: dict[str, Callable[[str, Any], Written]] = {
    "text": lambda name, value: {name: [value]} if isinstance(value, str) else {},
    "date": lambda name, value: _write_date(name, value) if isinstance(value, str) else {},
    "tick": lambda name, value: {name: ["true"]} if value is True else {},
}


@dataclass(frozen=True)
class Inputs:
    """One kind of inputs: `kind` names it (in READERS, WRITERS and answers.js); `parts` are
    (part, input kind) for the `parts` kind, in the order the macro writes them."""

    kind: str
    parts: tuple[tuple[str, str], ...] = ()

    @property
    def holds_items(self) -> bool:
        """A repeat: its value is a list of items, read field by field (fields/posted.py)."""
        return self.kind == "items"

    @property
    def parts_attribute(self) -> str | None:
        """`name:text role:text date:date confirmed:tick`: `data-dipforms-parts`."""
        return " ".join(f"{part}:{kind}" for part, kind in self.parts) or None

    def read(self, raw: Raw, name: str) -> Any:
        """The value posted under `name`, or None when it is unanswered."""
        if self.kind == "parts":
            out = {part: READERS[kind](raw, f"{name}[{part}]") for part, kind in self.parts}
            return {part: value for part, value in out.items() if value is not None} or None
        return READERS[self.kind](raw, name)

    def write(self, name: str, value: Any) -> Written:
        """The input values that show `value` (read gives it back)."""
        if value is None:
            return {}
        if self.kind == "parts":
            if not isinstance(value, dict):
                return {}
            written: Written = {}
            for part, kind in self.parts:
                if part in value:
                    written.update(_PART_WRITERS[kind](f"{name}[{part}]", value[part]))
            return written
        return WRITERS[self.kind](name, value)

    @property
    def focus(self) -> str | None:
        """The part of the field's id an error link moves to (GOV.UK: the first input):
        `day` of a date, a name's `given_names`; None for the field's own input."""
        if self.kind in ("date", "datetime"):
            return "day"
        if self.kind == "parts" and self.parts:
            return self.part_focus(self.parts[0][0])
        return None

    def part_focus(self, part: str) -> str | None:
        """The input an error at one part moves to: a date part's day, else the part."""
        if self.kind != "parts":
            return None
        kinds = dict(self.parts)
        return f"{part}-day" if kinds.get(part) == "date" else part


def parts_inputs(parts: tuple[tuple[str, str, bool], ...]) -> Inputs:
    """The inputs of a type made of parts, from its FieldType.parts (key, kind, required)."""
    return Inputs("parts", tuple((key, PART_INPUTS[kind]) for key, kind, _ in parts))


TEXT = Inputs("text")
ITEMS = Inputs("items")
