"""The docs cannot drift: every example in docs/form-language.md builds (or fails with its
stated code), and every field type, function, diagnostic code and CLI command has a place
in the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build_project
from generator.diagnostics import CATALOGUE
from generator.fields import FIELD_TYPES
from generator.rules.functions import FUNCTIONS
from tests.yaml_cases import BASE_FILES, fields_form

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = (ROOT / "docs/form-language.md").read_text()
ERRORS = (ROOT / "docs/errors.md").read_text()
README = (ROOT / "README.md").read_text() if (ROOT / "README.md").is_file() else ""

BLOCK = re.compile(r"```yaml (example|invalid) (\w+)(?: ([A-Z]\d{3}))?\n(.*?)```", re.S)
EXAMPLES = [(m.group(1), m.group(2), m.group(3), m.group(4)) for m in BLOCK.finditer(LANGUAGE)]


def _shared_files() -> dict[str, str]:
    """Every code list, block and form shown in the docs, available to every example."""
    files = dict(BASE_FILES)
    for outcome, kind, _, text in EXAMPLES:
        name = re.search(rf"^{kind}: (\w+)", text, re.M)
        if outcome == "example" and name and kind in ("codelist", "block"):
            files[f"forms/{kind}s/{name.group(1)}.yaml"] = text
        elif outcome == "example" and name and kind == "form":
            files[f"forms/{name.group(1)}.yaml"] = text
    # the settings rules read (setting('name')): the first protocol shown with settings
    protocol = next((text for outcome, kind, _, text in EXAMPLES if outcome == "example"
                     and kind == "protocol" and "settings:" in text), None)
    if protocol is not None:
        files["forms/protocol.yaml"] = protocol
    return files


def _files_for(kind: str, text: str) -> dict[str, str]:
    files = _shared_files()
    if kind == "fields":
        files["forms/t.yaml"] = fields_form(text)
    elif kind == "form":
        form_id = "misnamed" if "another_name" in text else re.search(r"^form: (\w+)", text,
                                                                      re.M).group(1)
        files[f"forms/{form_id}.yaml"] = text
    elif kind in ("protocol", "process"):
        files[f"forms/{kind}.yaml"] = text
        if kind == "protocol":   # its own settings: leave out the forms reading others
            files = {path: body for path, body in files.items()
                     if path == "forms/protocol.yaml" or "setting('" not in body}
    else:
        name = re.search(rf"^{kind}: (\w+)", text, re.M).group(1)
        files[f"forms/{kind}s/{name}.yaml"] = text
    return files


@pytest.mark.parametrize("outcome,kind,code,text", EXAMPLES,
                         ids=[f"{i}-{e[0]}-{e[1]}" for i, e in enumerate(EXAMPLES)])
def test_docs_example(outcome, kind, code, text):
    result = build_project(_files_for(kind, text), {})
    found = [d.code for d in result.diagnostics if d.is_error]
    if outcome == "example":
        assert found == [], [d.headline() for d in result.diagnostics]
    else:
        assert code in found, [d.headline() for d in result.diagnostics]


def test_there_is_an_example_of_every_kind():
    kinds = {(outcome, kind) for outcome, kind, _, _ in EXAMPLES}
    for kind in ("form", "fields", "codelist", "block", "protocol", "process"):
        assert ("example", kind) in kinds


def test_every_field_type_has_a_row_and_an_example_section():
    for name in FIELD_TYPES:
        assert f"| `{name}` |" in LANGUAGE, name
        assert re.search(rf"^### .*\b{name}\b", LANGUAGE, re.M), name
        assert re.search(rf"type: {name}\b", LANGUAGE), name


def test_every_function_is_documented():
    for name in FUNCTIONS:
        assert f"`{name}(" in LANGUAGE, name


def test_every_diagnostic_code_is_documented_and_no_other():
    documented = set(re.findall(r"^### ([A-Z]\d{3})$", ERRORS, re.M))
    assert documented == set(CATALOGUE)


def test_every_cli_command_is_in_the_readme():
    from generator.edges.cli import _parser

    sub = next(a for a in _parser()._actions if a.dest == "command")
    for command in sub.choices:
        assert f"dipforms {command}" in README, command


def test_every_api_route_and_api_command_is_documented():
    import app as api_app
    from chalicelib.manage import _parser as api_parser

    api_doc = (ROOT / "docs/api.md").read_text()
    for path, methods in api_app.app.routes.items():
        for method in methods:
            assert f"`{method} {path}`" in api_doc, (method, path)
    sub = next(a for a in api_parser()._actions if a.dest == "command")
    for command in sub.choices:
        assert f"dipforms {command}" in README, command


def _section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next `## `."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_every_field_error_code_is_documented_and_no_other():
    from chalicelib.contract.codes import FIELD_CODES

    table = _section((ROOT / "docs/api.md").read_text(), "Field error codes")
    rows = re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|", table, re.M)
    documented = {code for row in rows for code in re.findall(r"`([a-z_]+)`", row)}
    assert documented == set(FIELD_CODES)


def test_every_error_is_in_the_error_table_and_no_other():
    from chalicelib.contract.codes import ERRORS
    from chalicelib.responses import ERRORS as STATUSES

    table = _section((ROOT / "docs/api.md").read_text(), "One error shape")
    rows = dict(re.findall(r"^\| (\d{3}) \| ([^|]+) \|", table, re.M))
    documented = {code: int(status) for status, names in rows.items()
                  for code in re.findall(r"`([a-z_]+)`", names)}
    assert documented == {code: STATUSES[code][0] for code in ERRORS}
