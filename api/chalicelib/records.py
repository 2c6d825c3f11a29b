"""Submissions, amendments and reads: validation, versions, audit entries, idempotency and
the notification events, decided here and handed to the Store as one atomic step.

No HTTP and no I/O of its own: the Store, the clock and the id maker are passed in, and
every function returns a result (results.py), which responses.py turns into a response. A
record's rules are judged as of the day it was first made, so a correction months later
is judged as the record was (`made_on` in `amend`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from . import cases
from .casefind import agency_names
from .catalogue import FormSchema
from .clock import england_date, iso, record_day
from .context import Context
from .contract import codes
from .domain import confirmations
from .domain.access import Principal
from .domain.audit import audit_entry, version_ref
from .domain.ids import is_our_id
from .domain.results import Done, Refused, Result
from .domain.validation import FieldError, validate
from .notify.routing import route_event
from .settings import IDEMPOTENCY_TTL_SECONDS
from .store.base import (
    Completion,
    IdempotencyClaim,
    InvalidCursor,
    KeyHeld,
    RecordVersion,
    StoreError,
    VersionConflict,
)

#: made once (json.dumps with options makes a new encoder on every call)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def fingerprint(form_id: str, data: Any) -> str:
    canonical = _CANONICAL.encode([form_id, data])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_answers(form: FormSchema, data: Any, today: datetime.date,
                  made_on: datetime.date | None = None
                  ) -> tuple[list[FieldError], list[FieldError]]:
    """(errors, warnings): the compiled fast validator decides; details only on failure.
    `made_on`: the day an amended record was first made, which its rules' today() is
    (`today` for a new record, and for rules marked `as_of: now`)."""
    return validate(form.schema, lambda: form.detailed, data, today=today, made_on=made_on,
                    fast=form.fast)


def summary_json(version: RecordVersion, *, reason: bool = False) -> dict[str, Any]:
    """A record without its answers (for lists and version histories). An amendment's
    `reason` comes only with `reason=True`: for a reader who sees the answers it explains."""
    found = {"id": version.record_id, "version": version.version, "form": version.form_id,
             "form_version": version.form_version, "created_at": version.created_at,
             "created_by": version.created_by, "agency": version.agency}
    if reason:
        found["reason"] = version.reason
    return found


def record_json(version: RecordVersion, data: Any = None) -> dict[str, Any]:
    """A record with its answers (`data`: what the reader may see of them, when not the
    whole) and the warnings it went ahead with, apart from the answers. The amendment's
    reason, and the confirmations' reasons, come only with the whole record."""
    whole = data is None or data == version.data
    answers, kept = confirmations.stored_view(version.data if data is None else data)
    return {**summary_json(version, reason=whole), "data": answers,
            "confirmations": kept if whole else []}


def submit(ctx: Context, who: Principal, form_id: str, data: Any, key: str,
           request_id: str | None = None) -> Result:
    form = ctx.catalogue.current(form_id)
    if form is None:
        return Refused("not_found")
    if not ctx.policy.may_submit(who, form_id):
        ctx.store.append_audit(audit_entry(who, "submit_denied", form_id, ctx.timestamp(),
                                      request_id=request_id))
        return Refused("forbidden")
    now = ctx.now()
    at = iso(now)       # this moment as every row of the submission keeps it
    body_print = fingerprint(form_id, data)
    held = ctx.store.peek_key(who.user_id, key, body_print, at)   # a read: no write
    if held is not None:
        return _held(held)
    try:    # the key is claimed in the commit itself: one durable write per submission
        today = england_date(now)
        checked = confirmations.check(data, lambda a: check_answers(form, a, today))
        if checked.refusal:
            return Refused(*checked.refusal)
        version = RecordVersion(record_id=ctx.new_record_id(form_id), version=1,
                                form_id=form_id, form_version=form.version, data=checked.data,
                                created_at=at, created_by=who.user_id, agency=who.agency)
        planned = cases.plan_for_record(ctx, who, version, at, today)
        if isinstance(planned, Refused):
            return planned
        case_change, case_events = planned
        made = {"record": summary_json(version), "warnings": checked.warnings,
                **({"case": case_change.case.case_ref} if case_change else {})}
        told = _events(ctx, "submitted", version, form, at)
        ctx.store.commit(version, audit_entry(who, "submit", version.record_id, at,
                                              request_id=request_id),
                         told + case_events,
                         Completion(who.user_id, key, {"created": True, "value": made},
                                    fingerprint=body_print, now=at,
                                    ttl_seconds=IDEMPOTENCY_TTL_SECONDS),
                         case_change=cases.with_record_events(case_change, told, who, at))
    except KeyHeld as error:    # the same key committed meanwhile (a duplicate sent at once)
        return _held(error.claim)
    except VersionConflict:  # the case moved at the same moment: nothing kept, try again
        return Refused("conflict")
    except StoreError:
        return Refused("unavailable")
    return Done(made, created=True, location=f"/v1/records/{version.record_id}")


def _held(claim: IdempotencyClaim) -> Result:
    """The answer to a key already held: its stored answer again, 409 while another
    request holds it, 422 when it was used with another body."""
    if claim.outcome == "replay":
        return replayed(claim.response)
    return Refused("conflict" if claim.outcome == "in_flight" else "idempotency_key_reused")


def replayed(stored: dict[str, Any]) -> Done:
    """The answer kept with an idempotency key, again. Keys kept before results were
    kept as the whole HTTP answer, {status, body}: the body less its ok and status."""
    if "value" in stored:
        return Done(stored["value"], created=stored.get("created", False), replayed=True)
    value = {k: v for k, v in stored["body"].items() if k not in ("ok", "status")}
    return Done(value, created=stored["status"] == 201, replayed=True)


def _events(ctx: Context, event: str, version: RecordVersion, form: FormSchema, at: str):
    """The record event's outbox events; `at`: this moment as stored (clock.iso)."""
    return route_event(event, version, form.title, ctx.catalogue.protocol,
                       base_url=ctx.base_url, now=at, new_id=ctx.new_event_id)


def amend(ctx: Context, who: Principal, record_id: str, request: Any,
          request_id: str | None = None) -> Result:
    """A new version with its reason; validated against the form's current version."""
    if not isinstance(request, dict) or not isinstance(request.get("data"), dict):
        return Refused("bad_request", [{"field": "/data", "code": codes.REQUIRED,
                                        "message": "Send the amended answers as data"}])
    reason = request.get("reason")
    base = request.get("base_version")
    problems = []
    if not isinstance(reason, str) or not reason.strip():
        problems.append({"field": "/reason", "code": codes.REQUIRED,
                         "message": "Enter why the record is being amended"})
    if not isinstance(base, int) or isinstance(base, bool):
        problems.append({"field": "/base_version", "code": codes.REQUIRED,
                         "message": "Send the version you amended as base_version"})
    if problems:
        return Refused("bad_request", problems)
    if not is_our_id(record_id):
        return Refused("not_found")
    latest = ctx.store.get_version(record_id)
    if latest is None:
        return Refused("not_found")
    if not ctx.policy.is_admin(who) and cases.record_as_seen(
            ctx, who, latest, ctx.today()) is None and not (
            latest.agency == who.agency and ctx.policy.may_submit(who, latest.form_id)):
        ctx.store.append_audit(audit_entry(who, "amend_denied", record_id, ctx.timestamp(),
                                           request_id=request_id))
        return Refused("not_found")      # as for an unknown id: no oracle
    form = ctx.catalogue.current(latest.form_id)
    if form is None or not ctx.policy.may_submit(who, latest.form_id):
        ctx.store.append_audit(audit_entry(who, "amend_denied", record_id, ctx.timestamp(),
                                      request_id=request_id))
        return Refused("forbidden")
    if base != latest.version:
        return Refused("version_conflict")
    now = ctx.now()
    today = england_date(now)
    first = latest if latest.version == 1 else ctx.store.get_version(record_id, 1)
    made_on = record_day(first.created_at) if first else None
    checked = confirmations.check(request["data"],
                                  lambda a: check_answers(form, a, today, made_on))
    if checked.refusal:
        return Refused(*checked.refusal)
    version = RecordVersion(record_id=record_id, version=latest.version + 1,
                            form_id=latest.form_id, form_version=form.version,
                            data=checked.data, created_at=iso(now),
                            created_by=who.user_id, agency=who.agency, reason=reason.strip())
    planned = cases.plan_for_record(ctx, who, version, iso(now), today)
    if isinstance(planned, Refused):
        return planned
    case_change, case_events = planned
    try:
        told = _events(ctx, "amended", version, form, iso(now))
        ctx.store.commit(version, audit_entry(who, "amend", record_id, iso(now),
                                         request_id=request_id, reason_ref=version_ref(version)),
                         told + case_events,
                         case_change=cases.with_record_events(case_change, told, who,
                                                              iso(now)))
    except VersionConflict:
        return Refused("version_conflict")
    except StoreError:
        return Refused("unavailable")
    return Done({"record": summary_json(version, reason=True), "warnings": checked.warnings})


def read(ctx: Context, who: Principal, record_id: str, version: int | None = None,
         request_id: str | None = None) -> Result:
    """A record as `who` may see it, with its version history. The DAT administrator gets
    the reference alone (id, form, versions, dates, agency): no answers, confirmations or
    reasons. A record the reader may not see answers as an unknown one (404); the audit log
    keeps `read_denied`."""
    if not is_our_id(record_id):
        return Refused("not_found")
    found = ctx.store.get_version(record_id, version)
    if found is None:
        return Refused("not_found")
    if ctx.policy.is_admin(who):
        ctx.store.append_audit(audit_entry(who, "read", record_id, ctx.timestamp(),
                                           request_id=request_id), durable=False)
        versions = ctx.store.list_versions(record_id)
        return Done({"record": summary_json(found),
                     "versions": [summary_json(v) for v in versions],
                     **_around(ctx, record_id, versions)})
    seen = cases.record_as_seen(ctx, who, found, ctx.today())
    ctx.store.append_audit(audit_entry(who, "read" if seen is not None else "read_denied",
                                       record_id, ctx.timestamp(), request_id=request_id),
                           durable=seen is None)      # a read shown: see Store.append_audit
    if seen is None:
        return Refused("not_found")
    whole = seen == found.data
    versions = ctx.store.list_versions(record_id)
    history = [summary_json(v, reason=whole) for v in versions]
    return Done({"record": record_json(found, seen), "versions": history,
                 **_around(ctx, record_id, versions)})


def _around(ctx: Context, record_id: str, versions: list[RecordVersion]) -> dict[str, Any]:
    """What a record page names beside the record: its case (`case`: the reference, or
    None) and the names of the agencies its versions were made by (`agencies`)."""
    return {"case": cases.case_of(ctx, record_id),
            "agencies": agency_names(ctx, sorted({v.agency for v in versions}))}


def list_records(ctx: Context, who: Principal, form_id: str, limit: int,
                 cursor: str | None, request_id: str | None = None) -> Result:
    """A page of the records of one form that `who` may see, newest first, without answers
    (a page may hold fewer than `limit`: those the reader may see nothing of, as a read by
    id would answer, are left out). A role
    that may not read the form at all is refused (403): the form names are public, so the
    refusal tells nothing of any record. An amendment's reason is listed only on the
    reader's own agency's records; the DAT administrator lists every record's reference."""
    if form_id not in ctx.catalogue.forms:
        return Refused("not_found")
    allowed = ctx.policy.may_read(who, form_id)
    ctx.store.append_audit(audit_entry(who, "list" if allowed else "list_denied", form_id,
                                       ctx.timestamp(), request_id=request_id),
                           durable=not allowed)   # a list answered: see Store.append_audit
    if not allowed:
        return Refused("forbidden")
    try:
        page = ctx.store.list_records(form_id, max(1, min(limit, 100)), cursor)
    except InvalidCursor:
        return Refused("bad_request", [{"field": "cursor", "code": codes.INVALID,
                                        "message": "Start again from the first page"}])
    if ctx.policy.is_admin(who):
        listed = [summary_json(v) for v in page.items]
    else:
        today, readings = ctx.today(), {}
        listed = []
        for version in page.items:      # each case read once, however many rows are on it
            case_ref = cases.case_of(ctx, version.record_id)
            if case_ref not in readings:
                readings[case_ref] = cases.case_reading(ctx, case_ref, today)
            if cases.record_as_seen(ctx, who, version, today, readings[case_ref]) is not None:
                listed.append(summary_json(version, reason=version.agency == who.agency))
    return Done({"records": listed, "next_cursor": page.cursor})
