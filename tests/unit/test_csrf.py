"""The CSRF token of the forms posted without JavaScript (web/csrf.py): one per session and
server key, unguessable without both, checked in constant time."""

from __future__ import annotations

import pytest

from web.csrf import CsrfTokens

KEY, OTHER_KEY = b"k" * 32, b"o" * 32


def test_a_token_belongs_to_one_session_and_one_key():
    tokens = CsrfTokens(KEY)
    mine = tokens.token("session-a")
    assert mine == tokens.token("session-a") and len(mine) == 43 and "=" not in mine
    assert mine != tokens.token("session-b")
    assert mine != CsrfTokens(OTHER_KEY).token("session-a")     # a restart draws a new key
    assert "session-a" not in mine


def test_only_the_sessions_own_token_is_valid():
    tokens = CsrfTokens(KEY)
    mine = tokens.token("session-a")
    assert tokens.valid("session-a", mine)
    for session, posted in (("session-b", mine), ("session-a", ""), ("session-a", None),
                            (None, mine), ("", mine), ("session-a", mine[:-1]),
                            ("session-a", CsrfTokens(OTHER_KEY).token("session-a"))):
        assert not tokens.valid(session, posted), (session, posted)


def test_a_short_key_is_refused():
    with pytest.raises(ValueError):
        CsrfTokens(b"short")
