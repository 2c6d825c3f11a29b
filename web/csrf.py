"""The token every form posted without JavaScript carries while signed in (docs/headers.md).

It is an HMAC of the session cookie under a key the page server draws when it starts: tied
to one session (a new sign-in gives a new token), kept nowhere on the server, and unknown
to another site, which can neither read the cookie (HttpOnly) nor the pages. A restart
draws a new key, so a page shown before it asks once more (pageflow.py, nojs.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

FIELD = "_csrf"


class CsrfTokens:
    def __init__(self, key: bytes):
        if len(key) < 32:
            raise ValueError("the CSRF key must be at least 32 bytes")
        self._key = key

    def token(self, session: str) -> str:
        digest = hmac.new(self._key, b"dipforms-csrf\x00" + session.encode("utf-8"),
                          hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def valid(self, session: str | None, posted: str | None) -> bool:
        """Whether `posted` is the token of `session` (compared in constant time)."""
        if not session or not posted:
            return False
        return hmac.compare_digest(self.token(session), posted)
