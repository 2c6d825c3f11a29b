"""An outbox event's answers, read back from the record versions its payload refers to.

Routing keeps `fields_ref` in the payload instead of a copy of the answers (routing.py); a
channel is handed the payload it always had, with `fields`, made here just before sending.
Pure: the record versions are read through the `read_version` passed in. An event stored
before references were kept (its payload has `fields`) is sent as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ..store.base import OutboxEvent, RecordVersion

ReadVersion = Callable[[str, int], RecordVersion | None]


class MissingRecord(LookupError):
    """A record version an event refers to is not in the store (it never is deleted)."""


def with_answers(event: OutboxEvent, read_version: ReadVersion) -> OutboxEvent:
    """The event with `fields` in place of its `fields_ref`: for a record event the named
    answers; for a case event, form id -> the named answers of that form's record."""
    payload = event.payload
    ref = payload.get("fields_ref")
    if ref is None:
        return event
    if "case_ref" in payload:
        fields = {form_id: _answers(one, read_version) for form_id, one in ref.items()}
    else:
        fields = _answers(ref, read_version)
    kept = {name: value for name, value in payload.items() if name != "fields_ref"}
    return dataclasses.replace(event, payload={**kept, "fields": fields})


def _answers(ref: Mapping[str, Any], read_version: ReadVersion) -> dict[str, Any]:
    record = read_version(ref["record"], ref["version"])
    if record is None:
        raise MissingRecord(f"no version {ref['version']} of record {ref['record']}")
    return {name: record.data[name] for name in ref["names"] if name in record.data}
