"""Example submissions in tests/cases/<form>/: valid/*.json and invalid/*.yaml.

An invalid case names a valid base, the JSON pointers to remove or set, and the
{field, message} it must produce. Shared by the schema tests here and the API's later.
"""

from __future__ import annotations

import copy
import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
#: The day the example submissions are dated for: every test that submits one sets its
#: clock to this day (example_clock), whatever day the suite runs on.
DEFAULT_TODAY = datetime.date(2026, 11, 25)


def example_moment(day: datetime.date = DEFAULT_TODAY) -> datetime.datetime:
    """10:00 in England on `day` (GMT in winter, BST in summer)."""
    from zoneinfo import ZoneInfo

    return datetime.datetime.combine(day, datetime.time(10), ZoneInfo("Europe/London"))


def example_clock(day: datetime.date = DEFAULT_TODAY):
    """A clock set to 10:00 on the examples' day that runs on from there."""
    from chalicelib.clock import SetClock

    return SetClock(example_moment(day))


@dataclass(frozen=True)
class Example:
    form: str
    name: str
    data: Any
    expect: tuple[tuple[str, str | None], ...] | None  # None: valid
    today: datetime.date

    @property
    def id(self) -> str:
        return f"{self.form}/{self.name}"


def _parts(pointer: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~")
            for p in pointer.lstrip("/").split("/")]


def _apply(data: Any, remove: list[str], changes: dict[str, Any]) -> Any:
    data = copy.deepcopy(data)
    for pointer in remove:
        *parent, last = _parts(pointer)
        node = data
        for part in parent:
            node = node[part]
        del node[last]
    for pointer, value in changes.items():
        *parent, last = _parts(pointer)
        node = data
        for part in parent:
            node = node[part]
        if isinstance(node, list) and last == len(node):
            node.append(value)
        else:
            node[last] = value
    return data


def example_data(form: str, name: str = "valid/minimal") -> Any:
    """One example submission's answers as written (dated for DEFAULT_TODAY)."""
    return next(e.data for e in load_examples(form) if e.name == name)


def load_examples(form: str | None = None) -> list[Example]:
    examples: list[Example] = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []:
        if form is not None and folder.name != form:
            continue
        valid = {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("valid/*.json"))}
        for name, data in valid.items():
            examples.append(Example(folder.name, f"valid/{name}", data, None, DEFAULT_TODAY))
        for path in sorted(folder.glob("invalid/*.yaml")):
            case = yaml.safe_load(path.read_text())
            data = _apply(valid[case["base"]], case.get("remove", []), case.get("set", {}))
            expect = tuple(sorted((e["field"], e.get("message")) for e in case["expect"]))
            today = datetime.date.fromisoformat(str(case.get("today", DEFAULT_TODAY)))
            examples.append(Example(folder.name, f"invalid/{path.stem}", data, expect, today))
    return examples
