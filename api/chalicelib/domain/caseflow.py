"""The case engine's decisions, read from generated/process.json (forms/process.yaml): which
case a record attaches to, the facts a case keeps, the steps a record makes (a chain from
the case's state), the events it raises, how each step is taken (a form or a button, and
what a button asks) and why a step is refused. Nothing here is written for one process:
the YAML says it all.

Pure: plain values in and out; no store, clock or settings of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..contract import codes
from ..store.base import CaseState
from .results import Refused
from .rules import evaluate, holds, to_date

FACT_TYPES = ("date", "datetime", "boolean", "code", "number")
MAX_ASKED = 2000     # the longest reason a button keeps


@dataclass(frozen=True)
class Chain:
    """The steps a record makes, in order, and the step whose guard stopped the chain
    (with its refusal), if one did: the case stays where the chain stopped."""

    steps: list[dict[str, Any]]
    stopped: dict[str, Any] | None = None
    refused: Refused | None = None


class Process:
    """generated/process.json, indexed for the questions a request asks."""

    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.definition = definition
        self.id: str = definition["process"]
        self.opened_by: str = definition["opened_by"]
        self.start: str = definition["start"]
        self.states = {s["id"]: s for s in definition["states"]}
        self.transitions = {t["id"]: t for t in definition["transitions"]}
        self.form_events: list[dict[str, Any]] = list(definition.get("events") or [])
        self.links = {link["form"]: link["field"] for link in definition.get("links", [])}
        self.facts = {f["id"]: f for f in definition.get("facts", [])}
        self.deadlines: list[dict[str, Any]] = list(definition.get("deadlines", []))

    def label(self, state: str) -> str:
        return self.states[state]["label"]

    def is_terminal(self, state: str) -> bool:
        return bool(self.states[state]["terminal"])

    def next_steps(self, state: str) -> list[dict[str, Any]]:
        return [t for t in self.transitions.values() if t["from"] == state]

    def triggers(self, transition: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The forms whose records make the step ([]: a button). `on` is a list, or one
        trigger as process.json files built before lists were allowed have it."""
        on = transition.get("on")
        return [] if not on else list(on) if isinstance(on, list) else [on]

    def ends(self, transition: Mapping[str, Any]) -> bool:
        return self.is_terminal(transition["to"])

    def case_ref_in(self, form_id: str, data: Mapping[str, Any]) -> str | None:
        """The case a record of `form_id` names, if the form is linked and names one."""
        field = self.links.get(form_id)
        value = data.get(field) if field else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    def link(self, form_id: str) -> Mapping[str, Any] | None:
        """The form's entry under `links:` (process.json), or None: not linked."""
        return next((link for link in self.definition.get("links", ())
                     if link["form"] == form_id), None)

    def forms_for(self, facts: Mapping[str, Any], today: datetime.date) -> list[str]:
        """The linked forms that apply to a case with these facts, in the process's order:
        a link's `when:` (a one-session condition has no session 2) holds, or it has none."""
        return [link["form"] for link in self.definition.get("links", ())
                if link.get("when") is None or holds(link["when"], dict(facts), today=today)]


def steps_json(process: Process, state: str, role: str | None = None) -> list[dict[str, Any]]:
    """The steps the case may take next (only those `role` may make, when given), each
    saying how: `kind: form` (made by submitting `form`) or `kind: button` (`ends`: it
    closes the case; `asks`: what it records)."""
    return [step_json(process, t) for t in process.next_steps(state)
            if role is None or role in t["roles"]]


def step_json(process: Process, t: Mapping[str, Any]) -> dict[str, Any]:
    out = {"transition": t["id"], "label": t.get("label"), "to": t["to"],
           "to_label": process.label(t["to"]), "roles": t["roles"]}
    triggers = process.triggers(t)
    if triggers:
        first = triggers[0]
        return {**out, "kind": "form", "form": first["form"],
                "form_title": first.get("form_title") or first["form"]}
    return {**out, "kind": "button", "ends": process.ends(t),
            "asks": [dict(ask) for ask in t.get("asks") or []]}


def open_case(process: Process, case_ref: str, data: Mapping[str, Any], at: str,
              today: datetime.date) -> CaseState:
    """The case an opening record (an MG14) starts, in the start state."""
    return CaseState(case_ref=case_ref, process=process.id, state=process.start, version=1,
                     opened_at=at, updated_at=at,
                     facts=facts_from(process, {}, process.opened_by, data, today),
                     closed=process.is_terminal(process.start))


def facts_from(process: Process, facts: Mapping[str, Any], form_id: str,
               data: Mapping[str, Any], today: datetime.date) -> dict[str, Any]:
    """The facts after a record of `form_id` attaches: each fact it gives a value replaces
    the old one; a fact it leaves unanswered keeps its value."""
    out = dict(facts)
    for fact in process.facts.values():
        for source in fact["from"]:
            if source["form"] != form_id or source["value"] is None:
                continue
            value = evaluate(source["value"], dict(data), today=today)
            if value is not None and is_fact_value(fact["type"], value):
                out[fact["id"]] = value
    return out


def is_fact_value(kind: str, value: Any) -> bool:
    if kind == "date":
        return isinstance(value, str) and len(value) == 10 and to_date(value) is not None
    if kind == "datetime":
        return isinstance(value, str) and len(value) == 16 and to_date(value) is not None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str) and 0 < len(value) <= 64  # a code


def made_by(process: Process, state: str, form_id: str, data: Mapping[str, Any],
            today: datetime.date) -> dict[str, Any] | None:
    """The step a record of `form_id` makes from `state`, if any: one of its triggers
    names the form and its condition holds on the answers. The first in file order wins.
    Who may submit the form is its `access:`; a form step has no role check of its own."""
    for t in process.next_steps(state):
        for on in process.triggers(t):
            if on["form"] == form_id and (on.get("when") is None
                                          or holds(on["when"], dict(data), today=today)):
                return t
    return None


def chain(process: Process, state: str, form_id: str, data: Mapping[str, Any],
          facts: Mapping[str, Any], today: datetime.date,
          said: Mapping[str, str] | None = None) -> Chain:
    """Every step a record makes, one after another from `state`, until none applies or a
    step's guard fails on `facts` (the chain stops there; the case stays). Bounded by the
    number of states, so a process with a loop cannot run on."""
    steps: list[dict[str, Any]] = []
    seen = {state}
    for _ in range(len(process.states)):
        t = made_by(process, state, form_id, data, today)
        if t is None:
            break
        refused = guard_refusal(process, t, facts, today, said)
        if refused is not None:
            return Chain(steps, t, refused)
        steps.append(t)
        state = t["to"]
        if state in seen:
            break
        seen.add(state)
    return Chain(steps)


def form_events(process: Process, form_id: str, data: Mapping[str, Any],
                before: Mapping[str, Any] | None, today: datetime.date) -> list[str]:
    """The events (`events:` of the process) a record of `form_id` raises: those whose
    condition holds on these answers and did not on the record's version `before` (None: a
    first version), so each is raised once per record."""
    out = []
    for event in process.form_events:
        on = event["on"]
        if on["form"] != form_id:
            continue
        now = on.get("when") is None or holds(on["when"], dict(data), today=today)
        was = before is not None and (on.get("when") is None
                                      or holds(on["when"], dict(before), today=today))
        if now and not was:
            out.append(event["event"])
    return out


def guard_refusal(process: Process, t: Mapping[str, Any], facts: Mapping[str, Any],
                  today: datetime.date, said: Mapping[str, str] | None = None,
                  allowed: list[dict[str, Any]] | None = None) -> Refused | None:
    """Why the step's guard stops it on `facts` (None: it holds, or there is none)."""
    guard = t.get("guard")
    if not guard or holds(guard["when"], dict(facts), today=today):
        return None
    why = (said or {}).get(guard["rule"])
    return Refused("transition_refused", [_item(
        codes.RULE, f"{guard['message']}. {why}" if why else guard["message"],
        [s for s in (allowed or []) if s["transition"] != t["id"]],
        rule=guard["rule"], source=guard["source"])])


def refusal(process: Process, case: CaseState, transition_id: str, role: str,
            facts: Mapping[str, Any], today: datetime.date,
            said: Mapping[str, str] | None = None) -> Refused | None:
    """Why `role` may not make `transition_id` now (None: it may). Checks, in order: the
    transition exists, it is a button (a form step is made by its form only), it leaves
    the case's state, the role may make it, its guard holds.
    `said`: rule id -> a sentence of what the case holds, added to that guard's message (so
    DIP-01 says which consent, from which form, stops the step)."""
    allowed = steps_json(process, case.state)
    t = process.transitions.get(transition_id)
    state = f"'{process.label(case.state)}' ({case.state})"
    if t is None:
        return Refused("bad_request", [_item(codes.UNKNOWN_TRANSITION,
                       f"There is no step called '{transition_id}'", allowed)])
    triggers = process.triggers(t)
    if triggers:
        form = triggers[0]
        title = form.get("form_title") or form["form"]
        item = _item(codes.STEP_NEEDS_FORM, f"'{t.get('label') or transition_id}' is "
                     f"recorded by submitting the {title}, which moves the case itself",
                     allowed, rule=transition_id, source=t["source"])
        return Refused("step_needs_form", [{**item, "form": form["form"],
                                            "form_title": title}])
    if t["from"] != case.state:
        nexts = ", ".join(s["transition"] for s in allowed) or "none: the case is closed"
        return Refused("transition_refused", [_item(
            codes.WRONG_STATE, f"'{transition_id}' can only be taken from "
            f"'{process.label(t['from'])}', and this case is at {state}. Next steps: {nexts}",
            allowed, rule=transition_id, source=t["source"])])
    if role not in t["roles"]:
        return Refused("forbidden", [_item(
            codes.WRONG_ROLE,
            f"Only {', '.join(t['roles'])} may take the step '{transition_id}'",
            steps_json(process, case.state, role), rule=transition_id, source=t["source"])])
    return guard_refusal(process, t, facts, today, said, allowed)


def asked(transition: Mapping[str, Any], request: Mapping[str, Any]
          ) -> dict[str, str] | Refused:
    """What a button asks for, from the request: {ask id: the text given}, or the field
    errors of each missing, blank or too long."""
    out, problems = {}, []
    for ask in transition.get("asks") or []:
        value = request.get(ask["id"])
        if isinstance(value, str) and value.strip() and len(value) <= MAX_ASKED:
            out[ask["id"]] = value.strip()
        elif isinstance(value, str) and len(value) > MAX_ASKED:
            problems.append({"field": f"/{ask['id']}", "code": codes.MAX_LENGTH,
                             "message": f"{ask['label']}: at most {MAX_ASKED} characters"})
        elif ask.get("required", True):
            problems.append({"field": f"/{ask['id']}", "code": codes.REQUIRED,
                             "message": f"{ask['label']}: enter it, as this step "
                             + ("ends the case" if ask["id"] == "reason" else "records it")})
    return Refused("invalid", problems) if problems else out


def _item(code: str, message: str, allowed: list[dict[str, Any]], *, rule: str | None = None,
          source: list[str] | None = None) -> dict[str, Any]:
    item = {"field": "/transition", "code": code, "message": message, "allowed": allowed}
    if rule is not None:
        item["rule"] = rule
    if source is not None:
        item["source"] = source
    return item


def moved(process: Process, case: CaseState, transition: Mapping[str, Any] | None,
          facts: Mapping[str, Any], at: str) -> CaseState:
    """The case after a change: one version on, its facts, and the transition's state."""
    state = transition["to"] if transition else case.state
    return replace(case, state=state, version=case.version + 1, updated_at=at,
                   facts=dict(facts), closed=process.is_terminal(state))


def recorded_fact_refusal(process: Process, fact_id: Any, value: Any,
                          role: str) -> Refused | None:
    """Why `role` may not record `value` as the fact `fact_id` on a case (None: it may)."""
    fact = process.facts.get(fact_id) if isinstance(fact_id, str) else None
    recordable = sorted(f for f, d in process.facts.items() if d["recorded_by"])
    if fact is None or not fact["recorded_by"]:
        return Refused("bad_request", [{"field": "/fact", "code": codes.UNKNOWN_FACT,
                                        "message": "Name a fact staff may record on a case: "
                                        + ", ".join(recordable)}])
    if role not in fact["recorded_by"]:
        return Refused("forbidden", [{"field": "/fact", "code": codes.WRONG_ROLE,
                                      "message": f"Only {', '.join(fact['recorded_by'])} may "
                                      f"record {fact_id}"}])
    if not is_fact_value(fact["type"], value):
        example = {"date": "2026-12-04", "datetime": "2026-12-04T10:30", "boolean": "true",
                   "number": "3", "code": "a code"}[fact["type"]]
        return Refused("invalid", [{"field": "/value", "code": codes.TYPE,
                                    "message": f"{fact_id} must be a {fact['type']}, "
                                    f"like {example}"}])
    return None


def fact_flag(fact: Mapping[str, Any], value: Any) -> str | None:
    """The flag a recorded fact's notification carries (friday: the date is a Friday)."""
    day = to_date(value) if fact.get("flag") == "friday" else None
    return "friday" if day is not None and day.weekday() == 4 else None
