"""Form model -> JSON Schema 2020-12 (the dialect of OpenAPI 3.1).

Conditions JSON Schema can express become `if`/`then`; the rest (dates against today,
two answers compared, rules) become `x-dipforms-rules`, evaluated by the API and the
pages from the same JSON. Messages written in the YAML ride along in `x-dipforms-errors`.
Pure: returns dicts; `dump_schema` gives the bytes, with sorted keys so output is stable.
"""

from __future__ import annotations

from typing import Any

from .check import Scope
from .fields import FIELD_TYPES, SchemaContext
from .jsontext import dump_json
from .model import Expr, Field, Form, Project, Text
from .rules.compile import to_json, to_schema
from .rules.settings import fill_text

SIMPLE_TYPES = ("string", "number", "integer", "array")
KIND_KEYWORDS = {"pattern": "pattern", "format": "format", "min_length": "minLength",
                 "max_length": "maxLength", "min": "minimum", "max": "maximum",
                 "min_items": "minItems", "max_items": "maxItems"}
LIMIT_OPTIONS = ("min_length", "max_length", "min", "max", "min_items", "max_items")
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_id(form_id: str, version: str) -> str:
    return f"urn:dipforms:form:{form_id}:{version}"


def dump_schema(schema: dict) -> str:
    return dump_json(schema)


def text_json(text: Text | None) -> dict[str, str] | None:
    if text is None:
        return None
    return {"en": text.en, "cy": text.cy} if text.cy else {"en": text.en}


class _Builder:
    def __init__(self, form: Form, project: Project):
        self.form = form
        self.ctx = SchemaContext({name: cl.codes for name, cl in project.codelists.items()})
        self.ctx.property_schema = self.item_schema
        self.rules: list[dict[str, Any]] = []
        self.settings = project.protocol.settings if project.protocol is not None else {}
        self.documents = project.documents
        self.top = {f.id: f for f in form.fields()}
        self.items: dict[tuple[str, ...], dict[str, Any]] = {}

    def build(self) -> dict[str, Any]:
        form = self.form
        page_of = {f.id: page for page in form.pages for f in page.fields}
        fields = [f for f in form.fields() if FIELD_TYPES[f.type].has_value]
        schema: dict[str, Any] = {
            "$schema": DIALECT,
            "$id": schema_id(form.id, form.version),
            "title": form.title.en,
            "description": form.description.en,
            "type": "object",
            "properties": {f.id: self.property(f) for f in fields},
            "additionalProperties": False,
        }
        required, conditions = self.conditions(fields, Scope(self.top), (),
                                               lambda f: page_of[f.id].show_if)
        schema["required"] = required
        if conditions:
            schema["allOf"] = conditions
        for rule in form.rules:
            self.rules.append(self.rule(rule))
        if self.ctx.defs:
            schema["$defs"] = dict(sorted(self.ctx.defs.items()))
        schema["x-dipforms"] = {
            "form": form.id,
            "version": form.version,
            "agency": form.agency,
            "title": text_json(form.title),
            "sources": [str(s) for s in form.sources],
            "pages": [{"id": p.id, "title": text_json(p.title),
                       "fields": [f.id for f in p.fields if FIELD_TYPES[f.type].has_value]}
                      for p in form.pages],
        }
        cited = sorted({s.document for r in form.rules for s in r.sources
                        if s.document in self.documents})
        if cited:  # the titles of the documents rules cite, for pages that show a source
            schema["x-dipforms"]["documents"] = {d: self.documents[d] for d in cited}
        schema["x-dipforms-rules"] = self.rules
        return schema

    def property(self, f: Field) -> dict[str, Any]:
        ftype = FIELD_TYPES[f.type]
        schema = dict(ftype.schema(f, self.ctx))
        schema["title"] = f.label.en if f.label else f.id
        if f.hint:
            schema["description"] = f.hint.en
        schema["x-dipforms-type"] = f.type
        schema["x-dipforms-errors"] = self.messages(f)
        return schema

    def messages(self, f: Field) -> dict[str, Any]:
        """Every message the field can show: the YAML's own, else the type's default."""
        ftype = FIELD_TYPES[f.type]
        values = self.message_values(f)
        out = {}
        fragment = ftype.schema(f, self.ctx)
        for kind in ftype.messages:
            keyword = KIND_KEYWORDS.get(kind)
            if keyword and fragment.get("type") in SIMPLE_TYPES and keyword not in fragment:
                continue
            text = ftype.default_message(kind, f, values)
            if text is not None:
                out[kind] = {"en": text}
        out.update({kind: text_json(text) for kind, text in f.errors.items()})
        return dict(sorted(out.items()))

    def message_values(self, f: Field) -> dict[str, Any]:
        """Placeholder values for default messages; only checks the field really makes."""
        values = {k: f.options[k] for k in LIMIT_OPTIONS if f.options.get(k) is not None}
        if f.type in ("text", "longtext", "email") and "max_length" not in values:
            values["max_length"] = FIELD_TYPES[f.type].schema(f, self.ctx).get("maxLength")
        for key, word in (("earliest", "after"), ("latest", "before")):
            if f.options.get(key) is None:
                continue
            other = f.options[key][0]
            if other == "today":
                values[key] = "today or in the " + ("future" if key == "earliest" else "past")
            else:
                label = self.top[other].label.en if other in self.top else other
                values[key] = f"the same as or {word} {label[:1].lower() + label[1:]}"
        return values

    def item_schema(self, group: Field) -> dict[str, Any]:
        """The schema of one item of a repeat; built once, as building records its rules."""
        if group.path not in self.items:
            self.items[group.path] = self._item_schema(group)
        return self.items[group.path]

    def _item_schema(self, group: Field) -> dict[str, Any]:
        children = [c for c in group.children if FIELD_TYPES[c.type].has_value]
        item: dict[str, Any] = {
            "type": "object",
            "properties": {c.id: self.property(c) for c in children},
            "additionalProperties": False,
        }
        scope = Scope(self.top, {c.id: c for c in group.children})
        required, conditions = self.conditions(children, scope, group.path, lambda f: None)
        item["required"] = required
        if conditions:
            item["allOf"] = conditions
        return item

    def conditions(self, fields, scope: Scope, each: tuple[str, ...], page_condition):
        """Unconditional `required` names, and if/then entries for conditional ones."""
        local = scope.item if each else scope.top
        required: list[str] = []
        entries: list[dict[str, Any]] = []
        for f in fields:
            shows = [e for e in (page_condition(f), f.show_if) if e is not None]
            if f.required and not shows:
                required.append(f.id)
            if shows:
                shown = self.condition_schema(shows, local)
                if shown is None:
                    self.rules.append(self.generated_rule("show", f, shows, each))
                    if f.required:
                        self.rules.append(self.generated_rule("required", f, shows, each))
                else:
                    entry: dict[str, Any] = {"if": shown, "else": {"not": {"required": [f.id]}}}
                    if f.required:
                        entry["then"] = {"required": [f.id]}
                    entries.append(entry)
            if f.required_if is not None:
                when = self.condition_schema([*shows, f.required_if], local)
                if when is None:
                    self.rules.append(
                        self.generated_rule("required", f, [*shows, f.required_if], each))
                else:
                    entries.append({"if": when, "then": {"required": [f.id]}})
            for key in ("earliest", "latest"):
                if f.options.get(key) is not None:
                    self.rules.append(self.bound_rule(key, f, each))
        return required, entries

    def condition_schema(self, exprs: list[Expr], local: dict[str, Field]) -> dict | None:
        """JSON Schema for all conditions together, or None if any needs the evaluator."""
        scope = Scope(local)
        parts = []
        for expr in exprs:
            part = to_schema(expr.ast, scope.resolve) if expr.ast is not None else None
            if part is None:
                return None
            parts.append(part)
        return parts[0] if len(parts) == 1 else {"allOf": parts}

    def generated_rule(self, kind: str, f: Field, exprs: list[Expr], each) -> dict[str, Any]:
        when = _all(exprs)
        rule: dict[str, Any] = {"id": f"{kind}:{'.'.join(f.path)}", "kind": kind,
                                "field": f.id, "when": when, "severity": "refuse"}
        if kind == "required":
            rule["message"] = self.messages(f)["required"]
        if each:
            rule["each"] = "/".join(each)
        return rule

    def bound_rule(self, key: str, f: Field, each) -> dict[str, Any]:
        """earliest/latest as a rule: against another field, or against today's date
        (a date and time is compared by its date, so any time today is allowed)."""
        other, _ = f.options[key]
        field = {"field": f.id}
        if other == "today":
            today = {"call": "today", "args": []}
            first, second = (today, field) if key == "earliest" else (field, today)
            check = {"op": ">=", "args": [{"call": "days_between", "args": [first, second]},
                                          {"lit": 0}]}
            when = _answered(f.id)
        else:
            check = {"op": ">=" if key == "earliest" else "<=", "args": [field, {"field": other}]}
            when = {"op": "and", "args": [_answered(f.id), _answered(other)]}
        rule: dict[str, Any] = {
            "id": f"{key}:{'.'.join(f.path)}", "kind": "check", "field": f.id, "when": when,
            "check": check, "severity": "refuse", "message": self.messages(f)[key],
        }
        if each:
            rule["each"] = "/".join(each)
        return rule

    def rule(self, rule) -> dict[str, Any]:
        path = tuple(rule.field.split("."))
        head = self.top.get(path[0])
        entry: dict[str, Any] = {
            "id": rule.id, "kind": "check", "field": path[-1],
            "when": to_json(rule.when.ast, self.settings) if rule.when and rule.when.ast
            else None,
            "check": to_json(rule.check.ast, self.settings) if rule.check.ast else None,
            "severity": rule.severity,
            "message": text_json(fill_text(rule.message, self.settings)),
            "source": [str(s) for s in rule.sources],
        }
        if rule.as_of == "now":  # left out for the default, so older schemas stay the same
            entry["as_of"] = "now"
        if head is not None and head.type == "repeat" and len(path) == 2:
            entry["each"] = path[0]
        elif len(path) == 2:
            entry["field"] = "/".join(path)
        return entry


def _answered(name: str) -> dict:
    return {"call": "answered", "args": [{"field": name}]}


def _all(exprs: list[Expr]) -> dict:
    parts = [to_json(e.ast) for e in exprs]
    return parts[0] if len(parts) == 1 else {"op": "and", "args": parts}


def form_schema(form: Form, project: Project) -> dict[str, Any]:
    return _Builder(form, project).build()
