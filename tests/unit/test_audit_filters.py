"""GET /v1/audit's filters and entries, on plain values: England's dates and moments become
the stored UTC bounds (summer and winter), bad filters name their field, and an entry is
answered without its reason's text."""

from __future__ import annotations

import pytest
from chalicelib.domain.access import Principal
from chalicelib.domain.audit import PAGE_DEFAULT, audit_entry, audit_filters, entry_json
from chalicelib.store.base import AuditQuery

WHO = Principal("om_smith", "probation", "northshire_probation")


@pytest.mark.parametrize("params, since, before", [
    ({"from": "2026-07-01", "to": "2026-07-01"},           # BST: England's midnight is 23:00 UTC
     "2026-06-30T23:00:00.000000Z", "2026-07-01T23:00:00.000000Z"),
    ({"from": "2026-12-01", "to": "2026-12-03"},           # GMT
     "2026-12-01T00:00:00.000000Z", "2026-12-04T00:00:00.000000Z"),
    ({"from": "2026-07-01T09:30", "to": "2026-07-01T10:00:00Z"},   # no zone: England's time
     "2026-07-01T08:30:00.000000Z", "2026-07-01T10:00:00.000001Z"),  # `to` inclusive
    ({"from": "2026-10-25T01:30:00+01:00"}, "2026-10-25T00:30:00.000000Z", None),
])
def test_dates_and_moments_are_bounds_in_utc(params, since, before):
    query, limit, cursor = audit_filters(params)
    assert (query.since, query.before, limit, cursor) == (since, before, PAGE_DEFAULT, None)


def test_filters_left_empty_are_not_given_and_the_rest_pass_through():
    assert audit_filters({"case": "", "user": "pc_jones", "limit": "7", "cursor": "abc"}) == (
        AuditQuery(actor="pc_jones"), 7, "abc")


def test_every_bad_filter_is_named_at_once():
    found = audit_filters({"case": "../etc", "user": "pc jones", "from": "2026-02-30",
                           "limit": "9" * 5000, "sort": "asc"})
    assert [(e["field"], e["code"]) for e in found] == [
        ("sort", "unknown_field"), ("case", "pattern"), ("user", "pattern"),
        ("from", "format"), ("limit", "max")]
    assert all("../etc" not in e["message"] for e in found)   # no value echoed


def test_an_entry_is_answered_with_its_outcome_and_reference_never_its_reason():
    old = audit_entry(WHO, "amend_denied", "DIR-1", "2026-12-01T10:00:00.000000Z",
                      reason="client disclosed hepatitis C", reason_ref="DIR-1@v2")
    assert entry_json(old) == {
        "at": "2026-12-01T10:00:00.000000Z", "user": "om_smith", "role": "probation",
        "agency": "northshire_probation", "action": "amend", "outcome": "denied",
        "target": "DIR-1", "reason_ref": "DIR-1@v2", "request_id": None}
