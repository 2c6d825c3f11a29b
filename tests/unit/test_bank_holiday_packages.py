"""Which package gives England and Wales bank holidays for 2026-2030 with no network?

The expected days are worked out here from the rules, not typed in: Easter by the Anonymous
Gregorian algorithm; New Year's Day, Good Friday, Easter Monday, the first and last Mondays
in May, the last Monday in August, Christmas Day and Boxing Day; and a holiday that falls on
a weekend gives the next weekday that is not already a holiday. Both packages are compared
with that while the network is blocked, so the finding does not depend on it.

Finding (recorded in docs/deadlines.md): `holidays` (GB, subdivision ENG) matches every year;
`govuk-bank-holidays` ships a copy of GOV.UK's published list that ends on 26 December 2028,
so offline it knows nothing of 2029 and 2030 (and its default constructor goes to the
network first). chalicelib.workdays therefore uses `holidays`.
"""

from __future__ import annotations

import socket
from datetime import date, timedelta

import holidays
import pytest
from govuk_bank_holidays.bank_holidays import BankHolidays

YEARS = range(2026, 2031)
GOVUK_OFFLINE_YEARS = range(2026, 2029)  # what govuk-bank-holidays 0.19 carries offline
MONDAY, FRIDAY, SATURDAY = 0, 4, 5


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to resolve a name or connect fails at once, as on a machine offline."""
    def no_name(*args, **kwargs):
        raise socket.gaierror("network blocked by the test")

    def no_connection(*args, **kwargs):
        raise OSError("network blocked by the test")
    monkeypatch.setattr(socket, "getaddrinfo", no_name)
    monkeypatch.setattr(socket.socket, "connect", no_connection)


def easter_sunday(year: int) -> date:
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(MONDAY - first.weekday()) % 7)


def last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def expected_days_off(year: int) -> set[date]:
    """The weekdays off in England and Wales in `year`, by the published rules."""
    easter = easter_sunday(year)
    by_rule = {easter - timedelta(days=2), easter + timedelta(days=1),
               first_monday(year, 5), last_monday(year, 5), last_monday(year, 8)}
    fixed = [date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)]
    days = by_rule | {d for d in fixed if d.weekday() < SATURDAY}
    for holiday in fixed:
        if holiday.weekday() >= SATURDAY:
            substitute = holiday
            while substitute.weekday() >= SATURDAY or substitute in days:
                substitute += timedelta(days=1)
            days.add(substitute)
    return days


def weekdays(days) -> set[date]:
    return {d for d in days if d.weekday() < SATURDAY}


def test_the_rules_here_give_the_known_easter_and_substitute_days():
    """The expectations themselves are checked against days anyone can look up."""
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert {date(2027, 3, 26), date(2027, 3, 29)} <= expected_days_off(2027)
    assert easter_sunday(2000) == date(2000, 4, 23) and easter_sunday(2038) == date(2038, 4, 25)
    # Boxing Day 2026 is a Saturday: Monday 28 December instead.
    assert {d for d in expected_days_off(2026) if d.month == 12} == {date(2026, 12, 25),
                                                                     date(2026, 12, 28)}
    # Christmas 2027 is a Saturday and Boxing Day a Sunday: Monday 27 and Tuesday 28.
    assert {d for d in expected_days_off(2027) if d.month == 12} == {date(2027, 12, 27),
                                                                     date(2027, 12, 28)}
    # New Year's Day 2028 is a Saturday: Monday 3 January.
    assert date(2028, 1, 3) in expected_days_off(2028)
    assert all(len(expected_days_off(y)) == 8 for y in YEARS)


def holidays_package(year: int):
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


@pytest.mark.parametrize("year", YEARS)
def test_holidays_package_matches_the_rules_offline(year):
    found = holidays_package(year)
    assert weekdays(found) == expected_days_off(year)
    # Its weekend entries are only the real dates of holidays that got a substitute.
    assert {d for d in found if d.weekday() >= SATURDAY} <= {
        date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)}
    # England and Wales share their bank holidays.
    assert dict(found) == dict(holidays.country_holidays("GB", subdiv="WLS", years=year))


def govuk_offline() -> BankHolidays:
    return BankHolidays(use_cached_holidays=True)


def govuk_days_off(calendar: BankHolidays, year: int) -> set[date]:
    return {h["date"] for h in calendar.get_holidays(division=BankHolidays.ENGLAND_AND_WALES,
                                                    year=year)}


@pytest.mark.parametrize("year", GOVUK_OFFLINE_YEARS)
def test_govuk_bank_holidays_offline_matches_the_rules_where_it_has_data(year):
    assert govuk_days_off(govuk_offline(), year) == expected_days_off(year)


@pytest.mark.parametrize("year", [y for y in YEARS if y not in GOVUK_OFFLINE_YEARS])
def test_govuk_bank_holidays_offline_has_nothing_for_later_years(year):
    """The gap that rules it out. If a new version ships more years this fails: look again."""
    calendar = govuk_offline()
    assert govuk_days_off(calendar, year) == set()
    assert calendar.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)[-1]["date"] == \
        date(2028, 12, 26)
    # So it would count Christmas Day 2029 (a Tuesday) as a working day.
    assert calendar.is_work_day(date(year, 12, 25), division=BankHolidays.ENGLAND_AND_WALES)


def test_govuk_bank_holidays_falls_back_to_the_same_copy_when_the_network_fails(caplog):
    """Its default constructor asks GOV.UK first; with no network it uses the shipped copy."""
    assert BankHolidays(download_timeout=1).data == govuk_offline().data
    assert "Using backup bank holiday data" in caplog.text


def test_the_two_packages_agree_on_every_year_govuk_publishes():
    """A second source for `holidays`: GOV.UK's own list from 2012 to 2028, which holds the
    moved early May bank holiday of 2020 (VE Day, Friday 8 May) and the one-off days of
    2012, 2022 and 2023. The package knows of no moved days in 2026-2030."""
    calendar = govuk_offline()
    for year in range(2012, 2029):
        assert weekdays(holidays_package(year)) == govuk_days_off(calendar, year), year
    assert date(2020, 5, 8) in holidays_package(2020)
    assert date(2020, 5, 4) not in holidays_package(2020)
