"""The protocol's `audit:` section (who may page through the audit log) is checked like the
rest (unknown roles with did-you-mean, a source required) and reaches the API as the
contract's AuditRule; a protocol without it lets nobody read the log."""

from __future__ import annotations

from chalicelib.contract.protocol import AuditRule, Protocol, Source

from generator.manifest import protocol_json
from generator.project import parse_project
from tests.unit.test_protocol_routes import CODELISTS, FORM, GOOD, protocol_diagnostics
from tests.yaml_cases import project_files

AUDIT = """    audit:
      readers: [dat_admin]
      source: {document: probation-cjit-carats-guidance-pc36-2007.txt, section: fn 4}
"""


def compiled(protocol: str) -> Protocol:
    project = parse_project(project_files(FORM, {**CODELISTS, "forms/protocol.yaml": protocol}))
    return Protocol.from_json(protocol_json(project[0]))


def test_the_audit_readers_reach_the_api_with_their_source():
    assert protocol_diagnostics(GOOD + AUDIT) == []
    assert compiled(GOOD + AUDIT).audit == AuditRule(
        ("dat_admin",), (Source("probation-cjit-carats-guidance-pc36-2007.txt", "fn 4"),))


def test_without_an_audit_section_nobody_reads_the_log():
    assert compiled(GOOD).audit.readers == ()


def test_a_missing_source_and_an_unknown_key_are_named_where_they_are():
    bad = "    audit:\n      readers: [dat_admin]\n      who: everyone\n"
    assert protocol_diagnostics(GOOD + bad) == [
        (30, 3, "F011", "cite the protocol or guidance it comes from, or write source: "
                        "assumption"),
        (31, 3, "F001", None),
    ]


def test_an_unknown_reader_is_named_with_the_role_it_may_mean():
    bad = AUDIT.replace("[dat_admin]", "[dat_admn, police]")
    assert protocol_diagnostics(GOOD + bad) == [(30, 13, "F018", "did you mean 'dat_admin'?")]
