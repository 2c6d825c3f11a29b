"""Builders for the case-list store tests: a case change with a listing, and a case opened
by its MG14's commit as a submission opens one."""

from __future__ import annotations

from chalicelib.store.base import CaseChange, CaseEntry, CaseListing, CaseState, Deadline

from tests.functional.test_store_contract import at, audit, event, version


def listed_change(ref: str, number: int = 1, *, when: float = 0, state: str = "referred",
                  parties: tuple[str, ...] = ("police", "cjit"),
                  terms: tuple[str, ...] | None = (), condition: str = "one_session",
                  due: str | None = "2026-12-04") -> CaseChange:
    case = CaseState(case_ref=ref, process="dip_caution", state=state, version=number,
                     opened_at=at(0), updated_at=at(when), facts={}, closed=False)
    entries = [CaseEntry(ref, at(when), "form", f"{ref}-{number}", "user-1", "police", {})]
    deadlines = [Deadline(ref, "contact_by_passed", due, "N10")] if due else []
    return CaseChange(case, entries, deadlines, [ref] if number == 1 else [],
                      CaseListing(parties, condition, terms))


def opened(store, ref: str, *, when: float = 0, **options) -> CaseChange:
    opening = listed_change(ref, 1, when=when, **options)
    store.commit(version(ref, when=when), audit(ref, when), [event(f"EV-{ref}", ref, when)],
                 case_change=opening)
    return opening
