"""Whole-project checks after parsing: unique ids, references that resolve, expressions
that type-check, no condition cycles, Welsh text complete, protocol agencies known.

Returns every Diagnostic at once; never raises and never writes. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from chalicelib.contract.roles import ROLES

from .diagnostics import Diagnostic, did_you_mean
from .fields import FIELD_TYPES
from .model import Expr, Field, Form, Project
from .parse.reader import Reader
from .rules.settings import check_message
from .rules.syntax import references
from .rules.types import FieldInfo, check_condition
from .spans import Span

DATE_KINDS = ("date", "datetime")


class Scope:
    """Resolves names in expressions: a repeat item's siblings first, then the form's fields."""

    def __init__(self, top: dict[str, Field], item: dict[str, Field] | None = None):
        self.top = top
        self.item = item or {}

    def field(self, path: tuple[str, ...]) -> Field | None:
        head = self.item.get(path[0]) or self.top.get(path[0])
        return head

    def names(self) -> list[str]:
        return sorted(set(self.top) | set(self.item))

    def resolve(self, path: tuple[str, ...]) -> FieldInfo | None:
        if not path:
            return FieldInfo(kind="object", choices=tuple(self.names()))
        head = self.field(path)
        if head is None or not FIELD_TYPES[head.type].has_value:
            return None
        if len(path) == 1:
            return _info(head)
        if len(path) == 2 and head.type == "repeat":
            child = next((c for c in head.children if c.id == path[1]), None)
            if child is None:
                return None
            inner = _info(child)
            return FieldInfo(kind=f"list:{inner.kind}", codes=inner.codes, choices=())
        if len(path) == 2:
            parts = {name: kind for name, kind, _ in FIELD_TYPES[head.type].parts}
            if path[1] in parts:
                return FieldInfo(kind=parts[path[1]], codes=None, choices=())
        return None


def _info(f: Field) -> FieldInfo:
    """A field as expressions see it; `choices` are the names one level down."""
    codes = tuple(c.code for c in f.options.get("choices", ())) or None
    below = tuple(c.id for c in f.children) or tuple(p for p, _, _ in FIELD_TYPES[f.type].parts)
    return FieldInfo(kind=FIELD_TYPES[f.type].kind, codes=codes, choices=below)


def check_project(project: Project) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    agency_types = project.codelists.get("agency_type")
    settings = project.protocol.settings if project.protocol is not None else {}
    for form in project.forms:
        out.extend(check_form(form, settings))
        if agency_types is not None and form.agency not in agency_types.codes:
            out.append(Diagnostic(form.span, "F016", f"unknown agency type '{form.agency}'",
                                  did_you_mean(form.agency, agency_types.codes)))
    if project.protocol is not None:
        out.extend(_check_protocol(project))
    if project.process is not None:
        # imported on use: a project without a process never loads it (README.md: Build speed)
        from .process.states import check_process
        reader = Reader()
        check_process(reader, project.process, project.forms, ROLES,
                      lambda form: Scope({f.id: f for f in form.fields()}).resolve,
                      settings=project.protocol.settings if project.protocol is not None
                      else None)
        out.extend(reader.diagnostics)
    return out


def check_form(form: Form, settings: Mapping[str, object] | None = None) -> list[Diagnostic]:
    """Every problem in one form; `settings` (the protocol's) are what its rules may read."""
    settings = settings or {}
    out: list[Diagnostic] = []
    out.extend(_duplicates(((p.id, p.span) for p in form.pages), "page"))
    out.extend(_duplicates(((f.id, f.span) for f in form.fields()), "field"))
    out.extend(_duplicates(((r.id, r.span) for r in form.rules), "rule"))
    top = {f.id: f for f in form.fields()}
    scope = Scope(top)
    for page in form.pages:
        out.extend(_condition(page.show_if, scope))
        for f in page.fields:
            out.extend(_check_field(f, scope))
    for rule in form.rules:
        target = tuple(rule.field.split("."))
        if scope.field(target) is None or (len(target) > 1 and scope.resolve(target) is None):
            out.append(Diagnostic(rule.field_span or rule.span, "E002",
                                  f"rule {rule.id} names an unknown field '{rule.field}'",
                                  did_you_mean(rule.field, scope.names())))
        rule_scope = _rule_scope(scope, target)
        out.extend(_condition(rule.when, rule_scope, settings))
        out.extend(_condition(rule.check, rule_scope, settings))
        out.extend(check_message(rule.message, settings, f"the message of rule {rule.id}"))
    out.extend(_cycles(form))
    out.extend(_welsh(form))
    return out


def _rule_scope(scope: Scope, target: tuple[str, ...]) -> Scope:
    """A rule on a field inside a repeat is checked for each item: it sees the item's fields."""
    head = scope.field(target[:1])
    if head is not None and head.type == "repeat" and len(target) == 2:
        return Scope(scope.top, {c.id: c for c in head.children})
    return scope


def _check_field(f: Field, scope: Scope) -> list[Diagnostic]:
    out = _condition(f.show_if, scope) + _condition(f.required_if, scope)
    for key in ("earliest", "latest"):
        bound = f.options.get(key)
        if bound is None:
            continue
        name, span = bound
        other = scope.field((name,))
        if name != "today" and (other is None or FIELD_TYPES[other.type].kind != FIELD_TYPES[
                f.type].kind):
            dates = [n for n in scope.names()
                     if FIELD_TYPES[scope.field((n,)).type].kind == FIELD_TYPES[f.type].kind]
            out.append(Diagnostic(span, "E002",
                                  f"{key} must be 'today' or another {f.type} field, not '{name}'",
                                  did_you_mean(name, [*dates, "today"])))
    if f.type == "repeat":
        out.extend(_duplicates(((c.id, c.span) for c in f.children), "field"))
        inner = Scope(scope.top, {c.id: c for c in f.children})
        for child in f.children:
            out.extend(_check_field(child, inner))
    return out


def _condition(expr: Expr | None, scope: Scope,
               settings: Mapping[str, object] | None = None) -> list[Diagnostic]:
    """Type-check a condition; `settings` only for a rule's when and check."""
    if expr is None or expr.ast is None:
        return []
    return list(check_condition(expr.ast, scope.resolve, expr.span, settings))


def _duplicates(items: Iterable[tuple[str, Span]], what: str) -> list[Diagnostic]:
    seen: dict[str, Span] = {}
    out = []
    for name, span in items:
        if name in seen:
            out.append(Diagnostic(span, "F005", f"duplicate {what} id '{name}' "
                                  f"(first at line {seen[name].line})",
                                  hint="ids must be unique; use prefix: for a block used twice"))
        else:
            seen[name] = span
    return out


def _cycles(form: Form) -> list[Diagnostic]:
    """A field shown or required on condition of a field that depends back on it."""
    edges: dict[str, set[str]] = {}
    spans: dict[str, Span] = {}
    for f in form.fields():
        deps: set[str] = set()
        for expr in (f.show_if, f.required_if):
            if expr is not None and expr.ast is not None:
                deps |= {path[0] for path in references(expr.ast)}
                spans.setdefault(f.id, expr.span)
        edges[f.id] = deps
    out: list[Diagnostic] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    out.append(Diagnostic(spans[cycle[0]], "E006",
                                          "conditions form a cycle: " + " -> ".join(cycle),
                                          hint="a field cannot depend, even indirectly, on itself"))
            elif state.get(nxt) is None and nxt in edges:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(edges):
        if state.get(name) is None:
            visit(name, [name])
    return out


def _welsh(form: Form) -> list[Diagnostic]:
    if not form.has_welsh:
        return []
    missing = [where for where, text in form.texts() if not text.cy]
    if not missing:
        return []
    shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
    return [Diagnostic(form.span, "W001",
                       f"form '{form.id}' has Welsh text but {len(missing)} text(s) lack it: "
                       f"{shown}", hint="add cy: beside each en:, or remove the Welsh text")]


def _check_protocol(project: Project) -> list[Diagnostic]:
    # imported on use: a project without a protocol never loads it (README.md: Build speed)
    from .protocol.agency_types import check_agency_types
    from .protocol.check import check_protocol_routes
    protocol = project.protocol
    out = list(_duplicates(((a.id, a.span) for a in protocol.agencies), "agency"))
    agency_types = project.codelists.get("agency_type")
    if agency_types is not None:
        for agency in protocol.agencies:
            if agency.type not in agency_types.codes:
                out.append(Diagnostic(agency.span, "F016",
                                      f"unknown agency type '{agency.type}' for '{agency.id}'",
                                      did_you_mean(agency.type, agency_types.codes)))
    for key in ("country", "area_type"):
        codelist, value = project.codelists.get(key), protocol.raw.get(key)
        if codelist is not None and value is not None and value not in codelist.codes:
            out.append(Diagnostic(protocol.span, "F009", f"unknown {key} '{value}'",
                                  did_you_mean(str(value), codelist.codes)))
    if "agency_types" in protocol.raw:
        out.extend(check_agency_types(getattr(protocol, "agency_types", {}), protocol.agencies,
                                      ROLES, agency_types.codes if agency_types else None))
    out.extend(_check_access(project))
    out.extend(check_protocol_routes(project, ROLES))
    conditions = project.codelists.get("dip_condition_type")
    if conditions is not None:
        for condition in protocol.condition_types:
            if condition not in conditions.codes:
                out.append(Diagnostic(protocol.span, "F009",
                                      f"unknown condition type '{condition}'",
                                      did_you_mean(condition, conditions.codes)))
    return out


def _check_access(project: Project) -> list[Diagnostic]:
    forms = {f.id for f in project.forms}
    out = []
    for rule in project.protocol.access.values():
        if rule.form not in forms:
            out.append(Diagnostic(rule.span, "F017", f"access names an unknown form '{rule.form}'",
                                  did_you_mean(rule.form, forms)))
        for role, span in rule.submit + rule.read:
            if role not in ROLES:
                out.append(Diagnostic(span, "F018", f"unknown role '{role}'",
                                      did_you_mean(role, ROLES)))
    return out
