"""The roles a user may hold.

Which roles the staff of each kind of agency may hold is the protocol's (`agency_types:` in
forms/protocol.yaml, `Protocol.agency_types` once compiled), not this module's.
"""

from __future__ import annotations

#: Every role a token may carry; `access:` and `sharing:` in the protocol name only these.
ROLES: tuple[str, ...] = ("police", "cps", "cjit", "probation", "carat", "dat_admin")

#: The role that administers the service (dead letters, the DAT view, every form read).
ADMIN = "dat_admin"
