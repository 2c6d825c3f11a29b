"""What every request shares, built once per process (runtime.py) or per test: the store,
the catalogue, the access policy, the site's address, the one clock and the id maker.

The clock is asked only through a Context (`now`, `today`), so a test or a rehearsal sets
the time in one place (chalicelib/clock.py).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from .catalogue import Catalogue
from .clock import Clock, SystemClock, england_date, iso
from .contract.ids import record_prefix
from .domain.access import AccessPolicy
from .readings import Memo
from .store.base import Store

ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
# (the shape an id must have to be looked up: domain/ids.py is_our_id)


def random_symbols() -> str:
    """10 of 32 symbols; 256 = 8 x 32, so `byte % 32` picks each symbol equally often."""
    return "".join(ID_ALPHABET[b % 32] for b in secrets.token_bytes(10))


@dataclass
class Context:
    """Everything a request needs, built once per process (runtime.py) or per test."""

    store: Store
    catalogue: Catalogue
    policy: AccessPolicy
    base_url: str
    clock: Clock = field(default_factory=SystemClock)
    random_id: Callable[[], str] = random_symbols
    #: the key a case's person's words are hashed with for search (casefind.py); one of its
    #: own by default, which serves while this Context lives (a test, one process)
    search_key: bytes | None = field(default_factory=lambda: secrets.token_bytes(32))
    #: what reads derive from a case, by its version (readings.py): this Context's own
    memo: Memo = field(default_factory=Memo)

    def now(self) -> datetime.datetime:
        return self.clock.now()

    def today(self) -> datetime.date:
        """Today in England, by the one clock."""
        return england_date(self.clock.now())

    def timestamp(self) -> str:
        return iso(self.now())

    def new_record_id(self, form_id: str) -> str:
        return f"{record_prefix(form_id)}-{self.random_id()}"

    def new_event_id(self) -> str:
        """An outbox event's id: EV- and twenty random symbols."""
        return "EV-" + self.random_id() + self.random_id()
