"""The one clock: every "now" and every "today" in the API, the CLI and the local server
comes from a Clock passed in, and only this module reads the system time.

Today is the date in England (Europe/London): a form filled in at 00:30 in summer is
dated that day, although it is still the day before in UTC. A record is judged as of the
day it was made (`record_day`), not the day it is read or amended.
"""

from __future__ import annotations

import datetime
import time
from typing import Protocol

ENGLAND = "Europe/London"


class Clock(Protocol):
    def now(self) -> datetime.datetime:
        """This moment, timezone-aware."""
        ...


def england_date(moment: datetime.datetime) -> datetime.date:
    """The date in England at `moment` (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo(ENGLAND)).date()
    except (ImportError, LookupError):  # no time-zone database: UTC is at most an hour off
        return moment.astimezone(datetime.UTC).date()


def epoch_seconds(clock: Clock) -> int:
    """Now as whole seconds since 1970 (what tokens carry in iat and exp)."""
    return int(clock.now().timestamp())


def iso(moment: datetime.datetime) -> str:
    """The stored form of a moment: UTC with microseconds, e.g. 2026-12-06T19:48:05.000000Z."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_day(created_at: str) -> datetime.date:
    """The day a record was made, in England, from its first version's `created_at`."""
    return england_date(datetime.datetime.fromisoformat(created_at.replace("Z", "+00:00")))


class SystemClock:
    """The machine's clock: what runs in production."""

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC)


class SetClock:
    """A clock set to `start` when made, that then runs on at the machine's pace: for a
    rehearsal or a training copy run as of another day (DIPFORMS_CLOCK), and for tests."""

    def __init__(self, start: datetime.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a set clock needs a time zone, e.g. 2026-11-25T10:00:00Z")
        self.start, self._began = start, time.monotonic()

    def now(self) -> datetime.datetime:
        return self.start + datetime.timedelta(seconds=time.monotonic() - self._began)

    def advance(self, **delta: float) -> None:
        """Move the clock on (a test's "thirty days later"); it keeps running from there."""
        self.start += datetime.timedelta(**delta)

    def shared(self) -> dict[str, str | float]:
        """What another process on this machine needs to tell the same time (follow()):
        time.monotonic() counts from the same moment in every process of one machine."""
        return {"start": self.start.isoformat(), "began": self._began}

    def follow(self, shared: dict[str, str | float]) -> None:
        """Tell the time of the SetClock whose shared() this is (`dipforms run`'s worker
        processes, which must never disagree with the main one, nor go back on restart)."""
        self.start = datetime.datetime.fromisoformat(str(shared["start"]))
        self._began = float(shared["began"])


class FixedClock:
    """A clock that stands still until moved (tests and benchmarks)."""

    def __init__(self, moment: datetime.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a fixed clock needs a time zone")
        self.moment = moment

    def now(self) -> datetime.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += datetime.timedelta(**delta)


def parse_clock_setting(text: str) -> datetime.datetime:
    """DIPFORMS_CLOCK: '2026-11-25' (10:00 in England that day) or an ISO moment with its
    zone ('2026-11-25T09:30:00Z'). Raises ValueError saying what to write instead."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            from zoneinfo import ZoneInfo

            return datetime.datetime.combine(day, datetime.time(10), ZoneInfo(ENGLAND))
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"DIPFORMS_CLOCK={text!r} is not a date like 2026-11-25 or a moment "
                         "like 2026-11-25T09:30:00Z") from None
    if moment.tzinfo is None:
        raise ValueError(f"DIPFORMS_CLOCK={text!r} has no time zone: end it with Z or +01:00")
    return moment
