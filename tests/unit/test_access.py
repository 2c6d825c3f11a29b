"""The access policy alone: every role x every action x a listed and an unlisted form."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml
from chalicelib.contract.protocol import Protocol
from chalicelib.domain.access import (
    REASON_MAY_NOT_READ,
    REASON_MAY_NOT_SUBMIT,
    REASON_NOT_ADMIN,
    REASON_UNKNOWN_AGENCY,
    ROLES,
    AccessPolicy,
    Denied,
    Principal,
)

PROTOCOL = yaml.safe_load("""
agency_types:
  police_custody: {roles: [police]}
  cps: {roles: [cps]}
  cjit: {roles: [cjit]}
  probation_om: {roles: [probation]}
  carat: {roles: [carat]}
  dat: {roles: [dat_admin]}
  prison_healthcare: {roles: []}
agencies:
  - {id: northshire_police, type: police_custody}
  - {id: northshire_cps, type: cps}
  - {id: northshire_cjit, type: cjit}
  - {id: northshire_probation, type: probation_om}
  - {id: hmp_northshire_carats, type: carat}
  - {id: northshire_dat, type: dat}
  - {id: hmp_northshire_healthcare, type: prison_healthcare}
access:
  mg14:               {submit: [police], read: [police, cps, cjit]}
  compliance_report:  {submit: [cjit], read: [cjit, police, cps]}
  dir_initial_contact: {submit: [cjit, carat, probation]}
  pc36_protocol_checklist: {submit: [dat_admin], read: [dat_admin, probation]}
""")
FORMS = ["mg14", "compliance_report", "dir_initial_contact", "pc36_protocol_checklist",
         "dir_activity"]   # dir_activity is not listed in `access`
#: Written out by hand, not derived from PROTOCOL: who may do what.
EXPECTED = {
    ("mg14", "submit"): {"police"},
    ("mg14", "read"): {"police", "cps", "cjit", "dat_admin"},
    ("compliance_report", "submit"): {"cjit"},
    ("compliance_report", "read"): {"cjit", "police", "cps", "dat_admin"},
    ("dir_initial_contact", "submit"): {"cjit", "carat", "probation"},   # submit, no read
    ("dir_initial_contact", "read"): {"dat_admin"},
    ("pc36_protocol_checklist", "submit"): {"dat_admin"},
    ("pc36_protocol_checklist", "read"): {"dat_admin", "probation"},
    ("dir_activity", "submit"): set(),
    ("dir_activity", "read"): {"dat_admin"},
}
AGENCY = {"police": "northshire_police", "cps": "northshire_cps", "cjit": "northshire_cjit",
          "probation": "northshire_probation", "carat": "hmp_northshire_carats",
          "dat_admin": "northshire_dat"}
POLICY = AccessPolicy.from_protocol(Protocol.from_json(PROTOCOL), form_ids=FORMS)


def who(role: str, agency: str | None = None) -> Principal:
    return Principal(user_id=f"{role}.user", role=role, agency=agency or AGENCY[role])


@pytest.mark.parametrize("form_id", FORMS)
@pytest.mark.parametrize("action", ["submit", "read"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_every_action_every_form(role, action, form_id):
    allowed = role in EXPECTED[(form_id, action)]
    may = POLICY.may_submit if action == "submit" else POLICY.may_read
    require = POLICY.require_submit if action == "submit" else POLICY.require_read
    assert may(who(role), form_id) is allowed
    if allowed:
        require(who(role), form_id)
    else:
        with pytest.raises(Denied) as denied:
            require(who(role), form_id)
        assert denied.value.code == "forbidden"
        assert denied.value.reason == (REASON_MAY_NOT_SUBMIT if action == "submit"
                                       else REASON_MAY_NOT_READ)


@pytest.mark.parametrize("role", ROLES)
def test_readable_and_submittable_forms_match_the_table(role):
    assert POLICY.readable_forms(who(role)) == {
        f for f in FORMS if role in EXPECTED[(f, "read")]}
    assert POLICY.submittable_forms(who(role)) == {
        f for f in FORMS if role in EXPECTED[(f, "submit")]}


def test_dat_admin_reads_every_form_even_unknown_ones_but_submits_only_what_is_granted():
    admin = who("dat_admin")
    assert POLICY.is_admin(admin)
    assert POLICY.may_read(admin, "a_form_access_does_not_list")
    assert POLICY.readable_forms(admin) == set(FORMS)
    assert not POLICY.may_submit(admin, "mg14")
    assert POLICY.may_submit(admin, "pc36_protocol_checklist")
    assert POLICY.may_manage_dead_letters(admin)
    POLICY.require_admin(admin)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "dat_admin"])
def test_only_dat_admin_is_admin(role):
    assert not POLICY.is_admin(who(role))
    assert not POLICY.may_manage_dead_letters(who(role))
    with pytest.raises(Denied) as denied:
        POLICY.require_admin(who(role))
    assert denied.value.reason == REASON_NOT_ADMIN


@pytest.mark.parametrize("role", ROLES)
def test_an_agency_the_protocol_does_not_list_may_do_nothing(role):
    stranger = who(role, agency="elsewhere_police")
    assert not any(POLICY.may_read(stranger, f) or POLICY.may_submit(stranger, f)
                   for f in FORMS)
    assert POLICY.readable_forms(stranger) == set()
    assert POLICY.submittable_forms(stranger) == set()
    assert not POLICY.is_admin(stranger)
    for check in (lambda: POLICY.require_read(stranger, "mg14"),
                  lambda: POLICY.require_submit(stranger, "mg14"),
                  lambda: POLICY.require_admin(stranger)):
        with pytest.raises(Denied) as denied:
            check()
        assert denied.value.reason == REASON_UNKNOWN_AGENCY


def test_a_protocol_without_access_lets_only_dat_admin_read():
    bare = {key: PROTOCOL[key] for key in ("agencies", "agency_types")}
    policy = AccessPolicy.from_protocol(Protocol.from_json(bare), form_ids=["mg14"])
    assert policy.readable_forms(who("dat_admin")) == {"mg14"}
    for role in ROLES:
        assert not policy.may_submit(who(role), "mg14")
        assert policy.may_read(who(role), "mg14") is (role == "dat_admin")


def test_a_form_listed_with_empty_lists_is_closed():
    policy = AccessPolicy.from_protocol(Protocol.from_json({**PROTOCOL, "access": {"mg14": {}}}))
    assert not any(policy.may_submit(who(r), "mg14") for r in ROLES)
    assert [r for r in ROLES if policy.may_read(who(r), "mg14")] == ["dat_admin"]


@pytest.mark.parametrize("access", [
    {"mg14": {"submit": ["police", "custody_sergeant"]}},
    {"mg14": {"read": "police"}},
])
def test_an_unknown_role_or_a_bare_string_in_access_fails_at_start_up(access):
    with pytest.raises(ValueError):
        AccessPolicy.from_protocol(Protocol.from_json({**PROTOCOL, "access": access}))


def test_principal_from_claims_and_unknown_roles():
    claims = SimpleNamespace(subject="jo.worker", role="cjit", agency="northshire_cjit",
                             expires_at=2, issued_at=1)
    assert Principal.from_claims(claims) == Principal("jo.worker", "cjit", "northshire_cjit")
    with pytest.raises(ValueError):
        Principal("x", "superuser", "northshire_cjit")


def test_denied_carries_no_detail_beyond_its_reason():
    error = Denied(REASON_MAY_NOT_READ)
    assert (error.code, error.reason, str(error)) == ("forbidden", "role_may_not_read",
                                                      "role_may_not_read")
    with pytest.raises(ValueError):
        Denied("because I said so")


# -- finding 1: a role its agency's type does not hold can do nothing ----------------------

def test_a_role_the_agency_type_does_not_hold_may_do_nothing():
    """The police role at the prison healthcare team (finding 1), or the CJIT's role at
    the police: refused everything, with its own reason for the audit log."""
    for role, agency in (("police", "hmp_northshire_healthcare"),
                         ("cjit", "northshire_police"), ("dat_admin", "northshire_cjit")):
        intruder = who(role, agency)
        assert POLICY.denial_reason(intruder) == "role_not_of_agency"
        assert not POLICY.may_read(intruder, "mg14") and not POLICY.may_submit(intruder, "mg14")
        assert POLICY.readable_forms(intruder) == set() and not POLICY.is_admin(intruder)
        assert not POLICY.is_party(intruder, {agency})
        with pytest.raises(Denied) as denied:
            POLICY.require_read(intruder, "mg14")
        assert denied.value.reason == "role_not_of_agency"
    assert POLICY.denial_reason(who("police")) is None


def test_a_record_is_seen_by_its_own_agency_or_a_party_to_its_case_only():
    police, other = who("police"), who("cps")
    assert POLICY.sees_record(police, "northshire_police", None)        # own, on no case
    assert not POLICY.sees_record(other, "northshire_police", None)     # on no case
    assert POLICY.sees_record(other, "northshire_police", {"northshire_cps"})
    assert not POLICY.sees_record(other, "northshire_police", {"northshire_cjit"})
    assert not POLICY.sees_record(who("police", "hmp_northshire_healthcare"),
                                  "hmp_northshire_healthcare", None)    # not in good standing
