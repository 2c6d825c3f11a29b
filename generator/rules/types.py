"""Type-check a parsed expression against the fields it names; every problem as a Diagnostic.

Pure: the caller passes `resolve` (name path -> FieldInfo) and the span where the text
starts; nothing here reads the form or evaluates the expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..diagnostics import Diagnostic, did_you_mean
from ..spans import Span
from .functions import FUNCTIONS, PARAM_DESCRIPTIONS, accepts, signature
from .settings import SETTING, Settings, value_kind
from .syntax import Ast, Binary, Call, ListLiteral, Literal, Name, Unary, references

__all__ = ["ExprType", "FieldInfo", "Resolve", "check_condition", "infer", "references"]


@dataclass(frozen=True)
class FieldInfo:
    """What a name refers to, as the caller knows it.

    kind: 'string', 'number', 'date', 'datetime', 'time', 'boolean', 'code' (one choice),
      'codes' (multichoice), 'items' (a repeat), 'object' (name, address...), or
      'list:<kind>' for a field inside a repeat named from outside it.
    codes: the allowed codes of a 'code'/'codes'/'list:code' field (None: not known).
    choices: the names one level down (an object's keys, a repeat's fields), for hints.
      `resolve(())` should give the root: FieldInfo('object', choices=<every usable name>).
    """

    kind: str
    codes: tuple[str, ...] | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExprType:
    """The type of a value in an expression; `field` names it when it is a field."""

    kind: str
    codes: tuple[str, ...] | None = None
    field: str | None = None


Resolve = Callable[[tuple[str, ...]], FieldInfo | None]

BOOLEAN = ExprType("boolean")
ORDERED = ("number", "date", "datetime", "time")
SCALARS = ("string", "code", "number", "date", "datetime", "time", "boolean")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^([0-9]{2}):([0-9]{2})$")

_DESCRIPTIONS = {
    "string": "text",
    "code": "a code",
    "number": "a number",
    "date": "a date",
    "datetime": "a date and time",
    "time": "a time",
    "boolean": "true/false",
    "codes": "a list of codes",
    "items": "a repeating group",
    "object": "a group of answers",
    "null": "null",
    "list": "a list",
    "any": "a value",
}
_PLURALS = {"string": "texts", "code": "codes", "number": "numbers", "date": "dates",
            "datetime": "dates and times", "time": "times", "boolean": "true/false values",
            "codes": "codes", "object": "groups of answers"}  # fmt: skip


def describe(t: ExprType) -> str:
    """'a date', 'a list of dates', or "'offence_date' (a date)" when it is a field."""
    if t.kind.startswith("list:"):
        text = "a list of " + _PLURALS.get(t.kind[5:], "values")
    else:
        text = _DESCRIPTIONS.get(t.kind, t.kind)
    if t.field and t.field.startswith(SETTING + "("):
        return f"{t.field} ({text})"
    return f"'{t.field}' ({text})" if t.field else text


def element_of(t: ExprType) -> ExprType | None:
    """The type of one element of a list type (a multichoice's elements are codes)."""
    if t.kind == "list":
        return ExprType("any")
    if t.kind == "codes" or t.kind in ("list:code", "list:codes"):
        return ExprType("code", t.codes, t.field)
    if t.kind.startswith("list:"):
        return ExprType(t.kind[5:], t.codes, t.field)
    return None


def is_list(t: ExprType) -> bool:
    return t.kind in ("codes", "items", "list") or t.kind.startswith("list:")


def same_family(a: str, b: str) -> bool:
    """Kinds that may be compared: equal kinds, and text with codes."""
    return a == b or "any" in (a, b) or {a, b} <= {"string", "code"}


def infer(ast: Ast, resolve: Resolve, span: Span, settings: Settings | None = None
          ) -> tuple[ExprType | None, list[Diagnostic]]:
    """The expression's type and every problem found (None when the type is unknown).

    `settings` are the protocol's settings `setting('name')` may read; None where settings
    cannot be used (anywhere but a rule's `when` and `check`)."""
    checker = _Checker(resolve, span, settings)
    return checker.type_of(ast), checker.diagnostics


def check_condition(ast: Ast, resolve: Resolve, span: Span,
                    settings: Settings | None = None) -> list[Diagnostic]:
    """`infer`, plus E004 unless the whole expression is true/false."""
    result, diagnostics = infer(ast, resolve, span, settings)
    if result is not None and result.kind not in ("boolean", "any") and not diagnostics:
        diagnostics.append(
            Diagnostic(
                span.shifted(ast.offset),
                "E004",
                f"a condition must be true or false, but this is {describe(result)}",
                "compare it with something, for example x == 'value', or use answered(x)",
            )
        )
    return diagnostics


class _Checker:
    def __init__(self, resolve: Resolve, span: Span, settings: Settings | None = None) -> None:
        self.resolve = resolve
        self.span = span
        self.settings = settings
        self.diagnostics: list[Diagnostic] = []

    def report(self, offset: int, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(self.span.shifted(offset), code, message, hint))

    def type_of(self, node: Ast) -> ExprType | None:
        if isinstance(node, Literal):
            return ExprType(_literal_kind(node.value))
        if isinstance(node, ListLiteral):
            return self.list_type(node)
        if isinstance(node, Name):
            return self.name_type(node)
        if isinstance(node, Call):
            return self.call_type(node)
        if isinstance(node, Unary):
            self.require_boolean(node.operand, "'not' needs true/false after it")
            return BOOLEAN
        if node.op in ("and", "or"):
            self.require_boolean(node.left, f"'{node.op}' needs true/false on its left")
            self.require_boolean(node.right, f"'{node.op}' needs true/false on its right")
            return BOOLEAN
        left, right = self.type_of(node.left), self.type_of(node.right)
        if left is not None and right is not None and node.op not in ("in", "not in"):
            left, right = _as_time(left, node.left, right), _as_time(right, node.right, left)
        if left is not None and right is not None:
            if node.op in ("in", "not in"):
                self.check_membership(node, left, right)
            else:
                self.check_comparison(node, left, right)
        return BOOLEAN

    def require_boolean(self, node: Ast, message: str) -> None:
        found = self.type_of(node)
        if found is not None and found.kind not in ("boolean", "any"):
            hint = "compare it with something, for example x == 'value', or use answered(x)"
            self.report(node.offset, "E004", f"{message}, found {describe(found)}", hint)

    def list_type(self, node: ListLiteral) -> ExprType | None:
        kind: str | None = None
        for item in node.items:
            found = self.type_of(item)
            if found is None or found.kind == "null":
                continue
            if is_list(found) or found.kind not in SCALARS:
                self.report(item.offset, "E004", f"a list cannot hold {describe(found)}")
                return None
            item_kind = "string" if found.kind == "code" else found.kind
            if kind is not None and kind != item_kind:
                kinds = f"{_DESCRIPTIONS[kind]} and {_DESCRIPTIONS[item_kind]}"
                self.report(item.offset, "E004", f"a list must hold one kind of value: {kinds}")
                return None
            kind = item_kind
        return ExprType(f"list:{kind}" if kind else "list")

    def name_type(self, node: Name) -> ExprType | None:
        info = self.resolve(node.path)
        if info is not None:
            return ExprType(info.kind, info.codes, node.dotted)
        self.unknown_name(node)
        return None

    def unknown_name(self, node: Name) -> None:
        known = 0  # how many leading segments resolve
        while known < len(node.path) - 1 and self.resolve(node.path[: known + 1]) is not None:
            known += 1
        parent = self.resolve(node.path[:known])
        offset = node.offset + sum(len(part) + 1 for part in node.path[:known])
        wrong = node.path[known]
        choices = parent.choices if parent is not None else ()
        hint = did_you_mean(wrong, choices) or did_you_mean(".".join(node.path[known:]), choices)
        if hint is None and len(node.path) == 1 and node.path[0] in FUNCTIONS:
            hint = f"did you mean '{node.path[0]}()'?"
        if hint is None and self.settings and node.path[-1] in self.settings:
            hint = f"'{node.path[-1]}' is a setting: write {SETTING}('{node.path[-1]}')"
        if known:
            parent_name = ".".join(node.path[:known])
            message = f"unknown field '{node.dotted}': '{parent_name}' has no '{wrong}'"
        else:
            message = f"unknown field '{node.dotted}'"
        self.report(offset, "E002", message, hint)

    def call_type(self, node: Call) -> ExprType | None:
        arg_types = [self.type_of(arg) for arg in node.args]
        if node.name == SETTING:
            return self.setting_type(node)
        function = FUNCTIONS.get(node.name)
        if function is None:
            hint = did_you_mean(node.name, [*FUNCTIONS, SETTING])
            if hint is None and self.resolve((node.name,)) is not None:
                hint = f"'{node.name}' is a field; write it without brackets"
            self.report(node.offset, "E003", f"unknown function '{node.name}'", hint)
            return None
        if len(node.args) != len(function.params):
            wanted = len(function.params)
            message = (
                f"{node.name}() takes {wanted} argument{'s' if wanted != 1 else ''}, "
                f"found {len(node.args)}"
            )
            self.report(node.offset, "E005", message, signature(function))
            return ExprType(function.result)
        for number, (arg, found, param) in enumerate(
            zip(node.args, arg_types, function.params, strict=True), start=1
        ):
            self.check_argument(node.name, number, arg, found, param)
        return ExprType(function.result)

    def setting_type(self, node: Call) -> ExprType | None:
        """`setting('name')`: the type of the protocol setting's value (E008 if unknown)."""
        example = "setting('min_gap_s2_s3_days')"
        if len(node.args) != 1:
            found = len(node.args)
            self.report(node.offset, "E005", f"setting() takes 1 argument, found {found}",
                        f"{example} gives the value of a setting in forms/protocol.yaml")
            return None
        arg = node.args[0]
        if not (isinstance(arg, Literal) and isinstance(arg.value, str)):
            self.report(arg.offset, "E004", "setting() needs the setting's name in quotes",
                        f"for example {example}")
            return None
        name = arg.value
        if self.settings is None:
            self.report(node.offset, "E008", "setting() can only be used in a rule's "
                        "when and check")
            return None
        if name not in self.settings:
            hint = (did_you_mean(name, self.settings)
                    or "add it under settings: in forms/protocol.yaml")
            self.report(arg.offset, "E008", f"unknown setting '{name}'", hint)
            return None
        kind = value_kind(self.settings[name])
        if kind is None:
            self.report(arg.offset, "E008", f"the setting '{name}' is not a number, text or "
                        "true/false, so an expression cannot use it")
            return None
        return ExprType(kind, field=f"{SETTING}('{name}')")

    def check_argument(
        self, name: str, number: int, arg: Ast, found: ExprType | None, param: str
    ) -> None:
        wanted = PARAM_DESCRIPTIONS.get(param, param)
        if param == "date_literal":
            if not (isinstance(arg, Literal) and isinstance(arg.value, str)
                    and _ISO_DATE.match(arg.value) and _is_real_date(arg.value)):  # fmt: skip
                self.report(arg.offset, "E004", f"{name}() needs {wanted}, like '2026-01-31'")
        elif found is not None and not accepts(param, found.kind):
            hint = None
            if param == "list:date" and found.kind == "items":
                hint = f"name a date field inside it, like {found.field}.<date field>"
            message = f"argument {number} of {name}() must be {wanted}, found {describe(found)}"
            self.report(arg.offset, "E004", message, hint)

    def check_comparison(self, node: Binary, left: ExprType, right: ExprType) -> None:
        where = node.op_offset
        if "null" in (left.kind, right.kind):
            message = "a comparison with null is always false"
            self.report(where, "E004", message, "use answered(x) or not answered(x)")
        elif is_list(left) or is_list(right):
            listed = left if is_list(left) else right
            if listed.kind == "codes" or listed.kind == "list:code":
                hint = "use 'in' to test for a code, like 'x' in field"
            else:
                hint = "use earliest(), latest(), count() or 'in'"
            self.report(where, "E004", f"cannot compare {describe(listed)} with '{node.op}'", hint)
        elif not same_family(left.kind, right.kind):
            message = f"cannot compare {describe(left)} with {describe(right)}"
            self.report(where, "E004", message, _mismatch_hint(node, left, right))
        elif node.op not in ("==", "!=") and left.kind not in ORDERED + ("any",):
            self.report(
                where, "E004", f"'{node.op}' needs numbers, dates or times, found {describe(left)}"
            )
        else:
            self.check_code(left, node.right)
            self.check_code(right, node.left)

    def check_membership(self, node: Binary, left: ExprType, right: ExprType) -> None:
        element = element_of(right)
        if element is None:
            message = f"'{node.op}' needs a list on its right, found {describe(right)}"
            self.report(node.op_offset, "E004", message)
        elif left.kind == "null":
            message = "a comparison with null is always false"
            self.report(node.op_offset, "E004", message, "use answered(x) or not answered(x)")
        elif is_list(left):
            message = f"'{node.op}' looks for one value, found {describe(left)} on its left"
            self.report(node.op_offset, "E004", message)
        elif not same_family(left.kind, element.kind):
            message = f"cannot look for {describe(left)} in {describe(right)}"
            self.report(node.op_offset, "E004", message)
        else:
            self.check_code(element, node.left)
            items = node.right.items if isinstance(node.right, ListLiteral) else ()
            for item in items:
                self.check_code(left, item)

    def check_code(self, field: ExprType, other: Ast) -> None:
        """E007 when a literal compared with a code field is not one of its codes."""
        if field.kind != "code" or field.codes is None:
            return
        if isinstance(other, Literal) and isinstance(other.value, str):
            if other.value not in field.codes:
                message = f"'{other.value}' is not a code of '{field.field}'"
                self.report(other.offset, "E007", message, did_you_mean(other.value, field.codes))


def _as_time(found: ExprType, node: Ast, other: ExprType) -> ExprType:
    """A quoted 'HH:MM' compared with a time field is a time (there is no time() function)."""
    if other.kind == "time" and isinstance(node, Literal) and isinstance(node.value, str):
        match = _TIME.match(node.value)
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            return ExprType("time")
    return found


def _literal_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


def _is_real_date(text: str) -> bool:
    year, month, day = (int(part) for part in text.split("-"))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return year >= 1 and 1 <= month <= 12 and 1 <= day <= days[month - 1]


def _mismatch_hint(node: Binary, left: ExprType, right: ExprType) -> str | None:
    kinds = {left.kind, right.kind}
    if kinds == {"date", "datetime"}:
        return "a date and a date and time do not compare; use days_between(a, b)"
    if kinds & {"date", "datetime"} and kinds & {"string", "code"}:
        literal = node.right if isinstance(node.right, Literal) else node.left
        example = literal.value if isinstance(literal, Literal) else "2026-01-31"
        return f"write a fixed date as date('{example}')"
    return None
