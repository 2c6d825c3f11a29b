"""The case pages in Welsh (issue 16, item 8: "the Welsh pages link to Welsh pages"): every
case page has a Welsh twin under cy/cases/ with lang="cy", Welsh words and links that keep a
Welsh reader in Welsh; the language switch joins the twins; the pages' scripts take every
word from the page (cases.yaml / cases_cy.yaml, the same keys), so none is English in a
script."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.edges.templating import make_environment
from generator.render.cases import process_labels
from generator.render.site import Site
from generator.render.text import CASE_WORDS, case_words, read_texts
from tests.local_run import ROOT
from tests.unit.test_render import parse
from tests.unit.test_texts import PLACEHOLDER, flat

CASE_PAGES = ("cases/index.html", "cases/due.html", "cases/case.html", "cases/step.html",
              "cases/appointment.html", "cases/disclosure.html", "cases/handover.html",
              "cases/facts/supervision_start.html", "cases/facts/release_date.html")
SCRIPTS = ("cases.js", "due.js", "case.js", "caseaction.js", "summary.js")


@pytest.fixture(scope="module")
def built():
    result = build_project(read_forms_dir(ROOT), {}, site=Site(make_environment()))
    assert result.ok
    return result


def words_json(html: str) -> dict:
    return json.loads(parse(html).by_id("dipforms-case-words").text())


def keys(value, path=()):
    """Every key path of the words (a map's keys; a list or text is a leaf)."""
    if isinstance(value, dict):
        yield path
        for key, inner in value.items():
            yield from keys(inner, (*path, key))
    else:
        yield path


def nav_links(page) -> dict[str, object]:
    return {item.attrs["data-dipforms-nav"]: item.one("a") for item in page.all(
        "li", class_="govuk-service-navigation__item") if "data-dipforms-nav" in item.attrs}


def test_every_case_page_has_a_welsh_twin_in_welsh(built):
    welsh = {p for p in built.site if p.startswith("cy/cases/")}
    english = {p for p in built.site if p.startswith("cases/")}
    assert welsh == {f"cy/{p}" for p in english} and set(CASE_PAGES) <= english
    for path in english:
        page = parse(built.site[f"cy/{path}"])
        assert page.one("html").attrs["lang"] == "cy", path
        assert page.all("main"), path
    h1 = {path: parse(built.site[f"cy/{path}"]).one("h1").text()
          for path in ("cases/index.html", "cases/due.html")}
    assert h1 == {"cases/index.html": "Achosion", "cases/due.html": "I'w gwneud"}
    case = parse(built.site["cy/cases/case.html"])
    headings = [h.text() for h in case.all("h2", class_="govuk-heading-m")]
    assert {"Am bwy mae'r achos hwn", "Beth all ddigwydd nesaf", "Cofnodion",
            "Llinell amser"} <= set(headings)
    appointment = parse(built.site["cy/cases/appointment.html"])
    form = appointment.one("form", class_="dipforms-action__form")
    assert form.one("h1").text() == "Cofnodi apwyntiad"
    assert form.one("legend").text().strip() == "Dyddiad yr apwyntiad"
    cases = parse(built.site["cy/cases/index.html"])
    assert cases.one("label", for_="q").text() == "Chwilio achosion"
    states = {o.attrs["value"]: o.text() for o in cases.by_id("state").all("option")}
    assert states["with_cps"] == "Gyda Gwasanaeth Erlyn y Goron am benderfyniad"


def test_the_language_switch_joins_each_case_page_to_its_twin(built):
    for path in CASE_PAGES:
        for lang, other, other_href in (("en", "cy", f"/cy/{path}"), ("cy", "en", f"/{path}")):
            page = parse(built.site[path if lang == "en" else f"cy/{path}"])
            switch = page.one("nav", class_="dipforms-language-switch")
            link = switch.one("a")
            assert (link.attrs["href"], link.attrs["hreflang"], link.attrs["lang"]) == (
                other_href, other, other), (lang, path)


def test_welsh_case_pages_link_to_welsh_pages(built):
    for path in CASE_PAGES:
        page = parse(built.site[f"cy/{path}"])
        nav = nav_links(page)
        assert nav["forms"].attrs["href"] == "/cy/index.html"
        assert nav["cases"].attrs["href"] == "/cy/cases/index.html"
        assert nav["due"].attrs["href"] == "/cy/cases/due.html"
        # the DAT view is in English only, and says so
        assert nav["dashboard"].attrs["hreflang"] == "en"
        english = parse(built.site[path])
        assert nav_links(english)["cases"].attrs["href"] == "/cases/index.html"
    case = parse(built.site["cy/cases/case.html"])
    assert case.one("a", class_="govuk-back-link").attrs["href"] == "/cy/cases/index.html"
    step = parse(built.site["cy/cases/step.html"])
    assert step.one("a", class_="govuk-back-link").attrs["href"] == "/cy/cases/case.html"
    process = json.loads(case.by_id("dipforms-case-process").text())
    assert process["actions"]["step"] == "/cy/cases/step.html"
    assert process["actions"]["facts"]["release_date"]["href"] == (
        "/cy/cases/facts/release_date.html")
    # a form with Welsh pages is linked in Welsh; one without, in English and marked so
    consent = process["forms"]["consent_to_share_information"]
    assert consent["start"] == "/cy/forms/consent_to_share_information/index.html"
    assert "lang" not in consent
    mg14 = process["forms"]["mg14"]
    assert (mg14["start"], mg14["record"], mg14["lang"]) == (
        "/forms/mg14/index.html", "/forms/mg14/record.html", "en")
    for path in ("cases/index.html", "cases/due.html", "cases/step.html"):
        assert words_json(built.site[f"cy/{path}"])["paths"]["case"] == "/cy/cases/case.html"
        assert words_json(built.site[path])["paths"]["case"] == "/cases/case.html"


def test_the_welsh_start_page_links_each_form_in_welsh_where_it_has_welsh(built):
    front = parse(built.site["cy/index.html"])
    for item in front.all("li", class_="dipforms-form-list__item"):
        form = item.attrs["data-dipforms-form"]
        start = item.one("li", class_="dipforms-start-link").one("a")
        if f"cy/forms/{form}/index.html" in built.site:
            assert start.attrs["href"] == f"/cy/forms/{form}/index.html"
            assert "lang" not in item.attrs and "hreflang" not in start.attrs
        else:
            assert start.attrs["href"] == f"/forms/{form}/index.html"
            assert item.attrs["lang"] == "en" and start.attrs["hreflang"] == "en"
    assert front.one("main").one("a", href="/cy/cases/index.html").text() == "Dod o hyd i achos"
    done = parse(built.site["cy/forms/consent_to_share_information/done.html"])
    assert done.one("p", class_="dipforms-done__case").one("a").attrs["href"] == (
        "/cy/cases/case.html")


def test_the_welsh_words_have_the_english_keys_and_placeholders():
    en, cy = read_texts("cases"), read_texts("cases_cy")
    assert set(cy) - set(en) == {"process"}
    cy_words = {k: v for k, v in cy.items() if k != "process"}
    assert sorted(set(keys(en)) ^ set(keys(cy_words)), key=str) == []
    english = dict(flat(en))
    differ = {path: text for path, text in flat(cy_words)
              if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(english[path]))}
    assert differ == {}
    assert all(isinstance(text, str) and text.strip() for _, text in flat(cy))
    assert case_words("cy")["script"]["months"][2] == "Mawrth"   # shared with cy.yaml
    assert case_words("en") is CASE_WORDS


def test_every_label_of_the_process_has_its_welsh(built):
    process = built.project.process
    english, welsh = process_labels(process, "en"), case_words("cy")["process"]
    for part in ("states", "transitions", "deadlines"):
        assert set(welsh[part]) == set(english[part]), part
        assert all(welsh[part][k] != english[part][k] for k in english[part]), part
    asked = {ask.id for t in process.transitions for ask in t.asks}
    assert asked <= set(welsh["asks"])
    labels = process_labels(process, "cy")
    assert labels["title"] == "Achos rhybuddiad amodol DIP"
    assert labels["states"]["closed_complied"] == welsh["states"]["closed_complied"]


def test_each_welsh_page_gives_its_script_the_same_words_as_the_english(built):
    for path in CASE_PAGES:
        en, cy = words_json(built.site[path]), words_json(built.site[f"cy/{path}"])
        # `labels` are by the process's ids (the English asks: none, the API's are shown)
        assert set(en.pop("labels")) == set(cy.pop("labels")), path
        assert sorted(set(keys(en)) ^ set(keys(cy)), key=str) == [], path
        assert cy["error"] == "Gwall" and en["error"] == "Error", path
    due = words_json(built.site["cy/cases/due.html"])
    # Due's items name their state by the API's English label only: the page maps it
    english = process_labels(built.project.process, "en")["states"]
    assert due["labels"]["state_names"][english["with_cps"]] == (
        "Gyda Gwasanaeth Erlyn y Goron am benderfyniad")
    case = words_json(built.site["cy/cases/case.html"])
    assert case["people"]["date_of_birth"] == "Dyddiad geni"
    assert case["labels"]["deadlines"]["sentence_plan_due"] == "Cynllun dedfryd i'w wneud"


#: What a script may say in its own strings: selectors, tag names, a method, its mode.
SCRIPT_STRINGS_ALLOWED = {"use strict", "POST", "FIELDSET", "SELECT", "TEXTAREA",
                          "Europe/London", "input, select, textarea",
                          "input.govuk-input, select, textarea",
                          "legend, .govuk-label, .govuk-label-wrapper, .govuk-hint, "
                          ".govuk-error-message"}
#: A word of letters that is not part of a class name, a selector, a path or an attribute.
_WORD = re.compile(r"(?<![\w\-.#/\[=:])[A-Za-z]{2,}(?![\w\-/(=\]])")


def script_strings(source: str) -> list[str]:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"(?m)(^|\s)//.*$", "", source)
    return re.findall(r'"((?:[^"\\]|\\.)*)"', source)


def own_words(source: str) -> list[str]:
    """The strings of a script that are words (not a selector, a tag, a class or a path)."""
    return [s for s in script_strings(source)
            if _WORD.search(s) and (" " in s or re.search("[A-Z]", s))
            and "' +" not in s and s not in SCRIPT_STRINGS_ALLOWED]


@pytest.mark.parametrize("script", SCRIPTS)
def test_no_case_script_holds_words_of_its_own(script):
    """A string of words in a script would stay English on a Welsh page: every word the
    case pages show comes from the page's words (a " to " did, in an appointment's
    confirmation, before it became `when`)."""
    source = (Path(ROOT) / "generator" / "static" / script).read_text(encoding="utf-8")
    assert own_words(source) == []
    assert own_words('var a = " to ", b = "Overdue", c = "govuk-tag govuk-tag--red";') == [
        " to ", "Overdue"]


def test_a_welsh_label_in_the_process_itself_wins_over_the_case_words():
    from tests.unit.test_process import FORM, PROCESS
    from tests.yaml_cases import build_yaml

    process = PROCESS.replace("{id: working, label: Working}",
                              "{id: working, label: {en: Working, cy: Wrthi}}")
    result = build_yaml(FORM, {"forms/process.yaml": process})
    assert result.ok, [d.headline() for d in result.diagnostics]
    labels = process_labels(result.project.process, "cy")
    assert labels["states"] == {"open": "Open", "working": "Wrthi", "done": "Done"}
    assert labels["title"] == "A small case"        # cases_cy.yaml's is the DIP process's
    assert process_labels(result.project.process, "en")["states"]["working"] == "Working"


def test_a_record_page_links_its_case_in_its_own_language(built):
    welsh = parse(built.site["cy/forms/consent_to_share_information/record.html"])
    english = parse(built.site["forms/consent_to_share_information/record.html"])
    assert welsh.by_id("dipforms-record-case").attrs["href"] == "/cy/cases/case.html"
    assert english.by_id("dipforms-record-case").attrs["href"] == "/cases/case.html"
