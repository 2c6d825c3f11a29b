"""Each field type: the values its schema accepts and rejects, and the message shown.

One row per case: the field's YAML, a value, and None (accepted) or the expected
(pointer, message). Values are validated through the same code the API uses.
"""

from __future__ import annotations

import datetime
import json
import textwrap

import pytest
from chalicelib.domain.validation import compile_validator, validate

from generator.fields import FIELD_TYPES
from tests.yaml_cases import build_yaml, fields_form

TODAY = datetime.date(2026, 11, 25)

CASES = {
    "text": ("{id: x, type: text, label: Surname, max_length: 5, required: true}", [
        ("Smith", None), ("Smithson", ("/x", "Surname must be 5 characters or fewer")),
        ("", ("/x", "Enter surname")), (7, ("/x", None)),
    ]),
    "longtext": ("{id: x, type: longtext, label: History, max_length: 10}", [
        ("line\nline", None), ("x" * 11, ("/x", "History must be 10 characters or fewer")),
    ]),
    "number": ("{id: x, type: number, label: Sessions, min: 1, max: 3, integer: true}", [
        (2, None), (4, ("/x", "Sessions must be 3 or less")),
        (1.5, ("/x", "Sessions must be a number")),
        (0, ("/x", "Sessions must be 1 or more")),
    ]),
    "date": ("{id: x, type: date, label: Date of arrest}", [
        ("2026-02-28", None), ("2026-02-30", ("/x", "Date of arrest must be a real date")),
        ("28/02/2026", ("/x", "Date of arrest must be a real date")),
    ]),
    "time": ("{id: x, type: time, label: Time of arrest}", [
        ("23:59", None), ("24:00", ("/x", "Enter time of arrest as a 24-hour time, like 14:30")),
    ]),
    "datetime": ("{id: x, type: datetime, label: Time of the test}", [
        ("2026-11-25T09:30", None),
        ("2026-11-25 09:30", ("/x", "Time of the test must be a real date and a 24-hour time")),
    ]),
    "yesno": ("{id: x, type: yesno, label: 'Admitted the offence?'}", [
        (True, None), (False, None), ("yes", ("/x", "Select yes or no")),
    ]),
    "choice": ("{id: x, type: choice, label: Class of offence, codelist: offence_class}", [
        ("summary", None), ("felony", ("/x", "Select class of offence from the list")),
    ]),
    "multichoice": ("{id: x, type: multichoice, label: Classes, codelist: offence_class}", [
        (["summary", "either_way"], None), ([], ("/x", "Select classes")),
        (["summary", "summary"], ("/x", "Select classes from the list")),
    ]),
    "email": ("{id: x, type: email, label: Email}", [
        ("spoc@example.org", None),
        ("spoc.example.org", ("/x", "Enter an email address in the correct format, like "
                                    "name@example.com")),
    ]),
    "phone": ("{id: x, type: phone, label: Phone}", [
        ("01632 960 001", None), ("+44 7700 900982", None),
        ("12345", ("/x", "Enter a UK phone number, like 01632 960 001 or 07700 900 982")),
    ]),
    "postcode": ("{id: x, type: postcode, label: Postcode}", [
        ("NE1 4ST", None), ("sw1a1aa", None),
        ("NE1", ("/x", "Enter a full UK postcode, like AA3 1AB")),
    ]),
    "name": ("{id: x, type: name, label: Offender's name}", [
        ({"given_names": "Jo", "family_name": "O'Brien-Smith"}, None),
        ({"given_names": "Jo"}, ("/x/family_name", "Enter the last name")),
        ({"given_names": "Jo", "family_name": "<b>"},
         ("/x/family_name", "Names must only include letters, spaces, hyphens and apostrophes")),
    ]),
    "address": ("{id: x, type: address, label: Home address}", [
        ({"line1": "1 High St", "town": "Newtown", "postcode": "NE1 4ST"}, None),
        ({"line1": "1 High St", "postcode": "NE1 4ST"}, ("/x/town", "Enter town or city")),
        ({"line1": "1 High St", "town": "Newtown", "postcode": "ZZZ"},
         ("/x/postcode", "Enter a full UK postcode, like AA3 1AB")),
    ]),
    "signature": ("{id: x, type: signature, label: the record, statement: I agree}", [
        ({"name": "Jo Bloggs", "role": "Offender", "date": "2026-11-25", "confirmed": True}, None),
        ({"name": "Jo Bloggs", "role": "Offender", "date": "2026-11-25", "confirmed": False},
         ("/x/confirmed", "Confirm the statement to sign")),
    ]),
    "attest": ("{id: x, type: attest, label: the warning was given, statement: I gave it}", [
        (True, None), (False, ("/x", "Confirm the warning was given")),
    ]),
    "reference": ("{id: x, type: reference, label: Case reference, form: mg14}", [
        ("CC-2026-000123", None),
        ("a b", ("/x", "Enter case reference using only letters, numbers, / and -")),
    ]),
    "repeat": ("""
        id: x
        type: repeat
        label: Offences
        item_label: offence
        min_items: 1
        max_items: 2
        fields:
          - {id: details, type: text, label: Details, required: true}
    """, [
        ([{"details": "Theft"}], None),
        ([], ("/x", "Add at least one offence")),
        ([{"details": "a"}, {"details": "b"}, {"details": "c"}],
         ("/x", "You can add up to 2 offences")),
        ([{}], ("/x/0/details", "Enter details")),
    ]),
}


def _field_yaml(snippet: str) -> str:
    snippet = snippet.strip()
    if snippet.startswith("{"):
        return f"- {snippet}\n"
    lines = textwrap.dedent("        " + snippet).splitlines()
    return "- " + "\n  ".join(line for line in lines if line) + "\n"


def _run(snippet: str, value):
    result = build_yaml(fields_form(_field_yaml(snippet)))
    assert result.ok, [d.headline() for d in result.diagnostics]
    schema = json.loads(result.schemas["t/1.0.schema.json"])
    errors, _ = validate(schema, compile_validator(schema), {"x": value}, today=TODAY)
    return [(e.field, e.message) for e in errors]


ROWS = [(name, snippet, value, expected)
        for name, (snippet, values) in CASES.items() for value, expected in values]


@pytest.mark.parametrize("type_name,snippet,value,expected", ROWS,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_field_type_accepts_and_rejects(type_name, snippet, value, expected):
    found = _run(snippet, value)
    if expected is None:
        assert found == []
    else:
        assert expected in found, found


def test_every_field_type_with_a_value_has_cases():
    with_values = {name for name, t in FIELD_TYPES.items() if t.has_value}
    assert with_values == set(CASES)


def test_content_stores_nothing():
    yaml = "- {id: warning, type: content, text: You may be prosecuted}\n"
    result = build_yaml(fields_form(yaml))
    schema = json.loads(result.schemas["t/1.0.schema.json"])
    assert "warning" not in schema["properties"]
