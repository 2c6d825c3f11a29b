"""Every example submission is accepted or rejected by its form's schema as it expects,
with the field pointer and the message written in the YAML."""

from __future__ import annotations

import json

import pytest
from chalicelib.domain.validation import compile_validator, validate

from tests.examples import ROOT, load_examples

EXAMPLES = load_examples()
MANIFEST = json.loads((ROOT / "schemas" / "manifest.json").read_text())
FORMS = {f["id"]: f for f in MANIFEST["forms"]}


def _schema(form_id: str) -> dict:
    entry = FORMS[form_id]
    path = ROOT / "schemas" / f"{form_id}/{entry['current_version']}.schema.json"
    return json.loads(path.read_text())


_VALIDATORS: dict[str, tuple] = {}


def _check(example):
    if example.form not in _VALIDATORS:
        schema = _schema(example.form)
        _VALIDATORS[example.form] = (schema, compile_validator(schema))
    schema, validator = _VALIDATORS[example.form]
    return validate(schema, validator, example.data, today=example.today)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_example(example):
    errors, warnings = _check(example)
    if example.expect is None:
        assert [e.as_json() for e in errors] == []
    else:
        found = tuple(sorted((e.field, e.message) for e in errors + warnings))
        assert found == example.expect


def test_every_form_has_valid_and_invalid_examples():
    for form_id in FORMS:
        names = [e.name for e in EXAMPLES if e.form == form_id]
        assert any(n.startswith("valid/") for n in names), form_id
        assert sum(n.startswith("invalid/") for n in names) >= 3, form_id
