"""Local passwords (issue 15, finding 15): new hashes Argon2id at OWASP's parameters, an old
scrypt (N=2^14) hash verified and upgraded at the next successful sign-in, and nothing else."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3

from argon2 import PasswordHasher
from chalicelib import passwords
from chalicelib.users import UserDirectory

PASSWORD = "correct horse battery staple"
JSON = {"Content-Type": "application/json"}


def old_scrypt_hash(password: str) -> str:
    """A hash as users.py made them before: scrypt, N=2^14, r=8, p=1."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    return f"scrypt$16384$8$1${b64(salt)}${b64(digest)}"


def stored_hash(users: UserDirectory, user_id: str) -> str:
    with sqlite3.connect(users.path) as db:
        return db.execute("SELECT password_hash FROM users WHERE user_id = ?",
                          (user_id,)).fetchone()[0]


def set_hash(users: UserDirectory, user_id: str, value: str) -> None:
    with sqlite3.connect(users.path) as db:
        db.execute("UPDATE users SET password_hash = ? WHERE user_id = ?", (value, user_id))


def parameters(stored: str) -> dict[str, int]:
    _, scheme, _, params, _, _ = stored.split("$")
    assert scheme == "argon2id"
    return {k: int(v) for k, v in (part.split("=") for part in params.split(","))}


def test_new_hashes_are_argon2id_at_least_at_owasps_minimum():
    made = passwords.hash_password(PASSWORD)
    found = parameters(made)
    assert found["m"] >= 19 * 1024 and found["t"] >= 2 and found["p"] >= 1
    assert passwords.password_matches(PASSWORD, made)
    assert not passwords.password_matches(PASSWORD + "!", made)
    assert not passwords.needs_upgrade(made)
    assert passwords.needs_upgrade(old_scrypt_hash(PASSWORD))
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    assert passwords.password_matches(PASSWORD, weaker) and passwords.needs_upgrade(weaker)
    for unreadable in ("", "plain", "scrypt$x$8$1$a$b", "$argon2id$garbage", "md5$abc"):
        assert not passwords.password_matches(PASSWORD, unreadable)


def test_an_old_scrypt_hash_is_upgraded_at_the_next_successful_sign_in(tmp_path):
    users = UserDirectory.in_data_dir(tmp_path)
    users.add("pc_jones", "police", "northshire_police", PASSWORD)
    old = old_scrypt_hash(PASSWORD)
    set_hash(users, "pc_jones", old)
    assert not users.check_password("pc_jones", "not the password at all")
    assert stored_hash(users, "pc_jones") == old              # a failure changes nothing
    assert users.check_password("pc_jones", PASSWORD)
    upgraded = stored_hash(users, "pc_jones")
    assert upgraded.startswith("$argon2id$") and parameters(upgraded)["m"] >= 19 * 1024
    assert users.check_password("pc_jones", PASSWORD)
    assert stored_hash(users, "pc_jones") == upgraded         # upgraded once


def test_a_disabled_user_with_an_old_hash_is_neither_let_in_nor_upgraded(tmp_path):
    users = UserDirectory.in_data_dir(tmp_path)
    users.add("pc_jones", "police", "northshire_police", PASSWORD)
    old = old_scrypt_hash(PASSWORD)
    set_hash(users, "pc_jones", old)
    users.disable("pc_jones")
    assert not users.check_password("pc_jones", PASSWORD)
    assert stored_hash(users, "pc_jones") == old


def test_sign_in_through_the_api_upgrades_the_hash(api):
    users = UserDirectory.in_data_dir(api.runtime.settings.data_dir)
    users.add("jo.worker", "cjit", "northshire_cjit", PASSWORD)
    set_hash(users, "jo.worker", old_scrypt_hash(PASSWORD))
    response = api.client.http.post("/v1/session", headers=JSON,
                                    body=json.dumps({"user": "jo.worker",
                                                     "password": PASSWORD}))
    assert response.status_code == 200
    assert stored_hash(users, "jo.worker").startswith("$argon2id$")
