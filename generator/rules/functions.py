"""The registry of expression functions: name -> signature and what it does.

Signatures only; the implementations live in api/chalicelib/rules.py and
generator/static/rules.js (a test fails if either lacks one). To add a function: one entry
here, one in each evaluator, rows in tests/cases/rule-functions.yaml, a line in the docs.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Parameter type names (besides the kinds in types.py):
#:   'any'           any value, answered or not
#:   'a|b'           either kind
#:   'list'          any list: a repeat, a multichoice, a list literal, `repeat.field`
#:   'date_literal'  a quoted date written in the expression, 'YYYY-MM-DD'
PARAM_DESCRIPTIONS = {
    "any": "any value",
    "date": "a date",
    "number": "a number",
    "date|datetime": "a date or a date and time",
    "list": "a list (a repeat, a multichoice or [..])",
    "list:date": "a list of dates, such as repeat.date_field",
    "date_literal": "a quoted date 'YYYY-MM-DD'",
}


@dataclass(frozen=True)
class Function:
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
)


def accepts(param: str, kind: str) -> bool:
    """Whether an argument of `kind` may be passed for a parameter typed `param`."""
    if param == "any" or kind == "any":
        return True
    for option in param.split("|"):
        if option == kind:
            return True
        if option == "list" and (kind in ("items", "codes", "list") or kind.startswith("list:")):
            return True
    return False


def signature(function: Function) -> str:
    """`age(date, date) -> number`, for hints."""
    return f"{function.name}({', '.join(function.params)}) -> {function.result}"
