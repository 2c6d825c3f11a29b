"""A DAT changes a rule's setting in forms/protocol.yaml and rebuilds; the same answers are
judged differently by the API (the generated schemas the Catalogue reads, and records'
check_answers) and by the pages (checks.js on the site's copy of the schema, run in Node),
with no code change and no new form version. DIP-12: the gap between sessions 2 and 3."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from chalicelib.catalogue import Catalogue
from chalicelib.records import check_answers

from generator.build import build_project
from generator.edges.files import read_committed_schemas, read_forms_dir
from generator.edges.write import _write_tree
from tests.examples import ROOT, load_examples
from tests.functional.test_checks_js import needs_node, run_checks

SESSION3 = next(e.data for e in load_examples("dip_session3") if e.name == "valid/full")
TODAY = datetime.date(2026, 11, 25)
GAP = re.compile(r"(min_gap_s2_s3_days:\n\s+value:) 3\n")


def built(tmp_path, gap: int):
    """The repo's forms with the DIP-12 gap set to `gap`, built; the API's files written."""
    sources = read_forms_dir(ROOT)
    protocol, found = GAP.subn(rf"\1 {gap}\n", sources["forms/protocol.yaml"])
    assert found == 1, "forms/protocol.yaml no longer sets min_gap_s2_s3_days to 3"
    result = build_project({**sources, "forms/protocol.yaml": protocol},
                           read_committed_schemas(ROOT))
    assert result.ok, [d.headline() for d in result.diagnostics]
    folder = tmp_path / f"gap{gap}"
    _write_tree(folder, result.generated, prune=True)
    return result, Catalogue(folder)


def api_verdict(catalogue: Catalogue, data: dict) -> list[tuple[str, str, str]]:
    errors, warnings = check_answers(catalogue.current("dip_session3"), data, TODAY)
    assert errors == []
    return [(w.field, w.code, w.message) for w in warnings]


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("settings")
    return {gap: built(folder, gap) for gap in (3, 5)}


def test_the_gap_setting_changes_what_the_api_warns_of(builds):
    """Sessions 2 and 3 four days apart: fine with the default 3 days, a warning with 5."""
    assert SESSION3["session_at"][:10] == "2026-11-24" and SESSION3["session2_at"][:10] == \
        "2026-11-20"
    assert api_verdict(builds[3][1], SESSION3) == []
    assert api_verdict(builds[5][1], SESSION3) == [
        ("/session_at", "DIP-12",
         "There should usually be a gap of at least 5 days between session 2 and session 3")]
    # the same version of the form: a setting is local policy, not a new version
    assert builds[5][1].forms["dip_session3"].current_version == \
        builds[3][1].forms["dip_session3"].current_version


@needs_node
def test_the_pages_warn_as_the_api_does(builds):
    jobs, schemas = [], {}
    for gap, (result, _) in builds.items():
        version = next(f.version for f in result.project.forms if f.id == "dip_session3")
        schemas[str(gap)] = json.loads(result.schemas[f"dip_session3/{version}.schema.json"])
        jobs.append({"schema": str(gap), "data": SESSION3,
                     "options": {"today": TODAY.isoformat()}})
    got = run_checks(schemas, jobs)
    assert got[0] == {"errors": [], "warnings": []}
    assert got[1]["errors"] == []
    assert [(w["field"], w["code"], w["message"]) for w in got[1]["warnings"]] == \
        api_verdict(builds[5][1], SESSION3)
