"""The site's HTML: inputs named and labelled by type, text escaped, Welsh pages, the
paper form, byte-identical builds, no crown and no GDS Transport.

Each case is a few lines of YAML built through the real pipeline; pages are parsed with
html.parser and asserted by element and attribute, not by whole strings.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.edges.templating import TEMPLATES_DIR, make_environment
from generator.fields import FIELD_TYPES
from generator.render.site import Site, render_diagnostics_page, render_site
from tests.yaml_cases import build_yaml, fields_form, with_header

ROOT = Path(__file__).resolve().parents[2]
ENV = make_environment()
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with this tag and these attribute values (`class_` is one class)."""
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and child.matches(attrs):
                    found.append(child)
                found.extend(child.all(tag, **attrs))
        return found

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}>"
        return found[0]

    def matches(self, attrs: dict[str, str]) -> bool:
        for key, value in attrs.items():
            if key == "class_":
                if value not in (self.attrs.get("class") or "").split():
                    return False
            elif self.attrs.get(key.rstrip("_").replace("_", "-")) != value:
                return False
        return True

    def by_id(self, element_id: str) -> Node:
        return self.one(id=element_id)


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    return Tree(html).root


def site_of(form_yaml: str) -> dict[str, str]:
    result = build_yaml(form_yaml, site=Site(ENV))
    assert result.ok, [str(d) for d in result.diagnostics]
    return result.site


def page_of(fields: str, page: str = "forms/t/main.html") -> Node:
    return parse(site_of(fields_form(fields))[page])


def test_every_field_type_has_its_template():
    for name, ftype in FIELD_TYPES.items():
        assert (TEMPLATES_DIR / "fields" / f"{ftype.macro}.html").is_file(), name


@pytest.mark.parametrize("type_, input_type, autocomplete, spellcheck", [
    ("text", "text", None, None),
    ("email", "email", "email", "false"),
    ("phone", "tel", "tel", "false"),
    ("postcode", "text", "postal-code", "false"),
    ("reference", "text", None, "false"),
])
def test_text_like_inputs(type_, input_type, autocomplete, spellcheck):
    doc = page_of(f"- {{id: x, type: {type_}, label: The answer, hint: A hint}}\n"
                  "- {id: y, type: text, label: Other}")
    box = doc.by_id("x")
    assert (box.tag, box.attrs["name"], box.attrs["type"]) == ("input", "x", input_type)
    assert box.attrs.get("autocomplete") == autocomplete
    assert box.attrs.get("spellcheck") == spellcheck
    assert doc.one("label", for_="x").text() == "The answer (optional)"
    assert box.attrs["aria-describedby"] == "x-hint"
    assert doc.by_id("x-hint").text() == "A hint"


def test_number_has_a_numeric_keypad_and_its_unit():
    doc = page_of("- {id: n, type: number, label: Sessions, integer: true, unit: hours}\n"
                  "- {id: m, type: number, label: Spend}")
    assert doc.by_id("n").attrs["type"] == "text"
    assert doc.by_id("n").attrs["inputmode"] == "numeric"
    assert doc.by_id("m").attrs["inputmode"] == "decimal"
    assert doc.one(class_="govuk-input__suffix").text() == "hours"
    assert "(hours)" in doc.one("label", for_="n").text()


def test_longtext_is_a_textarea_with_a_count_when_limited():
    doc = page_of("- {id: a, type: longtext, label: History, rows: 3}\n"
                  "- {id: b, type: longtext, label: Notes, max_length: 200}")
    assert doc.by_id("a").tag == "textarea" and doc.by_id("a").attrs["rows"] == "3"
    counted = doc.one(class_="govuk-character-count")
    assert counted.attrs["data-maxlength"] == "200"
    assert doc.by_id("b").attrs["name"] == "b"


def test_date_is_day_month_year():
    doc = page_of("- {id: dob, type: date, label: Date of birth, required: true}\n"
                  "- {id: y, type: text, label: Other}")
    for part in ("day", "month", "year"):
        box = doc.by_id(f"dob-{part}")
        assert (box.attrs["name"], box.attrs["inputmode"]) == (f"dob[{part}]", "numeric")
        assert doc.one("label", for_=f"dob-{part}")
    fieldset = doc.one("fieldset", aria_describedby="dob-hint")
    assert fieldset.one("legend").text() == "Date of birth"
    assert doc.by_id("dob").attrs["class"] == "govuk-date-input"


def test_time_and_datetime():
    doc = page_of("- {id: at, type: time, label: Time of arrest}\n"
                  "- {id: when, type: datetime, label: Time of the test}")
    assert doc.by_id("at").attrs["name"] == "at"
    assert "24-hour" in doc.by_id("at-hint").text()
    names = [i.attrs["name"] for i in doc.all("input") if i.attrs["name"].startswith("when")]
    assert names == ["when[day]", "when[month]", "when[year]", "when[time]"]
    assert doc.by_id("when-time").attrs["aria-describedby"] == "when-time-hint"


def test_yesno_choice_and_multichoice():
    doc = page_of("""
        - {id: yn, type: yesno, label: Tested?, labels: {yes: Tested, no: Not tested}}
        - id: c
          type: choice
          label: Class
          codelist: offence_class
        - id: s
          type: choice
          label: Suite
          widget: select
          options: [{code: north, label: North}, {code: south, label: South}]
        - id: m
          type: multichoice
          label: Substances
          options: [{code: crack, label: Crack, hint: Smoked}, {code: heroin, label: Heroin}]
    """)
    radios = doc.all("input", name="yn")
    assert [(r.attrs["type"], r.attrs["value"], r.attrs["id"]) for r in radios] == [
        ("radio", "true", "yn"), ("radio", "false", "yn-2")]
    assert doc.one("label", for_="yn-2").text() == "Not tested"
    assert [r.attrs["value"] for r in doc.all("input", name="c")] == [
        "summary", "either_way", "indictable_only"]
    select = doc.by_id("s")
    assert select.tag == "select" and select.attrs["name"] == "s"
    assert [o.attrs["value"] for o in select.all("option")] == ["", "north", "south"]
    boxes = doc.all("input", name="m")
    assert [(b.attrs["type"], b.attrs["id"]) for b in boxes] == [
        ("checkbox", "m"), ("checkbox", "m-2")]
    assert boxes[0].attrs["aria-describedby"] == "m-item-hint"


def test_name_and_address_parts_autocomplete():
    doc = page_of("- {id: who, type: name, label: Name}\n"
                  "- {id: home, type: address, label: Home address}")
    assert doc.by_id("who").tag == "fieldset"
    parts = {i.attrs["name"]: i.attrs.get("autocomplete") for i in doc.all("input")}
    assert parts == {
        "who[given_names]": "given-name", "who[family_name]": "family-name",
        "home[line1]": "address-line1", "home[line2]": "address-line2",
        "home[town]": "address-level2", "home[county]": None, "home[postcode]": "postal-code",
    }
    assert doc.one("label", for_="home-postcode").text() == "Postcode"


def test_signature_and_attest():
    doc = page_of("""
        - id: sig
          type: signature
          label: Signed by the offender
          statement: I accept the conditions.
          roles: [Offender, Appropriate adult]
        - {id: ok, type: attest, label: Consent, statement: I agree to the assessment.}
    """)
    names = [e.attrs["name"] for e in doc.all() if e.attrs.get("name", "").startswith("sig")]
    assert names == ["sig[name]", "sig[role]", "sig[date][day]", "sig[date][month]",
                     "sig[date][year]", "sig[confirmed]"]
    assert [o.text() for o in doc.by_id("sig-role").all("option")][1:] == [
        "Offender", "Appropriate adult"]
    confirm = doc.by_id("sig-confirmed")
    assert (confirm.attrs["type"], confirm.attrs["value"]) == ("checkbox", "true")
    assert doc.by_id(confirm.attrs["aria-describedby"]).text() == "I accept the conditions."
    attest = doc.by_id("ok")
    assert (attest.attrs["name"], attest.attrs["value"]) == ("ok", "true")
    assert doc.one("label", for_="ok").text() == "I agree to the assessment."


def test_repeat_names_items_and_is_marked_for_its_script():
    doc = page_of("""
        - id: offences
          type: repeat
          label: Offences
          item_label: Offence
          min_items: 2
          fields:
            - {id: offence_date, type: date, label: Date of offence}
            - {id: wording, type: text, label: Wording}
    """)
    group = doc.by_id("offences")
    assert group.attrs["data-module"] == "dipforms-repeat"
    assert len(group.all("fieldset", class_="dipforms-repeat__item")) == 2
    assert doc.by_id("offences-1-wording").attrs["name"] == "offences[1][wording]"
    assert doc.by_id("offences-0-offence_date-day").attrs["name"] == \
        "offences[0][offence_date][day]"
    add = group.one("button")
    assert (add.attrs["type"], add.text()) == ("button", "Add another offence")


def test_content_is_warning_or_inset_text():
    doc = page_of("- {id: w, type: content, text: Read this to the person.}\n"
                  "- {id: i, type: content, style: inset, text: It takes an hour.}")
    assert "Read this to the person." in doc.one(class_="govuk-warning-text").text()
    assert doc.one(data_field="i").one(class_="govuk-inset-text").text() == "It takes an hour."


def test_show_if_is_on_the_field_wrapper_as_json():
    doc = page_of("- {id: tested, type: yesno, label: Tested?}\n"
                  "- {id: result, type: text, label: Result, show_if: tested == true}")
    wrapper = doc.one(data_field="result")
    if "data-show-if" not in wrapper.attrs:
        pytest.skip("generator/rules/compile.py is not there yet")
    assert json.loads(wrapper.attrs["data-show-if"])


def test_every_label_and_description_points_at_an_element():
    site = site_of(fields_form("""
        - {id: a, type: text, label: A, hint: Hint}
        - {id: b, type: date, label: B, hint: Hint}
        - {id: c, type: datetime, label: C}
        - {id: d, type: name, label: D, hint: Hint}
        - {id: e, type: multichoice, label: E, codelist: offence_class}
        - {id: f, type: signature, label: F}
        - {id: g, type: repeat, label: G, fields: [{id: h, type: address, label: H}]}
        - {id: i, type: longtext, label: I, max_length: 9}
    """))
    for html in site.values():
        doc = parse(html)
        ids = [e.attrs["id"] for e in doc.all() if e.attrs.get("id")]
        assert len(ids) == len(set(ids))
        for label in doc.all("label"):
            assert doc.by_id(label.attrs["for"]).tag in ("input", "select", "textarea")
        for e in doc.all():
            for ref in (e.attrs.get("aria-describedby") or "").split():
                doc.by_id(ref)


def test_one_question_page_uses_the_label_as_heading_and_last_page_checks_answers():
    site = site_of(with_header("""
        pages:
          - id: first
            title: First
            fields: [{id: a, type: text, label: A}, {id: b, type: text, label: B}]
          - id: last
            title: Last
            fields: [{id: colour, type: text, label: Favourite colour, required: true}]
    """))
    first, last = parse(site["forms/t/first.html"]), parse(site["forms/t/last.html"])
    assert first.one("h1").text() == "First"
    assert first.one("button", type="submit").text() == "Continue"
    assert first.one("form").attrs["data-next"] == "/forms/t/last.html"
    assert first.one("a", class_="govuk-back-link").attrs["href"] == "/forms/t/index.html"
    assert last.one("h1").one("label").attrs["for"] == "colour"
    assert last.one("button", type="submit").text() == "Check your answers"
    assert last.one("a", class_="govuk-back-link").attrs["href"] == "/forms/t/first.html"
    form = last.one("form")
    assert (form.attrs["method"], "novalidate" in form.attrs) == ("post", True)


def test_start_page_and_index():
    site = site_of(fields_form("- {id: a, type: text, label: A}"))
    assert sorted(site) == ["admin/dashboard.html",
                            "forms/t/check.html", "forms/t/done.html", "forms/t/index.html",
                            "forms/t/main.html", "forms/t/print.html", "forms/t/record.html",
                            "index.html", "schemas/t/1.0.schema.json", "settings.json",
                            "sign-in.html"]
    assert json.loads(site["settings.json"]) == {"draft_expiry_hours": 24}   # no protocol
    start = parse(site["forms/t/index.html"])
    assert start.one("h1").text() == "Test form"
    assert start.one("a", class_="govuk-task-list__link").attrs["href"] == "/forms/t/main.html"
    assert start.one("a", class_="govuk-button--start").attrs["href"] == "/forms/t/main.html"
    assert start.all("a", href="/forms/t/print.html")
    index = parse(site["index.html"])
    assert index.all("a", href="/forms/t/index.html")
    entry = index.one("li", class_="dipforms-form-list__item")
    # who fills it in, in words; no version number (issue 16: versions are not for users)
    assert "Police custody" in entry.text() and "1.0" not in entry.text()
    assert index.one("main").all("a", href="/sign-in.html")


def test_sign_in_page_asks_for_user_id_and_password():
    site = site_of(WELSH)
    doc = parse(site["sign-in.html"])
    form = doc.one("form", class_="dipforms-sign-in")
    user, password = form.by_id("user"), form.by_id("password")
    assert (user.attrs["autocomplete"], user.attrs["spellcheck"]) == ("username", "false")
    assert (password.attrs["type"], password.attrs["autocomplete"]) == (
        "password", "current-password")
    assert doc.one("label", for_="password").text() == "Password"
    assert form.one("button", type="submit").text() == "Sign in"
    assert form.attrs["method"] == "post" and doc.all("noscript") == []  # works without JS
    welsh = parse(site["cy/sign-in.html"])
    assert welsh.one("h1").text() == "Mewngofnodi"
    assert welsh.one("label", for_="user").text() == "ID defnyddiwr"


def test_every_page_has_the_account_link_and_the_scripts_in_order():
    site = site_of(WELSH)
    for path in ("index.html", "sign-in.html", "forms/t/main.html", "cy/forms/t/done.html"):
        doc = parse(site[path])
        account = doc.by_id("dipforms-account")
        cy = path.startswith("cy/")
        assert account.attrs["href"] == ("/cy/sign-in.html" if cy else "/sign-in.html")
        assert account.text() == ("Mewngofnodi" if cy else "Sign in")
        sources = [s.attrs["src"] for s in doc.all("script") if s.attrs.get("src")]
        assert sources == ["/assets/init.js",       # the module that was inline (CSP)
                           "/assets/rules.js", "/assets/answers.js", "/assets/errors.js",
                           "/assets/drafts.js", "/assets/session.js", "/assets/outbox.js",
                           "/assets/checks.js", "/assets/dipforms.js",
                           "/assets/offline.js"]
        config = json.loads(doc.by_id("dipforms-config").text())
        assert config["signIn"] == account.attrs["href"]
        assert config["words"]["problem"] == ("Mae problem wedi codi" if cy
                                              else "There is a problem")


def test_question_pages_carry_the_page_map_and_a_hidden_notice():
    site = site_of(with_header("""
        pages:
          - id: first
            title: First
            fields:
              - {id: tested, type: yesno, label: Tested?}
              - {id: note, type: content, text: Read this.}
              - {id: result, type: text, label: Result, show_if: tested == true}
          - id: second
            title: Second
            show_if: tested == true
            fields: [{id: b, type: text, label: B}]
    """))
    doc = parse(site["forms/t/first.html"])
    assert "hidden" in doc.one(class_="dipforms-kept").attrs
    pages = json.loads(doc.by_id("dipforms-pages").text())
    assert pages["form"] == "t" and pages["done"] == "/forms/t/done.html"
    assert [(p["id"], p["href"]) for p in pages["pages"]] == [
        ("first", "/forms/t/first.html"), ("second", "/forms/t/second.html")]
    first, second = pages["pages"]
    assert [f["id"] for f in first["fields"]] == ["tested", "result"]  # content has no value
    if first["fields"][1]["show_if"] is None:
        pytest.skip("generator/rules/compile.py is not there yet")
    assert second["show_if"] == first["fields"][1]["show_if"]
    assert doc.one(data_field="tested").attrs["data-type"] == "yesno"


def test_done_page_has_a_panel_for_the_reference_and_ways_on():
    site = site_of(fields_form("- {id: a, type: text, label: A}"))
    doc = parse(site["forms/t/done.html"])
    root = doc.one(data_dipforms_done="t")
    assert "hidden" in root.one(class_="dipforms-done").attrs
    panel = root.one(class_="govuk-panel")
    assert panel.one("h1").text() == "Form submitted"
    assert panel.by_id("dipforms-reference").tag == "strong"
    assert "hidden" not in root.one(class_="dipforms-nothing").attrs
    assert root.all("a", href="/forms/t/index.html") and root.all("a", href="/index.html")


def test_text_from_yaml_is_escaped():
    site = site_of(fields_form("""
        - id: a
          type: text
          label: "<script>alert(1)</script>"
          hint: "<b>bold</b>"
    """))
    doc = parse(site["forms/t/main.html"])
    assert doc.one("label", for_="a").text() == "<script>alert(1)</script> (optional)"
    assert not doc.all("b")
    scripts = [s for s in doc.all("script") if "alert" in s.text()]
    assert scripts == []
    assert "&lt;script&gt;alert(1)" in site["forms/t/main.html"]


WELSH = fields_form("""
    - id: dob
      type: date
      label: {en: Date of birth, cy: Dyddiad geni}
""").replace("title: Test form", "title: {en: Test form, cy: Ffurflen brawf}")


def test_welsh_pages_have_lang_cy_and_a_language_switch():
    site = site_of(WELSH)
    assert "cy/forms/t/main.html" in site and "cy/index.html" in site
    for path in [p for p in site if p.startswith("cy/")]:
        doc = parse(site[path])
        assert doc.one("html").attrs["lang"] == "cy"
        english = doc.one("nav", class_="dipforms-language-switch").one("a")
        assert english.attrs["href"] == "/" + path[len("cy/"):]
        assert english.attrs["lang"] == "en"
    doc = parse(site["forms/t/main.html"])
    assert doc.one("html").attrs["lang"] == "en"
    assert doc.one("nav", class_="dipforms-language-switch").one("a").attrs["href"] == \
        "/cy/forms/t/main.html"
    welsh = parse(site["cy/forms/t/main.html"])
    assert welsh.one("legend").text() == "Dyddiad geni (dewisol)"
    assert welsh.one("label", for_="dob-day").text() == "Diwrnod"
    assert welsh.one("button", type="submit").text() == "Gwirio eich atebion"


def test_english_only_form_has_no_welsh_pages_or_switch():
    site = site_of(fields_form("- {id: a, type: text, label: A}"))
    assert not [p for p in site if p.startswith("cy/")]
    assert not parse(site["forms/t/main.html"]).all("nav", class_="dipforms-language-switch")


def test_print_page_is_a_paper_form():
    site = site_of(fields_form("""
        - {id: a, type: text, label: Surname, required: true}
        - {id: c, type: choice, label: Class, codelist: offence_class}
        - {id: sig, type: signature, label: Signed, statement: I accept., roles: [Officer]}
        - {id: g, type: repeat, label: Offences, fields: [{id: d, type: date, label: Date}]}
    """))
    doc = parse(site["forms/t/print.html"])
    assert not doc.all("button") and not doc.all("form") and not doc.all("input")
    assert not doc.all(class_="govuk-button")
    assert doc.all(class_="dipforms-paper__line--signature")
    labels = [e.text() for e in doc.all(class_="dipforms-paper__signed-label")]
    assert labels == ["Signature", "Full name", "Role", "Date signed (DD/MM/YYYY)"]
    assert len(doc.all(class_="dipforms-paper__tick")) == 3 + 1
    assert doc.one("h2").text() == "Main"
    numbers = [e.text() for e in doc.all(class_="dipforms-paper__number")]
    assert numbers == ["1.", "2.", "3.", "4."]
    assert len(doc.all(class_="dipforms-paper__item")) == 2


def test_rendering_is_deterministic():
    forms = build_yaml(WELSH, site=None).project.forms
    first = render_site(forms, env=make_environment())
    second = render_site(forms, env=make_environment())
    assert first == second
    assert list(first) == sorted(first)
    assert site_of(WELSH) == site_of(WELSH)


def test_no_crown_no_crest_no_gds_transport_on_any_page():
    site = site_of(WELSH)
    site["diagnostics.html"] = render_diagnostics_page("x", env=ENV)
    for path, html in site.items():
        if not path.endswith(".html"):
            continue
        lowered = html.lower()
        assert "gds transport" not in lowered, path
        assert "crown" not in lowered and "crest" not in lowered, path
        assert "govuk-logo" not in lowered, path
        doc = parse(html)
        assert doc.one("link", rel="stylesheet").attrs["href"] == "/assets/dipforms.css"
        module = doc.one("script", type="module")
        # GOV.UK Frontend started from a file, not inline (the CSP allows no inline
        # module); tests/functional/test_page_policy.py reads init.js
        assert module.attrs["src"] == "/assets/init.js" and module.text() == ""


def test_diagnostics_page_is_escaped_and_preformatted():
    text = "forms/t.yaml:3:9: error F004: unknown field type '<dat>'\n   |  ^"
    doc = parse(render_diagnostics_page(text, env=ENV))
    assert doc.one("pre").children == [text]


def test_languages_for_can_limit_the_pages():
    forms = build_yaml(WELSH, site=None).project.forms
    site = render_site(forms, env=ENV, languages_for=lambda form: ("en",))
    assert not [p for p in site if p.startswith("cy/")]
    with pytest.raises(ValueError):
        render_site(forms, env=ENV, languages_for=lambda form: ("fr",))


def test_compiled_css_has_no_gds_transport_and_no_crest():
    css_file = ROOT / "generator/static/build/dipforms.css"
    if not css_file.is_file():
        pytest.skip("run bin/setup (npm run build:css) to compile the CSS")
    css = css_file.read_text(encoding="utf-8")
    assert "GDS Transport" not in css
    assert "crest" not in css and "/assets/fonts/" not in css
    assert "font-family:arial,sans-serif" in css
    assert "@media print" in css
