"""The audit entry a request leaves: who (user, role, agency) did what to which target,
when, why, and under which request id. Pure; the Store keeps the entries."""

from __future__ import annotations

from ..store.base import AuditEntry
from .access import Principal


def audit_entry(who: Principal, action: str, target: str, at: str, reason: str | None = None,
                request_id: str | None = None) -> AuditEntry:
    return AuditEntry(at=at, actor=who.user_id, role=who.role, agency=who.agency,
                      action=action, target=target, reason=reason, request_id=request_id)
