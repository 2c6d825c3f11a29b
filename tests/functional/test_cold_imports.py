"""What a Lambda's first request does not pay for (bench/first_request.py measures it):
importing the app and everything a read or a submission uses leaves out boto3 (botocore's
clients serve), jsonschema (asked only for a failing submission) and holidays (asked only
when working days are counted); and a valid submission never builds the detailed
validator, nor does the catalogue compile a form before it is used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
from chalicelib.catalogue import Catalogue
from chalicelib.domain.validation import compile_validator, validate

from tests.examples import DEFAULT_TODAY, example_data

API = Path(__file__).resolve().parents[2] / "api"
USED_BY_A_REQUEST = ("app", "chalicelib.records", "chalicelib.cases", "chalicelib.casefind",
                     "chalicelib.runtime", "chalicelib.stage_config", "chalicelib.aws_clients",
                     "chalicelib.store.dynamodb", "chalicelib.cognito_directory",
                     "chalicelib.notify.channels", "chalicelib.tokens", "chalicelib.drafts")
LEFT_OUT = ("boto3", "jsonschema", "holidays")


def test_the_modules_a_request_imports_leave_out_boto3_jsonschema_and_holidays():
    probe = ("import importlib, json, sys\n"
             f"for name in {USED_BY_A_REQUEST!r}:\n"
             "    importlib.import_module(name)\n"
             f"print(json.dumps([m for m in {LEFT_OUT!r} if m in sys.modules]))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(API), str(API.parent)])}
    done = subprocess.run([sys.executable, "-c", probe], cwd=API, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout) == []


def test_a_valid_submission_never_builds_the_detailed_validator(generated):
    form = Catalogue(generated).current("mg14")
    fast = jsonschema_rs.validator_for(form.schema, validate_formats=True)
    built = []

    def detailed():
        built.append(1)
        return compile_validator(form.schema)

    data = example_data("mg14")
    assert validate(form.schema, detailed, data, today=DEFAULT_TODAY, fast=fast)[0] == []
    assert built == []
    errors, _ = validate(form.schema, detailed, {**data, "urn": 7}, today=DEFAULT_TODAY,
                         fast=fast)
    assert built == [1] and [e.field for e in errors if e.code == "type"] == ["/urn"]


def test_the_catalogue_compiles_a_form_on_its_first_use(generated):
    catalogue = Catalogue(generated)
    assert catalogue._schemas == {}
    catalogue.current("mg14")
    assert list(catalogue._schemas) == [("mg14", catalogue.forms["mg14"].current_version)]


#: What building a project without forms/process.yaml and forms/protocol.yaml leaves out: a
#: third of a cold one-form build's imports (bench.build, generator/README.md: Build speed).
CASEWORK_MODULES = ("generator.process.states", "generator.protocol.routes",
                    "generator.protocol.compiled", "chalicelib.contract.protocol")


def _modules_after_building(files: dict[str, str]) -> list[str]:
    probe = ("import json, sys\n"
             "from generator.build import build_project\n"
             "from generator.edges.templating import make_environment\n"
             "from generator.render.site import Site\n"
             "result = build_project(json.loads(sys.stdin.read()), {},\n"
             "                       site=Site(make_environment()))\n"
             "assert result.ok, [d.headline() for d in result.diagnostics]\n"
             f"print(json.dumps([m for m in {CASEWORK_MODULES!r} if m in sys.modules]))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(API.parent), str(API)])}
    done = subprocess.run([sys.executable, "-c", probe], cwd=API.parent, env=env,
                          input=json.dumps(files), capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout)


def test_a_build_without_a_process_or_protocol_never_imports_their_modules():
    from bench.synthetic import project

    assert _modules_after_building(project(1, 5)) == []


def test_a_build_with_them_imports_what_it_uses():
    from generator.edges.files import read_forms_dir

    assert _modules_after_building(read_forms_dir(API.parent)) == list(CASEWORK_MODULES)
