"""The rule evaluator compiles each expression once (rules.compiled) and keeps it by the
expression object: the same object is not compiled again, another object (a changed
catalogue's rule, even one equal to it) is compiled afresh, and the store of them is
bounded."""

from __future__ import annotations

import datetime

import pytest
from chalicelib.domain import rules

TODAY = datetime.date(2026, 12, 7)


def test_the_same_expression_is_compiled_once():
    expr = {"op": ">", "args": [{"field": "count"}, {"lit": 2}]}
    first = rules.compiled(expr)
    assert rules.compiled(expr) is first
    assert rules.holds(expr, {"count": 3}, today=TODAY)
    assert not rules.holds(expr, {"count": 1}, today=TODAY)


def test_a_new_expression_object_is_compiled_afresh_though_equal_or_at_the_same_id():
    old = {"op": "==", "args": [{"field": "a"}, {"lit": "x"}]}
    assert rules.holds(old, {"a": "x"}, today=TODAY)
    equal = {"op": "==", "args": [{"field": "a"}, {"lit": "x"}]}
    assert rules.compiled(equal) is not rules.compiled(old)
    stale = rules._COMPILED[id(old)]
    del old      # its id may be given to the next object: the entry is checked by identity
    changed = {"op": "==", "args": [{"field": "a"}, {"lit": "y"}]}
    rules._COMPILED[id(changed)] = stale    # as if `changed` took the freed id
    assert rules.holds(changed, {"a": "y"}, today=TODAY)
    assert not rules.holds(changed, {"a": "x"}, today=TODAY)


def test_the_compiled_store_starts_again_past_its_bound(monkeypatch):
    monkeypatch.setattr(rules, "COMPILED_MOST", 3)
    monkeypatch.setattr(rules, "_COMPILED", {})
    exprs = [{"lit": n} for n in range(5)]
    for n, expr in enumerate(exprs):
        assert rules.evaluate(expr, {}, today=TODAY) == n
        assert len(rules._COMPILED) <= 3


def test_an_unknown_function_fails_only_when_reached():
    guarded = {"op": "and", "args": [{"lit": False},
                                     {"call": "no_such_function", "args": []}]}
    assert rules.evaluate(guarded, {}, today=TODAY) is False
    reached = {"op": "or", "args": [{"lit": False},
                                    {"call": "no_such_function", "args": []}]}
    with pytest.raises(ValueError, match="no_such_function"):
        rules.evaluate(reached, {}, today=TODAY)
