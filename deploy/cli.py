"""`dipforms deploy --stage S [--dry-run]`: build, synthesize, check, then deploy with the CDK.

Every step is printed as it starts. A missing or unknown stage, a failed check, absent AWS
credentials or an account the CDK has not bootstrapped stop before anything in AWS changes,
saying what to fix. `--dry-run` does everything short of calling AWS and prints the plan.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from .stages import StageError, load_stage

ROOT = Path(__file__).resolve().parent.parent
STEPS = 6


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dipforms deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--stage", help="a stage of deploy/stages.yaml (dev, prod)")
    parser.add_argument("--dry-run", action="store_true",
                        help="build, synthesize and check, print the plan; call no AWS API")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None, *, out=print) -> int:
    args = _parser().parse_args(argv)
    root = args.root.resolve()

    def step(number: int, text: str) -> None:
        out(f"[{number}/{STEPS}] {text}", flush=True)

    def stop(text: str) -> int:
        print(f"dipforms deploy: stopped: {text}\nnothing in AWS was changed", file=sys.stderr)
        return 1

    try:
        stage = load_stage(root, args.stage)
    except (StageError, FileNotFoundError) as error:
        return stop(str(error))
    step(1, f"stage {stage.name}: stack {stage.stack_name} in {stage.region}")
    step(2, "build the forms: schemas/, site/ and the API's copy")
    from generator.edges.workspace import Workspace
    from generator.render.site import LOCAL_AUTH

    # the stage's own site is built in synth.build_site; this build is the one machine's
    result, report, _ = Workspace(root, auth=LOCAL_AUTH).build_and_write()
    if not result.ok:
        print(report, file=sys.stderr)
        return stop("the forms have errors: fix them (dipforms check), then deploy again")
    step(3, "synthesize the stack offline, with cdk-nag's AwsSolutions and HIPAA Security packs")
    from .synth import SynthError, synthesize

    build = root / "build" / "deploy" / stage.name
    try:
        synthesis = synthesize(root, stage, build)
    except SynthError as error:
        return stop(f"{error}\nfix the stack, or acknowledge the finding with its reason in "
                    "deploy/suppressions.py")
    from .checks import cfn_lint, checkov

    for number, check in ((4, cfn_lint), (5, checkov)):
        step(number, f"{check.__name__.replace('_', '-')} on {synthesis.template_file.name}")
        found = check(synthesis.template_file)
        out(f"      {found.summary}")
        if not found.ok:
            return stop(f"{found.name} failed:\n  " + "\n  ".join(found.problems))
    if args.dry_run:
        step(6, "dry run: nothing is sent to AWS. The stack would hold:")
        for line in plan(synthesis.template):
            out(f"      {line}")
        out(f"the cloud assembly is in {synthesis.assembly.relative_to(root)}; deploy it with "
            f"`dipforms deploy --stage {stage.name}`")
        return 0
    step(6, f"deploy {stage.stack_name} through the AWS CDK (npx cdk deploy)")
    problem = _account_problem(stage)
    if problem:
        return stop(problem)
    outputs = build / "outputs.json"
    if cdk_deploy(root, stage, synthesis.assembly, outputs) != 0:
        print("dipforms deploy: the CDK deploy failed (its messages are above); "
              "CloudFormation rolled back what it had changed", file=sys.stderr)
        return 1
    values = json.loads(outputs.read_text()).get(stage.stack_name, {})
    out(f"site: {values.get('SiteUrl')}\napi:  {values.get('ApiUrl')}")
    out(f"next: add the first user with `dipforms users add --stage {stage.name} ...` "
        "(docs/deploy.md#the-first-user)")
    return 0


def plan(template: dict) -> list[str]:
    """What the template makes, by resource type, with the settings an admin checks."""
    resources = template.get("Resources", {})
    counts = Counter(resource["Type"] for resource in resources.values())
    lines = [f"{count:3d} x {kind}" for kind, count in sorted(counts.items())]
    for name, resource in sorted(resources.items()):
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::DynamoDB::Table":
            lines.append(f"table {name}: point-in-time recovery "
                         f"{props['PointInTimeRecoverySpecification']['PointInTimeRecoveryEnabled']}"
                         f", deletion protection {props.get('DeletionProtectionEnabled')}, "
                         f"KMS {props['SSESpecification'].get('SSEType')}")
        elif resource["Type"] in ("AWS::Lambda::Function", "AWS::Serverless::Function"):
            lines.append(f"function {props.get('FunctionName', name)}: "
                         f"{props.get('Runtime')}, {props.get('MemorySize', 128)} MB")
        elif resource["Type"] == "AWS::CloudWatch::Alarm":
            lines.append(f"alarm {props.get('AlarmDescription', name)}")
    return lines


def cdk_deploy(root: Path, stage, assembly: Path, outputs: Path) -> int:
    """`cdk deploy` of the checked assembly (not a new synthesis); its exit status."""
    return subprocess.run(
        [_cdk(root), "deploy", stage.stack_name, "--app", str(assembly),
         "--require-approval", "never", "--outputs-file", str(outputs)],
        cwd=root, env={**os.environ, "AWS_REGION": stage.region}).returncode


def _cdk(root: Path) -> str:
    """The CDK CLI pinned in package.json (bin/setup's npm ci installs it)."""
    local = root / "node_modules" / ".bin" / "cdk"
    return str(local) if local.exists() else (shutil.which("cdk") or "cdk")


def _account_problem(stage) -> str | None:
    """None when credentials work and the CDK is bootstrapped in the stage's region."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        account = boto3.client("sts", region_name=stage.region).get_caller_identity()["Account"]
    except NoCredentialsError:
        return ("no AWS credentials: sign in (aws sso login, or AWS_PROFILE=<profile>) and "
                "run again (docs/deploy.md#prerequisites)")
    except (BotoCoreError, ClientError) as error:
        return f"AWS refused the credentials: {error}"
    try:
        boto3.client("cloudformation", region_name=stage.region).describe_stacks(
            StackName="CDKToolkit")
    except ClientError:
        return (f"the CDK is not bootstrapped in account {account}, {stage.region}: run "
                f"`npx cdk bootstrap aws://{account}/{stage.region}` once, then deploy again")
    return None
