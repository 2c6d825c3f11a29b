"""Results as HTTP: the one place that knows statuses and headers. The one JSON body for
every answer: {ok, status, ...} for success, and for errors
{ok: false, status, error, message, errors: [{field, code, message}]}.

Messages come from our code or the YAML, never from a validator or an exception, and
never echo a submitted value.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

from .domain.results import CsvFile, Refused, Result

JSON = "application/json; charset=utf-8"

#: error (each of codes.ERRORS) -> (HTTP status, the message shown)
ERRORS: dict[str, tuple[int, str]] = {
    "bad_json": (400, "The request body is not valid JSON"),
    "bad_request": (400, "The request is missing something it needs"),
    "missing_idempotency_key": (400, "Send an Idempotency-Key header with a new UUID for each "
                                     "submission"),
    "unauthenticated": (401, "Sign in again: the request has no valid token"),
    "sign_in_failed": (401, "The user ID or password you entered is not correct"),
    "forbidden": (403, "Your role may not do this"),
    "not_found": (404, "There is nothing here"),
    "conflict": (409, "This request is already being processed; try again shortly"),
    "version_conflict": (409, "Someone amended this record at the same time; reload it and "
                              "try again"),
    "transition_refused": (409, "This case cannot take that step now"),
    "step_needs_form": (422, "This step is made by submitting its form, not on its own"),
    "not_dead_lettered": (409, "This notification is not undelivered: it is queued or was "
                               "sent already"),
    "too_large": (413, "The request body is larger than 256 KB"),
    "unsupported_media_type": (415, "Send the body as application/json"),
    "idempotency_key_reused": (422, "This Idempotency-Key was already used for a different "
                                    "request"),
    "invalid": (422, "There is a problem with the answers"),
    "confirmation_required": (422, "Some answers raise a warning: say why you are going ahead "
                                   "with each one, or change the answers"),
    "too_many_attempts": (429, "Too many failed attempts to sign in. Wait 15 minutes, then "
                               "try again"),
    "internal": (500, "Something went wrong; nothing was kept"),
    "unavailable": (503, "The service could not save this just now; nothing was kept. Try "
                         "again"),
}


def answer(result: Result) -> Response:
    """A use case's result as the response: a refusal in the one error shape; something
    made as 201 (with its Location, unless a replay), anything else as 200."""
    if isinstance(result, Refused):
        retry = {} if result.retry_after is None else {"Retry-After": str(result.retry_after)}
        return error(result.code, result.errors, headers=retry)
    if isinstance(result.value, CsvFile):
        return csv_file(result.value)
    headers = {}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    elif result.location:
        headers["Location"] = result.location
    return ok(result.value, 201 if result.created else 200, headers)


def csv_file(table: CsvFile) -> Response:
    return Response(body=table.text, status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8; header=present",
        "Content-Disposition": f'attachment; filename="{table.filename}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def document(data: dict[str, Any]) -> Response:
    """A JSON document as it is, outside the one shape (the OpenAPI document)."""
    return Response(body=json.dumps(data), status_code=200,
                    headers={"Content-Type": "application/json"})


def body(status: int, **fields: Any) -> dict[str, Any]:
    return {"ok": status < 400, "status": status, **fields}


def ok(data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_response(body(status, **data), status, headers)


def error(code: str, errors: list[dict[str, Any]] | None = None,
          headers: dict[str, str] | None = None) -> Response:
    status, message = ERRORS[code]
    return json_response(error_body(code, errors), status, headers)


def error_body(code: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    status, message = ERRORS[code]
    return body(status, error=code, message=message, errors=errors or [])


def json_response(data: dict[str, Any], status: int,
                  headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={"Content-Type": JSON, "Cache-Control": "no-store",
                 "X-Content-Type-Options": "nosniff", **(headers or {})},
    )
