"""The case pages (generator/render/cases.py, templates case.html and cases_index.html): built
only when there is a process, holding its words and never a case; the front page links to
them."""

from __future__ import annotations

import json

from generator.edges.templating import make_environment
from generator.render.site import Site
from tests.unit.test_process import FORM, PROCESS
from tests.unit.test_render import parse
from tests.yaml_cases import build_yaml

CHOICE_FORM = FORM.replace(
    "- {id: a, type: text, label: A}",
    "- {id: a, type: text, label: A}\n"
    "      - {id: kind, type: choice, label: Kind, codelist: offence_class}")
FACTS = """\
facts:
  - {id: kind, type: code, from: [{form: t, value: kind}], source: assumption}
  - {id: due_date, type: date, recorded_by: [police], source: assumption}
"""


def site(process: str | None) -> dict[str, str]:
    extra = {"forms/process.yaml": process} if process else {}
    result = build_yaml(CHOICE_FORM, extra, site=Site(make_environment()))
    assert result.ok, [d.headline() for d in result.diagnostics]
    return result.site


def test_no_process_no_case_pages_and_no_link():
    pages = site(None)
    assert not [p for p in pages if p.startswith("cases/")]
    assert not parse(pages["index.html"]).one("main").all("a", href="/cases/index.html")


def test_the_case_page_holds_the_process_words_and_never_a_case():
    pages = site(PROCESS + FACTS)
    assert {"cases/index.html", "cases/case.html"} <= set(pages)
    index = parse(pages["index.html"])
    assert index.one("main").one("a", href="/cases/index.html").text() == "Find a case"

    # Find a case became the Cases list: its search (by person or reference) has no name,
    # so what is typed is never put in an address; the filters are codes, in the address.
    find = parse(pages["cases/index.html"])
    search = find.one("form", class_="dipforms-cases__search")
    assert "name" not in search.by_id("q").attrs
    assert find.one("label", for_="q").text() == "Search cases"
    filters = find.one("form", class_="dipforms-cases__filters")
    assert (filters.attrs["method"], filters.attrs["action"]) == ("get", "/cases/index.html")

    case = parse(pages["cases/case.html"])
    assert case.one("html").attrs["lang"] == "en"
    assert case.one("a", class_="govuk-back-link").attrs["href"] == "/cases/index.html"
    data = json.loads(case.by_id("dipforms-case-process").text())
    assert data["title"] == "A small case"
    assert data["states"] == {"open": "Open", "working": "Working", "done": "Done"}
    assert data["forms"]["t"]["title"] == "Test form"
    assert data["forms"]["t"]["record"] == "/forms/t/record.html"
    assert [q["id"] for q in data["forms"]["t"]["fields"]] == ["a", "kind"]
    assert data["facts"] == [
        {"id": "kind", "type": "code", "label": "Kind",
         "choices": {"summary": "Summary only", "either_way": "Either way",
                     "indictable_only": "Indictable only"}},
        {"id": "due_date", "type": "date", "label": "Due date"}]
    for problem in ("no-ref", "sign-in", "not-found", "forbidden", "failed"):
        assert "hidden" in case.one("div", data_problem=problem).attrs
    assert json.loads(case.by_id("dipforms-case-words").text())["step"] == "Move to: {label}"
