"""The checks a synthesized stack passes before it is deployed: cfn-lint and checkov.

cdk-nag's AwsSolutions and HIPAA Security packs run inside the synthesis (synth.py); these
two read the template it writes. Each returns a CheckResult; `dipforms deploy` stops on the
first that fails, and tests/deploy/ runs them all on every stage.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    summary: str                      # one line: counts
    problems: tuple[str, ...] = ()    # one line each, for a failed check
    notes: tuple[str, ...] = ()       # what passed with a remark (warnings, skips)


def cfn_lint(template: Path) -> CheckResult:
    """cfn-lint's errors fail; its warnings are shown (both CDK-internal today)."""
    run = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), "--format", "json",
                          str(template)], capture_output=True, text=True, timeout=300)
    try:        # exit status is a bit mask of what it found (2 errors, 4 warnings, 8 infos)
        found = json.loads(run.stdout or "[]")
    except json.JSONDecodeError:
        found = None
    if found is None or run.returncode & 1 or (run.returncode and not found):
        return CheckResult("cfn-lint", False, "cfn-lint did not run",
                           (run.stderr.strip()[-2000:],))
    line = [f"{m['Rule']['Id']} {m['Location']['Path']}: {m['Message']}" for m in found]
    errors = tuple(text for text, m in zip(line, found, strict=True) if m["Level"] == "Error")
    warnings = tuple(text for text, m in zip(line, found, strict=True) if m["Level"] != "Error")
    return CheckResult("cfn-lint", not errors,
                       f"{len(errors)} errors, {len(warnings)} warnings", errors, warnings)


def checkov(template: Path) -> CheckResult:
    """checkov's CloudFormation checks; skips are the stack's own, with their reasons
    (suppressions.CHECKOV_SKIPPED). Offline: no guideline download, no platform."""
    if not CHECKOV.exists():
        return CheckResult("checkov", False, "checkov is not installed",
                           ("run bin/setup: it makes .venv-checkov",))
    run = subprocess.run([str(CHECKOV), "-f", str(template), "--framework", "cloudformation",
                          "--output", "json", "--skip-download"],
                         capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return CheckResult("checkov", False, "checkov did not run",
                           (run.stderr.strip()[-2000:],))
    results = report.get("results", {})
    summary = report.get("summary", {})
    failed = tuple(f"{c['check_id']} {c['resource']}: {c['check_name']}"
                   for c in results.get("failed_checks", []))
    skipped = tuple(f"{c['check_id']} {c['resource']}: skipped" for c in
                    results.get("skipped_checks", []))
    return CheckResult("checkov", not failed,
                       f"{summary.get('passed', 0)} passed, {summary.get('failed', 0)} "
                       f"failed, {summary.get('skipped', 0)} skipped with reasons",
                       failed, skipped)


def run_checks(template: Path) -> list[CheckResult]:
    return [cfn_lint(template), checkov(template)]
