"""The audit log's entries and how they are read: the entry a request leaves (who: user, role,
agency; what; to which target; when; under which request id; a reference to where its reason
is kept, never the text), the filters of GET /v1/audit, and an entry as that route answers
it. Pure; the Store keeps the entries.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from ..contract import codes
from ..store.base import AuditEntry, AuditQuery, RecordVersion, sortable
from .access import Principal
from .ids import is_our_id

ENGLAND = "Europe/London"
DENIED = "_denied"                  # the suffix of an action that was refused
PAGE_DEFAULT, PAGE_MOST = 50, 200   # entries on one page of GET /v1/audit
PARAMETERS = ("case", "user", "from", "to", "limit", "cursor")


def audit_entry(who: Principal, action: str, target: str, at: str, reason: str | None = None,
                request_id: str | None = None, reason_ref: str | None = None) -> AuditEntry:
    """`reason_ref` says where the why is kept (a record version `<id>@v<n>`, a step or fact
    id). `reason` is free text the log keeps but never answers: pass a reference instead."""
    return AuditEntry(at=at, actor=who.user_id, role=who.role, agency=who.agency,
                      action=action, target=target, reason=reason, request_id=request_id,
                      reason_ref=reason_ref)


def version_ref(version: RecordVersion) -> str:
    """The reference to a record version, whose `reason` (an amendment's) the log points at
    instead of copying it: MG14-0A1B2C3D4E@v2."""
    return f"{version.record_id}@v{version.version}"


def may_read_log(who: Principal, readers: tuple[str, ...]) -> bool:
    """Only the roles the protocol's `audit: readers` names read the log."""
    return who.role in readers


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """An entry as GET /v1/audit answers it: who, what, when, the reference and the outcome.
    Never its `reason`, free text that entries written before `reason_ref` may hold."""
    denied = entry.action.endswith(DENIED)
    return {"at": entry.at, "user": entry.actor, "role": entry.role, "agency": entry.agency,
            "action": entry.action.removesuffix(DENIED), "outcome": "denied" if denied
            else "allowed", "target": entry.target, "reason_ref": entry.reason_ref,
            "request_id": entry.request_id}


# -- the filters of GET /v1/audit ---------------------------------------------------------------

def audit_filters(params: Mapping[str, str]
                  ) -> tuple[AuditQuery, int, str | None] | list[dict[str, str]]:
    """(the query, the page size, the cursor) from the query string, or the field errors.
    `from` and `to` are dates in England (a whole day: `to` includes its last moment) or
    moments (with a zone, or taken as England's time)."""
    given = {name: value for name, value in params.items() if value != ""}
    errors = [_error(name, codes.UNKNOWN_FIELD, f"{name} is not a filter of the audit log: "
                     f"use {', '.join(PARAMETERS)}") for name in given if name not in PARAMETERS]
    case, user = given.get("case"), given.get("user")
    if case is not None and not is_our_id(case):
        errors.append(_error("case", codes.PATTERN,
                             "case must be a case reference, like MG14-0A1B2C3D4E"))
    if user is not None and not _is_user_id(user):
        errors.append(_error("user", codes.PATTERN, "user must be a user ID"))
    since = _moment(given.get("from"), "from", errors, end_of_day=False)
    before = _moment(given.get("to"), "to", errors, end_of_day=True)
    if since is not None and before is not None and before <= since:
        errors.append(_error("to", codes.ORDER, "to must not be before from"))
    limit = _limit(given.get("limit"), errors)
    if errors:
        return errors
    return AuditQuery(case=case, actor=user, since=since, before=before), limit, given.get(
        "cursor")


def _error(name: str, code: str, message: str) -> dict[str, str]:
    return {"field": name, "code": code, "message": message}


def _is_user_id(text: str) -> bool:
    """A local user ID or a Cognito subject: printable ASCII without spaces, at most 128."""
    return 0 < len(text) <= 128 and text.isascii() and text.isprintable() and " " not in text


def _moment(text: str | None, name: str, errors: list, *, end_of_day: bool) -> str | None:
    """The stored timestamp `text` bounds the log at: `from` inclusive, `to` exclusive (a
    date's next midnight in England, a moment's next microsecond)."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text) + datetime.timedelta(days=end_of_day)
            moment = datetime.datetime.combine(day, datetime.time(), _england())
        else:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=_england())
            moment += datetime.timedelta(microseconds=end_of_day)
        return sortable(moment)
    except (ValueError, OverflowError):
        errors.append(_error(name, codes.FORMAT, f"{name} must be a date like 2026-12-01 or "
                             "a moment like 2026-12-01T09:30:00Z"))
        return None


def _england() -> datetime.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(ENGLAND)
    except (ImportError, LookupError):  # no time-zone database: UTC is at most an hour off
        return datetime.UTC


def _limit(text: str | None, errors: list) -> int:
    if text is None:
        return PAGE_DEFAULT
    if not (text.isascii() and text.isdigit()):
        errors.append(_error("limit", codes.TYPE, "limit must be a whole number"))
        return PAGE_DEFAULT
    number = int(text) if len(text) <= 6 else PAGE_MOST + 1
    if not 1 <= number <= PAGE_MOST:
        errors.append(_error("limit", codes.MIN if number < 1 else codes.MAX,
                             f"limit must be from 1 to {PAGE_MOST}"))
    return number
