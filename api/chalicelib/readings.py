"""What reads of a case remember between requests: a bounded memo, in the process, of what is
derived from a case's records and timeline alone (its parties, its consent in force, the
person a reader is shown), keyed by the case's version.

Why a version key is enough: every change to what these are derived from moves the case's
version, in the same transaction, on both stores. A record joining the case, an amendment
(a new version of a record on the case, so a consent withdrawn on any form), a hand-over and
every other case command commit a CaseChange whose version is the stored one plus one
(caseflow.moved; the store refuses any other: base.check_case_version, and SQLite's
cases_one_step trigger). The one write to a case that keeps its version, the sweep's
reminder line (fire_deadlines), names no party and records no consent. So a read that finds
the case at version V may use what was derived at V: the version is read from the store on
every request (one point read), and a memo held by another process, or from before a change,
is simply never asked for the new version.

A value is kept only when the case's version was the same before and after it was derived
(`remember`), so nothing derived from a case caught between two changes is kept under either.
The memo holds agency ids, consent scopes and, for the person, the few details a reader is
shown (never logged); it is bounded (least recently used goes first), and lives as long as
its Context (one process, or one test).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

Value = TypeVar("Value")
#: How many derived values one process keeps: a reading is a few agency ids and a consent,
#: a person four short strings; 4,096 of them are a few MB at most.
CAPACITY = 4096


class Memo:
    """A thread-safe LRU map of at most `capacity` values."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("a memo holds at least one value")
        self.capacity = capacity
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._values:
                return None
            self._values.move_to_end(key)
            return self._values[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.capacity:
                self._values.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


def remember(memo: Memo, key: tuple[Hashable, ...], version: int,
             derive: Callable[[], Value], version_now: Callable[[], int | None]) -> Value:
    """The value derived for `key` at the case's `version` (read just before): the memo's,
    or `derive()`, kept only if the case is still at `version` (`version_now()`, read after
    it) so that it is the value of exactly that version."""
    full = (*key, version)
    found = memo.get(full)
    if found is not None:
        return found
    value = derive()
    if version_now() == version:
        memo.put(full, value)
    return value
