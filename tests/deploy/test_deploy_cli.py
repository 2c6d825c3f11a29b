"""`dipforms deploy`: the dry run prints its plan without AWS; a real deploy stops, before
anything in AWS changes, on a missing stage, absent credentials or an unbootstrapped
account, and otherwise hands the checked assembly to the pinned CDK CLI."""

from __future__ import annotations

import json
import subprocess

import botocore.client
import pytest
from moto import mock_aws

from deploy import cli, synth
from tests.api_harness import ROOT


def _run(argv, capsys):
    lines = []
    status = cli.main(argv, out=lambda text="", **_: lines.append(text))
    return status, "\n".join(lines), capsys.readouterr().err


@pytest.fixture
def no_aws_calls(monkeypatch):
    def refuse(self, operation, params):
        raise AssertionError(f"a dry run called AWS: {operation}")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)


@pytest.fixture
def no_cdk(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"the CDK was run: {args}")

    monkeypatch.setattr(cli, "cdk_deploy", refuse)


def test_a_dry_run_builds_checks_and_prints_the_plan_without_calling_aws(
        capsys, no_aws_calls, no_cdk):
    status, out, err = _run(["--stage", "dev", "--dry-run"], capsys)
    assert status == 0, err
    steps = [line.split("]")[0] + "]" for line in out.splitlines() if line.startswith("[")]
    assert steps == [f"[{n}/6]" for n in range(1, 7)]
    assert "0 errors" in out and "0 failed" in out
    assert "1 x AWS::DynamoDB::Table" in out and "3 x AWS::Serverless::Function" in out
    assert "point-in-time recovery True, deletion protection True" in out
    assert (ROOT / "build/deploy/dev/cdk.out/dipforms-dev.template.json").exists()


@pytest.mark.parametrize(("argv", "said"), [
    ([], "give a stage: --stage dev or --stage prod"),
    (["--stage", "staging"], "no stage 'staging'"),
])
def test_a_missing_or_unknown_stage_stops_first(capsys, no_cdk, argv, said):
    status, out, err = _run(argv, capsys)
    assert status == 1 and said in err and "nothing in AWS was changed" in err
    assert out == ""


@pytest.fixture
def checked(monkeypatch, dev):
    """Skip the synthesis the session already made (tests/deploy/conftest.py)."""
    monkeypatch.setattr(synth, "synthesize", lambda root, stage, build: dev)
    return dev


def test_absent_credentials_stop_before_the_cdk_runs(capsys, monkeypatch, tmp_path, no_cdk,
                                                     checked):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    status, out, err = _run(["--stage", "dev"], capsys)
    assert status == 1
    assert "no AWS credentials" in err and "nothing in AWS was changed" in err
    assert "[6/6] deploy dipforms-dev" in out


@pytest.fixture
def aws(monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "eu-west-2")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def test_an_account_without_the_cdk_bootstrap_is_told_the_command(capsys, no_cdk, checked,
                                                                  aws):
    status, _, err = _run(["--stage", "dev"], capsys)
    assert status == 1
    assert "npx cdk bootstrap aws://123456789012/eu-west-2" in err


def test_a_ready_account_gets_the_checked_assembly_and_the_urls(capsys, monkeypatch, checked,
                                                                 aws):
    import boto3

    boto3.client("cloudformation", region_name="eu-west-2").create_stack(
        StackName="CDKToolkit", TemplateBody=json.dumps({"Resources": {"Topic": {
            "Type": "AWS::SNS::Topic"}}}))
    ran = []

    def deploy(root, stage, assembly, outputs):
        ran.append((stage.stack_name, assembly))
        outputs.write_text(json.dumps({"dipforms-dev": {
            "SiteUrl": "https://d1.cloudfront.net", "ApiUrl": "https://d1.cloudfront.net/v1/"}}))
        return 0

    monkeypatch.setattr(cli, "cdk_deploy", deploy)
    status, out, err = _run(["--stage", "dev"], capsys)
    assert status == 0, err
    assert ran == [("dipforms-dev", checked.assembly)]
    assert "site: https://d1.cloudfront.net" in out
    assert "dipforms users add --stage dev" in out


def test_the_cdk_cli_deploys_the_checked_assembly_not_a_new_synthesis(monkeypatch, tmp_path):
    from deploy.stages import load_stage

    ran = []
    monkeypatch.setattr(cli.subprocess, "run",
                        lambda args, **kw: ran.append((args, kw)) or
                        subprocess.CompletedProcess(args, 3))
    stage = load_stage(ROOT, "prod")
    assert cli.cdk_deploy(ROOT, stage, tmp_path / "cdk.out", tmp_path / "o.json") == 3
    [(args, kwargs)] = ran
    assert args[0] == str(ROOT / "node_modules/.bin/cdk")
    assert args[1:] == ["deploy", "dipforms-prod", "--app", str(tmp_path / "cdk.out"),
                        "--require-approval", "never", "--outputs-file",
                        str(tmp_path / "o.json")]
    assert kwargs["env"]["AWS_REGION"] == stage.region
