"""generator/jsontext.dump_json writes the bytes json.dumps(indent=2, sort_keys=True,
ensure_ascii=False) writes, for any JSON value the build makes; a key that is not text (which
json.dumps would turn into text) is refused, as is what json.dumps refuses."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import build_project
from generator.jsontext import dump_json
from tests.yaml_cases import BASE_FILES


def reference(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.tuples(inner, inner) | st.dictionaries(st.text(), inner, max_size=4),
                      max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_any_json_value_is_written_as_json_dumps_writes_it(value):
    assert dump_json(value) == reference(value)


@pytest.mark.parametrize("value", [
    {}, [], (), {"a": {}, "b": [], "c": [{}]}, "£40 — Cymraeg: ŵ ŷ", "\u2028 \x00 \" \\ \n",
    {"z": 1, "a": True, "m": None, "é": 1.5, "A": -0.0}, [1e300, 1e-300, 2**70, -(2**70)],
    math.inf, -math.inf, [True, 1, False, 0]])
def test_the_edges_json_dumps_has(value):
    assert dump_json(value) == reference(value)


def test_nan_is_written_as_json_dumps_writes_it():
    assert dump_json([math.nan]) == reference([math.nan]) == "[\n  NaN\n]\n"


def test_every_output_of_a_build_is_written_as_json_dumps_writes_it():
    result = build_project(dict(BASE_FILES), {})
    assert result.ok
    outputs = {**result.schemas, **result.generated}
    assert outputs
    for path, text in outputs.items():
        if path.endswith(".json"):
            assert text == reference(json.loads(text)), path


@pytest.mark.parametrize("value", [{1: "a"}, {None: 1}, {"a": object()}, [b"bytes"], {1, 2}])
def test_what_is_not_json_here_is_refused(value):
    with pytest.raises(TypeError):
        dump_json(value)
