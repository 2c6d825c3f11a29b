"""The OpenAPI 3.1 document, built from the generated manifest and schemas.

One submission path per form, so each request body is that form's own JSON Schema (the
2020-12 dialect OpenAPI 3.1 uses). Each form's `$defs` move to components with their
references rewritten. Pure: the catalogue's data in, a dict out.
"""

from __future__ import annotations

from typing import Any

from ..contract.manifest import Manifest

DIALECT = "https://json-schema.org/draft/2020-12/schema"

ERROR = {
    "type": "object",
    "required": ["ok", "status", "error", "message", "errors"],
    "properties": {
        "ok": {"const": False}, "status": {"type": "integer"}, "error": {"type": "string"},
        "message": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "code", "message"],
            "properties": {"field": {"type": "string"}, "code": {"type": "string"},
                           "message": {"type": ["string", "null"]}}}},
    },
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
#: The reserved key of a submission's answers: why the user goes ahead with each warning
#: (confirmations.py; docs/api.md "Warnings and reasons").
CONFIRMATIONS = {"type": "object", "maxProperties": 100,
                 "description": "Rule id -> why the user goes ahead despite its warning",
                 "additionalProperties": {"type": "string", "maxLength": 1000}}


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = f"#/components/schemas/{prefix}{value.removeprefix('#/$defs/')}"
            else:
                out[key] = _rewrite_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, prefix) for v in node]
    return node


def _responses(success: int, described: str, *codes: int) -> dict[str, Any]:
    out: dict[str, Any] = {str(success): {"description": described,
                                          "content": {"application/json": {"schema": {
                                              "type": "object"}}}}}
    for code in codes:
        out[str(code)] = {"description": "An error, in the one error shape",
                          "content": {"application/json": {"schema": ERROR_REF}}}
    return out


def build_openapi(manifest: Manifest, schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """schemas: form id -> its current schema."""
    components: dict[str, Any] = {"Error": ERROR}
    paths: dict[str, Any] = {
        "/v1/health": {"get": {"operationId": "health", "security": [],
                               "responses": _responses(200, "The API is up")}},
        "/v1/openapi.json": {"get": {"operationId": "openapi", "security": [],
                                     "responses": _responses(200, "This document")}},
        "/v1/session": {"post": {
            "operationId": "signIn", "security": [],
            "summary": "Sign in with a local user's id and password (one machine only)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["user", "password"],
                "properties": {"user": {"type": "string", "minLength": 1},
                               "password": {"type": "string", "minLength": 1}}}}}},
            "responses": _responses(200, "A bearer token for 8 hours, its expiry and the "
                                    "user's id, role and agency", 400, 401, 404, 413, 415, 429)}},
        "/v1/draft-key": {"get": {
            "operationId": "draftKey",
            "summary": "The key this user's drafts are encrypted with on the device",
            "responses": _responses(200, "{key (32 bytes, base64url), key_id}", 401, 503)}},
        "/v1/forms": {"get": {"operationId": "listForms",
                              "responses": _responses(200, "The manifest", 401)}},
        "/v1/forms/{form_id}/prefill": {"get": {
            "operationId": "prefillForm",
            "summary": "The answers a form starts with: from the protocol, and from ?case=",
            "parameters": [
                {"name": "form_id", "in": "path", "required": True,
                 "schema": {"enum": sorted(schemas)}},
                {"name": "case", "in": "query", "schema": {"type": "string"}}],
            "responses": _responses(200, "{form, case, case_field, answers, from_case, "
                                    "from_protocol}", 400, 401, 403, 404)}},
        "/v1/records": {"get": {
            "operationId": "listRecords",
            "parameters": [
                {"name": "form", "in": "query", "required": True, "schema": {
                    "enum": sorted(schemas)}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                            "maximum": 100}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
            "responses": _responses(200, "A page of records, newest first", 400, 401, 403,
                                    404)}},
        "/v1/records/{record_id}": {
            "parameters": [{"name": "record_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "get": {"operationId": "getRecord",
                    "parameters": [{"name": "version", "in": "query",
                                    "schema": {"type": "integer", "minimum": 1}}],
                    "responses": _responses(200, "The record and its versions", 400, 401, 403,
                                            404)},
            "put": {"operationId": "amendRecord",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"type": "object", "required": ["reason", "base_version",
                                                                  "data"],
                                   "properties": {"reason": {"type": "string", "minLength": 1},
                                                  "base_version": {"type": "integer"},
                                                  "data": {"type": "object"}}}}}},
                    "responses": _responses(200, "The new version", 400, 401, 403, 404, 409,
                                            413, 415, 422)}},
        "/v1/outbox/dead": {"get": {"operationId": "listDeadLetters",
                                    "responses": _responses(200, "Undelivered notifications",
                                                            401, 403)}},
        "/v1/outbox/{event_id}/retry": {"post": {
            "operationId": "retryDeadLetter",
            "parameters": [{"name": "event_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": _responses(200, "Queued again", 401, 403, 404, 409)}},
        "/v1/dashboard": {"get": {
            "operationId": "dashboard",
            "summary": "The DAT view: cases by condition type and outcome, overdue actions and "
                       "dead letters (dat_admin)",
            "responses": _responses(200, "The view, with case references only", 401, 403,
                                    503)}},
        "/v1/dashboard.csv": {"get": {
            "operationId": "dashboardCsv",
            "summary": "One table of the DAT view as a CSV attachment (dat_admin)",
            "parameters": [{"name": "table", "in": "query", "schema": {
                "enum": ["counts", "overdue", "dead"], "default": "counts"}}],
            "responses": {**_responses(200, "RFC 4180 CSV with a header row", 400, 401, 403,
                                       503),
                          "200": {"description": "RFC 4180 CSV with a header row",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}}}}},
        "/v1/cases": {"get": {
            "operationId": "listCases",
            "summary": "The cases the caller's agency is party to, newest change first (the "
                       "DAT: every case, references only); q finds one by its person as far "
                       "as the caller may see them",
            "parameters": [
                *({"name": name, "in": "query", "schema": {"type": "string"}}
                  for name in ("state", "condition", "q", "cursor")),
                {"name": "due", "in": "query", "schema": {"enum": ["overdue", "week"]}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                            "maximum": 100, "default": 25}}],
            "responses": _responses(200, "{cases, next_cursor, agencies}", 400, 401, 403,
                                    503)}},
        "/v1/due": {"get": {
            "operationId": "dueList",
            "summary": "What is due within 14 days, or overdue, on the caller's agency's "
                       "cases, soonest first",
            "responses": _responses(200, "{due, today}", 401, 403, 503)}},
        "/v1/audit": {"get": {
            "operationId": "auditLog",
            "summary": "A page of the audit log, newest first: who, what, when, the reference "
                       "and the outcome, never answers (the roles protocol.yaml's audit: names)",
            "parameters": [
                {"name": "case", "in": "query", "schema": {"type": "string"},
                 "description": "The case and the records attached to it"},
                {"name": "user", "in": "query", "schema": {"type": "string"}},
                *({"name": name, "in": "query", "schema": {"type": "string"},
                   "description": "A date in England (YYYY-MM-DD, the whole day) or a moment "
                                  "(ISO 8601; without a zone, England's time)"}
                  for name in ("from", "to")),
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                            "maximum": 200, "default": 50}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
            "responses": _responses(200, "{entries, next_cursor}", 400, 401, 403, 503)}},
    }
    for form_id in sorted(schemas):
        schema = dict(schemas[form_id])
        prefix = f"{form_id}__"
        for name, definition in schema.pop("$defs", {}).items():
            components[prefix + name] = definition
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        body = _rewrite_refs(schema, prefix)
        body["properties"] = {**body.get("properties", {}), "_confirmations": CONFIRMATIONS}
        components[f"form_{form_id}"] = body
        paths[f"/v1/forms/{form_id}/submissions"] = {"post": {
            "operationId": f"submit_{form_id}",
            "summary": f"Submit a {schema.get('title', form_id)}",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                            "schema": {"type": "string", "format": "uuid"}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/form_{form_id}"}}}},
            "responses": _responses(201, "Stored", 400, 401, 403, 404, 409, 413, 415, 422,
                                    503)}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {"title": "dipforms API", "version": str(manifest.manifest_version),
                 "description": "Submit, amend and read DIP forms; every route but health and "
                                "this document needs a bearer token."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {"schemas": dict(sorted(components.items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "bearerFormat": "JWT"}}},
        "paths": paths,
    }
