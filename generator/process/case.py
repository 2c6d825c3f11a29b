"""The parts of forms/process.yaml that tie a case to its records: `links` (which field of a
form holds the case reference), `facts` (the values a case keeps, taken from its records or
recorded on the case), and each transition's `guard` (a rule that must hold); a step's
`on:` and `asks:` are steps.py's. Parsed and checked here; pure.

Facts hold dates, codes and flags for deadlines, guards and the DAT view: never names or
free text, so a fact may not be of type text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..diagnostics import did_you_mean
from ..model import Expr, Form, Source, Text
from ..parse.form import read_expression
from ..parse.reader import Reader
from ..rules.compile import to_json
from ..rules.types import FieldInfo, check_condition, infer
from ..spans import Mapping as MappingNode
from ..spans import Node, Scalar, Span

LINK_KEYS = ("form", "field", "fills", "when", "source")
#: A fill taken from another record of the case: `from` (a form, or forms: the first the
#: case has a record of) and `value` (an expression over that record's answers) or
#: `reference: true` (the record's own reference).
RECORD_FILL_KEYS = ("from", "value", "reference")
#: A repeating group filled with one item per record of the case of the forms `rows_from`
#: (in that order): `number` names the item's field given its place (1, 2...), `fills` its
#: other fields, each an expression over that record's answers.
ROWS_FILL_KEYS = ("rows_from", "number", "fills")
FACT_KEYS = ("id", "type", "from", "recorded_by", "notify", "flag", "source")
FACT_FROM_KEYS = ("form", "value")
GUARD_KEYS = ("rule", "when", "message", "source")
#: A fact's type -> the kind expressions see (generator/rules/types.FieldInfo).
FACT_KINDS = {"date": "date", "datetime": "datetime", "boolean": "boolean", "code": "code",
              "number": "number"}
#: Flags a recorded fact's notification may carry.
FLAGS = ("friday",)


@dataclass(frozen=True)
class Fill:
    """A field of a linked form filled, when the form starts from a case, with `value`: an
    expression over the answers, as the reader may see them, of the case's opening record
    (the MG14) or, with `sources`, of the latest record of the first of those forms the
    case has; `reference`: with that record's own reference instead."""

    field: str
    value: Expr | None
    span: Span
    sources: tuple[str, ...] = ()
    reference: bool = False


@dataclass(frozen=True)
class RowsFill:
    """A repeating group filled with one item per record of the case of the forms
    `sources` (a session record, a row of the compliance report's sessions)."""

    field: str
    sources: tuple[str, ...]
    number: str | None
    fills: tuple[Fill, ...]
    span: Span


@dataclass(frozen=True)
class Link:
    form: str
    field: str
    span: Span
    spans: dict[str, Span]
    fills: tuple[Fill, ...] = ()
    rows: tuple[RowsFill, ...] = ()
    when: Expr | None = None      # over the case's facts: the form applies to this case
    citations: tuple[Source, ...] = ()    # why it applies only `when`


@dataclass(frozen=True)
class FactSource:
    form: str
    value: Expr
    span: Span


@dataclass(frozen=True)
class Fact:
    id: str
    type: str
    sources: tuple[FactSource, ...]     # taken from these forms' records (latest wins)
    recorded_by: tuple[str, ...]        # or recorded on the case by these roles
    notify: str | None                  # the event raised when it is recorded
    flag: str | None                    # e.g. friday: the event is flagged on a Friday
    citations: tuple[Source, ...]
    span: Span
    spans: dict[str, Span]


@dataclass(frozen=True)
class Guard:
    rule: str
    when: Expr
    message: Text
    sources: tuple[Source, ...]
    span: Span


def parse_links(r: Reader, node: Node | None) -> tuple[Link, ...]:
    links = []
    for item in r.sequence(node, "links"):
        m = r.mapping(item, "a link")
        if m is None:
            continue
        r.keys(m, LINK_KEYS, ("form", "field"), "a link")
        form = r.ident(m.get("form"), "the linked form")
        field = r.ident(m.get("field"), "the field holding the case reference")
        fills, rows = _fills(r, m.get("fills"))
        when = read_expression(r, m.get("when"), "when the form applies to the case")
        citations = r.sources(m.get("source"), "a link") if m.get("source") else ()
        if when is not None and not citations:
            r.error(m.span, "F011", f"the link of '{form}' says when it applies with no source",
                    hint="cite the guidance (document and section), or write "
                         "`source: assumption`")
        if form and field:
            links.append(Link(form, field, m.span, m.value_spans(), fills, rows, when,
                              citations))
    return tuple(links)


def _fills(r: Reader, node: Node | None) -> tuple[tuple[Fill, ...], tuple[RowsFill, ...]]:
    """`fills: {field: value}`: each field of the linked form and what fills it: an
    expression over the opening record, a mapping naming another record (RECORD_FILL_KEYS)
    or, for a repeating group, the records whose items fill it (ROWS_FILL_KEYS)."""
    m = r.mapping(node, "what a form starting from the case fills") if node else None
    if m is None:
        return (), ()
    fills, rows = [], []
    for key, value_node in m.items.items():
        if isinstance(value_node, MappingNode) and "rows_from" in value_node.items:
            found = _rows_fill(r, key, value_node, m.keys[key])
            if found is not None:
                rows.append(found)
            continue
        fill = _fill(r, key, value_node, m.keys[key])
        if fill is not None:
            fills.append(fill)
    return tuple(fills), tuple(rows)


def _fill(r: Reader, key: str, node: Node, span: Span) -> Fill | None:
    if not isinstance(node, MappingNode):
        value = read_expression(r, node, f"the value filling '{key}'")
        return None if value is None else Fill(key, value, span)
    what = f"the record filling '{key}'"
    r.keys(node, RECORD_FILL_KEYS, ("from",), what)
    sources = _forms(r, node.get("from"), what)
    reference = bool(r.boolean(node.get("reference"), "reference")) \
        if node.get("reference") is not None else False
    value = read_expression(r, node.get("value"), f"the value filling '{key}'")
    if reference == (value is not None):
        r.error(node.span, "P016", f"{what} needs either `value:` or `reference: true`",
                hint="`value:` takes an answer of that record, `reference: true` its reference")
        return None
    return Fill(key, value, span, sources, reference) if sources else None


def _rows_fill(r: Reader, key: str, node: MappingNode, span: Span) -> RowsFill | None:
    what = f"the records filling '{key}'"
    r.keys(node, ROWS_FILL_KEYS, ("rows_from",), what)
    sources = _forms(r, node.get("rows_from"), what)
    number = r.ident(node.get("number"), "the field numbering the items") \
        if node.get("number") is not None else None
    fills, nested = _fills(r, node.get("fills"))
    for fill in fills:
        if fill.sources:
            r.error(fill.span, "P016", f"an item of '{key}' is filled from its own record",
                    hint="write an expression over that record's answers, without `from:`")
    fills = tuple(f for f in fills if not f.sources)
    for inner in nested:
        r.error(inner.span, "P016", "a repeating group's item cannot hold another filled "
                "repeating group", hint="fill the items' own fields only")
    return RowsFill(key, sources, number, fills, span) if sources else None


def _forms(r: Reader, node: Node | None, what: str) -> tuple[str, ...]:
    """A form id, or a list of them (where a fill looks, in order)."""
    if isinstance(node, Scalar):
        form = r.ident(node, f"the form of {what}")
        return (form,) if form else ()
    return tuple(form for form, _ in r.idents(node, f"the forms of {what}", "a form id"))


def parse_facts(r: Reader, node: Node | None) -> tuple[Fact, ...]:
    facts = []
    for item in r.sequence(node, "facts"):
        m = r.mapping(item, "a fact")
        if m is None:
            continue
        r.keys(m, FACT_KEYS, ("id", "type", "source"), "a fact")
        fact_id = r.ident(m.get("id"), "the fact id")
        kind = r.ident(m.get("type"), "the fact type")
        sources = []
        for source_node in r.sequence(m.get("from"), "where a fact comes from"):
            sm = r.mapping(source_node, "where a fact comes from")
            if sm is None:
                continue
            r.keys(sm, FACT_FROM_KEYS, FACT_FROM_KEYS, "where a fact comes from")
            form = r.ident(sm.get("form"), "the form a fact comes from")
            value = read_expression(r, sm.get("value"), "the fact's value")
            if form and value:
                sources.append(FactSource(form, value, sm.span))
        recorded_by = tuple(x for x in (r.ident(n, "a role") for n in
                                        r.sequence(m.get("recorded_by"), "recorded_by")) if x)
        notify = r.string(m.get("notify"), "the event") if m.get("notify") else None
        flag = r.ident(m.get("flag"), "the flag") if m.get("flag") else None
        citations = r.sources(m.get("source"), "a fact")
        if fact_id and kind:
            facts.append(Fact(fact_id, kind, tuple(sources), recorded_by, notify, flag,
                              citations, m.span, m.value_spans()))
    return tuple(facts)


def parse_guard(r: Reader, node: Node | None) -> Guard | None:
    m = r.mapping(node, "a guard")
    if m is None:
        return None
    r.keys(m, GUARD_KEYS, GUARD_KEYS, "a guard")
    rule = r.string(m.get("rule"), "the guard's rule id")
    when = read_expression(r, m.get("when"), "the guard's condition")
    message = r.text(m.get("message"), "the guard's message")
    sources = r.sources(m.get("source"), "a guard")
    if None in (rule, when, message):
        return None
    return Guard(rule, when, message, sources, m.span)


# -- checks --------------------------------------------------------------------------------

def fact_resolver(facts: Iterable[Fact]):
    """Expressions in guards and deadlines name facts, as form rules name fields."""
    kinds = {f.id: FACT_KINDS.get(f.type) for f in facts}

    def resolve(path: tuple[str, ...]) -> FieldInfo | None:
        if not path:
            return FieldInfo(kind="object", choices=tuple(sorted(kinds)))
        if len(path) == 1 and kinds.get(path[0]):
            return FieldInfo(kind=kinds[path[0]])
        return None
    return resolve


def check_links(r: Reader, links: Iterable[Link], forms: Mapping[str, Form],
                opened_by: str, scope_for=None, facts: Iterable[Fact] = ()) -> None:
    """`scope_for(form)` names a form's fields for the `fills:` expressions (None: those
    are not checked); `facts` are what a link's `when:` may name."""
    links = tuple(links)
    linked = {link.form for link in links} | {opened_by}
    seen: set[str] = set()
    for link in links:
        if link.form in seen:
            r.error(link.span, "F005", f"the form '{link.form}' is linked twice")
        seen.add(link.form)
        form = forms.get(link.form)
        if form is None:
            r.error(link.spans["form"], "F017", f"unknown form '{link.form}'",
                    did_you_mean(link.form, forms))
            continue
        field = next((f for f in form.fields() if f.id == link.field), None)
        if field is None:
            r.error(link.spans["field"], "P010", f"the form '{link.form}' has no field "
                    f"'{link.field}'", did_you_mean(link.field, [f.id for f in form.fields()]))
        elif field.type != "reference" or field.options.get("form") not in (None, opened_by):
            r.error(link.spans["field"], "P010", f"'{link.form}.{link.field}' must be a "
                    f"reference to the {opened_by} form that opens the case",
                    hint=f"use a field of type reference with `form: {opened_by}`")
        _check_fills(r, link, form, forms.get(opened_by), scope_for)
        _check_record_fills(r, link, form, forms, linked, scope_for)
        if link.when is not None and link.when.ast is not None:
            r.diagnostics.extend(check_condition(link.when.ast, fact_resolver(facts),
                                                 link.when.span))


def _check_fills(r: Reader, link: Link, form: Form, opener: Form | None, scope_for) -> None:
    """Each filled field is one of the linked form's (not its case reference: the case
    fills that), and each value an expression over the opening form's answers."""
    ids = [f.id for f in form.fields()]
    for fill in link.fills:
        if fill.sources:
            continue        # from another record: _check_record_fills
        if fill.field not in ids:
            r.error(fill.span, "P010", f"the form '{link.form}' has no field '{fill.field}'",
                    did_you_mean(fill.field, ids))
        elif fill.field == link.field:
            r.error(fill.span, "P010", f"'{fill.field}' holds the case reference, which the "
                    "case fills itself", hint="leave it out of `fills:`")
        if opener is not None and scope_for is not None and fill.value.ast is not None:
            _, problems = infer(fill.value.ast, scope_for(opener), fill.value.span)
            r.diagnostics.extend(problems)


def _check_record_fills(r: Reader, link: Link, form: Form, forms: Mapping[str, Form],
                        linked: set[str], scope_for) -> None:
    """Fills from the case's other records: each form they look in is linked to the case,
    each filled field is the linked form's (a reference for `reference: true`; a repeating
    group and its items' fields for `rows_from:`), and each value an expression over the
    answers of every form it may come from."""
    by_id = {f.id: f for f in form.fields()}
    for fill in link.fills:
        if not fill.sources:
            continue
        target = by_id.get(fill.field)
        if target is None:
            r.error(fill.span, "P010", f"the form '{link.form}' has no field '{fill.field}'",
                    did_you_mean(fill.field, by_id))
        elif fill.reference and target.type != "reference":
            r.error(fill.span, "P016", f"'{fill.field}' is filled with a record's reference, "
                    "so it must be a field of type reference")
        _check_sources(r, fill, fill.sources, forms, linked, scope_for)
    for rows in link.rows:
        group = by_id.get(rows.field)
        if group is None or group.type != "repeat":
            r.error(rows.span, "P016", f"'{rows.field}' is filled with one item per record, "
                    f"so it must be a repeating group of the form '{link.form}'",
                    did_you_mean(rows.field, [f.id for f in by_id.values()
                                              if f.type == "repeat"]))
            continue
        items = {child.id: child for child in group.children}
        if rows.number is not None and (rows.number not in items
                                        or items[rows.number].type != "number"):
            r.error(rows.span, "P016", f"'{rows.number}' numbers the items, so it must be a "
                    f"number field of '{rows.field}'",
                    did_you_mean(rows.number, [k for k, f in items.items()
                                               if f.type == "number"]))
        for fill in rows.fills:
            if fill.field not in items:
                r.error(fill.span, "P010", f"the items of '{rows.field}' have no field "
                        f"'{fill.field}'", did_you_mean(fill.field, items))
            _check_sources(r, fill, rows.sources, forms, linked, scope_for)
        for source in rows.sources:
            _check_source(r, rows.span, source, forms, linked)


def _check_sources(r: Reader, fill: Fill, sources: tuple[str, ...], forms: Mapping[str, Form],
                   linked: set[str], scope_for) -> None:
    for source in sources:
        found = _check_source(r, fill.span, source, forms, linked)
        if found is not None and scope_for is not None and fill.value is not None \
                and fill.value.ast is not None:
            _, problems = infer(fill.value.ast, scope_for(found), fill.value.span)
            r.diagnostics.extend(problems)


def _check_source(r: Reader, span: Span, source: str, forms: Mapping[str, Form],
                  linked: set[str]) -> Form | None:
    found = forms.get(source)
    if found is None:
        r.error(span, "F017", f"unknown form '{source}'", did_you_mean(source, forms))
    elif source not in linked:
        r.error(span, "P013", f"the form '{source}' is not linked to the case",
                hint="add it under `links:` with the field holding the case reference")
    return found


def check_facts(r: Reader, facts: Iterable[Fact], forms: Mapping[str, Form],
                linked: set[str], roles: Iterable[str], events: Iterable[str],
                scope_for) -> None:
    """`scope_for(form)` gives the resolver of a form's field names (check.Scope)."""
    roles, events, ids = tuple(roles), tuple(events), []
    for fact in facts:
        if fact.id in ids:
            r.error(fact.span, "F005", f"the fact '{fact.id}' is declared twice")
        ids.append(fact.id)
        if fact.type not in FACT_KINDS:
            r.error(fact.spans["type"], "P011", f"unknown fact type '{fact.type}'",
                    did_you_mean(fact.type, FACT_KINDS) or "facts are " + ", ".join(FACT_KINDS)
                    + " (never text: a case keeps no names or free text)")
        if not fact.sources and not fact.recorded_by:
            r.error(fact.span, "P012", f"the fact '{fact.id}' comes from nowhere",
                    hint="give `from:` (a form and a value) or `recorded_by:` (roles)")
        for source in fact.sources:
            form = forms.get(source.form)
            if form is None:
                r.error(source.span, "F017", f"unknown form '{source.form}'",
                        did_you_mean(source.form, forms))
                continue
            if source.form not in linked:
                r.error(source.span, "P013", f"the form '{source.form}' is not linked to "
                        "the case", hint="add it under `links:` with the field holding the "
                        "case reference")
            if source.value.ast is None:
                continue
            found, problems = infer(source.value.ast, scope_for(form), source.value.span)
            r.diagnostics.extend(problems)
            want = FACT_KINDS.get(fact.type)
            if found is not None and want and found.kind not in (want, "null", "any"):
                r.error(source.value.span, "P011", f"the fact '{fact.id}' is a {fact.type}, "
                        f"but this value is {found.kind}",
                        hint="name a field of that type, or change the fact's type")
        for role in fact.recorded_by:
            if role not in roles:
                r.error(fact.spans["recorded_by"], "F018", f"unknown role '{role}'",
                        did_you_mean(role, roles))
        if fact.notify is not None and fact.notify not in events:
            r.error(fact.spans["notify"], "F019", f"unknown notification event "
                    f"'{fact.notify}'", did_you_mean(fact.notify, events)
                    or "events are N01 to N28")
        if fact.flag is not None and fact.flag not in FLAGS:
            r.error(fact.spans["flag"], "P014", f"unknown flag '{fact.flag}'",
                    did_you_mean(fact.flag, FLAGS) or "flags are " + ", ".join(FLAGS))
        if fact.flag is not None and fact.type not in ("date", "datetime"):
            r.error(fact.spans["flag"], "P014", f"the flag '{fact.flag}' needs a date fact")


def check_guard(r: Reader, guard: Guard, facts: Iterable[Fact]) -> None:
    if guard.when.ast is not None:
        r.diagnostics.extend(check_condition(guard.when.ast, fact_resolver(facts),
                                             guard.when.span))
    if not guard.sources:
        r.error(guard.span, "F011", f"the guard {guard.rule} has no source",
                hint="cite the guidance (document and section), or write `source: assumption`")


# -- compiled for the API ------------------------------------------------------------------

def _expr_json(expr: Expr | None):
    return to_json(expr.ast) if expr is not None and expr.ast is not None else None


def links_json(links: Iterable[Link]) -> list[dict]:
    """Each link for the API: `fills` over the opening record, `from_records` (field ->
    {from: [forms], value | reference}) and `rows` (field -> {from, number, fills}) over
    the case's other records, and `when` over its facts; each key only when given."""
    out = []
    for link in links:
        entry: dict = {"form": link.form, "field": link.field}
        opener = {f.field: _expr_json(f.value) for f in link.fills if not f.sources}
        others = {f.field: _record_fill_json(f) for f in link.fills if f.sources}
        if opener:
            entry["fills"] = opener
        if others:
            entry["from_records"] = others
        if link.rows:
            entry["rows"] = {rows.field: {"from": list(rows.sources), "number": rows.number,
                                          "fills": {f.field: _expr_json(f.value)
                                                    for f in rows.fills}}
                             for rows in link.rows}
        if link.when is not None:
            entry["when"] = _expr_json(link.when)
        out.append(entry)
    return out


def _record_fill_json(fill: Fill) -> dict:
    if fill.reference:
        return {"from": list(fill.sources), "reference": True}
    return {"from": list(fill.sources), "value": _expr_json(fill.value)}


def facts_json(facts: Iterable[Fact]) -> list[dict]:
    return [{"id": f.id, "type": f.type,
             "from": [{"form": s.form, "value": _expr_json(s.value)} for s in f.sources],
             "recorded_by": list(f.recorded_by), "notify": f.notify, "flag": f.flag,
             "source": [str(x) for x in f.citations]} for f in facts]


def guard_json(guard: Guard | None) -> dict | None:
    if guard is None:
        return None
    return {"rule": guard.rule, "when": _expr_json(guard.when),
            "message": guard.message.get("en"), "source": [str(x) for x in guard.sources]}
