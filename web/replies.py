"""What the page server answers a post without JavaScript, before serve.py turns it into
HTTP: a page, or a redirect, maybe with the session cookie."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from generator.render.site import site_path

COOKIE = "dipforms_session"


@dataclass(frozen=True)
class Reply:
    """What to answer: a page (`html`), or a redirect to `location` (303); `cookie` is a
    Set-Cookie value."""

    status: int
    html: str = ""
    location: str | None = None
    cookie: str | None = None


def session_cookie(token: str, max_age: int | None) -> str:
    """The session cookie: scripts cannot read it, other sites' requests do not carry it.
    It ends with the session (`max_age`, the seconds the token has left), or, when that is
    not known, with the browser; the token in it expires on its own time either way."""
    ends = "" if max_age is None else f"; Max-Age={max(0, max_age)}"
    return f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{ends}"


CLEARED = session_cookie("", 0)


def to_sign_in(lang: str, back_to: str) -> Reply:
    where = quote(back_to, safe="")   # as the page script writes it (encodeURIComponent)
    return Reply(303, location=f"/{site_path(lang, 'sign-in.html')}?next={where}")
