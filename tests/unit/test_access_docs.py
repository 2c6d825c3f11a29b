"""docs/access.md's examples are true: its protocol checks clean, its cases have the parties
it says, its matrix rows are what `dipforms protocol` prints, and `users add` refuses what
it says it refuses."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from pathlib import Path

import yaml
from chalicelib.contract.access_matrix import access_matrix
from chalicelib.contract.protocol import Protocol
from chalicelib.domain.access import membership_problem
from chalicelib.domain.parties import case_parties
from chalicelib.store.base import CaseEntry, RecordVersion

from generator.build import build_project
from generator.edges.files import read_forms_dir

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs/access.md").read_text()


def block(kind: str) -> str:
    [found] = re.findall(rf"```(?:yaml|text) {kind}\n(.*?)```", DOC, re.S)
    return found


def built(protocol_text: str):
    files = read_forms_dir(ROOT)
    settings = re.search(r"^settings:\n(?:[ #].*\n|\n)*", files["forms/protocol.yaml"], re.M)
    return build_project({**files, "forms/protocol.yaml": "area: northshire\nname: Northshire"
                          "\n" + protocol_text + settings.group(0)}, {})


@functools.cache
def doc_protocol() -> Protocol:
    """The doc's agency types, agencies and routes, with the real access: and sharing:."""
    result = built(block("access-example"))
    assert [d.headline() for d in result.diagnostics] == []
    mine = Protocol.from_json(json.loads(result.generated["protocol.json"]))
    real = Protocol.from_json(json.loads(built_real().generated["protocol.json"]))
    return dataclasses.replace(real, agency_types=mine.agency_types, agencies=mine.agencies,
                               routes=mine.routes)


@functools.cache
def built_real():
    return build_project(read_forms_dir(ROOT), {})


def test_the_doc_s_cases_have_the_parties_it_says():
    protocol = doc_protocol()
    lines = block("access-parties").strip().splitlines()
    assert len(lines) == 3
    for line in lines:
        story, parties = line.split(": ")
        opener = re.search(r"opened by (\w+)", story).group(1)
        handed = re.search(r"handed to (\w+)", story)
        entries = [CaseEntry("MG14-1", "t", "opened", "MG14-1", "u", opener, {})]
        if handed:
            entries.append(CaseEntry("MG14-1", "t", "handover", handed.group(1), "u",
                                     "northshire_cjit", {"to": handed.group(1)}))
        record = RecordVersion("MG14-1", 1, "mg14", "1", {}, "t", "u", opener)
        assert sorted(case_parties(protocol, "mg14", [record], entries)) == \
            parties.split(", "), line


def test_the_doc_s_matrix_rows_are_printed_by_dipforms_protocol():
    protocol = doc_protocol()
    forms = [f.id for f in built_real().project.forms]
    rows = {cell.row() for cell in access_matrix(protocol, forms)}
    for line in block("access-matrix").strip().splitlines():
        assert tuple(line.split()) in rows, line


def test_the_doc_s_refused_user_is_refused():
    protocol = doc_protocol()
    said = membership_problem(protocol, "police", "hmp_northshire_healthcare")
    assert said is not None and "gives it no role" in said
    assert membership_problem(protocol, "police", "southshire_police") is None
    assert yaml.safe_load(block("access-example"))["agency_types"]["dat"]["roles"] == [
        "dat_admin"]


def test_the_consent_part_has_its_heading():
    assert "\n## Consent and withdrawal\n" in DOC
