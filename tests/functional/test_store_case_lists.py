# ruff: noqa: F811 (the fixtures imported from test_store_contract are parameter names)
"""The case lists of the Store, for every backend (SQLite, DynamoDB on moto): the rows a
change's listing writes in its own transaction, pages newest first with filters, the
person's keyed terms, and the cases due for an agency, soonest first."""

from __future__ import annotations

import dataclasses

import pytest
from chalicelib.store.base import (
    ALL_CASES,
    CaseListing,
    CaseQuery,
    InvalidCursor,
    VersionConflict,
)

from tests.functional.test_store_case_lists_builders import listed_change, opened
from tests.functional.test_store_contract import (  # noqa: F401 - fixtures used by name
    TABLE,
    Backend,
    audit,
    backend,
    moto_client,
    sqlite_store,
    store,
)


def refs(page) -> list[str]:
    return [row.case_ref for row in page.items]


def test_a_change_lists_the_case_for_each_party_and_for_all(store):
    opened(store, "MG14-1", parties=("police", "cjit"), terms=("t-smith",), when=1)
    for agency in ("police", "cjit", ALL_CASES):
        assert refs(store.list_cases(CaseQuery(agency), 10)) == ["MG14-1"]
    assert refs(store.list_cases(CaseQuery("probation"), 10)) == []
    row = store.list_cases(CaseQuery("cjit"), 10).items[0]
    assert (row.state, row.closed, row.condition_type) == ("referred", False, "one_session")
    assert row.next_due == "2026-12-04" and row.due["contact_by_passed"]["event"] == "N10"
    assert store.cases_with_term("t-smith", 10) == ["MG14-1"]
    assert store.cases_with_term("t-jones", 10) == []


def test_pages_go_newest_change_first_and_a_later_change_moves_a_case_up(store):
    for n in range(5):
        opened(store, f"MG14-{n}", when=n)
    first = store.list_cases(CaseQuery("police"), 2)
    assert refs(first) == ["MG14-4", "MG14-3"] and first.cursor
    second = store.list_cases(CaseQuery("police"), 2, first.cursor)
    third = store.list_cases(CaseQuery("police"), 2, second.cursor)
    assert refs(second) == ["MG14-2", "MG14-1"] and refs(third) == ["MG14-0"]
    assert third.cursor is None
    store.change_case(listed_change("MG14-0", 2, when=10), audit("MG14-0", 10), [])
    assert refs(store.list_cases(CaseQuery("police"), 1)) == ["MG14-0"]


def test_filters_state_condition_and_due(store):
    opened(store, "MG14-A", when=1, condition="one_session", due="2026-12-01")
    opened(store, "MG14-B", when=2, condition="three_sessions", due="2027-02-01")
    opened(store, "MG14-C", when=3, condition="one_session", due=None)
    store.change_case(listed_change("MG14-C", 2, when=4, state="assessed", due=None,
                                    condition="one_session"), audit("MG14-C", 4), [])
    assert refs(store.list_cases(CaseQuery("police", state="assessed"), 10)) == ["MG14-C"]
    assert refs(store.list_cases(CaseQuery("police", condition_type="one_session"), 10)) == [
        "MG14-C", "MG14-A"]
    assert refs(store.list_cases(CaseQuery("police", due_by="2026-12-31"), 10)) == ["MG14-A"]
    page = store.list_cases(CaseQuery("police", condition_type="one_session"), 1)
    assert refs(store.list_cases(CaseQuery("police", condition_type="one_session"), 1,
                                 page.cursor)) == ["MG14-A"]


def test_a_cursor_is_for_its_own_query(store):
    for n in range(3):
        opened(store, f"MG14-{n}", when=n)
    cursor = store.list_cases(CaseQuery("police"), 1).cursor
    with pytest.raises(InvalidCursor):
        store.list_cases(CaseQuery("cjit"), 1, cursor)
    with pytest.raises(InvalidCursor):
        store.list_cases(CaseQuery("police"), 1, "not-a-cursor")


def test_an_agency_no_longer_party_loses_the_row_and_terms_are_replaced(store):
    opened(store, "MG14-1", parties=("police", "cjit"), terms=("t-smith", "t-dob"))
    store.change_case(listed_change("MG14-1", 2, when=2, parties=("police",),
                                    terms=("t-smyth", "t-dob")), audit("MG14-1", 2), [])
    assert refs(store.list_cases(CaseQuery("cjit"), 10)) == []
    assert store.cases_with_term("t-smith", 10) == []
    assert store.cases_with_term("t-smyth", 10) == ["MG14-1"]
    # terms None: kept as they were
    store.change_case(listed_change("MG14-1", 3, when=3, terms=None), audit("MG14-1", 3), [])
    assert store.cases_with_term("t-dob", 10) == ["MG14-1"]


def test_the_listing_rides_in_the_change_and_fails_with_it(store):
    opened(store, "MG14-1", when=1)
    stale = listed_change("MG14-1", 3, when=5, state="assessed", terms=("t-new",))
    with pytest.raises(VersionConflict):
        store.change_case(stale, audit("MG14-1", 5), [])
    row = store.listed_cases("police", ["MG14-1"])[0]
    assert row.state == "referred" and store.cases_with_term("t-new", 10) == []


def test_listed_cases_gives_only_the_agencys_rows(store):
    opened(store, "MG14-1", parties=("police",))
    opened(store, "MG14-2", parties=("police", "cjit"))
    assert [r.case_ref for r in store.listed_cases("cjit", ["MG14-1", "MG14-2", "X"])] == [
        "MG14-2"]


def test_due_cases_soonest_first_up_to_a_date(store):
    opened(store, "MG14-A", due="2026-12-10", when=1)
    opened(store, "MG14-B", due="2026-11-20", when=2)
    opened(store, "MG14-C", due="2027-03-01", when=3)
    opened(store, "MG14-D", due=None, when=4)
    due = store.due_cases("police", "2026-12-10", 10)
    assert [r.case_ref for r in due] == ["MG14-B", "MG14-A"]
    assert store.due_cases("probation", "2026-12-10", 10) == []
    # a change that wants no deadline any more leaves the due list
    closed = dataclasses.replace(listed_change("MG14-B", 2, when=5, due=None))
    store.change_case(closed, audit("MG14-B", 5), [])
    assert [r.case_ref for r in store.due_cases("police", "2026-12-10", 10)] == ["MG14-A"]


def test_a_change_without_a_listing_leaves_the_lists_alone(store):
    opened(store, "MG14-1", when=1)
    bare = dataclasses.replace(listed_change("MG14-1", 2, when=2, state="assessed"),
                               listing=None)
    store.change_case(bare, audit("MG14-1", 2), [])
    assert store.listed_cases("police", ["MG14-1"])[0].state == "referred"
    assert isinstance(CaseListing(("police",)).terms, type(None))
