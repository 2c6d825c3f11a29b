"""A record is judged as of the day it was made: an MG14 made on the examples' day and
corrected thirty days later keeps passing its "today or later" rules, through the API on
both backends and through checks.js, while a new record that day is judged by the clock.
A rule marked `as_of: now` is judged by the clock even on an amendment."""

from __future__ import annotations

import datetime
import json

import pytest
from chalicelib.catalogue import FormSchema
from chalicelib.domain.validation import compile_validator, validate

from tests.examples import DEFAULT_TODAY, example_data
from tests.functional.test_checks_js import SCHEMAS, api_answer, needs_node, run_checks
from tests.yaml_cases import build_yaml, diagnostics, fields_form

LATER = DEFAULT_TODAY + datetime.timedelta(days=30)
CONTACT_BY = "The contact-by date must be today or in the future"
OFFENCE = "Date of the offence must be today or in the past"


def _message(response, field: str) -> list[str]:
    body = json.loads(response.body)
    return [e["message"] for e in body.get("errors", []) if e["field"] == field]


def test_a_record_corrected_thirty_days_later_is_judged_as_of_the_day_it_was_made(api):
    mg14 = example_data("mg14")
    made = api.submit("mg14", mg14)
    assert made.status_code == 201, made.body
    record_id = json.loads(made.body)["record"]["id"]

    api.runtime.clock.advance(days=30)            # contact-by (4 December) has passed
    assert api.runtime.context.today() == LATER
    corrected = {**mg14, "surname": "Smyth"}
    amended = api.put(f"/v1/records/{record_id}",
                      {"data": corrected, "reason": "Surname misspelt", "base_version": 1})
    assert amended.status_code == 200, amended.body
    stored = json.loads(api.get(f"/v1/records/{record_id}").body)["record"]
    assert (stored["version"], stored["data"]["surname"]) == (2, "Smyth")

    # as of the day it was made, not the day of the amendment: an offence dated after the
    # record was made is refused, though it is before the day the record is corrected
    later_offence = {**corrected, "offences": [{**mg14["offences"][0],
                                                "offence_date": "2026-12-01"}]}
    refused = api.put(f"/v1/records/{record_id}", {"data": later_offence, "base_version": 2,
                                                   "reason": "Offence date"})
    assert refused.status_code == 422
    assert _message(refused, "/offences/0/offence_date") == [OFFENCE]

    # a new record made that day is judged by the clock: its contact-by date has passed
    fresh = api.submit("mg14", mg14)
    assert fresh.status_code == 422
    assert _message(fresh, "/contact_by_date") == [CONTACT_BY]


def test_the_second_amendment_is_still_judged_as_of_the_first_version(api):
    mg14 = example_data("mg14")
    record_id = json.loads(api.submit("mg14", mg14).body)["record"]["id"]
    for version, days in ((1, 10), (2, 40)):
        api.runtime.clock.advance(days=days)
        answer = api.put(f"/v1/records/{record_id}", {
            "data": {**mg14, "surname": f"Smyth{version}"}, "base_version": version,
            "reason": "Typing error"})
        assert answer.status_code == 200, answer.body


@needs_node
def test_the_pages_judge_an_amendment_as_the_api_does():
    form = SCHEMAS["mg14"]
    corrected = {**example_data("mg14"), "surname": "Smyth"}
    as_made = {"today": LATER.isoformat(), "made": DEFAULT_TODAY.isoformat()}
    as_new = {"today": LATER.isoformat()}
    pages = run_checks({"mg14": form.schema}, [
        {"schema": "mg14", "data": corrected, "options": as_made},
        {"schema": "mg14", "data": corrected, "options": as_new}])
    api = [api_answer(form, corrected, LATER, made_on=DEFAULT_TODAY),
           api_answer(form, corrected, LATER)]
    assert pages == api
    assert pages[0] == {"errors": [], "warnings": []}
    assert [e["message"] for e in pages[1]["errors"]] == [CONTACT_BY]


REVIEW_FORM = fields_form("""
    - id: review_on
      type: date
      label: Review date
    """, """
    - id: review_on_ahead
      field: review_on
      check: "review_on >= today()"
      as_of: now
      message: The review date must be today or later
      source: assumption
    - id: review_on_made
      field: review_on
      check: "review_on >= today()"
      message: The review date must be on or after the day the record was made
      source: assumption
    """)


def _review_form() -> FormSchema:
    result = build_yaml(REVIEW_FORM)
    assert result.ok, [d.headline() for d in result.diagnostics]
    schema = json.loads(result.schemas["t/1.0.schema.json"])
    return FormSchema("t", "1.0", schema)


@needs_node
def test_a_rule_marked_as_of_now_is_judged_by_the_clock_even_on_an_amendment():
    form = _review_form()
    assert [r.get("as_of") for r in form.schema["x-dipforms-rules"]] == ["now", None]
    review = {"review_on": (DEFAULT_TODAY + datetime.timedelta(days=10)).isoformat()}
    errors, _ = validate(form.schema, compile_validator(form.schema), review, today=LATER,
                         made_on=DEFAULT_TODAY)
    assert [e.code for e in errors] == ["review_on_ahead"]   # as of now only
    pages = run_checks({"t": form.schema}, [{"schema": "t", "data": review, "options": {
        "today": LATER.isoformat(), "made": DEFAULT_TODAY.isoformat()}}])
    assert pages == [api_answer(form, review, LATER, made_on=DEFAULT_TODAY)]


@pytest.mark.parametrize(("value", "expected"), [
    ("then", ["F009"]), ("made", []), ("now", [])])
def test_as_of_takes_made_or_now(value, expected):
    form = REVIEW_FORM.replace("as_of: now", f"as_of: {value}")
    assert [found.split()[1] for found in diagnostics(form)] == expected
