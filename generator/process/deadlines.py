"""`deadlines:` in forms/process.yaml: the dated reasons to tell someone something about a
case (domain notes section 7; issue 8 part 4). Parsed, checked and compiled here; pure.

A deadline counts from a date fact of the case (`from`), moves forward by `after` and back
by `lead` (each one of days, working days or months: a whole number, or the name of a
setting in forms/protocol.yaml), and is wanted only while the case is in one of the
`while` states (every state that is not terminal when left out) and its `when` holds and
its `unless` does not. `label` says it in plain words for the case's "what is due" (the
id in words when left out). `instead` lists alternative periods, the first whose `when` holds
replacing the deadline's own. api/chalicelib/domain/deadlines.py works out the due dates.

Checks: a duplicate id (F005), an unknown event (F019), `from` naming no date fact (D001),
an unknown or non-whole-number setting (D002), a period without exactly one unit (D003),
today() in a condition (D004), a state that is unknown (P001) or terminal (D005), names in
conditions that are not facts (E002 and the other E codes), a missing source (F011).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..diagnostics import did_you_mean
from ..model import Expr, Source
from ..parse.form import read_expression
from ..parse.reader import Reader
from ..rules.compile import to_json
from ..rules.syntax import Call, children
from ..rules.types import FieldInfo, check_condition
from ..spans import Node, Scalar, Span
from .case import FACT_KINDS

DEADLINE_KEYS = ("id", "label", "notify", "from", "after", "lead", "while", "when", "unless",
                 "instead", "source")
ALTERNATIVE_KEYS = ("when", "after", "lead")
#: days are calendar days; working_days skip weekends and England and Wales bank holidays.
UNITS = ("days", "working_days", "months")
DATE_FACTS = ("date", "datetime")


@dataclass(frozen=True)
class Period:
    """A whole number of one unit: `count`, or the value of the setting `setting`."""

    unit: str
    count: int | None
    setting: str | None
    span: Span              # where the number or the setting name is written


@dataclass(frozen=True)
class Alternative:
    """Periods used instead of the deadline's own when `when` holds; a period it leaves
    out is the deadline's."""

    when: Expr
    after: Period | None
    lead: Period | None
    span: Span


@dataclass(frozen=True)
class Deadline:
    id: str
    notify: str
    start: str                          # the fact it counts from (`from:`)
    after: Period | None
    lead: Period | None
    states: tuple[tuple[str, Span], ...] | None  # `while:`; None: every state not terminal
    when: Expr | None
    unless: Expr | None
    instead: tuple[Alternative, ...]
    sources: tuple[Source, ...]
    span: Span
    spans: dict[str, Span]
    label: str | None = None            # in plain words, for the case's "what is due"


# -- parsing ---------------------------------------------------------------------------------

def parse_deadlines(r: Reader, node: Node | None) -> tuple[Deadline, ...]:
    found = (_deadline(r, item) for item in r.sequence(node, "deadlines"))
    return tuple(d for d in found if d is not None)


def _deadline(r: Reader, node: Node) -> Deadline | None:
    m = r.mapping(node, "a deadline")
    if m is None:
        return None
    r.keys(m, DEADLINE_KEYS, ("id", "notify", "from"), "a deadline")
    deadline_id = r.ident(m.get("id"), "the deadline id")
    label = r.string(m.get("label"), "the deadline's label") if m.get("label") else None
    notify = r.string(m.get("notify"), "the event")
    start = r.ident(m.get("from"), "the fact a deadline counts from")
    after = _period(r, m.get("after"), "after")
    lead = _period(r, m.get("lead"), "lead")
    states = None
    if m.get("while") is not None:
        states = tuple((s, n.span) for s, n in ((r.ident(n, "a state"), n) for n in
                                                r.sequence(m.get("while"), "while")) if s)
    when = read_expression(r, m.get("when"), "the deadline's condition")
    unless = read_expression(r, m.get("unless"), "the deadline's condition")
    instead = tuple(a for a in (_alternative(r, n) for n in
                                r.sequence(m.get("instead"), "instead")) if a)
    sources = r.sources(m.get("source"), "a deadline")
    if m.get("source") is None and deadline_id:
        r.error(m.span, "F011", f"the deadline '{deadline_id}' has no source",
                hint="cite the guidance (document and section), or write `source: assumption`")
    if None in (deadline_id, notify, start):
        return None
    return Deadline(deadline_id, notify, start, after, lead, states, when, unless, instead,
                    sources, m.span, m.value_spans(), label)


def _alternative(r: Reader, node: Node) -> Alternative | None:
    m = r.mapping(node, "an alternative (instead)")
    if m is None:
        return None
    r.keys(m, ALTERNATIVE_KEYS, ("when",), "an alternative (instead)")
    when = read_expression(r, m.get("when"), "the alternative's condition")
    after, lead = _period(r, m.get("after"), "after"), _period(r, m.get("lead"), "lead")
    if m.get("after") is None and m.get("lead") is None:
        r.error(m.span, "F003", "an alternative (instead) needs 'after' or 'lead'")
    if when is None:
        return None
    return Alternative(when, after, lead, m.span)


def _period(r: Reader, node: Node | None, key: str) -> Period | None:
    """`{days: 1}`, `{working_days: 15}` or `{months: summary_limit_months}`."""
    m = r.mapping(node, f"the period ({key})")
    if m is None:
        return None
    r.keys(m, UNITS, (), f"the period ({key})")
    units = [u for u in UNITS if u in m.items]
    if not units and m.items:
        return None  # each key was reported as unknown (F001), with the closest unit
    if len(units) != 1:
        r.error(m.span, "D003", f"the period ({key}) needs exactly one unit, not "
                f"{len(units)}", hint="write one of {days: N}, {working_days: N}, {months: N}")
        return None
    value = m.get(units[0])
    if isinstance(value, Scalar) and type(value.value) is int:
        if value.value < 0:
            hint = "a period counts forward; to be reminded before a date, use `lead:`" \
                if key == "after" else "a lead counts back from the date; write it as 0 or more"
            r.error(value.span, "F009", f"the period ({key}) must be 0 or more", hint)
            return None
        return Period(units[0], value.value, None, value.span)
    setting = r.ident(value, "the number or setting of a period")
    return Period(units[0], None, setting, value.span) if setting else None


# -- checking --------------------------------------------------------------------------------

def check_deadlines(r: Reader, deadlines: Iterable[Deadline], states: Mapping[str, bool],
                    facts: Mapping[str, str], settings: Mapping[str, Any] | None,
                    events: Sequence[str]) -> None:
    """Report every problem as a diagnostic on `r`.

    states: state id -> terminal; facts: fact id -> type (date, datetime, code...);
    settings: forms/protocol.yaml's settings (None when there is no protocol: setting names
    are then not checked); events: the notification events (N01 to N28).
    """
    resolve = fact_resolver(facts)
    seen: set[str] = set()
    for d in deadlines:
        if d.id in seen:
            r.error(d.span, "F005", f"the deadline '{d.id}' is declared twice",
                    hint="a case has each deadline once; give the other one its own id")
        seen.add(d.id)
        if d.notify not in events:
            r.error(d.spans["notify"], "F019", f"unknown notification event '{d.notify}'",
                    did_you_mean(d.notify, events) or "events are N01 to N28")
        _check_start(r, d, facts)
        for state, span in d.states or ():
            if state not in states:
                r.error(span, "P001", f"the deadline '{d.id}' waits while the case "
                        f"is '{state}', which is not a state", did_you_mean(state, states))
            elif states[state]:
                r.error(span, "D005", f"the deadline '{d.id}' waits in the "
                        f"terminal state '{state}'",
                        hint="a case in a terminal state is closed and is reminded of nothing")
        for period in _periods(d):
            _check_setting(r, period, settings)
        for expr in (d.when, d.unless, *(a.when for a in d.instead)):
            if expr is not None and expr.ast is not None:
                r.diagnostics.extend(check_condition(expr.ast, resolve, expr.span))
                _check_no_today(r, expr)


def fact_resolver(facts: Mapping[str, str]):
    """Names in a deadline's conditions are the case's facts."""
    kinds = {fact: FACT_KINDS[kind] for fact, kind in facts.items() if kind in FACT_KINDS}

    def resolve(path: tuple[str, ...]) -> FieldInfo | None:
        if not path:
            return FieldInfo(kind="object", choices=tuple(sorted(kinds)))
        return FieldInfo(kind=kinds[path[0]]) if len(path) == 1 and path[0] in kinds else None
    return resolve


def _check_start(r: Reader, d: Deadline, facts: Mapping[str, str]) -> None:
    dates = sorted(f for f, kind in facts.items() if kind in DATE_FACTS)
    if d.start not in facts:
        r.error(d.spans["from"], "D001", f"the deadline '{d.id}' counts from '{d.start}', "
                "which is not a fact", did_you_mean(d.start, dates)
                or "declare it under facts:, as a date or datetime")
    elif facts[d.start] not in DATE_FACTS:
        r.error(d.spans["from"], "D001", f"the deadline '{d.id}' counts from '{d.start}', "
                f"a {facts[d.start]} fact, not a date", did_you_mean(d.start, dates)
                or "count from a fact of type date or datetime")


def _periods(d: Deadline) -> list[Period]:
    found = [d.after, d.lead, *(p for a in d.instead for p in (a.after, a.lead))]
    return [p for p in found if p is not None]


def _check_setting(r: Reader, period: Period, settings: Mapping[str, Any] | None) -> None:
    if period.setting is None or settings is None:
        return
    if period.setting not in settings:
        r.error(period.span, "D002", f"unknown setting '{period.setting}'",
                did_you_mean(period.setting, settings)
                or "add it under settings: in forms/protocol.yaml, with its source")
        return
    value = settings[period.setting]
    if type(value) is not int or value < 0:
        r.error(period.span, "D002", f"the setting '{period.setting}' is {value!r}, not a "
                "whole number of 0 or more", hint=f"a period counts whole {period.unit}")


def _check_no_today(r: Reader, expr: Expr) -> None:
    stack = [expr.ast]
    while stack:
        node = stack.pop()
        if isinstance(node, Call) and node.name == "today":
            r.error(expr.span.shifted(node.offset), "D004", "a deadline's condition cannot use "
                    "today()", hint="a due date must not depend on the day it is worked out; "
                    "compare facts with each other")
        stack.extend(children(node))


# -- compiled for the API --------------------------------------------------------------------

def deadlines_json(deadlines: Iterable[Deadline], open_states: Sequence[str]) -> list[dict]:
    """What api/chalicelib/domain/deadlines.py needs; `open_states` (the states that are not
    terminal, in file order) fill in a missing `while`, and every alternative carries both
    its periods, so the API needs no defaults of its own."""
    return [{"id": d.id, **({"label": d.label} if d.label else {}),
             "notify": d.notify, "from": d.start,
             "while": [s for s, _ in d.states] if d.states is not None else list(open_states),
             "when": _expr_json(d.when), "unless": _expr_json(d.unless),
             "after": _period_json(d.after), "lead": _period_json(d.lead),
             "instead": [{"when": _expr_json(a.when),
                          "after": _period_json(a.after if a.after is not None else d.after),
                          "lead": _period_json(a.lead if a.lead is not None else d.lead)}
                         for a in d.instead],
             "source": [str(s) for s in d.sources]} for d in deadlines]


def _expr_json(expr: Expr | None) -> dict | None:
    return to_json(expr.ast) if expr is not None and expr.ast is not None else None


def _period_json(period: Period | None) -> dict | None:
    """{"unit": "working_days", "count": 15} or {"unit": ..., "setting": "name"}."""
    if period is None:
        return None
    if period.setting is not None:
        return {"unit": period.unit, "setting": period.setting}
    return {"unit": period.unit, "count": period.count}

