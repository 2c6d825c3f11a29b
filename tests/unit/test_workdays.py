"""Working days and calendar months: deadlines across Christmas and Easter, the 15 and 5
working days of a sentence plan (SUP-01, T08), month-end clamping and leap years."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from chalicelib.domain.workdays import (
    add_calendar_months,
    add_working_days,
    is_working_day,
    working_days_between,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def counted_by_hand(start: date, end: date) -> list[date]:
    """The working days after start up to end, walked one day at a time."""
    days, day = [], start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            days.append(day)
    return days


@pytest.mark.parametrize("day,working", [
    ("2026-12-24", True),    # Thursday
    ("2026-12-25", False),   # Christmas Day, Friday
    ("2026-12-26", False),   # Boxing Day, Saturday
    ("2026-12-28", False),   # Boxing Day substitute, Monday
    ("2026-12-29", True),
    ("2027-01-01", False),   # New Year's Day, Friday
    ("2027-03-26", False),   # Good Friday
    ("2027-03-29", False),   # Easter Monday
    ("2027-03-30", True),
    ("2027-12-27", False),   # Christmas substitute (Christmas 2027 is a Saturday)
    ("2027-12-28", False),   # Boxing Day substitute
    ("2028-01-03", False),   # New Year's Day substitute
    ("2029-12-25", False),   # beyond what GOV.UK publishes today
    ("2030-04-19", False),   # Good Friday 2030
    ("2026-05-04", False),   # early May bank holiday
    ("2026-05-25", False),   # spring bank holiday
    ("2026-08-31", False),   # summer bank holiday
    ("2026-08-30", False),   # Sunday
    ("2026-06-15", True),    # an ordinary Monday
])
def test_is_working_day(day, working):
    assert is_working_day(d(day)) is working


def test_fifteen_working_days_across_christmas_2026():
    # Friday 18 December 2026: skips both weekends of the holiday, 25 and 28 December and
    # 1 January 2027.
    due = add_working_days(d("2026-12-18"), 15)
    assert due == d("2027-01-13")
    counted = counted_by_hand(d("2026-12-18"), due)
    assert len(counted) == 15
    assert not {d("2026-12-25"), d("2026-12-28"), d("2027-01-01")} & set(counted)
    assert counted[:5] == [d("2026-12-21"), d("2026-12-22"), d("2026-12-23"), d("2026-12-24"),
                           d("2026-12-29")]


def test_five_working_days_across_christmas_2026_for_a_ppo_or_high_rosh():
    assert add_working_days(d("2026-12-18"), 5) == d("2026-12-29")
    assert add_working_days(d("2026-12-24"), 5) == d("2027-01-05")


def test_fifteen_and_five_working_days_across_easter_2027():
    # Thursday 25 March 2027; Good Friday 26, Easter Monday 29 March.
    assert add_working_days(d("2027-03-25"), 1) == d("2027-03-30")
    assert add_working_days(d("2027-03-25"), 5) == d("2027-04-05")
    assert add_working_days(d("2027-03-25"), 15) == d("2027-04-19")
    # Three weeks earlier, with no holiday in the way, 15 working days are three weeks.
    assert add_working_days(d("2027-03-04"), 15) == d("2027-03-25")


def test_christmas_2027_loses_two_substitute_days():
    # Friday 24 December 2027 + 1 working day: 27 and 28 December are off.
    assert add_working_days(d("2027-12-24"), 1) == d("2027-12-29")
    # and New Year's Day 2028 (a Saturday) moves to Monday 3 January.
    assert add_working_days(d("2027-12-31"), 1) == d("2028-01-04")


def test_n_zero_is_the_start_itself_even_on_a_holiday():
    for start in ("2026-12-18", "2026-12-25", "2026-12-26"):
        assert add_working_days(d(start), 0) == d(start)


def test_a_start_on_a_weekend_or_holiday_counts_from_the_next_working_day():
    assert add_working_days(d("2026-12-26"), 1) == d("2026-12-29")   # Saturday
    assert add_working_days(d("2027-03-26"), 1) == d("2027-03-30")   # Good Friday


def test_negative_n_and_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_working_days(d("2026-12-18"), -1)
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 12, 25, 9, 0))


def test_working_days_between_agrees_with_add_working_days_for_every_start_2026_to_2030():
    start = d("2026-01-01")
    while start <= d("2030-12-31"):
        for n in (0, 1, 5, 15):
            due = add_working_days(start, n)
            assert working_days_between(start, due) == n, (start, n)
            assert n == 0 or is_working_day(due)
            assert working_days_between(due, start) == -n
        start += timedelta(days=1)


def test_working_days_between_counts_a_whole_year():
    # 2027 has 261 weekdays and 8 bank holidays on weekdays (Christmas and Boxing Day fall
    # on the weekend but their substitutes do not).
    assert working_days_between(d("2026-12-31"), d("2027-12-31")) == 261 - 8
    assert working_days_between(d("2026-12-31"), d("2027-12-31")) == len(
        counted_by_hand(d("2026-12-31"), d("2027-12-31")))
    assert working_days_between(d("2026-12-24"), d("2026-12-24")) == 0


@pytest.mark.parametrize("start,months,expected", [
    ("2027-01-15", 1, "2027-02-15"),
    ("2027-01-31", 1, "2027-02-28"),
    ("2028-01-31", 1, "2028-02-29"),   # leap year
    ("2027-08-31", 6, "2028-02-29"),   # six months into a leap February
    ("2026-08-31", 6, "2027-02-28"),
    ("2028-02-29", 12, "2029-02-28"),
    ("2028-02-29", 48, "2032-02-29"),
    ("2027-03-31", 1, "2027-04-30"),
    ("2026-07-31", 6, "2027-01-31"),   # across the year end
    ("2026-12-31", 2, "2027-02-28"),
    ("2027-05-31", -3, "2027-02-28"),  # back: "the previous three months"
    ("2027-01-10", -1, "2026-12-10"),
    ("2027-01-10", 0, "2027-01-10"),
])
def test_add_calendar_months_clamps_to_the_month_end(start, months, expected):
    assert add_calendar_months(d(start), months) == d(expected)
