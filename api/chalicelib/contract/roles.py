"""The roles a user may hold, and which role the staff of each kind of agency hold.

The agency types themselves are a code list a DAT edits (forms/codelists/agency_type.yaml);
only the types whose staff sign in with a role are named here.
"""

from __future__ import annotations

#: Every role a token may carry; `access:` and `sharing:` in the protocol name only these.
ROLES: tuple[str, ...] = ("police", "cps", "cjit", "probation", "carat", "dat_admin")

#: The role that administers the service (dead letters, the DAT view, every form read).
ADMIN = "dat_admin"

#: Agency type -> the role its staff hold (what `sharing:` a recipient agency falls under).
AGENCY_ROLES = {"police_custody": "police", "cps": "cps", "cjit": "cjit", "carat": "carat",
                "probation_om": "probation", "dat": ADMIN}
