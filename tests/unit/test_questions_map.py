"""The questions map summary.js shows answers with (render_questions.py), and the two pages
that carry it: check.html (check your answers) and record.html (a stored record).

Forms are inline YAML built through the real pipeline; pages are parsed and asserted by
element and attribute.
"""

from __future__ import annotations

import json

from generator.fields import FIELD_TYPES
from generator.render.questions import questions_map
from generator.render.text import words
from tests.unit.test_render import parse, site_of
from tests.yaml_cases import build_yaml, fields_form, with_header

EVERY_TYPE = fields_form("""
    - {id: surname, type: text, label: Surname, required: true}
    - {id: notes, type: longtext, label: Notes}
    - {id: months, type: number, label: Months, unit: months, integer: true}
    - {id: arrested_on, type: date, label: Date of arrest}
    - {id: at, type: time, label: Time}
    - {id: tested_at, type: datetime, label: Tested at}
    - {id: tested, type: yesno, label: Tested?}
    - {id: agreed, type: yesno, label: Agreed?, labels: {yes: Agreed, no: Refused}}
    - {id: class, type: choice, label: Class, codelist: offence_class}
    - id: ways
      type: multichoice
      label: Ways
      options: [{code: a, label: Phone}, {code: b, label: Letter}]
    - {id: mail, type: email, label: Email}
    - {id: tel, type: phone, label: Phone}
    - {id: post, type: postcode, label: Postcode}
    - {id: who, type: name, label: Full name}
    - {id: home, type: address, label: Home address}
    - {id: signed, type: signature, label: Offender's signature, statement: I accept.}
    - {id: told, type: attest, label: Told, statement: I told them.}
    - {id: ref, type: reference, label: Reference}
    - {id: note, type: content, text: Read this first.}
    - id: offences
      type: repeat
      label: Offences
      item_label: offence
      fields:
        - {id: offence_date, type: date, label: Date of offence}
        - {id: details, type: longtext, label: Details}
    - id: others
      type: repeat
      label: Other conditions
      fields: [{id: kind, type: text, label: Kind}]
""")

WELSH = with_header("""
    pages:
      - id: first
        title: {en: First part, cy: Rhan gyntaf}
        fields:
          - id: ok
            type: yesno
            label: {en: Is it agreed?, cy: A yw wedi'i gytuno?}
          - id: how
            type: choice
            label: {en: How, cy: Sut}
            options:
              - {code: phone, label: {en: By phone, cy: Dros y ffôn}}
              - {code: letter, label: {en: By letter, cy: Drwy lythyr}}
      - id: second
        title: {en: Second part, cy: Ail ran}
        show_if: ok == true
        fields:
          - id: items
            type: repeat
            label: {en: Items, cy: Eitemau}
            item_label: {en: item, cy: eitem}
            fields:
              - {id: when, type: date, label: {en: When, cy: Pryd}}
""").replace("title: Test form", "title: {en: Test form, cy: Ffurflen brawf}")


def form_of(text: str):
    result = build_yaml(text)
    assert result.ok, [str(d) for d in result.diagnostics]
    return result.project.forms[0]


def by_id(qmap: dict) -> dict[str, dict]:
    return {q["id"]: q for s in qmap["sections"] for q in s["fields"]}


def test_every_field_type_with_a_value_has_its_question_in_page_order():
    form = form_of(EVERY_TYPE)
    qmap = questions_map(form, "en", words("en"))
    assert qmap["form"] == "t" and qmap["version"] == "1.0" and qmap["title"] == "Test form"
    [section] = qmap["sections"]
    assert (section["id"], section["title"], section["href"]) == (
        "main", "Main", "/forms/t/main.html")
    ids = [q["id"] for q in section["fields"]]
    assert ids == [f.id for f in form.pages[0].fields if f.type != "content"]
    assert {q["type"] for q in section["fields"]} == set(FIELD_TYPES) - {"content"}
    assert by_id(qmap)["surname"] == {"id": "surname", "type": "text", "question": "Surname",
                                      "show_if": None}


def test_choices_are_code_to_label_for_code_lists_inline_options_and_yes_no():
    q = by_id(questions_map(form_of(EVERY_TYPE), "en", words("en")))
    assert q["class"]["choices"] == {"summary": "Summary only", "either_way": "Either way",
                                     "indictable_only": "Indictable only"}
    assert q["ways"]["choices"] == {"a": "Phone", "b": "Letter"}
    assert q["tested"]["choices"] == {"true": "Yes", "false": "No"}
    assert q["agreed"]["choices"] == {"true": "Agreed", "false": "Refused"}
    assert "choices" not in q["surname"]


def test_composite_parts_units_statements_and_repeat_children():
    q = by_id(questions_map(form_of(EVERY_TYPE), "en", words("en")))
    assert [p["id"] for p in q["who"]["parts"]] == ["given_names", "family_name"]
    assert [p["id"] for p in q["home"]["parts"]] == ["line1", "line2", "town", "county",
                                                     "postcode"]
    assert q["home"]["parts"][2]["label"] == "Town or city"
    assert [p["id"] for p in q["signed"]["parts"]] == ["name", "role", "date", "confirmed"]
    assert q["signed"]["statement"] == "I accept." and q["told"]["statement"] == "I told them."
    assert q["months"]["unit"] == "months"
    offences = q["offences"]
    assert offences["item_label"] == "Offence"          # a heading: capitalised
    assert [(c["id"], c["type"], c["question"]) for c in offences["children"]] == [
        ("offence_date", "date", "Date of offence"), ("details", "longtext", "Details")]
    assert q["others"]["item_label"] == "Other conditions"   # no item_label: the question


def test_welsh_map_has_welsh_questions_labels_words_and_addresses():
    form = form_of(WELSH)
    qmap = questions_map(form, "cy", words("cy"), base="/cy/forms/t")
    first, second = qmap["sections"]
    assert (first["title"], first["href"]) == ("Rhan gyntaf", "/cy/forms/t/first.html")
    q = by_id(qmap)
    assert q["ok"]["question"] == "A yw wedi'i gytuno?"
    assert q["ok"]["choices"] == {"true": "Ie", "false": "Na"}
    assert q["how"]["choices"] == {"phone": "Dros y ffôn", "letter": "Drwy lythyr"}
    assert q["items"]["item_label"] == "Eitem"
    assert q["items"]["children"][0]["question"] == "Pryd"
    assert qmap["words"]["months"][2] == "Mawrth" and qmap["words"]["change"] == "Newid"
    assert questions_map(form, "en", words("en"))["words"]["months"][2] == "March"
    assert second["show_if"] == {"op": "==", "args": [{"field": "ok"}, {"lit": True}]}
    assert first["show_if"] is None


def test_map_holds_no_answers_and_is_json():
    qmap = questions_map(form_of(EVERY_TYPE), "en", words("en"))
    assert json.loads(json.dumps(qmap)) == qmap


# --- the pages ------------------------------------------------------------------------------

def test_check_page_has_a_section_per_page_a_send_button_and_the_maps():
    site = site_of(WELSH)
    doc = parse(site["forms/t/check.html"])
    assert doc.one("h1").text() == "Check your answers before sending"
    summary = doc.by_id("dipforms-summary")
    sections = summary.all("section", class_="dipforms-summary__section")
    assert [s.attrs["data-dipforms-section"] for s in sections] == ["first", "second"]
    assert [s.one("h2").text() for s in sections] == ["First part", "Second part"]
    assert all("hidden" in s.attrs and s.one(class_="dipforms-summary__answers")
               for s in sections)
    assert not summary.all("dl")                          # answers come from the device
    button = doc.one("form", class_="dipforms-check").one("button")
    assert "dipforms-send" in button.attrs["class"].split() and button.text() == "Send"
    back = doc.one("a", class_="govuk-back-link")
    assert back.attrs["href"] == "/forms/t/second.html"
    questions = json.loads(doc.by_id("dipforms-questions").text())
    assert [s["id"] for s in questions["sections"]] == ["first", "second"]
    assert json.loads(doc.by_id("dipforms-pages").text())["form"] == "t"
    sources = [s.attrs["src"] for s in doc.all("script") if s.attrs.get("src")]
    assert sources[-1] == "/assets/summary.js"

    welsh = parse(site["cy/forms/t/check.html"])
    assert welsh.one("html").attrs["lang"] == "cy"
    assert welsh.one("h1").text() == "Gwiriwch eich atebion cyn anfon"
    assert welsh.one("form", class_="dipforms-check").one("button").text() == "Anfon"
    questions = json.loads(welsh.by_id("dipforms-questions").text())
    assert questions["sections"][0]["href"] == "/cy/forms/t/first.html"


def test_record_page_has_its_outcomes_a_print_button_and_no_answers():
    site = site_of(WELSH)
    doc = parse(site["forms/t/record.html"])
    root = doc.one(data_dipforms_record="t")
    problems = {p.attrs["data-problem"]: p for p in root.all(class_="dipforms-record__problem")}
    assert set(problems) == {"sign-in", "not-found", "forbidden", "failed"}
    assert all("hidden" in p.attrs for p in problems.values())
    assert problems["sign-in"].one("a").attrs["href"] == "/sign-in.html"
    assert problems["forbidden"].one("h1").text() == "You cannot see this record"
    body = root.one("article", class_="dipforms-record__body")
    assert "hidden" in body.attrs
    print_button = body.one("button", class_="dipforms-print")
    assert print_button.attrs["type"] == "button" and print_button.text() == "Print this record"
    reference, case_row, *rows = body.one("dl").all("dd")
    assert case_row.one("a").attrs["id"] == "dipforms-record-case"    # record.js links it
    assert case_row.one("a").attrs["href"] == "/cases/case.html"
    assert [dd.attrs["id"] for dd in (reference, *rows)] == [
        "dipforms-record-reference", "dipforms-record-version", "dipforms-record-submitted",
        "dipforms-record-amended", "dipforms-record-reason", "dipforms-record-form-version"]
    assert all(not dd.text() for dd in body.one("dl").all("dd"))
    sources = [s.attrs["src"] for s in doc.all("script") if s.attrs.get("src")]
    assert sources[-2:] == ["/assets/summary.js", "/assets/record.js"]
    record_words = json.loads(doc.by_id("dipforms-record-words").text())
    assert record_words["version_of"] == "{version} of {count}"
    welsh = parse(site["cy/forms/t/record.html"])
    assert welsh.one(data_problem="not-found").one("h1").text() == "Heb ddod o hyd i'r cofnod"
