"""The contract between the build and the API (api/chalicelib/contract/): its tables hold
together, the real protocol and manifest survive a trip through their typed readers, and a
generated file that does not fit is refused when it is read, not during a request."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from chalicelib.contract.events import CASE_EVENTS, REASON_EVENTS, SPECIAL_RECIPIENTS, event_title
from chalicelib.contract.manifest import Manifest
from chalicelib.contract.protocol import CaseRoute, Protocol, RecordRoute, Source, citation
from chalicelib.contract.roles import ADMIN, AGENCY_ROLES, ROLES

from generator.edges.files import read_forms_dir
from generator.manifest import protocol_json
from generator.project import parse_project

ROOT = Path(__file__).resolve().parents[2]
PROJECT = parse_project(read_forms_dir(ROOT))[0]
PROTOCOL = json.loads(json.dumps(protocol_json(PROJECT), sort_keys=True))   # as written


def test_the_event_tables_hold_together():
    assert list(CASE_EVENTS) == [f"N{n:02d}" for n in range(1, 29)]
    assert set(REASON_EVENTS) <= set(CASE_EVENTS)
    assert all(set(events) <= set(CASE_EVENTS) for events in SPECIAL_RECIPIENTS.values())
    assert event_title("N12") == "N12 compliance confirmed"
    assert event_title("submitted") == "submitted"


def test_each_agency_type_with_a_role_is_a_code_of_the_dats_list_and_a_role():
    assert ADMIN in ROLES and set(AGENCY_ROLES.values()) <= set(ROLES)
    assert set(AGENCY_ROLES) <= set(PROJECT.codelists["agency_type"].codes)


def test_the_real_protocol_reads_back_as_it_was_written():
    typed = Protocol.from_json(PROTOCOL)
    assert typed.to_json() == PROTOCOL
    assert Protocol.from_json(typed.to_json()) == typed
    assert {type(route) for route in typed.routes} == {RecordRoute, CaseRoute}
    assert typed.agency("northshire_cjit").spoc.email == "spoc@northshire-cjit.example.org"
    assert typed.settings["summary_limit_months"] == 6
    assert typed.audit.readers == ("dat_admin",)


def test_an_empty_protocol_reads_as_empty_sections():
    empty = Protocol.from_json({})
    assert (empty.agencies, empty.routes, dict(empty.scopes), empty.agency_ids) == (
        (), (), {}, frozenset())


def _changed(change) -> dict:
    data = copy.deepcopy(PROTOCOL)
    change(data)
    return data


@pytest.mark.parametrize("change", [
    lambda d: d["access"]["mg14"].update(read=["police", "custody_sergeant"]),
    lambda d: d["access"]["mg14"].update(submit="police"),
    lambda d: d["sharing"].update(sergeant={}),
    lambda d: d["never_disclosed"][0].update(by=["cjit", "nobody"]),
    lambda d: d["routes"][0].update(channel="pigeon"),
    lambda d: d["routes"][-1].update(event="N29"),
    lambda d: d["routes"][-1].update(scopes="notice_only"),
    lambda d: d["scopes"].update(broken=["not", "a", "mapping"]),
    lambda d: d["agencies"].append({"name": "no id"}),
    lambda d: d["audit"].update(readers=["dat_admin", "auditor"]),
], ids=["unknown role", "bare string", "sharing role", "withheld by", "channel", "event",
        "scopes as text", "scope shape", "agency id", "audit reader"])
def test_a_protocol_that_does_not_fit_is_refused_on_reading(change):
    with pytest.raises(ValueError, match="protocol"):
        Protocol.from_json(_changed(change))


def test_a_citation_keeps_the_sections_of_one_document_together():
    assert citation((Source("pc36.txt", "§2.4.1"), Source("pc36.txt", "§2.4.2"),
                     Source("assumption"))) == "pc36.txt §2.4.1, §2.4.2; assumption"


def test_the_committed_manifest_reads_back_as_it_was_written():
    data = json.loads((ROOT / "schemas" / "manifest.json").read_text("utf-8"))
    manifest = Manifest.from_json(data)
    assert manifest.to_json() == data
    assert {form.id for form in manifest.forms} == {form.id for form in PROJECT.forms}
    assert all(form.has_version(form.current_version) for form in manifest.forms)


@pytest.mark.parametrize("data", [
    {"forms": {}},
    {"manifest_version": 2, "forms": []},
    {"manifest_version": 1, "forms": [{"id": "mg14"}]},
    {"manifest_version": 1, "forms": [], "protocol": 1},
])
def test_a_manifest_that_does_not_fit_is_refused_on_reading(data):
    with pytest.raises(ValueError, match="manifest"):
        Manifest.from_json(data)
