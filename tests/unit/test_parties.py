"""A case's parties (domain/parties.py): the opening agency, the agencies the protocol
routes the case to, the agencies of its records, those it was handed to; never the DAT."""

from __future__ import annotations

from chalicelib.contract.protocol import Protocol
from chalicelib.domain.parties import case_parties, may_hand_to, routed_parties
from chalicelib.store.base import CaseEntry, RecordVersion

PROTOCOL = Protocol.from_json({
    "agency_types": {"police_custody": {"roles": ["police"]}, "cjit": {"roles": ["cjit"]},
                     "carat": {"roles": ["carat"]}, "dat": {"roles": ["dat_admin"]},
                     "court": {"roles": []}},
    "agencies": [{"id": "police_a", "type": "police_custody"},
                 {"id": "police_b", "type": "police_custody"},
                 {"id": "cjit_a", "type": "cjit"}, {"id": "cjit_b", "type": "cjit"},
                 {"id": "carat_a", "type": "carat"}, {"id": "dat", "type": "dat"},
                 {"id": "court", "type": "court"}],
    "routes": [{"event": "submitted", "form": "mg14", "to": "cjit_a", "channel": "email"},
               {"event": "submitted", "form": "dir_activity", "to": "cjit_b",
                "channel": "email"},
               {"event": "N25", "to": "dat", "channel": "email", "template": "t",
                "scopes": []},
               {"event": "N26", "to": "named_agencies", "channel": "email", "template": "t",
                "scopes": []}],
})


def entry(kind: str, agency: str, **detail) -> CaseEntry:
    return CaseEntry("MG14-1", "2026-12-01T10:00:00Z", kind, "x", "u", agency, detail)


def record(agency: str) -> RecordVersion:
    return RecordVersion("R-1", 1, "mg14", "1.0.0", {}, "2026-12-01T10:00:00Z", "u", agency)


def test_the_opening_agency_and_the_agency_routed_the_referral_are_parties():
    assert routed_parties(PROTOCOL, "mg14") == {"cjit_a"}       # not cjit_b, not the DAT
    parties = case_parties(PROTOCOL, "mg14", [record("police_a")],
                           [entry("opened", "police_a")])
    assert parties == {"police_a", "cjit_a"}


def test_a_hand_over_and_a_record_attached_add_parties_and_the_dat_is_never_one():
    parties = case_parties(PROTOCOL, "mg14", [record("police_a")],
                           [entry("opened", "police_a"), entry("form", "dat"),
                            entry("handover", "cjit_a", to="carat_a")])
    assert parties == {"police_a", "cjit_a", "carat_a"}
    assert "police_b" not in parties and "cjit_b" not in parties


def test_a_case_is_handed_only_to_an_agency_whose_staff_use_the_service():
    assert may_hand_to(PROTOCOL, "carat_a") and may_hand_to(PROTOCOL, "police_b")
    assert not may_hand_to(PROTOCOL, "court")        # its type holds no role
    assert not may_hand_to(PROTOCOL, "dat")          # counts and references only
    assert not may_hand_to(PROTOCOL, "nowhere")
