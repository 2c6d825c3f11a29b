"""Signing in on one machine, and the key a user's drafts are encrypted with."""

from __future__ import annotations

from ..domain.results import Done, Refused
from ..runtime import runtime
from .area import Area

area = Area("session")


@area.route("/v1/session", methods=("POST",), public=True)
def sign_in():
    """Local sign-in for the pages: {user, password} -> a token (not offered with Cognito)."""
    from .. import session

    settings = runtime().settings
    if not session.offered(settings):
        return Refused("not_found")
    data = area.json_body()
    return session.sign_in(settings, data, area.source_ip(), runtime().clock.now().timestamp())


@area.route("/v1/draft-key")
def draft_key(who):
    """The key this user's drafts are encrypted with on the device (chalicelib/drafts.py)."""
    from .. import drafts

    try:
        secret = drafts.draft_secret(runtime().settings)
    except drafts.DraftKeysUnavailable:
        area.log.error("draft keys: no draft secret for this stage (DIPFORMS_SECRET_ARN)")
        return Refused("unavailable")
    return Done(drafts.draft_key(secret, who.user_id))


@area.route("/v1/session", methods=("GET",))
def who_am_i(who):
    """Who the token names, as the pages show it: the user, the role, the agency's name,
    and the forms the role may submit and read (protocol.yaml `access:`)."""
    from ..domain.whoami import who_am_i as answer

    ctx = runtime().context
    return Done(answer(who, ctx.policy, ctx.catalogue.protocol))
