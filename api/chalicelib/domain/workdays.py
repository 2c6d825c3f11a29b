"""Working days and calendar months for deadlines (domain notes section 7, counting [A]).

A working day is Monday to Friday less the bank holidays of England and Wales, substitute
days included (Boxing Day 2026 falls on a Saturday, so Monday 28 December is the day off).
The bank holidays come from the `holidays` package (country GB, subdivision ENG; Wales has
the same days), which computes any year offline from the published rules and knows the
one-off moved and extra days announced before its release; docs/deadlines.md says why it
was chosen and not a list.

Pure: no clock, no I/O. Each year's days off are worked out once and cached.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache

_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)  # a year is 8 or so dates; bounded against odd input
def _days_off(year: int) -> frozenset[date]:
    """The England and Wales bank holidays of `year` that fall Monday to Friday.

    A holiday on a weekend is left out: its substitute day (which the package lists as
    "(observed)") is the day off. The package is imported on the first count, not with
    this module: every case command imports it, few count days (a cold start pays for it).
    """
    import holidays

    calendar_year = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(day for day in calendar_year
                     if day.year == year and day.weekday() < _SATURDAY)


def _plain(d: date) -> date:
    """Refuse a datetime: it never equals a date, so a holiday would silently be missed."""
    if isinstance(d, datetime):
        raise TypeError("expected a date, not a datetime")
    return d


def is_working_day(d: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday (or substitute day)."""
    d = _plain(d)
    return d.weekday() < _SATURDAY and d not in _days_off(d.year)


def add_working_days(start: date, n: int) -> date:
    """The date n working days after `start`, which itself is not counted.

    15 working days from Friday 18 December 2026 is Wednesday 13 January 2027: the weekends,
    25 and 28 December and 1 January are skipped. `start` may be any day, a weekend or a
    holiday included; n = 0 gives `start` back unchanged.
    """
    return _count_working_days(start, n, _ONE_DAY)


def working_days_before(start: date, n: int) -> date:
    """The date n working days before `start`, which itself is not counted (n = 0: `start`);
    for reminders counted back from a date."""
    return _count_working_days(start, n, -_ONE_DAY)


def _count_working_days(start: date, n: int, step: timedelta) -> date:
    if n < 0:
        raise ValueError("n must be 0 or more")
    d = _plain(start)
    year, off = d.year, _days_off(d.year)
    while n:
        d += step
        if d.year != year:
            year, off = d.year, _days_off(d.year)
        if d.weekday() < _SATURDAY and d not in off:
            n -= 1
    return d


def working_days_between(a: date, b: date) -> int:
    """How many working days fall after `a` up to and including `b`.

    So working_days_between(a, add_working_days(a, n)) == n. Negative when b is before a;
    0 when they are the same day.
    """
    a, b = _plain(a), _plain(b)
    if b < a:
        return -working_days_between(b, a)
    weeks, rest = divmod((b - a).days, 7)
    # Every 7 consecutive days hold 5 weekdays; the last `rest` days share a's weekdays + i.
    weekdays = 5 * weeks + sum(1 for i in range(1, rest + 1)
                               if (a.weekday() + i) % 7 < _SATURDAY)
    off = sum(1 for year in range(a.year, b.year + 1)
              for day in _days_off(year) if a < day <= b)
    return weekdays - off


def add_calendar_months(d: date, n: int) -> date:
    """The same day of the month n calendar months later (earlier if n < 0), or that month's
    last day when it is shorter: 31 January 2027 + 1 month = 28 February 2027, and
    29 February 2028 + 12 months = 28 February 2029.

    Used for "within six calendar months" (CC-07): the last day is
    add_calendar_months(offence_date, 6).
    """
    d = _plain(d)
    year, month0 = divmod(d.year * 12 + (d.month - 1) + n, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))
