"""Published versions stay as they were: compare a form's new schema with the committed one.

A version's schema may change only in wording (titles, hints, messages). Any change to what
it accepts needs a new version: a new optional field or code is compatible (bump MINOR),
anything that could reject an old record is breaking (bump MAJOR). Pure.
"""

from __future__ import annotations

from typing import Any

from .diagnostics import Diagnostic
from .model import Form

WORDING = ("title", "description", "x-dipforms-errors", "x-dipforms", "message", "source")


def validation_part(schema: Any) -> Any:
    """The schema without its wording: what decides whether a record is accepted."""
    if isinstance(schema, dict):
        return {k: validation_part(v) for k, v in schema.items() if k not in WORDING}
    if isinstance(schema, list):
        return [validation_part(v) for v in schema]
    return schema


def _fields(schema: dict, prefix: str = "") -> dict[str, dict]:
    """pointer -> {type, required, enum} for every field, repeat items included."""
    out: dict[str, dict] = {}
    required = set(schema.get("required", ()))
    conditional = {name for entry in schema.get("allOf", ())
                   for name in entry.get("then", {}).get("required", ())}
    defs = schema.get("$defs", {})
    for name, prop in schema.get("properties", {}).items():
        pointer = f"{prefix}/{name}"
        enum = prop.get("enum")
        if "$ref" in prop:
            enum = defs.get(prop["$ref"].rsplit("/", 1)[-1], {}).get("enum")
        out[pointer] = {"type": prop.get("x-dipforms-type"), "required": name in required,
                        "conditional": name in conditional, "enum": enum}
        items = prop.get("items")
        if isinstance(items, dict) and "properties" in items:
            out.update(_fields({**items, "$defs": defs}, pointer + "/-"))
    return out


def _is_setting(node: Any) -> bool:
    return isinstance(node, dict) and set(node) == {"lit", "setting"}


def same_validation(old: Any, new: Any) -> bool:
    """Whether two schemas accept the same records, wording aside.

    A protocol setting in a rule ({"lit": 3, "setting": "name"}, rules/compile.py) counts
    by its name, not its value: a DAT changing forms/protocol.yaml changes local policy,
    not the form's version. A rule that starts reading a setting in place of the same
    number is no change either."""
    if _is_setting(old) or _is_setting(new):
        if _is_setting(old) and _is_setting(new):
            return old["setting"] == new["setting"]
        plain = new if _is_setting(old) else old
        setting = old if _is_setting(old) else new
        return isinstance(plain, dict) and set(plain) == {"lit"} and \
            plain["lit"] == setting["lit"]
    if isinstance(old, dict) and isinstance(new, dict):
        keys = old.keys() - WORDING
        return keys == new.keys() - WORDING and all(same_validation(old[k], new[k])
                                                    for k in keys)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(map(same_validation, old, new))
    return old == new


def classify_change(old: dict, new: dict) -> tuple[str, list[str]]:
    """('none' | 'compatible' | 'breaking', human-readable changes)."""
    if same_validation(old, new):
        return "none", []
    before, after = _fields(old), _fields(new)
    breaking, compatible = [], []
    for pointer in sorted(before.keys() - after.keys()):
        breaking.append(f"field {pointer} removed or renamed")
    for pointer in sorted(after.keys() - before.keys()):
        if after[pointer]["required"]:
            breaking.append(f"new required field {pointer}")
        else:
            compatible.append(f"new optional field {pointer}")
    for pointer in sorted(before.keys() & after.keys()):
        a, b = before[pointer], after[pointer]
        if a["type"] != b["type"]:
            breaking.append(f"field {pointer} changed type from {a['type']} to {b['type']}")
        if b["required"] and not a["required"] or b["conditional"] and not a["conditional"]:
            breaking.append(f"field {pointer} is newly required")
        if a["enum"] is not None and b["enum"] is not None:
            removed = sorted(set(a["enum"]) - set(b["enum"]))
            added = sorted(set(b["enum"]) - set(a["enum"]))
            if removed:
                breaking.append(f"field {pointer} lost code(s) {', '.join(removed)}")
            if added:
                compatible.append(f"field {pointer} gained code(s) {', '.join(added)}")
    if not breaking and not compatible:
        breaking.append("validation rules changed (lengths, patterns, conditions or rules)")
    return ("breaking" if breaking else "compatible"), breaking + compatible


def version_key(version: str) -> tuple[int, int]:
    """'1.10' -> (1, 10), so versions sort as numbers, not as text."""
    major, minor = version.split(".")
    return int(major), int(minor)


def check_versions(form: Form, schema: dict, committed: dict[str, dict]) -> list[Diagnostic]:
    """committed: version -> the schema already kept in schemas/<form>/<version>.schema.json."""
    span = form.version_span or form.span
    if form.version in committed:
        kind, changes = classify_change(committed[form.version], schema)
        if kind == "none":
            return []
        major, minor = version_key(form.version)
        bump = f"{major}.{minor + 1}" if kind == "compatible" else f"{major + 1}.0"
        return [Diagnostic(span, "V001",
                           f"version {form.version} of '{form.id}' is published and this is a "
                           f"{kind} change: {'; '.join(changes[:5])}",
                           hint=f"set version: \"{bump}\" to publish it as a new version")]
    current = version_key(form.version)
    older = sorted((v for v in committed if version_key(v) < current), key=version_key)
    newer = [v for v in committed if version_key(v) > current]
    if newer:
        return [Diagnostic(span, "V002",
                           f"version {form.version} is older than the published "
                           f"{max(newer, key=version_key)}", hint="versions only go up")]
    if older:
        latest = older[-1]
        kind, changes = classify_change(committed[latest], schema)
        if kind == "breaking" and version_key(latest)[0] == version_key(form.version)[0]:
            return [Diagnostic(span, "V001",
                               f"a breaking change from {latest} needs a new MAJOR version: "
                               f"{'; '.join(changes[:5])}",
                               hint=f"set version: \"{version_key(latest)[0] + 1}.0\"")]
    return []
