"""What a dat_admin may do through the API: list undelivered notifications and queue one
again. Audited like every other read and write; each answers what it did (an event queued
again is answered with its new status, one that is not dead-lettered is refused)."""

from __future__ import annotations

from .clock import iso
from .context import Context
from .domain.access import Principal
from .domain.audit import audit_entry
from .domain.results import Done, Refused, Result
from .notify.outbox import dead_letters
from .notify.outbox import retry_dead_letter as requeue


def _event_json(event) -> dict:
    """An event without its payload's answers: what happened, to whom, and why it failed."""
    return {"id": event.event_id, "record": event.record_id, "event": event.event,
            "form": event.form_id, "channel": event.channel,
            "agency": event.recipient.get("agency"), "attempts": event.attempts,
            "last_error": event.last_error, "created_at": event.created_at}


def list_dead_letters(ctx: Context, who: Principal, request_id: str | None = None) -> Result:
    allowed = ctx.policy.may_manage_dead_letters(who)
    ctx.store.append_audit(audit_entry(who, "dead_letter_list" if allowed else
                                  "dead_letter_list_denied", "outbox", ctx.timestamp(),
                                  request_id=request_id))
    if not allowed:
        return Refused("forbidden")
    return Done({"events": [_event_json(e) for e in dead_letters(ctx.store)]})


def retry_dead_letter(ctx: Context, who: Principal, event_id: str,
                      request_id: str | None = None) -> Result:
    allowed = ctx.policy.may_manage_dead_letters(who)
    ctx.store.append_audit(audit_entry(who, "dead_letter_retry" if allowed else
                                  "dead_letter_retry_denied", event_id, ctx.timestamp(),
                                  request_id=request_id))
    if not allowed:
        return Refused("forbidden")
    now = ctx.now()
    if not requeue(ctx.store, event_id, now):
        found = ctx.store.get_event(event_id)
        return Refused("not_found" if found is None else "not_dead_lettered")
    queued = ctx.store.get_event(event_id)
    # what this request did: the event is pending again, due now, its attempts reset (the
    # dispatcher may already be sending it as this answer goes out)
    return Done({"event": {**_event_json(queued), "status": "pending", "attempts": 0,
                           "next_attempt_at": iso(now)}})
