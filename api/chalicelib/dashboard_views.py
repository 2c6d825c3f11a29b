"""The DAT view through the API: dat_admin only, audited like every other read (admin.py),
built by dashboard.py from the counts and overdue rows the store keeps with each change.
Answers with the view, or one of its tables as a CsvFile.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import cases as cases_module
from .context import Context
from .contract import codes
from .domain import dashboard
from .domain.access import Principal
from .domain.audit import audit_entry
from .domain.deadlines import wanted_deadlines
from .domain.results import CsvFile, Done, Refused, Result
from .store.base import CaseCount, count_key

#: At most this many overdue actions and dead letters are read for one view; when a list
#: is that long the view says it may be cut short (`truncated`).
LIST_LIMIT = 10_000


def summary(ctx: Context) -> dict[str, Any]:
    """The summary for today (England and Wales), from the counts and overdue rows every
    case change keeps (store.case_counts, store.overdue): no case is read, so it costs the
    same at a thousand cases and at a million."""
    today = ctx.today().isoformat()
    store = ctx.store
    due = store.overdue(overdue_reasons(ctx), today, LIST_LIMIT)
    dead = store.list_events("dead", LIST_LIMIT)
    case_of, case_refs = {}, set()
    for record_id in {e.record_id for e in dead}:
        case_ref = store.case_of_record(record_id)
        if case_ref:
            case_of[record_id] = case_ref
        elif store.get_case(record_id) is not None:
            case_refs.add(record_id)
    result = dashboard.summarise_counts(store.case_counts(), due, dead,
                                        ctx.catalogue.process or {}, today,
                                        case_of_record=case_of, case_refs=case_refs)
    result["overdue"]["truncated"] = len(due) >= LIST_LIMIT
    result["dead_letters"]["truncated"] = len(dead) >= LIST_LIMIT
    return result


def overdue_reasons(ctx: Context) -> list[str]:
    """The deadlines that are overdue once their date passes: those without a `lead`
    (a reminder before a date is not overdue)."""
    process = cases_module.process_of(ctx)
    if process is None:
        return []
    return [d["id"] for d in process.deadlines if not d.get("lead")]


def recounted(ctx: Context) -> dict[str, Any]:
    """The summary as it was made before the counts were kept: every case read and its
    deadlines worked out afresh. For checking the kept counts (tests, `dipforms recount`)."""
    today = ctx.today().isoformat()
    store = ctx.store
    cases = list(store.iter_cases())
    due = outstanding(ctx, cases, today)[:LIST_LIMIT]
    dead = store.list_events("dead", LIST_LIMIT)
    case_of = {}
    for record_id in {e.record_id for e in dead}:
        case_ref = store.case_of_record(record_id)
        if case_ref:
            case_of[record_id] = case_ref
    result = dashboard.summarise(cases, due, dead, ctx.catalogue.process or {},
                                 today, case_of_record=case_of)
    result["overdue"]["truncated"] = len(due) >= LIST_LIMIT
    result["dead_letters"]["truncated"] = len(dead) >= LIST_LIMIT
    return result


def outstanding(ctx: Context, cases: list, today: str) -> list:
    """Actions still outstanding past their date: for each open case, the deadlines it
    still wants (its state is still one the deadline applies in, so the thing has not been
    done) whose date has passed. Reminders before a date (`lead`) are not overdue."""
    process = cases_module.process_of(ctx)
    if process is None:
        return []
    settings = ctx.catalogue.settings
    overdue_kinds = set(overdue_reasons(ctx))
    found = [d for case in cases if not case.closed
             for d in wanted_deadlines(process.deadlines, case, settings)
             if d.reason in overdue_kinds and d.due_on < today]
    return sorted(found, key=lambda d: (d.due_on, d.case_ref, d.reason))


def recount(ctx: Context) -> int:
    """Rebuild the kept counts and overdue rows from every case (for a store made before
    they were kept, or after the process file changed its deadlines); returns how many
    cases. Run it while no case changes: a change during the run may be counted twice or
    not at all (run it again)."""
    process = cases_module.process_of(ctx)
    tally: Counter[tuple[str, str, bool]] = Counter()
    for case in ctx.store.iter_cases():
        tally[count_key(case)] += 1
        wanted = ([] if process is None or case.closed
                  else wanted_deadlines(process.deadlines, case, ctx.catalogue.settings))
        ctx.store.reindex_outstanding(case.case_ref, wanted)
    ctx.store.recount([CaseCount(*key, n) for key, n in sorted(tally.items())])
    return sum(tally.values())


def read(ctx: Context, who: Principal, request_id: str | None = None) -> Result:
    """GET /v1/dashboard: the summary as JSON."""
    if not _allowed(ctx, who, "dashboard_read", "dashboard", request_id):
        return Refused("forbidden")
    return Done({"dashboard": summary(ctx)})


def export(ctx: Context, who: Principal, table: str | None,
           request_id: str | None = None) -> Result:
    """GET /v1/dashboard.csv?table=counts|overdue|dead (counts when not given)."""
    table = table or "counts"
    if not _allowed(ctx, who, "dashboard_export", "dashboard", request_id,
                    table if table in dashboard.TABLES else None):
        return Refused("forbidden")
    if table not in dashboard.TABLES:
        return Refused("bad_request", [{"field": "table", "code": codes.ENUM,
                                        "message": "table must be counts, overdue or dead"}])
    result = summary(ctx)
    return Done(CsvFile(f"dipforms-{table}-{result['today']}.csv",
                        dashboard.to_csv(result, table)))


def _allowed(ctx: Context, who: Principal, action: str, target: str,
             request_id: str | None, table: str | None = None) -> bool:
    """Whether `who` may; either way audited (an export with the table it asked for)."""
    allowed = ctx.policy.is_admin(who)
    ctx.store.append_audit(audit_entry(who, action if allowed else f"{action}_denied", target,
                                       ctx.timestamp(), request_id=request_id,
                                       reason_ref=table))
    return allowed
