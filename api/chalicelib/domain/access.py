"""Who may do what: verified claims -> a Principal; the protocol's `access` section -> decisions.

Pure: the contract's typed protocol in, booleans or `Denied` out. The roles are the
contract's (contract/roles.py). Reads no file, clock or environment, and never imports
tokens.py (claims arrive as any object with subject, role and agency).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ..contract.protocol import Protocol as LocalProtocol
from ..contract.roles import ADMIN, ROLES

#: Why a request was refused. The client only ever sees `Denied.code` ('forbidden');
#: the reason is for the audit log and holds no personal data.
REASON_MAY_NOT_SUBMIT = "role_may_not_submit"
REASON_MAY_NOT_READ = "role_may_not_read"
REASON_NOT_ADMIN = "not_admin"
REASON_UNKNOWN_AGENCY = "unknown_agency"
REASON_ROLE_NOT_OF_AGENCY = "role_not_of_agency"    # the agency's type does not hold the role
REASONS = (REASON_MAY_NOT_SUBMIT, REASON_MAY_NOT_READ, REASON_NOT_ADMIN, REASON_UNKNOWN_AGENCY,
           REASON_ROLE_NOT_OF_AGENCY)


class Denied(Exception):
    """The principal may not do this. Answer 403 with `code`; audit `reason`."""

    code = "forbidden"

    def __init__(self, reason: str) -> None:
        if reason not in REASONS:
            raise ValueError("unknown denial reason")
        super().__init__(reason)
        self.reason = reason


class HasIdentity(Protocol):
    """What a Principal is built from: tokens.Claims has these (and more)."""

    @property
    def subject(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def agency(self) -> str: ...


@dataclass(frozen=True)
class Principal:
    """The caller of one request, from a verified token."""

    user_id: str
    role: str
    agency: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError("unknown role")

    @classmethod
    def from_claims(cls, claims: HasIdentity) -> Principal:
        return cls(user_id=claims.subject, role=claims.role, agency=claims.agency)


@dataclass(frozen=True)
class FormAccess:
    """The roles that may submit and read one form."""

    submit: frozenset[str]
    read: frozenset[str]


@dataclass(frozen=True)
class AccessPolicy:
    """The protocol's `access` section, compiled once per process and reused.

    A form not listed in `access` can be submitted by no one and read only by dat_admin.
    A principal whose agency is not one of the protocol's agencies, or whose role is not
    one its agency's type holds (`agency_types:`), may do nothing: a token or a Cognito
    user's `custom:agency` pairing them is refused at every request.
    """

    forms: Mapping[str, FormAccess]
    agencies: frozenset[str]
    known_forms: frozenset[str] = frozenset()
    #: agency id -> the roles its staff may hold (its type's); an agency left out holds none
    agency_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_protocol(cls, protocol: LocalProtocol,
                      form_ids: Iterable[str] = ()) -> AccessPolicy:
        """`protocol` is generated/protocol.json, read (and its roles checked) by the
        contract; `form_ids` (the manifest's forms) lets `readable_forms` list, for
        dat_admin, the forms that `access` leaves out."""
        forms = {form_id: FormAccess(submit=frozenset(rule.submit), read=frozenset(rule.read))
                 for form_id, rule in protocol.access.items()}
        return cls(forms=forms, agencies=protocol.agency_ids,
                   known_forms=frozenset(form_ids) | frozenset(forms),
                   agency_roles={agency: frozenset(protocol.roles_of(agency))
                                 for agency in protocol.agency_ids})

    # --- decisions: booleans -------------------------------------------------------------

    def is_admin(self, principal: Principal) -> bool:
        return principal.role == ADMIN and self._agency_known(principal)

    def may_submit(self, principal: Principal, form_id: str) -> bool:
        rule = self.forms.get(form_id)
        return (self._agency_known(principal) and rule is not None
                and principal.role in rule.submit)

    def may_read(self, principal: Principal, form_id: str) -> bool:
        if self.is_admin(principal):
            return True
        rule = self.forms.get(form_id)
        return (self._agency_known(principal) and rule is not None
                and principal.role in rule.read)

    def readable_forms(self, principal: Principal) -> set[str]:
        if not self._agency_known(principal):
            return set()
        if principal.role == ADMIN:
            return set(self.known_forms)
        return {form_id for form_id, rule in self.forms.items() if principal.role in rule.read}

    def submittable_forms(self, principal: Principal) -> set[str]:
        if not self._agency_known(principal):
            return set()
        return {form_id for form_id, rule in self.forms.items() if principal.role in rule.submit}

    def may_manage_dead_letters(self, principal: Principal) -> bool:
        return self.is_admin(principal)

    def is_party(self, principal: Principal, parties: Iterable[str]) -> bool:
        """The principal's agency is a party to the case (parties.py), and may act."""
        return self._agency_known(principal) and principal.agency in set(parties)

    def sees_record(self, principal: Principal, made_by: str,
                    parties: Iterable[str] | None) -> bool:
        """May see this record at all (how much: caseview.visible_answers): it is the
        reader's agency's own, or its case has the reader's agency as a party (`parties`:
        None for a record on no case). The administrator sees every record's reference,
        never its answers (records.py)."""
        if not self._agency_known(principal):
            return False
        return principal.agency == made_by or (parties is not None
                                               and self.is_party(principal, parties))

    # --- decisions: raise Denied ---------------------------------------------------------

    def require_submit(self, principal: Principal, form_id: str) -> None:
        self._require_agency(principal)
        if not self.may_submit(principal, form_id):
            raise Denied(REASON_MAY_NOT_SUBMIT)

    def require_read(self, principal: Principal, form_id: str) -> None:
        self._require_agency(principal)
        if not self.may_read(principal, form_id):
            raise Denied(REASON_MAY_NOT_READ)

    def require_admin(self, principal: Principal) -> None:
        self._require_agency(principal)
        if not self.is_admin(principal):
            raise Denied(REASON_NOT_ADMIN)

    # --- helpers -------------------------------------------------------------------------

    def _agency_known(self, principal: Principal) -> bool:
        return self.denial_reason(principal) is None

    def denial_reason(self, principal: Principal) -> str | None:
        """Why this principal may do nothing at all (None: they may do what roles allow)."""
        if principal.agency not in self.agencies:
            return REASON_UNKNOWN_AGENCY
        if principal.role not in self.agency_roles.get(principal.agency, ()):
            return REASON_ROLE_NOT_OF_AGENCY
        return None

    def _require_agency(self, principal: Principal) -> None:
        reason = self.denial_reason(principal)
        if reason is not None:
            raise Denied(reason)



def membership_problem(protocol: LocalProtocol, role: str, agency: str) -> str | None:
    """Why a user of `role` may not belong to `agency` (None: they may): the agency must
    be one of the protocol's, and its type (`agency_types:`) must hold the role. The
    message names the closest agency id, or the roles the agency's staff may hold."""
    if agency not in protocol.agency_ids:
        close = difflib.get_close_matches(agency, sorted(protocol.agency_ids), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else (
            "; the protocol's agencies are " + ", ".join(sorted(protocol.agency_ids)))
        return f"the agency '{agency}' is not one of the protocol's{hint}"
    held = protocol.roles_of(agency)
    if role not in held:
        kind = protocol.agency(agency).type
        allowed = ("no role: its staff do not sign in" if not held
                   else "only " + ", ".join(held))
        return (f"the role '{role}' is not one that {agency} ({kind}) staff may hold: "
                f"agency_types: in forms/protocol.yaml gives it {allowed}")
    return None
