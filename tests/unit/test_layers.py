"""The pure core does no I/O and imports point down the pipeline: generator/ never imports
api/, api/ never imports generator/, PyYAML or Jinja."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "generator/spans.py", "generator/diagnostics.py", "generator/model.py",
    "generator/reader.py", "generator/parse.py", "generator/parse_shared.py",
    "generator/check.py", "generator/schema.py", "generator/versions.py",
    "generator/manifest.py", "generator/build.py", "generator/load.py",
    "generator/render.py", "generator/render_views.py", "generator/render_text.py",
    "generator/components.py", "generator/render_questions.py", "generator/offline.py",
    "generator/formpost.py", "generator/pageflow.py", "generator/review.py",
    "generator/process.py", "generator/process_deadlines.py", "generator/events.py",
    "generator/protocol_routes.py", "generator/protocol_check.py",
    "generator/process_case.py", "generator/render_cases.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "generator/fields").glob("*.py")),
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "generator/rules").glob("*.py")),
    "api/chalicelib/rules.py", "api/chalicelib/validation.py", "api/chalicelib/access.py",
    "api/chalicelib/openapi.py", "api/chalicelib/notify/routing.py",
    "api/chalicelib/notify/message.py", "api/chalicelib/store/base.py",
    "api/chalicelib/workdays.py", "api/chalicelib/dashboard.py",
    "api/chalicelib/deadlines.py", "api/chalicelib/sharing.py", "api/chalicelib/caseflow.py",
]
FORBIDDEN_NAMES = {"open"}
FORBIDDEN_ATTRIBUTES = {("os", "environ"), ("datetime", "now"), ("date", "today"),
                        ("time", "time")}
FORBIDDEN_MODULES = {"pathlib", "sqlite3", "boto3", "socket", "subprocess", "shutil"}


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(("." * node.level) + node.module)
    return names


@pytest.mark.parametrize("relative", PURE)
def test_pure_module_does_no_io(relative):
    tree = ast.parse((ROOT / relative).read_text())
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            problems.append(f"{node.lineno}: {node.id}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                node.value.id, node.attr) in FORBIDDEN_ATTRIBUTES:
            problems.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    problems += [f"imports {name}" for name in _imports(tree)
                 if name.split(".")[0] in FORBIDDEN_MODULES]
    assert problems == []


def test_generator_never_imports_api_and_api_never_imports_generator():
    for path in (ROOT / "generator").rglob("*.py"):
        assert not any(n.startswith("api") for n in _imports(ast.parse(path.read_text()))), path
    for path in (ROOT / "api").rglob("*.py"):
        imported = _imports(ast.parse(path.read_text()))
        assert not any(n.split(".")[0] in ("generator", "yaml", "jinja2") for n in imported), path
