"""The only module that writes build output: schemas/, api/chalicelib/generated/, site/.

Files are written only when their bytes change (stable mtimes, fast rebuilds). Old schema
versions in schemas/ are never deleted; site/ and generated/ are made to match exactly.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..build import BuildResult
from ..render.offline import offline_files

STATIC = Path(__file__).parent.parent / "static"
GENERATED = "api/chalicelib/generated"


def write_result(root: Path, result: BuildResult, *, site: bool = True) -> int:
    """Write a successful build; returns how many files changed. Refuses a failed build."""
    if not result.ok:
        raise ValueError("a build with errors must not be written")
    changed = _write_tree(root / "schemas", result.schemas, prune=False)
    changed += _write_tree(root / GENERATED, result.generated, prune=True)
    if site:
        files = dict(result.site)
        files.update(static_assets())
        files.update(offline_files(files, env=_environment()))  # last: sw.js hashes them all
        changed += _write_tree(root / "site", files, prune=True)
    return changed


@functools.cache
def _environment():
    """The Jinja Environment for the offline page and sw.js, made once per process."""
    from .templating import make_environment

    return make_environment()


def static_assets() -> dict[str, bytes]:
    """generator/static/** (our scripts and the compiled CSS) -> site/assets/**."""
    assets: dict[str, bytes] = {}
    if STATIC.is_dir():
        for path in sorted(STATIC.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                relative = path.relative_to(STATIC)
                parts = relative.parts[1:] if relative.parts[0] == "build" else relative.parts
                assets["assets/" + "/".join(parts)] = path.read_bytes()
    return assets


def _write_tree(base: Path, files: dict[str, str | bytes], *, prune: bool) -> int:
    changed = 0
    for relative, content in sorted(files.items()):
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = base / relative
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        changed += 1
    if prune and base.is_dir():
        wanted = {base / p for p in files}
        for path in sorted(base.rglob("*"), reverse=True):
            if path.is_file() and path not in wanted:
                path.unlink()
                changed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed
