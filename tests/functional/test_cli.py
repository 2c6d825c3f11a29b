"""`dipforms check` and `build` on a project folder: exit codes, every diagnostic with
file:line:col, nothing written on error, byte-identical output on a rebuild."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.yaml_cases import THREE_MISTAKES, fields_form, project_files

ROOT = Path(__file__).resolve().parents[2]

GOOD = fields_form("""
    - {id: surname, type: text, label: Surname, required: true}
    - {id: offence_class, type: choice, label: Class, codelist: offence_class}
""")



def make_project(tmp_path: Path, form: str) -> Path:
    for relative, text in project_files(form).items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def dipforms(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DIPFORMS_DEBUG"}
    return subprocess.run([sys.executable, "-m", "generator.edges.cli", "--root", str(project),
                           *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_reports_three_mistakes_and_exits_non_zero(tmp_path):
    project = make_project(tmp_path, THREE_MISTAKES)
    run = dipforms(project, "check")
    assert run.returncode == 1
    headlines = [line for line in run.stderr.splitlines() if line.startswith("forms/")]
    assert headlines == [
        "forms/t.yaml:12:15: error F004: unknown field type 'dat'",
        "forms/t.yaml:17:9: error F001: unknown key 'requird' in a text field",
        "forms/t.yaml:21:19: error F006: unknown code list 'offence_clas'",
    ]
    assert "did you mean 'date'?" in run.stderr
    assert "Traceback" not in run.stderr


def test_failed_build_changes_nothing(tmp_path):
    project = make_project(tmp_path, GOOD)
    assert dipforms(project, "build").returncode == 0
    before = snapshot(project / "schemas") | snapshot(project / "site")
    (project / "forms/t.yaml").write_text(THREE_MISTAKES)
    run = dipforms(project, "build")
    assert run.returncode == 1
    assert "nothing was written" in run.stderr
    assert snapshot(project / "schemas") | snapshot(project / "site") == before


def test_build_writes_schemas_manifest_site_and_api_copy(tmp_path):
    project = make_project(tmp_path, GOOD)
    run = dipforms(project, "build")
    assert run.returncode == 0, run.stderr
    assert (project / "schemas/t/1.0.schema.json").is_file()
    assert (project / "schemas/manifest.json").is_file()
    assert (project / "api/chalicelib/generated/manifest.json").read_bytes() == (
        project / "schemas/manifest.json").read_bytes()
    assert (project / "site/index.html").is_file()
    assert (project / "site/forms/t/index.html").is_file()


def test_rebuild_is_byte_identical(tmp_path):
    project = make_project(tmp_path, GOOD)
    dipforms(project, "build")
    first = snapshot(project)
    for folder in ("schemas", "site", "api"):
        subprocess.run(["rm", "-rf", str(project / folder)], check=True)
    dipforms(project, "build")
    assert snapshot(project) == first


@pytest.mark.parametrize("content,code", [
    (b"form: t\nversion: \xff\xfe\n", "Y001"),
    (b"form: !!python/object:os.system ls\n", "Y001"),
    (b"- just\n- a list\n", "F002"),
])
def test_bad_files_are_diagnostics_not_tracebacks(tmp_path, content, code):
    project = make_project(tmp_path, GOOD)
    (project / "forms/t.yaml").write_bytes(content)
    run = dipforms(project, "check")
    assert run.returncode == 1
    assert f"error {code}" in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_forms_folder_is_a_usage_error(tmp_path):
    run = dipforms(tmp_path, "check")
    assert run.returncode == 2 and "no forms/ folder" in run.stderr


def test_rules_lists_every_rule_of_the_dip_set_with_severity_and_source():
    """`dipforms rules` against the real forms/: every rule id in the YAML, each once."""
    import csv
    import io

    import yaml

    run = dipforms(ROOT, "rules", "--csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    expected = sorted((rule["id"], path.stem)
                      for path in (ROOT / "forms").glob("*.yaml")
                      for rule in (yaml.safe_load(path.read_text()) or {}).get("rules") or [])
    assert sorted((row["rule"], row["form"]) for row in rows) == expected
    by_id = {row["rule"]: row for row in rows if row["form"] == "mg14"}
    assert by_id["CC-01"]["severity"] == "refuse"
    assert "dip-condition-operational-guidelines.txt §2.1" in by_id["CC-01"]["source"]
    assert all(row["severity"] in ("refuse", "warn") and row["source"] for row in rows)


def test_protocol_prints_routes_and_access_and_refuses_broken_definitions(tmp_path):
    run = dipforms(ROOT, "protocol")
    assert run.returncode == 0, run.stderr
    assert any(line.split()[:3] == ["amended", "mg14", "northshire_cjit"]
               for line in run.stdout.splitlines())
    assert any(line.split()[:1] == ["mg14"] and "police" in line
               for line in run.stdout.splitlines())
    # the access matrix: agency type x role x form (docs/access.md)
    assert any(line.split() == ["police_custody", "police", "mg14", "yes", "whole", "-", "-"]
               for line in run.stdout.splitlines())
    matrix = dipforms(ROOT, "protocol", "--matrix-csv")
    assert matrix.returncode == 0 and matrix.stdout.splitlines()[0].startswith("agency type,")
    assert "dat,dat_admin,mg14,-,references,-,-" in matrix.stdout.splitlines()
    broken = dipforms(make_project(tmp_path, THREE_MISTAKES), "rules")
    assert broken.returncode == 1 and "F004" in broken.stderr and broken.stdout == ""
