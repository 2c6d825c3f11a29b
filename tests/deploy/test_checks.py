"""The checks `dipforms deploy` runs before anything reaches AWS pass on every stage, and
each one fails when what it guards is broken (so a pass means something)."""

from __future__ import annotations

import json

import pytest

from deploy import suppressions
from deploy.checks import cfn_lint, checkov
from deploy.stages import load_stage
from deploy.synth import SynthError, synthesize
from tests.api_harness import ROOT


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_cfn_lint_and_checkov_pass_on_the_synthesized_stack(synthesized, stage):
    synthesis = synthesized(stage)
    lint = cfn_lint(synthesis.template_file)
    assert lint.ok, lint.problems
    scan = checkov(synthesis.template_file)
    assert scan.ok, scan.problems
    skipped = {line.split()[0] for line in scan.notes}
    chosen = suppressions.CHECKOV_SKIPPED + (
        () if synthesis.stage.certificate_arn else suppressions.CHECKOV_WITHOUT_CERTIFICATE)
    assert skipped == {check for _, check, _ in chosen}


def test_every_checkov_skip_carries_its_reason_in_the_template(dev):
    for resource in dev.template["Resources"].values():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert len(skip["comment"]) > 40, skip


def test_checkov_fails_a_check_whose_skip_is_taken_away(dev, tmp_path):
    template = json.loads(dev.template_file.read_text())
    for resource in template["Resources"].values():
        resource.get("Metadata", {}).pop("checkov", None)
    bare = tmp_path / "bare.template.json"
    bare.write_text(json.dumps(template))
    scan = checkov(bare)
    assert not scan.ok
    assert any(line.startswith("CKV_AWS_117 ") for line in scan.problems)


def test_cfn_lint_fails_a_template_with_an_error(dev, tmp_path):
    template = json.loads(dev.template_file.read_text())
    table = next(r for r in template["Resources"].values()
                 if r["Type"] == "AWS::DynamoDB::Table")
    table["Properties"]["BillingMode"] = "FREE"
    broken = tmp_path / "broken.template.json"
    broken.write_text(json.dumps(template))
    lint = cfn_lint(broken)
    assert not lint.ok and any("FREE" in problem for problem in lint.problems)


def test_an_unacknowledged_cdk_nag_finding_stops_the_synthesis(monkeypatch, tmp_path):
    kept = tuple(a for a in suppressions.ACKNOWLEDGED if a[1] != "AwsSolutions-SMG4")
    monkeypatch.setattr(suppressions, "ACKNOWLEDGED", kept)
    with pytest.raises(SynthError) as raised:
        synthesize(ROOT, load_stage(ROOT, "dev"), tmp_path)
    assert "AwsSolutions-SMG4" in str(raised.value)
    assert "StageSecret" in str(raised.value)


def test_every_acknowledgement_names_a_rule_and_says_why():
    for path, rule, reason in suppressions.ACKNOWLEDGED + suppressions.WITHOUT_CERTIFICATE:
        assert rule.startswith(("AwsSolutions-", "HIPAA.Security-")), rule
        assert len(reason) > 40, (path, rule)


def test_synthesizing_leaves_the_process_environment_as_it_was(dev):
    """Chalice sets the stage's variables in os.environ when it imports the app to
    package it; a later build or runtime in the same process must not read them."""
    import os

    assert not [name for name in os.environ if name.startswith("DIPFORMS_")]
    assert os.environ.get("AWS_EXECUTION_ENV") is None
