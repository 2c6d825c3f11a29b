"""Evaluate an expression in its JSON form (see generator/rules/compile.py) against a submission.

Pure and self-contained: no imports from generator/, no I/O, no clock (today is passed in).
IMPLEMENTATIONS has one entry per function of the contract (chalicelib/contract/functions.py,
whose signatures the build type-checks against); tests/unit/test_expressions.py fails if not.
generator/static/rules.js is the same evaluator for the pages; keep the two in step.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

Expr = dict
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_DATETIME = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})\Z")
_TIME = re.compile(r"^[0-9]{2}:[0-9]{2}\Z")
_ORDERED = ("number", "date", "datetime", "time")


def evaluate(
    expr: Expr, data: dict, *, today: datetime.date, item: dict | None = None
) -> object:
    """The value of `expr`: True/False for conditions, 'YYYY-MM-DD' for dates, None if unknown.

    `item` is the current repeat item; its fields are found before the submission's.
    """
    return compiled(expr)(data, item, today.isoformat())


def holds(expr: Expr, data: dict, *, today: datetime.date, item: dict | None = None) -> bool:
    """Whether a condition is true (null, like false, does not hold)."""
    return evaluate(expr, data, today=today, item=item) is True


#: (data, item, today as 'YYYY-MM-DD') -> the expression's value
Compiled = Callable[[dict, "dict | None", str], object]
#: id(expression) -> (the expression, its compiled form). The expressions are the forms'
#: and the process's, read once per catalogue, so this holds one entry per rule; an
#: expression made anew (another catalogue's, a test's) is another object, compiled
#: afresh. Kept from growing without end by starting again past COMPILED_MOST.
_COMPILED: dict[int, tuple[Expr, Compiled]] = {}
COMPILED_MOST = 20_000


def compiled(expr: Expr) -> Compiled:
    """`expr` as a function of (data, item, today): the same value as the tree walked
    each time, without the walk (the name of each node looked up once, not per answer).
    An unknown function or operator still fails only when it is reached."""
    found = _COMPILED.get(id(expr))
    if found is not None and found[0] is expr:
        return found[1]
    function = _compile(expr)
    if len(_COMPILED) >= COMPILED_MOST:
        _COMPILED.clear()
    _COMPILED[id(expr)] = (expr, function)
    return function


def _compile(expr: Expr) -> Compiled:
    if "lit" in expr:
        constant = expr["lit"]
        return lambda data, item, today: constant
    if "list" in expr:
        elements = [_compile(element) for element in expr["list"]]
        return lambda data, item, today: [e(data, item, today) for e in elements]
    if "field" in expr:
        return _lookup(expr["field"])
    if "call" in expr:
        return _call(expr["call"], [_compile(arg) for arg in expr["args"]])
    return _operate(expr["op"], [_compile(arg) for arg in expr["args"]])


def _lookup(dotted: str) -> Compiled:
    first, *rest = dotted.split(".")

    def lookup(data, item, today):
        if item is not None and first in item:
            found = item[first]
        else:
            found = data.get(first)
        for key in rest:
            found = _step(found, key)
        return found
    return lookup


def _call(name: str, args: list[Compiled]) -> Compiled:
    null_accepting = name in _NULL_ACCEPTING

    def call(data, item, today):
        implementation = IMPLEMENTATIONS.get(name)
        if implementation is None:
            raise ValueError(f"unknown function {name!r}")
        values = [arg(data, item, today) for arg in args]
        if not null_accepting and any(v is None for v in values):
            return None
        return implementation(values, today)
    return call


def _operate(op: str, args: list[Compiled]) -> Compiled:
    if len(args) < (1 if op == "not" else 2):     # malformed: fails when reached, as ever
        def missing(data, item, today):
            raise IndexError(f"{op!r} is missing an argument")
        return missing
    if op == "not":
        inner = args[0]
        return lambda data, item, today: inner(data, item, today) is not True
    left, right = args[0], args[1]
    if op == "and":
        return lambda data, item, today: (left(data, item, today) is True
                                          and right(data, item, today) is True)
    if op == "or":
        return lambda data, item, today: (left(data, item, today) is True
                                          or right(data, item, today) is True)
    test = _COMPARISONS.get(op)

    def operate(data, item, today):
        a, b = left(data, item, today), right(data, item, today)
        if test is not None:
            return test(a, b)
        order = compare(a, b)
        if op not in _ORDERINGS:
            raise ValueError(f"unknown operator {op!r}")
        return order is not None and _ORDERINGS[op](order)
    return operate


_ORDERINGS: dict[str, Callable[[int], bool]] = {
    "<": lambda order: order < 0,
    "<=": lambda order: order <= 0,
    ">": lambda order: order > 0,
    ">=": lambda order: order >= 0,
}


_COMPARISONS: dict[str, Callable[[object, object], bool]] = {
    "==": lambda a, b: equal(a, b),
    "!=": lambda a, b: not equal(a, b),
    "in": lambda a, b: member(a, b),
    "not in": lambda a, b: not member(a, b),
}


def _step(found: object, key: str) -> object:
    """One step down a dotted name: an object's key, or each item's key (answered ones)."""
    if isinstance(found, dict):
        return found.get(key)
    if isinstance(found, list):
        values: list[object] = []
        for element in found:
            value = _step(element, key)
            if isinstance(value, list):
                values.extend(value)
            elif value is not None:
                values.append(value)
        return values
    return None


def kind_of(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        if _DATE.match(value):
            return "date"
        if _DATETIME.match(value):
            return "datetime"
        return "time" if _TIME.match(value) else "string"
    return "list" if isinstance(value, list) else "object"


def equal(left: object, right: object) -> bool:
    """Equality where null equals nothing and true is not 1."""
    kind = kind_of(left)
    if left is None or right is None or kind != kind_of(right):
        return False
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(equal(left[k], right[k]) for k in left)
    return left == right


def compare(left: object, right: object) -> int | None:
    """-1, 0 or 1 for two numbers, dates, datetimes or times of one kind; else None."""
    kind = kind_of(left)
    if kind not in _ORDERED or kind != kind_of(right):
        return None
    return (left > right) - (left < right)  # type: ignore[operator]


def member(needle: object, haystack: object) -> bool:
    return isinstance(haystack, list) and any(equal(needle, x) for x in haystack)


def to_date(value: object) -> datetime.date | None:
    """A 'YYYY-MM-DD' date, or the date of a 'YYYY-MM-DDTHH:MM'; None if not a real one."""
    if not isinstance(value, str):
        return None
    match = _DATE.match(value) or _DATETIME.match(value)
    if match is None:
        return None
    parts = [int(part) for part in match.groups()]
    if len(parts) == 5 and (parts[3] > 23 or parts[4] > 59):
        return None
    try:
        return datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def _number(value: object) -> int | float | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return value if is_number else None  # type: ignore[return-value]


def _shift_days(value: object, days: object) -> str | None:
    start, count = to_date(value), _number(days)
    if start is None or count is None:
        return None
    try:
        return (start + datetime.timedelta(days=int(count))).isoformat()
    except OverflowError:
        return None


def _shift_months(value: object, months: object) -> str | None:
    start, count = to_date(value), _number(months)
    if start is None or count is None:
        return None
    year, month = divmod(start.year * 12 + start.month - 1 + int(count), 12)
    if not 1 <= year <= 9999:
        return None
    day = min(start.day, _days_in_month(year, month + 1))
    return datetime.date(year, month + 1, day).isoformat()


def _days_in_month(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]


def _age(birth: object, on: object) -> int | None:
    born, then = to_date(birth), to_date(on)
    if born is None or then is None:
        return None
    return then.year - born.year - ((then.month, then.day) < (born.month, born.day))


def _days_between(first: object, second: object) -> int | None:
    start, end = to_date(first), to_date(second)
    return None if start is None or end is None else (end - start).days


def _extreme(values: object, pick: Callable[..., object]) -> object:
    if not isinstance(values, list):
        return None
    dates = [v for v in values if kind_of(v) in ("date", "datetime")]
    if not dates or len({kind_of(v) for v in dates}) > 1:
        return None
    return pick(dates)


def _answered(value: object) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _fixed_date(text: object) -> str | None:
    return text if isinstance(text, str) and _DATE.match(text) and to_date(text) else None


def _date_of(value: object) -> str | None:
    day = to_date(value)
    return None if day is None else day.isoformat()


def _count(value: object) -> int | None:
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else None


#: function name -> implementation(argument values, today as 'YYYY-MM-DD')
IMPLEMENTATIONS: dict[str, Callable[[list, str], object]] = {
    "today": lambda args, today: today,
    "answered": lambda args, today: _answered(args[0]),
    "age": lambda args, today: _age(args[0], args[1]),
    "days_between": lambda args, today: _days_between(args[0], args[1]),
    "add_days": lambda args, today: _shift_days(args[0], args[1]),
    "add_months": lambda args, today: _shift_months(args[0], args[1]),
    "count": lambda args, today: _count(args[0]),
    "earliest": lambda args, today: _extreme(args[0], min),
    "latest": lambda args, today: _extreme(args[0], max),
    "date": lambda args, today: _fixed_date(args[0]),
    "date_of": lambda args, today: _date_of(args[0]),
}

#: Functions that see a null argument; every other one gives null for a null argument.
_NULL_ACCEPTING = ("answered", "count")
