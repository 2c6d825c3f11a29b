"""The DAT view's pure core (api/chalicelib/domain/dashboard.py): counts by condition type and
outcome from the process file's states, overdue deadlines, dead letters without recipient or
payload, and CSV that a spreadsheet cannot run, with nothing personal in any of it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from chalicelib.domain.dashboard import CONDITION_TYPES, error_kind, summarise, to_csv
from chalicelib.store.base import CaseState, Deadline, OutboxEvent

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-25"
PROCESS = {"states": [
    {"id": "considered", "label": "DIP conditional caution considered", "terminal": False},
    {"id": "in_programme", "label": "Attending the DIP condition", "terminal": False},
    {"id": "closed_complied", "label": "Closed as complied with", "terminal": True},
    {"id": "failure_response", "label": "Police responding to failure", "terminal": True},
    {"id": "declined", "label": "Declined by the offender", "terminal": True},
], "deadlines": [{"id": "comply_by_passed", "label": "Comply-by date passed"}]}
NAME = "Robin O'Sample"


def case(ref: str, state: str, condition: str | None = None, closed: bool = False,
         **facts) -> CaseState:
    if condition is not None:
        facts["condition_type"] = condition
    return CaseState(case_ref=ref, process="dip_conditional_caution", state=state, version=1,
                     opened_at="2026-11-01T09:00:00.000000Z",
                     updated_at="2026-11-02T09:00:00.000000Z", facts=facts, closed=closed)


def deadline(ref: str, reason: str, due_on: str, status: str = "pending") -> Deadline:
    return Deadline(case_ref=ref, reason=reason, due_on=due_on, event="N10", status=status)


def dead_event(event_id: str, record_id: str, event: str = "N11",
               error: str | None = "DeliveryFailed: ses: Throttling") -> OutboxEvent:
    return OutboxEvent(
        event_id=event_id, record_id=record_id, event=event, form_id="mg14", channel="email",
        recipient={"agency": "northshire_police", "name": "PC Alex Example",
                   "email": "alex.example@police.example"},
        payload={"reference": record_id, "fields": {"family_name": NAME}},
        created_at="2026-11-20T10:00:00.000000Z", status="dead", attempts=8, last_error=error)


def row(summary: dict, condition: str) -> dict:
    return next(r for r in summary["counts"]["rows"] if r["condition_type"] == condition)


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


CASES = [
    case("MG14-A", "considered", "one_session"),
    case("MG14-B", "in_programme", "one_session"),
    case("MG14-C", "closed_complied", "one_session", closed=True),
    case("MG14-D", "failure_response", "three_session", closed=True),
    case("MG14-E", "declined", None, closed=True),
    case("MG14-F", "in_programme", "four_session"),       # not a DIP condition: unknown
]


def test_counts_group_open_states_and_name_terminal_states_by_the_process_labels():
    summary = summarise(CASES, [], [], PROCESS, TODAY)
    assert summary["totals"] == {"cases": 6, "open": 3, "closed": 3}
    outcomes = summary["counts"]["outcomes"]
    assert [o["id"] for o in outcomes] == ["open", "closed_complied", "failure_response",
                                          "declined"]
    assert outcomes[1]["label"] == "Closed as complied with"
    assert row(summary, "one_session")["counts"] == {
        "open": 2, "closed_complied": 1, "failure_response": 0, "declined": 0}
    assert row(summary, "one_session")["total"] == 3
    assert row(summary, "two_session")["total"] == 0
    assert row(summary, "three_session")["counts"]["failure_response"] == 1
    assert row(summary, "unknown")["counts"] == {
        "open": 1, "closed_complied": 0, "failure_response": 0, "declined": 1}
    assert [r["condition_type"] for r in summary["counts"]["rows"]] == [
        "one_session", "two_session", "three_session", "unknown"]
    assert summary["counts"]["totals"] == {"open": 3, "closed_complied": 1,
                                           "failure_response": 1, "declined": 1}


def test_a_closed_case_in_a_state_the_process_dropped_gets_its_own_column():
    summary = summarise([case("MG14-X", "retired_state", "two_session", closed=True)], [], [],
                        PROCESS, TODAY)
    assert summary["counts"]["outcomes"][-1]["id"] == "other_closed"
    assert row(summary, "two_session")["counts"]["other_closed"] == 1
    assert summary["totals"] == {"cases": 1, "open": 0, "closed": 1}
    assert "other_closed" not in summarise(CASES, [], [], PROCESS, TODAY)["counts"]["totals"]


def test_the_real_process_files_terminal_states_are_the_outcomes():
    """forms/process.yaml's states, as process.json carries them (terminal defaults false)."""
    document = yaml.safe_load((ROOT / "forms/process.yaml").read_text())
    process = {"states": [{"terminal": False, **s} for s in document["states"]]}
    summary = summarise([], [], [], process, TODAY)
    terminal = [s["id"] for s in process["states"] if s["terminal"]]
    assert [o["id"] for o in summary["counts"]["outcomes"]] == ["open", *terminal]
    assert {"closed_complied", "failure_response", "declined", "alternative_disposal",
            "exit"} <= set(terminal)


def test_condition_labels_match_the_codelist():
    codelist = yaml.safe_load((ROOT / "forms/codelists/dip_condition_type.yaml").read_text())
    assert CONDITION_TYPES == {v["code"]: v["label"] for v in codelist["values"]}


def test_overdue_is_only_pending_deadlines_due_before_today():
    deadlines = [
        deadline("MG14-A", "comply_by_passed", "2026-11-20"),
        deadline("MG14-B", "contact_by_passed", "2026-11-24"),
        deadline("MG14-C", "comply_by_passed", "2026-11-01"),
        deadline("MG14-D", "comply_by_passed", TODAY),                  # due today: not yet
        deadline("MG14-E", "comply_by_passed", "2026-12-01"),           # future
        deadline("MG14-F", "comply_by_passed", "2026-11-02", "fired"),  # already told
        deadline("MG14-G", "comply_by_passed", "2026-11-02", "cleared"),
    ]
    overdue = summarise([], deadlines, [], PROCESS, TODAY)["overdue"]
    assert overdue["count"] == 3
    assert [i["case_ref"] for i in overdue["items"]] == ["MG14-C", "MG14-A", "MG14-B"]
    assert overdue["items"][0] == {"case_ref": "MG14-C", "reason": "comply_by_passed",
                                   "event": "N10", "due_on": "2026-11-01", "days_overdue": 24}
    assert overdue["by_reason"] == [
        {"reason": "comply_by_passed", "label": "Comply-by date passed", "count": 2},
        {"reason": "contact_by_passed", "label": "contact_by_passed", "count": 1}]


def test_dead_letters_carry_no_recipient_name_address_or_payload():
    events = [dead_event("e2", "MG14-A"), dead_event("e1", "DIR-IC-1", "N02",
                                                     "Undeliverable: ses: no email address"),
              dead_event("e3", "DIR-IC-2", error=None)]
    dead = summarise([case("MG14-A", "considered")], [], events, PROCESS, TODAY,
                     case_of_record={"DIR-IC-1": "MG14-Z"})["dead_letters"]
    assert dead["count"] == 3
    assert dead["by_event"] == [{"event": "N02", "count": 1}, {"event": "N11", "count": 2}]
    first = dead["items"][0]
    assert first == {"event_id": "e1", "event": "N02", "record_id": "DIR-IC-1",
                     "case_ref": "MG14-Z", "form_id": "mg14", "channel": "email",
                     "agency": "northshire_police", "attempts": 8, "error": "Undeliverable",
                     "created_at": "2026-11-20T10:00:00.000000Z"}
    by_id = {i["event_id"]: i for i in dead["items"]}
    assert by_id["e2"]["case_ref"] == "MG14-A"          # the case's own MG14
    assert by_id["e3"]["case_ref"] is None and by_id["e3"]["error"] is None
    text = json.dumps(dead)
    for secret in ("PC Alex Example", "alex.example", NAME, "Throttling", "no email address",
                   "payload", "recipient"):
        assert secret not in text


def test_error_kind_keeps_only_an_exception_name():
    assert error_kind("DeliveryFailed: file: OSError errno 28") == "DeliveryFailed"
    assert error_kind("TimeoutError") == "TimeoutError"
    assert error_kind("not a name: x") == "error"
    assert error_kind("") is None and error_kind(None) is None


def test_nothing_personal_reaches_the_summary_or_any_csv():
    cases = [case("MG14-P", "considered", "one_session", offender_name=NAME,
                  comply_by="2026-12-01"),
             case("MG14-Q", "considered", NAME)]      # a name typed where a code belongs
    summary = summarise(cases, [deadline("MG14-P", "comply_by_passed", "2026-11-01")],
                        [dead_event("e1", "MG14-P")], PROCESS, TODAY)
    assert row(summary, "unknown")["total"] == 1
    everything = json.dumps(summary) + "".join(to_csv(summary, t)
                                               for t in ("counts", "overdue", "dead"))
    assert NAME not in everything and "Sample" not in everything
    assert "2026-12-01" not in everything                  # other facts are not shown


def test_counts_csv_has_a_header_a_row_per_condition_and_a_total_row():
    text = to_csv(summarise(CASES, [], [], PROCESS, TODAY))
    assert "\r\n" in text and text.endswith("\r\n")
    rows = parsed(text)
    assert rows[0] == ["condition_type", "condition", "open", "closed_complied",
                       "failure_response", "declined", "total"]
    assert rows[1] == ["one_session", "One session condition", "2", "1", "0", "0", "3"]
    assert rows[4] == ["unknown", "Not recorded", "1", "0", "0", "1", "2"]
    assert rows[5] == ["all", "All conditions", "3", "1", "1", "1", "6"]
    assert len(rows) == 6


def test_overdue_and_dead_csv():
    summary = summarise([], [deadline("MG14-A", "comply_by_passed", "2026-11-20")],
                        [dead_event("e1", "MG14-A")], PROCESS, TODAY)
    assert parsed(to_csv(summary, "overdue")) == [
        ["case_ref", "reason", "event", "due_on", "days_overdue"],
        ["MG14-A", "comply_by_passed", "N10", "2026-11-20", "5"]]
    rows = parsed(to_csv(summary, "dead"))
    assert rows[0][:4] == ["event_id", "event", "record_id", "case_ref"]
    assert rows[1][:4] == ["e1", "N11", "MG14-A", ""] and rows[1][-3:-1] == ["8", "DeliveryFailed"]
    with pytest.raises(ValueError):
        to_csv(summary, "everything")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_a_spreadsheet_would_run_get_a_leading_apostrophe(start):
    hostile = f"{start}HYPERLINK(\"http://x.example\",\"y\")"
    summary = summarise([], [deadline(hostile, "comply_by_passed", "2026-11-20")],
                        [dead_event("e1", hostile, event=hostile)], PROCESS, TODAY)
    overdue = parsed(to_csv(summary, "overdue"))
    assert overdue[1][0] == "'" + hostile
    dead = parsed(to_csv(summary, "dead"))
    assert dead[1][1] == "'" + hostile and dead[1][2] == "'" + hostile
    counts = parsed(to_csv(summarise(CASES, [], [], PROCESS, TODAY)))
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in counts for cell in r)


def test_csv_quotes_commas_quotes_and_line_breaks():
    ref = 'MG14-"1",\nx'
    summary = summarise([], [deadline(ref, "comply_by_passed", "2026-11-20")], [], PROCESS,
                        TODAY)
    text = to_csv(summary, "overdue")
    assert '"MG14-""1"",\nx"' in text
    assert parsed(text)[1][0] == ref
