"""Every code the API answers with, in one place: the errors (a body's `error`: what went
wrong with the request as a whole) and the field error codes (each `errors[].code`: what is
wrong with one field). docs/api.md lists each; tests/test_docs.py keeps the two equal.

Only names here: responses.py says which HTTP status and message each error has. A form
rule's own id (DIP-12) is also a field error code; those come from the YAML, not from here.
"""

from __future__ import annotations

#: The body's `error`, from a refusal (results.Refused) or the route layer.
ERRORS = (
    "bad_json", "bad_request", "missing_idempotency_key", "unauthenticated",
    "sign_in_failed", "forbidden", "not_found", "conflict", "version_conflict",
    "transition_refused", "too_large", "unsupported_media_type", "idempotency_key_reused",
    "invalid", "confirmation_required", "too_many_attempts", "internal", "unavailable",
    "not_dead_lettered", "step_needs_form",
)

# -- field error codes: an answer against its form's schema (validation.py's kinds) ---------
REQUIRED = "required"
TYPE = "type"
FORMAT = "format"
PATTERN = "pattern"
ENUM = "enum"
CONST = "const"
MIN = "min"
MAX = "max"
MIN_LENGTH = "min_length"
MAX_LENGTH = "max_length"
MIN_ITEMS = "min_items"
MAX_ITEMS = "max_items"
UNKNOWN_FIELD = "unknown_field"
NOT_APPLICABLE = "not_applicable"
INVALID = "invalid"

# -- a case and its requests (cases.py, caseflow.py) ---------------------------------------
UNKNOWN_CASE = "unknown_case"
UNKNOWN_TRANSITION = "unknown_transition"
WRONG_STATE = "wrong_state"
WRONG_ROLE = "wrong_role"
RULE = "rule"
STEP_NEEDS_FORM = "step_needs_form"
UNKNOWN_FACT = "unknown_fact"
ORDER = "order"

# -- a disclosure (sharing.py) -------------------------------------------------------------
UNKNOWN_AGENCY = "unknown_agency"
UNKNOWN_GROUND = "unknown_ground"
NEVER_DISCLOSED = "never_disclosed"
NOT_IN_CUSTODY = "not_in_custody"
GROUND_NOT_MET = "ground_not_met"
BEYOND_SCOPE = "beyond_scope"
NOT_CONSENTED = "not_consented"

# -- a request body as a whole (routes/jsonbody.py) -----------------------------------------
TOO_DEEP = "too_deep"
NOT_UNICODE = "not_unicode"

FIELD_CODES = frozenset({
    REQUIRED, TYPE, FORMAT, PATTERN, ENUM, CONST, MIN, MAX, MIN_LENGTH, MAX_LENGTH,
    MIN_ITEMS, MAX_ITEMS, UNKNOWN_FIELD, NOT_APPLICABLE, INVALID,
    UNKNOWN_CASE, UNKNOWN_TRANSITION, WRONG_STATE, WRONG_ROLE, RULE, STEP_NEEDS_FORM,
    UNKNOWN_FACT, ORDER,
    UNKNOWN_AGENCY, UNKNOWN_GROUND, NEVER_DISCLOSED, NOT_IN_CUSTODY, GROUND_NOT_MET,
    BEYOND_SCOPE, NOT_CONSENTED, TOO_DEEP, NOT_UNICODE,
})
