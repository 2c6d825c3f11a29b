"""Run the pipeline: parse, check, schema, versions, pages, manifest. Writes nothing.

`build_project` returns every output as {relative path: text} plus every diagnostic, so
`check`, `build` and `serve` share one code path and a failed build changes no file.
A BuildCache (kept by `serve` between builds) skips the YAML parsing, schemas and pages of
files whose bytes have not changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from .check import check_project
from .diagnostics import Diagnostic, sort_key
from .jsontext import dump_json
from .manifest import build_manifest, protocol_json, schema_path
from .model import Form, Project
from .project import ParsedForm, classify, parse_project, shared_digest
from .render.site import owner_titles
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


class SiteRenderer(Protocol):
    """Makes the pages: each form's own, and the site-wide ones (the index of all forms;
    the case pages when there is a process)."""

    def form(self, form: Form, owner: str | None = None) -> dict[str, str]: ...

    def index(self, forms: tuple[Form, ...], *, process: Any = None,
              documents: dict[str, str] | None = None, protocol: Any = None,
              codelists: dict[str, Any] | None = None) -> dict[str, str]: ...


@dataclass
class BuildCache:
    """What earlier builds made, reused while the inputs are byte-identical."""

    loads: dict[str, tuple[str, Any, list]] = field(default_factory=dict)
    parsed: dict[str, ParsedForm] = field(default_factory=dict)
    forms: dict[str, tuple[str, str, dict[str, str]]] = field(default_factory=dict)


def _form_keys(sources: dict[str, str], committed: dict[str, dict[str, str]],
               shared: str) -> dict[str, str]:
    """form id -> a digest of everything its schema and pages are made from (`shared`: the
    shared_digest of every other file)."""
    keys = {}
    for path, text in sources.items():
        if classify(path) == "form":
            form_id = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            digest = hashlib.sha256(shared.encode())
            digest.update(text.encode())
            digest.update(json.dumps(committed.get(form_id, {}), sort_keys=True).encode())
            keys[form_id] = digest.hexdigest()
    return keys


#: Hours a draft is kept on a device when forms/protocol.yaml does not say.
DEFAULT_DRAFT_EXPIRY_HOURS = 24


def page_settings(project: Project) -> dict[str, Any]:
    """The protocol settings the page scripts use (site/settings.json)."""
    settings = project.protocol.settings if project.protocol else {}
    return {"draft_expiry_hours": settings.get("draft_expiry_hours",
                                               DEFAULT_DRAFT_EXPIRY_HOURS)}


def build_project(
    sources: dict[str, str],
    committed: dict[str, dict[str, str]],
    *,
    site: SiteRenderer | None = None,
    cache: BuildCache | None = None,
) -> BuildResult:
    """sources: 'forms/...yaml' -> text; committed: form -> version -> kept schema text.

    `site` makes the pages (None skips them, for `check`); `cache` is reused and updated.
    """
    shared = shared_digest(sources)
    project, diagnostics = parse_project(sources, cache.loads if cache is not None else None,
                                         cache.parsed if cache is not None else None, shared)
    if not any(d.is_error for d in diagnostics):
        diagnostics.extend(check_project(project))
    result = BuildResult(sorted(diagnostics, key=sort_key), project=project)
    if not result.ok:
        return result

    keys = _form_keys(sources, committed, shared)
    schema_texts: dict[str, dict[str, str]] = {}
    pages: dict[str, dict[str, str]] = {}
    version_problems: list[Diagnostic] = []
    owners = owner_titles(project.protocol)
    for form in project.forms:
        owner = owners.get(form.agency)
        key = (keys.get(form.id), site is not None, owner)
        cached = cache.forms.get(form.id) if cache is not None else None
        if cached is not None and cached[0] == key:
            _, current, pages[form.id] = cached
        else:
            schema = form_schema(form, project)
            kept = {v: json.loads(t) for v, t in committed.get(form.id, {}).items()}
            problems = check_versions(form, schema, kept)
            version_problems.extend(problems)
            current = dump_schema(schema)
            pages[form.id] = (site.form(form, owner=owner)
                              if site is not None and not problems else {})
            if cache is not None and not problems:
                cache.forms[form.id] = (key, current, pages[form.id])
        schema_texts[form.id] = {**committed.get(form.id, {}), form.version: current}
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
    if project.process is not None:
        # imported on use: a project without a process never loads it (README.md: Build speed)
        from .process.states import process_json
        result.generated["process.json"] = dump_json(process_json(
            project.process, {f.id: f.title.get("en") for f in project.forms}))
    if site is not None:
        result.site = site.index(project.forms, process=project.process,
                                 documents=project.documents, protocol=project.protocol,
                                 codelists=project.codelists)
        for form in project.forms:
            result.site.update(pages[form.id])
            # the current schema, for the pages' own checks before sending (checks.js)
            path = schema_path(form.id, form.version)
            result.site[f"schemas/{path}"] = result.schemas[path]
        result.site["settings.json"] = dump_json(page_settings(project))
        result.site = dict(sorted(result.site.items()))
    return result
