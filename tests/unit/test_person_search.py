"""Who a case is about and how a search finds them (domain/person.py), and the plain words
of the case lists and what is due (domain/casefind.py): pure, plain values."""

from __future__ import annotations

import datetime

import pytest
from chalicelib.domain import casefind
from chalicelib.domain.caseflow import Process
from chalicelib.domain.person import (
    identifier,
    keyed,
    name_words,
    person_of,
    search_of,
    terms_of,
)
from chalicelib.store.base import ListedCase

MG14 = {"surname": "Smith", "forenames": "Anne-Marie", "date_of_birth": "1990-04-12",
        "pnc_id": "06/123456A", "custody_record_no": "12ab/3456", "sex": "female"}


def test_the_person_takes_each_detail_from_the_first_record_that_has_it():
    assert person_of([{"surname": "Smith"}, MG14]) == {
        "name": "Smith", "date_of_birth": "1990-04-12", "pnc_id": "06/123456A",
        "custody_record_no": "12ab/3456"}
    assert person_of([{"sex": "male"}]) is None and person_of([]) is None


@pytest.mark.parametrize(("text", "words"), [
    ("Anne-Marie O'Brien", ["anne", "marie", "obrien"]),
    ("  ZOË  smith ", ["zoe", "smith"]),
    ("Ó Súilleabháin", ["o", "suilleabhain"]),
])
def test_name_words_fold_case_accents_and_punctuation(text, words):
    assert name_words(text) == words


def test_terms_of_the_answers_are_tagged_by_kind():
    assert terms_of([MG14]) == {"name:smith", "name:anne", "name:marie", "dob:1990-04-12",
                                "id:06123456A", "id:12AB3456"}
    assert identifier("06/123456a") == "06123456A"


@pytest.mark.parametrize(("q", "all_of", "any_of"), [
    ("smith", {"name:smith"}, set()),
    ("Anne SMITH", {"name:anne", "name:smith"}, set()),
    ("12/04/1990", {"dob:1990-04-12"}, set()),
    ("1990-04-12", {"dob:1990-04-12"}, set()),
    ("06/123456a", set(), {"id:06123456A"}),
    ("MG14-0000000001", set(), {"id:MG140000000001"}),
])
def test_a_search_asks_for_a_name_a_birth_date_or_an_identifier(q, all_of, any_of):
    search = search_of(q)
    assert search.all_of == all_of and search.any_of == any_of


def test_a_search_matches_every_name_word_or_one_identifier():
    terms = terms_of([MG14])
    assert search_of("smith anne").found_in(terms)
    assert not search_of("smith john").found_in(terms)
    assert search_of("06/123456A").found_in(terms) and search_of("12AB/3456").found_in(terms)
    assert not search_of("31/02/1990").found_in(terms)        # no such day: no date
    assert search_of("   ") is None


def test_terms_are_kept_keyed_never_as_words():
    one, other = keyed(b"k" * 32, "name:smith"), keyed(b"j" * 32, "name:smith")
    assert one != other and "smith" not in one and len(one) == 64
    assert keyed(b"k" * 32, "name:smith") == one


PROCESS = Process({
    "process": "p", "opened_by": "mg14", "start": "open",
    "states": [{"id": "open", "label": "Open", "terminal": False}],
    "transitions": [],
    "deadlines": [{"id": "contact_by_passed", "label": "Contact-by date passed"}]})
TODAY = datetime.date(2026, 12, 5)


def row(ref: str, **due: str) -> ListedCase:
    return ListedCase("police", ref, "open", False, "t0", "t1", "one_session",
                      min(due.values()) if due else None,
                      {reason: {"due_on": day, "event": "N10"} for reason, day in due.items()})


def test_due_items_soonest_first_with_labels_and_overdue_from_the_day_after():
    rows = [row("B", contact_by_passed="2026-12-04", other_thing="2026-12-30"),
            row("A", contact_by_passed="2026-12-05")]
    items = casefind.due_items(PROCESS, rows, TODAY, casefind.due_upto(TODAY))
    assert [(i["case"], i["id"], i["overdue"]) for i in items] == [
        ("B", "contact_by_passed", True), ("A", "contact_by_passed", False)]
    assert items[0]["label"] == "Contact-by date passed" and items[0]["state_label"] == "Open"
    assert casefind.deadline_label(PROCESS, "other_thing") == "Other thing"


def test_the_list_filters_are_read_and_refused_by_field():
    query, limit = casefind.case_query("police", {"due": "overdue", "state": "open"}, TODAY,
                                       PROCESS)
    assert (query.due_by, query.state, limit) == ("2026-12-04", "open", 25)
    week, _ = casefind.case_query("police", {"due": "week"}, TODAY, PROCESS)
    assert week.due_by == "2026-12-12"
    errors = casefind.case_query("police", {"due": "soon", "state": "x", "limit": "0"}, TODAY,
                                 PROCESS)
    assert sorted(e["field"] for e in errors) == ["due", "limit", "state"]
