"""A page's posted inputs <-> the JSON values the API takes, for pages sent without JavaScript.

`read_fields` is static/answers.js's READERS in Python (keep the two in step): input names
are the ones the field macros write (`dob[day]`, `offences[0][offence_date][year]`), and an
answer left blank is left out. `write_fields` goes back, to fill a page's inputs from kept
answers. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..model import Field

#: input name -> the values posted under it, in order (as urllib.parse.parse_qs gives them)
Raw = Mapping[str, Sequence[str]]
#: (field, the repeat item it is in or None) -> whether it is shown
Shown = Callable[[Field, "dict | None"], bool]

NAME_PARTS = ("given_names", "family_name")
ADDRESS_PARTS = ("line1", "line2", "town", "county", "postcode")
SIGNATURE_TEXT_PARTS = ("name", "role")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_ONE_OR_TWO = re.compile(r"^\d{1,2}$")
_FOUR = re.compile(r"^\d{4}$")
_ITEM = re.compile(r"^\[(\d+)\]")
NO_VALUE = ("content",)


def _text(raw: Raw, name: str) -> str:
    values = raw.get(name) or ()
    return values[0].strip() if values else ""


def _ticked(raw: Raw, name: str) -> list[str]:
    return [v for v in raw.get(name) or () if v != ""]


def _two(digits: str) -> str:
    return ("0" + digits)[-2:]


def _time(value: str) -> str:
    found = _TIME.match(value)
    return f"{_two(found.group(1))}:{found.group(2)}" if found else value


def _date(raw: Raw, name: str) -> str | None:
    day, month = _text(raw, f"{name}[day]"), _text(raw, f"{name}[month]")
    year = _text(raw, f"{name}[year]")
    if not (day or month or year):
        return None
    if _ONE_OR_TWO.match(day) and _ONE_OR_TWO.match(month) and _FOUR.match(year):
        return f"{year}-{_two(month)}-{_two(day)}"
    return f"{year}-{month}-{day}"  # not a date: the form's own message says so


def _number(raw: Raw, name: str) -> Any:
    value = _text(raw, name).replace(",", "")
    if not _NUMBER.match(value):
        return value or None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _parts(names: Iterable[str]) -> Callable[[Raw, str], dict | None]:
    def read(raw: Raw, name: str) -> dict | None:
        out = {part: _text(raw, f"{name}[{part}]") for part in names}
        out = {part: value for part, value in out.items() if value}
        return out or None
    return read


def _signature(raw: Raw, name: str) -> dict | None:
    out = _parts(SIGNATURE_TEXT_PARTS)(raw, name) or {}
    date = _date(raw, f"{name}[date]")
    if date:
        out["date"] = date
    if _ticked(raw, f"{name}[confirmed]"):
        out["confirmed"] = True
    return out or None


def _datetime(raw: Raw, name: str) -> str | None:
    date, time = _date(raw, name), _time(_text(raw, f"{name}[time]"))
    return f"{date or ''}T{time}" if date or time else None


def _yesno(raw: Raw, name: str) -> bool | None:
    ticked = _ticked(raw, name)
    return ticked[0] == "true" if ticked else None


READERS: dict[str, Callable[[Raw, str], Any]] = {
    "number": _number,
    "yesno": _yesno,
    "choice": lambda raw, name: (_ticked(raw, name) or [None])[0],
    "multichoice": lambda raw, name: _ticked(raw, name) or None,
    "attest": lambda raw, name: True if _ticked(raw, name) else None,
    "time": lambda raw, name: _time(_text(raw, name)) or None,
    "date": _date,
    "datetime": _datetime,
    "name": _parts(NAME_PARTS),
    "address": _parts(ADDRESS_PARTS),
    "signature": _signature,
}


def read_field(f: Field, name: str, raw: Raw, shown: Shown | None = None) -> Any:
    """The value the API takes for one field posted under `name`, or None if unanswered."""
    if f.type == "repeat":
        return _repeat(f, name, raw, shown)
    read = READERS.get(f.type)
    return read(raw, name) if read else (_text(raw, name) or None)


def read_fields(fields: Iterable[Field], raw: Raw, *, prefix: str | None = None,
                shown: Shown | None = None, item: dict | None = None) -> dict[str, Any]:
    """The answers of `fields` (a page's, or a repeat item's under `prefix`), leaving out
    the unanswered and those `shown` says are hidden."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.type in NO_VALUE or (shown is not None and not shown(f, item)):
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
    for index in range(min(item_count(raw, name), 1000)):
        prefix = f"{name}[{index}]"
        every = read_fields(f.children, raw, prefix=prefix)
        if shown is not None:  # a child's condition may read the item's own answers
            every = read_fields(f.children, raw, prefix=prefix, shown=shown, item=every)
        if every:
            items.append(every)
    return items or None


# --- kept answers -> the inputs that show them -------------------------------------------

def write_fields(fields: Iterable[Field], data: Mapping[str, Any], *,
                 prefix: str | None = None) -> dict[str, list[str]]:
    """The input values that show `data` (the inverse of read_fields)."""
    raw: dict[str, list[str]] = {}
    for f in fields:
        if f.id in data and f.type not in NO_VALUE:
            name = f.id if prefix is None else f"{prefix}[{f.id}]"
            raw.update(write_field(f, name, data[f.id]))
    return raw


def write_field(f: Field, name: str, value: Any) -> dict[str, list[str]]:
    kind = f.type
    if value is None:
        return {}
    if kind == "repeat":
        raw: dict[str, list[str]] = {}
        for index, item in enumerate(value if isinstance(value, list) else ()):
            if isinstance(item, dict):
                raw.update(write_fields(f.children, item, prefix=f"{name}[{index}]"))
        return raw
    if kind in ("yesno", "attest"):
        return {name: ["true" if value is True else "false"]} if isinstance(value, bool) else {}
    if kind == "multichoice":
        return {name: [str(v) for v in value]} if isinstance(value, list) else {}
    if kind == "date":
        return _date_inputs(name, str(value))
    if kind == "datetime":
        date, _, time = str(value).partition("T")
        return {**_date_inputs(name, date), f"{name}[time]": [time]}
    if kind in ("name", "address", "signature"):
        return _part_inputs(kind, name, value) if isinstance(value, dict) else {}
    if kind == "number" and isinstance(value, float) and value.is_integer():
        return {name: [str(int(value))]}
    return {name: [str(value)]}


def _date_inputs(name: str, value: str) -> dict[str, list[str]]:
    pieces = value.split("-", 2)
    if len(pieces) != 3:
        return {f"{name}[year]": [value]} if value else {}
    year, month, day = pieces
    return {f"{name}[day]": [_unpadded(day)], f"{name}[month]": [_unpadded(month)],
            f"{name}[year]": [year]}


def _unpadded(digits: str) -> str:
    """`05` is shown as `5`, as staff type it (GOV.UK date input)."""
    return str(int(digits)) if digits.isdigit() else digits


def _part_inputs(kind: str, name: str, value: dict) -> dict[str, list[str]]:
    raw: dict[str, list[str]] = {}
    texts = {"name": NAME_PARTS, "address": ADDRESS_PARTS}.get(kind, SIGNATURE_TEXT_PARTS)
    for part in texts:
        if isinstance(value.get(part), str):
            raw[f"{name}[{part}]"] = [value[part]]
    if kind == "signature":
        if isinstance(value.get("date"), str):
            raw.update(_date_inputs(f"{name}[date]", value["date"]))
        if value.get("confirmed") is True:
            raw[f"{name}[confirmed]"] = ["true"]
    return raw
