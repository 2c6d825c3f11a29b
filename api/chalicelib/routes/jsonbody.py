"""A request body's JSON, read so that no body can hurt the server: nested no deeper than
MAX_JSON_DEPTH, every text (names too) valid Unicode, every number finite. What is refused
is refused before anything is stored, naming where (a JSON pointer), never what was sent.

Python's parser recurses (a RecursionError, caught, past ~1000 levels); the checks below
walk the parsed value with a list of their own, so no depth can exhaust the stack. Both
stores would otherwise fail late: SQLite cannot encode a lone surrogate ("\\ud800") nor
keep Infinity as JSON, and DynamoDB refuses both.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..contract import codes
from ..domain.results import Refused
from ..settings import MAX_JSON_DEPTH

_SURROGATE = re.compile("[\ud800-\udfff]")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # NaN, Infinity, -Infinity


def pointer(parent: str, key: str | int) -> str:
    """RFC 6901: `parent` then one more step, with '~' and '/' escaped."""
    return f"{parent}/{str(key).replace('~', '~0').replace('/', '~1')}"


def _refused(field: str, code: str, message: str) -> Refused:
    return Refused("bad_json", [{"field": field, "code": code, "message": message}])


def _bad_text(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def problem(value: Any, limit: int = MAX_JSON_DEPTH) -> Refused | None:
    """The first thing wrong with a parsed body, or None. A name that is not valid Unicode
    is reported at its object (the name itself cannot be shown)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, at, depth = stack.pop()
        if isinstance(item, str):
            if _bad_text(item):
                return _refused(at, codes.NOT_UNICODE, "This text holds a character that is "
                                "not valid Unicode (a lone surrogate)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                return _refused(at, codes.MAX, "This number is too large to keep")
        elif isinstance(item, (dict, list)):
            if depth >= limit:
                return _refused(at, codes.TOO_DEEP, f"The body nests deeper than {limit} "
                                "levels here")
            if isinstance(item, dict):
                for key, inner in item.items():
                    if _bad_text(key):
                        return _refused(at, codes.NOT_UNICODE, "A name here holds a character "
                                        "that is not valid Unicode (a lone surrogate)")
                    stack.append((inner, pointer(at, key), depth + 1))
            else:
                stack.extend((inner, pointer(at, index), depth + 1)
                             for index, inner in enumerate(item))
    return None


def parse(raw: bytes) -> Any | Refused:
    """The body's value, or the refusal to answer (400 bad_json, with a field error when
    the text parsed but holds what cannot be kept)."""
    try:
        value = json.loads(raw, parse_constant=_not_json)
    except RecursionError:
        return _refused("", codes.TOO_DEEP, f"The body nests deeper than {MAX_JSON_DEPTH} "
                        "levels")
    except (ValueError, UnicodeDecodeError):
        return Refused("bad_json")
    return problem(value) or value
