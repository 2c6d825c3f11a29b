"""The shape of the ids this API makes (context.py makes them): what a path or a filter
must look like before anything is looked up by it. Pure."""

from __future__ import annotations


def is_our_id(text: str) -> bool:
    """Ids this API makes, a record's or a case's (MG14-0A1B2C3D4E): letters, digits and
    '-', at most 64. Anything else is not looked up."""
    return 3 <= len(text) <= 64 and text.isascii() and all(
        c.isalnum() or c == "-" for c in text)
