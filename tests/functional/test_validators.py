"""jsonschema-rs (`FormSchema.fast`, the verdict) and jsonschema (`FormSchema.detailed`, the
field errors) must agree on valid or not, schema only, for every example submission and for
a few hundred variants of each form's valid examples, made where the two could differ."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalicelib.catalogue import Catalogue

from tests.examples import DEFAULT_TODAY, load_examples

EXAMPLES = load_examples()
FORM_IDS = sorted({e.form for e in EXAMPLES})
MIN_VARIANTS_PER_FORM = 200
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EMAIL_EDGES = ("a@", "@example.org", "a b@example.org", "a@@example.org", "a@b..org",
               "a@-b.org", "a@b", "a@[192.0.2.1]")
DATE_EDGES = ("2026-02-30", "2026-02-29", "2024-02-29", "2026-13-01", "2026-1-5", "20261120",
              "2026-11-20T10:00")


@pytest.fixture(scope="module")
def catalogue(generated) -> Catalogue:
    """The repo's forms built by write_generated (conftest), as the API loads them."""
    return Catalogue(generated)


def pointer(path: tuple) -> str:
    return "".join(f"/{p}" for p in path)


def _set(data: Any, path: tuple, value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _remove(data: Any, path: tuple) -> Any:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return out


def _leaves(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every value in a submission, with its path, the root included."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))


def _string_edges(text: str) -> list[Any]:
    """'' and a wrong type for any string; then the cases regex dialects and format
    checkers treat differently: a trailing newline (Python's `$`), non-ASCII digits
    (Python's `\\d`), impossible dates, and addresses only a strict email check refuses."""
    edges: list[Any] = ["", 7, None, text + "\n", " " + text]
    last_digit = max((i for i, c in enumerate(text) if c in "0123456789"), default=None)
    if last_digit is not None:  # one digit, so literal digits elsewhere still match
        edges.append(text[:last_digit] + text[last_digit].translate(ARABIC_DIGITS)
                     + text[last_digit + 1:])
    if len(text) == 10 and text[4:5] == "-" and text[7:8] == "-":
        edges.extend(DATE_EDGES)
    if "@" in text:
        edges.extend(EMAIL_EDGES)
    return edges


def variants(data: dict) -> Iterator[tuple[str, Any]]:
    """(description, submission): one change each to a valid submission."""
    for path, value in _leaves(data):
        where = pointer(path)
        if path:
            yield f"remove {where}", _remove(data, path)
        if isinstance(value, dict):
            yield f"add {where}/zz_unknown", _set(data, (*path, "zz_unknown"), "x")
            if path:
                yield f"{where} = []", _set(data, path, [])
        elif isinstance(value, list):
            changes: list[Any] = [[], {}, "x"]
            if value:
                changes.append([*value, value[0]])  # a duplicate (uniqueItems)
            yield from ((f"{where} = {json.dumps(c)[:60]}", _set(data, path, c))
                        for c in changes)
        elif isinstance(value, bool):
            yield from ((f"{where} = {json.dumps(c)}", _set(data, path, c))
                        for c in (not value, 1, 0, "true", None))
        elif isinstance(value, int | float):
            yield from ((f"{where} = {json.dumps(c)}", _set(data, path, c))
                        for c in (value + 0.5, float(value), -1, 10**6, str(value), True))
        elif isinstance(value, str):
            yield from ((f"{where} = {json.dumps(c, ensure_ascii=False)}", _set(data, path, c))
                        for c in _string_edges(value))


def _verdicts(form, data: Any) -> tuple[bool, bool]:
    return form.fast.is_valid(data), form.detailed.is_valid(data)


def _disagreement(form_id: str, what: str, fast: bool, detailed: bool) -> str:
    def word(ok: bool) -> str:
        return "valid" if ok else "invalid"

    return f"{form_id}: {what}: jsonschema-rs {word(fast)}, jsonschema {word(detailed)}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_both_validators_give_the_same_verdict_on_every_example(catalogue, example):
    fast, detailed = _verdicts(catalogue.current(example.form), example.data)
    assert fast == detailed, _disagreement(example.form, example.id, fast, detailed)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_on_variants_the_app_refuses_whatever_the_standard_validator_refuses(catalogue,
                                                                             form_id):
    """jsonschema-rs follows JSON Schema's regex dialect (ECMA-262) and formats; Python's
    `re` lets `$` match before a final newline and `\\d` take any script's digits, and
    jsonschema's email check only looks for '@'. So jsonschema may accept what jsonschema-rs
    refuses, never the other way round, and the app (check_answers) then still refuses it,
    naming the field."""
    from chalicelib.records import check_answers

    form = catalogue.current(form_id)
    seen: set[str] = set()
    stricter_python: list[str] = []
    for example in (e for e in EXAMPLES if e.form == form_id and e.expect is None):
        for what, data in variants(example.data):
            canonical = json.dumps(data, sort_keys=True)
            if canonical in seen:
                continue
            seen.add(canonical)
            fast, detailed = _verdicts(form, data)
            label = _disagreement(form_id, f"{example.name} with {what}", fast, detailed)
            if fast and not detailed:
                stricter_python.append(label)
            if not fast:
                errors, _ = check_answers(form, data, DEFAULT_TODAY)
                assert errors, label  # refused, with the fields named
                assert all(e.field.startswith("/") or e.field == "" for e in errors), label
    assert len(seen) >= MIN_VARIANTS_PER_FORM, f"only {len(seen)} variants of {form_id}"
    assert stricter_python == []


def test_the_variants_reach_what_the_validators_could_differ_on():
    """The generator itself: a date, an email and a pattern each get their edge cases."""
    data = {"when": "2026-11-20", "email": "a@example.org", "flag": True, "n": 2,
            "items": [{"x": "y"}]}
    made = dict(variants(data))
    assert made["/when = \"2026-02-30\""]["when"] == "2026-02-30"
    assert made["/email = \"a@\""]["email"] == "a@"
    assert made["/when = \"2026-11-20\\n\""]["when"] == "2026-11-20\n"
    assert made["/when = \"2026-11-2٠\""]["when"] == "2026-11-2٠"
    assert "flag" not in made["remove /flag"]
    assert made["add /items/0/zz_unknown"]["items"][0] == {"x": "y", "zz_unknown": "x"}
    assert made["/n = 2.5"]["n"] == 2.5
    assert data == {"when": "2026-11-20", "email": "a@example.org", "flag": True, "n": 2,
                    "items": [{"x": "y"}]}
