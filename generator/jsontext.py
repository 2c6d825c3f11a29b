"""JSON text of the build's outputs (schemas, manifest, protocol, process, settings):
exactly `json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\\n"`, about
twice as fast.

The standard library encodes with C only when it does not indent; indented, it walks the
value in Python through generators, a tenth of a one-form build (generator/README.md: Build
speed). This walk appends to one list and leaves strings to the same C escaping json uses.
tests/unit/test_jsontext.py holds it to json.dumps's bytes.
"""

from __future__ import annotations

from json.encoder import encode_basestring  # the C escaping, where CPython has it
from typing import Any

INDENT = "  "
_FLOATS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


def dump_json(value: Any) -> str:
    """`value` as indented JSON with sorted keys, non-ASCII as it is, and a final newline."""
    out: list[str] = []
    _write(value, out, "\n")
    out.append("\n")
    return "".join(out)


def _write(value: Any, out: list[str], newline: str) -> None:
    """Append `value`'s JSON to `out`; `newline`: a line break and the current indent."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append("NaN" if value != value else _FLOATS.get(value) or float.__repr__(value))
    elif isinstance(value, dict):
        _write_object(value, out, newline)
    elif isinstance(value, (list, tuple)):
        _write_array(value, out, newline)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write_object(value: dict, out: list[str], newline: str) -> None:
    if not value:
        out.append("{}")
        return
    inner, opening = newline + INDENT, "{"
    for key in sorted(value):
        if not isinstance(key, str):   # json.dumps would write it as text: not in our outputs
            raise TypeError(f"keys must be str, not {type(key).__name__}")
        out.append(opening + inner)
        opening = ","
        out.append(encode_basestring(key))
        out.append(": ")
        _write(value[key], out, inner)
    out.append(newline + "}")


def _write_array(value: list | tuple, out: list[str], newline: str) -> None:
    if not value:
        out.append("[]")
        return
    inner, opening = newline + INDENT, "["
    for item in value:
        out.append(opening + inner)
        opening = ","
        _write(item, out, inner)
    out.append(newline + "]")
