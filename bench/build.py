"""Build benchmarks: the DIP form set, a synthetic 200 forms x 50 fields, a one-form
rebuild, and pyxform converting an equivalent 50-field XLSForm as the reference, all
measured in this one process.

Run: .venv/bin/python -m bench.build
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.synthetic import project, xlsform_bytes
from generator.build import BuildCache, build_project
from generator.edges.files import read_committed_schemas, read_forms_dir
from generator.edges.templating import make_environment
from generator.edges.write import write_result
from generator.render.site import Site

ROOT = Path(__file__).resolve().parent.parent


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, best) milliseconds over `repeat` runs, after one warm-up run."""
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


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
    ours, ours_best = timed(lambda: build_project(single, {}, site=site), 20)
    rows.append(("one 50-field form: schema and pages", ours, ours_best, "dipforms"))
    try:
        from pyxform.xls2xform import convert
    except ImportError:  # pragma: no cover - pyxform is a bench-only dependency
        print("pyxform is not installed: pip install -e '.[bench]'")
        convert = None
    if convert is not None:
        workbook = xlsform_bytes(50)
        theirs, theirs_best = timed(
            lambda: convert(xlsform=io.BytesIO(workbook), file_type=".xlsx"), 20)
        rows.append(("one 50-field XLSForm: pyxform convert", theirs, theirs_best, "baseline"))

    print(f"{'what':52} {'median ms':>10} {'best ms':>9}  notes")
    for name, median, best, note in rows:
        print(f"{name:52} {median:10.1f} {best:9.1f}  {note}")
    if convert is not None:
        print(f"\nper form, dipforms / pyxform = {ours / theirs:.2f} (median); "
              f"synthetic per form / pyxform = {total / 200 / theirs:.2f}")
    print("goals: DIP set well under 1000 ms; one-form rebuild under 100 ms; "
          "per form faster than pyxform")


if __name__ == "__main__":
    main()
