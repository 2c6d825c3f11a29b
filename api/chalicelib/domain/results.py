"""What a use case answers: Done (what it made or found) or Refused (why not, with the
field errors). It says what happened, never how HTTP says it: responses.py turns a result
into a status, headers and the one JSON body. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..contract.codes import ERRORS


@dataclass(frozen=True)
class CsvFile:
    """A table to download (the DAT view's CSV), instead of a JSON answer."""

    filename: str
    text: str


@dataclass(frozen=True)
class Done:
    """The answer's fields (or a CsvFile). `created`: something new was stored, to be read
    at `location`; `replayed`: the first answer to a request sent again (idempotency)."""

    value: dict[str, Any] | CsvFile
    created: bool = False
    location: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class Refused:
    """Why not: `code` is one of codes.ERRORS, `errors` the items naming each field (their
    codes from codes.FIELD_CODES, or a form rule's id). `retry_after`: seconds until a
    request that was limited may be tried again."""

    code: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    retry_after: int | None = None

    def __post_init__(self) -> None:
        if self.code not in ERRORS:
            raise ValueError(f"{self.code!r} is not an error in codes.ERRORS")


Result = Done | Refused
