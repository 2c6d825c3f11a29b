"""Run the pipeline: parse, check, schema, versions, pages, manifest. Writes nothing.

`build_project` returns every output as {relative path: text} plus every diagnostic, so
`check`, `build` and `serve` share one code path and a failed build changes no file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .check import check_project
from .diagnostics import Diagnostic, sort_key
from .manifest import build_manifest, protocol_json, schema_path
from .project import parse_project
from .schema import dump_schema, form_schema
from .versions import check_versions


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic]
    schemas: dict[str, str] = field(default_factory=dict)      # under schemas/
    generated: dict[str, str] = field(default_factory=dict)    # under api/chalicelib/generated/
    site: dict[str, str] = field(default_factory=dict)         # under site/
    project: Any = None

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def build_project(
    sources: dict[str, str],
    committed: dict[str, dict[str, str]],
    *,
    render=None,
) -> BuildResult:
    """sources: 'forms/...yaml' -> text; committed: form -> version -> kept schema text.

    `render(project) -> {path: html}` makes the site; None skips it (for `check`).
    """
    project, diagnostics = parse_project(sources)
    if not any(d.is_error for d in diagnostics):
        diagnostics.extend(check_project(project))
    result = BuildResult(sorted(diagnostics, key=sort_key), project=project)
    if not result.ok:
        return result

    schema_texts: dict[str, dict[str, str]] = {}
    version_problems: list[Diagnostic] = []
    for form in project.forms:
        schema = form_schema(form, project)
        kept = {v: json.loads(t) for v, t in committed.get(form.id, {}).items()}
        version_problems.extend(check_versions(form, schema, kept))
        texts = dict(committed.get(form.id, {}))
        texts[form.version] = dump_schema(schema)
        schema_texts[form.id] = texts
    if version_problems:
        result.diagnostics = sorted(result.diagnostics + version_problems, key=sort_key)
        return result

    manifest = build_manifest(project, schema_texts)
    for form in project.forms:
        for version, text in schema_texts[form.id].items():
            result.schemas[schema_path(form.id, version)] = text
    result.schemas["manifest.json"] = dump_json(manifest)
    result.generated = {f"schemas/{p}": t for p, t in result.schemas.items()
                        if p != "manifest.json"}
    result.generated["manifest.json"] = result.schemas["manifest.json"]
    protocol = protocol_json(project)
    if protocol is not None:
        result.generated["protocol.json"] = dump_json(protocol)
    if render is not None:
        result.site = render(project)
    return result
