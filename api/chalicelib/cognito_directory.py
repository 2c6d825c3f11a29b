"""The user directory with Cognito: the user pool, and one mark per disabled user beside the
records, which is what each request reads: an item in the store's DynamoDB table in AWS
(TableMarks), a row in the users file when the records are in SQLite on one machine
(FileMarks: `dipforms run` signing in through Cognito).

Why an item and not Cognito: AdminGetUser per request would add a call to another service
with its own rate limit (Cognito's user-management quota is a few tens of requests a
second per pool, shared by every Lambda), and a cache in front of it would let a disabled
user through until it expired. A strongly consistent GetItem on the table the request
already uses is one cheap read (single-digit milliseconds, half a read unit), so "the next
request after `users disable` is refused" holds. Cognito's own disable and global sign-out
are made too, so the user can neither sign in nor refresh; but an ID token Cognito has
already issued stays valid for Cognito until it expires, which is why our API looks at the
item. Edge module (boto3); tokens are checked for signature in tokens.py, so a token for
a user the pool never had cannot be made.

Item: pk `USER#<sub>`, sk `ACCESS`, `type` user_access, `disabled` (BOOL), `changed_at`.
Row (users.sqlite): table subject_access (subject, disabled, changed_at).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from .clock import Clock, SystemClock, iso
from .directory import Account, DirectoryUnavailable, ThreadReader
from .domain.access import ROLES
from .tokens import COGNITO_AGENCY_CLAIM

SORT_KEY = "ACCESS"
#: Enough of an address to catch a slip (Cognito checks the rest, then the mail does).
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class MissingGroup(Exception):
    """The pool has no group for the role: the stack is older than the protocol's roles."""


class UserLeftWithoutGroup(DirectoryUnavailable):
    """`add` made the user but could neither put them in their group nor remove them."""


class Marks(Protocol):
    """Which users `dipforms users disable` has disabled, read on every request."""

    def is_disabled(self, subject: str) -> bool: ...

    def mark(self, subject: str, *, disabled: bool, at: str) -> None: ...


class TableMarks:
    """One item per user ever disabled, in the store's DynamoDB table (AWS)."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self.dynamodb, self.table = dynamodb, table

    def __repr__(self) -> str:
        return f"TableMarks({self.table!r})"

    def is_disabled(self, subject: str) -> bool:
        try:
            found = self.dynamodb.get_item(
                TableName=self.table, Key=_key(subject), ConsistentRead=True,
                ProjectionExpression="disabled")
        except (ClientError, BotoCoreError) as error:
            raise DirectoryUnavailable("the table cannot be read") from error
        return found.get("Item", {}).get("disabled", {}).get("BOOL", False)

    def mark(self, subject: str, *, disabled: bool, at: str) -> None:
        item = {**_key(subject), "type": {"S": "user_access"}, "disabled": {"BOOL": disabled},
                "changed_at": {"S": at}}
        try:
            self.dynamodb.put_item(TableName=self.table, Item=item)
        except (ClientError, BotoCoreError) as error:
            raise DirectoryUnavailable("the table cannot be written") from error


class FileMarks:
    """One row per user ever disabled, in the users file (records in SQLite, one machine):
    one primary-key lookup on a connection kept per thread (directory.ThreadReader)."""

    SCHEMA = ("CREATE TABLE IF NOT EXISTS subject_access (subject TEXT PRIMARY KEY, "
              "disabled INTEGER NOT NULL, changed_at TEXT NOT NULL)")

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path, timeout=10) as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(self.SCHEMA)
        self.reader = ThreadReader(self.path, "the users file")

    def __repr__(self) -> str:
        return f"FileMarks({str(self.path)!r})"

    def is_disabled(self, subject: str) -> bool:
        rows = self.reader.rows("SELECT disabled FROM subject_access WHERE subject = ?",
                                (subject,))
        return bool(rows) and bool(rows[0][0])

    def mark(self, subject: str, *, disabled: bool, at: str) -> None:
        try:
            with sqlite3.connect(self.path, timeout=10) as db:
                db.execute("INSERT INTO subject_access VALUES (?, ?, ?) ON CONFLICT (subject) "
                           "DO UPDATE SET disabled = excluded.disabled, "
                           "changed_at = excluded.changed_at", (subject, int(disabled), at))
        except sqlite3.Error as error:
            raise DirectoryUnavailable("the users file cannot be written") from error


class CognitoDirectory:
    def __init__(self, *, user_pool_id: str, marks: Marks, cognito: Any,
                 clock: Clock | None = None, agency_attribute: str = COGNITO_AGENCY_CLAIM
                 ) -> None:
        """`cognito`: a boto3 cognito-idp client, or a function making one (the API's
        requests never call Cognito, so a Lambda need not pay for the client)."""
        if not user_pool_id:
            raise ValueError("the Cognito user pool id is needed "
                             "(DIPFORMS_COGNITO_USER_POOL_ID, or DIPFORMS_COGNITO_ISSUER)")
        self.user_pool_id, self.marks = user_pool_id, marks
        self._cognito = cognito
        self.clock = clock or SystemClock()
        self.agency_attribute = agency_attribute

    @classmethod
    def from_settings(cls, settings: Any, clock: Clock | None = None, *,
                      cognito: Any = None, dynamodb: Any = None) -> CognitoDirectory:
        """The marks beside the records: the table with the DynamoDB store (or a `dynamodb`
        client given), else the users file in the data folder."""
        from .aws_clients import AwsClients

        clients = AwsClients(settings.region)   # only for what was not handed in
        cognito = cognito or (lambda: clients("cognito-idp"))
        if dynamodb is not None or settings.store == "dynamodb":
            marks: Marks = TableMarks(dynamodb or clients("dynamodb"), settings.table)
        else:
            from .users import USERS_FILE

            marks = FileMarks(Path(settings.data_dir) / USERS_FILE)
        return cls(user_pool_id=settings.cognito_user_pool_id
                   or pool_from_issuer(settings.cognito_issuer),
                   marks=marks, cognito=cognito, clock=clock)

    @property
    def cognito(self) -> Any:
        if callable(self._cognito):       # a boto3 client is not callable
            self._cognito = self._cognito()
        return self._cognito

    def __repr__(self) -> str:
        return f"CognitoDirectory({self.user_pool_id!r}, marks={self.marks!r})"

    # -- every request ----------------------------------------------------------------------

    def is_active(self, subject: str) -> bool:
        return not self.marks.is_disabled(subject)

    # -- dipforms users ---------------------------------------------------------------------

    def add(self, user_id: str, role: str, agency: str, email: str) -> Account:
        """Create the user in the pool with their agency, in the group of their role, and
        have Cognito e-mail them a temporary password (changed at first sign-in). The
        caller checks the role and agency against the protocol first (membership_problem).
        The group is looked for before the user is made, so a pool without it is refused
        with nothing created; should adding to the group still fail, the user is removed
        again, so the command can simply be run again."""
        from .users import USER_ID, InvalidUser, UserExists

        if not USER_ID.fullmatch(user_id):
            raise InvalidUser("user_id", "a user id is 1 to 64 lower-case letters, digits, "
                                         "'.', '_' or '-', starting with a letter or digit")
        if role not in ROLES:
            raise InvalidUser("role", f"the role must be one of {', '.join(ROLES)}")
        if not EMAIL.fullmatch(email):
            raise InvalidUser("email", "an e-mail address is needed, like name@example.org")
        try:
            self.cognito.get_group(UserPoolId=self.user_pool_id, GroupName=role)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                raise MissingGroup(f"the user pool has no group '{role}'") from None
            raise DirectoryUnavailable("cognito get_group: "
                                       + error.response["Error"]["Code"]) from None
        try:
            self.cognito.admin_create_user(
                UserPoolId=self.user_pool_id, Username=user_id,
                UserAttributes=[{"Name": "email", "Value": email},
                                {"Name": "email_verified", "Value": "true"},
                                {"Name": self.agency_attribute, "Value": agency}],
                DesiredDeliveryMediums=["EMAIL"])
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "UsernameExistsException":
                raise UserExists("a user with this id already exists") from None
            if code == "InvalidParameterException":
                raise InvalidUser("user", "cognito refused it: "
                                  + error.response["Error"].get("Message", code)) from None
            raise DirectoryUnavailable(f"cognito admin_create_user: {code}") from None
        except BotoCoreError as error:
            raise DirectoryUnavailable(f"cognito admin_create_user: {type(error).__name__}"
                                       ) from None
        try:
            self._call("admin_add_user_to_group", Username=user_id, GroupName=role)
        except DirectoryUnavailable as error:
            try:
                self._call("admin_delete_user", Username=user_id)
            except DirectoryUnavailable:
                raise UserLeftWithoutGroup(
                    f"{error}, and the user made could not be removed again: delete "
                    f"'{user_id}' from the user pool, then run the command again") from None
            raise
        return Account(user_id, role, agency, True)

    def disable(self, user_id: str) -> Account:
        """Refuse the user's next request (the item, first), then disable them in Cognito
        and sign them out everywhere (their refresh tokens stop working)."""
        user = self._user(user_id)
        self._mark(user["sub"], disabled=True)
        self._call("admin_disable_user", Username=user_id)
        self._call("admin_user_global_sign_out", Username=user_id)
        return self._account(user_id, enabled=False)

    def enable(self, user_id: str) -> Account:
        user = self._user(user_id)
        self._call("admin_enable_user", Username=user_id)
        self._mark(user["sub"], disabled=False)
        return self._account(user_id, enabled=True)

    def accounts(self) -> list[Account]:
        roles: dict[str, list[str]] = {}
        groups = [g["GroupName"] for g in self._pages("list_groups", key="Groups")]
        for role in (g for g in ROLES if g in groups):
            for user in self._pages("list_users_in_group", GroupName=role):
                roles.setdefault(user["Username"], []).append(role)
        return sorted((Account(user["Username"], ",".join(roles.get(user["Username"], []))
                               or "-", _attributes(user).get(self.agency_attribute, "-"),
                               bool(user.get("Enabled", True)))
                       for user in self._pages("list_users")), key=lambda a: a.user_id)

    # -- the calls --------------------------------------------------------------------------

    def _user(self, user_id: str) -> dict[str, str]:
        from .users import UnknownUser

        try:
            found = self.cognito.admin_get_user(UserPoolId=self.user_pool_id, Username=user_id)
        except ClientError as error:
            if error.response["Error"]["Code"] == "UserNotFoundException":
                raise UnknownUser("no user has this id") from None
            raise DirectoryUnavailable("cognito: " + error.response["Error"]["Code"]) from None
        return {**_attributes(found), "enabled": found.get("Enabled", True)}

    def _account(self, user_id: str, enabled: bool) -> Account:
        groups = self._call("admin_list_groups_for_user", Username=user_id).get("Groups", [])
        roles = [g["GroupName"] for g in groups if g["GroupName"] in ROLES]
        user = self._user(user_id)
        return Account(user_id, ",".join(roles) or "-", user.get(self.agency_attribute, "-"),
                       enabled)

    def _mark(self, subject: str, *, disabled: bool) -> None:
        self.marks.mark(subject, disabled=disabled, at=iso(self.clock.now()))

    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        try:
            return getattr(self.cognito, operation)(UserPoolId=self.user_pool_id, **arguments)
        except (ClientError, BotoCoreError) as error:
            code = error.response["Error"]["Code"] if isinstance(error, ClientError) \
                else type(error).__name__
            raise DirectoryUnavailable(f"cognito {operation}: {code}") from None

    def _pages(self, operation: str, key: str = "Users", **arguments: Any
               ) -> list[dict[str, Any]]:
        """Every user (or group) a listing finds. ListUsers pages by PaginationToken, the
        others by NextToken."""
        name = "PaginationToken" if operation == "list_users" else "NextToken"
        users: list[dict[str, Any]] = []
        while True:
            page = self._call(operation, **arguments)
            users += page.get(key, [])
            if not page.get(name):
                return users
            arguments = {**arguments, name: page[name]}


def pool_from_issuer(issuer: str) -> str:
    """https://cognito-idp.<region>.amazonaws.com/<pool id> -> the pool id (or '')."""
    return urlsplit(issuer).path.strip("/") if issuer else ""


def _key(subject: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"USER#{subject}"}, "sk": {"S": SORT_KEY}}


def _attributes(user: dict[str, Any]) -> dict[str, str]:
    pairs = user.get("UserAttributes", user.get("Attributes", []))
    return {pair["Name"]: pair["Value"] for pair in pairs}
