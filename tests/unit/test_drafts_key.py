"""Draft keys (api/chalicelib/drafts.py): one stable key per user, different between users,
derived from the stage's secret, never from what the browser holds."""

from __future__ import annotations

import base64
import hashlib

import pytest
from chalicelib.drafts import DraftKeysUnavailable, draft_key, draft_secret
from chalicelib.settings import Settings, load_settings

SECRET = b"s" * 48


def raw(key: dict[str, str]) -> bytes:
    return base64.urlsafe_b64decode(key["key"] + "=" * (-len(key["key"]) % 4))


def test_a_user_gets_the_same_256_bit_key_every_time_and_another_user_another():
    first, again, other = draft_key(SECRET, "pc_jones"), draft_key(SECRET, "pc_jones"), \
        draft_key(SECRET, "cjit_smith")
    assert first == again
    assert len(raw(first)) == 32
    assert raw(first) != raw(other) and first["key_id"] != other["key_id"]
    assert first["key_id"] == hashlib.sha256(raw(first)).hexdigest()[:16]
    assert "pc_jones" not in first["key_id"]


def test_rotating_the_secret_changes_every_key():
    assert draft_key(SECRET, "pc_jones") != draft_key(b"t" * 48, "pc_jones")


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError, match="at least 32 bytes"):
        draft_key(b"short", "pc_jones")


def test_one_machine_makes_a_private_secret_file_once(tmp_path):
    settings = Settings(data_dir=tmp_path)
    secret = draft_secret(settings)
    assert draft_secret(settings) == secret
    path = tmp_path / "draft-secret"
    assert path.stat().st_mode & 0o777 == 0o600
    from chalicelib.tokens import ensure_local_secret

    assert ensure_local_secret(tmp_path) != secret   # not the token-signing secret


def test_aws_stages_need_the_configured_secret(tmp_path):
    settings = Settings(data_dir=tmp_path, auth="cognito")
    with pytest.raises(DraftKeysUnavailable):
        draft_secret(settings)
    configured = load_settings({"DIPFORMS_AUTH": "cognito", "DIPFORMS_DATA_DIR": str(tmp_path),
                                "DIPFORMS_DRAFT_SECRET": "x" * 40})
    assert draft_secret(configured) == b"x" * 40     # read by settings.py, not drafts.py
    assert not (tmp_path / "draft-secret").exists()
