"""Submissions, amendments and reads: validation, versions, audit entries, idempotency and
the notification events, decided here and handed to the Store as one atomic step.

No HTTP and no I/O of its own: the Store, the clock and the id maker are passed in, and
every function returns an Outcome that app.py turns into a response. A record's rules are
judged as of the day it was first made, so a correction months later is judged as the
record was (`made_on` in `amend`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from . import cases, confirmations
from .access import Principal
from .catalogue import FormSchema
from .clock import england_date, iso, record_day
from .context import Context
from .notify.routing import route_event
from .responses import body, error_body
from .settings import IDEMPOTENCY_TTL_SECONDS
from .store.base import (
    AuditEntry,
    Completion,
    InvalidCursor,
    RecordVersion,
    StoreError,
    VersionConflict,
)
from .validation import FieldError, validate


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def failed(code: str, errors: list[dict[str, Any]] | None = None) -> Outcome:
    payload = error_body(code, errors)
    return Outcome(payload["status"], payload)


def fingerprint(form_id: str, data: Any) -> str:
    canonical = json.dumps([form_id, data], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_answers(form: FormSchema, data: Any, today: datetime.date,
                  made_on: datetime.date | None = None
                  ) -> tuple[list[FieldError], list[FieldError]]:
    """(errors, warnings): the compiled fast validator decides; details only on failure.
    `made_on`: the day an amended record was first made, which its rules' today() is
    (`today` for a new record, and for rules marked `as_of: now`)."""
    return validate(form.schema, form.detailed, data, today=today, made_on=made_on,
                    fast=form.fast)


def _audit(ctx: Context, who: Principal, action: str, target: str, at: str,
           reason: str | None = None, request_id: str | None = None) -> AuditEntry:
    return AuditEntry(at=at, actor=who.user_id, role=who.role, agency=who.agency,
                      action=action, target=target, reason=reason, request_id=request_id)


def summary_json(version: RecordVersion) -> dict[str, Any]:
    """A record without its answers (for lists and version histories)."""
    return {"id": version.record_id, "version": version.version, "form": version.form_id,
            "form_version": version.form_version, "created_at": version.created_at,
            "created_by": version.created_by, "agency": version.agency,
            "reason": version.reason}


def record_json(version: RecordVersion, data: Any = None) -> dict[str, Any]:
    """A record with its answers (`data`: what the reader may see of them, when not the
    whole) and the warnings it went ahead with, apart from the answers."""
    answers, kept = confirmations.stored_view(version.data if data is None else data)
    return {**summary_json(version), "data": answers, "confirmations": kept}


def submit(ctx: Context, who: Principal, form_id: str, data: Any, key: str,
           request_id: str | None = None) -> Outcome:
    form = ctx.catalogue.current(form_id)
    if form is None:
        return failed("not_found")
    if not ctx.policy.may_submit(who, form_id):
        ctx.store.append_audit(_audit(ctx, who, "submit_denied", form_id, ctx.timestamp(),
                                      request_id=request_id))
        return failed("forbidden")
    now = ctx.now()
    body_print = fingerprint(form_id, data)
    claim = ctx.store.claim_key(who.user_id, key, body_print, iso(now), IDEMPOTENCY_TTL_SECONDS)
    if claim.outcome == "replay":
        return Outcome(claim.response["status"], claim.response["body"],
                       {"Idempotent-Replayed": "true"})
    if claim.outcome == "in_flight":
        return failed("conflict")
    if claim.outcome == "mismatch":
        return failed("idempotency_key_reused")
    try:
        today = england_date(now)
        checked = confirmations.check(data, lambda a: check_answers(form, a, today))
        if checked.refusal:
            ctx.store.release_key(who.user_id, key)
            return failed(*checked.refusal)
        version = RecordVersion(record_id=ctx.new_record_id(form_id), version=1,
                                form_id=form_id, form_version=form.version, data=checked.data,
                                created_at=iso(now), created_by=who.user_id, agency=who.agency)
        planned = cases.plan_for_record(ctx, who, version, iso(now), today)
        if isinstance(planned, cases.Refusal):
            ctx.store.release_key(who.user_id, key)
            return failed(planned.code, planned.errors)
        case_change, case_events = planned
        result = body(201, record=summary_json(version),
                      warnings=checked.warnings,
                      **({"case": case_change.case.case_ref} if case_change else {}))
        ctx.store.commit(version, _audit(ctx, who, "submit", version.record_id, iso(now),
                                         request_id=request_id),
                         _events(ctx, "submitted", version, form, now) + case_events,
                         Completion(who.user_id, key, {"status": 201, "body": result},
                                    fingerprint=body_print), case_change=case_change)
    except VersionConflict:  # the case moved at the same moment: nothing kept, try again
        ctx.store.release_key(who.user_id, key)
        return failed("conflict")
    except StoreError:
        ctx.store.release_key(who.user_id, key)
        return failed("unavailable")
    except Exception:
        ctx.store.release_key(who.user_id, key)  # let the client retry once it is fixed
        raise
    return Outcome(201, result, {"Location": f"/v1/records/{version.record_id}"})


def _events(ctx: Context, event: str, version: RecordVersion, form: FormSchema,
            now: datetime.datetime):
    return route_event(event, version, form.title, ctx.catalogue.protocol,
                       base_url=ctx.base_url, now=iso(now), new_id=ctx.new_event_id)


def amend(ctx: Context, who: Principal, record_id: str, request: Any,
          request_id: str | None = None) -> Outcome:
    """A new version with its reason; validated against the form's current version."""
    if not isinstance(request, dict) or not isinstance(request.get("data"), dict):
        return failed("bad_request", [{"field": "/data", "code": "required",
                                       "message": "Send the amended answers as data"}])
    reason = request.get("reason")
    base = request.get("base_version")
    problems = []
    if not isinstance(reason, str) or not reason.strip():
        problems.append({"field": "/reason", "code": "required",
                         "message": "Enter why the record is being amended"})
    if not isinstance(base, int) or isinstance(base, bool):
        problems.append({"field": "/base_version", "code": "required",
                         "message": "Send the version you amended as base_version"})
    if problems:
        return failed("bad_request", problems)
    if not is_record_id(record_id):
        return failed("not_found")
    latest = ctx.store.get_version(record_id)
    if latest is None:
        return failed("not_found")
    form = ctx.catalogue.current(latest.form_id)
    if form is None or not ctx.policy.may_submit(who, latest.form_id):
        ctx.store.append_audit(_audit(ctx, who, "amend_denied", record_id, ctx.timestamp(),
                                      request_id=request_id))
        return failed("forbidden")
    if base != latest.version:
        return failed("version_conflict")
    now = ctx.now()
    today = england_date(now)
    first = latest if latest.version == 1 else ctx.store.get_version(record_id, 1)
    made_on = record_day(first.created_at) if first else None
    checked = confirmations.check(request["data"],
                                  lambda a: check_answers(form, a, today, made_on))
    if checked.refusal:
        return failed(*checked.refusal)
    version = RecordVersion(record_id=record_id, version=latest.version + 1,
                            form_id=latest.form_id, form_version=form.version,
                            data=checked.data, created_at=iso(now),
                            created_by=who.user_id, agency=who.agency, reason=reason.strip())
    planned = cases.plan_for_record(ctx, who, version, iso(now), today)
    if isinstance(planned, cases.Refusal):
        return failed(planned.code, planned.errors)
    case_change, case_events = planned
    try:
        ctx.store.commit(version, _audit(ctx, who, "amend", record_id, iso(now),
                                         reason=reason.strip(), request_id=request_id),
                         _events(ctx, "amended", version, form, now) + case_events,
                         case_change=case_change)
    except VersionConflict:
        return failed("version_conflict")
    except StoreError:
        return failed("unavailable")
    return Outcome(200, body(200, record=summary_json(version),
                             warnings=checked.warnings))


def is_record_id(text: str) -> bool:
    """Ids this API makes: MG14-0A1B2C3D4E (letters, digits and '-', at most 64)."""
    return 3 <= len(text) <= 64 and text.isascii() and all(
        c.isalnum() or c == "-" for c in text)


def read(ctx: Context, who: Principal, record_id: str, version: int | None = None,
         request_id: str | None = None) -> Outcome:
    if not is_record_id(record_id):
        return failed("not_found")
    found = ctx.store.get_version(record_id, version)
    if found is None:
        return failed("not_found")
    allowed = ctx.policy.may_read(who, found.form_id)
    seen = (cases.record_as_seen(ctx, who, found, ctx.today()) if allowed
            and not ctx.policy.is_admin(who) else found.data)
    allowed = allowed and seen is not None
    ctx.store.append_audit(_audit(ctx, who, "read" if allowed else "read_denied", record_id,
                                  ctx.timestamp(), request_id=request_id))
    if not allowed:
        return failed("forbidden")
    history = [summary_json(v) for v in ctx.store.list_versions(record_id)]
    # the reasons come only with the whole record: a cut-down one has no _confirmations
    return Outcome(200, body(200, record=record_json(found, seen), versions=history))


def list_records(ctx: Context, who: Principal, form_id: str, limit: int,
                 cursor: str | None, request_id: str | None = None) -> Outcome:
    if form_id not in ctx.catalogue.forms:
        return failed("not_found")
    allowed = ctx.policy.may_read(who, form_id)
    ctx.store.append_audit(_audit(ctx, who, "list" if allowed else "list_denied", form_id,
                                  ctx.timestamp(), request_id=request_id))
    if not allowed:
        return failed("forbidden")
    try:
        page = ctx.store.list_records(form_id, max(1, min(limit, 100)), cursor)
    except InvalidCursor:
        return failed("bad_request", [{"field": "cursor", "code": "invalid",
                                       "message": "Start again from the first page"}])
    return Outcome(200, body(200, records=[summary_json(v) for v in page.items],
                             next_cursor=page.cursor))
