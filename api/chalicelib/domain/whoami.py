"""What the pages show of the signed-in user (GET /v1/session): "Signed in as <user>
(<agency name>)", and which forms to offer the role. Pure: the principal, the access
policy and the typed protocol in; the API still decides each request, this only shapes
the pages."""

from __future__ import annotations

from typing import Any

from ..contract.protocol import Protocol
from .access import AccessPolicy, Principal


def who_am_i(who: Principal, policy: AccessPolicy, protocol: Protocol) -> dict[str, Any]:
    """{user: {id, role, agency, agency_name}, forms: {submit: [...], read: [...]}}, the
    forms by id (the start page orders them, from the build)."""
    agency = protocol.agency(who.agency)
    return {"user": {"id": who.user_id, "role": who.role, "agency": who.agency,
                     "agency_name": agency.name if agency is not None and agency.name
                     else who.agency},
            "forms": {"submit": sorted(policy.submittable_forms(who)),
                      "read": sorted(policy.readable_forms(who))}}
