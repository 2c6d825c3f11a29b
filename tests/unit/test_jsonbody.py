"""routes/jsonbody.py: the checks every JSON body passes before a route sees it."""

from __future__ import annotations

import json

from chalicelib.domain.results import Refused
from chalicelib.routes.jsonbody import parse, pointer, problem
from chalicelib.settings import MAX_JSON_DEPTH


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def test_nesting_up_to_the_limit_passes_and_one_more_is_refused():
    assert problem(nested(MAX_JSON_DEPTH)) is None
    refused = problem(nested(MAX_JSON_DEPTH + 1))
    assert refused.code == "bad_json" and refused.errors[0]["code"] == "too_deep"
    assert refused.errors[0]["field"] == "/0" * MAX_JSON_DEPTH


def test_parse_catches_the_parsers_own_recursion():
    deep = ("[" * 200_000 + "]" * 200_000).encode()
    refused = parse(deep)
    assert isinstance(refused, Refused) and refused.errors[0]["code"] == "too_deep"


def test_pointers_escape_tilde_and_slash():
    assert pointer("", "a/b~c") == "/a~1b~0c"
    refused = problem({"a/b": ["ok", "x\udc00"]})
    assert refused.errors[0]["field"] == "/a~1b/1"
    assert refused.errors[0]["code"] == "not_unicode"


def test_valid_text_numbers_and_names_pass():
    value = {"name": "Siân 😀 Ōtsuka", "n": 10 ** 40, "f": 1.5e300, "": [None, True]}
    assert parse(json.dumps(value).encode()) == value


def test_not_json_and_not_finite_are_refused():
    assert parse(b"NaN") == Refused("bad_json")
    assert parse(b"{") == Refused("bad_json")
    assert parse(b"\xff") == Refused("bad_json")
    assert parse(b'{"a": 1e400}').errors[0] == {**parse(b'{"a": 1e400}').errors[0],
                                                "field": "/a", "code": "max"}
