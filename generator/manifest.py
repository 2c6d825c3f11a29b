"""The manifest the API reads: every form, its current and kept versions, schema hashes;
and the compiled protocol beside it.

Pure: schema texts in, a dict out.
"""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.contract.manifest import FormEntry, Manifest, SchemaVersion

from .model import Project
from .schema import text_json
from .versions import version_key


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def schema_path(form_id: str, version: str) -> str:
    return f"{form_id}/{version}.schema.json"


def build_manifest(project: Project, schema_texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    """schema_texts: form id -> version -> schema text (current and every kept version).
    The contract's Manifest, as the JSON the build writes."""
    forms = []
    for form in project.forms:
        versions = schema_texts.get(form.id, {})
        forms.append(FormEntry(
            id=form.id, title=text_json(form.title), description=text_json(form.description),
            agency=form.agency, current_version=form.version, welsh=form.has_welsh,
            versions=tuple(SchemaVersion(v, schema_path(form.id, v), sha256(versions[v]))
                           for v in sorted(versions, key=version_key))))
    return Manifest(tuple(forms),
                    "protocol.json" if project.protocol is not None else None).to_json()


def protocol_json(project: Project) -> dict[str, Any] | None:
    """generated/protocol.json: the contract's typed Protocol of the checked protocol."""
    if project.protocol is None:
        return None
    # imported on use: a project without a protocol never loads it (README.md: Build speed)
    from .protocol.compiled import compile_protocol
    return compile_protocol(project.protocol).to_json()


