"""The deadline sweep: fire every deadline that has come due, once per case and reason.

Run by Chalice's schedule in AWS (app.py), by `dipforms sweep`, and by `dipforms run` on a
timer. Its cost grows with the deadlines due, not the cases open: the Store finds due
deadlines through an index, and a deadline that fired is never due again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from . import cases
from .clock import england_date, iso
from .notify.routing import carries_answers
from .store.base import CaseEntry, FiredDeadline

BATCH = 500
SYSTEM = "system"


@dataclass(frozen=True)
class SweepReport:
    due: int       # deadlines found due
    fired: int     # fired by this sweep (their events are in the outbox)
    skipped: int   # taken meanwhile by another sweep, or cleared by a change


def run_sweep(ctx, now: datetime.datetime, batch: int = BATCH) -> SweepReport:
    today, at = england_date(now).isoformat(), iso(now)
    due_total = fired_total = 0
    while True:
        due = ctx.store.due_deadlines(today, batch)
        if not due:
            break
        due_total += len(due)
        plans = []
        for deadline in due:
            case = ctx.store.get_case(deadline.case_ref)
            records = (cases.case_records(ctx, deadline.case_ref)
                       if carries_answers(deadline.event, deadline.reason,
                                          ctx.catalogue.protocol) else [])
            events = cases.notify(ctx, deadline.event, deadline.case_ref, records, at,
                                  reason=deadline.reason,
                                  detail={"state": case.state if case else "",
                                          "due_on": deadline.due_on})
            entry = CaseEntry(deadline.case_ref, at, "reminder", deadline.reason, SYSTEM,
                              SYSTEM, {"event": deadline.event, "due_on": deadline.due_on,
                                       "to": sorted({e.recipient.get("agency", "")
                                                     for e in events})})
            plans.append(FiredDeadline(deadline, events, entry))
        fired = ctx.store.fire_deadlines(plans, at)
        fired_total += len(fired)
        if not fired:  # every one was taken by another sweep: they will not come back
            break
    return SweepReport(due_total, fired_total, due_total - fired_total)
