"""The committed schemas/ match forms/, and every schema is valid JSON Schema 2020-12."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from generator.build import build_project
from generator.edges.files import read_committed_schemas, read_forms_dir

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILES = sorted((ROOT / "schemas").glob("*/*.schema.json"))


def test_forms_check_clean():
    result = build_project(read_forms_dir(ROOT), read_committed_schemas(ROOT))
    assert [d.headline() for d in result.diagnostics if d.is_error] == []


def test_committed_schemas_are_up_to_date_with_forms():
    """Fails when someone edits forms/ and forgets `dipforms build` (or edits schemas/)."""
    result = build_project(read_forms_dir(ROOT), read_committed_schemas(ROOT))
    assert result.ok
    stale = [path for path, text in result.schemas.items()
             if not (ROOT / "schemas" / path).is_file()
             or (ROOT / "schemas" / path).read_text() != text]
    assert stale == [], "run `dipforms build` and commit schemas/"


def test_there_are_schemas():
    assert len(SCHEMA_FILES) >= 12


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_schema_is_valid_against_the_2020_12_meta_schema(path):
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


def test_manifest_lists_every_schema_with_its_hash():
    import hashlib

    manifest = json.loads((ROOT / "schemas/manifest.json").read_text())
    listed = {v["schema"]: v["sha256"] for f in manifest["forms"] for v in f["versions"]}
    on_disk = {p.relative_to(ROOT / "schemas").as_posix(): p for p in SCHEMA_FILES}
    assert set(listed) == set(on_disk)
    for name, digest in listed.items():
        assert hashlib.sha256(on_disk[name].read_bytes()).hexdigest() == digest
