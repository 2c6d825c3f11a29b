"""A checked expression -> its JSON form (evaluated by the API and the pages) and, where
JSON Schema can say it exactly, a JSON Schema 2020-12 subschema true when the expression is.

Pure. `to_schema` must agree with the evaluators: an unanswered field is null and a
comparison with null is false, so every pattern requires the field and checks its type.
"""

from __future__ import annotations

from collections.abc import Mapping

from .settings import setting_name
from .syntax import Ast, Binary, Call, ListLiteral, Literal, Name, Unary
from .types import Resolve

JsonSchema = dict[str, object]

#: The operator as written -> (the JSON Schema keyword, the operator seen from the other side)
_BOUNDS = {
    "<": ("exclusiveMaximum", ">"),
    "<=": ("maximum", ">="),
    ">": ("exclusiveMinimum", "<"),
    ">=": ("minimum", "<="),
}
_FLIPPED = {"==": "==", "!=": "!=", **{op: flip for op, (_, flip) in _BOUNDS.items()}}

#: Kinds whose answers JSON Schema's const/enum compare as the evaluators do.
SCALAR_KINDS = ("string", "code", "number", "boolean")

#: Values `answered()` treats as not answered.
UNANSWERED = (None, "", [], {})


def to_json(ast: Ast, settings: Mapping[str, object] | None = None) -> dict[str, object]:
    """{"lit": v} | {"list": [...]} | {"field": "a.b"} | {"call": f, "args": [...]}
    | {"op": "and"|"or"|"not"|"=="|"!="|"<"|"<="|">"|">="|"in"|"not in", "args": [...]}.

    `setting('name')` becomes {"lit": value, "setting": "name"}: the evaluators read the
    value and the version check (versions.py) the name. `settings` must hold every setting
    the expression reads (the type check has made sure of it)."""
    name = setting_name(ast)
    if name is not None:
        if settings is None or name not in settings:
            raise ValueError(f"setting('{name}') needs the protocol's settings to compile")
        return {"lit": settings[name], "setting": name}
    if isinstance(ast, Literal):
        return {"lit": ast.value}
    if isinstance(ast, ListLiteral):
        return {"list": [to_json(item, settings) for item in ast.items]}
    if isinstance(ast, Name):
        return {"field": ast.dotted}
    if isinstance(ast, Call):
        return {"call": ast.name, "args": [to_json(arg, settings) for arg in ast.args]}
    if isinstance(ast, Unary):
        return {"op": ast.op, "args": [to_json(ast.operand, settings)]}
    return {"op": ast.op, "args": [to_json(ast.left, settings), to_json(ast.right, settings)]}


def to_schema(ast: Ast, resolve: Resolve) -> JsonSchema | None:
    """A subschema valid exactly when the condition is true, or None if JSON Schema cannot
    say it (dates, functions other than answered(), two fields, dotted names)."""
    if isinstance(ast, Literal):
        if isinstance(ast.value, bool):
            return {} if ast.value else {"not": {}}
        return None
    if isinstance(ast, Name):
        field = _top_level_field(ast, resolve)
        if field is not None and field[1] == "boolean":
            return _field_schema(field[0], {"const": True})
        return None
    if isinstance(ast, Call):
        return _answered_schema(ast, resolve)
    if isinstance(ast, Unary):
        inner = to_schema(ast.operand, resolve)
        return None if inner is None else {"not": inner}
    if ast.op in ("and", "or"):
        return _logic_schema(ast, resolve)
    if ast.op in ("in", "not in"):
        schema = _membership_schema(ast, resolve)
        return {"not": schema} if schema is not None and ast.op == "not in" else schema
    return _comparison_schema(ast, resolve)


def _top_level_field(node: Ast, resolve: Resolve) -> tuple[str, str] | None:
    """(name, kind) of a top-level (one-segment) field, else None."""
    if not isinstance(node, Name) or len(node.path) != 1:
        return None
    info = resolve(node.path)
    return None if info is None else (node.path[0], info.kind)


def _field_schema(name: str, subschema: JsonSchema) -> JsonSchema:
    return {"properties": {name: subschema}, "required": [name]}


def _answered_schema(call: Call, resolve: Resolve) -> JsonSchema | None:
    if call.name != "answered" or len(call.args) != 1:
        return None
    field = _top_level_field(call.args[0], resolve)
    if field is None:
        return None
    return _field_schema(field[0], {"not": {"enum": list(UNANSWERED)}})


def _logic_schema(ast: Binary, resolve: Resolve) -> JsonSchema | None:
    keyword = "allOf" if ast.op == "and" else "anyOf"
    parts: list[object] = []
    for side in (ast.left, ast.right):
        schema = to_schema(side, resolve)
        if schema is None:
            return None
        nested = schema.get(keyword)
        if isinstance(side, Binary) and side.op == ast.op and isinstance(nested, list):
            parts.extend(nested)
        else:
            parts.append(schema)
    return {keyword: parts}


def _comparison_schema(ast: Binary, resolve: Resolve) -> JsonSchema | None:
    field_node, literal, op = ast.left, ast.right, ast.op
    if isinstance(field_node, Literal):
        field_node, literal, op = ast.right, ast.left, _FLIPPED[ast.op]
    field = _top_level_field(field_node, resolve)
    if field is None or not isinstance(literal, Literal) or literal.value is None:
        return None
    name, kind = field
    value = literal.value
    if op in ("==", "!="):
        if kind not in SCALAR_KINDS:
            return None
        equal = _field_schema(name, {"const": value})
        return equal if op == "==" else {"not": equal}
    if kind != "number" or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return _field_schema(name, {"type": "number", _BOUNDS[op][0]: value})


def _membership_schema(ast: Binary, resolve: Resolve) -> JsonSchema | None:
    needle, haystack = ast.left, ast.right
    if isinstance(haystack, ListLiteral):
        field = _top_level_field(needle, resolve)
        if field is None or field[1] not in SCALAR_KINDS:
            return None
        values: list[object] = []
        for item in haystack.items:
            if not isinstance(item, Literal):
                return None
            if item.value is not None:  # null equals nothing, so it never matches
                values.append(item.value)
        return _field_schema(field[0], {"enum": values})
    field = _top_level_field(haystack, resolve)
    if field is not None and field[1] == "codes" and isinstance(needle, Literal):
        if needle.value is None:
            return None
        return _field_schema(field[0], {"type": "array", "contains": {"const": needle.value}})
    return None
