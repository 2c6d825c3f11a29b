"""The audit log through the API: paging through it (GET /v1/audit, for the roles the
protocol's `audit:` names), and the read entry of a case read, which returns answers like a
record read does. Every read of the log is itself audited. No HTTP: each returns a result.
"""

from __future__ import annotations

from collections.abc import Mapping

from .context import Context
from .contract import codes
from .domain.access import Principal
from .domain.audit import audit_entry, audit_filters, entry_json, may_read_log
from .domain.ids import is_our_id
from .domain.results import Done, Refused, Result
from .store.base import InvalidCursor

LOG = "audit"  # the target of an entry that says the log itself was read


def read_log(ctx: Context, who: Principal, params: Mapping[str, str],
             request_id: str | None = None) -> Result:
    """A page of the log, newest first, by case, user and time: who, what, when, the
    reference and the outcome of each entry, never a reason's text or an answer."""
    allowed = (ctx.policy.denial_reason(who) is None   # an agency whose type holds the role
               and may_read_log(who, ctx.catalogue.protocol.audit.readers))
    ctx.store.append_audit(audit_entry(who, "audit_read" if allowed else "audit_read_denied",
                                       LOG, ctx.timestamp(), request_id=request_id))
    if not allowed:
        return Refused("forbidden")
    filters = audit_filters(params)
    if isinstance(filters, list):
        return Refused("bad_request", filters)
    query, limit, cursor = filters
    try:
        page = ctx.store.page_audit(query, limit, cursor)
    except InvalidCursor:
        return Refused("bad_request", [{"field": "cursor", "code": codes.INVALID,
                                        "message": "Start again from the first page"}])
    return Done({"entries": [entry_json(e) for e in page.items], "next_cursor": page.cursor})


def read_case(ctx: Context, who: Principal, case_ref: str, request_id: str | None = None,
              params: Mapping[str, str] | None = None) -> Result:
    """cases.case_view, audited: `case_read` when the case was shown, `case_read_denied`
    when a case that exists was refused (an unknown reference leaves no entry, as an
    unknown record id does not). The entry is written before the answer goes."""
    from . import cases

    result = cases.case_view(ctx, who, case_ref, params)
    if isinstance(result, Refused) and result.code == "bad_request":
        return result                     # a cursor or limit refused: no case was read
    if isinstance(result, Done):
        action = "case_read"
    elif is_our_id(case_ref) and ctx.store.get_case(case_ref) is not None:
        action = "case_read_denied"
    else:
        return result
    ctx.store.append_audit(audit_entry(who, action, case_ref, ctx.timestamp(),
                                       request_id=request_id),
                           durable=action != "case_read")   # see Store.append_audit
    return result


CASES = "cases"   # the target of an entry that says the case list was read or searched
DUE = "due"       # ... that what is due was read


def list_cases(ctx: Context, who: Principal, params: Mapping[str, str],
               request_id: str | None = None) -> Result:
    """casefind.list_cases, audited: `case_list`, or `case_search` when it searched (the
    words are never kept: they may be a name); `_denied` when the caller was refused."""
    from . import casefind

    result = casefind.list_cases(ctx, who, dict(params))
    action = "case_search" if (params.get("q") or "").strip() else "case_list"
    return _audited(ctx, who, result, action, CASES, request_id)


def read_due(ctx: Context, who: Principal, request_id: str | None = None) -> Result:
    """casefind.due, audited: `due_read` (or `due_read_denied`)."""
    from . import casefind

    return _audited(ctx, who, casefind.due(ctx, who), "due_read", DUE, request_id)


def _audited(ctx: Context, who: Principal, result: Result, action: str, target: str,
             request_id: str | None) -> Result:
    """The entry is written before the answer goes; a request refused as malformed (400)
    read nothing and leaves none."""
    if isinstance(result, Refused) and result.code == "bad_request":
        return result
    denied = isinstance(result, Refused)
    ctx.store.append_audit(audit_entry(who, action + ("_denied" if denied else ""), target,
                                       ctx.timestamp(), request_id=request_id),
                           durable=denied)   # a read answered: see Store.append_audit
    return result
