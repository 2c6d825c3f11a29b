"""`dipforms build` for AWS: the environment chooses Cognito sign-in for the pages; a wrong
setting stops the build by name, before anything is written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.functional.test_cli import GOOD, ROOT, make_project

DOMAIN = "https://dipforms.auth.eu-west-2.amazoncognito.com"


def build(project: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k != "DIPFORMS_DEBUG" and not k.startswith(("DIPFORMS_AUTH", "DIPFORMS_COGNITO"))}
    return subprocess.run([sys.executable, "-m", "generator.edges.cli", "--root", str(project),
                           "build"],
                          capture_output=True, text=True, cwd=ROOT, env={**environ, **env},
                          timeout=120)


def test_build_with_cognito_settings_writes_a_site_that_signs_in_through_the_hosted_ui(tmp_path):
    project = make_project(tmp_path, GOOD)
    run = build(project, DIPFORMS_AUTH="cognito", DIPFORMS_COGNITO_DOMAIN=DOMAIN,
                DIPFORMS_COGNITO_CLIENT_ID="3n4b5urk1ft4fl3mg5e7q4example")
    assert run.returncode == 0, run.stderr
    assert f"sign in through the Cognito hosted UI at {DOMAIN}" in run.stdout
    assert (project / "site/signed-in.html").is_file()
    assert (project / "site/assets/cognito.js").is_file()
    page = (project / "site/forms/t/index.html").read_text()
    config = json.loads(re.search(r'id="dipforms-config">(.*?)</script>', page).group(1))
    assert config["auth"] == "cognito" and config["cognito"]["domain"] == DOMAIN

    again = build(project)            # no settings: the password form again
    assert again.returncode == 0, again.stderr
    assert not (project / "site/signed-in.html").exists()
    assert 'id="password"' in (project / "site/sign-in.html").read_text()


def test_a_wrong_cognito_setting_stops_the_build_by_name(tmp_path):
    project = make_project(tmp_path, GOOD)
    run = build(project, DIPFORMS_AUTH="cognito", DIPFORMS_COGNITO_DOMAIN="http://example.org",
                DIPFORMS_COGNITO_CLIENT_ID="3n4b5urk1ft4fl3mg5e7q4example")
    assert run.returncode == 2
    assert "DIPFORMS_COGNITO_DOMAIN" in run.stderr and "Traceback" not in run.stderr
    assert not (project / "site").exists()
