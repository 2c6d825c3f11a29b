"""A project folder on disk: read its YAML and kept schemas, build, and write (the edge).

Shared by `dipforms check`, `build` and `serve`, so all three see the same diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .build import BuildCache, BuildResult, build_project
from .diagnostics import format_all
from .project import read_committed_schemas, read_forms_dir
from .write import write_result


@dataclass
class Workspace:
    root: Path
    cache: BuildCache = field(default_factory=BuildCache)

    def build(self, *, site: bool = True) -> tuple[BuildResult, dict[str, str]]:
        """Build from what is on disk now; returns the result and the YAML texts read."""
        sources = read_forms_dir(self.root)
        committed = read_committed_schemas(self.root)
        renderer = site_renderer() if site else None
        return build_project(sources, committed, site=renderer, cache=self.cache), sources

    def build_and_write(self) -> tuple[BuildResult, str, int]:
        """Build; write only if there is no error. Returns (result, report text, files changed)."""
        result, sources = self.build(site=True)
        report = format_all(result.diagnostics, sources)
        changed = write_result(self.root, result) if result.ok else 0
        return result, report, changed


def site_renderer():
    """The pages' renderer, with one Jinja environment for the life of the process."""
    from .render import Site
    from .templating import make_environment

    global _SITE
    if _SITE is None:
        _SITE = Site(make_environment())
    return _SITE


_SITE = None
