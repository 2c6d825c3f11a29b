"""How each step of forms/process.yaml is made: by submitting a form (`on:`, one trigger or
a list of them: the first names the form the case page links to), or as a button that
`asks:` for what it records (a step that ends a case asks for a reason). And the events a
record raises by arriving (`events:`), besides the steps it makes. Parsed and checked here;
pure.

Checks (P015): a button that ends a case without asking for a reason, a form step that
asks (its form asks), an unknown ask; an `events:` entry's unknown event (F019).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..diagnostics import did_you_mean
from ..model import Expr, Form, Source, Text
from ..parse.form import read_expression
from ..parse.reader import Reader
from ..rules.compile import to_json
from ..rules.types import check_condition
from ..spans import Mapping as NodeMapping
from ..spans import Node, Sequence, Span

TRIGGER_KEYS = ("form", "when")
ASK_KEYS = ("id", "label", "hint")
FORM_EVENT_KEYS = ("event", "on", "source")
#: What a button may ask, id -> (type, label, hint). A reason is required wherever asked.
ASKS = {
    "reason": ("text", "Why is the case ending here?",
               "Say what happened, so the other agencies on the case understand. "
               "The DAT does not see this."),
}


@dataclass(frozen=True)
class Trigger:
    """A form whose record, with `when` holding on its answers, makes the step."""

    form: str
    when: Expr | None
    span: Span
    spans: dict[str, Span]


@dataclass(frozen=True)
class Ask:
    id: str
    label: Text | None
    hint: Text | None
    span: Span


@dataclass(frozen=True)
class FormEvent:
    """An event a record raises when `on` starts to hold on it (not on its last version)."""

    event: str
    trigger: Trigger
    sources: tuple[Source, ...]
    span: Span
    spans: dict[str, Span]


def parse_triggers(r: Reader, node: Node | None) -> tuple[Trigger, ...]:
    """`on: {form, when}` or `on: [{form, when}, ...]`."""
    if node is None:
        return ()
    items = node.items if isinstance(node, Sequence) else [node]
    return tuple(t for t in (_trigger(r, n) for n in items) if t)


def _trigger(r: Reader, node: Node) -> Trigger | None:
    m = r.mapping(node, "what makes a transition")
    if m is None:
        return None
    r.keys(m, TRIGGER_KEYS, ("form",), "what makes a transition")
    form = r.ident(m.get("form"), "the form whose submission makes the transition")
    when = read_expression(r, m.get("when"), "the condition on the form's answers")
    if form is None:
        return None
    return Trigger(form, when, m.span, m.value_spans())


def parse_asks(r: Reader, node: Node | None) -> tuple[Ask, ...]:
    """`asks: [reason]` or `asks: [{id: reason, label: ..., hint: ...}]`."""
    asks = []
    for item in r.sequence(node, "what a step asks"):
        if isinstance(item, NodeMapping):
            m = r.mapping(item, "what a step asks")
            if m is None:
                continue
            r.keys(m, ASK_KEYS, ("id",), "what a step asks")
            ask_id = r.ident(m.get("id"), "what a step asks")
            label = r.text(m.get("label"), "the question") if m.get("label") else None
            hint = r.text(m.get("hint"), "the hint") if m.get("hint") else None
            if ask_id:
                asks.append(Ask(ask_id, label, hint, m.span))
        else:
            ask_id = r.ident(item, "what a step asks")
            if ask_id:
                asks.append(Ask(ask_id, None, None, item.span))
    return tuple(asks)


def parse_form_events(r: Reader, node: Node | None) -> tuple[FormEvent, ...]:
    events = []
    for item in r.sequence(node, "events"):
        m = r.mapping(item, "an event a record raises")
        if m is None:
            continue
        r.keys(m, FORM_EVENT_KEYS, FORM_EVENT_KEYS, "an event a record raises")
        event = r.string(m.get("event"), "the event")
        triggers = parse_triggers(r, m.get("on"))
        sources = r.sources(m.get("source"), "an event a record raises")
        if event and len(triggers) == 1:
            events.append(FormEvent(event, triggers[0], sources, m.span, m.value_spans()))
        elif event and triggers:
            r.error(m.value_spans().get("on", m.span), "F001",
                    "an event a record raises names one form under `on:`")
    return tuple(events)


# -- checks --------------------------------------------------------------------------------

def check_triggers(r: Reader, triggers: Iterable[Trigger], forms: Mapping[str, Form],
                   linked: set[str], scope_for) -> None:
    for trigger in triggers:
        form = forms.get(trigger.form)
        if form is None:
            r.error(trigger.spans["form"], "F017", f"unknown form '{trigger.form}'",
                    did_you_mean(trigger.form, forms))
            continue
        if trigger.form not in linked:
            r.error(trigger.spans["form"], "P013", f"the form '{trigger.form}' is not linked "
                    "to the case", hint="add it under `links:` with the field holding the "
                    "case reference")
        if trigger.when is not None and trigger.when.ast is not None:
            r.diagnostics.extend(check_condition(trigger.when.ast, scope_for(form),
                                                 trigger.when.span))


def check_asks(r: Reader, step_id: str, asks: Iterable[Ask], *, by_form: bool, ends: bool,
               span: Span) -> None:
    asks = tuple(asks)
    for ask in asks:
        if ask.id not in ASKS:
            r.error(ask.span, "P015", f"unknown ask '{ask.id}'",
                    did_you_mean(ask.id, ASKS) or "a step may ask: " + ", ".join(ASKS))
    if by_form and asks:
        r.error(asks[0].span, "P015", f"the step '{step_id}' is made by a form, which asks "
                "what it records", hint="remove `asks:`, or `on:` to make it a button")
    if not by_form and ends and "reason" not in {a.id for a in asks}:
        r.error(span, "P015", f"the step '{step_id}' ends the case as a button, but does "
                "not ask why", hint="add `asks: [reason]`, or `on:` naming the form that "
                "records it")


def check_form_events(r: Reader, events: Iterable[FormEvent], forms: Mapping[str, Form],
                      linked: set[str], known: Iterable[str], scope_for) -> None:
    known = tuple(known)
    for event in events:
        if event.event not in known:
            r.error(event.spans["event"], "F019", f"unknown notification event "
                    f"'{event.event}'", did_you_mean(event.event, known)
                    or "events are N01 to N28")
        check_triggers(r, [event.trigger], forms, linked, scope_for)
        if not event.sources:
            r.error(event.span, "F011", f"the event {event.event} has no source",
                    hint="cite the guidance (document and section), or write "
                    "`source: assumption`")


# -- compiled for the API ------------------------------------------------------------------

def _expr_json(expr: Expr | None):
    return to_json(expr.ast) if expr is not None and expr.ast is not None else None


def triggers_json(triggers: Iterable[Trigger], titles: Mapping[str, str]) -> list[dict] | None:
    out = [{"form": t.form, "form_title": titles.get(t.form, t.form),
            "when": _expr_json(t.when)} for t in triggers]
    return out or None


def asks_json(asks: Iterable[Ask]) -> list[dict]:
    out = []
    for ask in asks:
        kind, label, hint = ASKS.get(ask.id, ("text", ask.id, ""))
        out.append({"id": ask.id, "type": kind,
                    "label": ask.label.get("en") if ask.label else label,
                    "hint": ask.hint.get("en") if ask.hint else hint, "required": True})
    return out


def form_events_json(events: Iterable[FormEvent], titles: Mapping[str, str]) -> list[dict]:
    return [{"event": e.event, "on": triggers_json([e.trigger], titles)[0],
             "source": [str(x) for x in e.sources]} for e in events]
