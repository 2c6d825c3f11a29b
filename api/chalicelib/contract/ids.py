"""How a record's id begins: its form's id in capitals, '-' for '_', at most 12 characters
(MG14-0A1B2C3D4E, DIR-INITIAL--...). The API makes ids with it (context.py) and the page
server reads it back, to send an old /records/<id> link to that form's record page."""

from __future__ import annotations

from collections.abc import Iterable

PREFIX_LENGTH = 12


def record_prefix(form_id: str) -> str:
    return form_id.replace("_", "-").upper()[:PREFIX_LENGTH]


def form_of_record(record_id: str, form_ids: Iterable[str]) -> str | None:
    """The form whose records' ids begin as `record_id` does, or None when no form, or more
    than one, does."""
    prefix, _, rest = record_id.rpartition("-")
    if not prefix or not rest:
        return None
    found = [form for form in form_ids if record_prefix(form) == prefix]
    return found[0] if len(found) == 1 else None
