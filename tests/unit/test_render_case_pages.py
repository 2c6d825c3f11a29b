"""The casework pages built from the shipped forms (generator/render/cases.py): the Cases
list's filters, Due, the case page's map of forms, facts and actions, the step page, and the
action pages' questions (an appointment, each fact staff keep, a disclosure, a hand-over),
each holding the process's and protocol's words and never a case."""

from __future__ import annotations

import json
from functools import cache

from generator.edges.files import read_forms_dir
from generator.project import parse_project
from generator.render.cases import case_pages
from generator.render.site import render_case_pages
from tests.api_harness import ROOT
from tests.unit.test_render import ENV, parse


@cache
def project():
    parsed, problems = parse_project(read_forms_dir(ROOT))
    assert not [p for p in problems if p.is_error]
    return parsed


@cache
def built() -> dict[str, str]:
    p = project()
    return render_case_pages(ENV, p.forms, p.process, p.documents, protocol=p.protocol,
                             codelists=p.codelists)


def action(path: str) -> dict:
    return json.loads(parse(built()[path]).by_id("dipforms-action").text())


def test_every_case_page_is_built_in_english():
    pages = built()
    kept = {f"cases/facts/{f.id}.html" for f in project().process.facts if f.recorded_by}
    assert {"cases/facts/supervision_start.html", "cases/facts/release_date.html"} <= kept
    assert set(pages) == {
        "cases/index.html", "cases/due.html", "cases/case.html", "cases/step.html",
        "cases/appointment.html", "cases/disclosure.html", "cases/handover.html", *kept}
    for path, html in pages.items():
        page = parse(html)
        assert page.one("html").attrs["lang"] == "en", path
        assert page.all("main"), path


def test_the_cases_list_filters_by_state_condition_and_due():
    page = parse(built()["cases/index.html"])
    states = [o.attrs["value"] for o in page.by_id("state").all("option")]
    assert states[0] == "" and "considered" in states and "closed_complied" in states
    conditions = {o.attrs["value"]: o.text() for o in page.by_id("condition").all("option")}
    assert conditions["one_session"] == "One session condition"
    assert [i.attrs["value"] for i in page.all("input", name="due")] == ["", "overdue", "week"]
    assert page.one("label", for_="q").text() == "Search cases"
    assert "Name, date of birth, PNC ID, custody number or case reference" in page.by_id(
        "q-hint").text()
    words = json.loads(page.by_id("dipforms-case-words").text())
    assert words["overdue"] == "Overdue" and words["months"][0] == "January"


def test_due_is_its_own_page_with_its_words():
    page = parse(built()["cases/due.html"])
    assert page.one("h1").text() == "Due"
    assert "data-dipforms-due" in page.one("div", class_="dipforms-due").attrs
    assert json.loads(page.by_id("dipforms-case-words").text())["none"].startswith("Nothing")


def test_the_case_page_knows_each_forms_entry_page_and_who_records_what():
    data = json.loads(parse(built()["cases/case.html"]).by_id("dipforms-case-process").text())
    assert data["forms"]["dir_required_assessment"]["start"] == (
        "/forms/dir_required_assessment/index.html")
    actions = data["actions"]
    assert actions["step"] == "/cases/step.html"
    assert actions["appointment"] == "/cases/appointment.html"
    assert actions["facts"]["release_date"] == {"href": "/cases/facts/release_date.html",
                                                "roles": ["carat", "probation"]}
    assert set(actions["facts"]) == {f.id for f in project().process.facts if f.recorded_by}
    assert actions["readers_only"] == ["dat_admin"]
    words = json.loads(parse(built()["cases/case.html"]).by_id("dipforms-case-words").text())
    assert words["people"]["pnc_id"] == "PNC ID"
    assert words["notice_text"] == "{channel} to {to}: {title} — {status}"


def test_the_case_page_knows_which_linked_forms_each_role_may_add_and_how_to_change_the_mg14():
    """What case.js needs for "Other records for this case" (a linked form the reader's
    role may send though no step is made by it) and for a step the MG14 makes later (its
    section L): a Change of the record that opened the case, not a new MG14."""
    data = json.loads(parse(built()["cases/case.html"]).by_id("dipforms-case-process").text())
    assert data["linked"] == [link.form for link in project().process.links]
    assert "dir_required_assessment" in data["linked"] and "mg14" not in data["linked"]
    assert data["forms"]["dir_required_assessment"]["submit"] == ["cjit"]
    assert data["forms"]["consent_to_share_information"]["submit"] == [
        "cjit", "carat", "probation"]
    assert data["opened_by"] == "mg14"
    assert data["forms"]["mg14"]["change"] == "/forms/mg14/check.html"
    assert "change" not in data["forms"]["compliance_report"]


def test_the_step_page_posts_a_transition_and_takes_its_questions_from_the_case():
    step = action("cases/step.html")
    assert (step["kind"], step["endpoint"], step["questions"]) == ("step", "transitions", [])
    page = parse(built()["cases/step.html"])
    words = json.loads(page.by_id("dipforms-case-words").text())
    assert words["ends_button"] == "Close the case"
    assert "{label}" in words["ends_warning"]
    assert page.one("a", class_="dipforms-action__back").attrs["href"] == "/cases/case.html"


def test_an_appointment_asks_a_date_and_two_times_and_places_the_apis_errors():
    a = action("cases/appointment.html")
    assert [(q["kind"], q["id"]) for q in a["questions"]] == [
        ("date", "date"), ("time", "start_time"), ("time", "end_time")]
    assert [q["fields"] for q in a["questions"]] == [[], ["/starts_at"], ["/ends_at"]]
    page = parse(built()["cases/appointment.html"])
    for input_id in ("date-day", "date-month", "date-year", "start_time", "end_time"):
        assert page.by_id(input_id)
    form = page.one("form", class_="dipforms-action__form")
    assert form.one("h1").text() == "Record an appointment"


def test_a_fact_page_asks_one_question_of_the_facts_type_for_the_roles_that_keep_it():
    release = action("cases/facts/release_date.html")
    assert (release["fact"], release["fact_type"], release["roles"]) == (
        "release_date", "date", ["carat", "probation"])
    assert release["questions"][0]["kind"] == "date"
    flag = action("cases/facts/ppo_or_high_rosh.html")
    assert [i["value"] for i in flag["questions"][0]["items"]] == ["true", "false"]
    page = parse(built()["cases/facts/ppo_or_high_rosh.html"])
    form = page.one("form", class_="dipforms-action__form")
    assert form.one("legend").one("h1").text()   # the one question is the page's heading
    assert form.one("h1").text() == "PPO or high risk of serious harm"


def test_a_handover_offers_only_agencies_whose_staff_use_the_service_and_not_the_dat():
    a = action("cases/handover.html")
    agencies = [i["value"] for i in a["questions"][0]["items"]]
    assert agencies == ["northshire_police", "northshire_cps", "northshire_cjit",
                        "northshire_probation", "hmp_northshire_carats"]
    assert a["questions"][1]["required"] is False
    assert a["questions"][0]["not_own"] is True


def test_a_disclosure_asks_recipient_ground_items_and_reason_with_each_grounds_conditions():
    a = action("cases/disclosure.html")
    by_id = {q["id"]: q for q in a["questions"]}
    assert list(by_id) == ["recipient", "ground", "items", "reason"]
    assert "northshire_healthcare" not in [i["value"] for i in by_id["recipient"]["items"]]
    assert "hmp_northshire_healthcare" in [i["value"] for i in by_id["recipient"]["items"]]
    grounds = {g["value"]: g for g in by_id["ground"]["items"]}
    assert list(grounds) == ["consent", "risk_of_harm", "custody_crime_prevention"]
    assert grounds["risk_of_harm"]["text"].startswith("IS-01: Risk of harm")
    assert "conditional" not in grounds["consent"]
    assert [q["id"] for q in grounds["custody_crime_prevention"]["conditional"]] == [
        "custody", "drug_use_linked_to_offending"]
    items = [i["value"] for i in by_id["items"]["items"]]
    assert "psr" in items and "risk_assessment" in items
    page = parse(built()["cases/disclosure.html"])
    assert page.by_id("drug_use_linked_to_offending").attrs["type"] == "checkbox"


def test_the_pages_hold_no_case():
    p = project()
    pages = case_pages(p.process, p.forms, p.documents, p.protocol, p.codelists)
    assert set(pages) == set(built())
    for path, html in built().items():
        assert "MG14-" not in html.replace("MG14-0A1B2C3D4E", ""), path


def test_no_page_shows_a_python_object_in_place_of_a_word():
    """A dict's key read as an attribute (`l.clear`) gives the dict's method, whose repr
    holds a memory address: the page said '<built-in method clear ...>' and the build's
    bytes changed from process to process. The Cases list's link is 'Clear filters'."""
    pages = built()
    shown = [path for path, html in pages.items()
             if "built-in method" in html or " object at 0x" in html]
    assert shown == []
    assert ">Clear filters</a>" in pages["cases/index.html"]
