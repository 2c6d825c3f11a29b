"""The Lambda package with its bytecode compiled in.

`chalice package` zips sources only, and Lambda's /var/task is read-only, so every cold
start would compile every module again (about half the first request's time, measured by
`python -m bench.lambda_package`). Adding `__pycache__/*.cpython-311.pyc` beside each
module, made with unchecked-hash invalidation (the zip's timestamps then do not matter),
lets the runtime load them as they are. Chalice gives the functions the runtime of the
Python that packages them, so the bytecode and the runtime always agree.
"""

from __future__ import annotations

import importlib.util
import py_compile
import shutil
import tempfile
import zipfile
from pathlib import Path


def add_bytecode(archive: Path) -> int:
    """Rewrite `archive` with a .pyc for each .py in it; returns how many were added."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "task"
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(folder)
            modes = {info.filename: info.external_attr for info in opened.infolist()}
        added = 0
        for source in sorted(folder.rglob("*.py")):
            target = Path(importlib.util.cache_from_source(str(source)))
            if target.exists():
                continue
            try:
                py_compile.compile(str(source), cfile=str(target), doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode
                                   .UNCHECKED_HASH)
            except py_compile.PyCompileError:
                continue          # a vendored file for another Python version: left as it is
            added += 1
        rebuilt = Path(scratch) / "deployment.zip"
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as made:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(str(path.relative_to(folder)),
                                           date_time=(1980, 1, 1, 0, 0, 0))
                    info.external_attr = modes.get(info.filename, 0o644 << 16)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    made.writestr(info, path.read_bytes())
        shutil.move(rebuilt, archive)
    return added
