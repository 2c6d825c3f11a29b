"""Who may use the API at all, asked on every request: a user directory behind one small
interface, chosen by settings.auth like the store and the channels. `local` reads the users
file on one machine (users.py); `cognito` is the user pool and, per disabled user, one item
in the table (cognito_directory.py).

`is_active` is the hot path (once per request): keep it one indexed read. The admin side
(`disable`, `enable`, `accounts`) is what `dipforms users` calls. Never logs a user id.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .clock import Clock


class DirectoryUnavailable(Exception):
    """The directory could not be asked: a server fault (503), not the caller's."""


@dataclass(frozen=True)
class Account:
    """A user as `dipforms users list` shows them: never a password or a hash."""

    user_id: str
    role: str
    agency: str
    enabled: bool


class Directory(Protocol):
    def is_active(self, subject: str) -> bool:
        """Whether the token's subject is a user who exists and is enabled, now."""
        ...

    def disable(self, user_id: str) -> Account: ...

    def enable(self, user_id: str) -> Account: ...

    def accounts(self) -> list[Account]: ...


class ThreadReader:
    """Reads of one SQLite file on a connection kept per thread (query only): a lookup
    costs one statement SQLite has already prepared, and each read is its own transaction,
    so it sees at once what another process committed (WAL). Any failure is
    DirectoryUnavailable, `what` naming the file."""

    def __init__(self, path: str | Path, what: str) -> None:
        self.path, self.what = Path(path), what
        self._local = threading.local()

    def rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        try:
            return self._connection().execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise DirectoryUnavailable(f"{self.what} cannot be read") from error

    def _connection(self) -> sqlite3.Connection:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            reader.execute("PRAGMA query_only = ON")
            self._local.reader = reader
        return reader


class LocalDirectory:
    """The users file (`<data_dir>/users.sqlite`). `is_active` reads it on a connection kept
    per thread, so a request pays one primary-key lookup (a statement SQLite has already
    prepared), and sees a `dipforms users disable` made by another process at once: each
    read is its own transaction, and WAL shows it the last commit."""

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        from .users import UserDirectory

        self.users = UserDirectory(path, clock)     # makes the file and its table if new
        self.path = self.users.path
        self.reader = ThreadReader(self.path, "the users file")

    def __repr__(self) -> str:
        return f"LocalDirectory({str(self.path)!r})"

    def is_active(self, subject: str) -> bool:
        rows = self.reader.rows("SELECT disabled_at IS NULL FROM users WHERE user_id = ?",
                                (subject,))
        return bool(rows) and bool(rows[0][0])

    def disable(self, user_id: str) -> Account:
        return _account(self.users.disable(user_id))

    def enable(self, user_id: str) -> Account:
        return _account(self.users.enable(user_id))

    def accounts(self) -> list[Account]:
        return [_account(user) for user in self.users.list()]


def _account(user: Any) -> Account:
    return Account(user.user_id, user.role, user.agency, not user.disabled)


def _local(settings: Any, clock: Clock | None, **_: Any) -> Directory:
    from .users import USERS_FILE

    return LocalDirectory(Path(settings.data_dir) / USERS_FILE, clock)


def _cognito(settings: Any, clock: Clock | None, **clients: Any) -> Directory:
    from .cognito_directory import CognitoDirectory

    return CognitoDirectory.from_settings(settings, clock, **clients)


#: settings.auth -> the directory its tokens' subjects are looked up in
DIRECTORIES: dict[str, Callable[..., Directory]] = {"local": _local, "cognito": _cognito}


def make_directory(settings: Any, clock: Clock | None = None, **clients: Any) -> Directory:
    """The directory for `settings.auth`; `clients` (cognito, dynamodb) for tests."""
    try:
        build = DIRECTORIES[settings.auth]
    except KeyError:
        raise ValueError(f"no user directory for auth {settings.auth!r}: "
                         f"one of {', '.join(DIRECTORIES)}") from None
    return build(settings, clock, **clients)
