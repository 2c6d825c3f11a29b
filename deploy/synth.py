"""Build the site for a stage and synthesize its stack offline, with cdk-nag's packs.

`synthesize` is what `dipforms deploy` and the tests call: no AWS account or credentials
are needed (Chalice packages the app, fetching Lambda wheels from the package index, and
the CDK writes a cloud assembly). A cdk-nag finding without a suppression fails here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .stages import StageSettings

#: Node 20 still runs jsii and the CDK here; say so once in docs/deploy.md, not on every run.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


class SynthError(Exception):
    """The stack did not synthesize: a cdk-nag finding, or a construct's own error."""


@dataclass(frozen=True)
class Synthesis:
    stage: StageSettings
    assembly: Path              # the cloud assembly `cdk deploy --app` takes
    template: dict              # the stack's CloudFormation template
    stack: object               # the DipformsStack, for aws_cdk.assertions in tests

    @property
    def template_file(self) -> Path:
        return self.assembly / f"{self.stage.stack_name}.template.json"


def build_site(root: Path, stage: StageSettings, out: Path) -> Path:
    """The site as it is published for the stage: built from root's forms/ and schemas/
    into `out`, signing in through the stage's hosted UI (the app client's id is put in at
    upload, see stack.CLIENT_ID_MARKER). Raises SynthError with the forms' report."""
    from generator.edges.workspace import Workspace
    from generator.render.site import SiteAuth

    from .stack import CLIENT_ID_MARKER

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for folder in ("forms", "schemas"):
        shutil.copytree(root / folder, out / folder)
    workspace = Workspace(out, auth=SiteAuth("cognito", domain=stage.cognito_domain,
                                             client_id=CLIENT_ID_MARKER))
    result, report, _ = workspace.build_and_write()
    if not result.ok:
        raise SynthError(f"the forms have errors:\n{report}")
    return out / "site"


@contextlib.contextmanager
def _packaging(path: Path, region: str):
    """Chalice's construct writes its package under ./chalice.out (kept in the build), asks
    botocore for the region (no credentials needed), and imports the app with the stage's
    variables set in os.environ: all three are put back afterwards, so nothing of the
    stack's leaks into the process that synthesized it."""
    before, environ = Path.cwd(), dict(os.environ)
    path.mkdir(parents=True, exist_ok=True)
    os.chdir(path)
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        yield
    finally:
        os.chdir(before)
        os.environ.clear()
        os.environ.update(environ)


def synthesize(root: Path, stage: StageSettings, build: Path, *, nag: bool = True,
               protocol: dict | None = None) -> Synthesis:
    """Synthesize stage's stack under `build` (site, Chalice package, cloud assembly).
    `protocol`: the built protocol.json to make topics for (default: the API's copy)."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks
    from chalicelib.contract.roles import ROLES

    from .stack import DipformsStack
    from .suppressions import skip_checkov, suppress

    root, build = root.resolve(), build.resolve()
    site = build_site(root, stage, build / "site-build")
    assembly = build / "cdk.out"
    shutil.rmtree(assembly, ignore_errors=True)
    app = cdk.App(outdir=str(assembly), analytics_reporting=False)
    if nag:
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), HIPAASecurityChecks())
    if protocol is None:
        protocol = json.loads((root / "api/chalicelib/generated/protocol.json").read_text())
    with _packaging(build, stage.region):
        stack = DipformsStack(app, stage, api_dir=root / "api", site_dir=site,
                              protocol=protocol, roles=ROLES)
        suppress(stack)
        skip_checkov(stack)
        try:
            app.synth()
        except Exception as error:       # jsii raises RuntimeError('ValidationFailed' ...)
            report = assembly / "validation-report.json"
            detail = _findings(report) if report.exists() else str(error)
            raise SynthError(f"the stack did not synthesize:\n{detail}") from None
    template = json.loads((assembly / f"{stage.stack_name}.template.json").read_text())
    return Synthesis(stage, assembly, template, stack)


def _findings(report: Path) -> str:
    """cdk-nag's validation report as one line per finding: rule, resource, what."""
    lines = []
    for plugin in json.loads(report.read_text()).get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for place in violation.get("violatingConstructs", []):
                lines.append(f"{violation.get('ruleName')} ({violation.get('severity')}): "
                             f"{place.get('constructPath')}: "
                             f"{violation.get('description', '').strip()[:160]}")
    return "\n".join(lines) or report.read_text()[:4000]
