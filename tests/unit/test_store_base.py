"""What every storage backend decides alike (api/chalicelib/store/base.py): idempotency
outcomes, case versions, the deadline writes of a change, stored columns and listing
cursors. Plain values in, plain values out; the contract suites run the backends."""

from __future__ import annotations

import base64
import datetime

import pytest
from chalicelib.store.base import (
    AuditEntry,
    CaseEntry,
    CaseState,
    Deadline,
    IdempotencyClaim,
    InvalidCursor,
    OutboxEvent,
    RecordVersion,
    VersionConflict,
    check_case_version,
    claim_of_held_key,
    cursor_position,
    due_from,
    from_columns,
    key_expiry,
    page_of,
    plan_deadlines,
    previous_version,
    require_positive,
    sortable,
    to_columns,
)

REF = "MG14-1"


def version(record_id: str, number: int = 1) -> RecordVersion:
    return RecordVersion(record_id, number, "mg14", "1.0", {"surname": "Siân", "score": 1.5},
                         "2026-11-25T10:00:00.000000Z", "user-1", "dip-leeds",
                         None if number == 1 else "corrected")


def case(number: int, closed: bool = False) -> CaseState:
    return CaseState(REF, "dip", "assessed", number, "2026-11-25T10:00:00.000000Z",
                     "2026-11-26T10:00:00.000000Z", {"arrested_on": "2026-11-24"}, closed)


def deadline(reason: str, due_on: str = "2026-12-01", status: str = "pending",
             event: str = "N10") -> Deadline:
    return Deadline(REF, reason, due_on, event, status,
                    "2026-12-01T08:00:00.000000Z" if status == "fired" else None)


# -- idempotency ---------------------------------------------------------------------------
def test_a_held_key_is_a_mismatch_for_another_body_whatever_its_status():
    assert claim_of_held_key("fp-b", "fp-a", "in_flight", None) == IdempotencyClaim("mismatch")
    assert claim_of_held_key("fp-b", "fp-a", "done", '{"status":201}') == IdempotencyClaim(
        "mismatch")


def test_a_held_key_of_the_same_body_is_replayed_when_done_else_in_flight():
    assert claim_of_held_key("fp", "fp", "done", '{"status":201,"id":"MG14-1"}') == (
        IdempotencyClaim("replay", {"status": 201, "id": "MG14-1"}))
    assert claim_of_held_key("fp", "fp", "in_flight", None) == IdempotencyClaim("in_flight")


def test_a_key_expires_ttl_seconds_after_its_claim_as_sortable_utc_text():
    expiry = key_expiry("2026-11-25T10:00:00.000000Z", 60)
    assert sortable(expiry) == "2026-11-25T10:01:00.000000Z"
    assert expiry.timestamp() == datetime.datetime(2026, 11, 25, 10, 1,
                                                   tzinfo=datetime.UTC).timestamp()
    assert sortable(key_expiry("2026-11-25T10:00:00+01:00", 1)) == "2026-11-25T09:00:01.000000Z"


# -- versions ------------------------------------------------------------------------------
def test_version_one_needs_nothing_stored_and_version_n_needs_n_minus_one():
    assert [previous_version(n) for n in (1, 2, 7)] == [None, 1, 6]
    check_case_version(case(1), None)
    check_case_version(case(3), 2)


@pytest.mark.parametrize("number, stored", [(1, 1), (2, None), (3, 1), (3, 3)])
def test_a_case_that_moved_meanwhile_is_a_version_conflict(number, stored):
    with pytest.raises(VersionConflict, match=REF):
        check_case_version(case(number), stored)


# -- deadlines -----------------------------------------------------------------------------
def test_a_new_or_moved_deadline_is_written_with_the_status_it_was_read_in():
    held = [deadline("moved"), deadline("same")]
    wanted = [deadline("moved", "2026-12-09"), deadline("same"), deadline("new")]
    writes = plan_deadlines(held, wanted)
    assert writes.put == [(deadline("moved", "2026-12-09"), "pending"), (deadline("new"), None)]
    assert writes.clear == []


def test_a_deadline_with_another_event_is_written_again():
    writes = plan_deadlines([deadline("a")], [deadline("a", event="N11")])
    assert writes.put == [(deadline("a", event="N11"), "pending")]


def test_a_fired_deadline_is_never_written_again_nor_cleared():
    fired = deadline("fired", status="fired")
    assert plan_deadlines([fired], [deadline("fired", "2026-12-20")]).put == []
    assert plan_deadlines([fired], []).clear == []


def test_a_cleared_deadline_wanted_again_is_pending_again():
    writes = plan_deadlines([deadline("back", status="cleared")], [deadline("back")])
    assert writes.put == [(deadline("back"), "cleared")]


def test_pending_deadlines_no_longer_wanted_are_cleared_and_nothing_else_is():
    held = [deadline("a"), deadline("b", status="cleared"), deadline("c"), deadline("d")]
    writes = plan_deadlines(held, [deadline("c")])
    assert writes.put == []
    assert writes.clear == [deadline("a"), deadline("d")]


# -- stored columns ------------------------------------------------------------------------
STORED = [
    version("MG14-1", 2),
    AuditEntry("2026-11-25T10:00:00Z", "user-1", "dip_worker", "dip-leeds", "amend", REF,
               "corrected", "req-1"),
    OutboxEvent("EV-1", REF, "submitted", "mg14", "file", {"agency": "dip-leeds"},
                {"reference": REF, "nested": [1, {"a": None}]}, "2026-11-25T10:00:00Z"),
    case(2, closed=True),
    CaseEntry(REF, "2026-11-25T10:00:00Z", "transition", "T1", "user-1", "dip-leeds",
              {"from": "opened"}),
    deadline("comply_by", status="fired"),
]


@pytest.mark.parametrize("stored", STORED, ids=lambda s: type(s).__name__)
def test_stored_columns_come_back_as_the_same_value(stored):
    columns = to_columns(stored)
    assert all(value is None or type(value) in (str, int) for value in columns.values())
    assert from_columns(type(stored), columns.__getitem__) == stored


def test_dicts_are_kept_as_compact_json_and_flags_as_integers():
    assert to_columns(version("MG14-1"))["data"] == '{"surname":"Siân","score":1.5}'
    assert to_columns(case(1, closed=True))["closed"] == 1
    assert from_columns(CaseState, {**to_columns(case(1)), "closed": 0}.__getitem__).closed is False


def test_an_event_without_a_next_attempt_is_due_from_its_creation():
    event = STORED[2]
    assert due_from(event) == "2026-11-25T10:00:00Z"
    assert due_from(OutboxEvent(**{**vars(event), "next_attempt_at": "2026-11-26"})) == (
        "2026-11-26")


def test_limits_and_batches_ask_for_at_least_one():
    require_positive("limit", 1)
    with pytest.raises(ValueError, match="limit must be at least 1"):
        require_positive("limit", 0)


# -- listing cursors -----------------------------------------------------------------------
def found(count: int) -> list[tuple[RecordVersion, str]]:
    """`count` latest versions, newest first, each with its version 1's created_at."""
    return [(version(f"MG14-{n}"), f"2026-11-25T10:00:{n:02d}.000000Z")
            for n in range(count, 0, -1)]


def test_a_page_with_more_after_it_has_a_cursor_to_its_last_record():
    page = page_of("mg14", 2, found(3))
    assert [v.record_id for v in page.items] == ["MG14-3", "MG14-2"]
    assert cursor_position(page.cursor, "mg14") == ("2026-11-25T10:00:02.000000Z", "MG14-2")


@pytest.mark.parametrize("count", [0, 1, 2])
def test_the_last_page_has_no_cursor(count):
    page = page_of("mg14", 2, found(count))
    assert len(page.items) == count and page.cursor is None


def test_a_cursor_for_another_form_or_not_issued_is_refused():
    cursor = page_of("mg14", 1, found(2)).cursor
    with pytest.raises(InvalidCursor):
        cursor_position(cursor, "pc36")
    forged = base64.urlsafe_b64encode(b'["mg14", 1, "MG14-1"]').decode("ascii")
    for bad in ("not base64!", "bm90IGpzb24=", "WzEsMl0=", "Wy1d", "é", forged):
        with pytest.raises(InvalidCursor):
            cursor_position(bad, "mg14")
