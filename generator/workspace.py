"""A project folder on disk: read its YAML and kept schemas, build, and write (the edge).

Shared by `dipforms check`, `build` and `serve`, so all three see the same diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .build import BuildResult, build_project
from .diagnostics import format_all
from .project import read_committed_schemas, read_forms_dir
from .write import write_result


@dataclass
class Workspace:
    root: Path

    def build(self, *, site: bool = True) -> tuple[BuildResult, dict[str, str]]:
        """Build from what is on disk now; returns the result and the YAML texts read."""
        sources = read_forms_dir(self.root)
        committed = read_committed_schemas(self.root)
        render = _site_renderer() if site else None
        return build_project(sources, committed, render=render), sources

    def build_and_write(self) -> tuple[BuildResult, str, int]:
        """Build; write only if there is no error. Returns (result, report text, files changed)."""
        result, sources = self.build(site=True)
        report = format_all(result.diagnostics, sources)
        changed = write_result(self.root, result) if result.ok else 0
        return result, report, changed


_ENV = None


def _site_renderer():
    from .render import render_site
    from .templating import make_environment

    global _ENV
    if _ENV is None:
        _ENV = make_environment()
    env = _ENV
    return lambda project: render_site(project.forms, env=env)
