"""The AWS Store: one DynamoDB table (pk/sk, three GSIs; table.py) through a low-level
boto3 client, and one part per concern: records and idempotency keys, audit, outbox,
cases, the DAT view's counters.
A commit or a case change is one TransactWriteItems (firing a deadline: one per deadline);
every other change is one conditional write. Key design and item types: docs/storage.md."""

from __future__ import annotations

from .audit import Audit
from .cases import Cases
from .dashboard import Dashboard
from .outbox import Outbox
from .records import Records
from .table import Table, create_table, table_definition

__all__ = ["DynamoDBStore", "create_table", "table_definition"]


class DynamoDBStore(Records, Cases, Dashboard, Outbox, Audit, Table):
    """A Store in one DynamoDB table, used through a boto3 DynamoDB client."""
