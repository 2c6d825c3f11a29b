"""`chalice package --stage dev` on a copy of api/ with freshly generated JSON: the zip holds
the app, chalicelib, every generated schema and Lambda-compatible wheels for each pin; the SAM
template has the three functions and their schedules. The deploy stack (deploy/) packages
the app the same way, through Chalice's CDK construct, and adds everything else."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.api_harness import ROOT
from tests.lambda_package import build_package, copy_api

API = ROOT / "api"
STAGE, REGION = "dev", "eu-west-2"
LAMBDA_GLIBC = (2, 26)  # chalice accepts manylinux wheels up to this glibc
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
LAMBDA_SIZE_LIMIT = 250 * 1024 * 1024  # unzipped


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> tuple[Path, zipfile.ZipFile, dict]:
    """(the copied api/, the deployment zip, the SAM template); no AWS credentials."""
    work = tmp_path_factory.mktemp("package")
    app_dir = copy_api(work / "api")
    archive = build_package(app_dir, work / "out")
    with zipfile.ZipFile(archive) as opened:
        yield app_dir, opened, json.loads((work / "out" / "sam.json").read_text("utf-8"))


def test_the_zip_holds_the_app_and_every_generated_file(package):
    app_dir, archive, _ = package
    names = set(archive.namelist())
    manifest = json.loads(archive.read("chalicelib/generated/manifest.json"))
    schemas = {f"chalicelib/generated/schemas/{form['id']}/{v['version']}.schema.json"
               for form in manifest["forms"] for v in form["versions"]}
    assert len(schemas) >= 12
    assert {"app.py", "chalicelib/records.py", "chalicelib/store/dynamodb/__init__.py",
            "chalicelib/generated/manifest.json", "chalicelib/generated/protocol.json",
            *schemas} <= names
    assert manifest == json.loads(
        (app_dir / "chalicelib" / "generated" / "manifest.json").read_text("utf-8"))
    assert not [n for n in names if n.startswith(("generator/", "tests/", "yaml/", "jinja2/"))]
    assert sum(info.file_size for info in archive.infolist()) < LAMBDA_SIZE_LIMIT


def _pins() -> dict[str, str]:
    lines = (API / "requirements.txt").read_text("utf-8").splitlines()
    return dict(line.split("==") for line in (raw.split("#")[0].strip() for raw in lines)
                if line)


def _glibc(platform: str) -> tuple[int, int] | None:
    """manylinux_2_17_x86_64 -> (2, 17); manylinux2014_x86_64 -> (2, 17); else None."""
    match = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", platform)
    if match:
        return int(match[1]), int(match[2])
    legacy = re.fullmatch(r"(manylinux\d+)_x86_64", platform)
    return LEGACY_MANYLINUX.get(legacy[1]) if legacy else None


def test_every_pinned_requirement_is_in_the_zip_as_a_lambda_wheel(package):
    _, archive, _ = package
    dist_infos = {n.split("/")[0].lower() for n in archive.namelist()
                  if n.split("/")[0].endswith(".dist-info")}
    for name, version in _pins().items():
        assert f"{name.lower().replace('-', '_')}-{version}.dist-info" in dist_infos, name
    for info in sorted(dist_infos):
        wheel = archive.read(next(n for n in archive.namelist()
                                  if n.lower() == f"{info}/wheel")).decode()
        for tag in re.findall(r"^Tag: (\S+)", wheel, re.MULTILINE):
            platform = tag.split("-")[2]
            if platform != "any":
                glibc = _glibc(platform)
                assert glibc is not None and glibc <= LAMBDA_GLIBC, (info, tag)


def test_the_template_has_the_three_functions_and_their_schedules(package):
    """What the stack (deploy/stack.py) builds on: its roles, settings and logs are the
    stack's own and are tested in tests/deploy/."""
    _, _, sam = package
    resources = sam["Resources"]
    handlers = {name: resources[name]["Properties"]["Handler"]
                for name in ("APIHandler", "DeliverNotifications", "SweepDeadlines")}
    assert handlers == {"APIHandler": "app.app",
                        "DeliverNotifications": "app.deliver_notifications",
                        "SweepDeadlines": "app.sweep_deadlines"}
    for name in handlers:
        assert resources[name]["Properties"]["Runtime"] == "python3.11"
        assert resources[name]["Properties"]["CodeUri"] == "./deployment.zip"
    schedules = {name: [event["Properties"]["Schedule"]
                        for event in resources[name]["Properties"]["Events"].values()]
                 for name in ("DeliverNotifications", "SweepDeadlines")}
    assert schedules == {"DeliverNotifications": ["rate(1 minute)"],
                         "SweepDeadlines": ["rate(15 minutes)"]}
