"""What the case pages know of the process and the protocol before they read a case: for the
case page (cases/case.html, static/case.js) state labels, form titles and entry pages, the
questions of the forms a case holds, the facts' words and code labels, who may record what,
and the titles of the documents its rules cite; for the Cases list and Due view their
filters; for the action pages (cases/step.html, appointment, facts, disclosure, hand-over)
their questions. Never a case: the pages read that from the API with the signed-in token.

Each page in English (cases/...) and in Welsh (cy/cases/...), with the words of
`text.case_words(lang)`: a Welsh page links to Welsh pages, and to a form's Welsh pages where
the form has them. The process's labels in Welsh come from cases_cy.yaml's `process:` by id
(`process_labels`), since forms/process.yaml and the API give them in English.

Pure: the process, protocol and forms in, plain JSON-ready data out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from chalicelib.contract.roles import ADMIN

from ..fields import FIELD_TYPES
from ..model import Field, Form
from .questions import SUMMARY_WORDS, question
from .text import case_words, words

CASES_INDEX = "cases/index.html"
CASE_PAGE = "cases/case.html"
DUE_PAGE = "cases/due.html"
STEP_PAGE = "cases/step.html"
APPOINTMENT_PAGE = "cases/appointment.html"
DISCLOSURE_PAGE = "cases/disclosure.html"
HANDOVER_PAGE = "cases/handover.html"
#: The code list whose labels name the information a disclosure shares.
INFORMATION_ITEMS = "information_item"
#: A form's languages (generator/render/site.Site.languages); English only when not given.
FormLanguages = Callable[[Form], Iterable[str]]


def href(lang: str, rel: str) -> str:
    """The address of site page `rel` in `lang`: /cases/case.html, /cy/cases/case.html (as
    site.site_path, which this module may not import)."""
    return "/" + (rel if lang == "en" else f"{lang}/{rel}")


def _english_only(form: Form) -> tuple[str, ...]:
    return ("en",)


def process_labels(process: Any, lang: str = "en") -> dict[str, Any]:
    """The process's words in `lang`, by id: its title, states, steps (transitions),
    deadlines and what a step asks (reason...). English: forms/process.yaml's own (as the
    API gives them; no `asks`, the API's are used). Welsh: a `cy:` label process.yaml
    gives (its schema allows one on the title, a state and a step), else cases_cy.yaml's
    `process:` when it is this process's (its `process:` id), else the English."""
    english = {"title": process.title.get("en"),
               "states": {s.id: s.label.get("en") for s in process.states},
               "transitions": {t.id: t.label.get("en") for t in process.transitions if t.label},
               "deadlines": {d.id: d.label for d in process.deadlines if d.label},
               "asks": {}}
    if lang == "en":
        return english
    given = case_words(lang).get("process") or {}
    if given.get("process") != process.id:      # the words are another process's
        given = {}
    own = {"states": {s.id: s.label.cy for s in process.states if s.label.cy},
           "transitions": {t.id: t.label.cy for t in process.transitions
                           if t.label and t.label.cy},
           "deadlines": {}}
    return {"title": process.title.cy or given.get("title") or english["title"],
            **{part: {**english[part], **{k: v for k, v in (given.get(part) or {}).items()
                                           if k in english[part]}, **own[part]}
               for part in ("states", "transitions", "deadlines")},
            "asks": dict(given.get("asks") or {})}


def fact_page(fact_id: str) -> str:
    """The page that records one fact staff keep on a case."""
    return f"cases/facts/{fact_id}.html"


def case_page_data(process: Any, forms: Iterable[Form],
                   documents: Mapping[str, str], protocol: Any = None, *, lang: str = "en",
                   form_languages: FormLanguages = _english_only) -> dict[str, Any]:
    """The case page's map of `process` (generator/process.Process) in `lang`. `linked`:
    the forms that attach to a case by its reference (process.yaml `links`), with the roles
    the protocol's `access` lets submit each (`forms[id].submit`), so the case page offers
    a role the records it may add to the case though no step is made by them. A form's
    title, questions and pages are in `lang` where `form_languages` gives it that language,
    else in English."""
    by_id = {f.id: f for f in sorted(forms, key=lambda f: f.id)}
    held = {process.opened_by, *(link.form for link in process.links)}
    access = protocol.access if protocol is not None else {}
    labels = process_labels(process, lang)
    cited = {s.document for t_ in process.transitions for s in t_.sources}
    cited |= {s.document for t_ in process.transitions if t_.guard for s in t_.guard.sources}

    def form_entry(f: Form) -> dict[str, Any]:
        shown = lang if lang in tuple(form_languages(f)) else "en"
        base = f"forms/{f.id}"
        return {"title": f.title.get(shown),
                **({"lang": shown} if shown != lang else {}),
                "record": href(shown, f"{base}/record.html"),
                "start": href(shown, f"{base}/index.html"),
                # the first question page: where the case page filled on the server for a
                # browser without scripts links a step (web/caseviews.py)
                **({"first": href(shown, f"{base}/{f.pages[0].id}.html")} if f.pages else {}),
                **({"change": href(shown, f"{base}/check.html")}
                   if f.id == process.opened_by else {}),
                **({"fields": _fields(f, shown)} if f.id in held else {}),
                **({"submit": [role for role, _ in access[f.id].submit]}
                   if f.id in access else {})}

    t = words(lang)
    return {
        "title": labels["title"],
        "words": {key: getattr(t, key) for key in SUMMARY_WORDS},   # for summary.js
        "states": labels["states"],
        "transitions": labels["transitions"],
        "deadlines": labels["deadlines"],
        "asks": labels["asks"],
        "forms": {f.id: form_entry(f) for f in by_id.values()},
        "linked": [link.form for link in process.links if link.form in by_id],
        # The case's reference is its opening record's id: a step made by a later version
        # of that record (MG14 section L) is a Change of it, not a new one.
        "opened_by": process.opened_by,
        "facts": [_fact(fact, by_id, lang) for fact in _facts(process)],
        "documents": {d: documents[d] for d in sorted(cited) if d in documents},
        "actions": actions_data(process, lang),
    }



def _facts(process: Any) -> list[dict[str, Any]]:
    """The process's facts as JSON-ready data (process/case.facts_json)."""
    # imported on use: a project without a process never loads it (README.md: Build speed)
    from ..process.case import facts_json
    return facts_json(process.facts)


def actions_data(process: Any, lang: str = "en") -> dict[str, Any]:
    """Where the case page links for what staff record beyond a step, and who may: an
    appointment, a disclosure and a hand-over any party may record (the DAT's
    administrator, who reads but never acts, may not); a fact, the roles its
    `recorded_by:` names. Also the step page, for a step that asks or ends the case."""
    return {"step": href(lang, STEP_PAGE), "appointment": href(lang, APPOINTMENT_PAGE),
            "disclosure": href(lang, DISCLOSURE_PAGE), "handover": href(lang, HANDOVER_PAGE),
            "facts": {f.id: {"href": href(lang, fact_page(f.id)), "roles": list(f.recorded_by)}
                      for f in process.facts if f.recorded_by},
            "readers_only": [ADMIN]}


def list_filters(process: Any, forms: Iterable[Form], lang: str = "en") -> dict[str, Any]:
    """The Cases list's filters: the process's states, and the DIP conditions (the codes
    of the `condition_type` fact, by the labels of the field it is read from)."""
    by_id = {f.id: f for f in forms}
    conditions: dict[str, str] = {}
    for fact in _facts(process):
        if fact["id"] == "condition_type":
            conditions = _fact(fact, by_id, lang).get("choices", {})
    states = process_labels(process, lang)["states"]
    return {"states": [{"value": s.id, "text": states[s.id]} for s in process.states],
            "conditions": [{"value": code, "text": label} for code, label in conditions.items()]}


def _fields(form: Form, lang: str) -> list[dict[str, Any]]:
    """The form's questions in page order, as summary.js reads a list of them (conditions
    left out: the page shows only the answers the API returned)."""
    t = words(lang)
    return [_without_conditions(question(f, lang, t)) for f in form.fields()
            if FIELD_TYPES[f.type].has_value]


def _without_conditions(q: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in q.items() if k != "show_if"}
    if "children" in out:
        out["children"] = [_without_conditions(c) for c in out["children"]]
    return out


def _fact_label(fact_id: str, lang: str) -> str:
    """A fact's name in `lang`; in English when the words lack it, else its id as words."""
    return (case_words(lang)["facts"].get(fact_id) or case_words("en")["facts"].get(fact_id)
            or fact_id.replace("_", " ").capitalize())


def _fact(fact: Mapping[str, Any], forms: Mapping[str, Form],
          lang: str = "en") -> dict[str, Any]:
    """A fact's id, type and words; a code fact taken straight from a choice field also
    gets that field's labels."""
    label = _fact_label(fact["id"], lang)
    out: dict[str, Any] = {"id": fact["id"], "type": fact["type"], "label": label}
    if fact["type"] == "code":
        for source in fact["from"]:
            field = _field(forms.get(source["form"]), source["value"])
            if field is not None and field.options.get("choices"):
                out["choices"] = {c.code: c.label.get(lang) for c in field.options["choices"]}
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


def action_pages(process: Any, protocol: Any, codelists: Mapping[str, Any] | None,
                 lang: str = "en") -> dict[str, dict[str, Any]]:
    """{site path without the language: the page's action} for every action page: an
    appointment, each fact staff keep, a disclosure and a hand-over (the last two need the
    protocol: its agencies and grounds). The protocol's grounds stay as it words them
    (English); an agency is named by its `name_cy` in Welsh where it has one."""
    w = case_words(lang)
    a = w["action"]
    pages = {APPOINTMENT_PAGE: _appointment(a["appointment"])}
    for fact in process.facts:
        if fact.recorded_by:
            pages[fact_page(fact.id)] = _fact_action(fact, w, lang)
    if protocol is not None:
        pages[DISCLOSURE_PAGE] = _disclosure(a["disclosure"], protocol, codelists or {}, lang)
        pages[HANDOVER_PAGE] = _handover(w, protocol, lang)
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


def _fact_action(fact: Any, words_: Mapping[str, Any], lang: str) -> dict[str, Any]:
    w = words_["action"]["fact"]
    label = _fact_label(fact.id, lang)
    title = w["title"].replace("{label}", label)
    common = {"kind": "fact", "endpoint": "facts", "fact": fact.id, "fact_type": fact.type,
              "title": title, "lead": None, "button": w["button"],
              "done": w["done"].replace("{label}", label), "roles": list(fact.recorded_by)}
    if fact.type == "date":
        question = _q("date", "value", label, hint=words_["action"]["appointment"]
                      ["date_hint"], messages={"required": w["date_required"],
                                               "invalid": w["date_invalid"]})
    elif fact.type == "boolean":
        question = _q("radios", "value", label, items=[
            {"value": "true", "text": words_["script"]["yes"]},
            {"value": "false", "text": words_["script"]["no"]}],
            inline=True, messages={"required": w["boolean_required"]})
    elif fact.type == "number":
        question = _q("number", "value", label, messages={"required": w["number_required"],
                                                         "invalid": w["number_invalid"]})
    else:   # a code: staff keep none today; a text box for its code
        question = _q("text", "value", label, messages={"required": w["code_required"]})
    return {**common, "questions": [{**question, "heading": True}]}


def _agency_items(agencies: Iterable[Any], lang: str) -> list[dict[str, str]]:
    return [{"value": agency.id,
             "text": (getattr(agency, f"name_{lang}", None) if lang != "en" else None)
             or agency.name or agency.id} for agency in agencies]


def _disclosure(w: Mapping[str, str], protocol: Any, codelists: Mapping[str, Any],
                lang: str = "en") -> dict[str, Any]:
    items = codelists.get(INFORMATION_ITEMS)
    item_choices = ([{"value": c.code, "text": c.label.get(lang)} for c in items.values]
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
                   items=_agency_items(protocol.agencies, lang), not_own=True,
                   messages={"required": w["recipient_required"]}),
                _q("radios", "ground", w["ground"], items=grounds,
                   messages={"required": w["ground_required"]}),
                _q("checkboxes", "items", w["items"], hint=w["items_hint"],
                   items=item_choices, messages={"required": w["items_required"]}),
                _q("textarea", "reason", w["reason"], hint=w["reason_hint"],
                   messages={"required": w["reason_required"]})]}


def _handover(words_: Mapping[str, Any], protocol: Any, lang: str) -> dict[str, Any]:
    """Only agencies whose staff use the service (hold a role), not the DAT's: the API's
    parties.may_hand_to."""
    w = words_["action"]["handover"]
    types = protocol.agency_types
    usable = [a for a in protocol.agencies
              if a.type in types and types[a.type].role_names
              and ADMIN not in types[a.type].role_names]
    optional = words_["action"]["optional"]
    return {"kind": "handover", "endpoint": "handovers", "title": w["title"],
            "lead": w["lead"], "button": w["button"], "done": w["done"],
            "questions": [
                _q("radios", "agency", w["agency"], items=_agency_items(usable, lang),
                   not_own=True, messages={"required": w["agency_required"]}),
                _q("textarea", "reason", w["reason"] + optional, hint=w["reason_hint"],
                   required=False)]}


# -- every case page: its template and what it is rendered with ------------------------------

def _script_words(lang: str, *blocks: Mapping[str, Any]) -> dict[str, Any]:
    """The case script's words with a page's own on top (the same dates, months, errors)."""
    out: dict[str, Any] = dict(case_words(lang)["script"])
    for block in blocks:
        out.update(block)
    return out


def page_words(process: Any, lang: str, *blocks: Mapping[str, Any]) -> dict[str, Any]:
    """A page's words for its script (the `dipforms-case-words` JSON): `_script_words`,
    with `labels`, the process's labels in the page's language by id (states, steps,
    deadlines, asks; and `state_names`, the states by the API's English label, for Due's
    items, which name only that), which the scripts show instead of the API's English;
    and `paths`, the case pages in the page's language, where the scripts link a case."""
    labels = process_labels(process, lang)
    english = process_labels(process, "en")["states"]
    return {**_script_words(lang, *blocks),
            "labels": {**{k: labels[k] for k in ("states", "transitions", "deadlines",
                                                 "asks")},
                       "state_names": {english[s]: labels["states"][s] for s in english}},
            "paths": {"case": href(lang, CASE_PAGE), "cases": href(lang, CASES_INDEX)}}


def step_action(lang: str = "en") -> dict[str, Any]:
    """The step page's action: no questions of its own (a step's `asks` come with the
    case), posted to /transitions."""
    a = case_words(lang)["action"]
    return {"kind": "step", "endpoint": "transitions", "title": a["step_title"], "lead": None,
            "button": a["continue"], "done": None, "questions": []}


def case_pages(process: Any, forms: Iterable[Form], documents: Mapping[str, str],
               protocol: Any = None, codelists: Mapping[str, Any] | None = None,
               lang: str = "en", form_languages: FormLanguages = _english_only
               ) -> dict[str, tuple[str, dict[str, Any]]]:
    """{site path without the language: (template, context)} of the case pages in `lang`:
    the Cases list, Due, one case, the step page and the action pages."""
    forms = tuple(forms)
    w = case_words(lang)
    a = w["action"]
    action_words = page_words(process, lang, a["script"], {
        key: a[key] for key in ("caption", "ends_warning", "ends_button", "continue",
                                "reason_label", "reason_hint")},
        {"warning": words(lang).warning})
    common = {"c": w, "find_href": href(lang, CASES_INDEX), "case_href": href(lang, CASE_PAGE)}
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        CASES_INDEX: ("cases_index.html", {**common,
                                           "filters": list_filters(process, forms, lang),
                                           "words": page_words(process, lang,
                                                               w["list"]["script"])}),
        DUE_PAGE: ("due.html", {**common,
                                "words": page_words(process, lang, w["due"]["script"])}),
        CASE_PAGE: ("case.html", {**common,
                                  "process": case_page_data(process, forms, documents,
                                                            protocol, lang=lang,
                                                            form_languages=form_languages),
                                  "words": page_words(process, lang, {"people": w["people"]})}),
        STEP_PAGE: ("case_action.html", {**common, "action": step_action(lang),
                                         "words": action_words}),
    }
    for path, action in action_pages(process, protocol, codelists, lang).items():
        pages[path] = ("case_action.html", {**common, "action": {**action,
                                                                 "readers_only": [ADMIN]},
                                            "words": action_words})
    return pages
