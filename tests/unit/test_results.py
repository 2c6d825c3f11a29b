"""Results as HTTP (api/chalicelib/domain/results.py, responses.py): a use case says what happened,
and only responses.py says which status, headers and body that is."""

from __future__ import annotations

import json

import pytest
from chalicelib import responses
from chalicelib.contract import codes
from chalicelib.domain.results import CsvFile, Done, Refused
from chalicelib.records import replayed


def test_every_error_has_a_status_and_a_message_and_no_other():
    assert set(responses.ERRORS) == set(codes.ERRORS)


def test_a_refusal_names_a_known_error():
    with pytest.raises(ValueError, match="not_an_error"):
        Refused("not_an_error")


def test_a_refusal_is_the_one_error_shape_with_its_status():
    answer = responses.answer(Refused("invalid", [{"field": "/x", "code": codes.REQUIRED,
                                                   "message": "Enter x"}]))
    assert answer.status_code == 422
    assert json.loads(answer.body) == {
        "ok": False, "status": 422, "error": "invalid",
        "message": "There is a problem with the answers",
        "errors": [{"field": "/x", "code": "required", "message": "Enter x"}]}
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Retry-After" not in answer.headers


def test_a_limited_refusal_says_when_to_try_again():
    answer = responses.answer(Refused("too_many_attempts", retry_after=900))
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "900")


def test_done_is_200_and_something_made_is_201_with_where_to_read_it():
    found = responses.answer(Done({"events": []}))
    assert (found.status_code, json.loads(found.body)) == (
        200, {"ok": True, "status": 200, "events": []})
    made = responses.answer(Done({"record": {"id": "MG14-1"}}, created=True,
                                 location="/v1/records/MG14-1"))
    assert made.status_code == 201 and made.headers["Location"] == "/v1/records/MG14-1"
    assert json.loads(made.body)["status"] == 201


def test_a_replay_says_so_and_has_no_location():
    answer = responses.answer(Done({"record": {}}, created=True, location="/v1/records/X",
                                   replayed=True))
    assert answer.headers["Idempotent-Replayed"] == "true" and "Location" not in answer.headers


def test_an_answer_kept_before_results_replays_byte_for_byte():
    first = responses.answer(Done({"record": {"id": "MG14-1"}, "warnings": [],
                                   "case": "MG14-1"}, created=True))
    kept = {"status": 201, "body": json.loads(first.body)}   # as keys were kept before
    again = responses.answer(replayed(kept))
    assert (again.status_code, again.body) == (201, first.body)
    assert responses.answer(replayed({"created": True, "value": {
        "record": {"id": "MG14-1"}, "warnings": [], "case": "MG14-1"}})).body == first.body


def test_a_csv_file_is_an_attachment():
    answer = responses.answer(Done(CsvFile("dipforms-counts-2026-11-25.csv", "a,b\r\n")))
    assert answer.body == "a,b\r\n"
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="dipforms-counts-2026-11-25.csv"')
    assert answer.headers["Content-Type"].startswith("text/csv")
