"""Warnings gone ahead with, each with a reason (api/chalicelib/domain/confirmations.py): the
reserved `_confirmations` key taken out of the answers, malformed confirmations refused,
warnings without a reason refused, and only the reasons for rules that warned kept."""

from __future__ import annotations

import datetime
import json

from chalicelib.domain import confirmations as c
from chalicelib.domain.validation import compile_validator, validate

from tests.yaml_cases import build_yaml, fields_form

FORM = fields_form("""
    - {id: offence_class, type: choice, label: Class, codelist: offence_class}
    - {id: months, type: number, label: Months}
    - {id: sessions, type: number, label: Sessions}
""", rules="""
    - id: WARN-01
      field: months
      check: months <= 2
      severity: warn
      message: Usually no more than 2 months
      source: {document: dip-condition-operational-guidelines.txt, section: §4.6.4}
    - id: WARN-02
      field: sessions
      check: sessions >= 2
      severity: warn
      message: Usually two sessions or more
      source: assumption
    - id: REF-01
      field: months
      check: months <= 12
      message: No more than 12 months
      source: assumption
""")
RESULT = build_yaml(FORM)
SCHEMA = json.loads(RESULT.schemas["t/1.0.schema.json"])
VALIDATOR = compile_validator(SCHEMA)
TODAY = datetime.date(2026, 11, 25)


def check(data):
    return c.check(data, lambda answers: validate(SCHEMA, VALIDATOR, answers, today=TODAY))


def test_answers_without_confirmations_pass_through_unchanged():
    data = {"months": 1}
    assert c.split_confirmations(data) == (data, {}, [])
    assert c.split_confirmations(["not", "an", "object"]) == (["not", "an", "object"], {}, [])


def test_the_reserved_key_is_taken_out_and_reasons_trimmed():
    answers, reasons, problems = c.split_confirmations(
        {"months": 3, "_confirmations": {"WARN-01": "  CPS set 3 months \n"}})
    assert answers == {"months": 3} and reasons == {"WARN-01": "CPS set 3 months"}
    assert problems == []


def test_malformed_confirmations_are_problems_for_a_400():
    _, _, problems = c.split_confirmations({"_confirmations": "yes"})
    assert [(p["field"], p["code"]) for p in problems] == [("/_confirmations", "type")]
    _, reasons, problems = c.split_confirmations(
        {"_confirmations": {"WARN-01": 7, "WARN-02": "x" * (c.MAX_REASON + 1), "A/B": "ok"}})
    assert [(p["field"], p["code"]) for p in problems] == [
        ("/_confirmations/WARN-01", "type"), ("/_confirmations/WARN-02", "max_length")]
    assert reasons == {"A/B": "ok"}
    many = {f"R-{n:03d}": "why" for n in range(c.MAX_CONFIRMATIONS + 1)}
    _, _, problems = c.split_confirmations({"_confirmations": many})
    assert [p["code"] for p in problems] == ["max_items"]


def test_a_warning_without_a_reason_is_refused_with_its_message_and_source():
    outcome = check({"months": 3, "sessions": 1, "_confirmations": {"WARN-02": "   "}})
    code, items = outcome.refusal
    assert code == "confirmation_required" and outcome.data is None
    assert items == [
        {"field": "/months", "code": "WARN-01", "message": "Usually no more than 2 months",
         "source": ["dip-condition-operational-guidelines.txt §4.6.4"]},
        {"field": "/sessions", "code": "WARN-02", "message": "Usually two sessions or more",
         "source": ["assumption"]}]


def test_errors_come_before_warnings_and_malformed_confirmations_before_both():
    code, items = check({"months": 13, "sessions": 1}).refusal
    assert code == "invalid" and [i["code"] for i in items] == ["REF-01"]
    code, _ = check({"months": 13, "_confirmations": []}).refusal
    assert code == "bad_request"


def test_confirmed_warnings_are_kept_with_their_reasons_and_others_left_out():
    outcome = check({"months": 3, "sessions": 2,
                     "_confirmations": {"WARN-01": "CPS set 3 months", "WARN-02": "unused"}})
    assert outcome.refusal is None
    assert outcome.data == {"months": 3, "sessions": 2, "_confirmations": [
        {"rule": "WARN-01", "field": "/months", "message": "Usually no more than 2 months",
         "source": ["dip-condition-operational-guidelines.txt §4.6.4"],
         "reason": "CPS set 3 months"}]}
    assert [w["code"] for w in outcome.warnings] == ["WARN-01"]
    assert c.stored_view(outcome.data) == ({"months": 3, "sessions": 2},
                                           outcome.data["_confirmations"])


def test_answers_with_no_warnings_are_stored_as_sent_without_the_key():
    outcome = check({"months": 1, "sessions": 2, "_confirmations": {"WARN-01": "just in case"}})
    assert outcome.refusal is None and outcome.data == {"months": 1, "sessions": 2}
    assert c.stored_view(outcome.data) == ({"months": 1, "sessions": 2}, [])
