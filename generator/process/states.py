"""forms/process.yaml: a case's states and the transitions between them, who may make each,
and which notification event each raises. Parsed and checked here; pure.

Checks (P001-P004): a transition from or to a state that is not declared; a state no
transition reaches from `start`; a state that is not terminal but has no way out; a role
that is not one of the API's roles. The form that opens a case must exist (F017).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Mapping as SettingsMapping
from dataclasses import dataclass
from typing import Any

from ..diagnostics import did_you_mean
from ..model import Form, Source, Text
from ..parse.reader import Reader
from ..rules.types import Resolve
from ..spans import Node, Span
from .case import (
    Fact,
    Guard,
    Link,
    check_facts,
    check_guard,
    check_links,
    facts_json,
    guard_json,
    links_json,
    parse_facts,
    parse_guard,
    parse_links,
)
from .deadlines import Deadline, check_deadlines, deadlines_json, parse_deadlines
from .steps import (
    Ask,
    FormEvent,
    Trigger,
    asks_json,
    check_asks,
    check_form_events,
    check_triggers,
    form_events_json,
    parse_asks,
    parse_form_events,
    parse_triggers,
    triggers_json,
)

PROCESS_KEYS = ("process", "title", "opened_by", "start", "source", "states", "transitions",
                "links", "facts", "deadlines", "events")
STATE_KEYS = ("id", "label", "terminal")
TRANSITION_KEYS = ("id", "label", "from", "to", "roles", "notify", "source", "guard", "on",
                   "asks")
#: The notification events of domain notes section 6, N01 to N28.
EVENT_IDS = tuple(f"N{n:02d}" for n in range(1, 29))


@dataclass(frozen=True)
class State:
    id: str
    label: Text
    terminal: bool
    span: Span


@dataclass(frozen=True)
class Transition:
    id: str
    source_state: str
    target: str
    roles: tuple[str, ...]
    notify: str | None
    sources: tuple[Source, ...]
    span: Span
    spans: dict[str, Span]
    guard: Guard | None = None        # a rule that must hold on the case's facts
    triggers: tuple[Trigger, ...] = ()   # the forms whose records make it (none: a button)
    label: Text | None = None         # what the step's button says, e.g. "Arrange the RA"
    asks: tuple[Ask, ...] = ()        # what a button asks for (a reason, to end a case)


@dataclass(frozen=True)
class Process:
    id: str
    title: Text
    opened_by: str
    start: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    sources: tuple[Source, ...]
    span: Span
    spans: dict[str, Span]
    links: tuple[Link, ...] = ()
    facts: tuple[Fact, ...] = ()
    deadlines: tuple[Deadline, ...] = ()   # generator/process/deadlines.py
    events: tuple[FormEvent, ...] = ()     # events a record raises by arriving (steps.py)

    def state(self, state_id: str) -> State | None:
        return next((s for s in self.states if s.id == state_id), None)

    def next_steps(self, state_id: str) -> tuple[Transition, ...]:
        """The transitions allowed from `state_id`, in file order."""
        return tuple(t for t in self.transitions if t.source_state == state_id)


def parse_process(r: Reader, node: Node) -> Process | None:
    m = r.mapping(node, "forms/process.yaml")
    if m is None:
        return None
    r.keys(m, PROCESS_KEYS, ("process", "title", "opened_by", "start", "states",
                             "transitions"), "the process")
    process_id = r.ident(m.get("process"), "the process id")
    title = r.text(m.get("title"), "the process title")
    opened_by = r.ident(m.get("opened_by"), "the form that opens a case")
    start = r.ident(m.get("start"), "the start state")
    sources = r.sources(m.get("source"), "the process")
    states = tuple(s for s in (_state(r, n) for n in r.sequence(m.get("states"), "states")) if s)
    transitions = tuple(t for t in (_transition(r, n) for n in
                                    r.sequence(m.get("transitions"), "transitions")) if t)
    if None in (process_id, title, opened_by, start):
        return None
    return Process(process_id, title, opened_by, start, states, transitions, sources, m.span,
                   m.value_spans(), links=parse_links(r, m.get("links")),
                   facts=parse_facts(r, m.get("facts")),
                   deadlines=parse_deadlines(r, m.get("deadlines")),
                   events=parse_form_events(r, m.get("events")))


def _state(r: Reader, node: Node) -> State | None:
    m = r.mapping(node, "a state")
    if m is None:
        return None
    r.keys(m, STATE_KEYS, ("id", "label"), "a state")
    state_id = r.ident(m.get("id"), "the state id")
    label = r.text(m.get("label"), "the state label")
    terminal = r.boolean(m.get("terminal"), "terminal") if m.get("terminal") else False
    if state_id is None or label is None:
        return None
    return State(state_id, label, bool(terminal), m.span)


def _transition(r: Reader, node: Node) -> Transition | None:
    m = r.mapping(node, "a transition")
    if m is None:
        return None
    r.keys(m, TRANSITION_KEYS, ("id", "from", "to", "roles", "source"), "a transition")
    transition_id = r.ident(m.get("id"), "the transition id")
    source_state = r.ident(m.get("from"), "the state a transition leaves")
    target = r.ident(m.get("to"), "the state a transition reaches")
    roles = tuple(x for x in (r.ident(n, "a role") for n in
                              r.sequence(m.get("roles"), "roles")) if x)
    notify = r.string(m.get("notify"), "the event") if m.get("notify") else None
    sources = r.sources(m.get("source"), "a transition")
    if not sources and m.get("source") is None and transition_id:
        r.error(m.span, "F011", f"the transition '{transition_id}' has no source",
                hint="cite the guidance (document and section), or write `source: assumption`")
    if None in (transition_id, source_state, target):
        return None
    guard = parse_guard(r, m.get("guard")) if m.get("guard") is not None else None
    triggers = parse_triggers(r, m.get("on"))
    label = r.text(m.get("label"), "the step's label") if m.get("label") else None
    asks = parse_asks(r, m.get("asks"))
    return Transition(transition_id, source_state, target, roles, notify, sources, m.span,
                      m.value_spans(), guard, triggers, label, asks)


def check_process(r: Reader, process: Process, all_forms: Iterable[Form],
                  roles: Iterable[str], scope_for: Callable[[Form], Resolve], *,
                  settings: SettingsMapping[str, Any] | None = None) -> None:
    """Report every problem in the process as a diagnostic on `r`. `scope_for(form)` names
    a form's fields for expressions (check.Scope's resolve); `settings` are the protocol's
    (None: the setting names deadlines use are not checked)."""
    by_id = {form.id: form for form in all_forms}
    forms, roles = set(by_id), tuple(roles)
    linked = {link.form for link in process.links} | {process.opened_by}
    check_links(r, process.links, by_id, process.opened_by, scope_for, process.facts)
    check_facts(r, process.facts, by_id, linked, roles, EVENT_IDS, scope_for)
    if process.opened_by not in forms:
        r.error(process.spans["opened_by"], "F017", f"unknown form '{process.opened_by}'",
                did_you_mean(process.opened_by, forms))
    ids = [s.id for s in process.states]
    for state in process.states:
        if ids.count(state.id) > 1:
            r.error(state.span, "F005", f"the state '{state.id}' is declared twice")
    transition_ids = [t.id for t in process.transitions]
    for t in process.transitions:
        if transition_ids.count(t.id) > 1:
            r.error(t.span, "F005", f"the transition '{t.id}' is declared twice")
    known = set(ids)
    if process.start not in known:
        r.error(process.spans["start"], "P001", f"unknown state '{process.start}'",
                did_you_mean(process.start, known))
    for t in process.transitions:
        for key, state in (("from", t.source_state), ("to", t.target)):
            if state not in known:
                r.error(t.spans[key], "P001", f"the transition '{t.id}' goes {key} "
                        f"'{state}', which is not a state", did_you_mean(state, known)
                        or "declare it under states:")
        for role in t.roles:
            if role not in roles:
                r.error(t.spans["roles"], "F018", f"unknown role '{role}'",
                        did_you_mean(role, roles))
        if t.guard is not None:
            check_guard(r, t.guard, process.facts)
        check_triggers(r, t.triggers, by_id, linked, scope_for)
        terminal = next((s.terminal for s in process.states if s.id == t.target), False)
        check_asks(r, t.id, t.asks, by_form=bool(t.triggers), ends=terminal, span=t.span)
        if t.notify is not None and t.notify not in EVENT_IDS:
            r.error(t.spans["notify"], "F019", f"unknown notification event '{t.notify}'",
                    did_you_mean(t.notify, EVENT_IDS) or "events are N01 to N28")
    reached = _reachable(process)
    for state in process.states:
        if process.start in known and state.id not in reached:
            r.error(state.span, "P002", f"no transition reaches the state '{state.id}' from "
                    f"'{process.start}'", hint="add a transition to it, or remove it")
        leaves = process.next_steps(state.id)
        if state.terminal and leaves:
            r.error(state.span, "P003", f"the terminal state '{state.id}' has transitions "
                    f"out of it ({', '.join(t.id for t in leaves)})",
                    hint="remove `terminal: true` or those transitions")
        if not state.terminal and not leaves:
            r.error(state.span, "P003", f"the state '{state.id}' is a dead end",
                    hint="add a transition out of it, or mark it `terminal: true`")
    check_form_events(r, process.events, by_id, linked, EVENT_IDS, scope_for)
    check_deadlines(r, process.deadlines, {s.id: s.terminal for s in process.states},
                    {f.id: f.type for f in process.facts}, settings, EVENT_IDS)


def _reachable(process: Process) -> set[str]:
    seen, todo = {process.start}, [process.start]
    while todo:
        for t in process.next_steps(todo.pop()):
            if t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    return seen


def process_json(process: Process, form_titles: SettingsMapping[str, str] | None = None
                 ) -> dict:
    """What the API needs to move cases: states, transitions, roles, events. `form_titles`
    (form id -> its English title) names the form a step is made by."""
    titles = form_titles or {}
    return {"process": process.id, "opened_by": process.opened_by, "start": process.start,
            "states": [{"id": s.id, "label": s.label.get("en"), "terminal": s.terminal}
                       for s in process.states],
            "transitions": [{"id": t.id, "from": t.source_state, "to": t.target,
                             "roles": list(t.roles), "notify": t.notify,
                             "source": [str(x) for x in t.sources],
                             "guard": guard_json(t.guard),
                             "on": triggers_json(t.triggers, titles),
                             "asks": asks_json(t.asks),
                             "label": t.label.get("en") if t.label else None}
                            for t in process.transitions],
            "events": form_events_json(process.events, titles),
            "links": links_json(process.links), "facts": facts_json(process.facts),
            "deadlines": deadlines_json(process.deadlines,
                                        [s.id for s in process.states if not s.terminal])}
