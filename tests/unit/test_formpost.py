"""Pages posted without JavaScript: the posted inputs of every field type read as the JSON
values the API takes (as static/answers.js reads them), kept answers written back into the
inputs, and a page rendered with values and errors that posts back the same answers."""

from __future__ import annotations

import pytest

from generator.edges.templating import make_environment
from generator.fields.posted import read_field, read_fields, write_fields
from generator.render.site import Site
from generator.render.views import Filled, Posted
from tests.unit.test_render import Node, parse, site_of
from tests.yaml_cases import build_yaml, fields_form

EVERY_TYPE = """
- {id: words, type: text, label: Words}
- {id: story, type: longtext, label: Story}
- {id: count, type: number, label: Count}
- {id: born, type: date, label: Born}
- {id: at, type: time, label: At}
- {id: seen, type: datetime, label: Seen}
- {id: agreed, type: yesno, label: Agreed}
- id: colour
  type: choice
  label: Colour
  options: [{code: red, label: Red}, {code: blue, label: Blue}]
- id: shade
  type: choice
  label: Shade
  widget: select
  options: [{code: dark, label: Dark}, {code: light, label: Light}]
- id: tastes
  type: multichoice
  label: Tastes
  options: [{code: sweet, label: Sweet}, {code: sour, label: Sour}, {code: salt, label: Salt}]
- {id: mail, type: email, label: Email}
- {id: phone, type: phone, label: Phone}
- {id: code, type: postcode, label: Postcode}
- {id: who, type: name, label: Who}
- {id: home, type: address, label: Home}
- {id: signed, type: signature, label: Signed, statement: I agree., roles: [Officer, Offender]}
- {id: witness, type: signature, label: Witness}
- {id: sure, type: attest, label: Sure, statement: I am sure.}
- {id: ref, type: reference, label: Reference}
- {id: note, type: content, text: Read this first.}
- id: items
  type: repeat
  label: Items
  item_label: item
  fields:
    - {id: what, type: text, label: What}
    - {id: when, type: date, label: When}
    - {id: kind, type: yesno, label: Kind}
    - {id: why, type: text, label: Why, show_if: kind == true}
"""

#: One answer of every type, as the API takes them.
ANSWERS = {
    "words": "Some words", "story": "Line one\nline two", "count": 12, "born": "1990-04-02",
    "at": "09:05", "seen": "2026-11-20T14:30", "agreed": False, "colour": "blue",
    "shade": "light", "tastes": ["sweet", "salt"], "mail": "a@example.org",
    "phone": "01632 960123", "code": "NE1 4ST",
    "who": {"given_names": "Sam Alex", "family_name": "Example"},
    "home": {"line1": "12 Sample Street", "town": "Northtown", "postcode": "NE1 4ST"},
    "signed": {"name": "Sam Example", "role": "Offender", "date": "2026-11-24",
               "confirmed": True},
    "witness": {"name": "Pat Officer", "role": "Sergeant", "date": "2026-01-05"},
    "sure": True, "ref": "CON-2026-000123",
    "items": [{"what": "First", "when": "2026-11-01", "kind": True, "why": "Because"},
              {"what": "Second", "kind": False}],
}


@pytest.fixture(scope="module")
def form():
    result = build_yaml(fields_form(EVERY_TYPE))
    assert result.ok, [str(d) for d in result.diagnostics]
    return result.project.forms[0]


def field(form, field_id):
    return next(f for f in form.pages[0].fields if f.id == field_id)


# --- reading, type by type ------------------------------------------------------------------

@pytest.mark.parametrize("type_id, raw, value", [
    ("words", {"words": ["  padded  "]}, "padded"),
    ("words", {"words": ["   "]}, None),
    ("story", {"story": ["a\r\nb"]}, "a\r\nb"),
    ("count", {"count": ["1,200"]}, 1200),
    ("count", {"count": ["12.50"]}, 12.5),
    ("count", {"count": ["-3"]}, -3),
    ("count", {"count": ["twelve"]}, "twelve"),     # the API answers with the form's message
    ("count", {"count": [""]}, None),
    ("born", {"born[day]": ["2"], "born[month]": ["4"], "born[year]": ["1990"]}, "1990-04-02"),
    ("born", {"born[day]": ["30"], "born[month]": ["2"], "born[year]": ["26"]}, "26-2-30"),
    ("born", {"born[day]": [""], "born[month]": [""], "born[year]": [""]}, None),
    ("at", {"at": ["9.05"]}, "09:05"),
    ("at", {"at": ["25:99:00"]}, "25:99:00"),
    ("seen", {"seen[day]": ["20"], "seen[month]": ["11"], "seen[year]": ["2026"],
              "seen[time]": ["14:30"]}, "2026-11-20T14:30"),
    ("seen", {"seen[time]": ["14:30"]}, "T14:30"),
    ("seen", {"seen[day]": ["20"], "seen[month]": ["11"], "seen[year]": ["2026"]},
     "2026-11-20T"),
    ("agreed", {"agreed": ["true"]}, True),
    ("agreed", {"agreed": ["false"]}, False),
    ("agreed", {}, None),
    ("colour", {"colour": ["red"]}, "red"),
    ("shade", {"shade": [""]}, None),                 # "Select an option"
    ("tastes", {"tastes": ["sweet", "sour"]}, ["sweet", "sour"]),
    ("tastes", {}, None),
    ("mail", {"mail": ["a@example.org"]}, "a@example.org"),
    ("who", {"who[given_names]": ["Sam"], "who[family_name]": [""]}, {"given_names": "Sam"}),
    ("who", {"who[given_names]": [" "], "who[family_name]": [""]}, None),
    ("home", {"home[line1]": ["1 Road"], "home[postcode]": ["NE1 4ST"]},
     {"line1": "1 Road", "postcode": "NE1 4ST"}),
    ("signed", {"signed[name]": ["Sam"], "signed[role]": [""], "signed[date][day]": ["4"],
                "signed[date][month]": ["5"], "signed[date][year]": ["2026"],
                "signed[confirmed]": ["true"]},
     {"name": "Sam", "date": "2026-05-04", "confirmed": True}),
    ("signed", {"signed[role]": [""]}, None),
    ("sure", {"sure": ["true"]}, True),
    ("sure", {}, None),
    ("ref", {"ref": ["CON-1"]}, "CON-1"),
])
def test_each_type_reads_as_answers_js_does(form, type_id, raw, value):
    assert read_field(field(form, type_id), type_id, raw) == value


def test_repeat_items_by_index_empty_ones_left_out(form):
    raw = {"items[0][what]": ["One"], "items[0][when][day]": [""],
           "items[1][what]": [""], "items[1][when][day]": [""],
           "items[2][what]": ["Three"], "items[2][kind]": ["true"], "items[2][why]": ["So"]}
    assert read_field(field(form, "items"), "items", raw) == [
        {"what": "One"}, {"what": "Three", "kind": True, "why": "So"}]
    assert read_field(field(form, "items"), "items", {"items[0][what]": [""]}) is None


def test_hidden_questions_are_left_out_and_a_childs_condition_reads_its_item(form):
    raw = write_fields(form.pages[0].fields, ANSWERS)
    raw["items[1][why]"] = ["typed, then hidden"]     # item 1 says kind: false

    def shown(f, item):
        if item is None:
            return f.id != "words"                     # as if its condition did not hold
        return f.id != "why" or item.get("kind") is True

    data = read_fields(form.pages[0].fields, raw, shown=shown)
    assert "words" not in data
    assert data["items"] == ANSWERS["items"]


def test_content_has_no_answer_and_unknown_inputs_are_ignored(form):
    raw = {"note": ["x"], "_answers": ["{}"], "words": ["w"], "surprise": ["y"]}
    assert read_fields(form.pages[0].fields, raw) == {"words": "w"}


def test_written_inputs_read_back_as_the_same_answers(form):
    raw = write_fields(form.pages[0].fields, ANSWERS)
    assert raw["born[day]"] == ["2"] and raw["born[month]"] == ["4"]   # as staff type them
    assert raw["seen[time]"] == ["14:30"] and raw["tastes"] == ["sweet", "salt"]
    assert read_fields(form.pages[0].fields, raw) == ANSWERS


def test_every_name_read_is_an_input_of_the_static_page(form):
    """The reader and the field macros agree on input names."""
    page = parse(site_of(fields_form(EVERY_TYPE))["forms/t/main.html"])
    names = {n.attrs["name"] for n in page.all() if n.tag in ("input", "select", "textarea")
             and "name" in n.attrs}
    one_item = {k: v for k, v in ANSWERS.items() if k != "items"}
    one_item["items"] = ANSWERS["items"][:1]
    assert set(write_fields(form.pages[0].fields, one_item)) <= names


# --- a page rendered with values and errors ---------------------------------------------

def submitted(doc: Node) -> dict[str, list[str]]:
    """What a browser sends for the form in `doc`: text inputs and textareas, ticked radios
    and checkboxes, the selected option of each select."""
    raw: dict[str, list[str]] = {}
    form = doc.one("form", class_="dipforms-page")   # not the Sign out button's form
    for node in form.all():
        name = node.attrs.get("name")
        if not name or node.tag == "button":
            continue
        if node.tag == "input" and node.attrs.get("type") in ("radio", "checkbox"):
            if "checked" in node.attrs:
                raw.setdefault(name, []).append(node.attrs["value"])
        elif node.tag == "input":
            raw.setdefault(name, []).append(node.attrs.get("value") or "")
        elif node.tag == "textarea":
            raw.setdefault(name, []).append("".join(c for c in node.children
                                                    if isinstance(c, str)).lstrip("\n"))
        elif node.tag == "select":
            chosen = [o for o in node.all("option") if "selected" in o.attrs]
            raw.setdefault(name, []).append(chosen[0].attrs["value"] if chosen else "")
    return raw


def server_site() -> Site:
    return Site(make_environment())


def test_a_page_filled_with_answers_posts_them_back(form):
    raw = write_fields(form.pages[0].fields, ANSWERS)
    html = server_site().page(form, 0, "en", Posted(filled=Filled(raw=raw), key="k",
                                                    answers='{"x": "<b>"}', last=True))
    doc = parse(html)
    posted = submitted(doc)
    assert read_fields(form.pages[0].fields, posted) == ANSWERS
    assert len(doc.all("fieldset", class_="dipforms-repeat__item")) == 2
    assert doc.one("input", name="_answers").attrs["value"] == '{"x": "<b>"}'
    assert '{&#34;x&#34;: &#34;&lt;b&gt;&#34;}' in html          # escaped in the page
    page_form = doc.one("form", class_="dipforms-page")
    assert page_form.attrs["action"] == "/forms/t/main.html"
    assert doc.one("button", name="_add").attrs["value"] == "items"
    sends = [b.text() for b in page_form.all("button", type="submit") if "name" not in b.attrs]
    assert sends == ["Send"]


def test_errors_beside_each_kind_of_field_and_in_the_summary(form):
    errors = {"words": "Enter words", "born": "Born must be a real date",
              "seen": "Seen must be a real date and time", "colour": "Select a colour",
              "shade": "Select a shade", "tastes": "Select a taste",
              "home": "Enter the home address", "home-postcode": "Enter a real postcode",
              "signed-date": "Enter the date signed", "signed-confirmed": "Confirm it",
              "items": "Add an item", "items-0-what": "Enter what"}
    problems = tuple(errors.items()) + (("elsewhere", "On another page"), (None, "Not sent"))
    posted = Posted(filled=Filled(raw={"words": [""], "items[0][what]": [""]},
                                  errors=errors), problems=problems)
    html = server_site().page(form, 0, "en", posted)
    doc = parse(html)
    assert html.count("<title>Error: ") == 1
    links = [(a.attrs.get("href"), a.text()) for a in
             doc.one(class_="govuk-error-summary__list").all("a")]
    assert links == [("#words", "Enter words"), ("#born-day", "Born must be a real date"),
                     ("#seen-day", "Seen must be a real date and time"),
                     ("#colour", "Select a colour"), ("#shade", "Select a shade"),
                     ("#tastes", "Select a taste"), ("#home-line1", "Enter the home address"),
                     ("#home-postcode", "Enter a real postcode"),
                     ("#signed-date-day", "Enter the date signed"),
                     ("#signed-confirmed", "Confirm it"), ("#items-0-what", "Add an item"),
                     ("#items-0-what", "Enter what")]
    lines = doc.one(class_="govuk-error-summary__list").all("li")
    assert [li.text() for li in lines[-2:]] == ["On another page", "Not sent"]   # no link
    for element_id, message in errors.items():
        note = doc.by_id(f"{element_id}-error")
        assert note.text() == f"Error: {message}"
        assert note.attrs["class"] == "govuk-error-message"
        described = [n for n in doc.all() if f"{element_id}-error" in
                     (n.attrs.get("aria-describedby") or "").split()]
        assert described, element_id
    assert "govuk-input--error" in doc.by_id("words").attrs["class"]
    for part in ("day", "month", "year"):
        assert "govuk-input--error" in doc.by_id(f"born-{part}").attrs["class"]
    assert "govuk-input--error" in doc.by_id("seen-time").attrs["class"]
    assert "govuk-select--error" in doc.by_id("shade").attrs["class"]
    assert "govuk-form-group--error" in doc.by_id("home").parent.attrs["class"]
    assert "govuk-form-group--error" in doc.by_id("items").attrs["class"]


def test_a_field_the_server_knows_does_not_apply_is_hidden(form):
    html = server_site().page(form, 0, "en", Posted(filled=Filled(hidden=frozenset({"story"}))))
    doc = parse(html)
    assert "hidden" in doc.one(class_="dipforms-field", data_field="story").attrs
    assert "hidden" not in doc.one(class_="dipforms-field", data_field="words").attrs


def test_the_sign_in_page_shows_the_user_id_and_the_problem_never_the_password():
    forms = build_yaml(fields_form("- {id: a, type: text, label: A}")).project.forms
    site = server_site()
    html = site.sign_in("en", site.site_languages(forms), Posted(
        filled=Filled(errors={"user": "Wrong"}), problems=(("user", "Wrong"),), user="<pc>"))
    doc = parse(html)
    assert doc.by_id("user").attrs["value"] == "<pc>"
    assert doc.by_id("user-error").text() == "Error: Wrong"
    assert "value" not in doc.by_id("password").attrs
    assert doc.one(class_="govuk-error-summary__list").one("a").attrs["href"] == "#user"
    assert "<noscript>" not in html           # the form works without JavaScript


def test_the_confirmation_page_can_carry_the_reference(form):
    site = server_site()
    done = parse(site.done(form, "en", "T-0123456789", ["Check the date"]))
    assert done.by_id("dipforms-reference").text() == "T-0123456789"
    assert "hidden" not in done.one(class_="dipforms-done").attrs
    assert "hidden" in done.one(class_="dipforms-nothing").attrs
    assert done.one(class_="dipforms-warnings").one("li").text() == "Check the date"


def test_static_pages_carry_no_answers():
    html = site_of(fields_form(EVERY_TYPE))["forms/t/main.html"]
    names = {n.attrs.get("name") for n in parse(html).all()}
    assert not names & {"_answers", "_key", "_resume", "_add", "_back"}


@pytest.mark.parametrize("asked, goes_to", [
    ("/forms/mg14/offender.html", "/forms/mg14/offender.html"),
    ("/forms/mg14/offender.html?x=1#surname", "/forms/mg14/offender.html?x=1"),
    ("/forms/mg14/record.html?id=MG14-0A1B2C3D4E", "/forms/mg14/record.html?id=MG14-0A1B2C3D4E"),
    ("/cases/case.html?ref=MG14-0A1B2C3D4E", "/cases/case.html?ref=MG14-0A1B2C3D4E"),
    ("https://elsewhere.example/", "/index.html"),
    ("//elsewhere.example/path", "/index.html"),
    ("/\\elsewhere.example", "/index.html"),
    ("javascript:alert(1)", "/index.html"),
    ("/sign-in.html", "/index.html"),
    ("/cy/sign-in.html", "/index.html"),
    ("", "/index.html"),
    (None, "/index.html"),
])
def test_after_signing_in_only_a_page_of_this_site(asked, goes_to):
    from web.nojs import safe_next

    assert safe_next(asked, "/index.html") == goes_to
