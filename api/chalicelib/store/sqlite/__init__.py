"""The embedded Store: one SQLite file shared by threads (database.py), its tables and
triggers (schema.py), and one part per concern: records and idempotency keys, audit,
outbox, cases, the DAT view's counts. SQLiteStore is those parts made one class."""

from __future__ import annotations

from .audit import Audit
from .cases import Cases
from .dashboard import Dashboard
from .database import Database
from .outbox import Outbox
from .records import Records

__all__ = ["SQLiteStore"]


class SQLiteStore(Records, Cases, Dashboard, Outbox, Audit, Database):
    """A Store in one SQLite file; safe to share between threads.

    At most `connections` reads run at once (each on its own pooled connection, so reads
    proceed during a write); writes take turns on one connection of their own."""
