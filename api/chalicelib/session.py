"""Local sign-in (`POST /v1/session`): a user id and password -> a local token for
settings.session_seconds (8 hours), the lifetime `dipforms token` is held to as well.

Failed attempts are limited per user id and per client address (kept in the users file):
the address is the connection's peer on one machine (localserver.py), so a flood of
guesses from one client locks out that client, not everyone.
A wrong password, an unknown or disabled user and a user without a password all get the
same 401. Never logs or returns a password; offered only when settings.auth is 'local'.
"""

from __future__ import annotations

import datetime
from typing import Any

from .contract import codes
from .domain.results import Done, Refused, Result
from .settings import Settings
from .tokens import ensure_local_secret, mint_local_token
from .users import AttemptLimits, UserDirectory

LIMITS = AttemptLimits(per_user=5, per_address=20, window_seconds=15 * 60)


def offered(settings: Settings) -> bool:
    """Sign-in here only on one machine; with Cognito the hosted UI signs people in."""
    return settings.auth == "local"


def sign_in(settings: Settings, request: Any, address: str | None, now: float) -> Result:
    problems = _problems(request)
    if problems:
        return Refused("bad_request", problems)
    user_id = request["user"].strip().lower()
    directory = UserDirectory.in_data_dir(settings.data_dir)
    attempt = directory.begin_attempt(user_id, address or "unknown", now, LIMITS)
    if not attempt.allowed:
        return Refused("too_many_attempts", retry_after=attempt.retry_after)
    if not directory.check_password(user_id, request["password"]):
        return Refused("sign_in_failed")
    user = directory.get(user_id)
    if user is None:      # removed between the two reads
        return Refused("sign_in_failed")
    directory.attempt_succeeded(attempt, user_id)
    issued, lifetime = int(now), settings.session_seconds
    token = mint_local_token(ensure_local_secret(settings.data_dir), subject=user.user_id,
                             role=user.role, agency=user.agency, now=issued,
                             ttl_seconds=lifetime)
    expires = datetime.datetime.fromtimestamp(issued + lifetime, datetime.UTC)
    return Done({"token": token, "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "user": {"id": user.user_id, "role": user.role, "agency": user.agency}})


def _problems(request: Any) -> list[dict[str, str]]:
    """What is missing from {user, password}; the values themselves are never echoed."""
    if not isinstance(request, dict):
        request = {}
    problems = []
    user, password = request.get("user"), request.get("password")
    if not isinstance(user, str) or not user.strip():
        problems.append({"field": "/user", "code": codes.REQUIRED,
                         "message": "Enter your user ID"})
    if not isinstance(password, str) or not password:
        problems.append({"field": "/password", "code": codes.REQUIRED,
                         "message": "Enter your password"})
    return problems
