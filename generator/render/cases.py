"""What the case pages know of the process and the protocol before they read a case: for the
case page (cases/case.html, static/case.js) state labels, form titles and entry pages, the
questions of the forms a case holds, the facts' words and code labels, who may record what,
and the titles of the documents its rules cite; for the Cases list and Due view their
filters; for the action pages (cases/step.html, appointment, facts, disclosure, hand-over)
their questions. Never a case: the pages read that from the API with the signed-in token.

Pure: the process, protocol and forms in, plain JSON-ready data out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.contract.roles import ADMIN

from ..fields import FIELD_TYPES
from ..model import Field, Form
from ..process.case import facts_json
from .questions import SUMMARY_WORDS, question
from .text import CASE_WORDS, words

CASES_INDEX = "cases/index.html"
CASE_PAGE = "cases/case.html"
DUE_PAGE = "cases/due.html"
STEP_PAGE = "cases/step.html"
APPOINTMENT_PAGE = "cases/appointment.html"
DISCLOSURE_PAGE = "cases/disclosure.html"
HANDOVER_PAGE = "cases/handover.html"
#: The code list whose labels name the information a disclosure shares.
INFORMATION_ITEMS = "information_item"


def fact_page(fact_id: str) -> str:
    """The page that records one fact staff keep on a case."""
    return f"cases/facts/{fact_id}.html"


def case_page_data(process: Any, forms: Iterable[Form],
                   documents: Mapping[str, str], protocol: Any = None) -> dict[str, Any]:
    """The case page's map of `process` (generator/process.Process) in English. `linked`:
    the forms that attach to a case by its reference (process.yaml `links`), with the roles
    the protocol's `access` lets submit each (`forms[id].submit`), so the case page offers
    a role the records it may add to the case though no step is made by them."""
    by_id = {f.id: f for f in sorted(forms, key=lambda f: f.id)}
    held = {process.opened_by, *(link.form for link in process.links)}
    access = protocol.access if protocol is not None else {}
    t = words("en")
    cited = {s.document for t_ in process.transitions for s in t_.sources}
    cited |= {s.document for t_ in process.transitions if t_.guard for s in t_.guard.sources}
    return {
        "title": process.title.get("en"),
        "words": {key: getattr(t, key) for key in SUMMARY_WORDS},   # for summary.js
        "states": {s.id: s.label.get("en") for s in process.states},
        "forms": {f.id: {"title": f.title.get("en"),
                         "record": f"/forms/{f.id}/record.html",
                         "start": f"/forms/{f.id}/index.html",
                         **({"change": f"/forms/{f.id}/check.html"}
                            if f.id == process.opened_by else {}),
                         **({"fields": _fields(f, t)} if f.id in held else {}),
                         **({"submit": [role for role, _ in access[f.id].submit]}
                            if f.id in access else {})}
                  for f in by_id.values()},
        "linked": [link.form for link in process.links if link.form in by_id],
        # The case's reference is its opening record's id: a step made by a later version
        # of that record (MG14 section L) is a Change of it, not a new one.
        "opened_by": process.opened_by,
        "facts": [_fact(fact, by_id) for fact in facts_json(process.facts)],
        "documents": {d: documents[d] for d in sorted(cited) if d in documents},
        "actions": actions_data(process),
    }


def actions_data(process: Any) -> dict[str, Any]:
    """Where the case page links for what staff record beyond a step, and who may: an
    appointment, a disclosure and a hand-over any party may record (the DAT's
    administrator, who reads but never acts, may not); a fact, the roles its
    `recorded_by:` names. Also the step page, for a step that asks or ends the case."""
    return {"step": "/" + STEP_PAGE, "appointment": "/" + APPOINTMENT_PAGE,
            "disclosure": "/" + DISCLOSURE_PAGE, "handover": "/" + HANDOVER_PAGE,
            "facts": {f.id: {"href": "/" + fact_page(f.id), "roles": list(f.recorded_by)}
                      for f in process.facts if f.recorded_by},
            "readers_only": [ADMIN]}


def list_filters(process: Any, forms: Iterable[Form]) -> dict[str, Any]:
    """The Cases list's filters: the process's states, and the DIP conditions (the codes
    of the `condition_type` fact, by the labels of the field it is read from)."""
    by_id = {f.id: f for f in forms}
    conditions: dict[str, str] = {}
    for fact in facts_json(process.facts):
        if fact["id"] == "condition_type":
            conditions = _fact(fact, by_id).get("choices", {})
    return {"states": [{"value": s.id, "text": s.label.get("en")} for s in process.states],
            "conditions": [{"value": code, "text": label} for code, label in conditions.items()]}


def _fields(form: Form, t) -> list[dict[str, Any]]:
    """The form's questions in page order, as summary.js reads a list of them (conditions
    left out: the page shows only the answers the API returned)."""
    return [_without_conditions(question(f, "en", t)) for f in form.fields()
            if FIELD_TYPES[f.type].has_value]


def _without_conditions(q: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in q.items() if k != "show_if"}
    if "children" in out:
        out["children"] = [_without_conditions(c) for c in out["children"]]
    return out


def _fact(fact: Mapping[str, Any], forms: Mapping[str, Form]) -> dict[str, Any]:
    """A fact's id, type and words; a code fact taken straight from a choice field also
    gets that field's labels."""
    label = CASE_WORDS["facts"].get(fact["id"]) or fact["id"].replace("_", " ").capitalize()
    out: dict[str, Any] = {"id": fact["id"], "type": fact["type"], "label": label}
    if fact["type"] == "code":
        for source in fact["from"]:
            field = _field(forms.get(source["form"]), source["value"])
            if field is not None and field.options.get("choices"):
                out["choices"] = {c.code: c.label.get("en") for c in field.options["choices"]}
                break
    return out


def _field(form: Form | None, value: Any) -> Field | None:
    """The field a fact's value names when it is just a field (`{"field": id}`)."""
    if form is None or not isinstance(value, dict) or set(value) != {"field"}:
        return None
    return next((f for f in form.walk() if f.id == value["field"]), None)


# -- the action pages: short question flows for what staff record on a case ----------------

def _q(kind: str, qid: str, label: str, **more: Any) -> dict[str, Any]:
    """One question of an action page: its kind (date, time, radios, checkboxes, select,
    textarea, flag), its id (the inputs' ids), its label, and `required`, `messages`,
    `hint`, `items` (value, text, hint?, conditional: more questions), `fields` (the API's
    field pointers whose errors it shows; by default /<id>)."""
    return {"kind": kind, "id": qid, "label": label, "required": True,
            "fields": [f"/{qid}"], **more}


def action_pages(process: Any, protocol: Any,
                 codelists: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """{site path: the page's action} for every action page: an appointment, each fact
    staff keep, a disclosure and a hand-over (the last two need the protocol: its agencies
    and grounds)."""
    a = CASE_WORDS["action"]
    pages = {APPOINTMENT_PAGE: _appointment(a["appointment"])}
    for fact in process.facts:
        if fact.recorded_by:
            pages[fact_page(fact.id)] = _fact_action(fact, a["fact"])
    if protocol is not None:
        pages[DISCLOSURE_PAGE] = _disclosure(a["disclosure"], protocol, codelists or {})
        pages[HANDOVER_PAGE] = _handover(a["handover"], protocol)
    return pages


def _appointment(w: Mapping[str, str]) -> dict[str, Any]:
    return {"kind": "appointment", "endpoint": "appointments", "title": w["title"],
            "lead": w["lead"], "button": w["button"], "done": w["done"],
            "questions": [
                _q("date", "date", w["date"], hint=w["date_hint"], fields=[],
                   messages={"required": w["date_required"], "invalid": w["date_invalid"]}),
                _q("time", "start_time", w["start"], hint=w["time_hint"],
                   fields=["/starts_at"], messages={"required": w["start_required"]}),
                _q("time", "end_time", w["end"], hint=w["time_hint"], fields=["/ends_at"],
                   messages={"required": w["end_required"]})]}


def _fact_action(fact: Any, w: Mapping[str, str]) -> dict[str, Any]:
    label = CASE_WORDS["facts"].get(fact.id) or fact.id.replace("_", " ").capitalize()
    title = w["title"].replace("{label}", label)
    common = {"kind": "fact", "endpoint": "facts", "fact": fact.id, "fact_type": fact.type,
              "title": title, "lead": None, "button": w["button"],
              "done": w["done"].replace("{label}", label), "roles": list(fact.recorded_by)}
    if fact.type == "date":
        question = _q("date", "value", label, hint=CASE_WORDS["action"]["appointment"]
                      ["date_hint"], messages={"required": w["date_required"],
                                               "invalid": w["date_invalid"]})
    elif fact.type == "boolean":
        question = _q("radios", "value", label, items=[
            {"value": "true", "text": CASE_WORDS["script"]["yes"]},
            {"value": "false", "text": CASE_WORDS["script"]["no"]}],
            inline=True, messages={"required": w["boolean_required"]})
    elif fact.type == "number":
        question = _q("number", "value", label, messages={"required": w["number_required"],
                                                         "invalid": w["number_invalid"]})
    else:   # a code: staff keep none today; a text box for its code
        question = _q("text", "value", label, messages={"required": w["code_required"]})
    return {**common, "questions": [{**question, "heading": True}]}


def _agency_items(protocol: Any, agencies: Iterable[Any]) -> list[dict[str, str]]:
    return [{"value": agency.id, "text": agency.name or agency.id} for agency in agencies]


def _disclosure(w: Mapping[str, str], protocol: Any,
                codelists: Mapping[str, Any]) -> dict[str, Any]:
    items = codelists.get(INFORMATION_ITEMS)
    item_choices = ([{"value": c.code, "text": c.label.get("en")} for c in items.values]
                    if items is not None else [])
    grounds = []
    for key, ground in protocol.grounds.items():
        conditional = []
        if ground.in_custody:
            conditional.append(_q("flag", "custody", w["custody"], required=False))
        for flag, message, _ in ground.requires:
            conditional.append(_q("flag", flag, message, required=False))
        title = f"{ground.rule}: {ground.title}" if ground.rule else ground.title
        grounds.append({"value": key, "text": title,
                        **({"conditional": conditional} if conditional else {})})
    return {"kind": "disclosure", "endpoint": "disclosures", "title": w["title"],
            "lead": w["lead"], "button": w["button"], "done": w["done"],
            "questions": [
                _q("select", "recipient", w["recipient"], choose=w["choose"],
                   items=_agency_items(protocol, protocol.agencies), not_own=True,
                   messages={"required": w["recipient_required"]}),
                _q("radios", "ground", w["ground"], items=grounds,
                   messages={"required": w["ground_required"]}),
                _q("checkboxes", "items", w["items"], hint=w["items_hint"],
                   items=item_choices, messages={"required": w["items_required"]}),
                _q("textarea", "reason", w["reason"], hint=w["reason_hint"],
                   messages={"required": w["reason_required"]})]}


def _handover(w: Mapping[str, str], protocol: Any) -> dict[str, Any]:
    """Only agencies whose staff use the service (hold a role), not the DAT's: the API's
    parties.may_hand_to."""
    types = protocol.agency_types
    usable = [a for a in protocol.agencies
              if a.type in types and types[a.type].role_names
              and ADMIN not in types[a.type].role_names]
    optional = CASE_WORDS["action"]["optional"]
    return {"kind": "handover", "endpoint": "handovers", "title": w["title"],
            "lead": w["lead"], "button": w["button"], "done": w["done"],
            "questions": [
                _q("radios", "agency", w["agency"], items=_agency_items(protocol, usable),
                   not_own=True, messages={"required": w["agency_required"]}),
                _q("textarea", "reason", w["reason"] + optional, hint=w["reason_hint"],
                   required=False)]}


# -- every case page: its template and what it is rendered with ------------------------------

def _script_words(*blocks: Mapping[str, Any]) -> dict[str, Any]:
    """The case script's words with a page's own on top (the same dates, months, errors)."""
    out: dict[str, Any] = dict(CASE_WORDS["script"])
    for block in blocks:
        out.update(block)
    return out


def step_action() -> dict[str, Any]:
    """The step page's action: no questions of its own (a step's `asks` come with the
    case), posted to /transitions."""
    a = CASE_WORDS["action"]
    return {"kind": "step", "endpoint": "transitions", "title": a["step_title"], "lead": None,
            "button": a["continue"], "done": None, "questions": []}


def case_pages(process: Any, forms: Iterable[Form], documents: Mapping[str, str],
               protocol: Any = None, codelists: Mapping[str, Any] | None = None
               ) -> dict[str, tuple[str, dict[str, Any]]]:
    """{site path: (template, context)} of the case pages: the Cases list, Due, one case,
    the step page and the action pages. English only."""
    forms = tuple(forms)
    a = CASE_WORDS["action"]
    action_words = _script_words(a["script"], {
        key: a[key] for key in ("caption", "ends_warning", "ends_button", "continue",
                                "reason_label", "reason_hint")},
        {"warning": words("en").warning})
    common = {"c": CASE_WORDS, "find_href": "/" + CASES_INDEX, "case_href": "/" + CASE_PAGE}
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        CASES_INDEX: ("cases_index.html", {**common, "filters": list_filters(process, forms),
                                            "words": _script_words(CASE_WORDS["list"]["script"])}),
        DUE_PAGE: ("due.html", {**common, "words": _script_words(CASE_WORDS["due"]["script"])}),
        CASE_PAGE: ("case.html", {**common,
                                  "process": case_page_data(process, forms, documents,
                                                             protocol)}),
        STEP_PAGE: ("case_action.html", {**common, "action": step_action(),
                                         "words": action_words}),
    }
    for path, action in action_pages(process, protocol, codelists).items():
        pages[path] = ("case_action.html", {**common, "action": {**action,
                                                                 "readers_only": [ADMIN]},
                                            "words": action_words})
    return pages
