"""The DynamoDB store's table: its definition (keys, three sparse GSIs, TTL) and the calls
every part of the store makes on it through a low-level boto3 client, which turn every
failure into StoreError. The client is passed in; no settings read here."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..base import Stored, StoreError, VersionConflict, batches
from .items import from_item

LISTING_INDEX = "listing"        # FORM#<form> -> latest versions; AUDIT; OUTBOX#<status>; CASES
DUE_INDEX = "due"                # DUE -> pending events; DEADLINE -> pending deadlines (sparse)
ACTOR_INDEX = "audit_actor"      # audit_actor (a user id) -> that user's audit entries by sk
TTL_ATTRIBUTE = "expires"        # epoch seconds on idempotency items
#: pk prefix of a case's derived, rebuildable rows (list rows, terms, the DAT view's due
#: rows): with IDEM#, the only items ever deleted, outside the IAM Deny (docs/storage.md)
INDEXED = "CASEINDEX#"
MAX_TRANSACTION_ITEMS = 100
# What a failed condition on each kind of transaction item means (see Table._transact)
CONFLICTS = {"record": "the record moved on", "case": "the case moved on",
             "deadline": "a deadline of the case changed"}
REFUSALS = {"attached": "a record is attached to another case",
            "missing": "a record to attach does not exist"}

Write = tuple[str, dict[str, Any]]  # (kind, TransactWriteItems item)
#: The kind of a transaction's write that claims an idempotency key (see HeldItem).
KEY_CLAIM = "key"


class HeldItem(StoreError):
    """A transaction's KEY_CLAIM write found its item held: nothing was written. `item` is
    the item as it was (None when DynamoDB did not return it)."""

    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__("the idempotency key is held")
        self.item = item


class Table:
    """One DynamoDB table, used through a boto3 DynamoDB client."""

    def __init__(self, table: str, client: Any) -> None:
        self.table = table
        self.client = client

    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        """One API call; every failure becomes StoreError (callers catch conditions first)."""
        try:
            return getattr(self.client, operation)(TableName=self.table, **arguments)
        except ClientError as error:
            raise StoreError(f"dynamodb {operation}: {error.response['Error']['Code']}") from error
        except BotoCoreError as error:
            raise StoreError(f"dynamodb {operation}: {type(error).__name__}") from error

    def _conditional(self, operation: str, **arguments: Any) -> bool:
        """A conditional write: False when the condition failed, StoreError on other errors."""
        try:
            self._call(operation, **arguments)
        except StoreError as error:
            if isinstance(error.__cause__, ClientError) and error.__cause__.response["Error"][
                    "Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _query(self, limit: int | None = None, **arguments: Any) -> list[dict[str, Any]]:
        """Every item the query finds (up to `limit`), across DynamoDB's 1 MB pages."""
        items: list[dict[str, Any]] = []
        while limit is None or len(items) < limit:
            page = self._call("query", **arguments,
                              **({"Limit": limit - len(items)} if limit else {}))
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return items

    def _get_many(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items of up to 100 keys in one BatchGetItem (strongly consistent), asking
        again for any DynamoDB leaves unprocessed; in no particular order."""
        found: list[dict[str, Any]] = []
        for _attempt in range(10):
            if not keys:
                return found
            try:
                answer = self.client.batch_get_item(RequestItems={
                    self.table: {"Keys": keys, "ConsistentRead": True}})
            except (ClientError, BotoCoreError) as error:
                raise StoreError(f"dynamodb batch_get_item: {type(error).__name__}") from error
            found += answer.get("Responses", {}).get(self.table, [])
            keys = answer.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
        if keys:
            raise StoreError("dynamodb batch_get_item: keys left unprocessed")
        return found

    def _get_each(self, kind: type[Stored], ids: list[str],
                  key_of: Callable[[str], dict[str, Any]]) -> list[Stored]:
        """The stored `kind` of each of `ids` (`key_of`: an id's key; repeats read once),
        BATCH_READ keys a BatchGetItem; in no particular order, missing ones left out."""
        return [from_item(kind, item) for part in batches(ids)
                for item in self._get_many([key_of(each) for each in part])]

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        """A transaction's Put of an item that must not exist yet."""
        return {"Put": {"TableName": self.table, "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def _transact(self, writes: list[Write], what: str) -> None:
        """One TransactWriteItems of (kind, item) pairs, all or nothing. A failed condition on
        a `CONFLICTS` kind is VersionConflict, on a `REFUSALS` kind a StoreError saying so,
        on the KEY_CLAIM kind HeldItem (before any other)."""
        if len(writes) > MAX_TRANSACTION_ITEMS:
            raise StoreError(f"{what}: {len(writes)} items are more than one DynamoDB "
                             f"transaction holds ({MAX_TRANSACTION_ITEMS}); nothing written")
        try:
            self.client.transact_write_items(TransactItems=[item for _, item in writes],
                                             ClientRequestToken=uuid.uuid4().hex)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            failed = [kind for (kind, _), reason in zip(writes, reasons, strict=False)
                      if reason == "ConditionalCheckFailed"]
            if code == "TransactionCanceledException":
                for (kind, _), reason in zip(writes, error.response.get(
                        "CancellationReasons", []), strict=False):
                    if kind == KEY_CLAIM and reason.get("Code") == "ConditionalCheckFailed":
                        raise HeldItem(reason.get("Item")) from error
                for kind in failed:
                    if kind in CONFLICTS:
                        raise VersionConflict(f"{what}: {CONFLICTS[kind]}") from error
                for kind in failed:
                    if kind in REFUSALS:
                        raise StoreError(f"{what}: {REFUSALS[kind]}") from error
            raise StoreError(f"dynamodb transact_write_items: {code} {reasons}") from error
        except BotoCoreError as error:
            raise StoreError(f"dynamodb transact_write_items: {type(error).__name__}"
                             ) from error


def table_definition(name: str, kms_key_id: str | None = None) -> dict[str, Any]:
    """The table as CloudFormation/SAM `AWS::DynamoDB::Table` Properties."""
    keys = [("pk", "sk"), ("listing_pk", "listing_sk"), ("due_pk", "due_sk"),
            ("audit_actor", "sk")]
    schema = [[{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]
              for h, r in keys]
    attributes = list(dict.fromkeys(a for pair in keys for a in pair))
    sse = {"SSEEnabled": True, "SSEType": "KMS"} | ({"KMSMasterKeyId": kms_key_id}
                                                     if kms_key_id else {})
    return {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST", "KeySchema": schema[0],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"}
                                 for a in attributes],
        "GlobalSecondaryIndexes": [
            {"IndexName": index, "KeySchema": schema[i], "Projection": {"ProjectionType": "ALL"}}
            for i, index in ((1, LISTING_INDEX), (2, DUE_INDEX), (3, ACTOR_INDEX))],
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": sse, "DeletionProtectionEnabled": True,
    }


def create_table(client: Any, name: str) -> None:
    """Create the table (on demand, every GSI, TTL) and wait until it is active: for
    development and tests. Deployments use table_definition in the SAM template."""
    definition = table_definition(name)
    client.create_table(**{key: definition[key] for key in (
        "TableName", "BillingMode", "KeySchema", "AttributeDefinitions",
        "GlobalSecondaryIndexes")})
    client.get_waiter("table_exists").wait(TableName=name,
                                           WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "AttributeName": TTL_ATTRIBUTE, "Enabled": True})
