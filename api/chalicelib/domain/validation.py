"""A submission -> field errors the page can show: [{field, code, message}], and for a
rule of the form also its `source` (the citations "document section" the YAML gives).

`field` is a JSON pointer into the submission (/offences/0/offence_date); `message` is the
one written in the YAML (carried in the schema's `x-dipforms-errors` and rules). Never
uses jsonschema's own message or the submitted value: both may hold personal data. Pure.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import rules

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

#: JSON Schema keyword -> the error kind a form writes messages for.
KEYWORD_KIND = {
    "required": "required", "minLength": "min_length", "maxLength": "max_length",
    "pattern": "pattern", "format": "format", "enum": "enum", "const": "const",
    "type": "type", "minimum": "min", "maximum": "max", "exclusiveMinimum": "min",
    "exclusiveMaximum": "max", "minItems": "min_items", "maxItems": "max_items",
    "uniqueItems": "enum", "additionalProperties": "unknown_field", "not": "not_applicable",
}
UNKNOWN_FIELD = {"en": "This answer is not part of the form", "cy": None}
NOT_APPLICABLE = {"en": "Remove this answer: the question does not apply", "cy": None}


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str | None
    severity: str = "refuse"
    source: tuple[str, ...] | None = None   # a form rule's citations; None for the rest

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message}
        if self.source is not None:
            out["source"] = list(self.source)
        return out


def compile_validator(schema: dict) -> Draft202012Validator:
    """Build once per schema and reuse: building costs far more than validating. jsonschema
    is imported here, on the first failing submission when jsonschema-rs gives the verdict
    (its import is a good part of a cold start that may never need it)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def pointer(parts) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def field_schema(schema: dict, parts: list) -> dict:
    """The property schema at an instance path (list indexes step into `items`)."""
    node = schema
    for part in parts:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return node


def _message(prop: dict, kind: str, lang: str) -> str | None:
    messages = prop.get("x-dipforms-errors", {})
    text = messages.get(kind)
    if text is None:
        return None
    return text.get(lang) or text.get("en")


#: jsonschema-rs error kind (class name) -> the error kind a form writes messages for
FAST_KIND = {"Pattern": "pattern", "Format": "format", "MinLength": "min_length",
             "MaxLength": "max_length", "Minimum": "min", "Maximum": "max", "Type": "type",
             "Enum": "enum", "Constant": "const", "MinItems": "min_items",
             "MaxItems": "max_items"}


def fast_errors(schema: dict, validator, data: Any, lang: str = "en") -> list[FieldError]:
    """Field errors from jsonschema-rs itself, for what only it refuses.

    Python's regular expressions differ from JSON Schema's (ECMA-262) at the edges: `$`
    also matches before a final newline, `\\d` takes any script's digits, and jsonschema's
    email format only looks for '@'. jsonschema-rs follows the standard, so when it refuses
    a submission that jsonschema accepts, these errors say where: the submission is refused,
    never stored because the detailed validator saw nothing wrong.
    """
    found: dict[tuple[str, str], FieldError] = {}
    for error in validator.iter_errors(data):
        kind = FAST_KIND.get(type(error.kind).__name__, "invalid")
        path = list(error.instance_path)
        if kind != "invalid":
            problem = _located(schema, path, kind, lang)
        else:
            problem = FieldError(pointer(path), kind, None)
        found.setdefault((problem.field, problem.code), problem)
    return sorted(found.values(), key=lambda e: (e.field, e.code))


def schema_errors(schema: dict, validator, data: Any, lang: str = "en") -> list[FieldError]:
    found: dict[tuple[str, str], FieldError] = {}
    for error in validator.iter_errors(data):
        for item in _explain(schema, error, lang):
            found.setdefault((item.field, item.code), item)
    return sorted(found.values(), key=lambda e: (e.field, e.code))


def _explain(schema: dict, error, lang: str) -> list[FieldError]:
    path = list(error.absolute_path)
    keyword = error.validator
    kind = KEYWORD_KIND.get(keyword, "invalid")
    if keyword == "required":
        missing = [n for n in error.validator_value if not isinstance(error.instance, dict)
                   or n not in error.instance]
        return [_for_part(schema, path, name, "required", lang) for name in missing]
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        known = set(field_schema(schema, path).get("properties", {}))
        return [FieldError(pointer([*path, name]), "unknown_field", UNKNOWN_FIELD.get(lang)
                           or UNKNOWN_FIELD["en"]) for name in error.instance if name not in known]
    if keyword == "not" and set(error.validator_value) == {"required"}:
        return [FieldError(pointer([*path, name]), "not_applicable", NOT_APPLICABLE["en"])
                for name in error.validator_value["required"]]
    if keyword in ("minLength", "minItems") and error.validator_value == 1:
        kind = "required"  # an empty answer is a missing answer
    return [_located(schema, path, kind, lang)]


def _for_part(schema: dict, path: list, name: str, kind: str, lang: str) -> FieldError:
    """A missing property: a field of the form, or a part of a name/address/signature."""
    parent = field_schema(schema, path)
    if parent.get("x-dipforms-type") and path:
        return FieldError(pointer([*path, name]), kind,
                          _message(parent, name, lang) or _message(parent, kind, lang))
    prop = field_schema(schema, [*path, name])
    return FieldError(pointer([*path, name]), kind, _message(prop, kind, lang))


def _located(schema: dict, path: list, kind: str, lang: str) -> FieldError:
    prop = field_schema(schema, path)
    if not prop.get("x-dipforms-type") and path:
        # inside a composite field: the message is the owner's, keyed by part or kind
        owner = field_schema(schema, path[:-1])
        message = _message(owner, kind, lang) or _message(owner, str(path[-1]), lang)
        return FieldError(pointer(path), kind, message)
    return FieldError(pointer(path), kind, _message(prop, kind, lang))


def rule_errors(schema: dict, data: dict, *, today: datetime.date, lang: str = "en",
                malformed: frozenset[str] = frozenset(),
                made_on: datetime.date | None = None) -> list[FieldError]:
    """Evaluate `x-dipforms-rules`: checks, and conditions JSON Schema could not express.

    A rule's today() is `made_on`, the day the record was first made (`today` for a new
    record), unless the rule is marked `"as_of": "now"`: then it is `today`, the clock's.
    A rule that reads an answer in `malformed` (pointers with a schema error, such as
    30 February) is skipped: the format error is the one worth showing.
    """
    out: list[FieldError] = []
    made = made_on or today
    for rule in schema.get("x-dipforms-rules", ()):
        as_of = today if rule.get("as_of") == "now" else made
        each = rule.get("each")
        reads = _reads(rule) if malformed else set()  # only needed to skip a rule
        if each:
            items = data.get(each)
            for index, item in enumerate(items if isinstance(items, list) else ()):
                if isinstance(item, dict) and not _touches(reads, malformed, [each, index]):
                    out.extend(_apply(rule, data, item, [each, index], as_of, lang))
        elif not _touches(reads, malformed, []):
            out.extend(_apply(rule, data, None, [], as_of, lang))
    return out


def _reads(rule: dict) -> set[str]:
    """The first segment of every field name the rule reads, its own field included."""
    names = {rule["field"].split("/")[0]}
    stack = [rule.get("when"), rule.get("check")]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "field" in node:
                names.add(node["field"].split(".")[0])
            stack.extend(node.get("args", ()))
    return names


def _touches(names: set[str], malformed: frozenset[str], at: list) -> bool:
    if not malformed:
        return False
    prefixes = {pointer([name]) for name in names} | {pointer([*at, name]) for name in names}
    return any(bad == p or bad.startswith(p + "/") for bad in malformed for p in prefixes)


def _apply(rule: dict, data: dict, item: dict | None, at: list, today, lang) -> list[FieldError]:
    holder = item if item is not None else data
    name = rule["field"]
    when = rule.get("when")
    applies = when is None or rules.holds(when, data, today=today, item=item)
    kind = rule["kind"]
    message = rule.get("message") or {}
    text = message.get(lang) or message.get("en")
    checked = kind == "check" and applies and _answered(holder, name)
    if checked and not rules.holds(rule["check"], data, today=today,
                                                       item=item):
        source = rule.get("source")
        return [FieldError(_where(at, name), rule["id"], text, rule.get("severity", "refuse"),
                           tuple(source) if isinstance(source, list) else None)]
    if kind == "required" and applies and holder.get(name) in (None, "", [], {}):
        return [FieldError(_where(at, name), "required", text)]
    if kind == "show" and not applies and name in holder:
        return [FieldError(_where(at, name), "not_applicable", NOT_APPLICABLE["en"])]
    return []


def _where(at: list, name: str) -> str:
    """The pointer of a rule's field (built only for a rule that fails: most pass)."""
    return pointer([*at, *name.split("/")])


def _answered(holder: dict, name: str) -> bool:
    """A check is shown beside its field, so it waits until that field is answered."""
    value: Any = holder
    for part in name.split("/"):
        value = value.get(part) if isinstance(value, dict) else None
    return value not in (None, "", [], {})


def validate(schema: dict, validator, data: Any, *, today: datetime.date, lang: str = "en",
             fast=None, made_on: datetime.date | None = None
             ) -> tuple[list[FieldError], list[FieldError]]:
    """(errors that refuse the submission, warnings the user may confirm).

    `today`: the clock's date in England; `made_on`: the day the record was first made,
    when amending one (rule_errors says which rules read which).

    With `fast` (jsonschema-rs), it decides the verdict in microseconds and `validator`
    (jsonschema, or a function giving it, asked only then) runs only on a failure, to name
    the fields with the YAML's messages; where the two dialects differ and jsonschema sees
    nothing wrong, jsonschema-rs's own account refuses the submission.
    """
    if fast is not None and fast.is_valid(data):
        problems = []
    else:
        detailed = validator() if callable(validator) else validator  # a validator is not
        problems = schema_errors(schema, detailed, data, lang)
        if fast is not None:
            problems = problems or fast_errors(schema, fast, data, lang)
    if isinstance(data, dict):
        malformed = frozenset(p.field for p in problems if p.code != "required")
        problems += rule_errors(schema, data, today=today, lang=lang, malformed=malformed,
                                made_on=made_on)
    errors = [p for p in problems if p.severity == "refuse"]
    warnings = [p for p in problems if p.severity != "refuse"]
    return errors, warnings
