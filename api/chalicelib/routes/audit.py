"""The audit log: who read or changed what, and when (the roles the protocol names)."""

from __future__ import annotations

from ..runtime import runtime
from .area import Area

area = Area("audit")


@area.route("/v1/audit")
def audit_log(who):
    """?case=&user=&from=&to=&limit=&cursor=: a page of the audit log, newest first."""
    from .. import audit_log

    return audit_log.read_log(runtime().context, who, area.query(), area.request_id())
