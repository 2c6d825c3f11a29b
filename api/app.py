"""The dipforms API: thin routes. Each authenticates, calls one chalicelib function and
answers in the one JSON shape (chalicelib/responses.py).

Chalice deploys this file with chalicelib/ (and the generated schemas inside it).
"""

from __future__ import annotations

import json
import logging
import uuid

from chalice import Chalice, Rate, Response
from chalicelib import responses
from chalicelib.runtime import runtime
from chalicelib.settings import MAX_BODY_BYTES

app = Chalice(app_name="dipforms")
app.log.setLevel(logging.INFO)
ANY = ["*/*"]  # we check the content type ourselves, to answer in our own error shape


def _request_id() -> str:
    context = app.current_request.context or {}
    return context.get("requestId") or str(uuid.uuid4())


def _principal():
    """The verified caller, or an error Response (401)."""
    from chalicelib.access import Principal
    from chalicelib.tokens import KeysUnavailable, TokenError, bearer_token

    try:
        from chalicelib.clock import epoch_seconds

        token = bearer_token(app.current_request.headers)
        claims = runtime().verifier.verify(token, epoch_seconds(runtime().clock))
        return Principal.from_claims(claims)
    except KeysUnavailable:
        return responses.error("unavailable")  # our fault (no JWKS), not the caller's
    except (TokenError, ValueError):
        return responses.error("unauthenticated",
                               headers={"WWW-Authenticate": 'Bearer realm="dipforms"'})


def _json_body():
    """The parsed JSON body, or an error Response (413, 415, 400)."""
    request = app.current_request
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if kind != "application/json":
        return responses.error("unsupported_media_type")
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        return responses.error("too_large")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return responses.error("bad_json")


def _guarded(view):
    """Any failure we did not foresee answers 500 in our shape, logging only its type."""
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            from chalicelib.store.base import StoreError

            if isinstance(exc, StoreError):
                app.log.error("store unavailable: %s", type(exc).__name__)
                return responses.error("unavailable")
            app.log.error("unhandled %s", type(exc).__name__)
            return responses.error("internal")
    wrapper.__name__ = view.__name__
    return wrapper


def signed_in(view):
    """Verify the bearer token first; the view gets the caller as its first argument."""
    def wrapper(**kwargs):
        who = _principal()
        if isinstance(who, Response):
            return who
        return view(who, **kwargs)
    wrapper.__name__ = view.__name__
    return wrapper


@app.route("/v1/health", methods=["GET"])
def health() -> Response:
    return responses.ok({"service": "dipforms"})


@app.route("/v1/openapi.json", methods=["GET"])
@_guarded
def openapi() -> Response:
    from chalicelib.openapi import build_openapi

    catalogue = runtime().context.catalogue
    schemas = {form_id: catalogue.current(form_id).schema for form_id in catalogue.forms}
    return responses.document(build_openapi(catalogue.manifest, schemas))


@app.route("/v1/session", methods=["POST"], content_types=ANY)
@_guarded
def sign_in() -> Response:
    """Local sign-in for the pages: {user, password} -> a token (not offered with Cognito)."""
    from chalicelib import session

    settings = runtime().settings
    if not session.offered(settings):
        return responses.error("not_found")
    data = _json_body()
    if isinstance(data, Response):
        return data
    identity = (app.current_request.context or {}).get("identity") or {}
    return responses.answer(session.sign_in(settings, data, identity.get("sourceIp"),
                                   runtime().clock.now().timestamp()))


@app.route("/v1/draft-key", methods=["GET"])
@_guarded
@signed_in
def draft_key(who) -> Response:
    """The key this user's drafts are encrypted with on the device (chalicelib/drafts.py)."""
    from chalicelib import drafts

    try:
        secret = drafts.draft_secret(runtime().settings)
    except drafts.DraftKeysUnavailable:
        app.log.error("draft keys: no DIPFORMS_DRAFT_SECRET for this stage")
        return responses.error("unavailable")
    return responses.ok(drafts.draft_key(secret, who.user_id))


@app.route("/v1/forms", methods=["GET"])
@_guarded
@signed_in
def forms(who) -> Response:
    ctx = runtime().context
    readable, writable = ctx.policy.readable_forms(who), ctx.policy.submittable_forms(who)
    listed = [{**form, "may_submit": form["id"] in writable, "may_read": form["id"] in readable}
              for form in ctx.catalogue.manifest["forms"]]
    return responses.ok({"forms": listed})


@app.route("/v1/forms/{form_id}/submissions", methods=["POST"], content_types=ANY)
@_guarded
@signed_in
def submit(who, form_id: str) -> Response:
    from chalicelib import records

    key = (app.current_request.headers.get("idempotency-key") or "").strip()
    if not _is_uuid(key):
        return responses.error("missing_idempotency_key")
    data = _json_body()
    if isinstance(data, Response):
        return data
    return responses.answer(records.submit(runtime().context, who, form_id, data, key,
                                           _request_id()))


@app.route("/v1/records", methods=["GET"])
@_guarded
@signed_in
def list_records(who) -> Response:
    from chalicelib import records

    params = app.current_request.query_params or {}
    if not params.get("form"):
        return responses.error("bad_request", [{"field": "form", "code": "required",
                                                "message": "Name the form to list"}])
    try:
        limit = int(params.get("limit", "20"))
    except ValueError:
        return responses.error("bad_request", [{"field": "limit", "code": "type",
                                                "message": "limit must be a whole number"}])
    return responses.answer(records.list_records(runtime().context, who, params["form"], limit,
                                        params.get("cursor"), _request_id()))


@app.route("/v1/records/{record_id}", methods=["GET"])
@_guarded
@signed_in
def read_record(who, record_id: str) -> Response:
    from chalicelib import records

    version = (app.current_request.query_params or {}).get("version")
    if version is not None and not (version.isascii() and version.isdigit()
                                    and 0 < int(version) < 10**9):
        return responses.error("bad_request", [{"field": "version", "code": "type",
                                                "message": "version must be a whole number"}])
    return responses.answer(records.read(runtime().context, who, record_id,
                                int(version) if version else None, _request_id()))


@app.route("/v1/records/{record_id}", methods=["PUT"], content_types=ANY)
@_guarded
@signed_in
def amend_record(who, record_id: str) -> Response:
    from chalicelib import records

    request = _json_body()
    if isinstance(request, Response):
        return request
    return responses.answer(records.amend(runtime().context, who, record_id, request,
                                          _request_id()))


def _case_request(change):
    """Run `change(ctx, who, case_ref, body, at, today, request_id)` for a POST on a case."""
    def view(who, case_ref: str) -> Response:
        from chalicelib.clock import england_date, iso

        data = _json_body()
        if isinstance(data, Response):
            return data
        ctx = runtime().context
        now = ctx.now()
        return responses.answer(change(ctx, who, case_ref, data, iso(now), england_date(now),
                                   _request_id()))
    return view


@app.route("/v1/cases/{case_ref}", methods=["GET"])
@_guarded
@signed_in
def read_case(who, case_ref: str) -> Response:
    """The case with its records and timeline, cut to what the reader may see."""
    from chalicelib import cases

    ctx = runtime().context
    return responses.answer(cases.case_view(ctx, who, case_ref, ctx.today()))


@app.route("/v1/cases/{case_ref}/transitions", methods=["POST"], content_types=ANY)
@_guarded
@signed_in
def take_step(who, case_ref: str) -> Response:
    """{transition, base_version?}: move the case, or 4xx naming the rule and next steps."""
    from chalicelib import cases

    return _case_request(cases.transition)(who, case_ref)


@app.route("/v1/cases/{case_ref}/facts", methods=["POST"], content_types=ANY)
@_guarded
@signed_in
def record_fact(who, case_ref: str) -> Response:
    """{fact, value}: a fact staff keep on the case (e.g. a planned release date)."""
    from chalicelib import cases

    return _case_request(cases.record_fact)(who, case_ref)


@app.route("/v1/cases/{case_ref}/appointments", methods=["POST"], content_types=ANY)
@_guarded
@signed_in
def add_appointment(who, case_ref: str) -> Response:
    """{starts_at, ends_at}: book a time; a clash with another agency tells both (N27)."""
    from chalicelib import cases

    return _case_request(lambda ctx, who, ref, data, at, today, rid: cases.add_appointment(
        ctx, who, ref, data, at, rid))(who, case_ref)


@app.route("/v1/cases/{case_ref}/disclosures", methods=["POST"], content_types=ANY)
@_guarded
@signed_in
def disclose(who, case_ref: str) -> Response:
    """{to, ground, items, reason, ...}: a disclosure, allowed and logged (N25) or refused."""
    from chalicelib import cases

    return _case_request(cases.disclose)(who, case_ref)


@app.route("/v1/outbox/dead", methods=["GET"])
@_guarded
@signed_in
def dead_letters(who) -> Response:
    from chalicelib import admin

    return responses.answer(admin.list_dead_letters(runtime().context, who, _request_id()))


@app.route("/v1/outbox/{event_id}/retry", methods=["POST"], content_types=ANY)
@_guarded
@signed_in
def retry_dead_letter(who, event_id: str) -> Response:
    from chalicelib import admin

    return responses.answer(admin.retry_dead_letter(runtime().context, who, event_id,
                                                    _request_id()))


@app.route("/v1/dashboard", methods=["GET"])
@_guarded
@signed_in
def dashboard(who) -> Response:
    """The DAT view: counts by condition and outcome, overdue deadlines, dead letters."""
    from chalicelib import dashboard_views

    return responses.answer(dashboard_views.read(runtime().context, who, _request_id()))


@app.route("/v1/dashboard.csv", methods=["GET"])
@_guarded
@signed_in
def dashboard_csv(who) -> Response:
    """One table of the DAT view as CSV: ?table=counts (the default), overdue or dead."""
    from chalicelib import dashboard_views

    table = (app.current_request.query_params or {}).get("table")
    return responses.answer(dashboard_views.export(runtime().context, who, table,
                                                   _request_id()))


@app.schedule(Rate(1, unit=Rate.MINUTES))
def deliver_notifications(event) -> None:
    """In AWS: deliver due notifications every minute (one machine: `dipforms run` does it)."""
    from chalicelib.notify.outbox import dispatch

    current = runtime()
    report = dispatch(current.context.store, current.channels, now=current.clock.now)
    app.log.info("outbox: sent %d, failed %d, dead %d", report.sent, report.failed, report.dead)


@app.schedule(Rate(15, unit=Rate.MINUTES))
def sweep_deadlines(event) -> None:
    """In AWS: fire due deadlines (reminders, N10/N11) every 15 minutes; each fires once."""
    from chalicelib.sweep import run_sweep

    report = run_sweep(runtime().context, runtime().clock.now())
    app.log.info("sweep: due %d, fired %d, skipped %d", report.due, report.fired,
                  report.skipped)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) in (32, 36)
