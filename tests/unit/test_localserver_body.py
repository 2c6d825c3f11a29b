"""localserver.py's reading of a request on one machine: the body's length from its
headers alone, and a repeated header kept whole."""

from __future__ import annotations

import pytest
from chalicelib.localserver import BodyRefused, declared_length, joined_headers


@pytest.mark.parametrize(("method", "headers", "expected"), [
    ("POST", [("Content-Length", "12")], 12),
    ("PUT", [("content-length", " 0 ")], 0),
    ("GET", [], 0),
    ("POST", [("Content-Length", "7"), ("Content-Length", "7")], 7),  # repeated, the same
])
def test_a_sound_length(method, headers, expected):
    assert declared_length(method, headers, 100) == expected


@pytest.mark.parametrize(("method", "headers", "code"), [
    ("POST", [], "bad_request"),
    ("PATCH", [], "bad_request"),
    ("POST", [("Content-Length", "-1")], "bad_request"),
    ("POST", [("Content-Length", "abc")], "bad_request"),
    ("POST", [("Content-Length", "")], "bad_request"),
    ("POST", [("Content-Length", "١٢")], "bad_request"),  # digits, but not ASCII ones
    ("POST", [("Content-Length", "5"), ("Content-Length", "6")], "bad_request"),
    ("POST", [("Transfer-Encoding", "chunked")], "bad_request"),
    ("GET", [("Transfer-Encoding", "chunked")], "bad_request"),
    ("POST", [("Content-Length", "101")], "too_large"),
    ("POST", [("Content-Length", "9" * 5000)], "too_large"),
])
def test_a_refused_length(method, headers, code):
    with pytest.raises(BodyRefused) as refused:
        declared_length(method, headers, 100)
    assert refused.value.code == code


def test_a_repeated_header_is_joined_not_dropped():
    joined = joined_headers([("Authorization", "Bearer a"), ("authorization", "Bearer b"),
                             ("Content-Type", "application/json")])
    assert joined == {"Authorization": "Bearer a, Bearer b", "Content-Type": "application/json"}
    assert joined_headers({"X": "1"}) == {"X": "1"}
