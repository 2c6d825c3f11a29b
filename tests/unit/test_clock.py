"""The one clock: England's date, a clock set to another day, the DIPFORMS_CLOCK setting."""

from __future__ import annotations

import datetime

import pytest
from chalicelib.clock import (
    FixedClock,
    SetClock,
    england_date,
    epoch_seconds,
    iso,
    parse_clock_setting,
    record_day,
)
from chalicelib.runtime import make_clock
from chalicelib.settings import Settings

UTC = datetime.UTC


@pytest.mark.parametrize(("moment", "day"), [
    (datetime.datetime(2026, 7, 1, 22, 30, tzinfo=UTC), datetime.date(2026, 7, 1)),
    (datetime.datetime(2026, 7, 1, 23, 30, tzinfo=UTC), datetime.date(2026, 7, 2)),  # BST
    (datetime.datetime(2026, 12, 1, 23, 30, tzinfo=UTC), datetime.date(2026, 12, 1)),  # GMT
    (datetime.datetime(2027, 3, 28, 0, 30, tzinfo=UTC), datetime.date(2027, 3, 28)),  # the change
    (datetime.datetime(2026, 10, 24, 23, 0, tzinfo=UTC), datetime.date(2026, 10, 25)),
    (datetime.datetime(2026, 7, 1, 23, 30), datetime.date(2026, 7, 2)),  # naive is UTC
])
def test_today_is_the_date_in_england_not_in_utc(moment, day):
    assert england_date(moment) == day
    assert england_date(FixedClock(moment.replace(tzinfo=moment.tzinfo or UTC)).now()) == day


def test_a_record_is_dated_by_the_day_in_england_it_was_made():
    assert record_day("2026-06-30T23:15:00.000000Z") == datetime.date(2026, 7, 1)
    assert record_day(iso(datetime.datetime(2026, 1, 5, 23, 59, tzinfo=UTC))) == (
        datetime.date(2026, 1, 5))


def test_a_set_clock_starts_where_it_is_set_runs_on_and_can_be_moved():
    start = datetime.datetime(2028, 2, 29, 10, tzinfo=UTC)
    clock = SetClock(start)
    first = clock.now()
    assert start <= first < start + datetime.timedelta(seconds=5)
    assert clock.now() >= first
    clock.advance(days=30)
    assert clock.now().date() == datetime.date(2028, 3, 30)
    assert epoch_seconds(clock) >= int(start.timestamp()) + 30 * 86400


def test_a_fixed_clock_stands_still_until_moved():
    clock = FixedClock(datetime.datetime(2030, 12, 24, 12, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(hours=12)
    assert england_date(clock.now()) == datetime.date(2030, 12, 25)


@pytest.mark.parametrize(("text", "moment"), [
    ("2026-11-25", datetime.datetime(2026, 11, 25, 10, tzinfo=UTC)),          # GMT
    ("2027-07-01", datetime.datetime(2027, 7, 1, 9, tzinfo=UTC)),             # 10:00 BST
    ("2026-11-25T09:30:00Z", datetime.datetime(2026, 11, 25, 9, 30, tzinfo=UTC)),
    ("2026-11-25T09:30:00+01:00", datetime.datetime(2026, 11, 25, 8, 30, tzinfo=UTC)),
])
def test_the_clock_setting_takes_a_day_or_a_moment_with_its_zone(text, moment):
    assert parse_clock_setting(text) == moment


@pytest.mark.parametrize(("text", "says"), [
    ("25/11/2026", "is not a date like 2026-11-25"),
    ("2026-11-25T09:30:00", "has no time zone"),
    ("2026-02-30", "is not a date like 2026-11-25"),
])
def test_a_wrong_clock_setting_says_what_to_write(text, says):
    with pytest.raises(ValueError, match=says):
        parse_clock_setting(text)


def test_the_machine_clock_unless_a_clock_is_set_and_never_a_set_clock_with_cognito():
    assert type(make_clock(Settings())).__name__ == "SystemClock"
    set_clock = make_clock(Settings(clock="2026-11-25"))
    assert england_date(set_clock.now()) == datetime.date(2026, 11, 25)
    with pytest.raises(ValueError, match="one machine"):
        make_clock(Settings(clock="2026-11-25", auth="cognito"))
    with pytest.raises(ValueError, match="no time zone"):
        make_clock(Settings(clock="2026-11-25T10:00"))
