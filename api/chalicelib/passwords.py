"""Password hashes for local users: new ones Argon2id at OWASP's parameters, old scrypt ones
still verified and reported as due for an upgrade (the sign-in that proves the password
rehashes it). Never logs, returns or raises with a password or a hash in it.

OWASP Password Storage Cheat Sheet: "Use Argon2id with a minimum configuration of 19 MiB of
memory, an iteration count of 2, and 1 degree of parallelism"; scrypt, where Argon2id is not
to be had, at N=2^17, r=8, p=1. Hashes before December 2026 were scrypt at N=2^14.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MAX_PASSWORD_CHARS = 1024
ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM = 19 * 1024, 2, 1
SALT_BYTES, HASH_BYTES = 16, 32
#: The oldest scheme, verified only: `scrypt$n$r$p$salt$hash` (base64 without padding).
SCRYPT_MAXMEM = 256 * 1024 * 1024

_ARGON2 = PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB,
                         parallelism=ARGON2_PARALLELISM, hash_len=HASH_BYTES,
                         salt_len=SALT_BYTES, type=Type.ID)


def hash_password(password: str) -> str:
    """`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, with a fresh 16-byte salt."""
    return _ARGON2.hash(password)


def password_matches(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from (Argon2id or the old scrypt),
    compared in constant time. A hash that cannot be read matches nothing."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        password = ""     # still spend the same time
    if stored.startswith("$argon2id$"):
        try:
            return _ARGON2.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    if stored.startswith("scrypt$"):
        return _scrypt_matches(password, stored)
    return False


def needs_upgrade(stored: str) -> bool:
    """True for a hash not made as `hash_password` makes them now (scrypt, or Argon2id at
    other parameters): rehash it once the password has been proved."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _ARGON2.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@functools.cache
def dummy_hash() -> str:
    """What a missing, disabled or password-less user's attempt is checked against, so that
    every refusal costs one Argon2id like a wrong password does. Matches no password."""
    return _ARGON2.hash(base64.b64encode(os.urandom(32)).decode("ascii"))


def _scrypt_matches(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, expected = stored.split("$")
        n_, r_, p_ = int(n), int(r), int(p)
        if n_ > 2**20 or r_ > 16 or p_ > 4:
            return False
        salt_bytes, expected_bytes = _unb64(salt), _unb64(expected)
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt_bytes, n=n_, r=r_, p=p_,
                            maxmem=SCRYPT_MAXMEM, dklen=len(expected_bytes))
    return hmac.compare_digest(digest, expected_bytes)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
