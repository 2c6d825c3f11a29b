"""The API's answers as the case pages' scripts show them, for the pages the local server
renders without JavaScript (casepages.py): what cases.js, due.js, case.js and record.js
would have built, as plain rows the `served_*.html` templates print. Words come from the
pages' own dictionaries (generator/texts/cases.yaml, en.yaml); dates in words and moments
in Europe/London, as summary.js writes them. Pure: dicts in, dicts out.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})")
_LONDON = ZoneInfo("Europe/London")
CASE_PAGE = "/cases/case.html"


def fill(text: str, **values: Any) -> str:
    """`{name}` in `text` replaced by `values` (as the scripts' fill)."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values
                  else m.group(0), text)


def case_href(ref: str) -> str:
    return f"{CASE_PAGE}?ref={quote(ref, safe='')}"


# --- dates, as summary.js ---------------------------------------------------------------------

def date_words(value: Any, w: Mapping[str, Any]) -> str:
    """"2026-03-01" -> "1 March 2026"; anything else as it is."""
    found = _DATE.match(str(value))
    months = w["months"]
    if not found or not 1 <= int(found.group(2)) <= len(months):
        return str(value)
    return f"{int(found.group(3))} {months[int(found.group(2)) - 1]} {found.group(1)}"


def datetime_words(value: Any, w: Mapping[str, Any]) -> str:
    found = _DATETIME.match(str(value))
    if not found:
        return str(value)
    return fill(w["date_at_time"], date=date_words(found.group(1), w), time=found.group(2))


def instant_words(value: Any, w: Mapping[str, Any]) -> str:
    """A UTC moment from the API as its date and time in England."""
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return datetime_words(moment.astimezone(_LONDON).strftime("%Y-%m-%dT%H:%M"), w)


# --- answers, as summary.js's render ------------------------------------------------------------

def _answered(value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dict):
        return any(_answered(v) for v in value.values())
    return True


def _label(q: Mapping[str, Any], code: Any) -> str:
    return str((q.get("choices") or {}).get(str(code), code))


def _parts(q: Mapping[str, Any], value: Mapping[str, Any]) -> list[str]:
    return [value[p["id"]] for p in q.get("parts") or ()
            if isinstance(value.get(p["id"]), str) and value[p["id"]].strip()]


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def shown(q: Mapping[str, Any], value: Any, w: Mapping[str, Any]) -> dict[str, list[str]]:
    """One answer as words: {"lines": [...]} or {"list": [...]} (summary.js's SHOW)."""
    how = q.get("show") or "text"
    if how == "date":
        return {"lines": [date_words(value, w)]}
    if how == "datetime":
        return {"lines": [datetime_words(value, w)]}
    if how == "choice":
        return {"lines": [_label(q, value)]}
    if how == "choices":
        items = [_label(q, c) for c in (value if isinstance(value, list) else [value])]
        return {"list": items} if len(items) > 1 else {"lines": items}
    if how == "attest":
        statement = [q["statement"]] if q.get("statement") else []
        return {"lines": [w["confirmed"], *statement] if value is True else [_text(value)]}
    if how == "number":
        return {"lines": [f"{_text(value)} {q['unit']}" if q.get("unit") else _text(value)]}
    if how == "joined" and isinstance(value, dict):
        return {"lines": [" ".join(_parts(q, value))]}
    if how == "lines" and isinstance(value, dict):
        return {"lines": _parts(q, value)}
    if how == "signature" and isinstance(value, dict):
        lines = [v for v in (value.get("name"), value.get("role")) if isinstance(v, str) and v]
        if value.get("date"):
            lines.append(fill(w["signed_on"], date=date_words(value["date"], w)))
        if value.get("confirmed") is True:
            lines.append(w["confirmed"] + (": " + q["statement"] if q.get("statement") else ""))
        return {"lines": lines}
    if how == "paragraphs":
        return {"lines": str(value).splitlines() or [""]}
    return {"lines": [_text(value)]}


def answer_blocks(fields: Sequence[Mapping[str, Any]], data: Mapping[str, Any],
                  w: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answered questions of `fields` as blocks: {"rows": [(question, shown)]}, and for
    each item of an answered repeat {"heading": "Item 1"} then its rows."""
    blocks: list[dict[str, Any]] = []

    def rows() -> list:
        if not blocks or "rows" not in blocks[-1]:
            blocks.append({"rows": []})
        return blocks[-1]["rows"]

    for q in fields:
        value = data.get(q["id"]) if isinstance(data, Mapping) else None
        if q.get("show") == "items":
            if not _answered(value):
                continue
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                if isinstance(item, dict) and _answered(item):
                    blocks.append({"heading": f"{q.get('item_label', '')} {i + 1}"})
                    blocks.extend(answer_blocks(q.get("children") or (), item, w))
            continue
        if _answered(value):
            rows().append((q["question"], shown(q, value, w)))
    return blocks


def record_sections(questions: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """A record's answers section by section (only sections with an answer), and the answers
    the questions map has no question for (by field id), as record.js shows them."""
    w = questions["words"]
    sections = []
    known: set[str] = set()
    for section in questions["sections"]:
        known |= {q["id"] for q in section["fields"]}
        blocks = answer_blocks(section["fields"], data, w)
        if blocks:
            sections.append({"id": section["id"], "title": section["title"], "blocks": blocks})
    other = [(k, {"lines": [_text(v)]}) for k, v in data.items()
             if k not in known and _answered(v)]
    return {"sections": sections, "other": other}


# --- the Cases list and Due -----------------------------------------------------------------

def person_lines(person: Mapping[str, Any] | None, w: Mapping[str, Any]) -> dict | None:
    """The person's cell of the Cases list: name (bold), "born ...", PNC ID."""
    if not person:
        return None
    born = person.get("date_of_birth")
    return {"name": person.get("name"), "pnc_id": person.get("pnc_id"),
            "born": fill(w["born"], date=date_words(born, w)) if born else None}


def case_list(body: Mapping[str, Any], w: Mapping[str, Any], *, searched: str,
              filtered: bool) -> dict[str, Any]:
    """GET /v1/cases as cases.js shows it: the rows and the line above them."""
    cases = body.get("cases") or []
    rows = [{"ref": c["ref"], "href": case_href(c["ref"]),
             "person": person_lines(c.get("person"), w),
             "state": c.get("state_label") or c.get("state"), "closed": bool(c.get("closed")),
             "next_due": ({"label": c["next_due"].get("label"),
                           "due": date_words(c["next_due"].get("due"), w),
                           "overdue": bool(c["next_due"].get("overdue"))}
                          if c.get("next_due") else None),
             "updated": instant_words(c.get("updated_at"), w)} for c in cases]
    if not rows:
        status = w["none"] if filtered or searched else w["none_at_all"]
    else:
        count = w["count_one"] if len(rows) == 1 else fill(w["count"], count=len(rows))
        status = (fill(w["searched"], q=searched) + ". " if searched else "") + count
    return {"rows": rows, "status": status, "next_cursor": body.get("next_cursor")}


def due_list(body: Mapping[str, Any], w: Mapping[str, Any]) -> dict[str, Any]:
    """GET /v1/due as due.js shows it."""
    def who(p):
        if not p or not (p.get("name") or p.get("date_of_birth")):
            return None
        born = fill(w["born"], date=date_words(p["date_of_birth"], w)) \
            if p.get("date_of_birth") else None
        return ", ".join(x for x in (p.get("name"), born) if x)

    return {"today": fill(w["today"], date=date_words(body.get("today"), w)),
            "rows": [{"due": date_words(i.get("due"), w), "overdue": bool(i.get("overdue")),
                      "label": i.get("label"), "ref": i.get("case"),
                      "href": case_href(i.get("case") or ""), "person": who(i.get("person")),
                      "state": i.get("state_label") or ""} for i in body.get("due") or ()]}


# --- one case ---------------------------------------------------------------------------------

class CaseView:
    """GET /v1/cases/{ref} as case.js shows it, for `role` (the signed-in user's), with
    the case page's map of the process (`process`, render/cases.case_page_data) and its
    words (`w`: cases.yaml's script, with `people`)."""

    def __init__(self, answer: Mapping[str, Any], process: Mapping[str, Any],
                 w: Mapping[str, Any], role: str | None):
        self.case = answer["case"]
        self.answer, self.p, self.w, self.role = answer, process, w, role
        self.names = answer.get("agencies") or {}

    def _words(self, value: Any) -> str:
        text = str(value or "").replace("_", " ")
        return text[:1].upper() + text[1:]

    def agency(self, agency_id: Any) -> str:
        return self.names.get(agency_id) or self._words(agency_id)

    def agencies(self, ids: Any) -> str:
        listed = [self.agency(i) for i in (ids if isinstance(ids, list) else [ids]) if i]
        return ", ".join(listed) or self.w["nobody"]

    def state_label(self, state: Any) -> str:
        return self.p["states"].get(state, state)

    def form_title(self, form: Any) -> str:
        return (self.p["forms"].get(form) or {}).get("title", form)

    def view(self) -> dict[str, Any]:
        c, w = self.case, self.w
        return {"ref": c["ref"], "version": c.get("version"),
                "title": fill(w["case_title"], ref=c["ref"]),
                "person": self.person(), "summary": self.summary(),
                "deadlines": [{"id": d.get("id"), "label": d.get("label"),
                               "due": date_words(d.get("due"), w),
                               "overdue": bool(d.get("overdue"))}
                              for d in c.get("deadlines") or ()],
                "next": self.steps(), "records": [self.record(r) for r in
                                                  self.answer.get("records") or ()],
                "timeline": [self.event(e) for e in reversed(self.answer.get("timeline")
                                                             or [])],
                "older_href": self.page_href("timeline_cursor", "case-timeline"),
                "more_records_href": self.page_href("records_cursor", "case-records")}

    def page_href(self, cursor: str, anchor: str) -> str | None:
        """The case page with the next page of the timeline or records (None: no more)."""
        found = self.answer.get(cursor)
        if not isinstance(found, str) or not found:
            return None
        return f"{case_href(self.case['ref'])}&{cursor}={quote(found, safe='')}#{anchor}"

    def person(self) -> list[tuple[str, str]]:
        p = self.case.get("person") or {}
        keys = [k for k in ("name", "date_of_birth", "pnc_id", "custody_record_no") if p.get(k)]
        return [(self.w["people"][k], date_words(p[k], self.w) if k == "date_of_birth"
                 else str(p[k])) for k in keys]

    def summary(self) -> list[dict[str, Any]]:
        c, w = self.case, self.w
        rows = [{"key": w["reference"], "value": c["ref"]},
                {"key": w["state"], "value": c.get("state_label") or self.state_label(
                    c.get("state")), "closed": bool(c.get("closed"))}]
        for fact in self.p.get("facts") or ():
            value = (c.get("facts") or {}).get(fact["id"])
            if value is None or value == "":
                continue
            rows.append({"key": fact["label"], "value": self.fact_value(fact, value)})
        rows.append({"key": w["opened_at"], "value": instant_words(c.get("opened_at"), w)})
        rows.append({"key": w["updated_at"], "value": instant_words(c.get("updated_at"), w)})
        return rows

    def fact_value(self, fact: Mapping[str, Any], value: Any) -> str:
        kind = fact.get("type")
        if kind == "date":
            return date_words(value, self.w)
        if kind == "datetime":
            return datetime_words(value, self.w)
        if kind == "boolean" and isinstance(value, bool):
            return self.w["yes"] if value else self.w["no"]
        if kind == "code" and str(value) in (fact.get("choices") or {}):
            return fact["choices"][str(value)]
        return _text(value)

    def form_href(self, form: str) -> str:
        ref = quote(self.case["ref"], safe="")
        info = self.p["forms"].get(form) or {}
        if form == self.p.get("opened_by") and info.get("change"):
            return f"{info['change']}?change={ref}"
        # straight to the first question page: the start page's Start button is a plain
        # link, which would lose ?case= without the page script (nojs.NoScript.from_case)
        first = info.get("first") or info.get("start") or f"/forms/{form}/index.html"
        return f"{first}?case={ref}"

    def steps(self) -> dict[str, Any]:
        """What can happen next: form links, buttons (posted here) and steps to confirm
        (a link to cases/step.html), and the other forms that attach to the case."""
        c, w = self.case, self.w
        steps = c.get("next_steps") or []
        out: dict[str, Any] = {"message": None, "forms": [], "buttons": [], "confirm": False,
                               "others": []}
        if c.get("closed") or not steps:
            out["message"] = w["closed_case"] if c.get("closed") else w["no_steps"]
        else:
            for s in steps:
                label = s.get("label") or fill(w["step"], label=s.get("to_label") or
                                               self.state_label(s.get("to")))
                if s.get("kind") == "form":
                    out["forms"].append({"transition": s["transition"], "href": self.form_href(
                        s.get("form")), "text": fill(w["record_form"], form=s.get(
                            "form_title") or self.form_title(s.get("form")))})
                    continue
                asks = bool(s.get("ends") or s.get("asks"))
                out["confirm"] = out["confirm"] or asks
                href = (f"{self.p['actions']['step']}?ref={quote(c['ref'], safe='')}"
                        f"&transition={quote(s['transition'], safe='')}") if asks else None
                out["buttons"].append({"transition": s["transition"], "label": label,
                                       "href": href, "ends": bool(s.get("ends"))})
        if not c.get("closed") and self.role:
            made = {s.get("form") for s in steps if s.get("kind") == "form"}
            applies = c.get("forms")      # the forms that belong to this case (their `when:`)
            for form in self.p.get("linked") or ():
                info = self.p["forms"].get(form) or {}
                if form not in made and self.role in (info.get("submit") or ()) and (
                        applies is None or form in applies):
                    out["others"].append({"form": form, "href": self.form_href(form),
                                          "text": fill(w["record_form"],
                                                       form=self.form_title(form))})
        return out

    def record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        w = self.w
        form = self.p["forms"].get(record.get("form"))
        data = {k: v for k, v in (record.get("data") or {}).items() if not k.startswith("_")}
        fields = (form or {}).get("fields") or []
        known = {q["id"] for q in fields}
        return {"title": self.form_title(record.get("form")), "id": record.get("id"),
                "href": (f"{form['record']}?id={quote(str(record.get('id')), safe='')}"
                         if form else None),
                "facts": [(w["reference"], str(record.get("id"))),
                          (w["made_by"], self.agency(record.get("agency"))),
                          (w["saved_at"], instant_words(record.get("created_at"), w)),
                          (w["version"], str(record.get("version")))],
                "answered": bool(data),
                "blocks": answer_blocks(fields, data, self.p["words"]),
                "other": [(k, _text(v)) for k, v in data.items() if k not in known]}

    def _record_text(self, template: str, entry: Mapping[str, Any], **values: Any) -> list:
        """A record named in words: (text, link or None) pieces, its reference a link."""
        form = self.p["forms"].get(entry.get("form"))
        pieces: list[tuple[str, str | None]] = []
        for part in re.split(r"(\{ref\})", template):
            if part == "{ref}":
                href = (f"{form['record']}?id={quote(str(entry.get('ref')), safe='')}"
                        if form else None)
                pieces.append((str(entry.get("ref")), href))
            elif part:
                pieces.append((fill(part, **values), None))
        return pieces

    def event(self, e: Mapping[str, Any]) -> dict[str, Any]:
        heading, text = self.describe(e)
        who = (self.w["by_system"] if e.get("agency") == "system"
               else fill(self.w["by"], agency=self.agency(e.get("agency"))))
        return {"kind": e.get("kind"), "heading": heading, "text": text, "at": e.get("at"),
                "when": instant_words(e.get("at"), self.w), "by": who}

    def describe(self, e: Mapping[str, Any]) -> tuple[str, list]:
        """The heading and the text of one timeline entry (case.js's describe)."""
        w, kind = self.w, e.get("kind")

        def plain(text: str) -> list:
            return [(text, None)]

        if kind == "opened":
            return w["opened"], self._record_text(w["opened_text"], e, form=self.form_title(
                e.get("form")), state=self.state_label(e.get("state")))
        if kind == "form":
            return (w["form_amended"] if (e.get("version") or 1) > 1 else w["form_added"],
                    self._record_text(w["form_text"], e, form=self.form_title(e.get("form")),
                                      version=e.get("version")))
        if kind == "transition":
            text = fill(w["transition_text"], **{"from": self.state_label(e.get("from")),
                                                 "to": self.state_label(e.get("to"))})
            if e.get("reason"):
                text += " " + fill(w["transition_reason"], reason=e["reason"])
            return w["transition"], plain(text)
        if kind == "notification":
            channel = w["channels"].get(e.get("channel")) or self._words(
                e.get("channel") or "email")
            status = w["statuses"].get(e.get("status")) or w["statuses"]["waiting"]
            title = e.get("title") or fill(w["notification"], event=e.get("event"))
            return w["notice"], plain(fill(w["notice_text"], channel=channel,
                                           to=self.agencies(e.get("to")), title=title,
                                           status=status))
        if kind == "reminder":
            return (fill(w["reminder"], event=e.get("event")),
                    plain(fill(w["reminder_text"], reason=self._words(e.get("ref")),
                               due=date_words(e.get("due_on"), w),
                               to=self.agencies(e.get("to")))))
        if kind == "fact":
            which = e.get("fact") or e.get("ref")
            fact = next((f for f in self.p.get("facts") or () if f["id"] == which), None)
            return w["fact"], plain(fact["label"] if fact else self._words(which))
        if kind == "appointment":
            text = fill(w["appointment_text"], starts=datetime_words(e.get("starts_at"), w),
                        ends=datetime_words(e.get("ends_at"), w))
            if e.get("clashes_with"):
                text += " " + fill(w["clash_text"], agencies=self.agencies(e["clashes_with"]))
            return w["appointment"], plain(text)
        if kind == "disclosure":
            ground = str(e.get("ground")) + (f" ({e['rule']})" if e.get("rule") else "")
            items = e.get("items") or []
            return w["disclosure"], plain(fill(
                w["disclosure_text"], to=self.agencies(e.get("to")), ground=ground,
                items=", ".join(items if isinstance(items, list) else [items])))
        if kind == "handover":
            text = fill(w["handover_text"], to=self.agencies(e.get("to")))
            return w["handover"], plain(text + (" " + e["reason"] if e.get("reason") else ""))
        return self._words(kind), plain(str(e.get("ref") or ""))
