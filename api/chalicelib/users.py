"""The local user directory: `<data_dir>/users.sqlite` (WAL), for one-machine set-ups.

Keeps id, role, agency, a salted Argon2id password hash (passwords.py) and whether the user
is disabled, and the recent failed sign-in attempts (keyed by hashes of the user id and the
address).
Never logs, returns or puts in an exception a password, a hash or a user id.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .clock import Clock, SystemClock, iso
from .domain.access import ROLES
from .passwords import MAX_PASSWORD_CHARS, dummy_hash, needs_upgrade, password_matches
from .passwords import hash_password as _hash

USERS_FILE = "users.sqlite"
USER_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
AGENCY_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
MIN_PASSWORD_CHARS = 15          # NIST SP 800-63B rev. 4: a password used as the only factor

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_id       TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    agency        TEXT NOT NULL,
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
)
"""
# One row per sign-in attempt that has not (yet) succeeded: it counts as a failure from
# the moment it starts, so concurrent guesses cannot slip past the limit.
ATTEMPTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sign_in_attempts (
    attempt_id  INTEGER PRIMARY KEY,
    at          REAL NOT NULL,
    user_key    TEXT NOT NULL,
    address_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_attempts_user ON sign_in_attempts (user_key, at);
CREATE INDEX IF NOT EXISTS sign_in_attempts_address ON sign_in_attempts (address_key, at);
"""


class UserDirectoryError(Exception):
    """A user directory operation was refused."""


class UserExists(UserDirectoryError):
    """A user with this id already exists."""


class UnknownUser(UserDirectoryError):
    """No user has this id."""


class InvalidUser(UserDirectoryError, ValueError):
    """A value is not acceptable; `field` says which (user_id, role, agency, password)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AttemptLimits:
    """At most `per_user` failures per user id and `per_address` per client address in
    any `window_seconds`."""

    per_user: int
    per_address: int
    window_seconds: float


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt let through (`attempt_id`), or refused for `retry_after` seconds."""

    attempt_id: int | None
    retry_after: int = 0

    @property
    def allowed(self) -> bool:
        return self.attempt_id is not None


@dataclass(frozen=True)
class User:
    """A local user as the rest of the app sees it: never the password hash."""

    user_id: str
    role: str
    agency: str
    created_at: str
    disabled: bool
    has_password: bool


class UserDirectory:
    """Local users in one SQLite file; safe to share between threads (a connection per call)."""

    def __init__(self, path: str | os.PathLike[str], clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.clock = clock or SystemClock()   # dates the users' created_at and disabled_at
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:   # created owner-only: the file holds password hashes
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)
            db.executescript(ATTEMPTS_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: str | os.PathLike[str],
                    clock: Clock | None = None) -> UserDirectory:
        return cls(Path(data_dir) / USERS_FILE, clock)

    def __repr__(self) -> str:
        return f"UserDirectory({str(self.path)!r})"

    def add(self, user_id: str, role: str, agency: str, password: str | None = None) -> User:
        _check_user_id(user_id)
        if role not in ROLES:
            raise InvalidUser("role", f"the role must be one of {', '.join(ROLES)}")
        if not isinstance(agency, str) or not AGENCY_ID.fullmatch(agency):
            raise InvalidUser("agency", "the agency must be an agency id from the protocol "
                                        "(lower-case letters, digits and '_')")
        password_hash = None if password is None else hash_password(password)
        created_at = iso(self.clock.now())
        try:
            with self._connect() as db:
                db.execute("INSERT INTO users (user_id, role, agency, password_hash, created_at)"
                           " VALUES (?, ?, ?, ?, ?)",
                           (user_id, role, agency, password_hash, created_at))
        except sqlite3.IntegrityError:
            raise UserExists("a user with this id already exists") from None
        return User(user_id, role, agency, created_at, False, password_hash is not None)

    def get(self, user_id: str) -> User | None:
        with self._connect() as db:
            row = db.execute("SELECT user_id, role, agency, created_at, disabled_at, "
                             "password_hash IS NOT NULL FROM users WHERE user_id = ?",
                             (user_id,)).fetchone()
        return None if row is None else _user(row)

    def list(self) -> list[User]:
        with self._connect() as db:
            rows = db.execute("SELECT user_id, role, agency, created_at, disabled_at, "
                              "password_hash IS NOT NULL FROM users ORDER BY user_id").fetchall()
        return [_user(row) for row in rows]

    def disable(self, user_id: str) -> User:
        """Refuse the user from now on: sign-in, and every request their tokens make (the
        API asks directory.LocalDirectory.is_active each time)."""
        disabled_at = iso(self.clock.now())
        with self._connect() as db:
            db.execute("UPDATE users SET disabled_at = COALESCE(disabled_at, ?) "
                       "WHERE user_id = ?", (disabled_at, user_id))
        return self._changed(user_id)

    def enable(self, user_id: str) -> User:
        """Let a disabled user in again (tokens minted before are good again until they
        expire, as they would have been)."""
        with self._connect() as db:
            db.execute("UPDATE users SET disabled_at = NULL WHERE user_id = ?", (user_id,))
        return self._changed(user_id)

    def _changed(self, user_id: str) -> User:
        user = self.get(user_id)
        if user is None:
            raise UnknownUser("no user has this id")
        return user

    def check_password(self, user_id: str, password: str) -> bool:
        """True only for an enabled user whose password matches. Every refusal (missing
        user, disabled, no password set, wrong password) costs one Argon2id. A match against
        an older hash (scrypt) rehashes the password as `hash_password` does now."""
        with self._connect() as db:
            row = db.execute("SELECT password_hash, disabled_at FROM users WHERE user_id = ?",
                             (user_id,)).fetchone()
        stored = row[0] if row is not None and row[0] else dummy_hash()
        matches = password_matches(password, stored)
        if not (matches and row is not None and row[0] is not None and row[1] is None):
            return False
        if needs_upgrade(stored):
            self._upgrade(user_id, stored, _hash(password))
        return True

    def _upgrade(self, user_id: str, old: str, new: str) -> None:
        """Replace the hash the password was just checked against (unless changed since)."""
        with self._connect() as db:
            db.execute("UPDATE users SET password_hash = ? "
                       "WHERE user_id = ? AND password_hash = ?", (new, user_id, old))

    def begin_attempt(self, user_id: str, address: str, now: float,
                      limits: AttemptLimits) -> Attempt:
        """Count a sign-in attempt as failed until `attempt_succeeded` says otherwise, or
        refuse it (counting nothing) while the user id or the address is at its limit."""
        user_key, address_key = _attempt_key("user", user_id), _attempt_key("address", address)
        since = now - limits.window_seconds
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM sign_in_attempts WHERE at <= ?", (since,))
            waits = []
            for column, key, limit in (("user_key", user_key, limits.per_user),
                                       ("address_key", address_key, limits.per_address)):
                count, oldest = db.execute(
                    f"SELECT COUNT(*), MIN(at) FROM sign_in_attempts WHERE {column} = ?",
                    (key,)).fetchone()
                if count >= limit:
                    waits.append(oldest + limits.window_seconds - now)
            if waits:
                return Attempt(None, max(1, int(max(waits)) + 1))
            cursor = db.execute("INSERT INTO sign_in_attempts (at, user_key, address_key) "
                                "VALUES (?, ?, ?)", (now, user_key, address_key))
            return Attempt(cursor.lastrowid)

    def attempt_succeeded(self, attempt: Attempt, user_id: str) -> None:
        """Forget this attempt and the user's earlier failures (not the address's)."""
        with self._connect() as db:
            db.execute("DELETE FROM sign_in_attempts WHERE attempt_id = ? OR user_key = ?",
                       (attempt.attempt_id, _attempt_key("user", user_id)))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            yield db


def hash_password(password: str) -> str:
    """An Argon2id hash (passwords.py) of an acceptable password."""
    _check_password(password)
    return _hash(password)


def _check_user_id(user_id: str) -> None:
    if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
        raise InvalidUser("user_id", "a user id is 1 to 64 lower-case letters, digits, "
                                     "'.', '_' or '-', starting with a letter or digit")


def _check_password(password: str) -> None:
    if not isinstance(password, str) or not (
            MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS):
        raise InvalidUser("password", f"a password must be {MIN_PASSWORD_CHARS} to "
                                      f"{MAX_PASSWORD_CHARS} characters long")


def _attempt_key(kind: str, value: str) -> str:
    """What the attempts table keeps instead of a user id or an address."""
    return hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()


def _user(row: tuple) -> User:
    user_id, role, agency, created_at, disabled_at, has_password = row
    return User(user_id, role, agency, created_at, disabled_at is not None, bool(has_password))

