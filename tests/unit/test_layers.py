"""The pure core does no I/O and imports point down the layers: generator/ never imports
api/ or web/, api/ never imports generator/, web/, PyYAML or Jinja, web/ never imports api/,
except that generator/ and web/ may read the contract (api/chalicelib/contract/), which
imports only the standard library. Only api/chalicelib/clock.py reads the time: every
other module is handed the one clock."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules(folder: str, *, leaving_out: tuple[str, ...] = ()) -> list[str]:
    base = ROOT / folder
    return sorted(str(p.relative_to(ROOT)) for p in base.rglob("*.py")
                  if not any(p.is_relative_to(base / edge) for edge in leaving_out))


#: The layers, by folder. A module is pure because of where it lives: all of generator/ but
#: its edges/ folder; the no-JavaScript page flow of web/ (not serve.py, httpserver.py and
#: workers.py, which have sockets and processes);
#: the API's contract/ and domain/; notify/ but its channels and the outbox's delivery loop;
#: store/base.py, the Store protocol and the rules both backends share.
LAYERS = {
    "generator (pure)": _modules("generator", leaving_out=("edges",)),
    "generator/edges": _modules("generator/edges"),
    "web (pure)": _modules("web", leaving_out=("serve.py", "httpserver.py", "workers.py")),
    "web/serve.py": ["web/serve.py", "web/httpserver.py", "web/workers.py"],
    "the contract": _modules("api/chalicelib/contract"),
    "api (pure)": [*_modules("api/chalicelib/domain"),
                   *_modules("api/chalicelib/notify", leaving_out=("channels", "outbox.py")),
                   *_modules("api/chalicelib/store", leaving_out=("sqlite", "dynamodb",
                                                                  "__init__.py"))],
}
PURE = [*LAYERS["generator (pure)"], *LAYERS["web (pure)"], *LAYERS["the contract"],
        *LAYERS["api (pure)"]]
FORBIDDEN_NAMES = {"open"}
# (the clock is forbidden to every module but clock.py: test_only_the_clock_reads_the_time)
FORBIDDEN_ATTRIBUTES = {("os", "environ")}
FORBIDDEN_MODULES = {"pathlib", "sqlite3", "boto3", "socket", "subprocess", "shutil"}
#: The one pure module that reads files: the site's words, package data read once at import
#: with importlib.resources like a constant (why: generator/render/text.py's docstring).
PACKAGE_DATA = {"generator/render/text.py"}


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(("." * node.level) + node.module)
    return names


def test_the_layers_are_found_in_their_folders():
    """A folder renamed or emptied would silently leave its modules unchecked."""
    assert len(LAYERS["generator (pure)"]) > 40 and len(LAYERS["web (pure)"]) >= 3
    assert len(LAYERS["the contract"]) >= 5 and len(LAYERS["api (pure)"]) >= 15
    assert "generator/edges/write.py" not in PURE and "web/serve.py" not in PURE
    assert all((ROOT / path).is_file() for path in PURE)


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
    if relative not in PACKAGE_DATA:
        problems += [f"imports {name}" for name in _package_data_imports(tree)]
    assert problems == []


def _package_data_imports(tree: ast.AST) -> list[str]:
    """`import importlib.resources`, `from importlib import resources`, `importlib.resources`."""
    found = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names if alias.name.startswith("importlib.resources")]
    found += [f"{node.module}.{alias.name}" for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module
              for alias in node.names
              if node.module.startswith("importlib.resources") or (
                  node.module == "importlib" and alias.name == "resources")]
    return found


def test_only_the_words_read_package_data():
    assert all((ROOT / path).is_file() for path in PACKAGE_DATA)
    sample = ("import importlib.resources\nfrom importlib import resources\n"
              "from importlib.resources import files\nimport importlib\n")
    assert _package_data_imports(ast.parse(sample)) == [
        "importlib.resources", "importlib.resources", "importlib.resources.files"]


#: What each top-level part may not import. The API is imported as `chalicelib` (and its
#: entry point as `app`); the page server as `web`.
MAY_NOT_IMPORT = {
    "generator": {"chalicelib", "app", "api", "web"},
    "api": {"generator", "web", "yaml", "jinja2"},
    "web": {"chalicelib", "app", "api"},
}


#: The one way across: the build and the page server may read the contract, nothing else
#: of the API.
CONTRACT = "chalicelib.contract"
MAY_CROSS_TO = {"generator": CONTRACT, "web": CONTRACT}


def _into(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def crossings(part: str, imported: set[str]) -> list[str]:
    """The imports that leave `part` for a part it may not import."""
    return sorted(name for name in imported if name.split(".")[0] in MAY_NOT_IMPORT[part]
                  and not (part in MAY_CROSS_TO and _into(name, MAY_CROSS_TO[part])))


def _found(part: str, scan) -> dict[str, list[str]]:
    """path -> scan(part, its imports), for the modules of `part` where that is not empty."""
    found = {str(path.relative_to(ROOT)): scan(part, _imports(ast.parse(path.read_text())))
             for path in sorted((ROOT / part).rglob("*.py")) if "generated" not in path.parts}
    return {path: names for path, names in found.items() if names}


@pytest.mark.parametrize("part", sorted(MAY_NOT_IMPORT))
def test_imports_point_down_the_layers(part):
    assert _found(part, crossings) == {}


def test_the_crossing_scan_sees_the_api_by_its_import_name():
    tree = ast.parse("from chalicelib import rules\nimport web.serve\nfrom .spans import Span\n"
                     "from chalicelib.contract.events import CASE_EVENTS\n"
                     "import chalicelib.contractor\n")
    assert crossings("generator", _imports(tree)) == ["chalicelib", "chalicelib.contractor",
                                                      "web.serve"]


def _contract_imports(part: str, imported: set[str]) -> list[str]:
    return sorted(name for name in imported if _into(name, CONTRACT))


def test_the_build_reads_the_contract_and_the_crossings_are_listed():
    """Every import of the API from generator/ or web/, printed: each is the contract's."""
    crossing = {path: names for part in sorted(MAY_CROSS_TO)
                for path, names in _found(part, _contract_imports).items()}
    for path, names in crossing.items():
        print(f"{path} -> {', '.join(names)}")
    assert crossing and all(path.startswith(("generator/", "web/")) for path in crossing)
    assert {name for names in crossing.values() for name in names} <= {
        f"{CONTRACT}.{module}" for module in ("events", "roles", "functions", "protocol",
                                              "manifest", "process", "access_matrix", "ids")
    } | {CONTRACT}


@pytest.mark.parametrize("relative", LAYERS["the contract"])
def test_the_contract_imports_only_the_standard_library_and_itself(relative):
    """Both halves read it, so it may lean on neither: no other chalicelib module, no
    third-party package (Chalice deploys it, the build imports it)."""
    tree = ast.parse((ROOT / relative).read_text())
    outside = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.level > 1:
                outside.append(f"{node.lineno}: {'.' * node.level}{node.module or ''}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module])
            outside += [f"{node.lineno}: {name}" for name in names
                        if name.split(".")[0] not in sys.stdlib_module_names | {"__future__"}]
    assert outside == []


#: What reads the machine's time: every module but the clock is handed one instead.
SYSTEM_TIME = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"),
               ("datetime", "today"), ("time", "time"), ("time", "time_ns"),
               ("time", "localtime"), ("time", "gmtime"), ("time", "ctime")}
THE_CLOCK = ROOT / "api" / "chalicelib" / "clock.py"
#: Reads of the machine's time that date nothing: waitress stamps each connection with
#: time.time(), so the server's "accepted a moment ago" check must read the same clock.
NOT_A_DATE = {"web/httpserver.py": ["time.time"]}


def _ours() -> list[Path]:
    paths = [ROOT / "dipforms_cli.py",
             *(path for part in ("generator", "web", "api")
               for path in (ROOT / part).rglob("*.py"))]
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
    allowed = NOT_A_DATE.get(str(path.relative_to(ROOT)), [])
    reads = [r for r in _time_reads(ast.parse(path.read_text()))
             if r.split(": ", 1)[1] not in allowed]
    assert reads == []


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
