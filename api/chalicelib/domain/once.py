"""What is worked out once per object of a catalogue (the protocol's agencies) rather
than on every request: kept by the object itself, checked by identity,
so an object made anew (another catalogue's, a test's), even one equal to the old, is
worked out afresh, and a freed object's id given to a new one finds nothing stale.

Only for objects nobody changes in place (the catalogue's, read from generated/ once).
rules.compiled keeps its expressions the same way, in itself (rules.py imports nothing of
ours). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class PerObject(Generic[Key, Value]):
    """`make(obj)`, made on the first call for `obj` and kept for the next ones. Bounded:
    past `most` objects it starts again (objects made on every call, as tests do, cannot
    make it grow without end)."""

    def __init__(self, make: Callable[[Key], Value], most: int = 20_000) -> None:
        self.make, self.most = make, most
        self.kept: dict[int, tuple[Key, Value]] = {}

    def __call__(self, obj: Key) -> Value:
        found = self.kept.get(id(obj))
        if found is not None and found[0] is obj:
            return found[1]
        value = self.make(obj)
        if len(self.kept) >= self.most:
            self.kept.clear()
        self.kept[id(obj)] = (obj, value)
        return value
