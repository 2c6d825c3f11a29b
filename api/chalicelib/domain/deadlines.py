"""The deadlines a case wants now, from the definitions compiled out of forms/process.yaml
(`deadlines` in generated/process.json; generator/process/deadlines.py writes them).

Pure: no clock, no I/O. The store decides what a wanted set means (a new deadline is
inserted, a changed due date moved, one that fired never fires again, one no longer wanted
is cleared), so calling this after every change to a case is safe.

How a due date is counted (docs/deadlines.md):
- from the `from` fact's date; a datetime ('YYYY-MM-DDTHH:MM', local time as the forms
  give it) counts by its date;
- then forward by `after` and back by `lead`, each in one unit: calendar days, calendar
  months (a shorter month gives its last day), or working days (weekends and England and
  Wales bank holidays skipped);
- "N working days after X" is the Nth working day after X, X itself never counted, so from
  a weekend or holiday the next working day is the first; "N working days before X" is
  the same counted backwards.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from ..store.base import CaseState, Deadline
from .rules import holds, to_date
from .workdays import add_calendar_months, add_working_days, working_days_before


def wanted_deadlines(definitions: list[dict], case: CaseState,
                     settings: Mapping[str, Any]) -> list[Deadline]:
    """The pending deadlines `case` wants, in definition order.

    A definition applies while the case is in one of its `while` states, its `from` fact
    is a date, its `when` (if any) holds on the facts and its `unless` (if any) does not.
    A setting a period names must be in `settings` (the build checks that it is).
    """
    if case.closed:
        return []
    wanted = []
    for definition in definitions:
        due = due_on(definition, case, settings)
        if due is not None:
            wanted.append(Deadline(case.case_ref, definition["id"], due.isoformat(),
                                   definition["notify"]))
    return wanted


def due_on(definition: dict, case: CaseState,
           settings: Mapping[str, Any]) -> datetime.date | None:
    """When one deadline falls due for this case, or None when the case does not want it."""
    if case.state not in definition["while"]:
        return None
    start = to_date(case.facts.get(definition["from"]))
    if start is None:
        return None
    facts = case.facts
    # The build refuses today() in a deadline's conditions, so the day passed is never used.
    if definition.get("when") and not holds(definition["when"], facts, today=start):
        return None
    if definition.get("unless") and holds(definition["unless"], facts, today=start):
        return None
    chosen = next((alt for alt in definition.get("instead", ())
                   if holds(alt["when"], facts, today=start)), definition)
    due = shift(start, chosen.get("after"), settings, forward=True)
    return shift(due, chosen.get("lead"), settings, forward=False)


def shift(day: datetime.date, period: dict | None, settings: Mapping[str, Any], *,
          forward: bool) -> datetime.date:
    """`day` moved by `period` ({"unit", "count"} or {"unit", "setting"}; None: not moved)."""
    if period is None:
        return day
    count = _count(period, settings)
    unit = period["unit"]
    if unit == "days":
        return day + datetime.timedelta(days=count if forward else -count)
    if unit == "months":
        return add_calendar_months(day, count if forward else -count)
    if unit == "working_days":
        return add_working_days(day, count) if forward else working_days_before(day, count)
    raise ValueError(f"unknown unit {unit!r} in a deadline period")


def _count(period: dict, settings: Mapping[str, Any]) -> int:
    if "setting" not in period:
        return int(period["count"])
    name = period["setting"]
    value = settings.get(name)
    if type(value) is not int or value < 0:
        raise ValueError(f"the setting {name!r} must be a whole number of 0 or more, "
                         f"not {value!r}")
    return value
