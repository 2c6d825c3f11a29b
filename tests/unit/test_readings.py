"""The memo of what reads derive from a case (chalicelib/readings.py): bounded, least
recently used first out, and a value kept only for the version it was derived at."""

from __future__ import annotations

import pytest
from chalicelib.readings import Memo, remember


def test_the_memo_keeps_at_most_its_capacity_dropping_the_least_recently_used():
    memo = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1          # "a" used: "b" is now the oldest
    memo.put("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c"), len(memo)) == (1, None, 3, 2)
    with pytest.raises(ValueError):
        Memo(0)


def test_remember_derives_once_per_version_and_keeps_only_a_version_that_held():
    memo, made = Memo(), []

    def derive():
        made.append(1)
        return ("reading", len(made))

    assert remember(memo, ("case", "C1"), 3, derive, lambda: 3) == ("reading", 1)
    assert remember(memo, ("case", "C1"), 3, derive, lambda: 3) == ("reading", 1)
    assert remember(memo, ("case", "C1"), 4, derive, lambda: 4) == ("reading", 2)
    assert len(made) == 2                          # a new version is derived again
    assert remember(memo, ("case", "C2"), 1, derive, lambda: 2) == ("reading", 3)
    assert memo.get(("case", "C2", 1)) is None     # moved meanwhile: not kept
