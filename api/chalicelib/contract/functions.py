"""The expression functions: name -> argument and result types. The build type-checks calls
against these; the evaluators (chalicelib/domain/rules.py, generator/static/rules.js) implement
each one under the same name (tests/unit/test_expressions.py fails if one is missing).

To add a function: one entry here, one in each evaluator, rows in
tests/cases/rule-functions.yaml, a line in the docs.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Parameter type names (besides the value kinds of generator/rules/types.py):
#:   'any'           any value, answered or not
#:   'a|b'           either kind
#:   'list'          any list: a repeat, a multichoice, a list literal, `repeat.field`
#:   'list:date'     a list of dates, such as repeat.date_field
#:   'date_literal'  a quoted date written in the expression, 'YYYY-MM-DD'


@dataclass(frozen=True)
class Function:
    """One function's signature and what it does."""

    name: str
    params: tuple[str, ...]
    result: str
    doc: str


def _register(*functions: Function) -> dict[str, Function]:
    return {f.name: f for f in functions}


FUNCTIONS: dict[str, Function] = _register(
    Function("today", (), "date", "The day the record was made, in England (as_of: now: the "
             "clock's today)."),
    Function(
        "answered",
        ("any",),
        "boolean",
        "True when the value is given: not null, not empty text, not an empty list.",
    ),
    Function(
        "age",
        ("date", "date"),
        "number",
        "Whole years from the first date (a birth date) to the second; someone born on "
        "29 February turns a year older on 1 March in other years.",
    ),
    Function(
        "days_between",
        ("date|datetime", "date|datetime"),
        "number",
        "Calendar days from the first to the second (second minus first); a date and "
        "time counts as its date.",
    ),
    Function("add_days", ("date", "number"), "date", "The date n days later (n < 0: earlier)."),
    Function(
        "add_months",
        ("date", "number"),
        "date",
        "The date n calendar months later, kept within the month: 31 January + 1 month "
        "is 28 (or 29) February.",
    ),
    Function(
        "count",
        ("list",),
        "number",
        "How many items a repeat has, or codes a multichoice has (0 when unanswered).",
    ),
    Function("earliest", ("list:date",), "date", "The earliest of the answered dates."),
    Function("latest", ("list:date",), "date", "The latest of the answered dates."),
    Function("date", ("date_literal",), "date", "A fixed date: date('2026-01-31')."),
    Function("date_of", ("date|datetime",), "date", "The date of a date and time (a date "
             "stays itself): a session's date from when it was held."),
)
