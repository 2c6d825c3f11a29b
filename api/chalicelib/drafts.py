"""Draft keys: the key a page encrypts the signed-in user's drafts with on the device.

The pages keep unsent answers in the browser's localStorage encrypted with AES-GCM. The
key is not kept beside them: it is derived here, HMAC-SHA256(draft secret, purpose +
user id), and handed to the signed-in tab, which holds it in sessionStorage until sign-out
or the tab closes. The same user gets the same key after signing in again, so a draft
survives a closed tab; another person on the same browser gets another key and cannot
read it. Rotating the secret makes every old draft unreadable (they then expire).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

from .settings import Settings

SECRET_FILE = "draft-secret"
PURPOSE = b"dipforms draft key v1\x00"
MIN_SECRET_BYTES = 32


class DraftKeysUnavailable(Exception):
    """No draft secret is configured for this stage (AWS: DIPFORMS_SECRET_ARN)."""


def draft_key(secret: bytes, user_id: str) -> dict[str, str]:
    """{key: 32 bytes base64url, key_id: 16 hex}; key_id names the user's drafts on the
    device without naming the user."""
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the draft secret must be at least {MIN_SECRET_BYTES} bytes")
    key = hmac.new(secret, PURPOSE + user_id.encode("utf-8"), hashlib.sha256).digest()
    return {"key": base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii"),
            "key_id": hashlib.sha256(key).hexdigest()[:16]}


def draft_secret(settings: Settings) -> bytes:
    """The stage's secret: settings.draft_secret (in AWS derived from the stage's secret,
    stage_config.py; or DIPFORMS_DRAFT_SECRET, at least 32 bytes of text) or, on one
    machine, `<data dir>/draft-secret` made on first use (mode 0600)."""
    if settings.draft_secret:
        return settings.draft_secret.encode("utf-8")
    if settings.auth != "local":
        raise DraftKeysUnavailable("no draft secret: set DIPFORMS_SECRET_ARN (or "
                                   "DIPFORMS_DRAFT_SECRET) for this stage")
    from .tokens import ensure_local_secret

    return ensure_local_secret(Path(settings.data_dir), SECRET_FILE)
