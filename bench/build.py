"""Build benchmarks: the DIP form set, a synthetic 200 forms x 50 fields, a one-form
rebuild, and pyxform converting an equivalent 50-field XLSForm as the reference (from its
markdown tables, in memory, and from an .xlsx), all measured in this one process; then a
cold build of one form, each in a fresh process.

Run: .venv/bin/python -m bench.build
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.synthetic import form_yaml, project, xlsform_bytes, xlsform_markdown
from generator.build import BuildCache, build_project
from generator.edges.files import read_committed_schemas, read_forms_dir
from generator.edges.templating import make_environment
from generator.edges.write import write_result
from generator.render.site import Site

ROOT = Path(__file__).resolve().parent.parent
#: the goals of issue 18, item 4
GOAL_RATIO = 3.0        # dipforms per form at least this many times faster than pyxform (md)
GOAL_COLD_MS = 150.0    # a cold build of one form, fresh process and template cache
COLD_RUNS = 7

#: What each cold run does, in a fresh interpreter: import the generator, make the Jinja
#: Environment (its in-memory template cache empty), build one 50-field form with its
#: schema and pages; prints the import and build times. argv: the form's files (JSON),
#: the compiled-templates folder ("" for none).
COLD_SCRIPT = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from generator.build import build_project
from generator.edges.templating import make_environment
from generator.render.site import Site
imported = time.perf_counter()
files = json.loads(Path(sys.argv[1]).read_text())
site = Site(make_environment(Path(sys.argv[2]) if sys.argv[2] else None))
result = build_project(files, {}, site=site)
assert result.ok and len(result.site) > 10
done = time.perf_counter()
print(json.dumps([(imported - started) * 1000, (done - imported) * 1000]))
"""


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, best) milliseconds over `repeat` runs, after one warm-up run."""
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def timed_pair(first: Callable[[], object], second: Callable[[], object],
               repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """`timed` for two things at once, their runs alternated, so that on a shared machine
    both see the same load."""
    first(), second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, kept in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            run()
            kept.append((time.perf_counter() - started) * 1000)
    return ((statistics.median(times[0]), min(times[0])),
            (statistics.median(times[1]), min(times[1])))


def main() -> None:
    site = Site(make_environment())
    rows: list[tuple[str, float, float, str]] = []

    # the DIP form set, as `dipforms build` makes it (no cache), without and with writing
    sources, committed = read_forms_dir(ROOT), read_committed_schemas(ROOT)
    result = build_project(sources, committed, site=site)
    assert result.ok, [d.headline() for d in result.diagnostics]
    forms = len(result.project.forms)
    fields = sum(1 for f in result.project.forms for _ in f.walk())
    pages = len(result.site)
    median, best = timed(lambda: build_project(sources, committed, site=site), 10)
    rows.append(("DIP set: parse, check, schemas, pages, manifest", median, best,
                 f"{forms} forms, {fields} fields, {pages} pages"))
    with tempfile.TemporaryDirectory() as folder:
        median, best = timed(
            lambda: write_result(Path(folder), build_project(sources, committed, site=site)), 5)
    rows.append(("DIP set: the same, written to disk", median, best, "unchanged files skipped"))
    median, best = timed(lambda: build_project(sources, committed), 10)
    rows.append(("DIP set: check only (no pages)", median, best, "what `dipforms check` does"))

    # one-form rebuild, as `dipforms serve` does after an edit
    cache = BuildCache()
    build_project(sources, committed, site=site, cache=cache)
    target = "forms/mg14.yaml" if "forms/mg14.yaml" in sources else sorted(
        p for p in sources if p.count("/") == 1 and p.endswith(".yaml"))[0]
    flip = [0]

    def one_form_rebuild() -> None:
        flip[0] += 1
        edited = dict(sources)
        edited[target] = sources[target] + f"\n# edit {flip[0]}\n"
        build_project(edited, committed, site=site, cache=cache)

    median, best = timed(one_form_rebuild, 10)
    rows.append(("one-form rebuild with the cache (serve)", median, best, target))

    # synthetic 200 x 50
    synthetic = project(200, 50)
    started = time.perf_counter()
    big = build_project(synthetic, {}, site=site)
    total = (time.perf_counter() - started) * 1000
    assert big.ok, [d.headline() for d in big.diagnostics][:3]
    rows.append(("synthetic 200 forms x 50 fields", total, total,
                 f"{total / 200:.1f} ms per form, {len(big.site)} pages"))

    # one 50-field form against pyxform on the equivalent XLSForm
    single = project(1, 50)
    try:
        from pyxform.xls2xform import convert
    except ImportError:  # pragma: no cover - pyxform is a bench-only dependency
        print("pyxform is not installed: pip install -e '.[bench]'")
        convert = None
    if convert is None:
        ours, ours_best = timed(lambda: build_project(single, {}, site=site), 30)
    else:
        markdown = xlsform_markdown(50)
        workbook = xlsform_bytes(50)
        assert (convert(xlsform=markdown, file_type=".md").xform
                == convert(xlsform=io.BytesIO(workbook), file_type=".xlsx").xform)
        (ours, ours_best), (theirs, theirs_best) = timed_pair(
            lambda: build_project(single, {}, site=site),
            lambda: convert(xlsform=markdown, file_type=".md"), 40)
    rows.append(("one 50-field form: schema and pages", ours, ours_best,
                 "dipforms, the whole build of a one-form project"))
    if convert is not None:
        rows.append(("one 50-field XLSForm: pyxform convert from markdown", theirs,
                     theirs_best, "baseline, in memory, runs alternated with the row above"))
        xlsx, xlsx_best = timed(
            lambda: convert(xlsform=io.BytesIO(workbook), file_type=".xlsx"), 20)
        rows.append(("one 50-field XLSForm: pyxform convert from .xlsx", xlsx, xlsx_best,
                     "baseline, reading the spreadsheet"))

    cold = cold_builds({"forms/f000.yaml": form_yaml("f000", 50), **{
        p: t for p, t in single.items() if not p.startswith("forms/f")}})

    print(f"{'what':52} {'median ms':>10} {'best ms':>9}  notes")
    for name, median, best, note in rows:
        print(f"{name:52} {median:10.1f} {best:9.1f}  {note}")
    for name, (wall, imports, build) in cold.items():
        note = (f"import {imports:.1f} + build {build:.1f} (medians of {COLD_RUNS}); the rest "
                "is the interpreter's start" if imports else "its start and exit")
        print(f"{name:52} {wall:10.1f} {'':9}  {note}")
    print()
    if convert is not None:
        ratio = theirs / ours
        print(f"per form, pyxform (markdown) / dipforms = {ratio:.2f} (medians), "
              f"best {theirs_best / ours_best:.2f}; from .xlsx {xlsx / ours:.2f}; "
              f"synthetic per form: {theirs / (total / 200):.2f}")
        print(f"goal: per form >= {GOAL_RATIO:.0f}x faster than pyxform from markdown: "
              f"{ratio:.2f}x {'met' if ratio >= GOAL_RATIO else 'MISSED'}")
    wall = cold["cold one-form build (fresh process)"][0]
    print(f"goal: cold build of one form < {GOAL_COLD_MS:.0f} ms: {wall:.1f} ms "
          f"{'met' if wall < GOAL_COLD_MS else 'MISSED'} (fresh process and template "
          "cache, compiled templates and Python bytecode kept)")
    print("goals: DIP set well under 1000 ms; one-form rebuild under 100 ms")


def cold_builds(files: dict[str, str]) -> dict[str, tuple[float, float, float]]:
    """Wall, import and build milliseconds (medians) of a one-form build in a fresh
    process: with the compiled templates kept from an earlier process (as after the first
    build of `bin/dev`), and with none (every template compiled, the first build ever).

    Python's own bytecode is kept as an install keeps it, but in a folder of this run
    (PYTHONPYCACHEPREFIX), even where PYTHONDONTWRITEBYTECODE is set; the last case shows
    what that setting costs (every module compiled from source in every process)."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(ROOT / "api"), os.environ.get("PYTHONPATH", "")])
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        form_file = Path(folder) / "form.json"
        form_file.write_text(json.dumps(files))
        kept = str(Path(folder) / "compiled")
        env = {**base, "PYTHONPYCACHEPREFIX": str(Path(folder) / "pyc")}
        cases = [("cold one-form build (fresh process)", kept, env),
                 ("  the same, compiling every template", "", env),
                 ("  the same, no Python bytecode kept", kept,
                  {**base, "PYTHONDONTWRITEBYTECODE": "1"})]
        run_cold(form_file, kept, env)   # fills the compiled-templates and bytecode folders
        for name, cache, case_env in cases:
            runs = [run_cold(form_file, cache, case_env) for _ in range(COLD_RUNS)]
            out[name] = tuple(statistics.median(r[i] for r in runs) for i in range(3))
        starts = []
        for _ in range(COLD_RUNS):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
            starts.append((time.perf_counter() - started) * 1000)
        out["  beside: the interpreter alone (python -c pass)"] = (
            statistics.median(starts), 0.0, 0.0)
    return out


def run_cold(form_file: Path, cache: str, env: dict[str, str]) -> tuple[float, float, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", COLD_SCRIPT, str(form_file), cache],
                          env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    wall = (time.perf_counter() - started) * 1000
    imports, build = json.loads(done.stdout)
    return wall, imports, build


if __name__ == "__main__":
    main()
