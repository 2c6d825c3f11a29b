"""The pure core does no I/O and imports point down the pipeline: generator/ never imports
api/, api/ never imports generator/, PyYAML or Jinja. Only api/chalicelib/clock.py reads
the time: every other module is handed the one clock."""

from __future__ import annotations

import ast
import re
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
    "api/chalicelib/results.py", "api/chalicelib/codes.py", "api/chalicelib/caseplan.py",
    "api/chalicelib/caseview.py", "api/chalicelib/audit.py",
]
FORBIDDEN_NAMES = {"open"}
# (the clock is forbidden to every module but clock.py: test_only_the_clock_reads_the_time)
FORBIDDEN_ATTRIBUTES = {("os", "environ")}
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


#: What reads the machine's time: every module but the clock is handed one instead.
SYSTEM_TIME = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"),
               ("datetime", "today"), ("time", "time"), ("time", "time_ns"),
               ("time", "localtime"), ("time", "gmtime"), ("time", "ctime")}
THE_CLOCK = ROOT / "api" / "chalicelib" / "clock.py"


def _ours() -> list[Path]:
    paths = [ROOT / "dipforms_cli.py", *(ROOT / "generator").rglob("*.py"),
             *(ROOT / "api").rglob("*.py")]
    return sorted(p for p in paths if p != THE_CLOCK and "generated" not in p.parts
                  and "vendor" not in p.parts)


def _time_reads(tree: ast.AST) -> list[str]:
    """`datetime.now`, `datetime.datetime.now()`, `time.time()`, `from time import time`..."""
    def owner(node: ast.expr) -> str | None:
        return node.id if isinstance(node, ast.Name) else (
            node.attr if isinstance(node, ast.Attribute) else None)

    reads = [f"{node.lineno}: {owner(node.value)}.{node.attr}" for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and (owner(node.value), node.attr) in SYSTEM_TIME]
    reads += [f"{node.lineno}: from time import {alias.name}" for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module == "time"
              for alias in node.names if ("time", alias.name) in SYSTEM_TIME]
    return reads


@pytest.mark.parametrize("path", _ours(), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_clock_reads_the_time(path):
    assert _time_reads(ast.parse(path.read_text())) == []


def test_the_time_scan_catches_each_way_of_reading_the_time():
    sample = ("import datetime, time\nfrom time import time as now\n"
              "a = datetime.datetime.now()\nb = time.time()\nc = datetime.date.today()\n"
              "d = datetime.datetime.now(datetime.UTC).date()\n")
    assert sorted(_time_reads(ast.parse(sample))) == [
        "2: from time import time", "3: datetime.now", "4: time.time", "5: date.today",
        "6: datetime.now"]


STATIC = ROOT / "generator" / "static"
#: Date methods that answer in the device's own time zone, not England's.
DEVICE_ZONE = re.compile(r"\.get(FullYear|Month|Date|Day|Hours|Minutes)\(")


@pytest.mark.parametrize("path", sorted(STATIC.glob("*.js")), ids=lambda p: p.name)
def test_pages_tell_dates_in_england_not_the_device_zone(path):
    """A phone set to another zone still dates a form as England does (rules.englandDate)."""
    lines = [f"{n}: {line.strip()}" for n, line in
             enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if DEVICE_ZONE.search(line)]
    assert lines == []
